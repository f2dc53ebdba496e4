"""The derivative and descent scenes' speaker notes: a note per step, with the numbers the scene computes."""

import pytest
from click.testing import CliRunner

from nnanim import sidecar
from nnanim.cli import main
from nnanim.engine.expression import Function
from nnanim.engine.numbers import MINUS, number, printed
from nnanim.scenes.calculus_plan import LR, NUDGE, WORKSHOP_F, g_nudges, g_step, rolling, secant_schedule, secant_slope

TINY = ["--size", "160x90", "--fps", "5"]


def rendered_notes(scene, out, *args):
    """Render `scene` tiny, and the notes of its sidecar."""
    result = CliRunner().invoke(main, ["render", scene, *map(str, args), *TINY, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return notes_in(out / f"{scene}.mp4")


def notes_in(media):
    """The notes in the sidecar of a render (checked: one per step, none empty)."""
    info = sidecar.read(media)
    assert len(info.notes) == len(info.stops) + 1 and all(n.strip() for n in info.notes), info.notes
    return list(info.notes)


@pytest.mark.parametrize("function, at", [(WORKSHOP_F, 3.0), ("x^3", 1.0)])
def test_derivative_notes_quote_the_table_and_the_slope(function, at, tmp_path):
    notes = rendered_notes("derivative", tmp_path, "--function", function, "--at", at)
    f, hs = Function(function), secant_schedule()
    ratios = [number(secant_slope(f, at, h), 5) for h in hs]
    assert len(notes) == 4, "h = 2, h shrunk, the tangent, then the end"
    x1 = at + hs[0]
    assert (f"rise = f({number(x1)}) {MINUS} f({number(at)}) = {number(f(x1))} {MINUS} {number(f(at))} = "
            f"{number(f(x1) - f(at))}, so its slope rise / run is {ratios[0]}.") in notes[0]
    assert ", ".join(ratios) in notes[1]
    found = f"f\u2032({number(at)}) = {number(f.derivative(at), 5)}"
    assert found in notes[2] and notes[3].startswith(found)
    if function == WORKSHOP_F:
        assert "50 \u2212 16 = 34" in notes[0] and "17, 14, 12.5, 11.3, 11.03, 11.003" in notes[1]
        assert "f\u2032(3) = 11" in notes[2]


def test_descent_notes_quote_each_step_and_what_python_prints(deck_renders):
    notes = notes_in(deck_renders.folder / "descent.mp4")  # the deck's slide: descent, tiny, no options
    f = Function(WORKSHOP_F)
    path = rolling(f, 3.0, 60)
    first, last = path[0], path[-1]
    before, grads, moved, after = g_step()
    nudged = g_nudges()
    assert len(notes) == 3 + 3 + 1 + 1, "the tangent, one step, the roll; a nudge of a, b, c; the step of g; the end"
    assert f"is {number(first.grad)}: downhill is to the left" in notes[0]
    assert f"{MINUS}{LR} \u00b7 11 = {number(first.step)}" in notes[1] and f"= {number(first.x_next)}" in notes[1]
    assert f"{printed(first.fx)}, then {printed(first.fx_next)}" in notes[1]
    assert "14.826299689521605" in notes[1]
    assert f"After step {len(path)}: x = {number(last.x_next)}" in notes[2]
    assert f"f(x) = {number(last.fx_next)}" in notes[2]
    for k, name in enumerate("abc"):
        change = nudged[k] - before
        assert (f"\u2202g/\u2202{name} \u2248 {number(change)} / {number(NUDGE)} = {number(grads[k])}"
                in notes[3 + k]), notes[3 + k]
    assert "\u2202g/\u2202a \u2248 0.3 / 0.05 = 6" in notes[3] and "= \u22121" in notes[5]
    for k, name in enumerate("abc"):
        assert f"{name} \u2190 " in notes[6] and f"= {number(moved[k])}" in notes[6]
    assert f"from {printed(before)} to {printed(after)}" in notes[6] and "2.5454000000421946" in notes[6]
