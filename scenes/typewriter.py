"""A long formula typed out like a person writing it: left to right, line by line, the term being typed
highlighted, every symbol in the colour of its layer, the view scrolling down as lines fill; then a zoom
out to the whole formula, one scale at a time (never a large and a small copy over each other).
`FormulaStill` draws a short formula (the folded structure) as large as its box allows.

Everything is drawn once (two rasters: coloured and highlighted); each frame only copies the part that
changed, so a formula of thousands of glyphs types at the speed of the video encoder.
"""

import math

import numpy as np
from manim import Animation, config, linear, smooth
from PIL import Image

from nnanim.scenes.raster import Raster, scene_box
from nnanim.scenes.typeset import fill, glyphs_of, rasterize

PAD_EM = 0.3  # room left and right of the formula, for the network's band
BAND_PAD_EM = 0.12  # the band's reach past the network's first and last glyph on a line


class Typeset:
    """A Formula (scenes/formula_plan.py) laid out at `scale` pixels per point: the glyphs of each line, the rows
    each line owns, each glyph's colour (its layer's) and the band behind the network's part of a loss.
    When LaTeX drew other glyphs than the tokens predict, lines come from the baselines and every glyph
    is in the text colour."""

    def __init__(self, formula, glyphs, scale, theme):
        self.formula, self.glyphs, self.scale, self.theme = formula, glyphs, scale, theme
        self.n = len(glyphs)
        self.em = 10 * scale  # LaTeX's em is 10 pt
        pad = math.ceil(PAD_EM * self.em)
        self.offset = (pad, 1)
        self.width = math.ceil(glyphs.width * scale) + 2 * pad
        self.height = math.ceil(glyphs.height * scale) + 2
        boxes = glyphs.boxes.copy()
        boxes[:, [0, 2]] -= glyphs.left
        boxes[:, [1, 3]] -= glyphs.top
        self.boxes = boxes * scale + np.array([pad, 1, pad, 1])
        counts = formula.line_glyphs()
        tokens = [t for line in formula.lines for t in line for _ in range(t.glyphs)]
        self.matched = sum(counts) == self.n
        if not self.matched:
            baselines = np.array([u[2] for u in glyphs.uses])
            breaks = np.flatnonzero(np.diff(baselines) > 4) + 1
            counts = np.diff(np.concatenate([[0], breaks, [self.n]])).astype(int).tolist()
            tokens = []
        self.line_starts = np.concatenate([[0], np.cumsum(counts)]).astype(int)
        self.line_of = np.repeat(np.arange(len(counts)), counts)
        self.terms = [t.term for t in tokens] if tokens else list(range(self.n))
        rgba = {layer: theme.rgba(theme.layer_color(layer)) for layer in {t.layer for t in tokens} | {-1}}
        self.colors = [rgba[t.layer] for t in tokens] or [rgba[-1]] * self.n
        self.rows = self._line_rows()
        self.underlay = self._bands([t.network for t in tokens]) if tokens else []

    def _line_rows(self):
        """(top, bottom) rows of each line: split at the row between two lines' centres nearest their
        middle that no glyph reaches (a tall parenthesis reaching past the middle stays with its line)."""
        b = self.boxes
        centers = [float(np.median((b[s:e, 1] + b[s:e, 3]) / 2)) if e > s else 0.0
                   for s, e in zip(self.line_starts[:-1], self.line_starts[1:])]
        cover = np.zeros(self.height + 1, dtype=int)
        np.add.at(cover, np.floor(b[:, 1]).astype(int).clip(0, self.height), 1)
        np.add.at(cover, np.ceil(b[:, 3]).astype(int).clip(0, self.height), -1)
        blank = np.cumsum(cover)[:self.height] == 0
        edges = [0] + [_blank_row_near(blank, int(c0), int(c1)) for c0, c1 in zip(centers, centers[1:])] \
            + [self.height]
        return list(zip(edges[:-1], edges[1:]))

    def _bands(self, network):
        """One rectangle a line behind the network's glyphs: the lines' rows touch, so the part of the
        loss that is the network reads as one block."""
        rgba = self.theme.rgba(self.theme.band)
        pad = math.ceil(BAND_PAD_EM * self.em)
        out = []
        for line, (s, e) in enumerate(zip(self.line_starts[:-1], self.line_starts[1:])):
            inside = [i for i in range(s, e) if network[i]]
            if inside:
                top, bottom = self.rows[line]
                left = max(0, math.floor(self.boxes[inside, 0].min()) - pad)
                right = min(self.width, math.ceil(self.boxes[inside, 2].max()) + pad)
                out.append((left, top, right, bottom, rgba))
        return out

    def draw(self, background, color=None):
        """The whole formula in its colours (or all in `color`), with the network's bands."""
        colors = [self.theme.rgba(color)] * self.n if color else self.colors
        return rasterize(self.glyphs, self.scale, (self.width, self.height), self.offset, colors, background,
                         self.underlay)


