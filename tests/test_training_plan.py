"""The training scenes' plan (scenes/training_plan.py) and what `training`, `loss` and `boundary` show:
the axis that shows the descent, ticks, stops, the predictions followed, the layout, and numbers on
screen equal to the trace's."""

import json
import math

import numpy as np
import pytest

from nnanim.scenes import training_plan as plan
from nnanim.scenes.theme import DARK
from nnanim.scenes.training_plan import Box

SAFE = plan.safe_box(DARK, 128 / 9, 8)


def test_a_loss_spanning_decades_is_drawn_on_a_log_axis_and_log_forces_it():
    workshop = [9.61, 2.43, 0.88, 0.21, 0.01]
    assert plan.log_view(workshop) and not plan.log_view([9.61, 7.3, 2.7])
    assert plan.log_view([9.61, 7.3, 2.7], forced=True)
    assert not plan.log_view([5.0, 0.0, 0.001]), "a zero loss cannot go on a log axis"
    assert plan.log_view([84.0, 3e12, float("nan")]), "a diverging run: NaN steps left out"
    with pytest.raises(ValueError, match="--log needs positive losses"):
        plan.log_view([-8.0, -9.0], forced=True)


def test_linear_ticks_start_at_zero_and_cover_the_largest_loss():
    for lo, hi, count in [(0.34, 0.6, 5), (0.0, 9.6, 4), (2.7, 9.61, 3), (84, 3.4e12, 4)]:
        bottom, top, ticks = plan.linear_ticks(lo, hi, count)
        assert ticks[0] == bottom == 0 and top >= hi and len(ticks) <= count + 1
        assert np.allclose(np.diff(ticks), ticks[1] - ticks[0])
    bottom, top, ticks = plan.linear_ticks(-8, 3, 4)
    assert bottom <= -8 and 0 in ticks and top >= 3


def test_log_ticks_are_decades_inside_the_axis_or_1_2_5_for_a_short_span():
    bottom, top, ticks = plan.log_ticks(0.00997, 9.61, 6)
    assert ticks == [0.01, 0.1, 1.0, 10.0]
    assert bottom <= math.log10(0.00997) and top >= math.log10(9.61)
    bottom, top, ticks = plan.log_ticks(84, 1e300, 6)
    assert len(ticks) <= 6 and all(bottom <= math.log10(t) <= top for t in ticks)
    bottom, top, ticks = plan.log_ticks(2.7, 9.61, 6)
    assert len(ticks) >= 2 and all(bottom <= math.log10(t) <= top for t in ticks)
    assert [plan.log_label(v) for v in (0.001, 1.0, 1000.0, 1e-5, 2e6)] == ["0.001", "1", "1000", "10⁻⁵", "2·10⁶"]


def test_the_step_ticks_are_whole_steps_and_the_readout_says_what_went_wrong():
    assert plan.step_ticks(999) == [0, 200, 400, 600, 800]
    assert plan.step_ticks(2) == [0, 1, 2]
    assert [plan.value_text(x) for x in (0.009967, float("nan"), float("inf"), -1.0)] == \
        ["0.009967", "NaN", "∞", "−1"]
    assert plan.bad_runs([1, float("nan"), float("inf"), 2, float("nan")]) == [(1, 2), (4, 4)]


def test_the_stop_falls_where_the_loss_is_down_to_a_tenth():
    assert plan.tenth_step([10, 5, 2, 1.0, 0.5, 0.1]) == 3
    assert plan.tenth_step([10, 5, 2]) is None
    assert plan.tenth_step([10, 5, 1]) is None, "at the last step: the end is the stop"
    assert plan.tenth_step([float("nan"), 1, 0.01]) is None
    schedule = [0, 0, 1, 3, 6, 10, 15]
    first, rest = plan.split_schedule(schedule, 3)
    assert first == [0, 0, 1, 3] and first + rest == schedule
    assert plan.split_schedule(schedule, None) == (schedule, [])


def test_the_predictions_followed_show_every_target():
    moons = [[1.0]] * 30 + [[-1.0]] * 30
    picked = plan.picked_examples(moons)
    assert picked == [0, 1, 30, 31]
    assert plan.picked_examples([[1, -1], [-1, 1], [0.5, 1], [-1, -0.5]]) == [0, 1, 2, 3]
    assert plan.example_name(0, [1.0, 2.0, 3.0]) == "(1, 2, 3)"
    assert plan.example_name(7, [0.8213, -0.4021]) == "example 7"


@pytest.mark.parametrize("aspect, table", [(2.5, 3.0), (1.0, 2.6), (1.9, 0), (4.0, 0)])
def test_the_layout_fills_the_safe_area_without_overlap(aspect, table):
    boxes = [b for b in plan.training_layout(SAFE, aspect, table) if b is not None]
    for b in boxes:
        assert SAFE.left - 1e-9 <= b.left < b.right <= SAFE.right + 1e-9
        assert SAFE.bottom - 1e-9 <= b.bottom < b.top <= SAFE.top + 1e-9
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert min(a.right, b.right) <= max(a.left, b.left) + 1e-9 or \
                min(a.top, b.top) <= max(a.bottom, b.bottom) + 1e-9
    area = sum(b.width * b.height for b in boxes)
    assert area > 0.85 * SAFE.width * SAFE.height
    if table:
        network, chart, below = plan.training_layout(SAFE, aspect, table)
        assert below.height == pytest.approx(table)
        if aspect >= plan.WIDE:
            assert below.width == pytest.approx(SAFE.width), "a wide network: the table spans the frame"
        else:
            assert network.height == pytest.approx(SAFE.height), "a tall network: the whole left column"


