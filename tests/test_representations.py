"""The pictures of `representations`: every pixel of a tile is the network's own output at that pixel's
point of the plane (computed at full resolution: no stair steps)."""

import numpy as np

from nnanim.engine.training import record_run
from nnanim.scenes.network_plan import forward, weights_at
from nnanim.scenes.representations import SPAN, neuron_images, plane


def test_a_tile_is_the_forward_pass_at_each_of_its_pixels():
    trace = record_run(steps=2, level="params")
    layers = weights_at(trace, 1)
    held, pick = [1.0, 2.0, 3.0], (0, 1)
    boxes = [[(0, 0, 40, 40)] * 3, [(50, 0, 90, 40)] * 2, [(0, 0, 40, 40)] * 4, [(0, 0, 40, 40)] * 4,
             [(0, 0, 120, 120)] * 2]
    images = neuron_images(layers, held, pick, boxes, "tanh")
    assert [img.shape for img in images[0]] == [(40, 40)] * 3 and images[-1][0].shape == (120, 120)
    x_tile, y_tile, z_tile = images[0]
    assert len(np.unique(x_tile[0])) == 40, "a new value at every pixel across: no stair steps"
    assert np.allclose(x_tile[0, [0, -1]], [-SPAN + SPAN / 40, SPAN - SPAN / 40]), "pixel centres"
    assert y_tile[0, 0] > y_tile[-1, 0], "the second input grows upwards"
    assert np.all(z_tile == 3.0), "the other inputs are held"
    points = plane(held, pick, 120, 120)
    top_left, bottom_right = points[0], points[-1]
    out = forward(layers, [top_left, bottom_right])[-1]
    assert images[-1][1][0, 0] == out[0, 1] and images[-1][1][-1, -1] == out[1, 1]
