"""A run's loss as a chart that fills a box: steps across, the loss up (linear from 0, or log in decades),
tick labels and axis names in the one text face, the curve revealed as the run plays with a head at its
tip and a readout of the step and the loss; NaN or infinite steps marked along the axis as they come.
Used by `loss` (the whole frame) and `training` (a part of it)."""

import math

import numpy as np
from manim import Dot, Line, VGroup, config

from nnanim.scenes.base import text
from nnanim.scenes.drawable import clamped
from nnanim.scenes.raster_plot import RasterLabel, RevealedCurve, text_width
from nnanim.scenes.training_plan import (Box, bad_runs, linear_ticks, log_label, log_ticks, step_ticks,
                                         value_text)

TICK = 0.1  # length of a tick mark, scene units
GAP = 0.12  # between a tick and its label


class LossChart(VGroup):
    """The axes, ticks and names (static, this VGroup) of a loss chart in `box`; `moving` are the parts
    that `show(k)` changes: the curve, its head, the readout and the marks of NaN steps."""

    def __init__(self, losses, box, theme, log=False):
        super().__init__()
        self.losses = np.asarray(losses, dtype=float)
        self.theme, self.log, self.n = theme, log, len(self.losses)
        line = round(config.frame_height * theme.min_text, 3)
        self.line, self.row = line, line * 1.45
        self.drawn = clamped(self.losses)  # the readout writes each loss; the curve draws it (scenes/drawable.py)
        finite = np.isfinite(self.drawn) & ((self.drawn > 0) if log else True)
        self.steps = np.flatnonzero(finite)
        values = self.drawn[self.steps]
        self.last = max(self.n - 1, 1)

        self.bad = bad_runs(self.losses)
        self.readout_text = [self.readout_of(k) for k in range(self.n)]
        readout_w = max((text_width(s, line, theme.font) for s in set(self.readout_text)), default=0)
        y_name = text("\u2191 loss" + (" (log scale)" if log else ""), theme, line, color=theme.muted)
        shared = y_name.width + readout_w + 0.5 <= box.width  # the axis name and the readout on one row
        rows = 1 + bool(self.bad) + (not shared)  # from the top: readout, the NaN note, the axis name
        top_rows, rest = box.cut_top(rows * self.row, gap=0.15)
        bottom, top = rest.bottom + self.row + GAP + TICK, rest.top
        most = min(max(2, int((top - bottom) / (line * 1.8)) + 1), 6)  # labels at least 1.8 lines apart
        if log:
            bottom_v, top_v, ticks = log_ticks(values.min(), values.max(), most)
            y_ticks = [(math.log10(t), log_label(t)) for t in ticks]
        else:
            bottom_v, top_v, ticks = linear_ticks(values.min(), values.max(), most - 1)
            y_ticks = [(t, value_text(t)) for t in ticks]
        self.y_range = (bottom_v, top_v)
        y_labels = [(y, text(s, theme, line, color=theme.muted)) for y, s in y_ticks]
        gutter = max(label.width for _, label in y_labels) + GAP + TICK
        x_name = text("step \u2192", theme, line, color=theme.muted)
        x_ticks = step_ticks(self.last, max(2, int((box.width - gutter) / (line * 6))))
        x_labels = [(x, text(str(x), theme, line, color=theme.muted)) for x in x_ticks]
        self.plot = Box(box.left + gutter, bottom, box.right - x_labels[-1][1].width / 2, top)

        axis = dict(color=theme.rule, stroke_width=3)
        p = self.plot
        self.add(Line([p.left, p.bottom, 0], [p.right, p.bottom, 0], **axis),
                 Line([p.left, p.bottom, 0], [p.left, p.top, 0], **axis))
        for y, label in y_labels:
            at = self.y_of(y)
            self.add(Line([p.left - TICK, at, 0], [p.left, at, 0], **axis))
            if at > p.bottom + 1e-6:
                self.add(Line([p.left, at, 0], [p.right, at, 0], color=theme.rule, stroke_width=1.5,
                              stroke_opacity=0.45))
            self.add(label.move_to([p.left - TICK - GAP - label.width / 2, at, 0]))
        x_name.move_to([box.right - x_name.width / 2, p.bottom - GAP - TICK - line / 2, 0])
        for x, label in x_labels:
            at = self.x_of(x)
            label.move_to([at, x_name.get_y(), 0])
            if label.get_right()[0] < x_name.get_left()[0] - 0.2:  # else it would touch the axis's name
                self.add(Line([at, p.bottom, 0], [at, p.bottom - TICK, 0], **axis), label)
        row_y = [top_rows.top - self.row * (r + 0.5) for r in range(rows)]
        self.add(x_name, y_name.move_to([box.left + y_name.width / 2, row_y[0 if shared else -1], 0]))

        self.readout = RasterLabel("", [box.right, row_y[0], 0], line, theme.rgba(theme.text), font=theme.font,
                                   align="right")
        self.note = RasterLabel("", [box.right, row_y[1], 0], line, theme.rgba(theme.negative), font=theme.font,
                                align="right") if self.bad else None
        self.tip_points = [self.point(k) for k in self.steps]
        self.curve = RevealedCurve(self.tip_points or [p.center], theme.rgba(theme.accent),
                                   5 * config.pixel_height / 1080)
        self.head = Dot(self.tip_points[0] if self.tip_points else p.center, radius=0.08, color=theme.accent)
        mark = dict(color=theme.negative, stroke_width=10)
        self.marks = [(a, Line([self.x_of(a) - 0.03, p.bottom, 0], [self.x_of(b) + 0.03, p.bottom, 0], **mark)
                       .set_stroke(opacity=0)) for a, b in self.bad]
        self.moving = [self.curve, self.head, self.readout, *[m for _, m in self.marks]] + \
            ([self.note] if self.note else [])

    def readout_of(self, k):
        return f"step {k} of {self.n}  \u00b7  loss {value_text(self.losses[k])}"

    def x_of(self, step):
        return self.plot.left + step / self.last * self.plot.width

    def y_of(self, value):
        lo, hi = self.y_range
        return self.plot.bottom + (value - lo) / (hi - lo) * self.plot.height

    def point(self, k):
        """The scene point of step k's loss (log10 of it on a log axis)."""
        v = self.drawn[k]
        return np.array([self.x_of(k), self.y_of(math.log10(v) if self.log else v), 0.0])

    def show(self, k):
        """The chart as it stands at step k: the curve drawn up to it, the head on its last finite loss."""
        self.curve.until = self.x_of(k) + 1e-6
        shown = np.searchsorted(self.steps, k, side="right")
        if shown:
            self.head.move_to(self.tip_points[shown - 1]).set_opacity(1)
        else:
            self.head.set_opacity(0)
        self.readout.set_text(self.readout_text[k])
        for first, mark in self.marks:
            mark.set_stroke(opacity=1 if k >= first else 0)
        if self.note:
            self.note.set_text(f"NaN or infinite from step {self.bad[0][0]}" if k >= self.bad[0][0] else "")
