"""The key to the diverging scale (theme.diverging): "name  −s ▬▬▬ s", one line at the floor size, the strip
painted smooth at the frame's resolution. Any scene that colours signed values can use it."""

import numpy as np
from manim import RIGHT, Group, config

from nnanim.engine.numbers import number
from nnanim.scenes.base import text
from nnanim.scenes.raster import Raster, scene_box
from nnanim.scenes.raster_plot import to_pixels


class ColourStrip(Raster):
    """A key's strip filling the scene box (left, bottom, right, top): `colours(t)` gives RGB in 0..1 for
    t from −1 (left) to 1 (right), one value per pixel column."""

    def __init__(self, colours, box, **kwargs):
        super().__init__(**kwargs)
        (x0, y0), (x1, y1) = to_pixels((box[0], box[3])), to_pixels((box[2], box[1]))
        self.px = (round(x0), round(y0), max(round(x1), round(x0) + 2), max(round(y1), round(y0) + 1))
        row = (colours(np.linspace(-1, 1, self.px[2] - self.px[0])) * 255).round().astype(np.uint8)
        self.rgb = np.repeat(row[None], self.px[3] - self.px[1], axis=0)

    def layout_items(self):
        from nnanim.scenes.layout import Item

        return [Item("shape", "colour bar", scene_box(*self.px))]

    def paint(self, pixels):
        x0, y0, x1, y1 = self.px
        pixels[y0:y1, x0:x1, :3] = self.rgb
        pixels[y0:y1, x0:x1, 3] = 255


def colour_bar(theme, scale, name, right, y, strip_width=None, ends=None):
    """The key, built in place (its strip is pixels: do not move it): its right end at `right`, its
    middle at height `y`. `ends` are the texts at its two ends (by default −scale and scale)."""
    line = config.frame_height * theme.min_text
    strip_width = strip_width or line * 7
    low, high = ends or (number(-scale), number(scale))
    high = text(high, theme, color=theme.muted)
    high.move_to([right, y, 0], aligned_edge=RIGHT)
    strip_right = high.get_left()[0] - line * 0.35
    box = (strip_right - strip_width, y - line * 0.38, strip_right, y + line * 0.38)
    low = text(low, theme, color=theme.muted).move_to([box[0] - line * 0.35, y, 0], aligned_edge=RIGHT)
    label = text(name, theme, color=theme.muted).move_to([low.get_left()[0] - line * 0.6, y, 0], aligned_edge=RIGHT)
    return Group(label, low, ColourStrip(lambda t: theme.diverging(t, 1.0), box), high)


def bar_width(group):
    """How wide a colour bar is, its texts included."""
    return group[-1].get_right()[0] - group[0].get_left()[0]

