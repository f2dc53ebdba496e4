import numpy as np
import pytest

from engine import MLP, Value, record
from engine.training import record_run
from scenes.network_plan import layer_values


def test_first_layer_values_are_the_trace_numbers():
    trace = record_run(steps=4)
    step = trace.step(3)
    values, _ = trace.parameter_series()
    params = dict(zip(trace.parameters, values[3]))
    layer = layer_values(step, 0)
    assert layer.inputs == [("x", 1.0), ("y", 2.0), ("z", 3.0)]
    for n in layer.neurons:
        assert all(params[label] == w for label, w in n.weights)
        assert params[n.bias[0]] == n.bias[1]
        assert n.products == [w * x for (_, w), (_, x) in zip(n.weights, layer.inputs)]
        assert n.output[1] == float(np.tanh(n.sum))


def test_the_same_numbers_as_a_fresh_forward_pass():
    trace = record_run(steps=1)
    mlp = MLP(3, [2, 4, 4, 2], seed=42)
    hidden = mlp.ls[0]([1, 2, 3])
    assert [n.output[1] for n in layer_values(trace.step(0), 0).neurons] == [h.data for h in hidden]
    last = layer_values(trace.step(0), 3)
    assert [n.output[1] for n in last.neurons] == [o.data for o in mlp([1, 2, 3])]


def test_a_trace_without_an_mlp_is_refused():
    with record() as trace:
        (Value(2.0, label="a") * 3).backward()
    with pytest.raises(LookupError, match="no layer 0 of an MLP"):
        layer_values(trace.step(0), 0)
