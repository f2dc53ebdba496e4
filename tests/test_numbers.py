import math

import pytest

from nnanim.engine.numbers import fixed, latex, number, printed, superscript, tick_step


def test_numbers_read_well():
    assert number(-2.0) == "\u22122" and number(6.0) == "6" and number(0.123456) == "0.1235"
    assert number(-0.25) == "\u22120.25" and number(1.5e-05) == "1.5e\u221205" and number(math.nan) == "nan"
    assert number(11.000000000838668, 6) == "11" and number(2 / 3, 3) == "0.667"
    assert number(-0.25, minus="-") == "-0.25"


def test_formulas_get_latex():
    assert latex(-0.25) == "-0.25" and latex(3.0) == "3" and latex(123456.0) == "123456"
    assert latex(0.0000123456) == r"1.23 \cdot 10^{-5}" and latex(2e6) == r"2 \cdot 10^{6}"
    assert latex(math.nan) == r"\mathrm{nan}" and latex(-math.inf) == r"-\infty"


def test_draw_and_quotes_keep_their_own_forms():
    assert fixed(-6.0) == "-6.0000" and fixed(0.881373587) == "0.8814"
    assert printed(16.0) == "16" and printed(14.826299689521605) == "14.826299689521605"


def test_superscripts():
    assert superscript("2") == "\u00b2" and superscript("-1.5") == "\u207b\u00b9\u00b7\u2075"
    assert superscript("n\u22121") == "^(n\u22121)"


@pytest.mark.parametrize("span, ticks, step", [(5, 6, 1), (10, 5, 2), (999, 5, 200), (0.03, 6, 0.005), (0, 5, 1e-12)])
def test_tick_steps_are_round(span, ticks, step):
    assert tick_step(span, ticks) == pytest.approx(step)
