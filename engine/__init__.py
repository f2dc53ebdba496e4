"""nnanim's engine: a micrograd-style scalar autograd, the workshop's MLP, and a recorder of runs.

Pure Python and numpy: importing it never loads manim or graphviz.
"""

if __name__ != "nnanim.engine":  # this folder imported by its bare name: a second copy of every class
    raise ImportError(f"this folder is nnanim.engine: import nnanim.engine (or `from nnanim import ...`), not {__name__}")

from nnanim.engine.losses import mse, sse, total_sse
from nnanim.engine.nn import MLP, Layer, Neuron
from nnanim.engine.recorder import record
from nnanim.engine.steps import TraceError
from nnanim.engine.trace import Trace, load_trace
from nnanim.engine.training import train
from nnanim.engine.value import Value

__all__ = ["Value", "Neuron", "Layer", "MLP", "sse", "total_sse", "mse", "train", "record",
           "load_trace", "Trace", "TraceError"]
