"""`derivative` and `descent`: what a derivative is, and how it lowers a function.

`derivative`: f(x) = 3x² − 7x + 10 near x = 3 (or `--function`, `--at`): the secant through x and x + h,
its run and rise marked, turns into the tangent as h shrinks from 2 to 0.001; a table collects rise / run
for each h, converging to f'(x) (11 at 3), which the engine computes by backpropagating through the
parsed expression.
`descent`: derivative0.py's step x ← x − lr·f'(x): the tangent at x, then a zoom until the step −lr·f'(x)
is an arrow along the x axis, f from 16 to 14.826299689521605 (quoted as Python prints it); the steps
after it rolling downhill; then derivative1.py's g(a, b, c) = 3ab − c: a nudge of each input moves g by
its partial derivative, and one step against the three of them lowers g from 3 to 2.5454000000421946.
"""

import re

import numpy as np
from manim import DOWN, LEFT, Dot, Group, Line, Polygon, VGroup, VMobject, config, linear, smooth

from nnanim.engine.expression import Function
from nnanim.engine.numbers import MINUS, number, printed, superscript
from nnanim.scenes.base import TraceScene, text
from nnanim.scenes.calculus_plan import (H, H_WRITTEN, LR, NUDGE, WORKSHOP_F, between, close_up, derivative_view,
                                         g_nudges, g_step, h_between, overview, rolling, secant_schedule,
                                         secant_slope)
from nnanim.scenes.plot_axes import NumberRow, PlotAxes, safe_area, set_segments
from nnanim.scenes.raster_plot import RasterLabel
from nnanim.scenes.tween import Tween, fade, recolor

ROW = 0.42  # from one line of floor-sized text to the next
SIGNIFICANT = 5  # digits of a slope: enough to see 11.03 and 11.003 converge to 11


def pretty(expression):
    """`3x^2 - 7x + 10` as it is written by hand: 3x² − 7x + 10."""
    out = re.sub(r"(\^|\*\*)(\d+)", lambda m: superscript(m.group(2)), expression)
    return out.replace("-", MINUS).replace("*", "\u00b7")


def heading(content, theme, width):
    """`content` at the heading size, on two lines at most (broken between terms) to fit `width`; longer,
    at the smallest readable size on as many lines as it needs (a teacher may type 200 characters)."""
    whole = text(content, theme, round(config.frame_height * theme.heading_size, 3))
    if whole.width <= width:
        return VGroup(whole)
    for size in (theme.heading_size, min(theme.min_text, theme.heading_size)):  # smaller, never larger
        line_height = round(config.frame_height * size, 3)
        lines, line = [], ""
        for word in content.split(" "):
            trial = f"{line} {word}".strip()
            if line and text(trial, theme, line_height).width > width:
                lines.append(line)
                trial = word
            line = trial
        lines.append(line)
        if len(lines) <= 2:
            break
    made = VGroup(*[text(t, theme, line_height) for t in lines]).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
    if made.width > width:  # one term wider than the frame: scaled, never below the floor (the checker says)
        made.scale_to_fit_width(width)
    return made


def column(rows, theme, left, top):
    """Lines of floor-sized text, (content, colour) each, from (left, top) down, ROW apart."""
    group = VGroup()
    for k, (content, color) in enumerate(rows):
        line = text(content, theme, color=color)
        group.add(line.move_to([left + line.width / 2, top - k * ROW - line.height / 2, 0]))
    return group


def live(content, theme, left, top, color):
    """A line of floor-sized text that changes every frame (a Cairo label, not a Pango text)."""
    line_height = round(config.frame_height * theme.min_text, 3)
    return RasterLabel(content, (left, top - line_height / 2, 0), line_height, theme.rgba(color), font=theme.font)


