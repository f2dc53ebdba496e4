"""The door: nnanim as a Python library. Every front end (the command line, a deck, the notebook) goes
through these calls; a script can too:

    import nnanim
    with nnanim.record() as run:
        ...                                    # a training loop calling backward()
    nnanim.render("loss", run, quality="l")    # -> Path('renders/loss-recorded.mp4')
    nnanim.render("backprop", L, step=-1)      # a live Value: its graph and backward pass

A mistake is an NnanimError (one line), never a traceback.
"""

import contextlib
import tempfile
from pathlib import Path

from nnanim.errors import NnanimError
from nnanim.render import DEFAULT_QUALITY, DEFAULT_THEME, RENDERS, request


def render(scene, trace=None, *, quality=DEFAULT_QUALITY, theme=DEFAULT_THEME, format="mp4", size=None, fps=None,
           out=RENDERS, **scene_options):
    """Render `scene` (a name `nnanim scenes` lists) into the folder `out` and return the file written.

    trace: a trace file, a Trace (`with nnanim.record() as run:`), a live Value of nnanim's or of any
    micrograd-style class (its graph and backward pass, recorded on a copy), or None (the workshop's run).
    quality: l, m, h or k as in Manim; size=(w, h) and fps override it. format: mp4, webm, gif or png.
    scene_options: step=-1, transparent=True, check_layout=True, and the scene's own (values=True,
    neuron=(0, 3), log=True, ...; `nnanim scenes` lists them)."""
    from nnanim.render import render as render_request

    with trace_file(trace) as path:
        return render_request(request(scene, path, quality=quality, theme=theme, fmt=format, size=size, fps=fps,
                                      out_dir=out, **scene_options))


@contextlib.contextmanager
def trace_file(source):
    """A trace file for `source` while the block runs: a path as it is, a Trace or a live Value's backward
    pass saved into a temporary folder (removed after), or None."""
    from nnanim.engine.trace import Trace

    if source is None or isinstance(source, (str, Path)):
        yield Path(source) if source is not None else None
        return
    if isinstance(source, Trace):
        name = str(source.meta.get("name") or "")
        trace, name = source, name if name.isidentifier() else "recorded"
    else:
        trace, name = recorded_backward(source), "value"
    with tempfile.TemporaryDirectory(prefix="nnanim-trace-") as work:
        path = Path(work) / f"{name}.nntrace"
        try:
            trace.save(path)
        except NnanimError:
            raise
        except Exception as e:  # noqa: BLE001 -- a trace that cannot be saved is the user's to fix
            raise NnanimError(f"cannot save this trace for rendering: {e}") from None
        yield path


def recorded_backward(value):
    """A one-step trace of `value`'s graph and its backward pass, run on a copy (nnanim's own Values
    rebuilt from the graph): the caller's Value keeps its grads."""
    from nnanim.engine import record

    copy = live_step(value).rebuild()
    with record(source="notebook") as trace:
        copy[-1].backward()
    return trace


def live_step(value):
    """A live Value of nnanim's or of any micrograd-style class, as a trace Step (its graph as it is now)."""
    from nnanim.engine.foreign import NotAValue, live_step as step_of

    try:
        return step_of(value)
    except NotAValue as e:
        raise NotAValue(f"{type(value).__name__} is not a Value, a Trace or a trace file ({e})") from None
