"""nnanim in a notebook: `nnanim.draw(L)` and `nnanim.show("backprop", L)`; `%load_ext nnanim` adds the
magics (nnanim/magics.py).

- `draw(x)` draws a Value's graph as `nnanim draw` does (a live Value of nnanim's or of any Value class
  found by its shape, a Trace, a trace Step, a trace file) and returns a Drawing: Jupyter shows it inline
  as SVG; `.save("graph.png")` writes it.
- `explore(x)`: the explorer of a run (nnanim explore's page) as a widget (nnanim/widget.py, anywidget),
  for a trace file, a Trace or a live Value; `record(live=True)` shows one that follows a run while it
  trains and becomes its explorer when the block ends.
- `show(scene, source=None, **options)` is nnanim.render at a notebook's size, held in memory: from a live
  Value (its graph and backward pass, recorded on a copy: the Value is left as it was), a Trace in memory, a
  trace file, or nothing (the workshop's run); it returns a Media: an MP4 embedded in a <video> (JupyterLab,
  VS Code and Colab all play it), or a GIF, WebM or PNG. The options are nnanim.render's (`quality="l"`,
  `step=-1`, `theme="light"`, `values=True`, `format="gif"`); a notebook's default is quality "l"
  (NNANIM_NOTEBOOK_SIZE=WxH and NNANIM_NOTEBOOK_FPS=N override it, for slow machines and tests). Rendering
  runs in the kernel, inside Manim's temporary configuration, so the next call starts from Manim's
  defaults again.

A mistake (an unknown scene, a bad option, a trace that does not fit) is an NnanimError: the kernel shows
its one line without a traceback (one_line_errors), as the command line does.
"""

import base64
import contextlib
import re
import os
import sys
import tempfile
from pathlib import Path

from nnanim.api import live_step, render
from nnanim.errors import NnanimError, said

NOTEBOOK_QUALITY = "l"
VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm"}  # what a notebook plays; MP4 everywhere
IMAGE_TYPES = {".gif": "image/gif", ".png": "image/png"}
LARGE = 20e6  # bytes of media embedded in a notebook before it says so


def fitted(svg):
    """A graphviz SVG that fits the width it is shown at: as wide as the cell at most, never wider than
    drawn (a network of 4,000 pt is scaled down to the cell, not scrolled; a small graph is not blown up)."""
    return re.sub(r'<svg width="([\d.]+)pt" height="[\d.]+pt"',
                  lambda m: f'<svg width="100%" style="max-width: {m.group(1)}pt; height: auto"', svg, count=1)


class Drawing:
    """A Value graph drawn by graphviz: SVG inline in Jupyter, `.save(path)` to .svg or .png."""

    def __init__(self, step, after_backward=True, group="auto"):
        from nnanim.drawing import run_dot, to_dot

        self.step, self.after_backward, self.group = step, after_backward, group
        self.svg = fitted(run_dot(to_dot(step, after_backward, group), "svg").decode())

    def _repr_svg_(self):
        return self.svg

    def save(self, path):
        """Write the drawing to `path` (.svg or .png, by its suffix), as `nnanim draw` does; returns the path."""
        from nnanim.drawing import write_picture

        write_picture(self.step, path, self.after_backward, self.group)
        return Path(path)


class Media:
    """A rendered scene held in memory: an embedded video, or a GIF or PNG, inline in Jupyter."""

    def __init__(self, data, suffix, name):
        self.data, self.suffix, self.name = data, suffix, name
        if len(data) > LARGE:
            print(f"note: {name} is {len(data) / 1e6:.0f} MB, all of it kept in the notebook: a lower quality "
                  "or .save() and a link keeps notebooks small", file=sys.stderr)

    TYPES = {**VIDEO_TYPES, **IMAGE_TYPES}

    @classmethod
    def of(cls, path):
        path = Path(path)
        return cls(path.read_bytes(), path.suffix.lower(), path.name)

    def _repr_mimebundle_(self, include=None, exclude=None):
        encoded = base64.b64encode(self.data).decode()
        bundle = {"text/plain": f"{self.name} ({len(self.data) / 1e6:.1f} MB)"}
        if self.suffix in VIDEO_TYPES:
            bundle["text/html"] = (f'<video controls autoplay loop muted playsinline style="max-width: 100%">'
                                   f'<source src="data:{VIDEO_TYPES[self.suffix]};base64,{encoded}" '
                                   f'type="{VIDEO_TYPES[self.suffix]}"></video>')
        elif self.suffix in IMAGE_TYPES:
            bundle[IMAGE_TYPES[self.suffix]] = encoded
        return bundle

    def save(self, path):
        """Write the media to `path`; returns the path."""
        return _write(Path(path), self.data)


