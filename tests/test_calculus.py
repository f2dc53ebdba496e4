import math

import pytest

from nnanim.engine.expression import ExpressionError, Function
from nnanim.scenes.calculus_plan import WORKSHOP_F, descent, g_step, secant_schedule, secant_slope


def test_the_workshop_function_and_its_derivative():
    f = Function(WORKSHOP_F)
    assert f(3) == 16 and f.derivative(3) == 11
    slopes = [secant_slope(f, 3, h) for h in secant_schedule()]
    assert slopes == sorted(slopes, reverse=True) and abs(slopes[-1] - 11) < 0.01


def test_derivative0_prints_the_slides_numbers():
    step = descent(Function(WORKSHOP_F), 3, 1)[0]
    assert step.fx == 16 and step.fx_next == 14.826299689521605


def test_descent_rolls_downhill_to_the_minimum():
    path = descent(Function(WORKSHOP_F), 3, 200)
    assert all(b.fx_next < a.fx_next for a, b in zip(path, path[1:]))
    assert path[-1].x_next == pytest.approx(7 / 6, abs=1e-3)


def test_derivative1_prints_the_slides_numbers():
    before, grads, moved, after = g_step()
    assert before == 3 and after == 2.5454000000421946
    assert grads == pytest.approx((6, 3, -1), abs=1e-6)


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