class StepArrow(VGroup):
    """A horizontal arrow whose ends are moved every frame (no Manim tip rebuilt per frame)."""

    def __init__(self, color, tip=0.2):
        self.shaft = VMobject(stroke_color=color, stroke_width=6)
        self.head = Polygon([0, 0, 0], [1, 0, 0], [0, 1, 0], stroke_width=0, fill_color=color, fill_opacity=1)
        self.tip = tip
        super().__init__(self.shaft, self.head)

    def put(self, start, end):
        length = abs(end[0] - start[0])
        tip = min(self.tip, 0.6 * length)
        sign = 1 if end[0] >= start[0] else -1
        back = end - np.array([sign * tip, 0, 0])
        if length < 1e-3:
            back = end = start + np.array([1e-3, 0, 0])
        set_segments(self.shaft, [(start, back + np.array([sign * 0.01, 0, 0]))])
        self.head.set_points_as_corners([end, back + [0, tip * 0.6, 0], back - [0, tip * 0.6, 0], end])
        return self


class _CurveScene(TraceScene):
    def default_trace_and_step(self):
        return None, None

    def drive(self, apply, *movers, **kwargs):
        """An animation calling apply(t) every frame, redrawing those of `movers` that are on screen (Manim
        draws what no animation names once, as a still, when a play begins)."""
        shown = set(self.get_mobject_family_members())
        return Tween(Group(*[m for m in movers if m in shown]), lambda _, t: apply(t), **kwargs)

    def function(self):
        f = Function(self.options.function or WORKSHOP_F)
        x0 = float(self.options.at)
        undefined = f.defined_at(x0)
        if undefined:
            raise ValueError(undefined)
        return f, x0

    def layout(self, f, panel, width=0.0):
        """The title (f) top left; the `panel` (text built from (0, 0) down, at least `width` wide) moved
        to the right, level with the plot's top (or the title's if it is too tall for that); returns the
        title and the area left for the plot."""
        left, bottom, right, top = safe_area(self.theme)
        panel_left = right - max(panel.width, width)
        title = heading(f"f(x) = {pretty(f.text)}", self.theme, max(panel_left - 0.6 - left, (right - left) / 3))
        title.move_to([left + title.width / 2, top - title.height / 2, 0])
        content_top = title.get_bottom()[1] - 0.35
        panel.shift([panel_left, content_top if panel.height <= content_top - bottom else top, 0])
        return title, (left, bottom, panel_left - 0.6, content_top)


class Derivative(_CurveScene):
    """The secant through x and x + h turning into the tangent as h shrinks."""

    def construct(self):
        f, x0 = self.function()
        theme, hs = self.theme, secant_schedule()
        formula = column([("slope = rise / run", theme.text), (f"rise = f(x + h) {MINUS} f(x)", theme.muted),
                          ("run = h", theme.muted)], theme, 0, 0)
        table_top = -3 * ROW - 0.25
        ratios = [number(secant_slope(f, x0, h), SIGNIFICANT) for h in hs]  # the table's rise / run
        rows = [(column([(number(h), theme.text)], theme, 0, table_top - (k + 1) * ROW), text(ratio, theme))
                for k, (h, ratio) in enumerate(zip(hs, ratios))]
        second = max(h.width for h, _ in rows) + 0.6
        rows = [VGroup(h, v.move_to([second + v.width / 2, h.get_center()[1], 0])) for h, v in rows]
        header = VGroup(column([("h", theme.muted)], theme, 0, table_top),
                        column([("rise / run", theme.muted)], theme, second, table_top))
        slope = f.derivative(x0)
        found = f"f\u2032({number(x0)}) = {number(slope, SIGNIFICANT)}"
        answer = column([(found, theme.accent),
                         ("the tangent's slope,", theme.muted), ("by backpropagation", theme.muted)],
                        theme, 0, table_top - (len(hs) + 1) * ROW - 0.25)
        title, area = self.layout(f, VGroup(formula, header, *rows, answer))

        marker_row = text("x + h", theme).height + 0.2
        axes = PlotAxes(theme, (area[0], area[1] + marker_row, area[2], area[3]), [derivative_view(f, x0)])
        curve = axes.plot(f, theme.text)
        secant = Secant(axes, f, x0, theme, area[1])
        secant.show(hs[0])
        self.add(title, axes, curve, secant.base)  # the first frame: the curve and the point x
        self.wait(0.5)
        self.play(fade(secant.moving, True), fade(formula, True), fade(header, True), run_time=1)
        self.play(fade(rows[0].set_color(theme.accent), True), run_time=0.4)
        h, x1 = hs[0], x0 + hs[0]
        self.mark_stop(f"The secant through x = {number(x0)} and x + h = {number(x1)}: run = h = {number(h)}, "
                       f"rise = f({number(x1)}) {MINUS} f({number(x0)}) = {number(f(x1))} {MINUS} {_factor(f(x0))} "
                       f"= {number(f(x1) - f(x0))}, so its slope rise / run is {ratios[0]}.")

        for k in range(1, len(hs)):
            self.add(rows[k].set_color(theme.accent).set_opacity(0))

            def shrink(t, k=k):  # h from one row's value to the next's, then that row appears
                secant.show(h_between(hs[k - 1], hs[k], smooth(min(t / 0.75, 1))))
                rows[k].set_opacity(max(t - 0.75, 0) / 0.25)
                rows[k - 1].set_color(theme.accent if t < 0.75 else theme.text)

            self.play(self.drive(shrink, secant, rows[k - 1], rows[k], rate_func=linear), run_time=1.6)
            self.wait(0.3)
        self.mark_stop(f"h shrank from {number(hs[0])} to {number(hs[-1])} and rise / run went "
                       f"{', '.join(ratios)}. At h = {number(hs[-1])} the secant lies on the tangent: the slopes "
                       "close in on one number.")

        tangent = VMobject(stroke_color=theme.accent, stroke_width=6)
        ends = axes.through(x0, f(x0), slope)
        if ends is not None:
            tangent.set_points_as_corners(ends)
        self.play(fade(secant.moving, False), fade(tangent, True), fade(answer, True), recolor(rows[-1], theme.text),
                  run_time=1)
        self.remove(secant.moving)
        self.mark_stop(f"That number is the tangent's slope, {found}. The engine computes it by backpropagation "
                       "through f, with no h at all.")
        self.end_note = (f"{found}: the slope of f at x = {number(x0)}, the number rise / run tends to as h "
                         "shrinks to 0.")


