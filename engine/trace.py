"""A recorded run, and the replay API that scenes read it through.

A Trace is a run's header (`meta`) and what was recorded (nnanim.engine.steps): `trace.step(k)` gives one
step, `trace.losses`, `trace.parameters` the run's course. `trace.save(path)` and `load_trace(path)` are
the .nntrace file (nnanim.engine.tracefile, docs/trace-format.md).
"""

import numpy as np

from nnanim.engine.steps import StepColumns, TraceError
from nnanim.engine.tracefile import read_trace, write_trace

class Trace:
    """A whole run: its header (`meta`) and what was recorded (`store`), chosen once by the level it was
    recorded at: StepColumns ("all": every graph and every node's numbers) or a ParameterTable
    ("params": parameters and losses only). Both answer the questions below; only StepColumns has steps."""

    def __init__(self, meta=None, store=None):
        self.meta = dict(meta or {})
        self.store = store if store is not None else StepColumns()
        self.written_by = None  # the nnanim version that saved the file, once loaded

    @property
    def level(self):
        return self.store.level

    @property
    def num_steps(self):
        return self.store.num_steps

    def step_index(self, k):
        """Step k as an index from 0 (negative k counts from the end), or a TraceError if there is none."""
        n = self.num_steps
        if not -n <= k < n:
            raise TraceError(f"step {k} is out of range: this trace has {n} steps (0-{n - 1})")
        return k % n

    def step(self, k):
        """Step k (negative counts from the end) with its updates."""
        return self.store.step(self.step_index(k))

    @property
    def losses(self):
        """The loss (the backward root's value) of every step."""
        return np.array(self.store.losses, dtype=np.float64)

    @property
    def parameters(self):
        """Labels of the leaves that take part in more than one step, in order of first appearance."""
        return self.store.parameters()

    def parameter_series(self):
        """(values, grads): values[k, p] is parameter p's data in step k, row S its value at the end;
        grads[k, p] its grad after step k's backward. NaN where a parameter is not in a step."""
        return self.store.parameter_series()

    def parameter_count(self):
        """How many parameters (without reading the steps when the file says it)."""
        return self.store.parameter_count()

    def first_bad_step(self):
        """The first step with a NaN or infinite number in it, or None."""
        return self.store.first_bad_step()

    # the graph part as the file stores it (empty at level "params")
    graphs = property(lambda self: self.store.graphs)
    step_graph = property(lambda self: self.store.step_graph)
    columns = property(lambda self: self.store.columns)
    final = property(lambda self: self.store.final)

    def save(self, path):
        write_trace(self, path)


def load_trace(path):
    """Read a trace file written by Trace.save (raises TraceError for anything it cannot trust)."""
    meta, store, written_by = read_trace(path)
    trace = Trace(meta=meta, store=store)
    trace.written_by = written_by
    return trace
