"""`nnanim check SCRIPT`: does the class's own backward() apply the chain rule?

The script runs with its Value class watched (engine/foreign.py). Every local backward that ran is
compared with what the chain rule gives for the same node on the same graph: nnanim's rule for the op
(engine.value.rule_for) times the node's grad as it ran. Each finding is one line: the first
step and node where it happens, the op, expected and actual values, and the likely cause in plain
words. Exit 0 when everything agrees, 1 when something does not, 2 when the script itself fails.

An op nnanim has no rule for, made by a method of the class with no argument (`x.sigmoid()`, with op
"sigmoid"), is checked against a central finite difference of that method; another (its forward cannot
be run again from the graph) is named, not judged.
"""

import math
from dataclasses import dataclass, field
from pathlib import Path

from nnanim.engine import foreign
from nnanim.engine.numbers import number
import nnanim.engine.value as value_module
from nnanim.engine.value import exponent, op_arity, rule_for
from nnanim.runs import RunError, run_script

TOLERANCE = 1e-6  # relative, with an absolute floor of the same size


@dataclass
class Finding:
    kind: str  # what went wrong, as a key: "repeated", "rule", "not reset"
    step: int
    text: str


@dataclass
class Report:
    steps: int = 0
    nnanim_steps: int = 0  # backward() calls of nnanim's own Value (nothing of the script's own to check)
    notes: list = field(default_factory=list)  # what could not be judged: said, but not a finding
    unjudged: list = field(default_factory=list)
    seen_data: dict = field(default_factory=dict)  # a leaf (by identity; they live on) -> its data at its last pass
    findings: list = field(default_factory=list)
    seen: set = field(default_factory=set)  # (kind, node name/op) reported once

    def add(self, kind, key, step, text):
        if (kind, key) not in self.seen:
            self.seen.add((kind, key))
            self.findings.append(Finding(kind, step, text))


class _Counter:
    """Stands where a recorder would, to count backward() calls of nnanim's own Value."""

    steps = 0

    def before_backward(self, root, topo):
        pass

    def after_backward(self, root, topo, events=None):
        self.steps += 1


MAX_NAME = 40  # characters of a node's name in a finding


def short_name(run, k):
    """A node as the student would name it: its label, else the expression that made it (`(2·−3 + 10)`),
    a leaf by its number."""
    if run.labels[k]:
        return run.labels[k]
    name = _expression(run, k, depth=3)
    return name if len(name) <= MAX_NAME else name[:MAX_NAME - 1] + "…"


def _expression(run, k, depth):
    inputs, op = run.inputs[k], run.engine_op(k)
    if not inputs:
        return run.labels[k] or number(float(run.data[k]))
    if depth == 0:
        return "…"
    parts = [run.labels[i] or _expression(run, i, depth - 1) for i in inputs]
    if op in ("+", "*") and len(parts) == 2:
        return f"({parts[0]} {'+' if op == '+' else '·'} {parts[1]})"
    if isinstance(op, str) and op.startswith("**"):
        return f"{parts[0]}^{op[2:]}"
    return f"{op}({', '.join(parts)})"


def name_of(run, k):
    """"node e (+)": a node, with the op that made it."""
    return f"node {short_name(run, k)} ({run.ops[k]})" if run.ops[k] else f"node {short_name(run, k)}"


def _close(a, b):
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def expected_amounts(run, k, grad):
    """What the chain rule sends from node k to each input (by index, summed for a repeated input), given
    the node's grad; for an op with no rule, a finite difference or why it cannot be judged (a string)."""
    op = run.engine_op(k)
    if not isinstance(op, str) or op_arity(op) is None:
        return _finite_difference(run, k, grad)
    nodes = {}
    for i in run.inputs[k]:
        node = nodes.setdefault(i, foreign.Node())
        node.data = float(run.data[i])
    out = foreign.Node()
    inputs = list(run.inputs[k])
    if len(inputs) == 1 and op in ("+", "*"):
        inputs = inputs * 2  # a set holds a*a's input once
    out.prev = tuple(nodes[i] for i in inputs)
    out.data, out.grad, out.op = float(run.data[k]), float(grad), op
    rule = rule_for(op)
    amounts = {}
    for i, amount in zip(inputs, rule(out)):
        amounts[i] = amounts.get(i, 0.0) + float(amount)
    return amounts


