"""A class's own Value watched as it runs (engine/foreign.py): recognised by its shape, its inputs in
creation order, its backward recorded as it really ran (every local rule, in order, what it added)."""

import math
from pathlib import Path

import pytest

from nnanim.engine.foreign import NotAValue, shape_of, watching

LECTURE = (Path(__file__).parent / "lecture_value.py").read_text()


def graph_nodes(root):
    from nnanim.engine.foreign import graph_of
    return graph_of(root, shape_of(root))


def defined(source):
    """Run `source` as a student's module would be (inside `watching`, its classes are watched)."""
    namespace = {"__name__": "student"}
    exec(compile(source, "student.py", "exec"), namespace)
    return namespace


def test_the_lecture_value_is_recognised_and_its_backward_recorded():
    passes = []
    with watching(passes.append):
        Value = defined(LECTURE)["Value"]
        a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        c = Value(10.0, label="c")
        e = a * b
        e.label = "e"
        d = e + c
        d.label = "d"
        out = d.tanh()
        out.backward()
        after = [n.grad for n in graph_nodes(out)]
    out.backward()  # outside the watch: the class's own backward, not recorded
    assert len(passes) == 1
    (run,) = passes
    assert shape_of(out).inputs == "_prev" and shape_of(out).unordered
    assert [run.labels[k] for k in range(len(run.nodes))] == ["a", "b", "c", "e", "d", ""], "creation order"
    assert run.inputs[run.labels.index("e")] == [0, 1], "a set's inputs in creation order: a before b"
    assert run.ops[-1] == "tanh" and run.root == len(run.nodes) - 1
    ran = [run.labels[ev.node] or run.ops[ev.node] for ev in run.events]
    assert ran[:3] == ["tanh", "d", "e"] or ran[:3] == ["tanh", "d", "c"], ran
    assert len(run.events) == len(run.nodes), "each node's rule ran once (leaves' no-op rules too)"
    tanh_event = run.events[0]
    assert tanh_event.added[4] == pytest.approx(1 - math.tanh(4.0) ** 2)
    assert run.grad_after == after and run.grad_before == [0.0] * 6
    assert after[0] == pytest.approx(-3 * (1 - math.tanh(4.0) ** 2)), "the class's own backward ran"
    assert "_backward" in vars(out) and out._backward.__name__ == "_backward", "its rules are put back"


def test_the_workshops_topological_sort_runs_a_node_as_often_as_it_is_reached():
    import workshop_reference

    passes = []
    with watching(passes.append):
        Value = defined(open(workshop_reference.__file__).read())["Value"]
        a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
        d = a * b
        e = d + c
        L = e * d  # d reached twice: through e, and directly
        L.backward()
    (run,) = passes
    runs = {}
    for ev in run.events:
        runs[ev.node] = runs.get(ev.node, 0) + 1
    assert runs[run.nodes.index(d)] == 2, "the slides' build_topo appends d each time it is reached: its rule runs twice"
    assert runs[run.nodes.index(e)] == 1
    assert sum(runs.values()) == len(run.events) > len(run.nodes)
    assert run.grad_after[run.nodes.index(a)] == a.grad, "recorded as it ran, bug included"


def test_micrograd_is_watched_when_imported_inside(tmp_path):
    micrograd = pytest.importorskip("micrograd")
    import importlib
    import sys

    passes = []
    for name in [m for m in sys.modules if m.startswith("micrograd")]:
        del sys.modules[name]
    with watching(passes.append):
        engine = importlib.import_module("micrograd.engine")
        x = engine.Value(-4.0)
        z = 2 * x + 2 + x
        q = z.relu() + z * x
        h = (z * z).relu()
        y = h + q + q * x
        y.backward()
    assert micrograd and len(passes) == 1
    run = passes[0]
    assert set(run.ops) >= {"+", "*", "ReLU", ""}
    assert x.grad == pytest.approx(46.0), "micrograd's own answer"
    assert run.grad_after[run.nodes.index(x)] == pytest.approx(46.0)
    assert len(run.events) == len(run.nodes), "micrograd's sort visits each node once"


def test_a_buggy_rule_is_recorded_as_it_ran():
    buggy = LECTURE.replace("self.grad += (1 - t**2) * out.grad", "self.grad += (1 - t) * out.grad")
    passes = []
    with watching(passes.append):
        Value = defined(buggy)["Value"]
        x = Value(0.5)
        y = x.tanh()
        y.backward()
    t = math.tanh(0.5)
    event = next(ev for ev in passes[0].events if passes[0].ops[ev.node] == "tanh")
    assert event.added == {0: pytest.approx(1 - t)}, "what the student's rule added, not the right answer"


def test_what_is_not_a_value_is_named():
    class Half:
        data, grad = 1.0, 0.0

        def backward(self):
            pass

    with pytest.raises(NotAValue, match="no its inputs .* no a local backward rule"):
        shape_of(Half())


def test_a_class_that_only_looks_like_a_value_is_left_alone():
    passes = []
    with watching(passes.append):
        Tensor = defined("""
class Tensor:
    def __init__(self, data):
        self.data, self.grad, self.ran = data, None, False
    def __add__(self, other):
        return Tensor(self.data + other.data)
    def backward(self):
        self.ran = True
""")["Tensor"]
        t = Tensor(1.0) + Tensor(2.0)
        t.backward()
    assert t.ran and passes == [], "its own backward ran; nothing was recorded, nothing raised"