def test_the_plane_holds_the_data_at_one_scale_across_and_up():
    points = [[-1.66, -1.44], [1.49, 1.38], [0.2, 0.1]]
    (x0, x1), (y0, y1) = plan.plane_ranges(points, 1.3)
    assert (x1 - x0) / (y1 - y0) == pytest.approx(1.3)
    assert x0 < -1.66 and x1 > 1.49 and y0 < -1.44 and y1 > 1.38
    assert plan.inner_ticks(-2.2, 1.9) == [-2, -1, 0, 1]
    assert plan.accuracy(np.array([0.3, -0.2, 0.1]), np.array([1, -1, -1])) == pytest.approx(2 / 3)


def test_a_box_fits_and_cuts():
    box = Box(0, 0, 4, 2)
    assert box.fit(1.0) == Box(1, 0, 3, 2)
    top, rest = box.cut_top(0.5, gap=0.1)
    assert top == Box(0, 1.5, 4, 2) and rest == Box(0, 0, 4, 1.4)


# ----- the scenes, rendered small
TINY = ["--size", "160x90", "--fps", "5"]


def test_the_loss_stops_at_a_tenth_and_at_the_end_of_the_clip(long_trace, render_once):
    from nnanim.engine import load_trace

    result, out = render_once("loss", long_trace, *TINY)  # test_scene_notes reads its notes
    assert result.exit_code == 0, result.output
    import av

    with av.open(str(out / f"loss-{long_trace.stem}.mp4")) as movie:
        pictures = [f.to_ndarray(format="rgb24") for f in movie.decode(video=0)]
    frames = len(pictures)
    first = pictures[0].reshape(-1, 3).astype(int)
    assert (np.abs(first - np.median(first, axis=0)).sum(axis=1) > 60).mean() > 0.01, \
        "the first frame shows the axes, not an empty background"
    stops = json.loads((out / f"loss-{long_trace.stem}.mp4.json").read_text())["stops"]
    losses = load_trace(long_trace).losses
    tenth = plan.tenth_step(losses)
    assert tenth is not None and len(stops) == 2
    assert stops[-1] == pytest.approx(frames / 5), "the last stop is the end of the clip"
    assert 1.0 < stops[0] < stops[-1] / 2, "the early steps get time: the tenth comes after a second"


def test_training_shows_the_trace_s_numbers(long_trace, tmp_path):
    """At the end, the readout is the last step's loss and each prediction is what the engine's network
    with that step's parameters computes."""
    from manim import tempconfig

    from nnanim.engine import MLP, load_trace, train
    from nnanim.engine.numbers import number
    from nnanim.engine.training import WORKSHOP_INPUTS, WORKSHOP_TARGETS
    from nnanim.scenes.options import SceneOptions
    from nnanim.scenes.raster_plot import RasterLabel
    from nnanim.scenes.training import Training

    trace = load_trace(long_trace)
    settings = {"pixel_width": 160, "pixel_height": 90, "frame_rate": 5, "media_dir": str(tmp_path),
                "disable_caching": True, "verbosity": "WARNING", "progress_bar": "none"}

    class Watched(Training):
        def tear_down(self):
            self.shown = [m._content for top in self.mobjects for m in top.get_family() if isinstance(m, RasterLabel)]
            super().tear_down()

    with tempconfig(settings):
        scene = Watched(options=SceneOptions(trace=str(long_trace), duration=1.0))
        scene.render()
    shown = scene.shown
    last = trace.num_steps - 1
    assert f"step {last} of {trace.num_steps}  ·  loss {number(trace.losses[last])}" in shown
    mlp = MLP(3, [2, 4, 4, 2], seed=42)
    train(mlp, WORKSHOP_INPUTS, WORKSHOP_TARGETS, steps=last)
    outputs = [mlp(x) for x in WORKSHOP_INPUTS]
    expected = [number(out[o].data) for o in range(2) for out in outputs]  # output 0's column, then output 1's
    assert [s for s in shown if not s.startswith("step")] == expected
    assert scene.stops[-1] == pytest.approx(scene.renderer.time), "the last stop is the end of the clip"


def test_the_descent_in_words_quotes_the_readouts():
    losses = [9.61, 3.0, 0.009967]
    assert plan.descent(losses) == "the loss went from 9.61 at step 0 to 0.009967 at step 2 of 3, 964 times smaller"
    assert plan.descent(losses, 1).endswith("to 3 at step 1 of 3, 3.2 times smaller")
    assert plan.descent([1.0, 1.5]).endswith("1.5 times larger")
    assert plan.descent([2.0]) == "the loss is 2 at step 0 of 1"
    assert plan.descent([1.0, 2.0, math.nan, math.inf]).endswith(
        "to \u221e at step 3 of 4: it was NaN or infinite from step 2, the run diverged")
    assert plan.factor(1.0, 1.0) is None and plan.factor(0.0, 1.0) is None
    assert plan.factor(12345.0, 1.0) == "12,345 times smaller"
    assert plan.worst_gap([[0.5, -0.25]], [[1.0, -1.0]]) == 0.75 and math.isnan(plan.worst_gap([[math.nan]], [[1.0]]))
    assert plan.capital("nan at x\u2081") == "Nan at x\u2081" and plan.capital("the NaN") == "The NaN"
