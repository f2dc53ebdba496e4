"""The plane of a two-input network's inputs: axes that fill a box (ticks and names in the one text face,
x across, y up, one unit as long either way), and the network's output painted over it on the theme's
diverging scale, softened so that the points on top of it stand out, with the line where the output
changes sign drawn through it."""

import numpy as np
from manim import Line, Rectangle, VGroup, config

from nnanim.engine.numbers import number
from nnanim.scenes.base import text
from nnanim.scenes.drawable import LIMIT
from nnanim.scenes.network_plan import forward
from nnanim.scenes.notation import subscripted
from nnanim.scenes.raster import Raster, scene_box
from nnanim.scenes.raster_plot import to_pixels
from nnanim.scenes.shortened import fitted
from nnanim.scenes.training_plan import Box, inner_ticks, plane_ranges

TICK, GAP = 0.1, 0.12
STRENGTH = 0.6  # how far a region's colour goes from the background toward the diverging scale's
GRID = 160  # the network is evaluated on at most GRID x GRID points, then interpolated to every pixel


def region_rgb(theme, values):
    """RGB in 0..1 of outputs from −1 to 1: the diverging scale softened toward the background."""
    background = np.array(theme.rgba(theme.background)[:3])
    return (1 - STRENGTH) * background + STRENGTH * theme.diverging(values, 1.0)


def region_colours(theme, levels=512):
    """(levels, 3) uint8: `region_rgb` from −1 to 1, as a lookup table."""
    return np.round(region_rgb(theme, np.linspace(-1, 1, levels)) * 255).astype(np.uint8)


class Plane(VGroup):
    """Axes in `box` for the inputs `points` (names `names`); the plot is `self.plot`, `to_point(x, y)`
    maps the inputs to the scene."""

    def __init__(self, points, names, box, theme):
        super().__init__()
        line = round(config.frame_height * theme.min_text, 3)
        row = line * 1.45
        x_name = fitted(f"{subscripted(names[0])} \u2192", theme, box.width * 0.4, line, color=theme.muted)
        y_name = fitted(f"\u2191 {subscripted(names[1])}", theme, box.width * 0.6, line, color=theme.muted)
        bottom, top = box.bottom + row + TICK + GAP, box.top - row - 0.1
        gutter = max(text(number(v), theme, line).width for v in (-8.88, 88.8)) + TICK + GAP
        for _ in range(3):  # the y labels' width sets the plot's, which sets its range and so its labels
            self.plot = Box(box.left + gutter, bottom, box.right, top)
            self.x_range, self.y_range = plane_ranges(points, self.plot.width / self.plot.height)
            y_labels = [(v, text(number(v), theme, line, color=theme.muted)) for v in inner_ticks(*self.y_range)]
            widest = max((label.width for _, label in y_labels), default=0.0) + TICK + GAP
            if widest <= gutter:
                break
            gutter = widest
        p = self.plot
        rule = dict(color=theme.rule, stroke_width=3)
        self.add(Rectangle(width=p.width, height=p.height, **rule).move_to(p.center))
        for v, label in y_labels:
            y = self.to_point(self.x_range[0], v)[1]
            self.add(Line([p.left - TICK, y, 0], [p.left, y, 0], **rule),
                     label.move_to([p.left - TICK - GAP - label.width / 2, y, 0]))
        x_name.move_to([p.right - x_name.width / 2, p.bottom - TICK - GAP - line / 2, 0])
        room = box.left  # where the next x label may start: right of the last one drawn
        for v in inner_ticks(*self.x_range):
            x = self.to_point(v, self.y_range[0])[0]
            label = text(number(v), theme, line, color=theme.muted).move_to([x, x_name.get_y(), 0])
            if room < label.get_left()[0] and label.get_right()[0] < x_name.get_left()[0] - 0.2:  # else it touches
                self.add(Line([x, p.bottom, 0], [x, p.bottom - TICK, 0], **rule), label)
                room = label.get_right()[0] + 0.2
        self.add(x_name, y_name.move_to([p.left - gutter + y_name.width / 2, p.top + 0.1 + row / 2, 0]))

    def to_point(self, x, y):
        (x0, x1), (y0, y1), p = self.x_range, self.y_range, self.plot
        return np.array([p.left + (x - x0) / (x1 - x0) * p.width, p.bottom + (y - y0) / (y1 - y0) * p.height, 0.0])


def _interpolation(n_out, n_in):
    """(n_out, n_in) matrix that resamples n_in samples (at their centres) to n_out, linearly."""
    at = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
    low = np.floor(at).astype(int)
    high = np.minimum(low + 1, n_in - 1)
    weights = np.zeros((n_out, n_in))
    weights[np.arange(n_out), low] += 1 - (at - low)
    weights[np.arange(n_out), high] += at - low
    return weights


class Heatmap(Raster):
    """A two-input network's first output over the plane, in colour, with its zero line; `show(layers)`
    repaints it for other weights."""

    def __init__(self, plane, theme, activation, **kwargs):
        super().__init__(**kwargs)
        p = plane.plot
        (x0, y0), (x1, y1) = to_pixels((p.left, p.top)), to_pixels((p.right, p.bottom))
        self.box = (int(round(x0)), int(round(y0)), int(round(x1)), int(round(y1)))
        w, h = self.box[2] - self.box[0], self.box[3] - self.box[1]
        gw, gh = min(GRID, w), min(GRID, h)
        xs = np.linspace(*plane.x_range, gw)
        ys = np.linspace(*plane.y_range, gh)[::-1]  # the top row first
        self.points = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        self.grid = (gh, gw)
        self.across, self.down = _interpolation(w, gw).T, _interpolation(h, gh)
        self.lut = region_colours(theme)
        self.line = np.array(theme.rgba(theme.text)[:3]) * 255
        self.activation = activation
        self.image = None

    def show(self, layers):
        out = forward(layers, self.points, self.activation)[-1][:, 0].reshape(self.grid)
        field = self.down @ np.clip(np.nan_to_num(out), -LIMIT, LIMIT) @ self.across  # NaN: 0
        index = np.clip(np.round((field + 1) / 2 * (len(self.lut) - 1)), 0, len(self.lut) - 1).astype(int)
        image = self.lut[index]
        sign = field >= 0
        edge = np.zeros_like(sign)
        edge[:, 1:] |= sign[:, 1:] != sign[:, :-1]
        edge[1:, :] |= sign[1:, :] != sign[:-1, :]
        if config.pixel_height >= 720:  # two pixels wide, as wide as the axes
            edge[:, 1:] |= edge[:, :-1]
            edge[1:, :] |= edge[:-1, :]
        image[edge] = self.line
        self.image = image

    def layout_items(self):
        from nnanim.scenes.layout import Item

        return [Item("shape", "heatmap", scene_box(*self.box))]

    def paint(self, pixels):
        if self.image is not None:
            x0, y0, x1, y1 = self.box
            pixels[y0:y1, x0:x1, :3] = self.image
            pixels[y0:y1, x0:x1, 3] = 255
