"""What every nnanim scene shares: its options, its trace, its theme and its camera.

`nnanim render` passes a scene its options (`Formula(options=SceneOptions(...))`). Run with Manim's
own command line (`manim -qm scenes/formula.py Formula`), a scene reads every option from NNANIM_<NAME>
environment variables (scenes/options.py), and without a trace replays the workshop's run, computed
in memory.
"""

import os
from functools import lru_cache

from manim import ManimColor, Scene, Text, config

from nnanim.engine import load_trace
from nnanim.engine.training import record_run
from nnanim.errors import NnanimError
from nnanim.scenes.glyphs import GlyphText
from nnanim.scenes.layout import frame_of, items_on_screen, problems
from nnanim.scenes.options import SceneOptions, from_environment
from nnanim.scenes.raster import RasterCamera
from nnanim.scenes.registry import entry_of
from nnanim.scenes.theme import LARGE_TYPE, THEMES
from nnanim.scenes.training_plan import Box, capital

__all__ = ["SceneOptions", "TraceScene", "trace_for", "text", "caption"]


def trace_for(path):
    """The trace a scene replays; None means the workshop's run. Loaded once per process while the file
    stays the same: a trace recorded again at the same path (a notebook cell run twice) is read again."""
    if not path:
        return _workshop_run()
    try:
        found = os.stat(path)
    except OSError:
        return load_trace(path)  # a TraceError that says why
    return _loaded(str(path), found.st_size, found.st_mtime_ns, found.st_ino)


@lru_cache(maxsize=4)
def _loaded(path, size, mtime_ns, inode):
    return load_trace(path)


@lru_cache(maxsize=1)
def _workshop_run():
    return record_run()


class LayoutError(NnanimError, ValueError):
    """A scene rendered with --check-layout broke the visual language; the message names the first."""


class TraceScene(Scene):
    """A Scene that replays one step of a trace, drawn in the nnanim theme."""

    camera_kind = RasterCamera

    def __init__(self, options=None, **kwargs):
        self.options = options if options is not None else from_environment()
        self.entry = entry_of(type(self))
        kwargs.setdefault("camera_class", self.camera_kind)
        super().__init__(**kwargs)

    def setup(self):
        self.stops, self.notes, self.layout_problems = [], [], []
        self.end_note = None
        self.clamped = None  # the first number drawn at the edge (scenes/drawable.py), said in a caption
        self.theme = THEMES[self.options.theme]
        if self.options.large_type:
            self.theme = self.theme.scaled(LARGE_TYPE)
        if self.options.trace:
            self.trace = trace_for(self.options.trace)
            self.step = self.trace.step(self.options.step) if self.entry.needs == "graph" else None
        else:
            self.trace, self.step = self.default_trace_and_step()
        self.camera.background_color = ManimColor(self.theme.background)
        self.camera.init_background()

    def mark_stop(self, note, at=None):
        """A natural pause (a backward event, a layer, an output): in the slides, each is a step of its
        own. `note` is what the speaker sees for the step that ends here: what the audience has just
        watched, with its numbers. `at` is a time in the video; by default, now (then the layout is checked)."""
        self.stops.append(round(self.renderer.time if at is None else at, 3))
        self.notes.append(note)
        if at is None:
            self.check_layout(f"stop {len(self.stops)}")

    def step_notes(self):
        """A speaker's note per step: one per stop, then `end_note` (what plays after the last stop; by
        default the scene's summary), which says what the caption says of a number drawn at the edge."""
        end = self.end_note or self.entry.summary
        return self.notes + [f"{end} {capital(self.clamped.said())}." if self.clamped else end]

    def say_clamped(self, *found):
        """The first of `found` (scenes/drawable.Clamped, or None) that is a number: a caption under the
        scene's subject names it, and the end note. Call it before laying out: `safe_area` leaves it room."""
        self.clamped = next((f for f in found if f is not None), None)
        if self.clamped:
            self.add(caption(self.clamped.said(), self.theme))

    def safe_area(self):
        """The title-safe area (a training_plan.Box) that the scene's subject fills: above the caption, if any."""
        left, bottom, right, top = self.theme.safe_area(config.frame_width, config.frame_height)
        if self.clamped:
            bottom += config.frame_height * self.theme.min_text * 1.5
        return Box(left, bottom, right, top)

    def check_layout(self, when):
        """With --check-layout: record what on screen breaks the visual language (scenes/layout.py)."""
        if not self.options.check_layout:
            return
        found = problems(items_on_screen(self.mobjects), frame_of(self), self.theme)
        self.layout_problems += [f"{when} at {self.renderer.time:.1f} s: {p}" for p in found]

    def tear_down(self):
        self.check_layout("the end")
        super().tear_down()
        if self.layout_problems:
            raise LayoutError(f"{len(self.layout_problems)} layout problems:\n" +
                              "\n".join(f"  {p}" for p in self.layout_problems))

    def default_trace_and_step(self):
        """Without a trace: the workshop's run, computed in memory."""
        trace = trace_for(None)
        return trace, trace.step(self.options.step) if self.entry.needs == "graph" else None

    def background_pixel(self):
        """The camera's background as it stands in the frame's pixel array."""
        return self.camera.background[0, 0].copy()

    def px(self, fraction_of_height):
        return fraction_of_height * config.pixel_height


def text(content, theme, line_height=None, color=None, weight="NORMAL"):
    """A Text whose font size makes a line (ascender to descender) `line_height` tall, whatever the
    letters: every line of the same height has the same font size. By default the theme's smallest
    readable size."""
    if line_height is None:
        line_height = round(config.frame_height * theme.min_text, 3)
    return _text(content, theme.font, weight, color or theme.text, line_height).copy()


@lru_cache(maxsize=1024)
def _text(content, font, weight, color, line_height):
    """Each text made once a process (scenes/glyphs.py); text() hands out copies."""
    made = GlyphText(content, font=font, weight=weight, color=color, font_size=_font_size_for(font, line_height))
    made.made_for = (line_height, made.height)  # what the layout checker reads: its size, even scaled
    return made


@lru_cache(maxsize=64)
def _font_size_for(font, line_height):
    reference = Text("Mgy", font=font, font_size=48)
    return 48 * line_height / reference.height


def caption(content, theme, color=None):
    """A line of secondary text at the theme's smallest readable size at the bottom of the title-safe area,
    narrowed if it would not fit across it."""
    left, bottom, right, _ = theme.safe_area(config.frame_width, config.frame_height)
    line = text(content, theme, color=color or theme.muted)
    if line.width > right - left:
        line.scale_to_fit_width(right - left)
    return line.move_to([(left + right) / 2, bottom + line.height / 2, 0])
