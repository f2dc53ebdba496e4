"""What the backprop scene shows, step by step, as plain data (no manim): testable without rendering.

A beat is one backward event: the node whose local rule runs, the rule written out with its numbers,
and for each input its grad before, what it receives and its grad after (so accumulation from two
paths shows as `before + received = after`, the earlier part named by where it came from). A moment
is what the scene plays for a beat, or for a group of beats when a whole neuron is one box: the box
whose gradient passes back, the edges it travels back along, the grads that change, the text. Each
carries a speaker's note: the rule said in words, with the numbers the screen shows.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from nnanim.engine.graph import first_neurons
from nnanim.engine.labels import is_parameter
from nnanim.engine.numbers import MINUS, number, superscript
from nnanim.engine.value import exponent, power_of
from nnanim.scenes.roles import examples, names, neurons, ranges, wrapped

WARN = "\u26a0 "  # a line that says what is wrong: drawn in the theme's warning colour
TOLERANCE = 1e-6  # relative, with an absolute floor of the same size

MANY = 4  # a list of more names than this is written first … last
MOST_GRADS = 7  # grads a closing note lists before it says how many more there are


def factor(x):
    """A number as a factor: negative ones in parentheses, so `1 · (−2)` and `(−0.81)²` read right."""
    return f"({number(x)})" if x < 0 else number(x)


def name_of(graph, i):
    """The label a reader sees for a graph without a step at hand: its own label, or v<index>."""
    return graph.labels[i] or f"v{i}"


def d(name):
    """∂L/∂name, with the name in parentheses when it holds an operator: ∂L/∂(w₀·x₀)."""
    return f"\u2202L/\u2202{wrapped(name)}"


def listed(items):
    """`a, b, c` or, for many, `a … z`."""
    items = list(dict.fromkeys(items))
    return ", ".join(items) if len(items) <= MANY else f"{items[0]} \u2026 {items[-1]}"


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
    note: str = ""  # what the speaker says about it
    event: int | None = None  # the backward event it shows (None: the first or the closing beat)


def local_rule(graph, data, out, grad, inputs, received, called=None):
    """One line per input: ∂L/∂a = ∂L/∂out · (local derivative) = numbers = result. `called` names
    the nodes (default: their labels)."""
    templates = rule_templates(graph, out, called, inputs)
    return [filled(t, data, {out: grad}, received) for t in templates[:len(received)]]


def rule_templates(graph, out, called=None, inputs=None):
    """The lines `local_rule` writes for node `out`, one per input, with the numbers left as tokens: a
    string is written as it is; {"grad": i} is node i's grad as the rule runs, {"data": i} its data (both
    as factors), {"bit": i} 1 if its data is above 0 else 0, {"received": k} what input k receives. The
    explorer page (docs/explore.md) fills them in with the numbers of the step it shows."""
    name = (lambda i: called[i]) if called is not None else (lambda i: name_of(graph, i))
    op = graph.ops[out]
    o = name(out)
    grad = {"grad": out}
    inputs = graph.inputs(out) if inputs is None else inputs
    templates = []
    for k, i in enumerate(inputs):
        a = name(i)
        head = f"{d(a)} = {d(o)} \u00b7 "
        if op == "+":
            local, numbers = "1", [grad, " \u00b7 1"]
        elif op == "*":
            other = inputs[1 - k]
            local, numbers = wrapped(name(other)), [grad, " \u00b7 ", {"data": other}]
        elif op == "tanh":
            local = f"(1 {MINUS} {wrapped(o)}\u00b2)"
            numbers = [grad, f" \u00b7 (1 {MINUS} ", {"data": out}, "\u00b2)"]
        elif power_of(op) is not None:
            n = power_of(op)
            power = superscript(_minus_one(n))
            local = f"{n}\u00b7{wrapped(a)}{power}"
            numbers = [grad, f" \u00b7 {n}\u00b7", {"data": i}, power]
        elif op == "exp":
            local, numbers = f"exp({a})", [grad, " \u00b7 ", {"data": out}]
        elif op == "log":
            local, numbers = f"1/{wrapped(a)}", [grad, " / ", {"data": i}]
        elif op == "relu":
            local, numbers = f"[{a} > 0]", [grad, " \u00b7 ", {"bit": i}]
        else:
            local, numbers = "\u2202" + wrapped(o) + "/\u2202" + wrapped(a), [grad]
        templates.append([f"{head}{local} = ", *numbers, " = ", {"received": k}])
    return templates


def filled(template, data, grads, received):
    """A rule template's line with the numbers: `grads` maps the node whose rule runs to its grad."""
    def token(t):
        if isinstance(t, str):
            return t
        (kind, at), = t.items()
        if kind == "grad":
            return factor(grads[at])
        if kind == "data":
            return factor(data[at])
        if kind == "bit":
            return "1" if data[at] > 0 else "0"
        return number(received[at])
    return "".join(map(token, template))