STEP = 1e-6  # of the finite difference, relative to the input (at least this much absolute)


BINARY = ("__sub__", "__truediv__", "__rsub__", "__rtruediv__", "__pow__", "__add__", "__mul__", "__radd__", "__rmul__")


def _finite_difference(run, k, grad):
    """For an op nnanim has no rule for, made by a method of the class with no argument (x.sigmoid()) or
    by one taking an operand (its own __sub__, __truediv__): the slope of that method at each input, by a
    central difference through nudged copies, times the node's grad. Otherwise why it cannot be judged,
    as a string (its forward cannot be run again from the graph; a kink)."""
    node, inputs = run.nodes[k], run.inputs[k]
    cannot = ("nnanim has no rule for it and cannot run it again with a nudged input (it is not a method of "
              "the class taking no argument or one operand)")
    if len(inputs) == 2:
        return _binary_difference(run, k, grad) or cannot
    if len(inputs) != 1 or not isinstance(run.ops[k], str):
        return cannot
    method = getattr(type(node), run.ops[k], None)
    if not callable(method):
        return cannot
    x = float(run.data[inputs[0]])
    h = STEP * max(1.0, abs(x))
    data = run.shape.data if run.shape else "data"
    try:
        ahead, here, behind = (float(getattr(method(type(node)(x + d)), data)) for d in (h, 0.0, -h))
    except Exception:  # the class's own code: a method that needs more than a number is not judged
        return cannot
    right, left = (ahead - here) / h, (here - behind) / h
    if not math.isclose(right, left, rel_tol=1e-3, abs_tol=1e-3):
        return (f"its slope from the left and from the right differ at {number(x)} (a kink), so either is a "
                "fair local gradient")
    return {inputs[0]: (ahead - behind) / (2 * h) * float(grad)}


def _binary_difference(run, k, grad):
    """The amounts a two-operand method of the class (found as the one that makes node k's data and op
    again from copies of its inputs) should pass on, by central differences; None if no method does."""
    cls, (i, j) = type(run.nodes[k]), run.inputs[k]
    data = run.shape.data if run.shape else "data"
    x, y = float(run.data[i]), float(run.data[j])

    def made(method, u, v):
        out = method(cls(u), cls(v))
        return float(getattr(out, data)), getattr(out, run.shape.op, None) if run.shape and run.shape.op else None

    for name in BINARY:
        method = getattr(cls, name, None)
        if not callable(method):
            continue
        try:
            value, op = made(method, x, y)
            if not _close(value, float(run.data[k])) or op != run.ops[k]:
                continue
            hx, hy = STEP * max(1.0, abs(x)), STEP * max(1.0, abs(y))
            dx = (made(method, x + hx, y)[0] - made(method, x - hx, y)[0]) / (2 * hx)
            dy = (made(method, x, y + hy)[0] - made(method, x, y - hy)[0]) / (2 * hy)
        except Exception:  # noqa: BLE001 -- the class's own code; not this method
            continue
        if i == j:
            return {i: (dx + dy) * float(grad)}
        return {i: dx * float(grad), j: dy * float(grad)}
    return None


