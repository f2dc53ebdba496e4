"""Rendering one scene to a file: Manim does the frames, nnanim names, converts and places the result.

Outputs appear atomically in the output folder (rendered in a temporary media folder, then moved).
GIFs are made by ffmpeg from a small intermediate MP4 in two passes (palette, then dither), so memory
stays flat whatever the length: Manim's own GIF writer holds every frame in memory.
"""

import atexit
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import click

from nnanim import sidecar, tools
from nnanim.engine.atomic import atomic_path, check_writable
from nnanim.errors import NnanimError
from nnanim.scenes.options import SCENE_OPTIONS
from nnanim.scenes.registry import SCENES, unknown
from nnanim.scenes.theme import THEMES

QUALITIES = {"l": (854, 480, 15), "m": (1280, 720, 30), "h": (1920, 1080, 60), "k": (3840, 2160, 60)}  # Manim's
DEFAULT_QUALITY = "m"
DEFAULT_THEME = "dark"
RENDERS = Path("renders")  # where renders go unless told otherwise
SIZES = (16, 3840, 2160)  # a frame's smallest side, largest width and height (even numbers): 4K at most
MAX_FPS = 60
GIF_MAX_WIDTH = 1280
GIF_MAX_FPS = 15
FORMATS = {"mp4": "H.264 video", "webm": "VP9 video", "gif": f"at most {GIF_MAX_WIDTH} px wide and {GIF_MAX_FPS} fps",
           "png": "the last frame"}
# Lossless and without look-ahead: unchanged pixels stay identical from frame to frame (what makes a
# GIF small), and the encoder holds few frames (what keeps memory flat).
GIF_INTERMEDIATE = {"crf": "0", "preset": "ultrafast"}
GIF_SECONDS = 600  # for each of ffmpeg's two passes


class RenderError(NnanimError):
    """A render that cannot be done; one line for the user."""


@dataclass
class RenderRequest:
    """One render, as every front end asks for it (the command line, a deck, the notebook, nnanim.render)."""

    scene: str
    trace: Path | None = None
    step: int = 0
    quality: str = DEFAULT_QUALITY
    fmt: str = "mp4"
    theme: str = DEFAULT_THEME
    transparent: bool = False
    out_dir: Path = RENDERS
    size: tuple | None = None  # (width, height) overriding the quality's
    fps: int | None = None
    scene_options: dict = field(default_factory=dict)  # by name, as in nnanim.scenes.options.SCENE_OPTIONS
    check_layout: bool = False  # fail on overlapping, clipped or too small text (scenes/layout.py)

    def geometry(self):
        w, h, fps = QUALITIES[self.quality]
        if self.size:
            w, h = self.size
        return w, h, self.fps or fps

    def target(self):
        """The file this render writes: OUT/SCENE[-TRACE].EXT (a transparent mp4 is a .mov)."""
        return self.out_dir / SCENES[self.scene].output_name(self.trace.stem if self.trace else None, self.extension)

    @property
    def extension(self):
        return "mov" if self.transparent and self.fmt == "mp4" else self.fmt

    def as_json(self):
        """The request as JSON: how the deck hands it to a render process, and what makes a render up to date."""
        fields = {**self.__dict__, "trace": str(self.trace) if self.trace else None, "out_dir": str(self.out_dir),
                  "size": list(self.size) if self.size else None}
        return json.dumps(fields, sort_keys=True)

    @classmethod
    def from_json(cls, text):
        fields = json.loads(text)
        options = {name: tuple(v) if isinstance(v, list) else v for name, v in fields["scene_options"].items()}
        return cls(**{**fields, "trace": Path(fields["trace"]) if fields["trace"] else None, "scene_options": options,
                      "out_dir": Path(fields["out_dir"]), "size": tuple(fields["size"]) if fields["size"] else None})


