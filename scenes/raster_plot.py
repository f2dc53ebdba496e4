"""Curves, points and changing numbers drawn once with Cairo and blended into the frame with numpy, for
scenes that draw a long curve, many points or a number that changes every frame (Manim would redraw the
whole curve or every point as VMobjects, and set new text with Pango, in every frame)."""

from functools import lru_cache

import cairo
import numpy as np
from manim import config

from nnanim.scenes.raster import Raster, scene_box


def to_pixels(point):
    """A scene point (the camera's default frame) to pixel coordinates."""
    x = (point[0] + config.frame_width / 2) / config.frame_width * config.pixel_width
    y = (config.frame_height / 2 - point[1]) / config.frame_height * config.pixel_height
    return x, y


def _surface():
    w, h = config.pixel_width, config.pixel_height
    layer = np.zeros((h, w, 4), dtype=np.uint8)
    return layer, cairo.Context(cairo.ImageSurface.create_for_data(layer, cairo.FORMAT_ARGB32, w, h))


def _source(ctx, rgba):
    r, g, b, a = rgba
    ctx.set_source_rgba(b, g, r, a)  # Cairo's ARGB32 is BGRA in memory; Manim's frame is RGBA


def _blend(pixels, ys, xs, src):
    """Premultiplied `src` over the frame's pixels at (ys, xs)."""
    dst = pixels[ys, xs].astype(np.uint16)
    pixels[ys, xs] = (src + (dst * (255 - src[..., 3:4]) + 127) // 255).astype(np.uint8)


class _Sprites(Raster):
    """The pixels a Cairo drawing on a frame-sized layer inked, kept (sorted left to right) and blended
    into every frame."""

    def __init__(self, draw, **kwargs):
        super().__init__(**kwargs)
        layer, ctx = _surface()
        draw(ctx)
        ys, xs = np.nonzero(layer[..., 3])
        order = np.argsort(xs, kind="stable")
        self.ys, self.xs = ys[order], xs[order]
        self.colors = layer[self.ys, self.xs].astype(np.uint16)  # premultiplied RGBA

    def inked_box(self):
        return scene_box(self.xs.min(), self.ys.min(), self.xs.max() + 1, self.ys.max() + 1)


class RevealedCurve(_Sprites):
    """A polyline through scene points, revealed left to right up to `self.until` (a scene x)."""

    def __init__(self, points, rgba, width_px, **kwargs):
        def draw(ctx):
            _source(ctx, rgba)
            ctx.set_line_width(width_px)
            ctx.set_line_join(cairo.LINE_JOIN_ROUND)
            ctx.set_line_cap(cairo.LINE_CAP_ROUND)
            for k, p in enumerate(points):
                (ctx.move_to if k == 0 else ctx.line_to)(*to_pixels(p))
            ctx.stroke()

        super().__init__(draw, **kwargs)
        self.until = -np.inf

    def layout_items(self):
        from nnanim.scenes.layout import Item

        n = np.searchsorted(self.xs, to_pixels((self.until, 0))[0], side="right")
        if not n:
            return []
        ys, xs = self.ys[:n], self.xs[:n]
        return [Item("shape", "curve", scene_box(xs.min(), ys.min(), xs.max() + 1, ys.max() + 1))]

    def paint(self, pixels):
        n = np.searchsorted(self.xs, to_pixels((self.until, 0))[0], side="right")
        _blend(pixels, self.ys[:n], self.xs[:n], self.colors[:n])


class Scatter(_Sprites):
    """Points (scene coordinates) as discs of a fill colour each with an outline: drawn once, blended into
    every frame on top of whatever changes beneath them (a heatmap)."""

    def __init__(self, points, fills, outline, radius, outline_px, **kwargs):
        scale = config.pixel_height / config.frame_height

        def draw(ctx):
            ctx.set_line_width(outline_px)
            for p, fill in zip(points, fills):
                x, y = to_pixels(p)
                ctx.arc(x, y, radius * scale, 0, 2 * np.pi)
                _source(ctx, fill)
                ctx.fill_preserve()
                _source(ctx, outline)
                ctx.stroke()

        super().__init__(draw, **kwargs)

    def layout_items(self):
        from nnanim.scenes.layout import Item

        return [Item("shape", "points", self.inked_box())] if len(self.xs) else []

    def paint(self, pixels):
        _blend(pixels, self.ys, self.xs, self.colors)


@lru_cache(maxsize=8)
def _ink(font):
    """Where a line of `font` inks, per unit of font size: (above the baseline, below it) for "Mgy"."""
    probe = cairo.Context(cairo.ImageSurface(cairo.FORMAT_ARGB32, 1, 1))
    probe.select_font_face(font)
    probe.set_font_size(100)
    e = probe.text_extents("Mgy")
    return -e.y_bearing / 100, (e.height + e.y_bearing) / 100


def text_width(content, line_height, font="DejaVu Sans"):
    """How wide a RasterLabel of `content` is, in scene units."""
    above, below = _ink(font)
    probe = cairo.Context(cairo.ImageSurface(cairo.FORMAT_ARGB32, 1, 1))
    probe.select_font_face(font)
    probe.set_font_size(line_height / (above + below) * config.pixel_height / config.frame_height)
    return probe.text_extents(content).x_advance * config.frame_width / config.pixel_width


class RasterLabel(Raster):
    """A line of text drawn with Cairo's own text API, cheap to change every frame. `line_height` is its
    height from ascender to descender, as `scenes.base.text` measures it; `anchor` is the scene point at
    the middle of that height, at the line's left end (right end with align="right", its middle with
    align="center")."""

    def __init__(self, content, anchor, line_height, rgba, font="DejaVu Sans", align="left", **kwargs):
        super().__init__(**kwargs)
        self.anchor, self.rgba, self.font, self.align = anchor, rgba, font, align
        above, below = _ink(font)
        self.line_px = line_height / config.frame_height * config.pixel_height
        self.size_px = self.line_px / (above + below)
        self.above_px = above * self.size_px
        self._content, self._patch = None, None
        self.set_text(content)

    def set_text(self, content):
        if content == self._content:
            return
        self._content = content
        probe = cairo.Context(cairo.ImageSurface(cairo.FORMAT_ARGB32, 1, 1))
        probe.select_font_face(self.font)
        probe.set_font_size(self.size_px)
        ascent, descent = probe.font_extents()[:2]
        self.advance_px = probe.text_extents(content).x_advance
        pad = int(self.size_px * 0.15) + 2
        w, h = int(self.advance_px) + 2 * pad, int(ascent + descent) + 2 * pad
        patch = np.zeros((h, w, 4), dtype=np.uint8)
        ctx = cairo.Context(cairo.ImageSurface.create_for_data(patch, cairo.FORMAT_ARGB32, w, h))
        ctx.select_font_face(self.font)
        ctx.set_font_size(self.size_px)
        _source(ctx, self.rgba)
        ctx.move_to(pad, pad + ascent)
        ctx.show_text(content)
        x, y = to_pixels(self.anchor)
        left = x - {"left": 0, "right": self.advance_px, "center": self.advance_px / 2}[self.align]
        self.line_top_px = y - self.line_px / 2  # the top of the line's ink, in frame pixels
        self._left_px = left
        baseline = self.line_top_px + self.above_px
        self._patch = (patch.astype(np.uint16), int(round(left - pad)), int(round(baseline - pad - ascent)))

    def layout_items(self):
        from nnanim.scenes.layout import Item

        box = scene_box(self._left_px, self.line_top_px, self._left_px + self.advance_px,
                        self.line_top_px + self.line_px)
        return [Item("text", self._content[:40], box, self.line_px / config.pixel_height * config.frame_height)]

    def paint(self, pixels):
        patch, x, y = self._patch
        h, w = patch.shape[:2]
        H, W = pixels.shape[:2]
        x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, W), min(y + h, H)
        if x0 >= x1 or y0 >= y1:
            return
        src = patch[y0 - y:y1 - y, x0 - x:x1 - x]
        dst = pixels[y0:y1, x0:x1].astype(np.uint16)
        pixels[y0:y1, x0:x1] = (src + (dst * (255 - src[..., 3:4]) + 127) // 255).astype(np.uint8)