def _minus_one(n):
    try:
        value = float(n) - 1
        return number(int(value) if math.isfinite(value) and value == int(value) else value)
    except ValueError:
        return f"({n}{MINUS}1)"


def formula(graph, out, name):
    """How `out` was computed, in the names on screen: `L = e·f`, `h_00 = tanh(Σ+b)`; `relu(x)` when its
    name says it already."""
    op, ins = graph.ops[out], [name(i) for i in graph.inputs(out)]
    if op == "*":
        body = "\u00b7".join(map(wrapped, ins))
    elif op == "+":
        body = " + ".join(map(wrapped, ins))
    elif power_of(op) is not None:
        body = wrapped(ins[0]) + superscript(power_of(op))
    else:
        body = f"{op}({', '.join(ins)})"
    return name(out) if name(out) == body else f"{name(out)} = {body}"


def local_slope(graph, data, out, k, name):
    """∂out/∂(input k) as (in names, in numbers or None, its value), as the engine's rule computes it;
    None for an op without a plain rule."""
    op, inputs = graph.ops[out], graph.inputs(out)
    i = inputs[k]
    x, o = np.float64(data[i]), np.float64(data[out])
    with np.errstate(all="ignore"):
        if op == "+":
            return "1", None, 1.0
        if op == "*":
            other = inputs[1 - k]
            return wrapped(name(other)), None, float(data[other])
        if op == "tanh":
            return f"1 {MINUS} {wrapped(name(out))}\u00b2", f"1 {MINUS} {factor(o)}\u00b2", float(1 - o**2)
        if power_of(op) is not None:
            n = power_of(op)
            power = superscript(_minus_one(n))
            value = float(exponent(op) * x ** (exponent(op) - 1))
            return f"{n}\u00b7{wrapped(name(i))}{power}", f"{n}\u00b7{factor(x)}{power}", value
        if op == "exp":
            return f"exp({name(i)})", None, float(o)
        if op == "log":
            return f"1/{wrapped(name(i))}", f"1/{factor(x)}", float(1 / x)
        if op == "relu":
            return f"[{name(i)} > 0]", None, 1.0 if x > 0 else 0.0
    return None


def event_note(graph, data, out, grad, received, called=None, origins=None):
    """A backward event said in words for the speaker: how `out` was computed, its local derivatives
    with their numbers, and the grads they give its inputs, times out's grad (adding up where a grad
    was already held, `origins` naming where it came from), every number as the screen writes it."""
    name = (lambda i: called[i]) if called is not None else (lambda i: name_of(graph, i))
    origins = origins or {}
    o = wrapped(name(out))
    inputs = graph.inputs(out)
    partial = [f"\u2202{o}/\u2202{wrapped(name(i))}" for i in inputs]
    slopes = [local_slope(graph, data, out, k, name) for k in range(len(inputs))]
    if graph.ops[out] == "+" and len(set(inputs)) == len(inputs):
        said = f"{formula(graph, out, name)}, so {' = '.join(partial)} = 1: + passes the grad on unchanged."
    elif all(slopes):
        clauses = []
        for p, (symbolic, numeric, value) in zip(partial, slopes):
            shown = [symbolic] + ([numeric] if numeric else []) + [number(value)]
            clauses.append(" = ".join([p, *dict.fromkeys(shown)]))
        said = f"{formula(graph, out, name)}, so {' and '.join(dict.fromkeys(clauses))}."
    else:
        said = f"{formula(graph, out, name)} passes its grad back by its own local rule."
    parts = []
    for r in received:
        who = f"{wrapped(name(r.node))}.grad"
        if r.before == 0:
            parts.append(f"{who} = {number(r.after)}")
        else:
            origin = f" (from {origins[r.node]})" if origins.get(r.node) else ""
            parts.append(f"{who} = {number(r.before)}{origin} + {factor(r.amount)} = {number(r.after)}")
    said += f" Times {o}.grad = {number(grad)}: {', '.join(parts)}."
    if any(r.before != 0 for r in received):
        said += " Grads add up where a value feeds more than one op."
    return said