class TypedFormula(Raster):
    """A formula (formula_plan.Formula) typed into the frame region `box` = (x, y, w, h) in pixels at
    the theme's formula size, or, when it fits whole, as large as the box allows up to `max_em` px."""

    def __init__(self, formula, theme, box, background, paged=False, max_em=None, **kwargs):
        super().__init__(**kwargs)
        self.paged = paged  # scroll a page at a time and cut to the whole: few changed pixels (GIF)
        self.formula = formula
        x, y, w, h = (int(v) for v in box)
        glyphs = glyphs_of(formula.latex())
        scale = self.scale_for(formula, theme, w)
        if max_em and glyphs.height * scale < h - 2:  # it fits: as large as the box allows, up to max_em px
            scale = max(scale, min(max_em / 10, (w - 2) / (glyphs.width + 20 * PAD_EM), (h - 4) / glyphs.height))
        self.layout = t = Typeset(formula, glyphs, scale, theme)
        self.n, self.em_px = t.n, t.em
        self.width_px, self.height_px = min(w, t.width), t.height
        self.plain = t.draw(background)
        self.lit = t.draw(background, theme.accent)
        self.canvas = np.empty_like(self.plain)
        fill(self.canvas, background)
        self.background = background
        self._cursors()
        self.tops = np.array([top for top, _ in t.rows])
        self.view_h = min(h, self.height_px)
        self.origin = (x + (w - self.width_px) // 2, y + max(0, (h - self.height_px) // 2))
        head = formula.lines[0][0].glyphs if t.matched and formula.lines else min(t.line_starts[1], self.n // 8)
        self.start = int(head)  # the first line's head is on screen from the first frame
        self.progress = float(self.start)  # glyphs typed, 0..n
        self.zoom = 0.0  # 0: the typing view, 1: the whole formula in the view
        self._revealed = 0
        self._levels = None
        self._zoomed = (None, None)

    @staticmethod
    def scale_for(formula, theme, width):
        """Pixels per point the formula is typed at in a box `width` px wide."""
        em = theme.formula_em * config.pixel_height
        return min(em / 10, (width - 2) / max(glyphs_of(formula.latex()).width + 20 * PAD_EM, 1e-9))

    @property
    def fits(self):
        """Whether the whole formula is on screen at its full size."""
        return self.height_px <= self.view_h

    def _cursors(self):
        """The cursor after each glyph (the right edge of its line so far), and the first glyph of the term
        each glyph belongs to (the highlight's left end)."""
        t = self.layout
        self.cursor = np.zeros(self.n, dtype=int)
        self.term_start = np.zeros(self.n, dtype=int)
        for a, b in zip(t.line_starts[:-1], t.line_starts[1:]):
            right = 0
            for i in range(a, b):
                right = max(right, int(math.ceil(t.boxes[i, 2])) + 1)
                self.cursor[i] = min(right, self.width_px)
                same = i > a and t.terms[i] == t.terms[i - 1]
                self.term_start[i] = self.term_start[i - 1] if same else i
        self.left = np.floor(t.boxes[:, 0]).astype(int).clip(0, self.width_px)

    # ----- state
    def scroll(self, progress=None):
        """Top row of the formula in view: follows the line being typed, smoothly."""
        progress = self.progress if progress is None else progress
        spare = self.height_px - self.view_h
        if spare <= 0 or self.n == 0:
            return 0
        t = self.layout
        i = min(int(progress), self.n - 1)
        line = t.line_of[i]
        a, b = t.line_starts[line], t.line_starts[line + 1]
        top, bottom = t.rows[line]
        if self.paged:
            page = 0.6 * self.view_h
            return int(min(math.ceil(max(bottom + (bottom - top) - self.view_h, 0) / page) * page, spare))
        y = top + (bottom - top) * (progress - a) / max(b - a, 1)
        return int(min(max(y + 2 * (bottom - top) - self.view_h, 0), spare))

    def _reveal(self, n):
        """Copy glyphs up to n from the plain raster into the canvas (only what is new)."""
        if n <= self._revealed:
            return
        t = self.layout
        first = t.line_of[self._revealed] if self._revealed < self.n else len(t.rows)
        last = t.line_of[n - 1]
        for line in range(first, last + 1):
            top, bottom = t.rows[line]
            end = t.line_starts[line + 1]
            right = self.width_px if n >= end else self.cursor[n - 1]
            self.canvas[top:bottom, :right] = self.plain[top:bottom, :right]
        self._revealed = n

    # ----- drawing
    def paint(self, pixels):
        x0, y0 = self.origin
        vh, w = self.view_h, self.width_px
        target = pixels[y0:y0 + vh, x0:x0 + w]
        if self.zoom > 0 and not self.fits:
            x, small = self._zoomed_view()
            fill(target[:, :x], self.background)
            fill(target[:, x + small.shape[1]:], self.background)
            target[:, x:x + small.shape[1]] = small
            return
        n = min(int(self.progress), self.n)
        self._reveal(n)
        s = self.scroll()
        target[:] = self.canvas[s:s + vh, :w]
        cut = self._first_whole_line_top(s) - s  # a line leaving at the top goes whole, not in slivers
        if cut > 0:
            fill(target[:cut], self.background)
        if 0 < n < self.n:
            i = n - 1
            top, bottom = self.layout.rows[self.layout.line_of[i]]
            left, right = self.left[self.term_start[i]], self.cursor[i]
            rows = slice(max(top, s), min(bottom, s + vh))
            if rows.start < rows.stop:
                target[rows.start - s:rows.stop - s, left:right] = self.lit[rows, left:right]

    def _first_whole_line_top(self, s):
        k = np.searchsorted(self.tops, s)
        return int(self.tops[k]) if k < len(self.tops) else s

    def zoom_scale(self):
        """How much the formula is shrunk now: 1 while typing, down to the whole formula in the view."""
        if self.zoom <= 0 or self.fits:
            return 1.0
        whole = min(self.view_h / self.height_px, 1.0)
        return whole if self.paged else whole ** self.zoom  # a steady zoom: the same ratio each frame

    def _zoomed_view(self):
        """(x, pixels): the view pulled back from the last lines (its bottom stays put) to the whole
        formula, drawn from a pyramid of halved copies so that a frame costs one small resize."""
        sigma = self.zoom_scale()
        if self._zoomed[0] == sigma:
            return self._zoomed[1]
        if self._levels is None:
            self._levels = [Image.frombuffer("RGBa", (self.width_px, self.height_px),
                                             np.ascontiguousarray(self.plain[:, :self.width_px]).tobytes(),
                                             "raw", "RGBa", 0, 1)]
            while self._levels[-1].height > 2 * self.view_h:
                self._levels.append(self._levels[-1].reduce(2))
        level = min(int(math.floor(-math.log2(sigma))), len(self._levels) - 1) if sigma < 1 else 0
        image, f = self._levels[level], 2 ** level
        bottom = self.scroll(self.n) + self.view_h
        top = bottom - self.view_h / sigma
        width = max(1, round(self.width_px * sigma))
        small = image.resize((width, self.view_h), Image.BOX, box=(0, top / f, image.width, bottom / f))
        self._zoomed = (sigma, ((self.width_px - width) // 2, np.asarray(small)))
        return self._zoomed[1]

    def layout_items(self):
        """What is drawn, as one text whose line height is its em (shrunk while zooming out)."""
        from nnanim.scenes.layout import Item

        sigma = self.zoom_scale()
        x0, y0 = self.origin
        width = round(self.width_px * sigma)
        left = x0 + (self.width_px - width) // 2
        box = scene_box(left, y0, left + width, y0 + self.view_h)
        return [Item("text", "formula", box, self.em_px * sigma / config.pixel_height * config.frame_height)]


class FormulaStill(Raster):
    """A short formula drawn whole, in its layers' colours, as large as the box (x, y, w, h) allows up to
    an em of `max_em` pixels, centred in it; rows spread apart (up to `MAX_GAP` em) to fill the box."""

    MAX_GAP = 1.0

    def __init__(self, formula, theme, box, background, max_em, **kwargs):
        super().__init__(**kwargs)
        self.formula = formula
        x, y, w, h = (int(v) for v in box)
        glyphs = glyphs_of(formula.latex())
        scale = self._scale(glyphs, w, h, max_em)
        rows = len(formula.lines)
        if rows > 1 and (h - 4) / scale > glyphs.height + 1:
            gap = min(self.MAX_GAP, ((h - 4) / scale - glyphs.height) / (rows - 1) / 10)
            glyphs = glyphs_of(formula.latex(gap))
            scale = self._scale(glyphs, w, h, max_em)
        self.layout = t = Typeset(formula, glyphs, scale, theme)
        self.em_px = t.em
        self.pixels = t.draw(background)
        self.origin = (x + (w - t.width) // 2, y + (h - t.height) // 2)

    @staticmethod
    def _scale(glyphs, w, h, max_em):
        return min(max_em / 10, (w - 4) / max(glyphs.width + 20 * PAD_EM, 1e-9), (h - 4) / max(glyphs.height, 1e-9))

    def paint(self, pixels):
        x0, y0 = self.origin
        h, w = self.pixels.shape[:2]
        pixels[y0:y0 + h, x0:x0 + w] = self.pixels

    def layout_items(self):
        from nnanim.scenes.layout import Item

        x0, y0 = self.origin
        h, w = self.pixels.shape[:2]
        box = scene_box(x0, y0, x0 + w, y0 + h)
        return [Item("text", "formula", box, self.em_px / config.pixel_height * config.frame_height)]


def _blank_row_near(blank, top, bottom):
    """The row between two lines' centres nearest their middle with no ink in it (or the middle)."""
    middle = (top + bottom) // 2
    rows = np.flatnonzero(blank[top:bottom]) + top
    return int(rows[np.argmin(np.abs(rows - middle))]) if len(rows) else middle


class TypeOut(Animation):
    """Type the formula at an even pace (a person typing) over `run_time`, from where it stands up to
    glyph `until` (by default, the end)."""

    def __init__(self, typed, until=None, **kwargs):
        super().__init__(typed, rate_func=linear, **kwargs)
        self.until = typed.n if until is None else until

    def begin(self):
        self.since = self.mobject.progress
        super().begin()

    def create_starting_mobject(self):
        return self.mobject  # nothing to interpolate from: the state is one number

    def interpolate_mobject(self, alpha):
        self.mobject.progress = self.since + alpha * (self.until - self.since)


class ZoomOut(Animation):
    """From the last lines typed to the whole formula: a steady pull back over the first `moving` part
    of `run_time`, then the whole formula held (for a GIF: a cut, few changed pixels)."""

    def __init__(self, typed, moving=0.6, **kwargs):
        super().__init__(typed, rate_func=lambda t: smooth(min(t / moving, 1.0)), **kwargs)

    def create_starting_mobject(self):
        return self.mobject

    def interpolate_mobject(self, alpha):
        self.mobject.zoom = alpha