def check_pass(report, step, run):
    """Compare one backward() with the chain rule; findings go into report."""
    report.steps = max(report.steps, step + 1)
    runs = {}
    for event in run.events:
        runs[event.node] = runs.get(event.node, 0) + 1
    repeated = sorted(((count, k) for k, count in runs.items() if count > 1 and run.inputs[k]), reverse=True)
    if repeated:
        count, k = repeated[0]
        more = f"; {len(repeated) - 1} more nodes ran more than once" if len(repeated) > 1 else ""
        report.add("repeated", "", step,
                   f"step {step}, {name_of(run, k)}: its backward ran {count} times in one backward pass{more} "
                   "(the topological sort appends a node each time it is reached: append only when a node is "
                   "first visited)")
    # A parameter updated since the last pass whose grad was not set back to 0 (an input reused as it was,
    # or grads accumulated over several backward() calls before one update, is not a finding).
    leaves = [k for k, inputs in enumerate(run.inputs) if not inputs]
    updated = [k for k in leaves if run.grad_before[k] != 0 and id(run.nodes[k]) in report.seen_data
               and report.seen_data[id(run.nodes[k])] != run.data[k]]
    if updated:
        k = updated[0]
        report.add("not reset", "", step,
                   f"step {step}: grads were not reset between steps: {name_of(run, k)} was updated since the "
                   f"last backward, but its grad was still {number(run.grad_before[k])} (set p.grad = 0 for every "
                   "parameter before calling backward)")
    report.seen_data.update((id(run.nodes[k]), run.data[k]) for k in leaves)
    before = len(report.findings)
    for event in run.events:
        k = event.node
        if not run.inputs[k]:
            continue
        expected = expected_amounts(run, k, event.grad)
        if isinstance(expected, str):
            if (run.ops[k], expected) not in report.unjudged:
                report.unjudged.append((run.ops[k], expected))
                report.notes.append(f"not checked: step {step}, {name_of(run, k)}: {expected}")
            continue
        for i, want in expected.items():
            got = event.added.get(i, 0.0)
            if _close(got, want):
                continue
            report.add("rule", name_of(run, k), step, _rule_finding(run, step, k, i, want, got, event))
            break
    check_whole_pass(report, step, run, explained=len(report.findings) > before, at=before)


def true_grads(run):
    """What each node's grad should hold after this backward(): what it held before, plus the chain rule's
    derivative of the root, computed by nnanim's rules on the graph as it was built (None when an op has
    no rule nnanim knows)."""
    if any(run.inputs[k] and op_arity(run.engine_op(k)) is None for k in range(len(run.inputs))):
        return None
    nodes = foreign.adapted_nodes(run.inputs, [run.engine_op(k) for k in range(len(run.inputs))], run.labels,
                                  run.data, [0.0] * len(run.inputs), range(len(run.inputs)))
    index = {id(n): k for k, n in enumerate(nodes)}
    nodes[run.root].grad = 1.0
    for node in reversed(nodes[:run.root + 1]):  # creation order is a topological order
        if node.prev:
            for child, amount in zip(node.prev, rule_for(node.op)(node)):
                child.grad += float(amount)
    return [float(run.grad_before[index[id(n)]]) + n.grad for n in nodes]


def check_whole_pass(report, step, run, explained=False, at=None):
    """After the class's backward(): does every leaf hold the derivative of the root? The first leaf that
    does not is a finding, with the classic bug that explains it when one does (said first, at `at`); a
    wrong leaf that a local rule's finding of this pass already `explained` is not said again."""
    truth = true_grads(run)
    if truth is None:
        return
    leaves = [k for k, inputs in enumerate(run.inputs) if not inputs and _reaches(run, k)]
    wrong = [k for k in leaves if not _close(float(run.grad_after[k]), truth[k])]
    if not wrong:
        return
    k = wrong[0]
    kind, cause = _classic_bug(run)
    if cause is None and explained:
        return
    report.add(kind, "", step,
               f"step {step}: after backward(), {short_name(run, k)}.grad is {number(float(run.grad_after[k]))}; "
               f"the chain rule gives {number(truth[k])}" + (f": {cause}" if cause else ""))
    if cause and at is not None and report.findings[-1].kind == kind:
        report.findings.insert(at, report.findings.pop())


def _reaches(run, k):
    """Whether the root depends on node k (a leaf of another graph held in the same list does not)."""
    return k <= run.root