def request(scene, trace=None, *, quality=DEFAULT_QUALITY, theme=DEFAULT_THEME, fmt="mp4", size=None, fps=None,
            out_dir=RENDERS, step=0, transparent=False, check_layout=False, **scene_options):
    """A RenderRequest made from Python values, each checked as the command line checks it (RenderError,
    one line, naming the value): the door nnanim.render and the notebook go through."""
    if scene not in SCENES:
        raise RenderError(unknown(scene))
    for name, value, allowed in (("quality", quality, QUALITIES), ("theme", theme, THEMES), ("format", fmt, FORMATS)):
        if value not in allowed:
            raise RenderError(f"{name}={value!r}: choose from {', '.join(allowed)}")
    if size is not None:
        size = checked_size(size)
    if fps is not None and (isinstance(fps, bool) or not isinstance(fps, int) or not 1 <= fps <= MAX_FPS):
        raise RenderError(f"fps={fps!r}: a whole number from 1 to {MAX_FPS}")
    if isinstance(step, bool) or not isinstance(step, int):
        raise RenderError(f"step={step!r}: a whole number (negative: from the end)")
    unread = unread_options(scene, scene_options)
    if unread:
        raise RenderError(unread)
    converted = {}
    for name, value in scene_options.items():
        if value is None:
            continue
        try:
            converted[name] = SCENE_OPTIONS[name].type.convert(value, None, None)
        except click.BadParameter as e:
            raise RenderError(f"{name}={value!r}: {e.message}") from None
    return RenderRequest(scene, Path(trace) if trace is not None else None, step=step, quality=quality, fmt=fmt,
                         theme=theme, transparent=bool(transparent), out_dir=Path(out_dir), size=size, fps=fps,
                         scene_options=converted, check_layout=bool(check_layout))


def checked_size(size):
    """(width, height) from (w, h) or "WxH": even numbers within SIZES; RenderError otherwise."""
    smallest, widest, tallest = SIZES
    try:
        w, h = (int(v) for v in (size.lower().split("x") if isinstance(size, str) else size))
        if w < smallest or h < smallest or w % 2 or h % 2 or w > widest or h > tallest:
            raise ValueError
    except (ValueError, TypeError, AttributeError):
        raise RenderError(f"{size!r} is not a size like 1280x720 (even numbers, from {smallest}x{smallest} to "
                          f"{widest}x{tallest})") from None
    return w, h


def unread_options(scene, names):
    """None if `scene` reads every option in `names`, else what it reads instead, in one line."""
    entry = SCENES[scene]
    foreign = [name for name in names if name not in entry.options]
    if not foreign:
        return None
    reads = flags(entry.options) if entry.options else "no options beyond --step and --theme"
    return f"{scene} does not read {flags(foreign)}; it reads {reads}"


def flags(names):
    return ", ".join(SCENE_OPTIONS[name].flag if name in SCENE_OPTIONS else f"--{name.replace('_', '-')}"
                     for name in names)


def tex_cache():
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "nnanim" / "tex"


