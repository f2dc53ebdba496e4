"""`mlp`, `boundary` and `training`: the network and what it learns, from the trace's parameters.

They read only parameters, grads and losses, so they work on traces recorded with `--record params`.
"""

import numpy as np
from manim import DOWN, LEFT, RIGHT, UR, Axes, Dot, Group, Rectangle, VGroup, config, linear

from nnanim.engine.labels import index_label
from nnanim.engine.numbers import number
from nnanim.scenes.base import TraceScene, caption, text
from nnanim.scenes.network_plan import architecture_of, forward, sampled_steps, weights_at
from nnanim.scenes.network_view import NetworkDiagram
from nnanim.scenes.raster import Raster
from nnanim.scenes.raster_plot import RasterLabel, RevealedCurve, to_pixels
from nnanim.scenes.tween import Tween, fade, recolor


class _ParamsScene(TraceScene):
    def setup(self):
        super().setup()
        self.arch = architecture_of(self.trace)
        self.values, _ = self.trace.parameter_series()
        self.activation = self.trace.meta.get("activation", "tanh")

    def step_index(self):
        k = self.options.step
        return self.trace.step_index(k)


class Mlp(_ParamsScene):
    """The network as layers of neurons, edges coloured by the weights' signs (at --step)."""

    def construct(self):
        k = self.step_index()
        layers = weights_at(self.trace, k, self.values)
        diagram = NetworkDiagram(self.arch, layers, self.theme, config.frame_width * 0.8, config.frame_height * 0.72,
                                 self.trace.meta.get("input_labels"), labels=self.options.labels)
        diagram.move_to([0, 0.2, 0])
        title = caption(f"MLP {','.join(map(str, self.arch))} at step {k}: blue weights positive, red negative, "
                        "thicker is larger", self.theme)
        self.play(fade(diagram.columns[0], True), run_time=0.5)
        for l in range(1, len(self.arch)):
            edges = VGroup(*[e for row in diagram.edges[l - 1] for e in row])
            self.play(fade(VGroup(edges, diagram.columns[l]), True), run_time=0.6)
        self.add(diagram, title)
        self.wait(2)


