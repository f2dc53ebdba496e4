"""What the backprop scene shows, step by step, as plain data (no manim): testable without rendering.

A beat is one backward event: the node whose local rule runs, the rule written out with its numbers,
and for each input its grad before, what it receives and its grad after (so accumulation from two
paths shows as `before + received = after`).
"""

import math
from dataclasses import dataclass, field

from nnanim.engine.graph import first_neurons, neuron_groups
from nnanim.engine.numbers import MINUS, number, superscript


def factor(x):
    """A number as a factor: negative ones in parentheses, so `1 · (−2)` and `(−0.81)²` read right."""
    return f"({number(x)})" if x < 0 else number(x)


def name_of(graph, i):
    """The label a reader sees: the node's own label, or v<index> for an unlabelled value."""
    return graph.labels[i] or f"v{i}"


@dataclass
class Received:
    node: int
    before: float
    amount: float
    after: float


@dataclass
class Beat:
    node: int
    op: str
    grad: float
    rule: list  # lines of text
    received: list = field(default_factory=list)


def local_rule(graph, data, out, grad, inputs, received):
    """One line per input: ∂L/∂a = ∂L/∂out · (local derivative) = numbers = result."""
    op = graph.ops[out]
    o = name_of(graph, out)
    lines = []
    for k, (i, amount) in enumerate(zip(inputs, received)):
        a = name_of(graph, i)
        head = f"\u2202L/\u2202{a} = \u2202L/\u2202{o} \u00b7 "
        if op == "+":
            local, numbers = "1", f"{factor(grad)} \u00b7 1"
        elif op == "*":
            other = inputs[1 - k]
            local, numbers = name_of(graph, other), f"{factor(grad)} \u00b7 {factor(data[other])}"
        elif op == "tanh":
            local, numbers = f"(1 {MINUS} {o}\u00b2)", f"{factor(grad)} \u00b7 (1 {MINUS} {factor(data[out])}\u00b2)"
        elif op.startswith("**"):
            n = op[2:]
            power = superscript(_minus_one(n))
            local = f"{n}\u00b7{a}{power}"
            numbers = f"{factor(grad)} \u00b7 {n}\u00b7{factor(data[i])}{power}"
        elif op == "exp":
            local, numbers = f"exp({a})", f"{factor(grad)} \u00b7 {factor(data[out])}"
        elif op == "log":
            local, numbers = f"1/{a}", f"{factor(grad)} / {factor(data[i])}"
        elif op == "relu":
            local, numbers = f"[{a} > 0]", f"{factor(grad)} \u00b7 {1 if data[i] > 0 else 0}"
        else:
            local, numbers = "\u2202" + o + "/\u2202" + a, number(grad)
        lines.append(f"{head}{local} = {numbers} = {number(amount)}")
    return lines


def _minus_one(n):
    try:
        value = float(n) - 1
        return number(int(value) if math.isfinite(value) and value == int(value) else value)
    except ValueError:
        return f"({n}{MINUS}1)"


def backward_beats(step, nodes=None, active=None, top=None):
    """The beats of a step's backward pass, in the order they ran. With `nodes` (what is drawn) and
    `active` (whose events are shown), a part of the graph: the other events still happen, so every
    number shown is the real one. `top` is the drawn node whose grad arrives from outside (a neuron's
    output): the first beat shows it arriving."""
    g = step.graph
    shown = set(range(len(g))) if nodes is None else set(nodes)
    active = shown if active is None else set(active)
    grads = [float(x) for x in step.grad_before]
    root = g.root
    beats = []
    if root in shown:
        beats.append(Beat(root, "", 1.0, [f"\u2202L/\u2202{name_of(g, root)} = 1"],
                          [Received(root, grads[root], 1.0, 1.0)]))
    elif top is not None:
        arrived = float(step.grad[top])
        beats.append(Beat(top, "", arrived, [f"\u2202L/\u2202{name_of(g, top)} = {number(arrived)}, from the layers above"],
                          [Received(top, 0.0, arrived, arrived)]))
    grads[root] = 1.0
    for event in step.backward_events():
        received = []
        for i, amount in zip(event.inputs, event.received):  # in input order, as Value.backward adds
            after = grads[i] + amount
            received.append(Received(i, grads[i], amount, after))
            grads[i] = after
        if event.node not in active:
            continue
        rule = local_rule(g, step.data, event.node, event.grad, event.inputs, event.received)
        for r in received:
            if r.before != 0 and r.node in shown:
                rule.append(f"{name_of(g, r.node)}.grad = {number(r.before)} + {factor(r.amount)} = {number(r.after)}")
        beats.append(Beat(event.node, event.op, event.grad, rule, [r for r in received if r.node in shown]))
    return beats


def neuron_nodes(step, neuron=None, focus=None):
    """(drawn, active, output) for one neuron of the first example: drawn are its ops, its output and
    what it reads (weights, bias, inputs or the previous layer's outputs); active are its ops, whose
    backward events are shown. `neuron` is (j, l); `focus` a label: its neuron, or the neuron that
    reads it first."""
    g = step.graph
    owner = neuron_groups(step)
    target = None
    if neuron is not None:
        target = first_neurons(step).get(tuple(neuron))
        if target is None:
            j, l = neuron
            raise LookupError(f"there is no neuron {j},{l} in this trace (neurons are j,l: neuron j of layer l)")
    else:
        if focus not in g.labels:
            raise LookupError(f"no value is labelled {focus!r} in this step")
        i = g.labels.index(focus)
        target = owner[i]
        if target is None:
            readers = [k for k in range(len(g)) if i in g.inputs(k) and owner[k] is not None]
            if not readers:
                raise LookupError(f"{focus!r} is not part of a neuron; --focus takes a weight, bias or neuron output")
            target = owner[readers[0]]
    ops = [k for k in range(len(g)) if owner[k] == target]
    reads = {j for k in ops for j in g.inputs(k)}
    return sorted(set(ops) | reads), ops, target


def wave(step, beats):
    """The beats grouped as the gradient wave moves through the graph: consecutive beats of the same
    neuron (or of the same stretch between neurons, like the loss) form one group."""
    owner = neuron_groups(step)
    groups, key = [], object()
    for beat in beats:
        k = owner[beat.node]
        if k != key or not groups:
            groups.append([])
            key = k
        groups[-1].append(beat)
    return groups
