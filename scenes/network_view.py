"""The MLP as a diagram: a column of circles per layer (inputs first), every edge coloured by its
weight's sign and as thick as its size; `recolor_to(weights)` updates the edges in place."""

import numpy as np
from manim import DOWN, Circle, Line, VGroup, config

from nnanim.engine.labels import index_label
from nnanim.scenes.base import text


class NetworkDiagram(VGroup):
    def __init__(self, arch, layers, theme, width, height, input_labels=None, labels=False):
        super().__init__()
        self.theme, self.arch = theme, arch
        tallest = max(arch)
        radius = min(height / (tallest * 2.6), width / (len(arch) * 5))
        xs = np.linspace(-width / 2 + radius, width / 2 - radius, len(arch))
        self.columns = []
        for c, (x, n) in enumerate(zip(xs, arch)):
            ys = (np.arange(n) - (n - 1) / 2) * radius * 2.6
            column = VGroup(*[Circle(radius=radius, color=theme.muted, stroke_width=3)
                              .set_fill(theme.panel, 1).move_to([x, -y, 0]) for y in ys])
            self.columns.append(column)
        self.edges = []
        for l, (W, _) in enumerate(layers):
            block = [[Line(self.columns[l][i].get_right(), self.columns[l + 1][j].get_left(), stroke_width=2)
                      for i in range(W.shape[1])] for j in range(W.shape[0])]
            self.edges.append(block)
        self.add(*[e for block in self.edges for row in block for e in row], *self.columns)
        self.recolor_to(layers)
        names = input_labels or [f"x_{i + 1}" for i in range(arch[0])]
        size = round(radius * 0.75, 3)
        self.add(*[text(name, theme, size).move_to(circle) for name, circle in zip(names, self.columns[0])])
        if labels:
            self.add(*self._labels(layers, size * 0.8))

    def recolor_to(self, layers):
        """Edge colour = the weight's sign, thickness = its size (at most 8 px at 1080p)."""
        scale = config.pixel_height / 1080
        for block, (W, _) in zip(self.edges, layers):
            for j, row in enumerate(block):
                for i, edge in enumerate(row):
                    w = W[j, i]
                    color = self.theme.positive if w >= 0 else self.theme.negative
                    edge.set_stroke(color=color, width=(1 + 5 * min(abs(w), 1.5)) * scale * 1.6,
                                    opacity=0.35 + 0.65 * min(abs(w), 1))

    def _labels(self, layers, size):
        out = []
        for l, (W, _) in enumerate(layers):
            for j in range(W.shape[0]):
                circle = self.columns[l + 1][j]
                out.append(text(index_label("h", j, l), self.theme, size).next_to(circle, DOWN, buff=0.05))
        return out
