"""Pixels that the camera copies straight into the frame.

Manim's Cairo camera draws every moving VMobject again in every frame. A `Raster` is a mobject that
paints itself into the frame's pixel array with numpy (a few memory copies), so scenes with thousands
of glyphs can animate at the speed of the video encoder. `RasterCamera` is the Camera that knows it.
"""

import numpy as np
from manim import DL, DR, UL, UR, Camera, Mobject, config


class Raster(Mobject):
    """A mobject drawn by `paint(pixels)`; its corners span the whole frame."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        w, h = config.frame_width / 2, config.frame_height / 2
        self.points = np.array([UL * [w, h, 0], UR * [w, h, 0], DR * [w, h, 0], DL * [w, h, 0]])

    def paint(self, pixels):
        """Draw into the frame's (height, width, 4) uint8 RGBA array."""
        raise NotImplementedError

    def layout_items(self):
        """What the layout checker (scenes/layout.py) sees of this raster: texts and shapes with their
        boxes in scene units. A raster that draws something meaningful says so here."""
        return []


def scene_box(x0, y0, x1, y1):
    """A pixel rectangle of the frame (y down) as (left, bottom, right, top) in scene units."""
    sx = config.frame_width / config.pixel_width
    sy = config.frame_height / config.pixel_height
    return (x0 * sx - config.frame_width / 2, config.frame_height / 2 - y1 * sy,
            x1 * sx - config.frame_width / 2, config.frame_height / 2 - y0 * sy)


class RasterCamera(Camera):
    """Manim's camera, plus `Raster` mobjects painted by themselves."""

    def type_or_raise(self, mobject):
        kind = super().type_or_raise(mobject)  # also (re)builds self.display_funcs
        self.display_funcs[Raster] = self._paint_rasters
        return Raster if isinstance(mobject, Raster) else kind

    def _paint_rasters(self, rasters, pixels):
        for raster in rasters:
            raster.paint(pixels)
