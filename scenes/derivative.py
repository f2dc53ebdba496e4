"""`derivative` and `descent`: what a derivative is, and how it lowers a function.

`derivative`: f(x) = 3x² − 7x + 10 near x = 3 (or `--function`, `--at`): the secant through x and x + h
turns into the tangent as h shrinks, its slope converging to f'(x) (11 at 3), which the engine
computes by backpropagating through the parsed expression.
`descent`: derivative0.py's step x ← x − lr·f'(x) (f from 16 to 14.826299689521605), then more steps
rolling downhill, then derivative1.py's g(a, b, c) = 3ab − c (3 to 2.5454000000421946).
"""

import math
import re

import numpy as np
from manim import (DOWN, LEFT, UL, Axes, Dot, Group, Line, ValueTracker, VGroup, always_redraw,
                   config, linear)

from nnanim.engine.expression import ExpressionError, Function
from nnanim.engine.numbers import MINUS, number, printed, superscript, tick_step
from nnanim.scenes.base import TraceScene, text
from nnanim.scenes.calculus_plan import H, LR, WORKSHOP_F, descent, g_step, secant_schedule
from nnanim.scenes.tween import Tween, fade


class _CurveScene(TraceScene):
    def default_trace_and_step(self):
        return None, None

    def function(self):
        try:
            f = Function(self.options.function or WORKSHOP_F)
        except ExpressionError as e:
            raise ValueError(str(e)) from None
        x0 = float(self.options.at)
        if not math.isfinite(f(x0)):
            raise ValueError(f"f is not defined at x = {number(x0)}")
        return f, x0

    def axes_for(self, f, lo, hi):
        """Axes over [lo, hi] (widened to whole ticks) tall enough for f there."""
        xs = np.linspace(lo, hi, 200)
        ys = np.array([f(x) for x in xs])
        ys = ys[np.isfinite(ys)]
        y0, y1 = float(ys.min()), float(ys.max())
        pad = (y1 - y0) * 0.12 or 1.0
        xt, yt = tick_step(hi - lo, 6), tick_step(y1 - y0 + 2 * pad, 6)
        self.x_range = (math.floor(lo / xt) * xt, math.ceil(hi / xt) * xt)
        self.y_range = (math.floor((y0 - pad) / yt) * yt, math.ceil((y1 + pad) / yt) * yt)
        axes = Axes(x_range=[*self.x_range, xt], y_range=[*self.y_range, yt],
                    x_length=config.frame_width * 0.52, y_length=config.frame_height * 0.72,
                    axis_config={"color": self.theme.muted, "include_numbers": True, "font_size": 30},
                    x_axis_config={"decimal_number_config": _decimals(xt, self.theme)},
                    y_axis_config={"decimal_number_config": _decimals(yt, self.theme)}, tips=False)
        return axes.to_edge(LEFT, buff=0.6).shift(DOWN * 0.2)

    def line_through(self, axes, x, y, s, color):
        """The line of slope s through (x, y), cut to the axes' box."""
        lo, hi = self.x_range
        ends = []
        for a in (lo, hi):
            b = y + s * (a - x)
            if not self.y_range[0] <= b <= self.y_range[1] and s != 0:
                b = min(max(b, self.y_range[0]), self.y_range[1])
                a = x + (b - y) / s
            ends.append(axes.c2p(a, b))
        return Line(*ends, color=color, stroke_width=4)

    def title(self, f):
        return text(f"f(x) = {pretty(f.text)}", self.theme, round(config.frame_height * self.theme.body_size, 3)).to_corner(UL)

    def lines(self, rows, width=None):
        group = VGroup(*[text(r, self.theme) for r in rows])
        group.arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        if width and group.width > width:
            group.scale_to_fit_width(width)
        return group


def _decimals(tick, theme):
    return {"num_decimal_places": max(0, -math.floor(math.log10(tick) + 1e-9)), "color": theme.muted}


def pretty(expression):
    """`3x^2 - 7x + 10` as it is written by hand: 3x² − 7x + 10."""
    out = re.sub(r"(\^|\*\*)(\d+)", lambda m: superscript(m.group(2)), expression)
    return out.replace("-", MINUS).replace("*", "\u00b7")


