"""Plot axes drawn to the visual language: labels outside the box, everything plotted inside it."""

import math

import numpy as np
import pytest
from manim import tempconfig

from nnanim.scenes.calculus_plan import View
from nnanim.scenes.plot_axes import PlotAxes, clip, clipped_runs, safe_area, tick_text, tick_values
from nnanim.scenes.theme import DARK


@pytest.fixture(autouse=True)
def frame():
    with tempconfig({"frame_height": 8.0, "frame_width": 8.0 * 16 / 9, "pixel_width": 320, "pixel_height": 180}):
        yield


def test_tick_labels_have_the_digits_of_their_step_and_no_float_noise():
    step, values = tick_values(0, 0.3, 3)
    assert step == 0.1 and [tick_text(v, step) for v in values] == ["0", "0.1", "0.2", "0.3"]
    step, values = tick_values(2.81, 3.08, 5)
    assert [tick_text(v, step) for v in values] == ["2.85", "2.9", "2.95", "3", "3.05"]
    assert tick_text(-10, 10) == "\u221210" and tick_text(1000, 200) == "1000" and tick_text(14.8, 0.2) == "14.8"


def test_clip_keeps_the_part_inside_the_box():
    box = (0, 0, 2, 1)
    a, b = clip(np.array([-1.0, 0.5, 0]), np.array([3.0, 0.5, 0]), box)
    assert a[:2] == pytest.approx([0, 0.5]) and b[:2] == pytest.approx([2, 0.5])
    assert clip(np.array([-1.0, 2, 0]), np.array([3.0, 2, 0]), box) is None


def test_a_curve_is_cut_where_it_leaves_the_view():
    xs = np.linspace(-1, 1, 201)
    runs = clipped_runs(xs, [1 / x if x else math.nan for x in xs], -5, 5)
    assert len(runs) == 2
    assert all(-5 <= y <= 5 for run in runs for _, y in run)
    assert runs[0][-1] == pytest.approx((-0.2, -5)) and runs[1][0] == pytest.approx((0.2, 5))


def axes():
    left, bottom, right, top = safe_area(DARK)
    return PlotAxes(DARK, (left, bottom, 1.0, 2.5), [View(0.5, 5.5, -1, 69), View(2.8, 3.1, 12.6, 17.2)])


def test_labels_sit_outside_the_box_and_lines_inside_it():
    plot = axes()
    left, bottom, right, top = plot.box
    assert len(plot.labels) >= 8
    for label in plot.labels:
        assert hasattr(label, "made_for"), "every tick label is made with scenes.base.text"
        assert label.get_right()[0] < left or label.get_top()[1] < bottom
    ends = plot.through(3, 16, 11)
    assert all(left - 1e-9 <= p[0] <= right + 1e-9 and bottom - 1e-9 <= p[1] <= top + 1e-9 for p in ends)
    assert plot.through(3, math.nan, 11) is None
    curve = plot.plot(lambda x: 3 * x * x - 7 * x + 10, DARK.text)
    assert curve.get_top()[1] <= top + 1e-6 and curve.get_left()[0] >= left - 1e-6


def test_a_zoom_moves_lines_without_changing_what_is_drawn():
    """Manim draws during a play the parts a mobject had when the play began."""
    plot = axes()
    family = [id(m) for m in plot.get_family()]
    shown = [label.get_center().copy() for label in plot.labels]
    plot.set_view(View(2.8, 3.1, 12.6, 17.2), labels=False)
    assert [id(m) for m in plot.get_family()] == family
    assert all((label.get_center() == c).all() for label, c in zip(plot.labels, shown))
    plot.set_view(View(2.8, 3.1, 12.6, 17.2))
    assert {label.original_text for label in plot.labels} >= {"2.85", "2.9", "3", "13", "17"}


def test_the_box_leaves_room_for_the_widest_label_of_every_view():
    plot = axes()
    left, _, _, _ = safe_area(DARK)
    for view in (View(0.5, 5.5, -1, 69), View(2.8, 3.1, 12.6, 17.2)):
        plot.set_view(view)
        assert all(label.get_left()[0] >= left - 1e-6 for label in plot.labels)