class Heatmap(Raster):
    """The network's first output over a plane of its two inputs, as colour, repainted each frame."""

    def __init__(self, axes, theme, grid=160, **kwargs):
        super().__init__(**kwargs)
        (x0, y0), (x1, y1) = (to_pixels(axes.c2p(axes.x_range[0], axes.y_range[1])),
                              to_pixels(axes.c2p(axes.x_range[1], axes.y_range[0])))
        self.box = (int(x0), int(y0), int(x1), int(y1))
        w, h = self.box[2] - self.box[0], self.box[3] - self.box[1]
        xs = np.linspace(axes.x_range[0], axes.x_range[1], min(grid, w))
        ys = np.linspace(axes.y_range[1], axes.y_range[0], min(grid, h))
        self.points = np.array([(x, y) for y in ys for x in xs])
        self.shape = (len(ys), len(xs))
        self.cols = (np.arange(w) * len(xs) // max(w, 1))
        self.rows = (np.arange(h) * len(ys) // max(h, 1))
        bg, pos, neg = (np.array(theme.rgba(c)[:3]) * 255 for c in (theme.background, theme.positive, theme.negative))
        self.colors = (bg, pos, neg)
        self.image = None

    def show(self, layers, activation):
        out = forward(layers, self.points, activation)[-1][:, 0].reshape(self.shape)
        bg, pos, neg = self.colors
        k = np.clip(np.abs(out), 0, 1)[..., None] * 0.55
        rgb = np.where(out[..., None] >= 0, pos, neg) * k + bg * (1 - k)
        self.image = rgb[self.rows][:, self.cols].astype(np.uint8)

    def paint(self, pixels):
        if self.image is not None:
            x0, y0, x1, y1 = self.box
            pixels[y0:y1, x0:x1, :3] = self.image
            pixels[y0:y1, x0:x1, 3] = 255


class Boundary(_ParamsScene):
    """A two-input classifier: the sign of its output over the plane, as training goes, data on top."""

    def construct(self):
        if self.arch[0] != 2:
            raise ValueError(f"boundary needs a network with two inputs; this one has {self.arch[0]}")
        inputs = np.array(self.trace.meta.get("inputs") or [], dtype=float)
        targets = np.array(self.trace.meta.get("targets") or [], dtype=float)
        lo, hi = (inputs.min(axis=0) - 0.3, inputs.max(axis=0) + 0.3) if len(inputs) else ((-1.5, -1.5), (1.5, 1.5))
        side = config.frame_height * 0.78
        axes = Axes(x_range=[lo[0], hi[0], 1], y_range=[lo[1], hi[1], 1], x_length=side * (hi[0] - lo[0]) / (hi[1] - lo[1]),
                    y_length=side, tips=False, axis_config={"color": self.theme.muted, "stroke_opacity": 0})
        axes.to_edge(LEFT, buff=0.6)
        frame = Rectangle(width=axes.x_length, height=axes.y_length, color=self.theme.muted).move_to(axes)
        heat = Heatmap(axes, self.theme)
        dots = VGroup(*[Dot(axes.c2p(*p), radius=0.07, color=self.theme.positive if t[0] > 0 else self.theme.negative)
                        .set_stroke(self.theme.text, 1.5) for p, t in zip(inputs, targets)])
        right = frame.get_right()[0] + 0.5
        height = config.frame_height * self.theme.min_text * 1.1
        step_label = RasterLabel("", [right, 1.5, 0], height, self.theme.rgba(self.theme.text), font=self.theme.font)
        loss_label = RasterLabel("", [right, 0.9, 0], height, self.theme.rgba(self.theme.text), font=self.theme.font)
        acc_label = RasterLabel("", [right, 0.3, 0], height, self.theme.rgba(self.theme.text), font=self.theme.font)
        losses = self.trace.losses
        seconds = self.options.duration
        frames = max(int(seconds * config.frame_rate), 2)
        schedule = sampled_steps(self.trace.num_steps, frames)

        def show(_, alpha):
            k = schedule[min(int(alpha * (frames - 1)), frames - 1)]
            layers = weights_at(self.trace, k, self.values)
            heat.show(layers, self.activation)
            if len(inputs):
                predicted = forward(layers, inputs, self.activation)[-1][:, 0]
                acc_label.set_text(f"accuracy {np.mean(np.sign(predicted) == np.sign(targets[:, 0])):.0%}")
            step_label.set_text(f"step {k} of {self.trace.num_steps}")
            loss_label.set_text(f"loss {number(losses[k])}")

        title = caption(f"{self.trace.meta.get('data', 'the data')}: the network's sign over the plane",
                        self.theme, edge=UR, buff=0.4)
        show(None, 0.0)
        self.add(frame, heat, dots, title, step_label, loss_label, acc_label)
        self.play(Tween(Group(heat, dots, step_label, loss_label, acc_label), show, rate_func=linear),
                  run_time=seconds)
        self.wait(1.5)


class Training(_ParamsScene):
    """The network and its loss side by side while the run plays: weights recolour, the loss
    descends, predictions move toward their targets (a 1000-step run becomes a `--duration` clip)."""

    def construct(self):
        seconds = self.options.duration
        fw, fh = config.frame_width, config.frame_height
        layers0 = weights_at(self.trace, 0, self.values)
        diagram = NetworkDiagram(self.arch, layers0, self.theme, fw * 0.42, fh * 0.7,
                                 self.trace.meta.get("input_labels")).move_to([-fw * 0.26, -0.1, 0])
        losses = self.trace.losses
        finite = np.isfinite(losses)
        top = float(np.max(losses[finite])) if finite.any() else 1.0
        axes = Axes(x_range=[0, max(self.trace.num_steps - 1, 1), max(self.trace.num_steps // 4, 1)],
                    y_range=[0, top * 1.05, top / 2], x_length=fw * 0.4, y_length=fh * 0.3, tips=False,
                    axis_config={"color": self.theme.muted, "include_numbers": True, "font_size": 26,
                                 "decimal_number_config": {"num_decimal_places": 0, "color": self.theme.muted}},
                    ).move_to([fw * 0.24, fh * 0.2, 0])
        steps = np.flatnonzero(finite)
        points = [axes.c2p(k, losses[k]) for k in steps]
        curve = RevealedCurve(points, self.theme.rgba(self.theme.accent), 4 * config.pixel_height / 1080)
        head = Dot(points[0], radius=0.06, color=self.theme.accent)
        size = fh * self.theme.min_text
        left = axes.get_left()[0]
        step_label = RasterLabel("", [left, fh / 2 - 0.35, 0], size * 1.1, self.theme.rgba(self.theme.text),
                                 font=self.theme.font)
        inputs = np.array(self.trace.meta.get("inputs") or [], dtype=float)
        targets = np.array(self.trace.meta.get("targets") or [], dtype=float)
        shown = min(len(inputs), 4)
        rows = [RasterLabel("", [left, -0.6 - r * size * 1.5, 0], size, self.theme.rgba(self.theme.text),
                            font=self.theme.font) for r in range(shown)]
        header = text("prediction \u2192 target", self.theme, color=self.theme.muted).move_to([left, -0.15, 0], aligned_edge=LEFT)
        frames = max(int(seconds * config.frame_rate), 2)
        schedule = sampled_steps(self.trace.num_steps, frames)

        def show(_, alpha):
            k = schedule[min(int(alpha * (frames - 1)), frames - 1)]
            layers = weights_at(self.trace, k, self.values)
            diagram.recolor_to(layers)
            curve.until = axes.c2p(k, 0)[0]
            if np.isfinite(losses[k]):
                head.move_to(axes.c2p(k, losses[k]))
            bad = "" if np.isfinite(losses[k]) else "  (NaN)"
            step_label.set_text(f"step {k} of {self.trace.num_steps}:  loss {number(losses[k])}{bad}")
            if shown:
                predicted = forward(layers, inputs[:shown], self.activation)[-1]
                for row, p, t in zip(rows, predicted, targets[:shown]):
                    row.set_text("   ".join(f"{number(a)} \u2192 {number(b)}" for a, b in zip(p, t)))

        edges = VGroup(*[e for block in diagram.edges for row in block for e in row])
        show(None, 0.0)
        self.add(diagram, axes, header, curve, head, step_label, *rows)
        self.play(Tween(Group(edges, curve, head, step_label, *rows), show, rate_func=linear), run_time=seconds)
        self.wait(1.5)


class Forward(_ParamsScene):
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


class Representations(_ParamsScene):
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
