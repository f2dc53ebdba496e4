"""nnanim: animations of neural networks learning, replayed from real training runs.

Teachers import from here: `from nnanim import Value, MLP, record, train, load_trace`; in a notebook,
`nnanim.draw(L)` and `nnanim.show("backprop", L)`, and `%load_ext nnanim` for `%nnanim` (nnanim/notebook.py).
The engine (`nnanim.engine`) is pure Python and numpy; the scenes (`nnanim.scenes`) need Manim and are
imported only when something is rendered.
"""

from nnanim.engine import MLP, Layer, Neuron, Trace, TraceError, Value, load_trace, mse, record, sse, total_sse, train
from nnanim.notebook import NnanimError, draw, load_ipython_extension, show

__all__ = ["Value", "Neuron", "Layer", "MLP", "sse", "total_sse", "mse", "train", "record",
           "load_trace", "Trace", "TraceError", "draw", "show", "NnanimError", "load_ipython_extension"]
