"""The MLP as a diagram: a column of neurons per layer (inputs first), centred on one pitch, every edge
coloured by its weight on the diverging scale and as thick as its size; `recolor_to(weights)` updates
the edges in place, `fills(values, scale)` gives the neurons' colours for their values.

A neuron may carry a tag right of it (its value, its name): the tag sits on the neuron's own short
wire, before the edges fan out, so no edge crosses a number. Input names stand left of the inputs,
shortened to fit; every text is at the readable floor. The layout is scenes/network_layout.py."""

import math
from functools import lru_cache

from manim import LEFT, RIGHT, Circle, Line, Rectangle, Square, VGroup, config

from nnanim.engine.labels import index_label
from nnanim.scenes.base import text
from nnanim.scenes.drawable import scale_of
from nnanim.scenes.network_layout import place
from nnanim.scenes.notation import subscripted
from nnanim.scenes.shortened import fitted

NODES = {"circle": dict(fill=0.66, most=0.95), "tile": dict(fill=0.8, most=1.5)}


@lru_cache(maxsize=512)
def _made(content, theme, color, width, frame_height):
    return text(content, theme, color=color) if width is None else fitted(content, theme, width, color=color)


def label(content, theme, color, width=None):
    """A `scenes.base.text` (shortened to `width` if given), made once per frame size: a diagram's titles,
    names and tags recur (every layer, both networks of a comparison) and Pango is slow to make them."""
    return _made(content, theme, color, width, config.frame_height).copy()


def weight_scale(layers):
    """The weight at which edges reach their full colour and width: the largest finite |w|, rounded up to
    0.5 (at most drawable.LIMIT)."""
    return scale_of([W for W, _ in layers])


def headers_for(arch):
    """Column titles: inputs, layer 0 ... (the l of h_jl), output(s)."""
    last = "output" if arch[-1] == 1 else "outputs"
    return ["inputs"] + [f"layer {l}" for l in range(len(arch) - 2)] + [last]


class NetworkDiagram(VGroup):
    """The network in a `width` x `height` box centred on the origin (shift it after).

    `input_labels` name the inputs (x₁ ... by default), left of them; `labels` tags every other neuron
    with its name (h₀₀ ..., as scenes/notation.py writes labels); `tags[c]` (texts, or None) tags the
    neurons of column c instead, e.g. their values: `tags[c][k]` on `plates[c][k]`, which hides the
    wire under it. `headers` writes column titles above: True for inputs, layer 0, ..., outputs, or a
    title (or None) per column. `right` keeps room right of the last column. `node` is "circle" or
    "tile" (a square that a heatmap fills); `last_most` lets the last column's nodes grow that large;
    `edge_scale` is the weight at which edges are full (by default the largest here)."""

    def __init__(self, arch, layers, theme, width, height, input_labels=None, labels=False, headers=False,
                 tags=None, right=0.0, node="circle", last_most=None, edge_scale=None):
        super().__init__()
        self.theme, self.arch = theme, list(arch)
        line = config.frame_height * theme.min_text
        self.weight_scale = edge_scale or weight_scale(layers)
        top = height / 2 - ((line + line * 0.5) if headers else 0)
        names = list(input_labels or [f"x_{i + 1}" for i in range(arch[0])])
        self.names = VGroup(*[label(subscripted(str(n)), theme, theme.text, round(width * 0.28, 3))
                              for n in names[:arch[0]]])
        gutter = (max(m.width for m in self.names) + line * 0.5) if len(self.names) else 0.0
        if tags is None and labels:
            tags = [None] + [[subscripted(index_label("h", j, l)) for j in range(n)] for l, n in enumerate(arch[1:])]
        tags = tags or [None] * len(arch)
        self.tags = [VGroup(*[label(t, theme, theme.text) for t in column]) if column else VGroup()
                     for column in tags]
        pad = line * 0.3
        room = [(max(t.width for t in column) + 2 * pad) if len(column) else 0.0 for column in self.tags]
        titles = headers_for(arch) if headers is True else list(headers or [None] * len(arch))
        made = [label(t, theme, theme.muted) if t else None for t in titles]
        widths = [m.width if m else 0.0 for m in made]
        apart = [(a + b) / 2 + line for a, b in zip(widths, widths[1:])]
        ends = (widths[0] / 2, widths[-1] / 2)
        self.placement = place(arch, (-width / 2, -height / 2, width / 2, top), room, left=gutter, right=right,
                               last_most=last_most, apart=apart, ends=ends, **NODES[node])
        self.columns, self.wires, self.plates = [], VGroup(), []
        last = len(arch) - 1
        for c, (column, tagged) in enumerate(zip(self.placement.columns, self.tags)):
            nodes = VGroup(*[self._node(node, column.size).move_to([column.x, y, 0]) for y in column.ys])
            self.columns.append(nodes)
            plates = VGroup()
            for y, tag in zip(column.ys, tagged):
                if c < last:  # the wire the edges leave from
                    self.wires.add(Line([column.x + column.size / 2, y, 0], [column.out, y, 0], color=theme.rule,
                                        stroke_width=2))
                tag.move_to([column.x + column.size / 2 + pad, y, 0], aligned_edge=LEFT)
                plates.add(Rectangle(width=tag.width + pad, height=line * 1.05, stroke_width=0)
                           .set_fill(theme.background, 1).move_to(tag))
            self.plates.append(plates)
        self.edges = []
        for a, b in zip(self.placement.columns, self.placement.columns[1:]):
            self.edges.append([[Line([a.out, ya, 0], [b.x - b.size / 2, yb, 0], stroke_width=2) for ya in a.ys]
                               for yb in b.ys])
        for name, y in zip(self.names, self.placement.columns[0].ys):
            name.move_to([self.placement.left - line * 0.5, y, 0], aligned_edge=RIGHT)
        self.headers = VGroup(*[m.move_to([column.x, height / 2 - line / 2, 0])
                                for m, column in zip(made, self.placement.columns) if m])
        self.add(*[e for block in self.edges for row in block for e in row], self.wires, *self.columns,
                 *self.plates, *self.tags, self.names, self.headers)
        self.recolor_to(layers)

    def _node(self, kind, size):
        shape = Circle(radius=size / 2) if kind == "circle" else Square(side_length=size)
        return shape.set_stroke(self.theme.muted, 2.5).set_fill(self.theme.panel, 1)

    def recolor_to(self, layers):
        """Edge colour = the weight on the diverging scale, thickness = its size."""
        for block, (W, _) in zip(self.edges, layers):
            for j, row in enumerate(block):
                for i, edge in enumerate(row):
                    w = float(W[j, i]) if math.isfinite(W[j, i]) else 0.0  # a diverged run (NaN, inf): no weight
                    edge.set_stroke(color=self.theme.diverging_hex(w, self.weight_scale),
                                    width=1.2 + 6 * min(abs(w) / self.weight_scale, 1.0), opacity=1)

    def fills(self, values, scale):
        """The neuron fills for `values` (one array per column) on the diverging scale."""
        return [[self.theme.diverging_hex(float(v), scale) for v in column] for column in values]
