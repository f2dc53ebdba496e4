"""A long formula typed out like a person writing it: left to right, line by line, the term being
typed highlighted, the view scrolling down as lines fill and ending on the whole formula.

Everything is drawn once (two rasters: plain and highlighted); each frame only copies the part that
changed, so a formula of thousands of glyphs types at the speed of the video encoder.
"""

import math

import numpy as np
from manim import Animation, config, linear, smooth
from PIL import Image

from nnanim.scenes.raster import Raster
from nnanim.scenes.latex import svg_of
from nnanim.scenes.typeset import parse_svg, rasterize


class TypedFormula(Raster):
    """A formula (engine.formula.Formula) in the frame region `box` = (x, y, w, h) in pixels."""

    def __init__(self, formula, theme, box, background, paged=False, **kwargs):
        super().__init__(**kwargs)
        self.paged = paged  # scroll a page at a time and cut to the whole: few changed pixels (GIF)
        self.formula = formula
        glyphs = parse_svg(svg_of(formula.latex()))
        self.n = len(glyphs)
        x, y, w, h = box
        em = theme.formula_em * config.pixel_height
        scale = min(em / 10, (w - 2) / max(glyphs.width, 1e-9))  # LaTeX's em is 10 pt
        self.em_px = 10 * scale
        self.width_px = min(w, math.ceil(glyphs.width * scale) + 2)
        self.height_px = math.ceil(glyphs.height * scale) + 2
        size, offset = (self.width_px, self.height_px), (1, 1)
        self.plain = rasterize(glyphs, scale, size, offset, [theme.rgba(theme.text)] * self.n, background)
        self.lit = rasterize(glyphs, scale, size, offset, [theme.rgba(theme.accent)] * self.n, background)
        self.canvas = np.empty_like(self.plain)
        self.canvas[:] = background
        boxes = glyphs.boxes.copy()
        boxes[:, [1, 3]] -= glyphs.top
        boxes = boxes * scale + 1
        self._lay_out_lines(formula, glyphs, boxes)
        self.view_h = min(h, self.height_px)
        self.origin = (x + (w - self.width_px) // 2, y + max(0, (h - self.height_px) // 2))
        self.progress = 0.0  # glyphs typed, 0..n
        self.whole = 0.0  # 0: typing view, 1: the whole formula shown
        self._revealed = 0
        self._overview = None

    def _lay_out_lines(self, formula, glyphs, boxes):
        """Which glyphs form each line, the rows each line owns, the cursor after each glyph, and the
        first glyph of the term each glyph belongs to (the highlight's left end)."""
        counts = formula.line_glyphs()
        terms = [t.term for line in formula.lines for t in line for _ in range(t.glyphs)]
        if sum(counts) != self.n:  # LaTeX drew other glyphs than predicted: type by rows, no terms
            baselines = np.array([u[2] for u in glyphs.uses])
            breaks = np.flatnonzero(np.diff(baselines) > 4) + 1
            counts = np.diff(np.concatenate([[0], breaks, [self.n]])).tolist()
            terms = list(range(self.n))
        self.line_starts = np.concatenate([[0], np.cumsum(counts)]).astype(int)
        centers = [float(np.median((boxes[a:b, 1] + boxes[a:b, 3]) / 2)) if b > a else 0.0
                   for a, b in zip(self.line_starts[:-1], self.line_starts[1:])]
        blank = ~(self.plain != self.plain[0, 0]).any(axis=(1, 2))
        edges = [0] + [_blank_row_near(blank, int(c0), int(c1)) for c0, c1 in zip(centers, centers[1:])] \
            + [self.height_px]
        self.bands = list(zip(edges[:-1], edges[1:]))
        self.line_of = np.repeat(np.arange(len(counts)), counts)
        self.cursor = np.zeros(self.n, dtype=int)
        self.term_start = np.zeros(self.n, dtype=int)
        for a, b in zip(self.line_starts[:-1], self.line_starts[1:]):
            right = 0
            for i in range(a, b):
                right = max(right, int(math.ceil(boxes[i, 2])) + 1)
                self.cursor[i] = min(right, self.width_px)
                same = i > a and terms[i] == terms[i - 1]
                self.term_start[i] = self.term_start[i - 1] if same else i
        self.left = np.floor(boxes[:, 0]).astype(int).clip(0, self.width_px)

    # ----- state
    def scroll(self):
        """Top row of the formula in view: follows the line being typed, smoothly."""
        spare = self.height_px - self.view_h
        if spare <= 0 or self.n == 0:
            return 0
        i = min(int(self.progress), self.n - 1)
        line = self.line_of[i]
        a, b = self.line_starts[line], self.line_starts[line + 1]
        top, bottom = self.bands[line]
        y = top + (bottom - top) * (self.progress - a) / max(b - a, 1)
        if self.paged:
            page = 0.6 * self.view_h
            y = top + bottom - top
            return int(min(math.ceil(max(y + (bottom - top) - self.view_h, 0) / page) * page, spare))
        return int(min(max(y + 2 * (bottom - top) - self.view_h, 0), spare))

    def _reveal(self, n):
        """Copy glyphs up to n from the plain raster into the canvas (only what is new)."""
        if n <= self._revealed:
            return
        first = self.line_of[self._revealed] if self._revealed < self.n else len(self.bands)
        last = self.line_of[n - 1]
        for line in range(first, last + 1):
            top, bottom = self.bands[line]
            end = self.line_starts[line + 1]
            right = self.width_px if n >= end else self.cursor[n - 1]
            self.canvas[top:bottom, :right] = self.plain[top:bottom, :right]
        self._revealed = n

    # ----- drawing
    def paint(self, pixels):
        n = min(int(self.progress), self.n)
        self._reveal(n)
        x0, y0 = self.origin
        s, vh, w = self.scroll(), self.view_h, self.width_px
        target = pixels[y0:y0 + vh, x0:x0 + w]
        target[:] = self.canvas[s:s + vh]
        if 0 < n < self.n:
            i = n - 1
            top, bottom = self.bands[self.line_of[i]]
            left, right = self.left[self.term_start[i]], self.cursor[i]
            rows = slice(max(top, s), min(bottom, s + vh))
            if rows.start < rows.stop:
                target[rows.start - s:rows.stop - s, left:right] = self.lit[rows, left:right]
        if self.whole > 0 and self.height_px > self.view_h:
            overview = self._overview_image()
            mix = 256 if self.paged else int(round(self.whole * 256))
            target[:] = ((target.astype(np.uint16) * (256 - mix) + overview * mix) >> 8).astype(np.uint8)

    def layout_items(self):
        """The typing view (or the whole formula) as one text: its em is the line height."""
        from nnanim.scenes.layout import Item
        from nnanim.scenes.raster import scene_box

        x0, y0 = self.origin
        em = self.em_px * (self._overview_scale() if self.whole > 0.5 and self.height_px > self.view_h else 1)
        box = scene_box(x0, y0, x0 + self.width_px, y0 + self.view_h)
        return [Item("text", "formula", box, em / config.pixel_height * config.frame_height)]

    def _overview_scale(self):
        return self._overview_columns()[1]

    def _overview_image(self):
        """The whole formula shrunk into the view, in as many columns as make it largest (made once)."""
        if self._overview is None:
            columns, k = self._overview_columns()
            gap = int(0.03 * self.width_px)
            out = np.empty((self.view_h, self.width_px, 4), dtype=np.uint16)
            out[:] = self.plain[0, 0]
            x = (self.width_px - int(k * (len(columns) * self.width_px + (len(columns) - 1) * gap))) // 2
            for top, bottom in columns:
                part = Image.fromarray(self.plain[top:bottom])
                small = part.resize((max(1, int(self.width_px * k)), max(1, int((bottom - top) * k))), Image.LANCZOS)
                out[:small.height, x:x + small.width] = np.asarray(small)
                x += small.width + int(gap * k)
            self._overview = out
        return self._overview

    def _overview_columns(self):
        """Row ranges (split between lines) and the scale that fits them side by side."""
        best = None
        edges = [top for top, _ in self.bands] + [self.height_px]
        for count in range(1, 5):
            columns, start = [], 0
            for c in range(1, count):
                goal = self.height_px * c / count
                cut = min(edges, key=lambda e: abs(e - goal))
                if cut > start:
                    columns.append((start, cut))
                    start = cut
            columns.append((start, self.height_px))
            tallest = max(b - a for a, b in columns)
            k = min(self.view_h / tallest, 1 / (len(columns) * 1.03))
            if best is None or k > best[1]:
                best = (columns, k)
        return best


def _blank_row_near(blank, top, bottom):
    """The row between two lines' centres nearest their middle with no ink in it (or the middle):
    a tall parenthesis reaching past the middle stays with its own line."""
    middle = (top + bottom) // 2
    rows = [r for r in range(top, bottom) if blank[r]]
    return min(rows, key=lambda r: abs(r - middle)) if rows else middle


class TypeOut(Animation):
    """Type the formula at an even pace (a person typing), over `run_time`."""

    def __init__(self, typed, **kwargs):
        super().__init__(typed, rate_func=linear, **kwargs)

    def create_starting_mobject(self):
        return self.mobject  # nothing to interpolate from: the state is one number

    def interpolate_mobject(self, alpha):
        self.mobject.progress = alpha * self.mobject.n


class ShowWhole(Animation):
    """From the typing view to the whole formula, when it did not fit."""

    def __init__(self, typed, **kwargs):
        super().__init__(typed, rate_func=smooth, **kwargs)

    def create_starting_mobject(self):
        return self.mobject

    def interpolate_mobject(self, alpha):
        self.mobject.whole = alpha
