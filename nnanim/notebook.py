"""nnanim in a notebook: `nnanim.draw(L)`, `nnanim.show("backprop", L)`, `%nnanim …` and `%%nnanim_record`.

- `draw(x)` draws a Value's graph as `nnanim draw` does (a live Value of nnanim's or of any Value class
  found by its shape, a Trace, a trace Step, a trace file) and returns a Drawing: Jupyter shows it inline
  as SVG; `.save("graph.png")` writes it.
- `show(scene, source=None, **options)` renders a scene as `nnanim render` does, from a live Value (its
  graph and backward pass, recorded on a copy: the Value is left as it was), a Trace in memory, a trace
  file, or nothing (the workshop's run), and returns a Media: an MP4 embedded in a <video> (JupyterLab,
  VS Code and Colab all play it), or a GIF, WebM or PNG. The options are the command line's
  (`quality="l"`, `step=-1`, `theme="light"`, `values=True`, `format="gif"`), turned into its arguments
  and read by its own parser; a notebook's default is quality "l" (NNANIM_NOTEBOOK_SIZE=WxH and
  NNANIM_NOTEBOOK_FPS=N override it, for slow machines and tests). Rendering runs in the kernel, inside
  Manim's temporary configuration, so the next call starts from Manim's defaults again.
- `%load_ext nnanim` adds the magics (nnanim/magics.py): `%nnanim ARGS` runs the command line in the
  kernel and shows what it wrote (`shown`), `%%nnanim_record NAME` records a cell's backward() calls.

A mistake (an unknown scene, a bad option, a trace that does not fit) is one line, NnanimError, shown by
the kernel without a traceback, as on the command line.
"""

import base64
import contextlib
import io
import os
import sys
import tempfile
from pathlib import Path

import click

NOTEBOOK_QUALITY = "l"
VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm"}  # what a notebook plays; MP4 everywhere
IMAGE_TYPES = {".gif": "image/gif", ".png": "image/png"}
LARGE = 20e6  # bytes of media embedded in a notebook before it says so


class NnanimError(Exception):
    """A mistake in a call or a magic, said in one line (the kernel shows it without a traceback)."""


class Drawing:
    """A Value graph drawn by graphviz: SVG inline in Jupyter, `.save(path)` to .svg or .png."""

    def __init__(self, step, after_backward=True, group="auto"):
        self.step, self.after_backward, self.group = step, after_backward, group
        self.svg = self._picture("svg").decode()

    def _repr_svg_(self):
        return self.svg

    def save(self, path):
        """Write the drawing to `path` (.svg or .png, by its suffix), as `nnanim draw` does; returns the path."""
        from nnanim.engine.graph import write_picture

        try:
            write_picture(self.step, path, self.after_backward, self.group)
        except ValueError as e:  # not .svg or .png, too large for dot, dot failing
            raise NnanimError(str(e)) from None
        except OSError as e:
            raise NnanimError(f"cannot write {path}: {e.strerror or e}") from None
        return Path(path)

    def _picture(self, fmt):
        from nnanim.engine.graph import run_dot, to_dot

        try:
            return run_dot(to_dot(self.step, self.after_backward, self.group), fmt)
        except ValueError as e:
            raise NnanimError(str(e)) from None


class Media:
    """A rendered scene held in memory: an embedded video, or a GIF or PNG, inline in Jupyter."""

    def __init__(self, data, suffix, name):
        self.data, self.suffix, self.name = data, suffix, name
        if len(data) > LARGE:
            print(f"note: {name} is {len(data) / 1e6:.0f} MB, all of it kept in the notebook: a lower quality "
                  "or .save() and a link keeps notebooks small", file=sys.stderr)

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


class Summary:
    """A trace file's summary (what `nnanim inspect` says), shown as text."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def draw(source, step=None, after_backward=None, group="auto"):
    """A Drawing of `source`'s graph: a live Value (its grads as they are), a Trace or a trace file (its
    step `step`, default 0; grads after backward with after_backward=True), or a trace Step."""
    from nnanim.engine import TraceError
    from nnanim.engine.trace import Step, Trace

    one_line_errors()
    if isinstance(source, (str, Path)):
        source = _load(source)
    if isinstance(source, Trace):
        try:
            source = source.step(step or 0)
        except (IndexError, ValueError, TraceError) as e:
            raise NnanimError(str(e)) from None
    elif step is not None:
        raise NnanimError("step= chooses a step of a trace; a Value or a Step is drawn as it is")
    if isinstance(source, Step):
        return Drawing(source, bool(after_backward), group)
    return Drawing(_live_step(source), True if after_backward is None else after_backward, group)


def show(scene, source=None, **options):
    """Render `scene` from `source` (a live Value, a Trace, a trace file, or None) with the command line's
    options, at a notebook's size unless told otherwise; returns the Media, shown inline."""
    one_line_errors()
    if options.get("transparent") and options.get("format", "mp4") == "mp4":
        raise NnanimError("transparent=True makes a .mov, which notebooks do not play: add format=\"webm\" "
                          "or format=\"png\"")
    args = ["render", scene]
    with tempfile.TemporaryDirectory(prefix="nnanim-show-") as work:
        if source is not None:
            args.append(str(_trace_file(source, Path(work))))
        options = {**_notebook_size(options), **options}
        args += _as_arguments(options) + ["-o", str(Path(work) / "out")]
        with contextlib.redirect_stdout(io.StringIO()):  # "wrote /tmp/…": the file is shown, then gone
            produced = run_command(args)
        return Media.of(produced)