class Secant(VGroup):
    """The point x on f, and the secant to x + h with its run and rise, the markers x and x + h below
    the axis; `show(h)` redraws it for another h."""

    def __init__(self, axes, f, x0, theme, marker_y):
        super().__init__()
        self.axes, self.f, self.x0 = axes, f, x0
        accent = theme.accent
        self.p = Dot(axes.c2p(x0, f(x0)), radius=0.09, color=theme.text)
        self.p_drop = VMobject(stroke_color=theme.rule, stroke_width=2)
        self.x_label = text("x", theme)
        self.q = Dot(radius=0.09, color=accent)
        self.q_drop = VMobject(stroke_color=theme.rule, stroke_width=2)
        self.xh_label = text("x + h", theme, color=accent)
        self.line = VMobject(stroke_color=accent, stroke_width=5)
        self.run = VMobject(stroke_color=theme.muted, stroke_width=3)
        self.rise = VMobject(stroke_color=theme.muted, stroke_width=3)
        self.run_label = text("run", theme, color=theme.muted)
        self.rise_label = text("rise", theme, color=theme.muted)
        self.marker_y = marker_y  # the markers' baseline
        self.base = VGroup(self.p_drop, self.p, self.x_label)
        self.moving = VGroup(self.line, self.run, self.rise, self.q_drop, self.q, self.xh_label, self.run_label,
                             self.rise_label)
        self.add(self.base, self.moving)

    def show(self, h):
        axes, f, x0 = self.axes, self.f, self.x0
        bottom = axes.box[1]
        p, q, r = axes.c2p(x0, f(x0)), axes.c2p(x0 + h, f(x0 + h)), axes.c2p(x0 + h, f(x0))
        set_segments(self.p_drop, [([p[0], bottom, 0], p)])
        self.q.move_to(q)
        set_segments(self.q_drop, [([q[0], bottom, 0], q)])
        ends = axes.through(x0, f(x0), secant_slope(f, x0, h))
        if ends is not None:
            self.line.set_points_as_corners(ends)
        set_segments(self.run, [(p, r)])
        set_segments(self.rise, [(r, q)])
        # the markers x and x + h below the tick labels: each under its point, pushed apart when close
        a, b = self.x_label, self.xh_label
        overlap = (a.width + b.width) / 2 + 0.2 - (q[0] - p[0])
        push = max(overlap, 0) / 2
        a.move_to([p[0] - push, self.marker_y + a.height / 2, 0])
        b.move_to([q[0] + push, self.marker_y + b.height / 2, 0])
        # run and rise named while there is room, outside the triangle
        up = 1 if q[1] >= p[1] else -1
        run_fits = q[0] - p[0] > self.run_label.width + 0.3
        rise_fits = abs(q[1] - p[1]) > self.rise_label.height + 0.3
        self.run_label.move_to([(p[0] + q[0]) / 2, p[1] - up * (0.12 + self.run_label.height / 2), 0])
        self.rise_label.move_to([q[0] + 0.12 + self.rise_label.width / 2, (p[1] + q[1]) / 2, 0])
        self.run_label.set_opacity(1 if run_fits else 0)
        self.rise_label.set_opacity(1 if rise_fits and run_fits else 0)
        return self


