import numpy as np
import pytest

from nnanim.engine import MLP, Value, record
from nnanim.engine.training import record_run
from nnanim.scenes.network_plan import layer_values


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


def test_forward_from_parameters_is_the_engine_bit_for_bit():
    from nnanim.engine import MLP, train
    from nnanim.engine.training import WORKSHOP_INPUTS, WORKSHOP_TARGETS
    from nnanim.scenes.network_plan import forward, weights_at

    trace = record_run(steps=6, level="params")
    mlp = MLP(3, [2, 4, 4, 2], seed=42)
    train(mlp, WORKSHOP_INPUTS, WORKSHOP_TARGETS, steps=5)
    outputs = forward(weights_at(trace, 5), WORKSHOP_INPUTS)[-1]
    assert outputs.tolist() == [[o.data for o in mlp(x)] for x in WORKSHOP_INPUTS]


def test_sampled_steps_cover_the_run_and_favour_the_start():
    from nnanim.scenes.network_plan import sampled_steps

    steps = sampled_steps(1000, 360)
    assert steps[0] == 0 and steps[-1] == 999 and steps == sorted(steps)
    assert steps[90] < 1000 / 8, "the first quarter of the clip shows the first steps"
    assert sampled_steps(1, 5) == [0] * 5


def test_toy_data_sets_are_seeded_and_labelled():
    from nnanim.engine.datasets import DATASETS, make

    for name in DATASETS:
        inputs, targets = make(name)
        assert len(inputs) == len(targets) == 60 and all(len(x) == 2 for x in inputs)
        assert {t[0] for t in targets} == {1.0, -1.0}
        assert make(name) == (inputs, targets)


def test_heatmap_points_are_the_engines_forward_pass():
    from nnanim.engine import MLP
    from nnanim.scenes.network_plan import forward, weights_at

    trace = record_run(steps=1, level="params")
    mlp = MLP(3, [2, 4, 4, 2], seed=42)
    points = [[-2.0, 2.0, 3.0], [0.5, -1.25, 3.0], [1.9, 0.1, 3.0]]
    layers = forward(weights_at(trace, 0), points)
    for p, row0, row_last in zip(points, layers[0], layers[-1]):
        assert row0.tolist() == [h.data for h in mlp.ls[0](p)]
        assert row_last.tolist() == [o.data for o in mlp(p)]


def _students_trace():
    """A student's own script: no header data, inputs labelled by the student."""
    mlp = MLP(2, [3, 1], seed=3)
    with record() as trace:
        for _ in range(2):
            xs = [Value(0.5, label="temperature_in_celsius_at_noon"), Value(-1.0, label="}{\\input{x}%$#_^")]
            loss = (mlp(xs)[0] - 1.0) ** 2
            for p in mlp.ps():
                p.grad = 0.0
            loss.backward()
            for p in mlp.ps():
                p.data -= 0.05 * p.grad
    return trace


def test_input_names_come_from_the_header_or_the_graph():
    from nnanim.scenes.network_plan import input_names

    assert input_names(record_run(steps=1)) == ["x", "y", "z"]
    assert input_names(_students_trace()) == ["temperature_in_celsius_at_noon", "}{\\input{x}%$#_^"]


def test_an_example_from_the_header_or_from_the_first_graph():
    from nnanim.engine.training import WORKSHOP_INPUTS, WORKSHOP_TARGETS
    from nnanim.scenes.network_plan import example

    inputs, targets = example(record_run(steps=1), 2)
    assert inputs.tolist() == WORKSHOP_INPUTS[2] and targets.tolist() == WORKSHOP_TARGETS[2]
    with pytest.raises(ValueError, match="--example 4 does not exist: the trace's data has 4 examples"):
        example(record_run(steps=1), 4)
    inputs, targets = example(_students_trace(), 0)
    assert inputs.tolist() == [0.5, -1.0] and targets is None
    with pytest.raises(ValueError, match="only the first example"):
        example(_students_trace(), 1)


def test_forward_shows_the_engines_values_for_an_example_at_a_step():
    from nnanim.engine import train
    from nnanim.engine.training import WORKSHOP_INPUTS, WORKSHOP_TARGETS
    from nnanim.scenes.network_plan import example, forward, weights_at

    trace = record_run(steps=4, level="params")
    mlp = MLP(3, [2, 4, 4, 2], seed=42)
    train(mlp, WORKSHOP_INPUTS, WORKSHOP_TARGETS, steps=3)
    inputs, _ = example(trace, 1)
    shown = forward(weights_at(trace, 3), [inputs])
    x = [Value(v) for v in WORKSHOP_INPUTS[1]]
    for layer, out in zip(mlp.ls, shown):
        x = layer(x)
        assert out[0].tolist() == [h.data for h in x]


def test_the_speaker_s_numbers_of_a_layer():
    from nnanim.scenes.network_plan import counted, listed, weight_range

    assert listed([0.99634, -0.5]) == "0.9963, \u22120.5" and listed(range(8)) == "0, 1, 2, 3, \u2026, 7"
    layers = [(np.array([[0.5, -2.0], [1.0, 0.25]]), np.zeros(2)), (np.array([[3.0]]), np.zeros(1))]
    assert weight_range(layers, 0) == "from \u22122 to 1, the largest in size w\u2081\u2080\u2080 = \u22122"
    assert weight_range(layers, 1) == "w\u2080\u2080\u2081 = 3"
    assert weight_range([(np.array([[np.nan]]), np.zeros(1))], 0).startswith("none of them a number")
    assert (counted(1, "edge"), counted(6, "edge"), counted(12, "bias")) == ("1 edge", "6 edges", "12 biases")