def grads_listed(pairs, most=MOST_GRADS):
    """`a.grad = 6, b.grad = −4`: (name, grad) pairs, the first `most` of them and how many more."""
    pairs = list(pairs)
    said = ", ".join(f"{wrapped(n)}.grad = {number(g)}" for n, g in pairs[:most])
    return said + (f" and {len(pairs) - most} more" if len(pairs) > most else "")


def closing_note(step, beats, ends, called=None, top=None):
    """What the last still shows, when every event has run: the grads of `ends` (the values the drawn
    part of the graph starts from); for a neuron (`top`), of what it reads."""
    called = names(step) if called is None else called
    final = {r.node: r.after for b in beats for r in b.received}
    listed_grads = grads_listed((called[i], final[i]) for i in ends if i in final)
    if step.recorded is not None:
        truth = Truth(step)
        wrong = [(called[i], final.get(i, float(step.grad_before[i])), truth.final[i]) for i in ends
                 if not close(final.get(i, float(step.grad_before[i])), truth.final[i])]
        if wrong:
            said = "; ".join(f"{wrapped(n)}.grad = {number(got)}, should be {number(want)}" for n, got, want in wrong[:3])
            return (f"Backward is done, but this Value class's backward is wrong: {said}. The marked step is the "
                    "first that is not the chain rule (nnanim check names the bug).")
    if top is None:
        root = called[step.graph.root]
        return (f"Backward is done: every value holds the derivative of {root} with respect to it. "
                f"The leaves: {listed_grads}; each says how fast {root} changes when that value is nudged.")
    ex = examples(step)[top]
    who = f"Neuron {called[top]}" + (f" of example {ex}" if ex is not None else "")
    return (f"{who} is done, and what it reads holds its grad: {listed_grads}. The update moves each "
            "weight and bias against its grad.")


class Sources:
    """Where the parts of each grad came from, to name an earlier part the viewer did not see arrive:
    a value shown on screen by its name, a neuron's op by its neuron (and example)."""

    def __init__(self, step, called, shown_events, here):
        self.owner, self.example, self.called = neurons(step), examples(step), called
        self.shown, self.here = shown_events, here
        self.parts = {}  # node -> [event node, ...] that added to its grad, in order

    def add(self, node, event):
        self.parts.setdefault(node, []).append(event)

    def of(self, node, but=None):
        """`h_03 of ex. 1–3`, `h_11, h_21, h_31`, `d`: who gave `node` its grad so far (not `but`)."""
        found = {}
        for e in self.parts.get(node, []):
            if e == but:
                continue
            o = self.owner[e]
            key = self.called[o] if o is not None and e not in self.shown else self.called[e]
            found.setdefault(key, set()).add(self.example[o] if o is not None and e not in self.shown else None)
        words = []
        for key, seen in sorted(found.items()):
            seen.discard(None)
            words.append(f"{key} of ex. {ranges(seen)}" if seen and seen != {self.here} else key)
        return listed(words)


