"""The layout checker: what is on screen, by Manim's own geometry, against the visual language.

At every stop and at the end of a scene rendered with `--check-layout` (tests render every scene so):
no two texts overlap, no text or shape leaves the title-safe area or enters the bottom corners a slides
page keeps for its slide number and controls, and no text is below the size floor (docs/visual-style.md).
It reads the bounding boxes of the mobjects on screen, not pixels, so it names what is wrong: "`loss 0.01`
and `step 999` overlap".

Text is what `scenes.base.text` makes (it records the line height it was made for) and raster mobjects
that report `layout_items()` (labels, typed formulas, plots). Any other Text on screen is a problem of
its own: its size is unknown, so the floor cannot be checked. A mobject marked `layout_role =
"background"` (a full-frame band, the camera's backdrop) is not checked.
"""

from dataclasses import dataclass

import numpy as np
from manim import ImageMobject, MathTex, SingleStringMathTex, Tex, Text, VMobject, config
from manim.mobject.text.numbers import DecimalNumber

TOLERANCE = 0.01  # scene units (the frame is 8 high): anti-aliasing, rounding
TEXT_KINDS = (Text, MathTex, SingleStringMathTex, Tex, DecimalNumber)


@dataclass(frozen=True)
class Item:
    """One thing on screen: text (with its line height) or a shape; box = (left, bottom, right, top)."""

    kind: str
    name: str
    box: tuple
    line_height: float | None = None


def items_on_screen(mobjects):
    """The texts and shapes of the scene's mobjects, each visible leaf once."""
    items = []
    for top in mobjects:
        _collect(top, items)
    return items


def _collect(mobject, items):
    if getattr(mobject, "layout_role", None) == "background" or not _visible(mobject):
        return
    if hasattr(mobject, "layout_items"):
        items.extend(mobject.layout_items())
        return
    if isinstance(mobject, TEXT_KINDS):
        items.append(Item("text", _name(mobject), _box(mobject), _line_height(mobject)))
        return
    if isinstance(mobject, VMobject) and len(mobject.points) and not mobject.submobjects:
        items.append(Item("shape", type(mobject).__name__, _box(mobject)))
    for sub in mobject.submobjects:
        _collect(sub, items)


def _visible(mobject):
    """Drawn at all: a raster or image, or a VMobject with some fill or stroke (not a ValueTracker)."""
    for m in mobject.get_family():
        if hasattr(m, "layout_items") or isinstance(m, ImageMobject):
            return True
        if isinstance(m, VMobject) and len(m.points):
            if m.get_fill_opacity() > 0.05 or (m.get_stroke_opacity() > 0.05 and m.get_stroke_width() > 0):
                return True
    return False


def _box(mobject):
    left, bottom = mobject.get_corner(np.array([-1, -1, 0]))[:2]
    right, top = mobject.get_corner(np.array([1, 1, 0]))[:2]
    return float(left), float(bottom), float(right), float(top)


def _name(mobject):
    text = (getattr(mobject, "original_text", None) or getattr(mobject, "tex_string", None)
            or (f"{mobject.number:g}" if isinstance(mobject, DecimalNumber) else None)
            or type(mobject).__name__)
    return " ".join(str(text).split())[:40]


def _line_height(mobject):
    made = getattr(mobject, "made_for", None)  # (line height, height when made), from scenes.base.text
    if made is None or made[1] <= 0:
        return None
    return made[0] * mobject.height / made[1]


def problems(items, frame, theme):
    """What breaks the visual language, one line each. `frame` = (left, bottom, right, top) of the
    camera's view in scene units."""
    left, bottom, right, top = frame
    height = top - bottom
    safe = theme.safe_area(right - left, height, ((left + right) / 2, (bottom + top) / 2))
    floor = theme.min_text * height
    found = []
    texts = [item for item in items if item.kind == "text"]
    chrome = theme.chrome_area(right - left, height, ((left + right) / 2, (bottom + top) / 2))
    for item in items:
        out = _outside(item.box, safe)
        under = " and ".join(what for what, box in chrome if _overlap(item.box, box))
        page = f"under {under} of a slides page" if under else ""
        if out:
            found.append(f"{item.kind} `{item.name}` leaves the safe area ({out}{', ' + page if page else ''})")
        elif page:
            found.append(f"{item.kind} `{item.name}` is {page}")
    for item in texts:
        if item.line_height is None:
            found.append(f"text `{item.name}` was not made with scenes.base.text: its size is unknown")
        elif item.line_height < floor * 0.97:
            px = item.line_height / height * 480
            found.append(f"text `{item.name}` is {px:.0f} px tall at 480p, below the floor "
                         f"({theme.min_text * 480:.0f} px)")
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            if _overlap(a.box, b.box):
                found.append(f"`{a.name}` and `{b.name}` overlap")
    return found


def _outside(box, safe):
    l, b, r, t = box
    sl, sb, sr, st = safe
    parts = [(sl - l, "left"), (r - sr, "right"), (sb - b, "bottom"), (t - st, "top")]
    over = [f"{side} by {amount:.2f}" for amount, side in parts if amount > TOLERANCE]
    return ", ".join(over)


def _overlap(a, b):
    return (min(a[2], b[2]) - max(a[0], b[0]) > TOLERANCE and min(a[3], b[3]) - max(a[1], b[1]) > TOLERANCE)


def frame_of(scene):
    """The camera's view: the moving camera's frame, or the whole configured frame."""
    frame = getattr(scene.camera, "frame", None)
    if frame is not None:
        return _box(frame)
    w, h = config.frame_width / 2, config.frame_height / 2
    return -w, -h, w, h
