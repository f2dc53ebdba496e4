"""Rendering one scene to a file: Manim does the frames, nnanim names, converts and places the result.

Outputs appear atomically in the output folder (rendered in a temporary media folder, then moved).
GIFs are made by ffmpeg from a small intermediate MP4 in two passes (palette, then dither), so memory
stays flat whatever the length: Manim's own GIF writer holds every frame in memory.
"""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from nnanim import sidecar
from nnanim.engine.atomic import atomic_path, check_writable
from nnanim.scenes.registry import SCENES

QUALITIES = {"l": (854, 480, 15), "m": (1280, 720, 30), "h": (1920, 1080, 60), "k": (3840, 2160, 60)}  # Manim's
GIF_MAX_WIDTH = 1280
GIF_MAX_FPS = 15
FORMATS = {"mp4": "H.264 video", "webm": "VP9 video", "gif": f"at most {GIF_MAX_WIDTH} px wide and {GIF_MAX_FPS} fps",
           "png": "the last frame"}
# Lossless and without look-ahead: unchanged pixels stay identical from frame to frame (what makes a
# GIF small), and the encoder holds few frames (what keeps memory flat).
GIF_INTERMEDIATE = {"crf": "0", "preset": "ultrafast"}


class RenderError(Exception):
    """A render that cannot be done; one line for the user."""


@dataclass
class RenderRequest:
    scene: str
    trace: Path | None = None
    step: int = 0
    quality: str = "m"
    fmt: str = "mp4"
    theme: str = "dark"
    transparent: bool = False
    out_dir: Path = Path("renders")
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
        ext = "mov" if self.transparent and self.fmt == "mp4" else self.fmt
        return self.out_dir / SCENES[self.scene].output_name(self.trace.stem if self.trace else None, ext)


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
    from nnanim.engine import TraceError, load_trace

    entry = SCENES[request.scene]
    if request.trace is None:
        if entry.inputs is not None:  # the workshop's network has 3
            raise RenderError(f"{entry.name} needs a trace of a network with {entry.inputs} inputs "
                              "(nnanim trace --data moons)")
        return
    if entry.needs == "nothing":
        raise RenderError(f"{entry.name} replays no trace: its numbers come from the workshop's examples")
    try:
        trace = load_trace(request.trace)
        trace.step_index(request.step)
    except TraceError as e:
        raise RenderError(str(e)) from None
    reason = entry.refuses(trace)
    if reason:
        raise RenderError(f"{entry.name} {reason}")



def _render_with_manim(request, work, fmt, width, height, fps, encoder_options=None, for_gif=False):
    from manim import tempconfig

    from nnanim.engine import TraceError

    from nnanim.scenes.base import LayoutError
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
        except LayoutError as e:  # asked for with --check-layout: every problem, a line each
            raise RenderError(str(e)) from None
        except (ValueError, LookupError, ArithmeticError, TraceError) as e:  # a scene refusing its input
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
    run = ["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(movie)]
    subprocess.run(run + ["-vf", first + "palettegen=max_colors=64", str(palette)], check=True)
    subprocess.run(run + ["-i", str(palette), "-lavfi", f"[0:v]{first.rstrip(',') or 'null'}[v];"
                          "[v][1:v]paletteuse=dither=none:diff_mode=rectangle", str(gif)], check=True)
    return gif