class Descent(_CurveScene):
    """One step of x ← x − lr·f'(x) seen close up, then more steps rolling downhill; then g(a, b, c)."""

    STEPS = 60

    def construct(self):
        f, x0 = self.function()
        theme = self.theme
        path = rolling(f, x0, self.STEPS)
        first = path[0] if path else None
        slope = first.grad if first else secant_slope(f, x0, H)
        story = column([(f"slope at x = {number(x0)}", theme.muted),
                        (f"(f(x + h) {MINUS} f(x)) / h = {number(slope)}", theme.text),
                        (f"h = {H_WRITTEN},  lr = {LR}", theme.muted)], theme, 0, 0)
        panel = VGroup(story)
        if path:
            product = f"{MINUS}{LR} \u00b7 {_factor(slope)} = {number(first.step)}"
            moved = f"x \u2190 {number(first.x)} {_signed(first.step, ' ')} = {number(first.x_next)}"
            steps = column([(f"step = {MINUS}lr \u00b7 slope", theme.muted), (f"= {product}", theme.accent),
                            (moved, theme.text)], theme, 0, -3 * ROW - 0.3)
            quote = column([("Python prints", theme.muted), ("Before:", theme.text),
                            (f"f(x)={printed(first.fx)}", theme.text), ("After:", theme.text),
                            (f"f(x)={printed(first.fx_next)}", theme.text)], theme, 0, -6 * ROW - 0.6)
            last = path[-1]
            more = column([(f"{len(path) - 1} more steps", theme.muted)], theme, 0, 0)
            ended = [f"x = {number(last.x_next)}", f"slope = {number(secant_slope(f, last.x_next, H))}",
                     f"f(x) = {number(last.fx_next)}"]
            final = column([(f"after step {len(path)}", theme.text), *[(line, theme.text) for line in ended]],
                           theme, 0, -ROW)
            panel.add(steps, quote, more, final)
        title, area = self.layout(f, panel, text("slope = \u22120.0000", theme).width)  # room for the counters
        panel_left, top = story.get_left()[0], story.get_top()[1]

        wide = overview(f, path) if path else derivative_view(f, x0)
        near = close_up(f, first, wide) if path else wide
        axes = PlotAxes(theme, area, [wide, near])  # (labels rest during a zoom: no view between needs room)
        curve = axes.plot(f, theme.text)
        walk = Walk(axes, f, theme, path)
        walk.at(x0)
        self.add(title, axes, curve, walk.trail, walk.ball)  # the first frame: f and the ball at x
        self.wait(0.5)
        self.play(fade(walk.tangent, True), fade(story, True), run_time=1)
        downhill = "to the left" if slope > 0 else "to the right" if slope < 0 else "nowhere: f is flat here"
        self.mark_stop(f"The ball at x = {number(x0)}, where f(x) = {number(f(x0))}. The tangent's slope there, "
                       f"(f(x + h) {MINUS} f(x)) / h with h = {H_WRITTEN} as derivative0.py computes it, is "
                       f"{number(slope)}: downhill is {downhill}.")
        if not path:
            return self.show_g()

        walk.aim(first)
        self.play(fade(walk.step, True), fade(steps[0], True), fade(steps[1], True), run_time=0.8)
        self.zoom(axes, curve, f, walk, wide, near)
        self.play(fade(walk.label, True), run_time=0.4)
        self.play(self.drive(lambda t: walk.at(first.x + first.step * t), *walk), fade(steps[2], True),
                  run_time=1.2)
        self.play(fade(quote, True), run_time=0.8)
        self.mark_stop(f"One step, close up: step = {MINUS}lr \u00b7 slope = {product}, so {moved}. "
                       f"Python prints f(x) before and after: {printed(first.fx)}, then {printed(first.fx_next)}.")

        self.play(fade(VGroup(story, steps, quote, walk.label), False), run_time=0.6)
        self.remove(story, steps, quote, walk.label)
        self.zoom(axes, curve, f, walk, near, wide)
        if len(path) > 1:
            self.roll(walk, path, more, final, panel_left, top)
            self.mark_stop(f"{len(path) - 1} more steps. After step {len(path)}: {', '.join(ended)}. The steps "
                           f"shrank from {number(abs(first.step))} to {number(abs(last.step))} as the slope "
                           "flattened.")
        self.play(fade(Group(*self.mobjects), False), run_time=0.6)
        self.clear()
        self.show_g()

    def zoom(self, axes, curve, f, walk, start, end, seconds=2):
        """From view `start` to `end`; the tick labels rest while the lines move."""
        if start == end:
            return

        def show(t):
            axes.set_view(between(start, end, t), labels=False)
            axes.trace(curve, f)
            walk.redraw()

        self.play(fade(axes.labels, False), run_time=0.3)
        self.play(self.drive(show, axes, curve, *walk), run_time=seconds)
        axes.set_view(end)
        self.play(fade(axes.labels, True), run_time=0.3)

    def roll(self, walk, path, more, final, left, top):
        """The steps after the first, one every 0.1 s, the numbers of each beside the plot; at the end,
        `final` (the numbers after the last step)."""
        theme = self.theme
        counters = [live("", theme, left, top - k * ROW, theme.text) for k in range(1, 5)]

        def show(t):
            k = min(int(t * (len(path) - 1)), len(path) - 2) + 1
            s = path[k]
            walk.leave(k)
            walk.aim(s)
            walk.at(s.x + s.step * (t * (len(path) - 1) - (k - 1)))
            for line, content in zip(counters, [f"step {k + 1}", f"x = {number(s.x)}", f"slope = {number(s.grad)}",
                                                f"f(x) = {number(s.fx)}"]):
                line.set_text(content)

        show(0)
        self.add(more, *counters)
        self.play(self.drive(show, *walk, *counters, rate_func=linear), run_time=0.1 * (len(path) - 1) + 0.5)
        walk.leave(len(path))
        walk.at(path[-1].x_next)
        self.remove(*counters)
        self.add(final)
        self.wait(0.5)

    def show_g(self):
        """derivative1.py's g(a, b, c) = 3ab − c: each input nudged alone, then one step against the slopes."""
        theme = self.theme
        before, grads, moved, after = g_step()
        nudged = g_nudges()
        left, bottom, right, top = safe_area(theme)
        title = heading(f"g(a, b, c) = 3ab {MINUS} c", theme, right - left)
        title.move_to([left + title.width / 2, top - title.height / 2, 0])
        source = text("derivative1.py", theme, color=theme.muted)
        source.move_to([right - source.width / 2, title.get_center()[1], 0])
        note = text(f"nudges drawn {number(NUDGE)} long: derivative1.py nudges by h = {H_WRITTEN}", theme,
                    color=theme.muted)
        note.move_to([left + note.width / 2, bottom + note.height / 2, 0])
        names, values = ("a", "b", "c", "g"), (1, 2, 3, before)
        estimated = [f"\u2202g/\u2202{names[k]} \u2248 {number(nudged[k] - before)} / {number(NUDGE)} = "
                     f"{number(grads[k])}" for k in range(3)]
        stepped = [f"{names[k]} \u2190 {number(values[k])} {MINUS} {LR} \u00b7 {_factor(grads[k])} = "
                   f"{number(moved[k])}" for k in range(3)]
        exact = [f"3b = 3 \u00b7 {number(values[1])}", f"3a = 3 \u00b7 {number(values[0])}", f"{MINUS}1"]
        slopes = [text(line, theme) for line in estimated]
        updates = [text(line, theme, color=theme.accent) for line in stepped]
        quote = [text("Python prints", theme, color=theme.muted), text(f"g(a, b, c)={printed(before)}", theme),
                 text(f"g(a, b, c)={printed(after)}", theme, color=theme.accent)]
        notes_left = right - max(t.width for t in slopes + updates + quote)
        rows_top, rows_bottom = title.get_bottom()[1] - 0.2, note.get_top()[1] + 0.1
        pitch = (rows_top - rows_bottom) / 4
        name_width = max(text(f"{n} = {number(v)}", theme, _body(theme)).width for n, v in zip(names, values))
        rows = []
        for k, (name, value) in enumerate(zip(names, values)):
            y = rows_top - pitch * (k + 0.55)
            lo, hi = (value - 0.12, value + 0.12) if k < 3 else (2.4, 3.4)
            line = NumberRow(theme, left + name_width + 0.5, notes_left - 0.7, y, lo, hi, 5 if k < 3 else 6)
            rows.append(Dial(theme, name, value, line, left))
        split = (rows[2].number_row.y + rows[3].number_row.y) / 2 - 0.2
        rule = Line([left, split, 0], [notes_left - 0.4, split, 0], stroke_color=theme.rule, stroke_width=2)
        for k, line in enumerate(quote):
            line.move_to([notes_left + line.width / 2, rows[3].top() - k * ROW - line.height / 2, 0])
        for k in range(3):
            for j, line in enumerate((slopes[k], updates[k])):
                line.move_to([notes_left + line.width / 2, rows[k].top() - j * ROW - line.height / 2, 0])
        self.add(title, source, rule, *rows)  # the first frame of g: its inputs and its value
        self.play(fade(note, True), fade(VGroup(*quote[:2]), True), run_time=0.6)
        g = rows[3]
        for k in range(3):
            change = nudged[k] - before
            ghosts = VGroup(rows[k].nudge(NUDGE, f"+{number(NUDGE)}"), g.nudge(change, _signed(change)))
            self.add(ghosts)
            self.play(self.drive(lambda t, k=k: (rows[k].slide(t), g.slide(t)), ghosts), run_time=1)
            self.play(fade(slopes[k], True), run_time=0.6)
            self.mark_stop(f"Nudging {names[k]} alone by +{number(NUDGE)} moves g by {_signed(change)}: "
                           f"{estimated[k]}, the partial derivative ({exact[k]}, since g = 3ab {MINUS} c).")
            self.play(fade(ghosts, False), run_time=0.5)
            self.remove(ghosts)

        steps = VGroup(*[rows[k].nudge(moved[k] - values[k], _signed(moved[k] - values[k])) for k in range(3)],
                       g.nudge(after - before, _signed(after - before)))
        self.add(steps)
        self.play(self.drive(lambda t: [r.slide(t) for r in rows], steps), fade(VGroup(*updates), True),
                  run_time=1.5)
        self.play(fade(quote[2], True), run_time=0.6)
        self.mark_stop(f"One step against the slopes with lr = {LR}: {'; '.join(stepped)}. Python prints g "
                       f"going from {printed(before)} to {printed(after)}.")
        self.end_note = (f"g went down from {printed(before)} to {printed(after)}: a step of every input against its "
                         "partial derivative lowers g, as a training step lowers the loss.")


