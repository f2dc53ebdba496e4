import numpy as np

import workshop_reference as workshop
from nnanim.engine import MLP, mse, sse, total_sse, train
from nnanim.engine.training import WORKSHOP_INPUTS, WORKSHOP_TARGETS


def test_losses_match_the_workshop_definitions():
    po, gto = [0.5, -0.25], [1, -1]
    assert sse(po, gto) == (0.5 - 1) ** 2 + (-0.25 + 1) ** 2
    assert total_sse([po, po], [gto, gto]) == 2 * sse(po, gto)
    assert abs(mse([po, po], [gto, gto]) - sse(po, gto) / 2) < 1e-15


def test_first_loss_equals_the_workshop_code():
    theirs, _ = workshop.run(steps=1)
    ours = train(MLP(3, [2, 4, 4, 2], seed=42), WORKSHOP_INPUTS, WORKSHOP_TARGETS, steps=1)
    assert ours == theirs


def test_training_follows_correct_gradients():
    """The slides' backward() appends a node once per path that reaches it, so it runs some nodes'
    back() several times; with that one line fixed, the workshop's loop and nnanim agree."""

    def backward_fixed(self):
        topo, visited = [], set()

        def build(n):
            if n not in visited:
                visited.add(n)
                for p in n.prev:
                    build(p)
                topo.append(n)

        build(self)
        self.grad = 1
        for n in reversed(topo):
            n.back()

    original = workshop.Value.backward
    workshop.Value.backward = backward_fixed
    try:
        theirs, _ = workshop.run(steps=200)
    finally:
        workshop.Value.backward = original
    ours = train(MLP(3, [2, 4, 4, 2], seed=42), WORKSHOP_INPUTS, WORKSHOP_TARGETS, steps=200)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert ours[-1] < ours[0] / 10
