"""nnanim's engine: a micrograd-style scalar autograd, the workshop's MLP, and a recorder of runs.

Pure Python and numpy: importing it never loads manim or graphviz.
"""

from engine.losses import mse, sse, total_sse
from engine.nn import MLP, Layer, Neuron
from engine.recorder import record
from engine.trace import Trace, TraceError, load_trace
from engine.training import train
from engine.value import Value

__all__ = ["Value", "Neuron", "Layer", "MLP", "sse", "total_sse", "mse", "train", "record",
           "load_trace", "Trace", "TraceError"]
