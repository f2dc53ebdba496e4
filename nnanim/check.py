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
from nnanim.engine.value import op_arity, rule_for
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


def short_name(run, k):
    """A node as the class named it (its label), or by its number."""
    return run.labels[k] or f"#{k}"


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


def _finite_difference(run, k, grad):
    """For an op nnanim has no rule for, made by a method of the class with no argument (x.sigmoid()):
    the slope of that method at the input, by a central difference, times the node's grad. Otherwise why
    it cannot be judged, as a string (its forward cannot be run again from the graph; a kink)."""
    node, inputs = run.nodes[k], run.inputs[k]
    cannot = ("nnanim has no rule for it and cannot run it again with a nudged input (it is not a method of "
              "the class taking no argument)")
    if len(inputs) != 1 or not isinstance(run.ops[k], str):
        return cannot
    method = getattr(type(node), run.ops[k], None)
    if not callable(method):
        return cannot
    x = float(run.data[inputs[0]])
    h = STEP * max(1.0, abs(x))
    try:
        ahead, here, behind = (float(method(type(node)(x + d)).data) for d in (h, 0.0, -h))
    except Exception:  # the class's own code: a method that needs more than a number is not judged
        return cannot
    right, left = (ahead - here) / h, (here - behind) / h
    if not math.isclose(right, left, rel_tol=1e-3, abs_tol=1e-3):
        return (f"its slope from the left and from the right differ at {number(x)} (a kink), so either is a "
                "fair local gradient")
    return {inputs[0]: (ahead - behind) / (2 * h) * float(grad)}


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


def _rule_finding(run, step, k, i, want, got, event):
    where = f"step {step}, {name_of(run, k)}"
    values = f"{short_name(run, i)}.grad should get {number(want)}, got {number(got)}"
    op = run.engine_op(k)
    t = float(run.data[k])
    if op == "tanh" and _close(got, (1 - t) * event.grad):
        cause = "the local gradient looks like (1 − t)·out.grad; the chain rule gives (1 − t²)·out.grad"
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
