import pytest

from nnanim.engine import MLP, Neuron
from nnanim.engine.labels import index_label, is_parameter, neuron_of, neuron_output, parse, split


@pytest.mark.parametrize("name, indices, label", [
    ("w", (0, 1, 2), "w_012"),
    ("w", (12, 0, 1), "w_12,0,1"),
    ("b", (3, 10), "b_3,10"),
    ("h", (9, 9), "h_99"),
    ("w", (4,), "w_4"),
    ("b", (), "b"),
])
def test_labels_are_made_and_read_back(name, indices, label):
    assert index_label(name, *indices) == label
    assert parse(label) == ((name, indices) if indices else None)


def test_every_label_of_an_mlp_round_trips():
    for label in (p.label for p in MLP(12, [11, 3], seed=0).parameters()):
        name, indices = parse(label)
        assert index_label(name, *indices) == label


def test_split_keeps_the_subscript_as_written():
    assert split("w_12,0,1") == ("w", "12,0,1") and split("gt_0") == ("gt", "0")
    assert split("x") is None and split("w_") is None and split("w_01\n") is None


def test_parameters_are_weights_and_biases():
    assert all(is_parameter(label) for label in ("w", "b", "w_0", "w_012", "b_1,10"))
    assert not any(is_parameter(label) for label in ("h_01", "x_1", "gt_0", "bias", "w_,", "", "L"))
    neuron = Neuron(3)
    assert all(is_parameter(p.label) for p in neuron.parameters())


def test_which_neuron_a_label_belongs_to():
    assert neuron_of("w_213") == (1, 3) and neuron_of("b_13") == (1, 3) and neuron_of("h_13") == (1, 3)
    assert neuron_of("w_12,0,1") == (0, 1) and neuron_of("h_10,2") == (10, 2)
    assert neuron_of("w_13") is None and neuron_of("h_123") is None and neuron_of("x_12") is None
    assert neuron_output("h_10,2") == (10, 2)
    assert neuron_output("b_13") is None and neuron_output("h") is None and neuron_output("h_5") is None