class Truth:
    """What a correct backward() gives on this step's graph (nnanim's rules), to hold a class's own
    recorded pass against: each node's grad when its rule runs, what its rule sends for a given grad, and
    every grad at the end. For nnanim's own Value (events derived by its rules) there is nothing to hold."""

    def __init__(self, step):
        from dataclasses import replace

        self.step = step
        derived = replace(step, recorded=None).backward_events()
        self.grad_when_run = {e.node: e.grad for e in derived}
        final = [float(x) for x in step.grad_before]
        final[step.graph.root] = 1.0  # backward() starts there
        for e in derived:
            for i, amount in zip(e.inputs, e.received):
                final[i] += amount
        self.final = final

    def sends(self, node, grad):
        """What node's rule should send each input (in input order), given the node's grad as it ran."""
        from nnanim.engine.foreign import Node
        from nnanim.engine.value import rule_for

        g, data = self.step.graph, self.step.data
        inputs = [Node() for _ in g.inputs(node)]
        for child, i in zip(inputs, g.inputs(node)):
            child.data = float(data[i])
        out = Node()
        out.prev, out.data, out.grad, out.op = tuple(inputs), float(data[node]), float(grad), g.ops[node]
        return [float(a) for a in rule_for(g.ops[node])(out)]


def close(a, b):
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def backward_beats(step, nodes=None, active=None, top=None, called=None):
    """The beats of a step's backward pass, in the order they ran. With `nodes` (what is drawn) and
    `active` (whose events are shown), a part of the graph: the other events still happen, so every
    number shown is the real one. `top` is the drawn node whose grad arrives from outside (a neuron's
    output): the first beat shows it arriving, with the grads the drawn values already hold and where
    those came from. `called` names the nodes (default: `roles.names`)."""
    g = step.graph
    called = names(step) if called is None else called
    shown = set(range(len(g))) if nodes is None else set(nodes)
    active = shown if active is None else set(active)
    here = examples(step)[top] if top is not None else None
    sources = Sources(step, called, active, here)
    grads = [float(x) for x in step.grad_before]
    root = g.root
    beats, held, held_from = [], None, {}
    events = step.backward_events()
    truth = Truth(step) if step.recorded is not None else None  # a class's own pass: held against the truth
    grads[root] = grads_at_root(step, events, truth)
    runs = {}
    for number_of_event, event in enumerate(events):
        runs[event.node] = runs.get(event.node, 0) + 1
        if event.node in active and held is None:
            held = {i: grads[i] for i in sorted(shown) if grads[i] != 0 and i not in (top, root)}
            held_from = {i: sources.of(i) for i in held}
        received = []
        for i, amount in zip(event.inputs, event.received):  # in input order, as Value.backward adds
            after = grads[i] + amount
            received.append(Received(i, grads[i], amount, after))
            grads[i] = after
        if event.node in active:
            warnings, sent = _wrong(truth, event, received, runs[event.node], called) if truth else ([], None)
            rule = local_rule(g, step.data, event.node, event.grad, event.inputs, sent or event.received, called)
            origins = {r.node: sources.of(r.node, but=event.node) for r in received if r.before != 0}
            for r in received:
                if r.before != 0 and r.node in shown:
                    origin = f" (from {origins[r.node]})" if origins[r.node] else ""
                    rule.append(f"{called[r.node]}.grad = {number(r.before)}{origin} + {factor(r.amount)} "
                                f"= {number(r.after)}")
            note = event_note(g, step.data, event.node, event.grad, received, called, origins)
            if runs[event.node] > 1:  # a class's own backward, recorded as it ran (engine/foreign.py)
                note = (f"{wrapped(called[event.node])}'s backward runs again ({runs[event.node]} times in this "
                        f"pass: the topological sort listed it more than once). {note}")
            if warnings:
                rule += warnings
                note += " Wrong: " + " ".join(w.removeprefix(WARN) for w in warnings)
            beats.append(Beat(event.node, event.op, event.grad, rule, [r for r in received if r.node in shown],
                              note, number_of_event))
        for i in event.inputs:
            sources.add(i, event.node)
    first = _first_beat(step, called, root, top, shown, held or {}, held_from, grads[root] if truth else 1.0)
    beats = ([first] if first else []) + beats
    if truth and not any(WARN in line for b in beats for line in b.rule):
        missing = _wrong_at_the_end(step, truth, grads, called, shown)
        if missing:
            beats.append(Beat(root, "", grads[root], missing, [],
                              "Wrong: " + " ".join(w.removeprefix(WARN) for w in missing)))
    return beats