def _body(theme):
    return round(config.frame_height * theme.body_size, 3)


def _factor(value):
    """A number as a factor of a product: (−0.3513), parenthesised when negative."""
    return f"({number(value)})" if value < 0 else number(value)


def _signed(value, space=""):
    """+0.05 or −0.06 (or "+ 0.05" with space=" "): a change, its sign always written."""
    return f"{'+' if value >= 0 else MINUS}{space}{number(abs(value))}"


class Walk(VGroup):
    """The ball on f, the tangent through it, the step −lr·f'(x) as an arrow along the x axis, and a mark
    on the axis where each step of `path` began; drawn in the axes' current view."""

    def __init__(self, axes, f, theme, path):
        super().__init__()
        self.axes, self.f = axes, f
        self.ball = Dot(radius=0.13, color=theme.accent)
        self.tangent = VMobject(stroke_color=theme.accent, stroke_width=5)
        self.arrow = StepArrow(theme.accent)
        self.label = text(f"{MINUS}lr \u00b7 f\u2032(x)", theme, color=theme.accent)
        self.drops = VMobject(stroke_color=theme.rule, stroke_width=2)
        self.step = VGroup(self.drops, self.arrow)
        self.marks = [s.x for s in path] + [s.x_next for s in path[-1:]]
        self.trail = VMobject(stroke_color=theme.muted, stroke_width=2)
        self.begun = 0  # the marks shown: those of the steps begun so far
        self.x, self.current = None, None
        self.add(self.trail, self.tangent, self.step, self.label, self.ball)

    def at(self, x):
        self.x = x
        return self.redraw()

    def aim(self, step):
        self.current = step

    def leave(self, k):
        """Show the marks of steps 0..k."""
        self.begun = max(self.begun, k + 1)

    def redraw(self):
        axes, f = self.axes, self.f
        x, (left, bottom, right, top) = self.x, axes.box
        band = bottom + (top - bottom) * 0.09
        self.ball.move_to(axes.c2p(x, f(x)))
        ends = axes.through(x, f(x), secant_slope(f, x, H), length=3.6)
        if ends is not None:
            self.tangent.set_points_as_corners(ends)
        shown = []  # thinned where the steps are too close to tell apart
        for at in self.marks[:self.begun]:
            mx = axes.c2p(at, 0)[0]
            if left <= mx <= right and (not shown or abs(mx - shown[-1]) > 0.06):
                shown.append(mx)
        set_segments(self.trail, [([mx, bottom, 0], [mx, bottom + 0.16, 0]) for mx in shown])
        s = self.current
        if s is not None:
            start, end = axes.c2p(s.x, 0), axes.c2p(s.x_next, 0)
            start[1] = end[1] = band
            self.arrow.put(start, end)
            seen = 1 if abs(end[0] - start[0]) > 0.1 else 0  # shorter is no arrow (f'(x) about 0, or far out)
            self.arrow.set_opacity(seen)
            self.label.set_opacity(seen)
            ends = [axes.c2p(at, f(at)) for at in (s.x, s.x_next)]
            set_segments(self.drops, [([p[0], bottom, 0], p) for p in ends])
            half = self.label.width / 2
            mid = min(max((start[0] + end[0]) / 2, left + half + 0.1), right - half - 0.1)
            self.label.move_to([mid, band + 0.18 + self.label.height / 2, 0])
        return self


