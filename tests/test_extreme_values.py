"""Extreme numbers in a crafted or diverged trace: 1e308, inf, 5e-324, no finite loss, and parameters whose
labels do not fit the network. Every scene draws them (clamped, the caption and the end note say so) or
refuses in one line naming the step and the value (or the label). The traces are made here, by nnanim's own
engine and Trace; each (scene, trace) pair is rendered once, tiny."""

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from nnanim.cli import main
from nnanim.engine import MLP, Trace, TraceError, record, train
from nnanim.engine.steps import ParameterTable
from nnanim.scenes import drawable
from nnanim.scenes.drawable import LIMIT, clamped, first_clamped, scale_of
from nnanim.scenes.network_plan import weights_at
from nnanim.scenes.registry import SCENES
from nnanim.scenes.training_plan import linear_ticks, log_ticks, log_view
from test_render import frames_of, not_blank

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # numpy's overflow warnings are not for people

TINY = ["--size", "160x90", "--fps", "2"]
ARCH = [2, 3, 1]
INPUTS = [[1.0, 2.0], [-1.0, 0.5], [0.5, -1.0], [2.0, -2.0]]
TARGETS = [[1.0], [-1.0], [1.0], [-1.0]]
GRAPH_SCENES = [name for name, e in SCENES.items() if e.needs == "graph"]
PARAMS_SCENES = [name for name, e in SCENES.items() if e.needs == "params"]


def recorded(tweak=lambda ps: None, targets=TARGETS, activation="tanh"):
    """Four steps of an MLP 2,3,1 recorded whole (level "all"), its parameters set by `tweak` first."""
    mlp = MLP(ARCH[0], ARCH[1:], seed=0, activation=activation)
    meta = {"architecture": ARCH, "activation": activation, "inputs": INPUTS, "targets": targets,
            "parameters": [p.label for p in mlp.ps()]}
    tweak(mlp.ps())
    with np.errstate(all="ignore"), record(**meta) as trace:
        train(mlp, INPUTS, targets, steps=4, lr=0.05)
    return trace


def table(values, losses, labels=None, inputs=INPUTS):
    """A trace of parameters and losses only (level "params"): `values` a row per step and one for the end."""
    labels = labels or recorded().parameters
    values = np.asarray(values, dtype=float)
    meta = {"architecture": ARCH, "activation": "tanh", "inputs": inputs, "targets": TARGETS, "parameters": labels}
    grads = np.zeros((len(losses), len(labels)))
    return Trace(meta, ParameterTable(labels, values, grads, grads, losses))


def alternating(size):
    return lambda ps: [setattr(p, "data", size if k % 2 == 0 else -size) for k, p in enumerate(ps)]


def mixed(ps):
    """1e308, -1e308, 5e-324 and inf among the weights: tanh keeps the loss finite, and their grads 0."""
    for p, value in zip(ps, (1e308, -1e308, 5e-324, math.inf)):
        p.data = value


def crafted():
    """name -> Trace: every extreme the issue lists."""
    normal = recorded().parameter_series()[0]
    n = normal.shape[1]
    span = normal.copy()
    span[0] = [1e308 if k % 2 == 0 else -1e308 for k in range(n)]
    span[1] = 5e-324
    renamed = ["weight"] + recorded().parameters[1:]
    return {
        "mixed": recorded(mixed),
        "huge": recorded(alternating(1e308), activation="linear"),  # the loss inf, then NaN
        "nan": recorded(targets=[[math.nan]] * 4),  # no step has a finite loss
        "tiny": table(np.full_like(normal, 5e-324), [5e-324] * 4),
        "span": table(span, [1e308, -1e308, 0.0, 5e-324], inputs=[[1e308, 5e-324]] + INPUTS[1:]),
        "renamed": table(normal, [4.0, 3.0, 2.0, 1.0], labels=renamed),
    }


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    root = tmp_path_factory.mktemp("extreme")
    made = {}
    for name, trace in crafted().items():
        trace.save(root / f"{name}.nntrace")
        made[name] = root / f"{name}.nntrace"
    return made


NO_LOSS = ", and no step of this trace has a finite loss: there is no curve to draw"
MISMATCH = "none is labelled w_000, as an MLP 2,3,1 names its 13 parameters (w_ijl, b_jl: w_000 to b_01); " \
           "it has 'weight' instead"
REFUSED = {**{(scene, "nan"): "step 0: the loss is NaN" + NO_LOSS for scene in ("loss", "training")},
           **{(scene, "huge"): "step 0: the loss is \u221e" + NO_LOSS for scene in ("loss", "training")},
           **{(scene, "renamed"): MISMATCH for scene in PARAMS_SCENES if scene != "loss"}}
