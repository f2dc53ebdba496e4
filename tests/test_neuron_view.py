"""The neuron and layer diagrams by their geometry: inside the safe area, no arrow through a label, no
two arrowheads on one spot, every text readable, for the workshop's numbers, a student's long labels and
a neuron with many inputs."""

import numpy as np
import pytest
from manim import VGroup, tempconfig

from nnanim.engine.numbers import number
from nnanim.engine.training import record_run
from nnanim.scenes.layout import items_on_screen, problems
from nnanim.scenes.network_plan import LayerValues, NeuronValues, layer_values
from nnanim.scenes.neuron_plan import rows, symbolic_rows, value_line
from nnanim.scenes.neuron_view import LayerDiagram, NeuronDiagram, safe_box
from nnanim.scenes.notation import shown
from nnanim.scenes.theme import DARK, LIGHT


@pytest.fixture(autouse=True)
def frame():
    with tempconfig({"frame_height": 8.0, "frame_width": 8.0 * 16 / 9, "pixel_width": 320, "pixel_height": 180}):
        yield


def workshop():
    return layer_values(record_run(steps=1).step(0), 0)


def hostile():
    xs = [("temperature_in_celsius_at_noon", 0.5), ("}{\\input{x}%$#_^", -1.0)]
    neurons = []
    for j, (w0, w1, b) in enumerate([(0.1016, 0.4163, -0.4182), (0.02166, 0.7859, 0.7926), (-0.7488, -0.5855, -0.897)]):
        products = [w0 * 0.5, -w1]
        total = sum(products) + b
        neurons.append(NeuronValues(j, [(f"w_0{j}0", w0), (f"w_1{j}0", w1)], (f"b_{j}0", b), products, total,
                                    (f"h_{j}0", float(np.tanh(total))), "tanh"))
    return LayerValues(0, xs, neurons)


def wide():
    xs = [(f"x_{i + 1}", -1.5 + 0.37 * i) for i in range(12)]
    neurons = []
    for j in range(16):
        ws = [(f"w_{i},{j},0", np.sin(i + j)) for i in range(12)]
        products = [w * x for (_, w), (_, x) in zip(ws, xs)]
        total = sum(products) - 0.3
        neurons.append(NeuronValues(j, ws, (f"b_{j},0", -0.3), products, total, (f"h_{j},0", np.tanh(total)), "tanh"))
    return LayerValues(0, xs, neurons)


LAYERS = {"workshop": workshop, "hostile": hostile, "wide": wide}


def inner_box(theme):
    left, bottom, right, top = safe_box(theme)
    return left, bottom + 0.6, right, top - 0.6


def crosses(segment, box, margin=-0.1):
    """Whether a segment passes within 0.1 of a box, apart from its ends (which touch what they join)."""
    (x0, y0, _), (x1, y1, _) = segment
    left, bottom, right, top = box
    end = 0.15 / max(np.hypot(x1 - x0, y1 - y0), 1e-9)
    t = np.linspace(end, 1 - end, 400)
    xs, ys = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
    return bool(np.any((xs > left + margin) & (xs < right - margin) & (ys > bottom + margin) & (ys < top - margin)))


def check(parts, segments, tips, theme):
    """No layout problem (overlap, safe area, floor), no segment through a text or grazing it, tips apart."""
    w, h = 8.0 * 16 / 9, 8.0
    found = problems(items_on_screen([VGroup(*parts)]), (-w / 2, -h / 2, w / 2, h / 2), theme)
    texts = [item for item in items_on_screen([VGroup(*parts)]) if item.kind == "text"]
    for segment in segments:
        for item in texts:
            if crosses(segment, item.box):
                found.append(f"an arrow passes through `{item.name}`")
    for i, a in enumerate(tips):
        for b in tips[i + 1:]:
            if np.linalg.norm(np.asarray(a) - np.asarray(b)) < 0.25:
                found.append(f"two arrowheads at {a}")
    return found


def neuron_parts(d):
    parts = [d, d.out_arrow] + [m for group in (d.weights, d.products, d.edges, d.links) for m in group
                                if m is not None]
    return parts + [m for m in (d.total, d.out_value) if m is not None]


@pytest.mark.parametrize("theme", [DARK, LIGHT], ids=["dark", "light"])
@pytest.mark.parametrize("name", LAYERS)
def test_the_neuron_diagram_is_clean(name, theme):
    layer = LAYERS[name]()
    n = layer.neurons[0]
    d = NeuronDiagram(rows(layer), n.activation, n.output[0], theme, inner_box(theme), total=number(n.sum),
                      value=number(n.output[1]))
    arrows = [a for a in d.edges + d.links if a is not None] + [d.out_arrow]
    assert check(neuron_parts(d), [(a.get_start(), a.get_end()) for a in arrows],
                 [a.get_end() for a in arrows], theme) == []
    assert d.body_r >= 1.1, "the body is large enough for Σ and the activation side by side"


def test_the_symbolic_neuron_is_clean():
    d = NeuronDiagram(symbolic_rows(), "tanh", "h", DARK, inner_box(DARK))
    arrows = [a for a in d.edges + d.links if a is not None] + [d.out_arrow]
    assert check(neuron_parts(d), [(a.get_start(), a.get_end()) for a in arrows], [a.get_end() for a in arrows],
                 DARK) == []


@pytest.mark.parametrize("name", LAYERS)
def test_the_layer_diagram_is_clean(name):
    layer = LAYERS[name]()
    inputs, neurons = shown(len(layer.inputs), 5), shown(len(layer.neurons), 8)
    full = {j: value_line(layer, j) for j in neurons if j is not None}
    d = LayerDiagram(layer, inputs, neurons, full, DARK, inner_box(DARK))
    segments = [(e.get_start(), e.get_end()) for e in d.edges.values()]
    assert check([d], segments, [], DARK) == [], "at first, with the neurons' names"
    end = list(d.edges.values()) + [m for m in d.labels + d.in_nodes + d.neurons + d.full if m is not None]
    assert check(end, segments, [], DARK) == [], "at the end, with their values"
    assert len(d.edges) == (sum(i is not None for i in inputs) + 1) * sum(j is not None for j in neurons), \
        "every input shown and the bias reach every neuron shown"
