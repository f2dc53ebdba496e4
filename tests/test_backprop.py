import math

import pytest

from nnanim.engine import MLP, record, train
from nnanim.engine.graph import workshop_expression
from nnanim.engine.trace import Step
from nnanim.engine.training import record_run
from nnanim.scenes.backprop_plan import backward_beats, neuron_nodes
from nnanim.scenes.gradient_rules import EXAMPLES, worked


def test_beats_replay_the_trace_backward_events_in_order():
    mlp = MLP(2, [2, 1], seed=4)
    with record() as trace:
        train(mlp, [[1.0, -2.0], [0.5, 0.5]], [[1.0], [-1.0]], steps=2)
    step = trace.step(1)
    beats = backward_beats(step)
    events = step.backward_events()
    assert beats[0].node == step.graph.root and beats[0].received[0].after == 1.0
    assert [b.node for b in beats[1:]] == [e.node for e in events]
    for beat, event in zip(beats[1:], events):
        assert [(r.node, r.amount) for r in beat.received] == list(zip(event.inputs, event.received))
        assert {r.node: r.after for r in beat.received} == dict(zip(event.inputs, event.grads))
        assert all(r.after == r.before + r.amount for r in beat.received)
    final = {r.node: r.after for b in beats for r in b.received}
    assert all(final[i] == step.grad[i] for i in final)


def test_workshop_expression_values():
    step = Step.of(workshop_expression())
    beats = backward_beats(step)
    final = {step.graph.labels[r.node]: r.after for b in beats for r in b.received}
    assert final == {"L": 1, "e": -2, "f": 4, "d": -2, "c": -2, "a": 6, "b": -4}
    assert beats[3].rule == ["\u2202L/\u2202a = \u2202L/\u2202d \u00b7 b = (\u22122) \u00b7 (\u22123) = 6",
                             "\u2202L/\u2202b = \u2202L/\u2202d \u00b7 a = (\u22122) \u00b7 2 = \u22124"]


def test_accumulation_from_two_paths_is_written_out():
    from nnanim.engine import Value
    a = Value(3.0, label="a")
    with record() as trace:
        b = a * a
        b.label = "b"
        b.backward()
    beats = backward_beats(trace.step(0))
    assert [(r.before, r.amount, r.after) for r in beats[-1].received] == [(0, 3, 3), (3, 3, 6)]
    assert beats[-1].rule[-1] == "a.grad = 3 + 3 = 6"


def test_one_neuron_of_the_default_run():
    trace = record_run(steps=2)
    step = trace.step(1)
    drawn, active, top = neuron_nodes(step, neuron=(0, 1))
    g = step.graph
    assert g.labels[top] == "h_01" and top in drawn and top in active
    assert {"w_001", "w_101", "b_01", "h_00", "h_10"} <= {g.labels[i] for i in drawn}
    assert top < 200, "the first example's neuron"
    beats = backward_beats(step, drawn, active, top)
    assert beats[0].node == top and beats[0].grad == step.grad[top]
    assert [b.node for b in beats[1:]] == sorted(active, reverse=True)
    assert neuron_nodes(step, focus="w_101")[2] == top
    with pytest.raises(LookupError, match="no neuron 9,9"):
        neuron_nodes(step, neuron=(9, 9))
    with pytest.raises(LookupError, match="labelled"):
        neuron_nodes(step, focus="nope")


def test_gradient_rules_follow_the_textbook():
    got = {ex.title.split()[0]: worked(ex) for ex in EXAMPLES}
    g = 2.0
    assert got["+"][1] == (g, g)
    assert got["\u00d7"][1] == (g * -3.0, g * 2.0)
    assert got["tanh"][1][0] == pytest.approx(g * (1 - math.tanh(0.5) ** 2))
    assert got["**n"][1] == (g * 2 * 3.0,)
    assert got["exp"][1][0] == pytest.approx(g * math.e)
    assert got["relu"][1] == (0.0,)
