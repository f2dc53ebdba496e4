"""nnanim: animations of neural networks learning, replayed from real training runs.

The library is the product (nnanim/api.py is the door every front end goes through):
`from nnanim import Value, MLP, record, train, load_trace, render`; in a notebook, `nnanim.draw(L)`,
`nnanim.show("backprop", L)`, `nnanim.explore(run)` (a widget), and `%load_ext nnanim` for `%nnanim`
(docs/notebook.md). Every mistake a person can fix is an NnanimError. The engine (`nnanim.engine`) is pure Python and numpy; the scenes
(`nnanim.scenes`) need Manim and are imported only when something is rendered.
"""

from nnanim.api import render
from nnanim.engine import MLP, Layer, Neuron, Trace, TraceError, Value, load_trace, mse, sse, total_sse, train
from nnanim.errors import NnanimError
from nnanim.notebook import draw, explore, record, show

__all__ = ["Value", "Neuron", "Layer", "MLP", "sse", "total_sse", "mse", "train", "record", "load_trace", "Trace",
           "render", "draw", "show", "explore", "NnanimError", "TraceError", "load_ipython_extension"]


def load_ipython_extension(ipython):
    """`%load_ext nnanim`: the %nnanim and %%nnanim_record magics (nnanim/magics.py)."""
    from nnanim.magics import load_ipython_extension as load

    load(ipython)
