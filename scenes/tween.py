"""Animations that change a mobject in place, without the deep copies Manim's `.animate`, FadeIn and
Transform make at every play (for a graph of Text boxes those copies cost more than the frames)."""

from manim import Animation, ManimColor, interpolate_color


class Tween(Animation):
    """Call `apply(mobject, alpha)` every frame; the mobject itself is the state."""

    def __init__(self, mobject, apply, **kwargs):
        self.apply = apply
        super().__init__(mobject, **kwargs)

    def create_starting_mobject(self):
        return self.mobject

    def interpolate_mobject(self, alpha):
        self.apply(self.mobject, self.rate_func(alpha))


def recolor(mobject, color, stroke_only=False, **kwargs):
    """Change a mobject's colour (or only its outline's) smoothly."""
    start = ManimColor(mobject.get_stroke_color() if stroke_only else mobject.get_color())
    end = ManimColor(color)

    def apply(m, alpha):
        c = interpolate_color(start, end, alpha)
        m.set_stroke(c) if stroke_only else m.set_color(c)

    return Tween(mobject, apply, **kwargs)


def opacities(mobject):
    """Each drawn part with its fill and stroke opacity: what `fade` scales."""
    return [(m, m.get_fill_opacity(), m.get_stroke_opacity()) for m in mobject.family_members_with_points()]


def fade(mobject, to_visible, parts=None, **kwargs):
    """Fade a mobject in (to_visible=True) or out, scaling each part's own fill and stroke opacity
    (an unfilled curve stays unfilled); `parts` (from `opacities`) gives other opacities to scale."""
    parts = opacities(mobject) if parts is None else parts

    def apply(_, alpha):
        k = alpha if to_visible else 1 - alpha
        for m, fill, stroke in parts:
            m.set_fill(opacity=fill * k, family=False)
            m.set_stroke(opacity=stroke * k, family=False)

    apply(mobject, 0.0)
    return Tween(mobject, apply, **kwargs)