def draw(source, step=None, after_backward=None, group="auto"):
    """A Drawing of `source`'s graph: a live Value (its grads as they are), a Trace or a trace file (its
    step `step`, default 0; grads after backward with after_backward=True), or a trace Step."""
    from nnanim.engine import load_trace
    from nnanim.engine.steps import Step
    from nnanim.engine.trace import Trace

    one_line_errors()
    if isinstance(source, (str, Path)):
        source = load_trace(source)
    if isinstance(source, Trace):
        source = source.step(step or 0)
    elif step is not None:
        raise NnanimError("step= chooses a step of a trace; a Value or a Step is drawn as it is")
    if isinstance(source, Step):
        return Drawing(source, bool(after_backward), group)
    return Drawing(live_step(source), True if after_backward is None else after_backward, group)


def show(scene, source=None, **options):
    """Render `scene` from `source` (a live Value, a Trace, a trace file, or None) with nnanim.render's
    options, at a notebook's size unless told otherwise; returns the Media, shown inline."""
    one_line_errors()
    if options.get("transparent") and options.get("format", "mp4") == "mp4":
        raise NnanimError("transparent=True makes a .mov, which notebooks do not play: add format=\"webm\" "
                          "or format=\"png\"")
    with tempfile.TemporaryDirectory(prefix="nnanim-show-") as work:
        produced = render(scene, source, out=Path(work), **{**_notebook_size(options), **options})
        return Media.of(produced)


def explore(source, step=0, theme="dark"):
    """The explorer of `source` (a trace file, a Trace, a live Value: its graph and backward pass) as a
    notebook widget, at step `step`."""
    one_line_errors()
    return widget_module().explore(source, step=step, theme=theme)


@contextlib.contextmanager
def record(level="all", live=False, **meta):
    """`with nnanim.record() as run:` records every backward() of the block into the Trace `run`
    (nnanim.engine.record). live=True: a widget shown at once follows the run as it trains (its loss, step
    and weights) and becomes its explorer when the block ends, or is stopped."""
    from nnanim.engine import record as recording

    if not live:
        with recording(level, **meta) as trace:
            yield trace
        return
    one_line_errors()
    view = widget_module().Live(title=str(meta.get("name") or "recorded run")).show()
    trace = None
    try:
        with recording(level, watch=view.watch, **meta) as trace:
            yield trace
    finally:
        view.done(trace)


def widget_module():
    """nnanim.widget, or one line saying what it needs."""
    try:
        import nnanim.widget as widget
    except ImportError as e:
        raise NnanimError(f"the explorer in a notebook needs anywidget ({e.msg}): pip install anywidget") from None
    return widget


def _notebook_size(options):
    """A notebook's quality (and NNANIM_NOTEBOOK_SIZE, NNANIM_NOTEBOOK_FPS), where the call says nothing."""
    chosen = {}
    if "quality" not in options and "size" not in options:
        chosen["quality"] = NOTEBOOK_QUALITY
        chosen["size"] = os.environ.get("NNANIM_NOTEBOOK_SIZE")
    if "fps" not in options and os.environ.get("NNANIM_NOTEBOOK_FPS"):
        try:
            chosen["fps"] = int(os.environ["NNANIM_NOTEBOOK_FPS"])
        except ValueError:
            raise NnanimError(f"NNANIM_NOTEBOOK_FPS={os.environ['NNANIM_NOTEBOOK_FPS']!r} is not a whole number") from None
    return chosen


def _write(path, data):
    from nnanim.engine.atomic import write_atomically

    try:
        return write_atomically(path, data)
    except OSError as e:
        raise NnanimError(f"cannot write {path}: {e.strerror or e}") from None


def one_line_errors():
    """In IPython, show NnanimError as its one line (as the command line does), without a traceback."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and NnanimError not in getattr(shell, "custom_exceptions", ()):
        shell.set_custom_exc((NnanimError,), _say_in_one_line)


def _say_in_one_line(shell, etype, value, tb, tb_offset=None):
    """IPython's custom exception handler: the error's one line, shown where a traceback would be (in a
    kernel, the cell's error output)."""
    lines = [f"nnanim: {said(value)}"]
    shell._showtraceback(NnanimError, value, lines)  # one kind of error for people, whatever its subclass
    return lines