class Derivative(_CurveScene):
    """The secant through x and x + h turning into the tangent as h shrinks."""

    def construct(self):
        f, x0 = self.function()
        slope = f.derivative(x0)
        axes = self.axes_for(f, x0 - 2.5, x0 + 2.5)
        curve = axes.plot(f, x_range=[x0 - 2.5, x0 + 2.5, 0.02], color=self.theme.positive, use_smoothing=False)
        p = Dot(axes.c2p(x0, f(x0)), color=self.theme.text)
        h = ValueTracker(secant_schedule()[0])
        panel_x = axes.get_right()[0] + 0.4

        def secant():
            s = (f(x0 + h.get_value()) - f(x0)) / h.get_value()
            return self.line_through(axes, x0, f(x0), s, self.theme.accent)

        def q():
            return Dot(axes.c2p(x0 + h.get_value(), f(x0 + h.get_value())), color=self.theme.accent)

        def readout():
            hv = h.get_value()
            rows = [f"x = {number(x0)},  h = {number(hv, 3)}", "slope = (f(x + h) \u2212 f(x)) / h",
                    f"         = {number((f(x0 + hv) - f(x0)) / hv, 6)}"]
            return self.lines(rows, config.frame_width / 2 - panel_x - 0.3).move_to([panel_x, 1.2, 0], aligned_edge=LEFT)

        self.add(self.title(f))
        self.play(fade(VGroup(axes, curve), True), run_time=1)
        self.play(fade(p, True), run_time=0.3)
        moving = [always_redraw(secant), always_redraw(q), always_redraw(readout)]
        self.add(*moving)
        self.wait(0.8)
        start, end = secant_schedule()[0], secant_schedule()[-1]
        self.play(Tween(h, lambda m, a: m.set_value(start * (end / start) ** a), rate_func=linear), run_time=5)
        self.wait(0.5)
        tangent = self.line_through(axes, x0, f(x0), slope, self.theme.text)
        result = self.lines([f"f'({number(x0)}) = {number(slope, 6)}", "the tangent's slope,", "by backpropagation"],
                            config.frame_width / 2 - panel_x - 0.3)
        result.next_to(moving[2], DOWN, buff=0.5, aligned_edge=LEFT)
        self.play(fade(tangent, True), fade(result, True), run_time=1)
        self.wait(2)


class Descent(_CurveScene):
    """One step of x ← x − lr·f'(x), then more steps rolling downhill; then g(a, b, c)."""

    STEPS = 60

    def construct(self):
        f, x0 = self.function()
        path = descent(f, x0, self.STEPS)
        lo, hi = min(p.x_next for p in path) - 1.5, x0 + 1.0
        axes = self.axes_for(f, lo, hi)
        curve = axes.plot(f, x_range=[lo, hi, 0.02], color=self.theme.positive, use_smoothing=False)
        ball = Dot(axes.c2p(x0, f(x0)), color=self.theme.accent, radius=0.12)
        panel_x = axes.get_right()[0] + 0.4
        width = config.frame_width / 2 - panel_x - 0.3
        first = path[0]
        rows = [f"x = {printed(first.x)},  f(x) = {printed(first.fx)}",
                "slope \u2248 (f(x + h) \u2212 f(x)) / h", f"    = {number(first.grad, 8)}   (h = {H:f})",
                f"x \u2190 x \u2212 {LR} \u00b7 slope", f"    = {printed(first.x_next)}",
                f"f(x) = {printed(first.fx_next)}"]
        story = self.lines(rows, width).move_to([panel_x, 1.0, 0], aligned_edge=LEFT)
        self.add(self.title(f))
        self.play(fade(VGroup(axes, curve, ball), True), run_time=1)
        for row in story:
            self.play(fade(row, True), run_time=0.5)
            self.wait(0.5)
        self.play(ball.animate.move_to(axes.c2p(first.x_next, first.fx_next)), run_time=1)
        self.wait(1)
        counter = VGroup()
        for k, step in enumerate(path[1:], start=2):
            self.remove(counter)
            counter = self.lines([f"step {k}: f(x) = {number(step.fx_next, 8)}"], width)
            self.add(counter.move_to([panel_x, -1.6, 0], aligned_edge=LEFT))
            self.play(ball.animate.move_to(axes.c2p(step.x_next, step.fx_next)), run_time=0.08)
        self.wait(1.5)
        self.play(fade(Group(*self.mobjects), False), run_time=0.6)
        self.clear()
        self.show_g()

    def show_g(self):
        before, grads, moved, after = g_step()
        rows = ["g(a, b, c) = 3ab \u2212 c,   a = 1, b = 2, c = 3",
                f"Before: g(a, b, c) = {printed(before)}",
                f"slopes (h = {H:f}):  \u2202g/\u2202a \u2248 {number(grads[0], 6)},  \u2202g/\u2202b \u2248 {number(grads[1], 6)},"
                f"  \u2202g/\u2202c \u2248 {number(grads[2], 6)}",
                f"after one step (lr = {LR}):  a = {number(moved[0], 6)},  b = {number(moved[1], 6)},  c = {number(moved[2], 6)}",
                f"After: g(a, b, c) = {printed(after)}"]
        table = self.lines(rows, config.frame_width - 1).move_to([0, 0, 0])
        for row in table:
            self.play(fade(row, True), run_time=0.5)
            self.wait(0.6)
        self.wait(2)

