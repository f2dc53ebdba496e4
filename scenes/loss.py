"""`loss`: the loss of every step of the trace, drawn as it descends, with the step and the value.

Steps whose loss is NaN or infinite (a diverging run) are marked on the axis instead of drawn.
"""

import math

import numpy as np
from manim import DOWN, LEFT, UP, UR, Axes, Dot, Group, Line, VGroup, config, linear

from nnanim.engine.numbers import number, tick_step
from nnanim.scenes.base import TraceScene, caption, text
from nnanim.scenes.raster_plot import RasterLabel, RevealedCurve
from nnanim.scenes.tween import Tween, fade

DRAW_SECONDS = 6


def curve_points(losses, log=False):
    """(steps, values) to draw: finite losses only, log10 of them with --log (non-positive dropped)."""
    steps = np.arange(len(losses))
    values = np.asarray(losses, dtype=float)
    keep = np.isfinite(values) & ((values > 0) if log else True)
    return steps[keep], (np.log10(values[keep]) if log else values[keep])


class Loss(TraceScene):
    """The loss over every step of the trace, drawn as it descends (`--log` for a log axis)."""

    def construct(self):
        losses = self.trace.losses
        log = self.options.log
        steps, values = curve_points(losses, log)
        if len(values) == 0:
            if log and np.isfinite(losses).any():
                raise ValueError("--log needs positive losses, and this trace's are all zero or negative: "
                                 "render without --log")
            raise ValueError("this trace has no finite loss to draw")
        if log:  # the x axis sits at the bottom: heights are decades above the lowest one
            self.log_floor = math.floor(float(np.min(values)))
            values = values - self.log_floor
        axes = self.axes(len(losses), values, log)
        points = [axes.c2p(st, v) for st, v in zip(steps, values)]
        curve = RevealedCurve(points, self.theme.rgba(self.theme.accent), 4 * config.pixel_height / 1080)
        bad = [k for k in range(len(losses)) if not math.isfinite(losses[k])]
        marks = VGroup(*[Line(axes.c2p(k, axes.y_range[0]), axes.c2p(k, axes.y_range[0]) + UP * 0.25,
                              color=self.theme.negative, stroke_width=3) for k in bad])
        title = text("loss" + (" (log scale)" if log else ""), self.theme,
                     round(config.frame_height * self.theme.body_size, 3)).to_corner(UP + LEFT)
        self.add(title)
        self.play(fade(axes, True), run_time=0.8)
        head = Dot(points[0], color=self.theme.accent, radius=0.07)
        corner = [config.frame_width / 2 - 0.5, config.frame_height / 2 - 0.45, 0]
        readout = RasterLabel("", corner, config.frame_height * self.theme.min_text * 1.1,
                              self.theme.rgba(self.theme.text), font=self.theme.font, align="right")

        def grow(_, alpha):
            """Reveal the curve up to alpha of the run; the head and the numbers follow its tip."""
            k = min(int(alpha * (len(steps) - 1)), len(steps) - 1)
            curve.until = points[k][0]
            head.move_to(points[k])
            readout.set_text(f"step {steps[k]} of {len(losses)}:  loss {number(losses[steps[k]])}")

        grow(None, 0.0)
        self.add(curve, head, readout)
        self.play(Tween(Group(curve, head, readout), grow, rate_func=linear), run_time=DRAW_SECONDS)
        if bad:
            note = caption(f"NaN or infinite from step {bad[0]}", self.theme, color=self.theme.negative, edge=UR,
                           buff=0.5).shift(DOWN * 0.6)
            self.play(fade(VGroup(marks, note), True), run_time=0.6)
        self.wait(1.5)

    def axes(self, n, values, log):
        top = float(np.max(values))
        if log:
            y0, y1 = 0, max(math.ceil(top), 1)
            y_step = 1
        else:
            y0, y1 = 0.0, top * 1.05 if top > 0 else 1.0
            y_step = tick_step(y1, 5)
            y1 = math.ceil(y1 / y_step) * y_step
        x_step = tick_step(max(n - 1, 1), 5)
        axes = Axes(x_range=[0, max(n - 1, 1), x_step], y_range=[y0, y1, y_step],
                    x_length=config.frame_width * 0.78, y_length=config.frame_height * 0.66, tips=False,
                    axis_config={"color": self.theme.muted, "include_numbers": not log, "font_size": 30,
                                 "decimal_number_config": {"num_decimal_places": 0 if y_step >= 1 else 2,
                                                           "color": self.theme.muted}},
                    x_axis_config={"include_numbers": True,
                                   "decimal_number_config": {"num_decimal_places": 0, "color": self.theme.muted}})
        if log:
            for p in range(int(y0), int(y1) + 1):
                decade = p + self.log_floor
                label = text(f"1e{decade}" if decade else "1", self.theme,
                             round(config.frame_height * self.theme.min_text * 0.8, 3), color=self.theme.muted)
                axes.add(label.next_to(axes.c2p(0, p), LEFT, buff=0.15))
        return axes.move_to([0.3, -0.3, 0])

