import numpy as np
import pytest

from nnanim.engine import Trace, TraceError
from nnanim.engine.steps import ParameterTable, StepColumns
from nnanim.engine.training import record_run


@pytest.fixture(scope="module")
def traces():
    return record_run(steps=4), record_run(steps=4, level="params")


def test_step_index_counts_from_either_end_in_both_levels(traces):
    for trace in traces:
        assert trace.step_index(0) == 0 and trace.step_index(-1) == 3
        with pytest.raises(TraceError, match=r"step 4 is out of range: this trace has 4 steps \(0-3\)"):
            trace.step_index(4)
        with pytest.raises(TraceError, match="out of range"):
            trace.step(-5)


def test_the_two_levels_answer_alike(traces):
    full, params = traces
    assert isinstance(full.store, StepColumns) and isinstance(params.store, ParameterTable)
    assert (full.level, params.level) == ("all", "params")
    np.testing.assert_array_equal(full.losses, params.losses)
    assert full.parameters == params.parameters
    for a, b in zip(full.parameter_series(), params.parameter_series()):
        np.testing.assert_array_equal(a, b)
    assert full.first_bad_step() is None and params.first_bad_step() is None
    assert params.graphs == [] and len(params.step_graph) == 0
    with pytest.raises(TraceError, match="--record params"):
        params.step(0)


def test_losses_are_a_copy(traces):
    for trace in traces:
        trace.losses[0] = -1.0
        assert trace.losses[0] != -1.0


def test_an_empty_trace():
    trace = Trace()
    assert trace.level == "all" and trace.num_steps == 0 and trace.parameters == []
    assert trace.first_bad_step() is None and len(trace.losses) == 0