def render(request):
    """Render and return the output path; RenderError for anything the user can fix."""
    if request.scene not in SCENES:
        raise RenderError(f"unknown scene {request.scene!r}; `nnanim scenes` lists them")
    if request.transparent and request.fmt == "gif":
        raise RenderError("GIF has no real transparency: use --format webm (VP9 with alpha) or png")
    _check_trace(request)
    target = request.target()
    try:
        request.out_dir.mkdir(parents=True, exist_ok=True)
        for path in (target, sidecar.path_of(target)):
            check_writable(path)
    except OSError as e:
        raise RenderError(f"cannot write {e.filename or request.out_dir}: {e.strerror or e}") from None
    width, height, fps = request.geometry()
    with tempfile.TemporaryDirectory(prefix="nnanim-", ignore_cleanup_errors=True) as work:
        # Interrupted (Ctrl-C, SIGTERM), Manim's encoder threads may still write here while the stack
        # unwinds; Python joins them before running atexit, so this removes what they leave.
        atexit.register(shutil.rmtree, work, True)
        if request.fmt == "gif":
            scale = min(1.0, GIF_MAX_WIDTH / width)
            even = lambda v: max(2, int(v * scale) // 2 * 2)  # noqa: E731
            movie, stops, notes = _render_with_manim(request, Path(work), "mp4", even(width), even(height),
                                              min(fps, GIF_MAX_FPS), GIF_INTERMEDIATE, for_gif=True)
            produced = gif_from(movie, Path(work))
        else:
            produced, stops, notes = _render_with_manim(request, Path(work), request.fmt, width, height, fps)
        try:
            with atomic_path(target) as tmp:
                shutil.move(produced, tmp)
            if target.suffix == ".png":
                stops, notes = [], notes[-1:]  # a still is the last frame: one step, the end's note
            sidecar.write(target, request.scene, request.trace.stem if request.trace else None, request.theme,
                          stops, notes)
        except OSError as e:
            raise RenderError(f"cannot write {target}: {e.strerror or e}") from None
    return target


def _check_trace(request):
    """Load the trace and check it suits the scene before any rendering starts (and before manim is imported)."""
    from nnanim.engine import load_trace

    entry = SCENES[request.scene]
    if request.trace is None:
        if entry.inputs is not None:  # the workshop's network has 3
            raise RenderError(f"{entry.name} needs a trace of a network with {entry.inputs} inputs "
                              "(nnanim trace --data moons)")
        return
    if entry.needs == "nothing":
        raise RenderError(f"{entry.name} replays no trace: its numbers come from the workshop's examples")
    trace = load_trace(request.trace)
    trace.step_index(request.step)
    reason = entry.refuses(trace)
    if reason:
        raise RenderError(f"{entry.name} {reason}")



def _render_with_manim(request, work, fmt, width, height, fps, encoder_options=None, for_gif=False):
    from manim import tempconfig

    from nnanim.scenes.options import SceneOptions

    options = SceneOptions(trace=str(request.trace) if request.trace else None, step=request.step,
                           theme=request.theme, for_gif=for_gif, check_layout=request.check_layout,
                           **request.scene_options)
    scene_class = SCENES[request.scene].load()
    tex_dir = tex_cache()
    tex_dir.mkdir(parents=True, exist_ok=True)
    settings = {
        "pixel_width": width, "pixel_height": height, "frame_rate": fps,
        "frame_width": 8.0 * width / height, "frame_height": 8.0,
        "format": "mov" if fmt == "mp4" and request.transparent else fmt, "transparent": request.transparent, "disable_caching": True,
        "media_dir": str(work), "tex_dir": str(tex_dir), "output_file": request.scene,
        "verbosity": "WARNING", "progress_bar": "display" if sys.stderr.isatty() else "none",
        "max_inflight_encoders": 1 if for_gif else 2,  # 2 overlaps encoding with drawing; 1 saves memory
    }
    if encoder_options:
        settings["video_encoder_options"] = encoder_options
    with tempconfig(settings):
        try:
            scene = scene_class(options=options)
            try:
                scene.render()
            except BaseException:
                _stop_encoders()
                raise
        except NnanimError:  # a trace, LaTeX or the layout check (with --check-layout: a line per problem)
            raise
        except (ValueError, LookupError, ArithmeticError) as e:  # a scene refusing its input
            raise RenderError(str(e).splitlines()[0]) from None
        writer = scene.renderer.file_writer
        produced = writer.image_file_path if fmt == "png" else writer.movie_file_path
    if not produced or not Path(produced).exists():
        raise RenderError(f"Manim produced no {fmt} output for {request.scene}")
    return Path(produced), list(scene.stops), scene.step_notes()


def _stop_encoders(seconds=10):
    """After an interruption: let Manim's partial-movie encoder threads end. They are not daemons and
    wait for a last frame; one whose job was being opened when the interruption came is known to no
    one, and the interpreter would wait for it forever at exit. Each is told to abort through its job."""
    import threading

    for thread in threading.enumerate():
        if not thread.name.startswith("partial-movie-encoder-") or not thread.is_alive():
            continue
        job = getattr(getattr(thread, "_target", None), "__self__", None)
        if job is not None and hasattr(job, "abort"):
            job.abort()
        thread.join(seconds)


def gif_from(movie, work, max_width=None, max_fps=None):
    """Two ffmpeg passes: a palette for the whole clip, then the clip dithered onto it (first narrowed to
    `max_width` and slowed to `max_fps` if given)."""
    palette, gif = work / "palette.png", work / "out.gif"
    shrink = []
    if max_fps:
        shrink.append(f"fps='min({max_fps},source_fps)'")
    if max_width:
        shrink.append(f"scale='min({max_width},iw)':-2:flags=lanczos")
    first = ",".join(shrink) + "," if shrink else ""
    ffmpeg = ["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(movie)]
    tools.run(ffmpeg + ["-vf", first + "palettegen=max_colors=64", str(palette)], "making the GIF's palette",
              GIF_SECONDS)
    tools.run(ffmpeg + ["-i", str(palette), "-lavfi", f"[0:v]{first.rstrip(',') or 'null'}[v];"
                        "[v][1:v]paletteuse=dither=none:diff_mode=rectangle", str(gif)], "making the GIF", GIF_SECONDS)
    return gif
