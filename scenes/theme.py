"""One look for every scene, in a dark and a light variant, made for a projector (docs/visual-style.md).

Sizes are fractions of the frame height, so a scene keeps its proportions at every quality. Nothing that
carries meaning is smaller than `min_text` (1/28 of the frame height: 17 px at 480p, 39 px at 1080p).
Every colour used for text has at least 7:1 contrast with both the background and the panels (checked by
tests/test_theme.py); `rule` is for lines only.
"""

from dataclasses import dataclass, replace

import numpy as np

from nnanim.scenes.drawable import LIMIT, SMALLEST, clamped


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    text: str
    muted: str  # secondary text: captions, legends, tick labels (still >= 7:1)
    accent: str  # what is happening now: the term being typed, the active edge
    positive: str  # positive weights and gradients (text and lines)
    negative: str  # negative weights and gradients
    panel: str  # boxes behind values
    rule: str  # axes, grid lines, idle edges: never text
    fill_positive: str  # the ends and the middle of the diverging scale for fills (heatmaps, neurons)
    fill_negative: str
    fill_zero: str
    layers: tuple  # text colours by layer (formulas): no blue/red (signs), no accent; adjacent ones far apart
    band: str  # behind the network's part of a loss: a panel a little stronger than `panel`
    warning: str  # what is wrong: a step of a class's own backward that is not the chain rule (with ⚠)
    font: str = "DejaVu Sans"  # the one face for words and numbers; LaTeX only for mathematics
    code_style: str = "github-dark"  # Pygments' colours for code on pages (nnanim deck build)
    title_size: float = 1 / 13  # of the frame height: a line, ascender to descender
    heading_size: float = 1 / 18
    body_size: float = 1 / 22
    min_text: float = 1 / 28  # the floor for anything that carries meaning
    formula_em: float = 1 / 25  # LaTeX em of typed formulas
    safe_margin: float = 0.05  # of each side: title-safe area, nothing meaningful outside it
    # The bottom corners a slides page keeps for reveal.js's chrome, inside the title-safe margin: the band's
    # height (of the frame height) and each corner's span (of the frame width, from its left edge).
    chrome_band: float = 0.05
    chrome_corners: tuple = (("the slide number", 0.0, 0.12), ("the controls", 0.9, 1.0))

    def scaled(self, factor):
        """The same theme with every size of text `factor` times larger (--large-type)."""
        return replace(self, **{name: getattr(self, name) * factor for name in
                                ("title_size", "heading_size", "body_size", "min_text", "formula_em")})

    def safe_area(self, width, height, center=(0.0, 0.0)):
        """(left, bottom, right, top) of the title-safe area of a view `width` x `height` (scene units)
        centred at `center`: `safe_margin` of it left out on every side."""
        x, y = center[0], center[1]
        w, h = width * (0.5 - self.safe_margin), height * (0.5 - self.safe_margin)
        return x - w, y - h, x + w, y + h

    def chrome_area(self, width, height, center=(0.0, 0.0)):
        """[(what, (left, bottom, right, top))] of the corners of a view `width` x `height` (scene units)
        centred at `center` where a slides page draws its slide number and controls over the video."""
        left, bottom = center[0] - width / 2, center[1] - height / 2
        return [(what, (left + start * width, bottom, left + end * width, bottom + self.chrome_band * height))
                for what, start, end in self.chrome_corners]

    def layer_color(self, layer):
        """The text colour of layer `layer` (0: the first hidden layer; deeper networks cycle); the text
        colour for -1 (what belongs to no layer: inputs, heads, targets)."""
        return self.text if layer < 0 else self.layers[layer % len(self.layers)]

    def rgba(self, color, alpha=1.0):
        """A hex colour as (r, g, b, a) in 0..1."""
        return tuple(_rgb(color)) + (alpha,)

    def diverging(self, values, scale):
        """RGB in 0..1 (shape values.shape + (3,)) for signed values on the theme's diverging scale: zero is
        a neutral grey that stays visible, ±scale and beyond the full colours; small values are lifted
        (a square root) so weak but non-zero values are still told apart from zero. Values and scale are
        taken as drawn (scenes/drawable.py): whatever a trace holds, no division here overflows."""
        scale = min(max(scale, SMALLEST), LIMIT) if scale > 0 else 1.0  # an infinite scale: LIMIT; NaN: 1
        t = np.clip(clamped(values) / scale, -1, 1)
        t = np.nan_to_num(t)
        weight = np.sqrt(np.abs(t))[..., None]
        end = np.where((t >= 0)[..., None], _rgb(self.fill_positive), _rgb(self.fill_negative))
        return (1 - weight) * _rgb(self.fill_zero) + weight * end

    def diverging_hex(self, value, scale):
        r, g, b = (round(255 * c) for c in self.diverging(value, scale))
        return f"#{r:02x}{g:02x}{b:02x}"


def _rgb(color):
    color = color.lstrip("#")
    return np.array([int(color[i:i + 2], 16) / 255 for i in (0, 2, 4)])


def contrast(a, b):
    """WCAG contrast ratio of two hex colours (1 to 21)."""
    def luminance(color):
        c = _rgb(color)
        c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


DARK = Theme("dark", background="#14161c", text="#f2f2f2", muted="#bcc2cd", accent="#ffcc4d",
             positive="#8ccaff", negative="#ff9a8c", panel="#232733", rule="#5f6574",
             fill_positive="#3d9bff", fill_negative="#ff5a47", fill_zero="#3a3f4c",
             layers=("#8fe388", "#d2bcff", "#6fdcd0", "#f8b2f2"), band="#2e3446", warning="#ffa060")
LIGHT = Theme("light", background="#fbfbf8", text="#16181d", muted="#3f4451", accent="#634500",
              positive="#143f8c", negative="#921d17", panel="#eceae2", rule="#a3a7b2",
              fill_positive="#2f6fd6", fill_negative="#d8402f", fill_zero="#dedcd4",
             layers=("#355200", "#54289a", "#005162", "#7a1f6a"), band="#e8e6dc", warning="#7f3500",
             code_style="default")
THEMES = {"dark": DARK, "light": LIGHT}
LARGE_TYPE = 1.6  # --large-type: a 16:9 stage 375 px high (in a callout, at 720p) types a formula at 24 px
TEXT_COLOURS = ("text", "muted", "accent", "positive", "negative", "warning")  # each >= 7:1 on background and panel
