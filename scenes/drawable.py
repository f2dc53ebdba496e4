"""What a scene draws of a trace's numbers, whatever the trace holds.

A crafted or diverged trace may hold any float: 1e308 (twice that overflows, and so does an axis that
spans it), 5e-324 (its tick steps underflow to 0), inf and NaN. Scenes write every number as it is, and
draw (place, colour, scale) finite ones within ±LIMIT where they are; beyond, at the edge of what is
drawn (±LIMIT: an axis's end, a colour scale's full colour), and those smaller than SMALLEST in size as
0; a caption and the speaker's note name the first such number. NaN and infinities are a diverged run's:
the scenes mark them where they are. No manim here.
"""

import math
from dataclasses import dataclass

import numpy as np

from nnanim.engine.numbers import number, superscript
from nnanim.scenes.notation import subscripted, wrapped

LIMIT = 1e100  # far beyond any run that learns; its square, and a sum of many, are still finite
SMALLEST = 1 / LIMIT


def clamped(values):
    """`values` as they are drawn: finite ones beyond ±LIMIT at ±LIMIT, those smaller than SMALLEST in size
    at 0; NaN and infinities kept (a diverged run's steps are marked, not drawn)."""
    v = np.array(values, dtype=float)
    finite = np.isfinite(v)
    v[finite & (np.abs(v) < SMALLEST)] = 0.0
    return np.where(finite, np.clip(v, -LIMIT, LIMIT), v)


def moved(values):
    """Where `clamped` changes a number: finite, not 0, and beyond ±LIMIT or smaller than SMALLEST in size."""
    v = np.asarray(values, dtype=float)
    size = np.abs(v)
    return np.isfinite(v) & ((size > LIMIT) | ((size < SMALLEST) & (size > 0)))


def scale_of(arrays):
    """Where a diverging colour scale saturates: the largest finite |value| of `arrays`, rounded up to 0.5,
    at least 0.5 and at most LIMIT (beyond it, the full colour)."""
    sizes = [np.abs(clamped(a)) for a in arrays]
    largest = max((float(s[np.isfinite(s)].max()) for s in sizes if np.isfinite(s).any()), default=1.0)
    return min(max(math.ceil(largest * 2) / 2, 0.5), LIMIT)


@dataclass(frozen=True)
class Clamped:
    """The first number a scene draws somewhere else than at its value: at row `where` (`step 3`,
    `example 0`), the number `name` (a label, `the loss`) is `value`."""

    where: str
    name: str
    value: float

    def said(self):
        """`step 0: w₀₀₀ = 1e+308, beyond ±10¹⁰⁰: drawn at the edge`, short enough for a caption."""
        power = "10" + superscript(str(round(math.log10(LIMIT))))
        edge = (f"beyond \u00b1{power}: drawn at the edge" if abs(self.value) > LIMIT else
                f"below 10{superscript('-' + str(round(math.log10(LIMIT))))} in size: drawn as 0")
        return f"{self.where}: {wrapped(subscripted(self.name), 16, lines=1)} = {number(self.value)}, {edge}"


def first_clamped(table, names, rows=None, row="step"):
    """The first number of `table` (rows x columns, or one column) that `clamped` moves, in the rows
    `rows` (all by default), as a Clamped; None if there is none. `names` names the columns (a list), or
    the one column (a string)."""
    table = np.asarray(table, dtype=float)
    table = table[:, None] if table.ndim == 1 else table
    rows = np.arange(len(table)) if rows is None else np.unique(np.asarray(rows, dtype=int))
    found = np.argwhere(moved(table[rows]))
    if not len(found):
        return None
    r, c = (int(i) for i in found[0])
    return Clamped(f"{row} {rows[r]}", names if isinstance(names, str) else names[c], float(table[rows[r], c]))
