"""The layout checker on scenes made for it: it finds overlap, clipping and small text by geometry."""

import pytest
from click.testing import CliRunner
from manim import DOWN, LEFT, RIGHT, UP, Text, config, tempconfig

from nnanim.cli import main
from nnanim.scenes.base import text
from nnanim.scenes.layout import frame_of, items_on_screen, problems
from nnanim.scenes.theme import DARK


@pytest.fixture(autouse=True)
def frame():
    with tempconfig({"frame_height": 8.0, "frame_width": 8.0 * 16 / 9, "pixel_width": 320, "pixel_height": 180}):
        yield


def check(*mobjects, theme=DARK):
    class Bare:
        camera = object()
    return problems(items_on_screen(mobjects), frame_of(Bare), theme)


def test_a_clean_layout_has_no_problems():
    a, b = text("loss", DARK), text("step 999", DARK)
    b.next_to(a, DOWN)
    assert check(a, b) == []


def test_overlapping_texts_are_named():
    a, b = text("weights", DARK), text("biases", DARK)
    b.move_to(a.get_center() + RIGHT * 0.2)
    assert check(a, b) == ["`weights` and `biases` overlap"]


def test_text_outside_the_safe_area():
    a = text("clipped", DARK).to_edge(LEFT, buff=0)
    found = check(a)
    assert len(found) == 1 and "leaves the safe area (left by" in found[0]
    assert check(text("inside", DARK).to_edge(UP, buff=0.05 * config.frame_height + 0.02)) == []


def test_what_a_slides_page_draws_over_is_named():
    import dataclasses

    number = text("h_22.grad", DARK).to_corner(DOWN + LEFT, buff=0.02)
    found = check(number)
    assert len(found) == 1 and "leaves the safe area (left by" in found[0]
    assert found[0].endswith("under the slide number of a slides page)")
    thin = dataclasses.replace(DARK, safe_margin=0.01)  # the corners are the page's whatever the margin
    arrows = text("axis", DARK).to_corner(DOWN + RIGHT, buff=0.2)
    assert check(arrows, theme=thin) == ["text `axis` is under the controls of a slides page"]


def test_text_below_the_floor_even_when_shrunk():
    a = text("tiny", DARK)
    a.scale(0.5)
    found = check(a)
    assert len(found) == 1 and "below the floor" in found[0]


def test_text_of_unknown_size_and_invisible_things():
    found = check(Text("raw"))
    assert found == ["text `raw` was not made with scenes.base.text: its size is unknown"]
    hidden = text("gone", DARK).set_opacity(0)
    assert check(hidden, text("gone", DARK)) == []


def test_check_layout_fails_a_render_with_every_problem_listed(tmp_path, monkeypatch):
    import dataclasses

    import nnanim.scenes.base as base

    monkeypatch.setitem(base.THEMES, "dark", dataclasses.replace(DARK, min_text=1 / 4))  # every text too small
    result = CliRunner().invoke(main, ["render", "derivative", "--size", "160x90", "--fps", "5", "--check-layout",
                                       "-o", str(tmp_path)])
    assert result.exit_code == 1 and "Error: " in result.output and "layout problems:" in result.output
    assert "below the floor" in result.output and len(result.output.splitlines()) > 2
    assert not list(tmp_path.glob("derivative*")), "a scene failing the check leaves no file"
