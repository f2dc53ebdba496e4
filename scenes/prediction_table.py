"""A few examples' predictions beside their targets while a run trains: one row per example, one column
per output. In each cell a number line from −1 to 1 holds the target as a ring and the prediction as a
dot that moves toward it (the gap between them drawn), and the prediction's value stands in an aligned
column beside it."""

import numpy as np
from manim import Circle, Dot, Line, VGroup, config

from nnanim.engine.numbers import MINUS
from nnanim.scenes.base import text
from nnanim.scenes.raster_plot import RasterLabel, text_width
from nnanim.scenes.training_plan import value_text

CELL_GAP = 0.6  # between the columns of two outputs
RING, DOT = 0.13, 0.09  # the target's ring and the prediction's dot, which fits inside it
LIMIT = 1.1  # the number lines run from −LIMIT to LIMIT; a prediction beyond stays at the end


def rows_of(examples, outputs):
    """How many rows of text the table takes: the legend, the outputs' names (for more than one), one
    per example, and the number line's ticks."""
    return 1 + (outputs > 1) + examples + 1


class PredictionTable(VGroup):
    """The static part (this VGroup: names, lines, ticks, rings) of the table in `box`; `moving` are the
    dots, the gaps and the values that `show(predictions)` changes. `predictions` is every frame's
    (examples, outputs) array, so that the value column is as wide as its widest value."""

    def __init__(self, names, targets, predictions, box, theme):
        super().__init__()
        targets = np.asarray(targets, dtype=float)
        n, outputs = targets.shape
        line = round(config.frame_height * theme.min_text, 3)
        row = box.height / rows_of(n, outputs)
        ys = [box.top - row * (r + 0.5) for r in range(rows_of(n, outputs))]
        name_texts = [text(name, theme, line) for name in names]
        name_w = max(t.width for t in name_texts)
        values = {value_text(v) for v in np.asarray(predictions, dtype=float).ravel()} | {MINUS + "0.0000"}
        value_w = max(text_width(v, line, theme.font) for v in values)
        room = (box.width - name_w - 0.4 - outputs * (value_w + 0.3) - (outputs - 1) * CELL_GAP) / outputs
        self.span = (room - 2 * RING) / (2 * LIMIT)  # scene units per unit of the number line

        legend = VGroup(VGroup(Dot(radius=DOT, color=theme.accent), text("prediction", theme, line, color=theme.muted))
                        .arrange(buff=0.15),
                        VGroup(Circle(radius=RING, color=theme.text, stroke_width=3),
                               text("target", theme, line, color=theme.muted)).arrange(buff=0.15)).arrange(buff=0.5)
        self.add(legend.move_to([box.left + legend.width / 2, ys[0], 0]))
        rows = ys[1 + (outputs > 1):-1]
        for name, y in zip(name_texts, rows):
            self.add(name.move_to([box.left + name.width / 2, y, 0]))

        rule = dict(color=theme.rule, stroke_width=3)
        self.cells, self.moving = [], []
        for o in range(outputs):
            value_right = box.left + name_w + 0.4 + o * (value_w + 0.3 + room + CELL_GAP) + value_w
            zero = value_right + 0.3 + RING + LIMIT * self.span  # where 0 is on this column's lines
            if outputs > 1:
                self.add(text(f"output {o}", theme, line, color=theme.muted).move_to([zero, ys[1], 0]))
            for tick in (-1, 0, 1):
                self.add(text(MINUS + "1" if tick < 0 else str(tick), theme, line, color=theme.muted)
                         .move_to([self.x(zero, tick), ys[-1], 0]))
            for e, y in enumerate(rows):
                target = self.x(zero, targets[e, o])
                self.add(Line([self.x(zero, -LIMIT), y, 0], [self.x(zero, LIMIT), y, 0], **rule),
                         *[Line([self.x(zero, t), y - 0.08, 0], [self.x(zero, t), y + 0.08, 0], **rule)
                           for t in (-1, 0, 1)],
                         Circle(radius=RING, color=theme.text, stroke_width=3).move_to([target, y, 0]))
                gap = Line([self.x(zero, -1), y, 0], [self.x(zero, 1), y, 0], color=theme.accent, stroke_width=9,
                           stroke_opacity=0.45)
                dot = Dot([zero, y, 0], radius=DOT, color=theme.accent)
                value = RasterLabel("", [value_right, y, 0], line, theme.rgba(theme.text), font=theme.font,
                                    align="right")
                self.cells.append((e, o, zero, y, target, gap, dot, value))
                self.moving += [gap, dot, value]

    def x(self, zero, value):
        """The scene x of `value` on a number line whose 0 is at `zero` (beyond ±LIMIT: at its end)."""
        return zero + float(np.clip(value, -LIMIT, LIMIT)) * self.span

    def show(self, predictions):
        """Each dot at its prediction, the gap from it to the target drawn, the value written."""
        for e, o, zero, y, target, gap, dot, value in self.cells:
            p = float(predictions[e][o])
            value.set_text(value_text(p))
            x = self.x(zero, p) if np.isfinite(p) else None
            dot.set_opacity(0 if x is None else 1)
            if x is not None:
                dot.move_to([x, y, 0])
            apart = x is not None and abs(x - target) > 1e-3
            if apart:
                gap.put_start_and_end_on([target, y, 0], [x, y, 0])
            gap.set_stroke(opacity=0.45 if apart else 0)
