"""The explorer as a Jupyter widget (anywidget): `nnanim.explore(x)`, and a run followed while it trains
(`nnanim.record(live=True)`, `%%nnanim_record NAME --live`) that becomes its explorer when it ends.

The front end is nnanim/explore/widget.js, which imports the page's own modules (explore.module_source):
one source, two hosts. Its state is traits anywidget syncs and a notebook saves with its widget state:
the explorer's data (docs/explore.md) as JSON, and while a run trains its losses and weights as float64
buffers, sent at most ten times a second. Where a notebook is shown without its widgets (saved without
widget state, or on a site that runs no JavaScript) the output's static picture stands in: the loss curve
as SVG, with the step and loss the explorer showed.
"""

import json
import math
import time
from html import escape

import anywidget
import numpy as np
import traitlets

from nnanim.engine.numbers import number
from nnanim.explore_page import MAX_PAGE, estimate, module_source, style
from nnanim.explore_data import ExploreError, check_drawable, explorer_data, themes
from nnanim.scenes.theme import DARK

EVERY = 0.1  # s between live updates: at most ten a second, whatever the run's pace


class Explorer(anywidget.AnyWidget):
    """The explorer of a run in a notebook's output; `payload` empty while a run is still training."""

    _esm = module_source("widget.js")
    _css = style("explore.css", "widget.css")
    payload = traitlets.Unicode("").tag(sync=True)  # the explorer's data, as JSON (docs/explore.md)
    step = traitlets.Int(0).tag(sync=True)  # the step shown first
    theme = traitlets.Unicode("dark").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    themes = traitlets.Dict().tag(sync=True)
    losses = traitlets.Bytes(b"").tag(sync=True)  # live: every step's loss so far, float64
    weights = traitlets.Bytes(b"").tag(sync=True)  # live: the parameters at the last step sent, float64
    weight_labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)  # live: what the run is doing, a few words

    def __init__(self, **kwargs):
        super().__init__(themes=themes(), **kwargs)

    def _repr_mimebundle_(self, **kwargs):
        data, metadata = super()._repr_mimebundle_(**kwargs)
        data["image/svg+xml"] = picture(np.frombuffer(self.losses, "<f8"), self.title, self.step)
        return data, metadata


def explore(source, step=0, theme="dark"):
    """The explorer widget of `source`: a trace file, a Trace (from nnanim.record or %%nnanim_record), or a
    live Value (its graph and its backward pass)."""
    from pathlib import Path

    from nnanim.engine import load_trace
    from nnanim.engine.trace import Trace

    if isinstance(source, (str, Path)):
        trace, title = load_trace(source), Path(source).name
    elif isinstance(source, Trace):
        trace, title = source, str(source.meta.get("name") or "recorded run")
    else:
        trace, title = of_value(source)
    widget = Explorer(theme=theme, title=title)
    widget.step = trace.step_index(step) if trace.num_steps else 0
    show_run(widget, trace)
    return widget


def of_value(value):
    """A live Value's one-step trace (its backward pass, run on a copy: the Value keeps its grads) and a
    title that says whether its own backward() has run."""
    from nnanim.api import live_step, recorded_backward

    step = live_step(value)
    name = step.graph.labels[step.graph.root] or "the value"
    ran = step.grad[step.graph.root] != 0
    return recorded_backward(value), name if ran else f"{name}: backward() not run yet, its grads as it would give"


def show_run(widget, trace):
    """Give `widget` the explorer of `trace` (its losses too, for the static picture)."""
    widget.losses = np.asarray(trace.losses, "<f8").tobytes()
    widget.payload = json.dumps(explorer_data(trace, carried(trace), widget.title), separators=(",", ":"),
                                allow_nan=False)


def carried(trace):
    """The steps whose graphs a widget carries: every one if they fit in what a page may be, else evenly
    spread ones and the last (the slider still moves over every step); none if a step is too large to draw."""
    count = trace.num_steps
    try:
        check_drawable(trace, range(count))
    except ExploreError:
        return range(0)
    size = estimate(trace, range(count))
    if size <= MAX_PAGE:
        return range(count)
    every = math.ceil(size / MAX_PAGE * 1.25)
    return sorted({*range(0, count, every), count - 1})


class Live:
    """A widget following a run while it trains: told of every step (`watch`), it sends the losses so far
    and the parameters at most every EVERY seconds; `done` makes it the run's explorer."""

    def __init__(self, title=""):
        self.widget = Explorer(title=title, status="training")
        self._losses = []
        self._last = None  # the last step's nodes: sent once more when the run ends
        self._due = 0.0
        self._known = set()  # serials of the leaves at the last update: those still there are parameters
        self._labels = []

    def show(self):
        from IPython.display import display

        self.handle = display(self.widget, display_id=True)
        return self

    def watch(self, root, topo):
        self._losses.append(root.data)
        self._last = topo
        now = time.perf_counter()
        if now >= self._due:
            self._due = now + EVERY
            self._send(topo)

    def _send(self, topo):
        leaves = [v for v in topo if not v.prev]
        known, self._known = self._known, {v._serial for v in leaves}
        params = [v for v in leaves if v._serial in known]
        labels = [str(v.label) for v in params]
        with self.widget.hold_sync():
            self.widget.losses = np.array(self._losses, "<f8").tobytes()
            self.widget.weights = np.array([v.data for v in params], "<f8").tobytes()
            if labels != self._labels:
                self._labels = self.widget.weight_labels = labels

    def done(self, trace, note=""):
        """The run has ended: its explorer (at its last step) if it has steps, else `note` (why not)."""
        if self._last is not None:
            self._send(self._last)
            self._last = None
        self.widget.status = note or ("" if self._losses else "no step was recorded")
        if trace is not None and trace.num_steps:
            self.widget.step = trace.num_steps - 1
            try:
                show_run(self.widget, trace)
            except Exception as e:  # noqa: BLE001 -- the run is recorded; only its explorer could not be made
                self.widget.status = f"no explorer: {e}"
        if getattr(self, "handle", None) is not None:
            self.handle.update(self.widget)  # the saved output's static picture: the whole run


def picture(losses, title="", step=0, width=640, height=300):
    """The loss curve as SVG in the dark theme, with the step and loss shown: what a notebook shows without
    its widgets."""
    font = 18
    if len(losses):
        k = min(max(step, 0), len(losses) - 1)
        readout = f"step {k} of {len(losses)} · loss {number(float(losses[k]))}"
    else:
        readout = "no step recorded yet"
    finite = losses[np.isfinite(losses)]
    left, right, top, bottom = 12, width - 12, 2.2 * font + 8, height - 12
    lines = [f'<text x="{left}" y="{font * 1.1:.0f}" font-size="{font}" font-weight="bold">{escape(title or "nnanim")}</text>',
             f'<text x="{left}" y="{font * 2.3:.0f}" font-size="{font}">{escape(readout)}</text>']
    if len(finite) > 1:
        lo, hi = min(float(finite.min()), 0.0), float(finite.max())
        span = hi - lo or 1.0
        xs = left + (right - left) * np.arange(len(losses)) / (len(losses) - 1)
        ys = bottom - (bottom - top) * (np.clip(np.nan_to_num(losses, nan=lo), lo, hi) - lo) / span
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
        lines.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{DARK.rule}" stroke-width="2"/>')
        lines.append(f'<polyline points="{points}" fill="none" stroke="{DARK.accent}" stroke-width="2.5"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'font-family="{DARK.font}, Verdana, sans-serif"><rect width="100%" height="100%" fill="{DARK.background}"/>'
            f'<g fill="{DARK.text}">{"".join(lines)}</g></svg>')
