"""Long labels are cut to fit their room at a readable size, never shrunk."""

from manim import config, tempconfig

from nnanim.scenes.shortened import fitted
from nnanim.scenes.theme import DARK


def test_fitted_text_fits_at_the_floor_size():
    with tempconfig({"frame_height": 8.0, "frame_width": 8.0 * 16 / 9}):
        made = fitted("temperature_in_celsius_at_noon", DARK, 2.0)
        assert made.width <= 2.0 and made.original_text.startswith("temper")
        assert made.original_text.endswith("\u2026"), "cut, and marked as cut"
        assert made.made_for[0] == round(config.frame_height * DARK.min_text, 3), "cut, not shrunk"
        assert fitted("x", DARK, 2.0).original_text == "x"
