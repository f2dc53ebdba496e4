"""`forward` (one example flowing through the network, layer by layer) and `representations` (each
neuron's output over a plane of two inputs, as a heatmap)."""

import numpy as np
from manim import DOWN, RIGHT, VGroup, config

from nnanim.engine.labels import index_label
from nnanim.engine.numbers import number
from nnanim.scenes.base import caption, text
from nnanim.scenes.network_plan import forward, weights_at
from nnanim.scenes.network_view import NetworkDiagram
from nnanim.scenes.raster import Raster
from nnanim.scenes.raster_plot import to_pixels
from nnanim.scenes.tween import fade, recolor
from nnanim.scenes.network import ParamsScene


class Forward(ParamsScene):
    """One example flowing through the network at --step: each layer's values appear as it computes
    them, and the outputs stand next to their targets."""

    def construct(self):
        k = self.step_index()
        example = self.options.example
        inputs = self.trace.meta.get("inputs") or []
        targets = self.trace.meta.get("targets") or []
        if not 0 <= example < len(inputs):
            raise ValueError(f"--example {example} does not exist: the trace's data has {len(inputs)} examples")
        layers = weights_at(self.trace, k, self.values)
        values = [np.asarray(inputs[example], dtype=float)] + \
            [out[0] for out in forward(layers, [inputs[example]], self.activation)]
        fw, fh = config.frame_width, config.frame_height
        diagram = NetworkDiagram(self.arch, layers, self.theme, fw * 0.6, fh * 0.72,
                                 [""] * self.arch[0]).move_to([-fw * 0.12, 0.1, 0])
        names = self.trace.meta.get("input_labels") or []
        self.add(caption(f"example {example} ({', '.join(f'{n} = {number(v)}' for n, v in zip(names, values[0]))}) "
                         f"at step {k}", self.theme))
        self.play(fade(diagram, True), run_time=0.8)
        for layer, (column, numbers) in enumerate(zip(diagram.columns, values)):
            if layer:
                edges = [e for row in diagram.edges[layer - 1] for e in row]
                self.play(*[recolor(e, self.theme.accent) for e in edges], run_time=0.4)
            labels = VGroup(*[self.value_in(circle, v) for circle, v in zip(column, numbers)])
            self.play(fade(labels, True), run_time=0.5)
            self.mark_stop()
            if layer:
                diagram.recolor_to(layers)  # back to the weights' own colours
        outputs = VGroup(*[text(f"{number(v)} \u2192 target {number(t)}", self.theme).next_to(circle, RIGHT, buff=0.25)
                           for circle, v, t in zip(diagram.columns[-1], values[-1], targets[example])])
        self.play(fade(outputs, True), run_time=0.6)
        self.wait(2)

    def value_in(self, circle, value):
        label = text(number(value), self.theme, round(circle.height * 0.3, 3))
        if label.width > circle.width * 0.86:
            label.scale_to_fit_width(circle.width * 0.86)
        return label.move_to(circle)


class Representations(ParamsScene):
    """What each neuron computes, as a picture: its output over a plane of two inputs (the others held
    at the first example's values), layer by layer, at --step; with --compare, step 0 above it."""

    def construct(self):
        k = self.step_index()
        pick = self.options.inputs
        if self.arch[0] < 2 or max(pick) >= self.arch[0]:
            raise ValueError(f"representations needs two inputs of the network (it has {self.arch[0]}); "
                             f"--inputs I,J picks them")
        steps = [0, k] if self.options.compare and k != 0 else [k]
        fw, fh = config.frame_width, config.frame_height
        width = (fw - 0.8) / len(steps)  # side by side: random on the left, trained on the right
        for c, step in enumerate(steps):
            left = -fw / 2 + 0.4 + c * width
            label = text(f"step {step}", self.theme, color=self.theme.muted).move_to([left + width / 2, fh / 2 - 0.45, 0])
            grid = RepresentationGrid(self, weights_at(self.trace, step, self.values), pick,
                                      (left + 0.2, fh / 2 - 0.9, left + width - 0.2, -fh / 2 + 0.9))
            self.add(label)
            for layer in grid.layers:
                self.add(layer)
                self.wait(0.6)
            self.add(*grid.labels)
        names = self.trace.meta.get("input_labels") or [f"x_{i + 1}" for i in range(self.arch[0])]
        held = [f"{n} = {number(v)}" for i, (n, v) in enumerate(zip(names, grid.held)) if i not in pick]
        note = (f"each square: a neuron's output for {names[pick[0]]} from −2 to 2 across, {names[pick[1]]} "
                f"up" + (f", {', '.join(held)}" if held else "") + "; blue positive, red negative")
        self.add(caption(note, self.theme))
        self.wait(2)


class RepresentationGrid:
    """Heatmaps of every neuron (columns: layers, rows: neurons) in a box (x0, top, x1, bottom)."""

    def __init__(self, scene, layers, pick, box, grid=56):
        theme, arch = scene.theme, scene.arch
        x0, top, x1, bottom = box
        held = np.asarray((scene.trace.meta.get("inputs") or [[0.0] * arch[0]])[0], dtype=float)
        self.held = held
        span = np.linspace(-2, 2, grid)
        plane = np.tile(held, (grid * grid, 1))
        plane[:, pick[0]] = np.tile(span, grid)
        plane[:, pick[1]] = np.repeat(span[::-1], grid)
        outputs = forward(layers, plane, scene.activation)
        cols, rows = len(outputs), max(arch[1:])
        cell = min((x1 - x0) / cols, (top - bottom) / rows) * 0.86
        self.layers, self.labels = [], []
        for l, out in enumerate(outputs):
            images = []
            for j in range(out.shape[1]):
                center = [x0 + (l + 0.5) * (x1 - x0) / cols, top - (j + 0.5) * (top - bottom) / rows, 0]
                images.append((center, out[:, j].reshape(grid, grid)))
                name = text(index_label("h", j, l), theme, round(max(cell * 0.16, config.frame_height * theme.min_text * 0.7), 3),
                            color=theme.muted)
                self.labels.append(name.next_to(np.array(center) + [0, -cell / 2, 0], DOWN, buff=0.02))
            self.layers.append(HeatTiles(images, cell, theme))


class HeatTiles(Raster):
    """Square heatmaps (values in [-1, 1]) centred at scene points, `size` scene units wide."""

    def __init__(self, images, size, theme, **kwargs):
        super().__init__(**kwargs)
        bg, pos, neg = (np.array(theme.rgba(c)[:3]) * 255 for c in (theme.background, theme.positive, theme.negative))
        px = max(int(size / config.frame_height * config.pixel_height), 2)
        self.tiles = []
        for center, values in images:
            idx = np.arange(px) * values.shape[0] // px
            v = values[idx][:, idx]
            k = np.clip(np.abs(v), 0, 1)[..., None]
            rgb = (np.where(v[..., None] >= 0, pos, neg) * k + bg * (1 - k)).astype(np.uint8)
            cx, cy = to_pixels(center)
            self.tiles.append((rgb, int(cx - px / 2), int(cy - px / 2)))

    def paint(self, pixels):
        H, W = pixels.shape[:2]
        for rgb, x, y in self.tiles:
            h, w = rgb.shape[:2]
            if 0 <= x and 0 <= y and x + w <= W and y + h <= H:
                pixels[y:y + h, x:x + w, :3] = rgb
                pixels[y:y + h, x:x + w, 3] = 255