def grads_at_root(step, events, truth):
    """The root's grad as backward() began: 1, or a class's own that never set it."""
    return events[0].grad if truth and events and events[0].node == step.graph.root else 1.0


def _wrong(truth, event, received, run, called):
    """What is wrong with one recorded event of a class's own backward, as warning lines (and, when its
    rule sent the wrong amounts, what the chain rule sends instead); ([], None) when nothing is."""
    node = event.node
    if run > 1:
        return [f"{WARN}{called[node]}'s backward runs again ({_times(run)} this pass): its inputs get its "
                "gradient again"], None
    should_grad = truth.grad_when_run.get(node)
    if should_grad is not None and not close(event.grad, should_grad):
        return [f"{WARN}{called[node]}.grad is {number(event.grad)} when its backward runs: should be "
                f"{number(should_grad)}"], None
    sent = truth.sends(node, event.grad)
    got, want, first = {}, {}, {}
    for r, amount in zip(received, sent):  # by input: an input there twice (a + a) may get it all at once
        got[r.node] = got.get(r.node, 0.0) + r.amount
        want[r.node] = want.get(r.node, 0.0) + amount
        first.setdefault(r.node, r.before)
    for i in got:
        if not close(got[i], want[i]):
            return [f"{WARN}the class's backward made {called[i]}.grad {number(first[i] + got[i])}: should be "
                    f"{number(first[i] + want[i])}"], sent
    return [], None


def _wrong_at_the_end(step, truth, grads, called, shown):
    """Warning lines for grads that are wrong when backward() is done though no step was (a node whose
    backward never ran)."""
    wrong = [i for i in step.graph.leaf_list if i in shown and not close(grads[i], truth.final[i])]
    return [f"{WARN}backward is done, but {called[i]}.grad is {number(grads[i])}: should be {number(truth.final[i])}"
            for i in wrong[:2]]


def _times(n):
    return {2: "twice"}.get(n, f"{n} times")


def _first_beat(step, called, root, top, shown, held, held_from, root_grad=1.0):
    """∂L/∂L = 1 at the root (marked when a class's own backward began from another grad); or a neuron's
    output arriving from the layers above, with what the drawn values already hold (the other examples'
    or neurons' parts of their grads)."""
    if root in shown:
        o = called[root]
        note = (f"Backward starts at {o}: {d(o)} = 1, so {wrapped(o)}.grad = 1. Every other grad shows ? "
                "until the gradient reaches it.")
        lines = [f"{d(o)} = 1"]
        if not close(root_grad, 1.0):
            warning = f"{WARN}{o}.grad is {number(root_grad)} when backward begins: should be 1"
            lines.append(warning)
            note += " Wrong: " + warning.removeprefix(WARN)
        return Beat(root, "", root_grad, lines, [Received(root, 0.0, root_grad, root_grad)], note)
    if top is None:
        return None
    arrived = float(step.grad[top])
    lines = [f"{d(called[top])} = {number(arrived)}, from the layers above"]
    by_origin = {}
    for i, origin in held_from.items():
        by_origin.setdefault(origin, []).append(called[i])
    for origin, who in by_origin.items():
        verb = "holds" if len(who) == 1 else "hold"
        lines.append(f"{listed(who)} already {verb} grads from {origin}")
    ex = examples(step)[top]
    note = (f"Neuron {called[top]}" + (f" of example {ex}" if ex is not None else "") +
            f": the gradient arrives at its output from the layers above, {d(called[top])} = {number(arrived)}.")
    if by_origin:
        note += " " + "; ".join(lines[1:]) + ": this example's parts will add to them."
    received = [Received(top, 0.0, arrived, arrived)] + [Received(i, 0.0, v, v) for i, v in held.items()]
    return Beat(top, "", arrived, lines, received, note)


