"""Curves and changing numbers drawn once with Cairo and blended into the frame with numpy, for scenes
that draw a long curve or update a number every frame (Manim would redraw the whole curve as a
VMobject and set new text with Pango in every frame)."""

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


class RevealedCurve(Raster):
    """A polyline through scene points, revealed left to right up to `self.until` (a scene x)."""

    def __init__(self, points, rgba, width_px, **kwargs):
        super().__init__(**kwargs)
        layer, ctx = _surface()
        _source(ctx, rgba)
        ctx.set_line_width(width_px)
        ctx.set_line_join(cairo.LINE_JOIN_ROUND)
        ctx.set_line_cap(cairo.LINE_CAP_ROUND)
        for k, p in enumerate(points):
            (ctx.move_to if k == 0 else ctx.line_to)(*to_pixels(p))
        ctx.stroke()
        ys, xs = np.nonzero(layer[..., 3])
        order = np.argsort(xs, kind="stable")
        self.ys, self.xs = ys[order], xs[order]
        self.colors = layer[self.ys, self.xs].astype(np.uint16)  # premultiplied RGBA
        self.until = -np.inf

    def layout_items(self):
        from nnanim.scenes.layout import Item

        if not len(self.xs):
            return []
        return [Item("shape", "curve", scene_box(self.xs.min(), self.ys.min(), self.xs.max() + 1, self.ys.max() + 1))]

    def paint(self, pixels):
        n = np.searchsorted(self.xs, to_pixels((self.until, 0))[0], side="right")
        ys, xs, src = self.ys[:n], self.xs[:n], self.colors[:n]
        dst = pixels[ys, xs].astype(np.uint16)
        pixels[ys, xs] = (src + (dst * (255 - src[:, 3:4]) + 127) // 255).astype(np.uint8)


class RasterLabel(Raster):
    """A line of text drawn with Cairo's own text API, cheap to change every frame. `anchor` is the
    scene point of its top-left (or top-right with align="right")."""

    def __init__(self, content, anchor, height, rgba, font="DejaVu Sans", align="left", **kwargs):
        super().__init__(**kwargs)
        self.anchor, self.rgba, self.font, self.align = anchor, rgba, font, align
        self.size_px = height / config.frame_height * config.pixel_height
        self._content, self._patch = None, None
        self.set_text(content)

    def set_text(self, content):
        if content == self._content:
            return
        self._content = content
        probe = cairo.Context(cairo.ImageSurface(cairo.FORMAT_ARGB32, 1, 1))
        probe.select_font_face(self.font)
        probe.set_font_size(self.size_px)
        extents = probe.text_extents(content)
        w, h = int(extents.x_advance + 4), int(self.size_px * 1.35)
        patch = np.zeros((h, w, 4), dtype=np.uint8)
        ctx = cairo.Context(cairo.ImageSurface.create_for_data(patch, cairo.FORMAT_ARGB32, w, h))
        ctx.select_font_face(self.font)
        ctx.set_font_size(self.size_px)
        _source(ctx, self.rgba)
        ctx.move_to(2, self.size_px)
        ctx.show_text(content)
        x, y = to_pixels(self.anchor)
        self._patch = (patch.astype(np.uint16), int(x - (w if self.align == "right" else 0)), int(y))
        ink = probe.text_extents("Mgy")
        self.line_height_px = ink.height

    def layout_items(self):
        from nnanim.scenes.layout import Item

        patch, x, y = self._patch
        h, w = patch.shape[:2]
        box = scene_box(x, y, x + w, y + h)
        return [Item("text", self._content[:40], box, self.line_height_px / config.pixel_height * config.frame_height)]

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
