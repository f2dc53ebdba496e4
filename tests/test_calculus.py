import math

import pytest

from nnanim.engine.expression import ExpressionError, Function
from nnanim.engine.numbers import number, printed
from nnanim.scenes.calculus_plan import (BAND, NUDGE, WORKSHOP_F, View, between, close_up, derivative_view, descent,
                                         g_nudges, g_step, h_between, overview, rolling, secant_schedule,
                                         secant_slope, view_of)


def test_the_workshop_function_and_its_derivative():
    f = Function(WORKSHOP_F)
    assert f(3) == 16 and f.derivative(3) == 11
    slopes = [secant_slope(f, 3, h) for h in secant_schedule()]
    assert slopes == sorted(slopes, reverse=True) and abs(slopes[-1] - 11) < 0.01


def test_the_table_of_h_shrinks_by_tenths_to_a_thousandth():
    hs = secant_schedule()
    assert hs[0] == 2 and hs[-1] == 0.001 and hs == sorted(hs, reverse=True)
    assert [number(secant_slope(Function(WORKSHOP_F), 3, h), 5) for h in hs] == [
        "17", "14", "12.5", "11.3", "11.03", "11.003"]
    assert h_between(2, 1, 0) == 2 and h_between(2, 1, 1) == 1 and h_between(1, 0.1, 0.5) == pytest.approx(0.1**0.5)


def test_derivative0_prints_the_slides_numbers():
    step = descent(Function(WORKSHOP_F), 3, 1)[0]
    assert step.fx == 16 and step.fx_next == 14.826299689521605
    assert printed(step.fx) == "16" and printed(step.fx_next) == "14.826299689521605"
    assert repr(step.x_next) == "2.8899999699730756" and number(step.x_next) == "2.89"  # the noise, and no noise
    assert number(step.step) == "\u22120.11" and number(step.grad) == "11"


def test_the_derivative_view_holds_every_secant():
    f = Function(WORKSHOP_F)
    view = derivative_view(f, 3)
    assert view.x0 == 0.5 and view.x1 == 5.5
    assert all(view.contains(3 + h, f(3 + h)) for h in [0] + secant_schedule())


def test_a_pole_does_not_flatten_the_view():
    view = view_of(Function("1/x"), -0.5, 4.5, keep=[(2, 0.5)])
    assert view.contains(2, 0.5) and view.contains(1, 1) and view.y1 - view.y0 < 50


def test_a_zoom_changes_the_width_steadily_and_ends_where_it_should():
    a, b = View(0, 4, 0, 20), View(2.8, 3.2, 12, 17)
    assert between(a, b, 0) == a
    assert between(a, b, 1) == pytest.approx(b)
    half = between(a, b, 0.5)
    assert half.x1 - half.x0 == pytest.approx((4 * 0.4) ** 0.5)
    widths = [between(a, b, t / 10).x1 - between(a, b, t / 10).x0 for t in range(11)]
    ratios = [w2 / w1 for w1, w2 in zip(widths, widths[1:])]
    assert ratios == pytest.approx([ratios[0]] * 10)


def test_descent_zooms_until_the_step_fills_two_fifths_of_the_width():
    f = Function(WORKSHOP_F)
    path = rolling(f, 3, 60)
    wide = overview(f, path)
    near = close_up(f, path[0], wide)
    assert abs(path[0].step) / (wide.x1 - wide.x0) < 0.05, "the step the issue saw: 16 px of the whole curve"
    assert abs(path[0].step) / (near.x1 - near.x0) == pytest.approx(0.4)
    assert near.contains(path[0].x, path[0].fx) and near.contains(path[0].x_next, path[0].fx_next)
    flat = Function("x^2")
    assert close_up(flat, descent(flat, 0, 1)[0], wide) == wide, "no slope, no step to zoom into"


def test_the_overview_holds_the_whole_path_with_room_for_the_arrow():
    f = Function(WORKSHOP_F)
    path = rolling(f, 3, 60)
    view = overview(f, path)
    assert view.x1 - view.x0 >= 2
    assert all(view.contains(s.x, s.fx) and view.contains(s.x_next, s.fx_next) for s in path)
    lowest = min(s.fx_next for s in path)
    assert (lowest - view.y0) / (view.y1 - view.y0) >= BAND


def test_rolling_stops_where_f_has_no_minimum():
    assert len(rolling(Function(WORKSHOP_F), 3, 60)) == 60
    runaway = rolling(Function("x^3 - x"), -2, 60)
    assert 1 < len(runaway) < 60 and all(abs(s.x_next + 2) <= 4.4 for s in runaway)
    assert len(descent(Function("x^3 - x"), -2, 60)) == 60  # which would have overflowed
    assert rolling(Function("log(x)"), 1, 200)[-1].x_next > 0


def test_descent_rolls_downhill_to_the_minimum():
    path = descent(Function(WORKSHOP_F), 3, 200)
    assert all(b.fx_next < a.fx_next for a, b in zip(path, path[1:]))
    assert path[-1].x_next == pytest.approx(7 / 6, abs=1e-3)


def test_derivative1_prints_the_slides_numbers():
    before, grads, moved, after = g_step()
    assert before == 3 and after == 2.5454000000421946
    assert grads == pytest.approx((6, 3, -1), abs=1e-6)
    assert [number(g) for g in grads] == ["6", "3", "\u22121"]
    assert [number(m) for m in moved] == ["0.94", "1.97", "3.01"]


def test_each_drawn_nudge_moves_g_by_its_partial_derivative():
    before, grads, _, _ = g_step()
    nudged = g_nudges()
    assert nudged == pytest.approx([3.3, 3.15, 2.95])
    assert [(g - before) / NUDGE for g in nudged] == pytest.approx(grads, abs=1e-6)


@pytest.mark.parametrize("text, x, value, slope", [
    ("x^2", 3, 9, 6), ("2(x + 1)", 1, 4, 2), ("exp(x)", 0, 1, 1), ("tanh(x)", 0, 0, 1),
    ("-x^3 + 2x", 2, -4, -10), ("1/x", 2, 0.5, -0.25), ("relu(x - 1)", 3, 2, 1), ("sqrt(x)", 4, 2, 0.25),
])
def test_functions_of_x(text, x, value, slope):
    f = Function(text)
    assert f(x) == pytest.approx(value) and f.derivative(x) == pytest.approx(slope)


@pytest.mark.parametrize("text", ["__import__('os').system('true')", "x.real", "y + 1", "3 +", "open('f')",
                                  "[x]", "lambda: 1", "sin(x)", "x if x else 1", "'a'", "x; 1", "x" * 300])
def test_anything_else_is_refused(text):
    with pytest.raises(ExpressionError):
        Function(text)


def test_no_blowup_and_no_crash_on_domain_errors():
    assert math.isnan(Function("9^9^9")(1))
    assert math.isnan(Function("log(x)")(-1)) and math.isnan(Function("1/x")(0))
    with pytest.raises(ExpressionError, match="exponent must be a number"):
        Function("x^x").derivative(2)
