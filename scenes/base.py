"""What every nnanim scene shares: its options, its trace, its theme and its camera.

`nnanim render` sets `OPTIONS` before rendering. Run with Manim's own command line
(`manim -qm scenes/formula.py Formula`), a scene reads the same options from NNANIM_TRACE,
NNANIM_STEP, NNANIM_THEME, NNANIM_VALUES and NNANIM_OUTPUT, and without a trace replays the
workshop's run, computed in memory.
"""

import os
from dataclasses import dataclass, field
from functools import lru_cache

from manim import DOWN, ManimColor, Scene, Text, config

from engine import load_trace
from engine.training import record_run
from scenes.raster import RasterCamera
from scenes.theme import THEMES


@dataclass
class SceneOptions:
    trace: str | None = None  # a .nntrace file; None: the workshop's run
    step: int = 0
    theme: str = "dark"
    values: bool = False  # formulas: show the parameters' numbers at `step`
    output: int | None = None  # formulas: only this output
    for_gif: bool = False  # a GIF stores changed rectangles: move less at once (page scroll, cuts)
    neuron: tuple | None = None  # backprop: (j, l), the neuron to show
    focus: str | None = None  # backprop: a label; the neuron it belongs to
    pace: float | None = None  # backprop: seconds per backward event
    function: str | None = None  # derivative, descent: f(x) as text
    at: float | None = None  # derivative, descent: the point x
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_environment(cls):
        env = os.environ
        output = env.get("NNANIM_OUTPUT")
        return cls(trace=env.get("NNANIM_TRACE") or None, step=int(env.get("NNANIM_STEP", 0)),
                   theme=env.get("NNANIM_THEME", "dark"), values=env.get("NNANIM_VALUES", "") == "1",
                   output=int(output) if output else None)


OPTIONS = SceneOptions.from_environment()


@lru_cache(maxsize=4)
def trace_for(path):
    """The trace a scene replays (loaded once per process); None means the workshop's run."""
    return load_trace(path) if path else record_run()


class TraceScene(Scene):
    """A Scene that replays one step of a trace, drawn in the nnanim theme."""

    camera_kind = RasterCamera
    needs_graph = True  # False for scenes that read only parameters and losses (--record params works)

    def __init__(self, **kwargs):
        kwargs.setdefault("camera_class", self.camera_kind)
        super().__init__(**kwargs)

    def setup(self):
        self.stops = []
        self.options = OPTIONS
        self.theme = THEMES[self.options.theme]
        if self.options.trace:
            self.trace = trace_for(self.options.trace)
            self.step = self.trace.step(self.options.step) if self.needs_graph else None
        else:
            self.trace, self.step = self.default_trace_and_step()
        self.camera.background_color = ManimColor(self.theme.background)
        self.camera.init_background()

    def mark_stop(self, at=None):
        """A natural pause (a backward event, a layer, an output): the slides' right arrow plays to the
        next one. `at` is a time in the video; by default, now."""
        self.stops.append(round(self.renderer.time if at is None else at, 3))

    def default_trace_and_step(self):
        """Without a trace: the workshop's run, computed in memory."""
        trace = trace_for(None)
        return trace, trace.step(self.options.step) if self.needs_graph else None

    def background_pixel(self):
        """The camera's background as it stands in the frame's pixel array."""
        return self.camera.background[0, 0].copy()

    def px(self, fraction_of_height):
        return fraction_of_height * config.pixel_height


def text(content, theme, line_height, color=None, weight="NORMAL"):
    """A Text whose font size makes a line (ascender to descender) `line_height` tall, whatever the
    letters: every line of the same height has the same font size."""
    return Text(content, font=theme.font, weight=weight, color=color or theme.text,
                font_size=_font_size_for(theme.font, line_height))


@lru_cache(maxsize=64)
def _font_size_for(font, line_height):
    reference = Text("Mgy", font=font, font_size=48)
    return 48 * line_height / reference.height


def caption(content, theme):
    """A line of secondary text at the bottom of the frame, at the theme's smallest readable size."""
    line = text(content, theme, theme.min_text * config.frame_height, color=theme.muted)
    return line.to_edge(DOWN, buff=0.3)