def neuron_nodes(step, neuron=None, focus=None):
    """(drawn, active, output) for one neuron of the first example: drawn are its ops, its output and
    what it reads (weights, bias, inputs or the previous layer's outputs); active are its ops, whose
    backward events are shown. `neuron` is (j, l); `focus` a label: its neuron, or the neuron that
    reads it first."""
    g = step.graph
    owner = neurons(step)
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


@dataclass
class Moment:
    key: int  # the box whose gradient passes back
    lines: list  # what is written meanwhile
    stages: tuple  # (edges, edges): the way the gradient travels back, first from the box to its op
    updates: dict  # box key -> its grad afterwards
    focus: list  # the boxes to keep in view: the box and those it passes its gradient to
    note: str = ""  # what the speaker says about it


def moments(beats, drawing):
    """A moment per beat, a value to a box: the rule is written while the gradient travels back."""
    out = []
    for beat in beats:
        stages = drawing.into(beat.node) if beat.op else ([], [])
        updates = {r.node: r.after for r in beat.received if r.node in drawing.boxes}  # a*a: a's last sum
        tails = [t for t, _ in stages[1]]
        out.append(Moment(beat.node, beat.rule, stages, updates, [beat.node, *tails], beat.note))
    return out


def wave(step, beats, drawing):
    """A moment per unit the gradient wave passes through, a neuron (or an example's loss) to a box:
    consecutive beats of the same unit form one moment, captioned with what flows where."""
    g = step.graph
    out = []
    groups = []
    for beat in beats:
        key = drawing.unit.get(beat.node, beat.node)
        if not groups or groups[-1][0] != key:
            groups.append((key, []))
        groups[-1][1].append(beat)
    for key, group in groups:
        stages = drawing.into(key) if key in drawing.boxes else ([], [])
        updates = {r.node: r.after for b in group for r in b.received if r.node in drawing.boxes}
        tails = list(dict.fromkeys(t for t, _ in stages[1]))
        box = drawing.boxes.get(key)
        name = box.name if box else drawing.names[key]
        grad = step.grad[key] if key != g.root else 1.0
        line = f"{d(name)} = {number(grad)}"
        if box and box.example is not None:
            line = f"{name} (example {box.example}): {line}"
        if tails:
            line += f" flows back to {listed(drawing.boxes[t].name for t in tails)}"
        reached = [(drawing.boxes[t].name, updates[t]) for t in tails if t in updates]
        note = _wave_note(key == g.root, name, box, grad, reached)
        out.append(Moment(key, [line], stages, updates, [key, *tails], note))
    return out


def _wave_note(root, name, box, grad, reached):
    """A unit of the wave said in words: its grad, and the grads of the boxes it reaches."""
    arrived = f"{d(name)} = {number(grad)}"
    if root:
        said = f"Backward starts at {name}: {arrived}. Every other grad shows ? until the gradient reaches it."
    elif box is not None and box.example is not None:
        said = (f"Neuron {name} of example {box.example} has {arrived}; inside its box the gradient flows "
                "back through its ops to its weights and bias.")
    else:
        said = f"{name} has {arrived}."
    if reached:
        said += f" It flows on to what {name} was computed from: {grads_listed(reached, MANY)}."
    return said


def wave_closing(step):
    """What the last still of a whole step shows: the gradient has reached every value."""
    g = step.graph
    if step.recorded is not None:
        truth = Truth(step)
        wrong = [i for i in g.leaf_list if not close(float(step.grad[i]), truth.final[i])]
        if wrong:
            return (f"Backward is done, but this Value class's backward is wrong: {len(wrong)} of the "
                    f"{len(g.leaf_list)} inputs do not hold the derivative (nnanim check names the bug).")
    count = len({e for e in examples(step) if e is not None})
    params = sum(1 for i in g.leaf_list if is_parameter(g.labels[i]))
    said = f"Backward through the whole step is done: all {len(g)} values hold their grads."
    if params:
        summed = f" summed over the {count} examples" if count > 1 else ""
        said += f" Each of the {params} weights and biases holds \u2202L/\u2202w{summed}, ready for the update."
    return said
