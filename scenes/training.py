"""`training` (the network and its loss side by side while the run plays) and `boundary` (a two-input
classifier's output sign over the plane, evolving with training)."""

import numpy as np
from manim import LEFT, UR, Axes, Dot, Group, Rectangle, VGroup, config, linear

from nnanim.engine.numbers import number
from nnanim.scenes.base import caption, text
from nnanim.scenes.network_plan import forward, sampled_steps, weights_at
from nnanim.scenes.network_view import NetworkDiagram
from nnanim.scenes.raster import Raster
from nnanim.scenes.raster_plot import RasterLabel, RevealedCurve, to_pixels
from nnanim.scenes.tween import Tween
from nnanim.scenes.network import ParamsScene


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


class Boundary(ParamsScene):
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


class Training(ParamsScene):
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
