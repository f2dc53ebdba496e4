import numpy as np
import pytest

import workshop_reference as workshop
from nnanim.engine import MLP, Layer, Neuron


def test_seeded_mlp_prints_the_slides_numbers():
    out = MLP(3, [2, 4, 4, 2], seed=42)([1, 2, 3])
    assert [o.data for o in out] == [-0.9157536075966881, -0.2499947804027186]


def test_seed_gives_the_workshop_initialisation():
    np.random.seed(42)
    theirs = workshop.MLP(3, [2, 4, 4, 2])
    ours = MLP(3, [2, 4, 4, 2], seed=42)
    assert [p.data for p in ours.ps()] == [p.data for p in theirs.ps()]


def test_without_seed_parameters_come_from_np_random():
    np.random.seed(7)
    theirs = workshop.MLP(2, [3, 1])
    np.random.seed(7)
    ours = MLP(2, [3, 1])
    assert [p.data for p in ours.ps()] == [p.data for p in theirs.ps()]
    np.random.seed(7)
    ours = Neuron(3).ws[0].data
    np.random.seed(7)
    assert ours == workshop.Neuron(3).ws[0].data


def test_labels_use_the_workshop_notation():
    mlp = MLP(3, [2, 4, 4, 2], seed=0)
    labels = [p.label for p in mlp.parameters()]
    assert labels[:4] == ["w_000", "w_100", "w_200", "b_00"]
    assert labels[-1] == "b_13" and len(labels) == 50
    assert [p.label for p in MLP(12, [1], seed=0).ps()][10:] == ["w_10,0,0", "w_11,0,0", "b_00"]
    assert [p.label for p in Neuron(2, seed=0).ps()] == ["w_0", "w_1", "b"]


def test_layer_and_aliases():
    layer = Layer(3, 4, seed=1)
    assert len(layer.ns) == 4 and len(layer([1, 2, 3])) == 4
    assert layer.parameters() == layer.ps()
    for p in layer.ps():
        p.grad = 5.0
    layer.zero_grad()
    assert all(p.grad == 0 for p in layer.ps())


def test_activations():
    assert MLP(2, [1], seed=3, activation="relu")([1, 1])[0].op in ("relu",)
    assert MLP(2, [1], seed=3, activation="linear")([1, 1])[0].op == "+"
    with pytest.raises(ValueError):
        MLP(2, [1], activation="sigmoid")
