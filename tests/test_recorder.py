import numpy as np
import pytest

from nnanim.engine import MLP, Value, record, sse, train
from nnanim.engine.steps import Step
from nnanim.engine.training import WORKSHOP_INPUTS, WORKSHOP_TARGETS


def workshop_style_loop(mlp, steps):
    """The slides' main.py loop, untouched: plain numbers in, p.grad = 0, p.data += lr * (-p.grad)."""
    losses = []
    for _ in range(steps):
        pos = [mlp(i) for i in WORKSHOP_INPUTS]
        loss = sum([sse(po, gto) for po, gto in zip(pos, WORKSHOP_TARGETS)])
        losses.append(loss.data)
        for p in mlp.ps():
            p.grad = 0
        loss.backward()
        lr = 0.01
        for p in mlp.ps():
            p.data += lr * (-p.grad)
    return losses


def test_hand_written_loop_is_recorded_without_changes():
    mlp = MLP(3, [2, 4, 4, 2], seed=42)
    history = [[p.data for p in mlp.ps()]]
    with record() as trace:
        losses = []
        for _ in range(4):
            losses += workshop_style_loop(mlp, 1)
            history.append([p.data for p in mlp.ps()])
    assert trace.num_steps == 4
    assert trace.losses.tolist() == losses
    assert trace.parameters == [p.label for p in mlp.ps()]
    values, grads = trace.parameter_series()
    assert values.tolist() == history
    step = trace.step(1)
    assert [(u.label, u.old, u.new) for u in step.updates] == [
        (p.label, old, new) for p, old, new in zip(mlp.ps(), history[1], history[2])]
    assert all(u.new == u.old + 0.01 * (-u.grad) for u in step.updates)
    assert all(u.reset for u in trace.step(0).updates if u.grad != 0)


def test_nothing_is_recorded_outside_the_context():
    mlp = MLP(2, [2, 1], seed=1)
    train(mlp, [[1, 2]], [[0.5]], steps=2)
    with record() as trace:
        train(mlp, [[1, 2]], [[0.5]], steps=3)
    train(mlp, [[1, 2]], [[0.5]], steps=2)
    assert trace.num_steps == 3


def test_trace_equals_the_run():
    mlp = MLP(3, [2, 4, 4, 2], seed=42)
    with record() as trace:
        losses = train(mlp, WORKSHOP_INPUTS, WORKSHOP_TARGETS, steps=20)
    assert trace.losses.tolist() == losses
    values, _ = trace.parameter_series()
    assert values[-1].tolist() == [p.data for p in mlp.ps()]
    assert len(trace.graphs) == 1, "a training loop repeats one graph: it is stored once"


def test_backward_events_replay_the_engine_exactly():
    mlp = MLP(3, [2, 2], seed=3)
    with record() as trace:
        train(mlp, WORKSHOP_INPUTS[:2], [[1, -1], [0, 1]], steps=3)
    step = trace.step(2)
    events = step.backward_events()
    assert [e.node for e in events] == sorted((i for i in range(len(step.graph)) if step.graph.arity[i]),
                                             reverse=True)
    final = step.grad_before.copy()
    final[step.graph.root] = 1.0
    for e in events:
        assert e.grad == final[e.node]
        for j, got in zip(e.inputs, e.received):
            final[j] += got
        assert tuple(final[j] for j in e.inputs) == e.grads
    assert final.tolist() == step.grad.tolist()


def test_workshop_expression_events():
    a, b, c, f = (Value(v, label=n) for v, n in [(2, "a"), (-3, "b"), (10, "c"), (-2, "f")])
    with record() as trace:
        d = a * b
        e = d + c
        L = e * f
        L.backward()
    step = trace.step(0)
    assert [ev.label for ev in step.forward_events()] == ["a", "b", "c", "f", "", "", ""]
    events = step.backward_events()
    assert [(ev.op, ev.received) for ev in events] == [("*", (-2.0, 4.0)), ("+", (-2.0, -2.0)),
                                                       ("*", (6.0, -4.0))]


def test_gradient_accumulation_without_reset_is_visible():
    w = Value(0.5, label="w")
    with record() as trace:
        for _ in range(3):
            (w * 2.0).backward()
    step0, step1 = trace.step(0), trace.step(1)
    leaf = step1.graph.leaf_list[0]
    assert step1.grad_before[leaf] == 2.0 and step1.grad[leaf] == 4.0
    assert not any(u.reset for u in step0.updates)


def test_diverging_run_is_recorded_with_its_first_bad_step():
    mlp = MLP(1, [1], seed=0, activation="linear")
    with np.errstate(all="ignore"), record() as trace:
        train(mlp, [[100.0]], [[1.0]], steps=40, lr=10.0)
    bad = trace.first_bad_step()
    assert bad is not None and 0 < bad < 40
    assert not np.isfinite(trace.losses[-1])


def test_step_of_live_values_and_out_of_range():
    step = Step.of(Value(2.0, label="a") * 3)
    assert step.loss == 6.0 and len(step.graph) == 3
    mlp = MLP(2, [1], seed=0)
    with record() as trace:
        train(mlp, [[1, 2]], [[1]], steps=2)
    assert trace.step(-1).index == 1
    with pytest.raises(Exception, match="out of range"):
        trace.step(2)