EDGE = "beyond \u00b110\u00b9\u2070\u2070: drawn at the edge"
ZERO = "below 10\u207b\u00b9\u2070\u2070 in size: drawn as 0"
W_HUGE = f"Step 0: w\u2080\u2080\u2080 = 1e+308, {EDGE}."
W_TINY = f"Step 0: w\u2080\u2080\u2080 = 4.941e\u2212324, {ZERO}."
SAID = {  # what the caption and the end note say of the first number drawn somewhere else than at its value
    **{(scene, trace): W_HUGE for scene in PARAMS_SCENES for trace in ("mixed", "huge", "span") if scene != "loss"},
    **{(scene, "tiny"): W_TINY for scene in PARAMS_SCENES if scene != "loss"},
    ("loss", "span"): f"Step 0: the loss = 1e+308, {EDGE}.",
    ("loss", "tiny"): f"Step 0: the loss = 4.941e\u2212324, {ZERO}.",
}
PAIRS = [(scene, "mixed") for scene in GRAPH_SCENES] + \
        [(scene, trace) for trace in ("mixed", "huge", "nan", "tiny", "span", "renamed") for scene in PARAMS_SCENES]


@pytest.mark.parametrize("scene, name", PAIRS)
def test_every_scene_draws_an_extreme_trace_or_refuses_in_one_line(scene, name, traces, tmp_path):
    duration = ["--duration", "2"] if "duration" in SCENES[scene].options else []
    result = CliRunner().invoke(main, ["render", scene, str(traces[name]), *TINY, *duration, "-o", str(tmp_path)])
    assert "Traceback" not in result.output and "Warning" not in result.output, result.output
    if (scene, name) in REFUSED:
        errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
        assert result.exit_code == 1 and len(errors) == 1, result.output
        assert REFUSED[scene, name] in errors[0]
        return
    assert result.exit_code == 0, result.output
    out = tmp_path / f"{scene}-{name}.mp4"
    assert not_blank(frames_of(out)[-1])
    end_note = json.loads((tmp_path / f"{out.name}.json").read_text(encoding="utf-8"))["notes"][-1]
    if (scene, name) in SAID:
        assert end_note.endswith(" " + SAID[scene, name]), end_note
    else:
        assert "drawn at the edge" not in end_note and "drawn as 0" not in end_note, end_note


def test_numbers_are_drawn_within_the_limit_and_the_first_one_moved_is_named():
    assert clamped([1e308, -1e308, 5e-324, 0.0, 2.5]).tolist() == [LIMIT, -LIMIT, 0.0, 0.0, 2.5]
    kept = clamped([math.nan, math.inf, -math.inf])
    assert math.isnan(kept[0]) and kept[1:].tolist() == [math.inf, -math.inf], "a diverged run's are marked, not moved"
    assert scale_of([np.array([[1e308, math.nan]])]) == LIMIT and scale_of([np.array([0.3, -math.inf])]) == 0.5
    assert scale_of([np.array([math.nan])]) == 1.0
    found = first_clamped(np.array([[1.0, 2.0], [5e-324, 1e308]]), ["w_000", "b_00"])
    assert (found.where, found.name, found.value) == ("step 1", "w_000", 5e-324)
    assert first_clamped([[1e308, 0.0]], ["x_1", "x_2"], row="example").said() == f"example 0: x\u2081 = 1e+308, {EDGE}"
    assert first_clamped(np.ones((3, 2)), ["a", "b"]) is None
    assert first_clamped([[1.0], [1e308]], ["w_000"], rows=[0]) is None, "only the steps drawn"
    long = first_clamped([1e200], "a_very_long_label_of_a_student").said()
    assert long.startswith("step 0: a_very_long\u2026 = 1e+200"), long


def test_loss_axes_take_any_finite_loss_and_refuse_none():
    with pytest.raises(ValueError, match="step 0: the loss is NaN, and no step"):
        log_view([math.nan, math.inf])
    with pytest.raises(ValueError, match="step 0: the loss is \u221e"):
        log_view([math.inf, math.nan], forced=True)
    assert not log_view([1e308, -1e308, 1.0]), "a negative loss: linear"
    assert log_view([1e308, 1.0, 5e-3]) and not log_view([5e-324, 5e-324])
    bottom, top, ticks = linear_ticks(-LIMIT, LIMIT, 4)
    assert float(bottom) <= -LIMIT and float(top) >= LIMIT and all(map(math.isfinite, ticks))
    bottom, top, ticks = linear_ticks(0.0, 1e-30, 4)
    assert bottom == 0 and top > 1e-30 and len(ticks) >= 2, "a span below the smallest tick step still has an axis"
    bottom, top, ticks = log_ticks(drawable.SMALLEST, LIMIT, 6)
    assert all(t > 0 for t in ticks) and bottom < -99 and top > 99


def test_parameters_that_do_not_fit_the_network_are_named():
    trace = crafted()["renamed"]
    with pytest.raises(TraceError) as refused:
        weights_at(trace, 0)
    assert str(refused.value) == f"this trace's parameters do not fit its network 2,3,1: {MISMATCH}"
    missing = table(np.ones((5, 12)), [1.0] * 4, labels=recorded().parameters[:-1])
    with pytest.raises(TraceError, match="none is labelled b_01, as an MLP 2,3,1 names its 13 parameters"):
        weights_at(missing, 0)
