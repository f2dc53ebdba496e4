"""What `neuron` and `layer` write is the trace's numbers, in one format, with the bias as an input."""

import numpy as np
import pytest

from nnanim.engine.numbers import number
from nnanim.engine.training import record_run
from nnanim.scenes.network_plan import LayerValues, NeuronValues, layer_values
from nnanim.scenes.neuron_plan import output_line, rows, sum_line, symbolic_rows, value_line, weighted_line
from nnanim.scenes.notation import subscripted


@pytest.fixture(scope="module")
def layer():
    return layer_values(record_run(steps=3).step(2), 0)


def test_every_row_is_an_input_its_weight_and_their_product_and_the_bias_is_the_input_1(layer):
    drawn = rows(layer)
    n = layer.neurons[0]
    assert len(drawn) == len(layer.inputs) + 1
    for row, (name, x), (label, w), p in zip(drawn, layer.inputs, n.weights, n.products):
        assert (row.name, row.value, row.x, row.w) == (name, number(x), x, w)
        assert row.weight == f"{subscripted(label)} = {number(w)}" and row.product == number(p)
        assert not row.bias
    bias = drawn[-1]
    assert bias.bias and bias.name == "1" and bias.x == 1.0 and bias.w == n.bias[1]
    assert bias.weight == f"{subscripted(n.bias[0])} = {number(n.bias[1])}" and bias.product == number(n.bias[1])


def test_the_workshops_first_neuron_in_words():
    layer = layer_values(record_run(steps=1).step(0), 0)
    assert sum_line(layer) == "\u03a3 = \u22120.2509 + 1.803 + 1.392 + 0.1973 = 3.141"
    assert output_line(layer) == "h\u2080\u2080 = tanh(3.141) = 0.9963"
    assert value_line(layer, 1) == "h\u2081\u2080 = \u22120.9993"
    assert weighted_line(layer, 1) == ("h\u2081\u2080 = tanh(\u22120.688\u00b71 \u2212 0.688\u00b72 \u2212 "
                                       "0.8838\u00b73 + 0.7324) = \u22120.9993")


def test_the_lines_add_up_to_the_trace(layer):
    for j, n in enumerate(layer.neurons):
        assert sum_line(layer, j).endswith(f" = {number(n.sum)}")
        assert output_line(layer, j).endswith(f"tanh({number(n.sum)}) = {number(n.output[1])}")
        assert n.output[1] == float(np.tanh(n.sum))


def wide(inputs=8, activation="linear"):
    xs = [(f"x_{i + 1}", -1.5 + i) for i in range(inputs)]
    ws = [(f"w_{i}00", 0.5 - 0.25 * i) for i in range(inputs)]
    products = [w * x for (_, w), (_, x) in zip(ws, xs)]
    total = sum(products) - 0.25
    neuron = NeuronValues(0, ws, ("b_00", -0.25), products, total, ("h_00", total), activation)
    return LayerValues(0, xs, [neuron])


def test_a_wide_neuron_shows_its_first_inputs_and_its_last():
    layer = wide()
    drawn = rows(layer)
    assert [r.name if r else None for r in drawn] == ["x_1", "x_2", "x_3", None, "x_8", "1"]
    assert " + \u2026 " in sum_line(layer) and sum_line(layer).endswith(number(layer.neurons[0].sum))
    assert output_line(layer) == f"h\u2080\u2080 = {number(layer.neurons[0].sum)}", "a linear neuron has no tanh"
    assert "0.5\u00b7(\u22121.5)" in weighted_line(layer), "a negative input is in parentheses"


def test_the_symbolic_neuron():
    drawn = symbolic_rows()
    assert [r.name if r else None for r in drawn] == ["x\u2081", "x\u2082", "x\u2083", None, "x\u2099", "1"]
    assert drawn[-1].bias and drawn[-1].weight == "b"
    assert all(r.w is None and r.x is None for r in drawn if r)


def test_the_speaker_s_lines_are_the_diagram_s_numbers():
    from nnanim.scenes.neuron_plan import inputs_line, products_line, short_name, weights_line

    layer = layer_values(record_run(steps=1).step(0), 0)
    assert inputs_line(layer) == "x = 1, y = 2, z = 3"
    assert weights_line(layer) == ("w\u2080\u2080\u2080 = \u22120.2509, w\u2081\u2080\u2080 = 0.9014, "
                                   "w\u2082\u2080\u2080 = 0.464 and the bias b\u2080\u2080 = 0.1973")
    assert products_line(layer, 1) == ("\u22120.688\u00b71 = \u22120.688, \u22120.688\u00b72 = \u22121.376, "
                                       "\u22120.8838\u00b73 = \u22122.651")
    many = wide()
    assert inputs_line(many).count("\u2026") == 1 and inputs_line(many).endswith("x\u2088 = 5.5")
    assert products_line(many).startswith("0.5\u00b7(\u22121.5) = \u22120.75")
    assert short_name("temperature_in_celsius_at_noon") == "temperature_in_celsius\u2026"