def _classic_bug(run):
    """(kind, cause) for the bugs that starve a graph of gradient, read from the order the rules ran in;
    ("whole pass", None) when none of them explains it."""
    ran = [e.node for e in run.events if run.inputs[e.node]]
    inner = [k for k in range(len(run.inputs)) if run.inputs[k] and k <= run.root]
    root_event = next((e for e in run.events if e.node == run.root), None)
    if ran and set(ran) == {run.root} and len(inner) > 1:
        return "only root", ("only the root's backward ran: nothing called the other nodes' (build a topological "
                             "order and call every node's backward, from the output back)")
    if root_event is not None and not _close(root_event.grad, 1.0) and _close(root_event.grad, run.grad_before[run.root]):
        return "root not 1", (f"the root's grad was {number(root_event.grad)} when its backward ran: it was never "
                              "set to 1 (self.grad = 1 before the loop)")
    if len(set(ran)) > 1 and ran == sorted(ran) and ran[-1] == run.root:
        return "not reversed", ("the nodes' backward ran inputs first, the output last: the topological order was "
                                "not reversed (for node in reversed(topo))")
    return "whole pass", None


def _rule_finding(run, step, k, i, want, got, event):
    where = f"step {step}, {name_of(run, k)}"
    values = f"{short_name(run, i)}.grad should get {number(want)}, got {number(got)}"
    op = run.engine_op(k)
    t, g = float(run.data[k]), float(event.grad)
    x = float(run.data[i])
    others = [float(run.data[j]) for j in run.inputs[k] if j != i]
    if op == "tanh" and _close(got, (1 - t) * g):
        cause = "the local gradient looks like (1 − t)·out.grad; the chain rule gives (1 − t²)·out.grad"
    elif op == "*" and others and not _close(x, others[0]) and _close(got, x * g):
        cause = "× passes an input its own data; the chain rule passes it the other input's (other.data·out.grad)"
    elif isinstance(op, str) and op.startswith("**") and (x > 0 or float(exponent(op)).is_integer()) \
            and _close(got, exponent(op) * x ** exponent(op) * g):
        cause = "the exponent is not reduced: the local gradient of x**n is n·x**(n−1)"
    elif op == "exp" and _close(got, g) and not _close(t, 1.0):
        cause = "exp's local gradient is its own output: out.data·out.grad"
    elif op == "relu" and x <= 0 and not _close(got, 0.0):
        cause = "relu passes gradient only where its input was positive (its input was " + number(x) + ")"
    elif _close(got, want / event.grad if event.grad else want) and not _close(event.grad, 1.0):
        cause = "the local gradient is not multiplied by out.grad (the chain rule multiplies them)"
    elif _close(got + run_grad_before_event(run, event, i), want) and not _close(got, want):
        cause = "grad assigned (=) instead of accumulated (+=)"
    elif _close(got, -want):
        cause = "the sign is flipped"
    else:
        cause = f"the local rule of {op} does not give the chain rule's value"
    return f"{where}: {values}: {cause}"


def run_grad_before_event(run, event, i):
    """The input's grad just before this event added to it: what an `=` throws away."""
    total = float(run.grad_before[i])
    for other in run.events:
        if other is event:
            break
        total += other.added.get(i, 0.0)
    return total


def check_script(path, value=None):
    """Run the script and check every backward() of its own Value class (or of `value`, "module:Class");
    returns a Report (RunError if the script fails)."""
    report = Report()
    steps = iter(range(10**9))
    own = _Counter()
    outer, value_module._recorder = value_module._recorder, own  # nnanim's own Value tells its recorder
    try:
        run_script(path, lambda run: check_pass(report, next(steps), run), value)
    finally:
        value_module._recorder = outer
    report.nnanim_steps = own.steps
    if report.steps == 0 and own.steps == 0:
        raise RunError(f"{Path(path).name} ran, but no backward() of a Value class of its own ran: nothing to "
                       "check (nnanim finds a class with backward(), data, grad, its inputs and a local "
                       "backward rule)")
    return report
