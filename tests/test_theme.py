"""The visual language's numbers (docs/visual-style.md): contrast, the diverging scale, the type floor."""

import numpy as np
import pytest

from nnanim.scenes.theme import TEXT_COLOURS, THEMES, contrast


@pytest.mark.parametrize("theme", THEMES.values(), ids=list(THEMES))
def test_text_colours_reach_7_to_1_on_background_and_panels(theme):
    for name in TEXT_COLOURS:
        colour = getattr(theme, name)
        assert contrast(colour, theme.background) >= 7, name
        assert contrast(colour, theme.panel) >= 7, name


def test_contrast_matches_wcag():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("theme", THEMES.values(), ids=list(THEMES))
def test_the_diverging_scale(theme):
    rgb = theme.diverging(np.array([-2.0, -1.0, -0.01, 0.0, 0.01, 1.0, np.nan]), 1.0)
    assert rgb.shape == (7, 3)
    assert theme.diverging_hex(0.0, 1.0) == theme.fill_zero
    assert theme.diverging_hex(1.0, 1.0) == theme.fill_positive
    assert theme.diverging_hex(-5.0, 1.0) == theme.fill_negative
    zero = rgb[3]
    assert np.abs(rgb[4] - zero).sum() > 0.08, "a weak value is told apart from zero"
    assert contrast(theme.fill_zero, theme.background) > 1.25, "zero stays visible, not the background"
    assert (rgb[1] == rgb[0]).all(), "beyond the scale: the full colour"
    assert (rgb[6] == zero).all(), "NaN as zero, never garbage"


def test_the_type_floor_is_readable_at_480p():
    for theme in THEMES.values():
        assert theme.min_text * 480 >= 17
        assert theme.title_size > theme.heading_size > theme.body_size > theme.min_text


def test_the_page_chrome_is_in_the_bottom_margin_and_its_corners():
    for theme in THEMES.values():
        assert 0 < theme.chrome_band <= theme.safe_margin, "a scene's content is never under the chrome"
        (number, left), (controls, right) = theme.chrome_area(16.0, 8.0)
        assert (number, controls) == ("the slide number", "the controls")
        assert left[0] == -8 and right[2] == 8 and left[1] == right[1] == -4
        assert left[3] == right[3] == pytest.approx(-4 + 8 * theme.chrome_band) and left[2] < right[0]


def test_the_safe_area_leaves_the_margin_on_every_side():
    for theme in THEMES.values():
        left, bottom, right, top = theme.safe_area(16.0, 8.0)
        m = theme.safe_margin
        assert (left, bottom, right, top) == pytest.approx((-8 + 16 * m, -4 + 8 * m, 8 - 16 * m, 4 - 8 * m))
        assert theme.safe_area(4.0, 2.0, (10.0, -1.0)) == pytest.approx(
            (10 - 2 + 4 * m, -1 - 1 + 2 * m, 10 + 2 - 4 * m, -1 + 1 - 2 * m))
