"""Labels that fit their room at a readable size: a long name (a student's `temperature_in_celsius_at_noon`)
is cut at a word break and ends in "…" (scenes/notation.py's rule, on one line), instead of being shrunk
below the floor or running into its neighbour. Any scene can use it."""

from nnanim.scenes.base import text
from nnanim.scenes.notation import wrapped


def fitted(content, theme, width, line_height=None, color=None):
    """A `scenes.base.text` of `content` no wider than `width` (scene units), shortened if need be."""
    made = text(content, theme, line_height, color)
    chars = len(content)
    while made.width > width and chars > 1:
        chars = min(chars - 1, max(int(chars * width / made.width), 1))
        made = text(wrapped(content, chars, lines=1), theme, line_height, color)
    return made