class Dial(VGroup):
    """One of g's inputs (or g) on its number line: "a = 1" on the left, a dot at the value, and a ghost
    that slides to value + change under an arrow, the change written beside the arrow."""

    def __init__(self, theme, name, value, number_row, left):
        super().__init__()
        self.theme, self.value, self.number_row = theme, value, number_row
        label = text(f"{name} = {number(value)}", theme, _body(theme))
        label.move_to([left + label.width / 2, number_row.y, 0])
        self.dot = Dot(number_row.point(value), radius=0.11, color=theme.text)
        self.add(number_row, label, self.dot)

    def top(self):
        """Where text beside this row begins (its top), level with the arrow above the line."""
        return self.number_row.y + 0.62

    def nudge(self, change, caption):
        """The ghost for value + change (not on screen until the scene adds it)."""
        accent = self.theme.accent
        self.change = change
        self.ghost = Dot(radius=0.11, color=accent)
        self.arrow = StepArrow(accent, tip=0.18)
        self.caption = text(caption, self.theme, color=accent)
        self.slide(0)
        return VGroup(self.arrow, self.ghost, self.caption)

    def slide(self, t):
        start = self.number_row.point(self.value)
        end = self.number_row.point(self.value + self.change * t)
        self.ghost.move_to(end)
        lift = np.array([0, 0.4, 0])
        self.arrow.put(start + lift, end + lift)
        self.arrow.set_opacity(1 if abs(end[0] - start[0]) > 0.05 else 0)
        side = 1 if self.change >= 0 else -1
        reach = abs(self.number_row.point(self.value + self.change)[0] - start[0])
        self.caption.move_to(start + lift + [side * (reach + 0.15 + self.caption.width / 2), 0, 0])
        self.caption.set_opacity(1 if t > 0.05 else 0)
        return self
