"""nnanim: animations of neural networks learning, replayed from real training runs.

Teachers import from here: `from nnanim import Value, MLP, record, train, load_trace`.
The engine (`nnanim.engine`) is pure Python and numpy; the scenes (`nnanim.scenes`) need Manim and are
imported only when something is rendered.
"""

from nnanim.engine import MLP, Layer, Neuron, Trace, TraceError, Value, load_trace, mse, record, sse, total_sse, train

__all__ = ["Value", "Neuron", "Layer", "MLP", "sse", "total_sse", "mse", "train", "record",
           "load_trace", "Trace", "TraceError"]
