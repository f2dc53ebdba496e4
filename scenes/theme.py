"""One look for every scene, in a dark and a light variant, sized for a projector.

Sizes are fractions of the frame height, so text keeps its proportion at every quality: the smallest
text any scene may use (`min_text`) is 1/30 of the frame height, 36 px at 1080p and 16 px at 480p.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    text: str
    muted: str  # secondary text, axes, grid
    accent: str  # what is happening now: the term being typed, the active edge
    positive: str  # positive weights and gradients
    negative: str  # negative weights and gradients
    panel: str  # boxes behind values
    font: str = "DejaVu Sans"
    title_size: float = 1 / 14  # of the frame height
    body_size: float = 1 / 22
    min_text: float = 1 / 30
    formula_em: float = 1 / 25  # LaTeX em of typed formulas

    def rgba(self, color, alpha=1.0):
        """A hex colour as (r, g, b, a) in 0..1."""
        color = color.lstrip("#")
        return tuple(int(color[i:i + 2], 16) / 255 for i in (0, 2, 4)) + (alpha,)


DARK = Theme("dark", background="#14161c", text="#f2f2f2", muted="#8a90a0", accent="#ffcc4d",
             positive="#5fb4ff", negative="#ff7a6b", panel="#232733")
LIGHT = Theme("light", background="#fbfbf8", text="#16181d", muted="#6b7080", accent="#c2410c",
              positive="#1d5fd1", negative="#c8312a", panel="#eceae2")
THEMES = {"dark": DARK, "light": LIGHT}
