"""nnanim's engine: a micrograd-style scalar autograd, the workshop's MLP, and a recorder of runs.

Pure Python and numpy: importing it never loads manim or graphviz.
"""

from nnanim.engine.losses import mse, sse, total_sse
from nnanim.engine.nn import MLP, Layer, Neuron
from nnanim.engine.recorder import record
from nnanim.engine.trace import Trace, TraceError, load_trace
from nnanim.engine.training import train
from nnanim.engine.value import Value

__all__ = ["Value", "Neuron", "Layer", "MLP", "sse", "total_sse", "mse", "train", "record",
           "load_trace", "Trace", "TraceError"]
