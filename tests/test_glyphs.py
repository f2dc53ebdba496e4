"""scenes/glyphs.py: a text made from glyphs read once is Manim's own Text, point for point and colour for colour."""

import numpy as np
import pytest

CASES = [("grad 0.1234", {}), ("data −0.9158", {}), ("h_03", {"weight": "BOLD"}), ("∂L/∂w₀₀₀ = 1.5e−05 ⋯ x²", {}),
         ("MLP(x, y, z)", {"color": "#ff8080"}), ("a  b", {}), ("ffi fl Ta", {}), ("", {}), (" ", {}),
         ('<b>&"{|}', {})]


@pytest.mark.parametrize("content, style", CASES)
def test_a_glyph_text_is_manims_text(content, style):
    from manim import Text
    from manim.mobject.svg.svg_mobject import SVGMobject

    from nnanim.scenes.glyphs import GlyphText

    read_by_manim = []
    reading = SVGMobject.generate_mobject
    SVGMobject.generate_mobject = lambda self: read_by_manim.append(self) or reading(self)
    try:
        for size in (20.5, 31.7):
            ours, manims = GlyphText(content, font="DejaVu Sans", font_size=size, **style), \
                Text(content, font="DejaVu Sans", font_size=size, **style)
            assert read_by_manim == [manims], "the glyph text read its SVG itself"
            read_by_manim.clear()
            assert len(ours.get_family()) == len(manims.get_family()) and len(ours) == len(manims)
            for a, b in zip(ours.get_family(), manims.get_family()):
                for part in ("points", "fill_rgbas", "stroke_rgbas", "background_stroke_rgbas"):
                    assert np.allclose(getattr(a, part), getattr(b, part), atol=1e-9), (content, part)
            assert np.allclose(ours.get_center(), manims.get_center()) and np.isclose(ours.width, manims.width)
    finally:
        SVGMobject.generate_mobject = reading


def test_the_glyph_cache_stays_bounded_whatever_characters_the_labels_use(monkeypatch):
    """A trace's labels may use any characters: the cache starts again past MAX_GLYPHS, and texts stay right."""
    from manim import Text

    from nnanim.scenes import glyphs

    monkeypatch.setattr(glyphs, "MAX_GLYPHS", 8)
    monkeypatch.setattr(glyphs, "_GLYPHS", {})
    many = "".join(chr(c) for c in range(0x3b1, 0x3c9))  # 24 Greek letters
    ours, manims = glyphs.GlyphText(many, font="DejaVu Sans", font_size=24), Text(many, font="DejaVu Sans", font_size=24)
    assert len(glyphs._GLYPHS) <= 8
    assert all(np.allclose(a.points, b.points, atol=1e-9) for a, b in zip(ours.get_family(), manims.get_family()))