def run_command(args):
    """Run the nnanim command line in this process; what the command returns (the paths it wrote), or
    NnanimError with its one line."""
    from nnanim.cli import main

    try:
        result = main.main(args, prog_name="nnanim", standalone_mode=False)
    except click.ClickException as e:
        raise NnanimError(e.format_message()) from None
    except click.exceptions.Abort:
        raise NnanimError("stopped") from None
    except SystemExit as e:  # a command that sets its own exit status (nnanim check)
        result = e.code
    if isinstance(result, int) and result:
        raise NnanimError(f"nnanim {args[0]} ended with exit status {result}")
    return result


def shown(result):
    """What a command wrote, as Jupyter shows it: a picture or an animation, a trace's summary, a link."""
    if isinstance(result, (list, tuple)):
        return _links(result) if len(result) != 1 else shown(result[0])
    if not isinstance(result, Path):
        return None
    suffix = result.suffix.lower()
    if suffix == ".svg":
        from IPython.display import SVG

        return SVG(filename=str(result))
    if suffix in VIDEO_TYPES or suffix in IMAGE_TYPES:
        return Media.of(result)
    if suffix == ".nntrace":
        from nnanim.summary import as_text, summarize

        return Summary(as_text(summarize(_load(result)), result))
    return _links([result])


def _links(paths):
    from html import escape

    from IPython.display import HTML

    items = "".join(f'<li><a href="{escape(str(p), quote=True)}" target="_blank">{escape(str(p))}</a></li>'
                    for p in paths)
    return HTML(f"<ul>{items}</ul>")


def _trace_file(source, work):
    """A trace file for `source`: itself, a Trace saved, or a live Value's backward pass recorded."""
    from nnanim.engine.trace import Trace

    if isinstance(source, (str, Path)):
        return Path(source)
    if isinstance(source, Trace):
        name = str(source.meta.get("name") or "")
        trace, name = source, name if name.isidentifier() else "recorded"
    else:
        trace, name = _recorded_backward(source), "value"
    path = work / f"{name}.nntrace"
    try:
        trace.save(path)
    except Exception as e:  # noqa: BLE001 -- a trace that cannot be saved is the user's to fix
        raise NnanimError(f"cannot save this trace for rendering: {e}") from None
    return path


def _recorded_backward(value):
    """A one-step trace of `value`'s graph and its backward pass, run on a copy (nnanim's own Values
    rebuilt from the graph): the teacher's Value keeps its grads."""
    from nnanim.engine import record

    copy = _live_step(value).rebuild()
    with record(source="notebook") as trace:
        copy[-1].backward()
    return trace


def _live_step(value):
    from nnanim.engine.foreign import ForeignOpError, NotAValue, live_step

    try:
        return live_step(value)
    except NotAValue as e:
        raise NnanimError(f"{type(value).__name__} is not a Value, a Trace or a trace file ({e})") from None
    except ForeignOpError as e:
        raise NnanimError(str(e)) from None


def _load(path):
    from nnanim.engine import TraceError, load_trace

    try:
        return load_trace(path)
    except TraceError as e:
        raise NnanimError(str(e)) from None
    except OSError as e:
        raise NnanimError(f"cannot read {path}: {e.strerror or e}") from None


def _notebook_size(options):
    """A notebook's quality (and NNANIM_NOTEBOOK_SIZE, NNANIM_NOTEBOOK_FPS), where the call says nothing."""
    chosen = {}
    if "quality" not in options and "size" not in options:
        chosen["quality"] = NOTEBOOK_QUALITY
        chosen["size"] = os.environ.get("NNANIM_NOTEBOOK_SIZE")
    if "fps" not in options:
        chosen["fps"] = os.environ.get("NNANIM_NOTEBOOK_FPS")
    return chosen


def _as_arguments(options):
    """Keyword options as the command line's: step=-1 -> --step -1, values=True -> --values, size=(160, 90)
    -> --size 160x90; False and None are left out."""
    args = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            args.append(flag)
        elif value is not None and value is not False:
            args += [flag, "x".join(map(str, value)) if isinstance(value, (tuple, list)) else str(value)]
    return args


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
    said = [f"nnanim: {value}"]
    shell._showtraceback(etype, value, said)
    return said


def load_ipython_extension(ipython):
    """`%load_ext nnanim`: the %nnanim and %%nnanim_record magics (nnanim/magics.py)."""
    from nnanim.magics import NnanimMagics

    one_line_errors()
    ipython.register_magics(NnanimMagics)
