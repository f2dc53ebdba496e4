"""Axes drawn to the visual language (docs/visual-style.md), for plots of functions and number lines.

A plot's axes are the left and bottom edges of a box; ticks and their labels sit outside the box (in the
one face, made with `scenes.base.text`, never Manim's number mobjects), and what is plotted is clipped to
the box, so that no curve or line ever crosses a tick label. `PlotAxes.set_view` re-ranges the axes for
a zoom; each label is made once and reused. Any scene that plots a function can use it.
"""

import math

import numpy as np
from manim import Line, VGroup, VMobject, config

from nnanim.engine.numbers import number, tick_step
from nnanim.scenes.base import text

TICK = 0.1  # a tick mark's length, scene units
GAP = 0.1  # between a tick mark and its label


def safe_area(theme):
    """(left, bottom, right, top) of the title-safe area of the frame, in scene units."""
    return theme.safe_area(config.frame_width, config.frame_height)


def tick_values(lo, hi, count):
    """About `count` round values (1, 2 or 5 times a power of ten apart) from lo to hi, and their step."""
    step = tick_step(hi - lo, count)
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    return step, [k * step for k in range(first, last + 1)]


def tick_text(value, step):
    """A tick's label: as many digits as the step needs (2.9, 2.92), none of a float's noise."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    value = round(value, decimals)
    if value == 0:
        return "0"
    digits = math.floor(math.log10(abs(value))) + 1 + decimals
    return number(value, min(max(digits, 1), 7))


def clip(p, q, box):
    """The part of the segment p–q (scene points) inside box = (left, bottom, right, top), or None."""
    t0, t1 = 0.0, 1.0
    d = q - p
    for delta, start, lo, hi in ((d[0], p[0], box[0], box[2]), (d[1], p[1], box[1], box[3])):
        if abs(delta) < 1e-12:
            if not lo <= start <= hi:
                return None
            continue
        a, b = sorted(((lo - start) / delta, (hi - start) / delta))
        t0, t1 = max(t0, a), min(t1, b)
    if t1 - t0 < 1e-9:
        return None
    return p + t0 * d, p + t1 * d


def set_segments(mobject, pairs):
    """Make the VMobject `mobject` the straight segments (start, end) of `pairs`, as separate strokes: one
    mobject for many ticks, redrawn every frame by setting its points (cheaper than moving Lines)."""
    if not pairs:
        mobject.points = np.zeros((0, 3))
        return mobject
    a = np.array([p for p, _ in pairs], dtype=float)
    b = np.array([q for _, q in pairs], dtype=float)
    t = np.array([0, 1 / 3, 2 / 3, 1])[None, :, None]
    mobject.points = (a[:, None, :] + t * (b - a)[:, None, :]).reshape(-1, 3)
    return mobject


def clipped_runs(xs, ys, lo, hi):
    """The pieces of the polyline (xs, ys) with lo <= y <= hi, cut exactly where it leaves that band;
    a value that is not finite ends a piece."""
    runs, run = [], []
    for k, (x, y) in enumerate(zip(xs, ys)):
        inside = math.isfinite(y) and lo <= y <= hi
        if k and math.isfinite(y) and math.isfinite(ys[k - 1]):
            px, py = xs[k - 1], ys[k - 1]
            was = lo <= py <= hi
            if was != inside:
                edge = (hi if max(py, y) > hi else lo)
                run.append((px + (x - px) * (edge - py) / (y - py), edge))
        if inside:
            run.append((x, y))
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return [r for r in runs if len(r) > 1]


class PlotAxes(VGroup):
    """Axes on a box that fits `area` (left, bottom, right, top) with its labels, for every view in
    `views` (objects with x0, x1, y0, y1; the first is shown).

    During a zoom (`set_view(view, labels=False)` every frame) only lines move: Manim redraws, during a
    play, the parts a mobject had when the play began, so the parts are made once and the labels, which
    change, are hidden until the view rests."""

    def __init__(self, theme, area, views, x_ticks=6, y_ticks=5):
        super().__init__()
        self.theme, self.counts, self._labels = theme, (x_ticks, y_ticks), {}
        line = text("0", theme).height
        gutter = max(self._label("y", t).width for v in views for _, t in self._marks(v.y0, v.y1, y_ticks))
        overhang = max(self._label("x", t).width for v in views for _, t in self._marks(v.x0, v.x1, x_ticks)) / 2
        self.box = (area[0] + gutter + GAP + TICK, area[1] + line + GAP + TICK, area[2] - overhang,
                    area[3] - line / 2)
        left, bottom, right, top = self.box
        rule = dict(stroke_color=theme.rule, stroke_width=3)
        self.zero = VMobject(stroke_color=theme.rule, stroke_width=1.5)
        self.ticks = VMobject(**rule)
        self.labels = VGroup()
        frame = set_segments(VMobject(**rule), [((left, top, 0), (left, bottom, 0)),
                                                ((left, bottom, 0), (right, bottom, 0))])
        self.add(frame, self.zero, self.ticks, self.labels)
        self.set_view(views[0])

    def _marks(self, lo, hi, count):
        step, values = tick_values(lo, hi, count)
        return [(v, tick_text(v, step)) for v in values]

    def _label(self, axis, content):
        key = (axis, content)
        if key not in self._labels:
            self._labels[key] = text(content, self.theme, color=self.theme.muted)
        return self._labels[key]

    def c2p(self, x, y):
        v, (left, bottom, right, top) = self.view, self.box
        return np.array([left + (x - v.x0) / (v.x1 - v.x0) * (right - left),
                         bottom + (y - v.y0) / (v.y1 - v.y0) * (top - bottom), 0.0])

    def set_view(self, view, labels=True):
        """Show `view`: its ticks, and its labels unless `labels` is False (in a zoom)."""
        self.view = view
        left, bottom, right, top = self.box
        edge = 0.03 * (view.y1 - view.y0)
        inside = view.y0 + edge < 0 < view.y1 - edge  # y = 0, unless it is the bottom edge already
        set_segments(self.zero, [(self.c2p(view.x0, 0), self.c2p(view.x1, 0))] if inside else [])
        for count in range(self.counts[0], 1, -1):
            xs = [(self.c2p(v, 0)[0], self._label("x", t)) for v, t in self._marks(view.x0, view.x1, count)]
            if all(b[0] - a[0] > (a[1].width + b[1].width) / 2 + 0.2 for a, b in zip(xs, xs[1:])):
                break
        ys = [(self.c2p(0, v)[1], self._label("y", t)) for v, t in self._marks(view.y0, view.y1, self.counts[1])]
        set_segments(self.ticks, [((x, bottom, 0), (x, bottom - TICK, 0)) for x, _ in xs]
                     + [((left, y, 0), (left - TICK, y, 0)) for y, _ in ys])
        if labels:
            for x, label in xs:
                label.move_to([x, bottom - TICK - GAP - label.height / 2, 0])
            for y, label in ys:
                label.move_to([left - TICK - GAP - label.width / 2, y, 0])
            self.labels.remove(*self.labels.submobjects)
            self.labels.add(*[label.set_fill(opacity=1) for _, label in xs + ys])
        return self

    def trace(self, curve, f, samples=300):
        """Set the VMobject `curve` to f over the view, cut where f leaves it."""
        v = self.view
        xs = np.linspace(v.x0, v.x1, samples)
        curve.clear_points()
        for run in clipped_runs(xs, [f(x) for x in xs], v.y0, v.y1):
            points = [self.c2p(x, y) for x, y in run]
            curve.start_new_path(points[0])
            curve.add_points_as_corners(points[1:])
        return curve

    def plot(self, f, color, width=5):
        return self.trace(VMobject(stroke_color=color, stroke_width=width), f)

    def through(self, x, y, slope, length=None):
        """The ends of the line of `slope` through (x, y), `length` long on screen (by default across
        the whole box), cut to the box; None if nothing of it is inside."""
        if not all(math.isfinite(v) for v in (x, y, slope)):
            return None
        p = self.c2p(x, y)
        d = self.c2p(x + 1, y + slope) - p
        d /= np.linalg.norm(d)
        half = (length or 100.0) / 2
        return clip(p - half * d, p + half * d, self.box)


class NumberRow(VGroup):
    """A horizontal number line from `left` to `right` at height `y`, showing lo..hi, with round ticks
    labelled below it."""

    def __init__(self, theme, left, right, y, lo, hi, ticks=5):
        super().__init__()
        self.ends, self.range, self.y = (left, right), (lo, hi), y
        rule = dict(color=theme.rule, stroke_width=3)
        self.add(Line([left, y, 0], [right, y, 0], **rule))
        step, values = tick_values(lo, hi, ticks)
        for v in values:
            x = self.point(v)[0]
            label = text(tick_text(v, step), theme, color=theme.muted)
            self.add(Line([x, y + TICK / 2, 0], [x, y - TICK, 0], **rule),
                     label.move_to([x, y - TICK - GAP - label.height / 2, 0]))

    def point(self, value):
        (left, right), (lo, hi) = self.ends, self.range
        return np.array([left + (value - lo) / (hi - lo) * (right - left), self.y, 0.0])
