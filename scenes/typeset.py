"""LaTeX to pixels, fast: Manim's LaTeX template run safely (scenes/latex.py, cached), then the glyphs of dvisvgm's
SVG drawn straight with Cairo. A formula of thousands of glyphs takes tens of milliseconds this way;
MathTex would first turn every glyph into a VMobject (seconds for the default network's formula).
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache

import cairo
import numpy as np

_XLINK = "{http://www.w3.org/1999/xlink}href"
_SVG = "{http://www.w3.org/2000/svg}"
_TOKEN = re.compile(r"[MLHVCSQTZmlhvcsqtz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


@dataclass
class Glyphs:
    """Placed glyphs of one LaTeX run, in TeX's order, in points (y down, as in the SVG)."""

    paths: dict  # glyph id -> list of (command, points)
    uses: list  # (glyph id or None for a rule, x, y, w, h)
    boxes: np.ndarray  # (n, 4): left, top, right, bottom of each glyph
    width: float
    height: float
    top: float  # y of the top of the drawing (the viewBox's, or higher ink)
    left: float = 0.0  # x of its left (a line wider than LaTeX's text width reaches past the viewBox)

    def __len__(self):
        return len(self.uses)


@lru_cache(maxsize=8)
def glyphs_of(latex):
    """The placed glyphs of an align* body (compiled once, parsed once per process)."""
    from nnanim.scenes.latex import svg_of

    return parse_svg(svg_of(latex))


def parse_svg(path):
    root = ET.parse(path).getroot()
    x0, y0, w, h = (float(v) for v in root.get("viewBox").split())
    paths = {p.get("id"): _parse_path(p.get("d", "")) for p in root.iter(f"{_SVG}path") if p.get("id")}
    extents = {gid: _extent(cmds) for gid, cmds in paths.items()}
    uses, boxes = [], []
    for el in root.iter():
        if el.tag == f"{_SVG}use":
            gid = el.get(_XLINK, "")[1:]
            x, y = float(el.get("x", 0)), float(el.get("y", 0))
            l, t, r, b = extents.get(gid, (0, 0, 0, 0))
            uses.append((gid, x, y, 0.0, 0.0))
            boxes.append((x + l, y + t, x + r, y + b))
        elif el.tag == f"{_SVG}rect":
            x, y = float(el.get("x", 0)), float(el.get("y", 0))
            rw, rh = float(el.get("width", 0)), float(el.get("height", 0))
            uses.append((None, x, y, rw, rh))
            boxes.append((x, y, x + rw, y + rh))
    boxes = np.array(boxes, dtype=float).reshape(-1, 4)
    if len(boxes):  # the ink's extent, not only the viewBox's
        x1, y1 = max(x0 + w, boxes[:, 2].max()), max(y0 + h, boxes[:, 3].max())
        x0, y0 = min(x0, boxes[:, 0].min()), min(y0, boxes[:, 1].min())
        w, h = x1 - x0, y1 - y0
    return Glyphs(paths, uses, boxes, w, h, y0, x0)


def _parse_path(d):
    """SVG path data as absolute (command, [x, y, ...]) with only M, L, C, Q and Z."""
    tokens = _TOKEN.findall(d)
    out, i, cmd = [], 0, None
    cx = cy = sx = sy = 0.0
    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
            if cmd in "Zz":
                out.append(("Z", []))
                cx, cy = sx, sy
                continue
        n = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2}[cmd.upper()]
        args = [float(t) for t in tokens[i:i + n]]
        i += n
        rel = cmd.islower()
        up = cmd.upper()
        if up == "H":
            args, up = [args[0] + (cx if rel else 0), cy], "L"
        elif up == "V":
            args, up = [cx, args[0] + (cy if rel else 0)], "L"
        elif rel:
            args = [a + (cx if k % 2 == 0 else cy) for k, a in enumerate(args)]
        if up in ("S", "T"):
            prev = out[-1] if out else ("M", [cx, cy])
            px, py = (prev[1][-4], prev[1][-3]) if prev[0] in ("C", "Q") else (cx, cy)
            args = [2 * cx - px, 2 * cy - py] + args
            up = "C" if up == "S" else "Q"
        out.append((up, args))
        cx, cy = args[-2], args[-1]
        if up == "M":
            sx, sy = cx, cy
            cmd = "l" if rel else "L"
    return out


def _extent(cmds):
    pts = np.array([p for _, a in cmds for p in zip(a[0::2], a[1::2])] or [(0, 0)])
    return pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max()


def fill(pixels, rgba):
    """Set every pixel of an (h, w, 4) uint8 array to `rgba` (four bytes), as fast as a memset."""
    pixels.view(np.uint32)[...] = np.ascontiguousarray(rgba, dtype=np.uint8).view(np.uint32)[0]


def rasterize(glyphs, scale, size, offset, colors, background, underlay=()):
    """Draw glyphs into an RGBA array of `size` (w, h) pixels: point (x, y) lands at
    offset + scale * (x - left, y - top). `colors[i]` is glyph i's (r, g, b, a) in 0..1; `underlay` holds
    rectangles (x0, y0, x1, y1, rgba) in pixels, filled first. Returns Manim's pixel layout (the
    camera's: RGBA bytes, alpha premultiplied, as Cairo keeps them)."""
    w, h = size
    pixels = np.empty((h, w, 4), dtype=np.uint8)
    fill(pixels, background)
    surface = cairo.ImageSurface.create_for_data(pixels, cairo.FORMAT_ARGB32, w, h)
    ctx = cairo.Context(surface)
    for x0, y0, x1, y1, (r, g, b, a) in underlay:
        ctx.set_source_rgba(b, g, r, a)
        ctx.rectangle(x0, y0, x1 - x0, y1 - y0)
        ctx.fill()
    ctx.translate(*offset)
    ctx.scale(scale, scale)
    ctx.translate(-glyphs.left, -glyphs.top)
    cached = {}
    for (gid, x, y, rw, rh), color in zip(glyphs.uses, colors):
        r, g, b, a = color
        ctx.set_source_rgba(b, g, r, a)  # Cairo's ARGB32 is BGRA in memory; Manim stores RGBA
        ctx.save()
        ctx.translate(x, y)
        if gid is None:
            ctx.rectangle(0, 0, rw, rh)
        elif gid in cached:
            ctx.append_path(cached[gid])
        else:
            for cmd, args in glyphs.paths.get(gid, []):
                if cmd == "M":
                    ctx.move_to(*args)
                elif cmd == "L":
                    ctx.line_to(*args)
                elif cmd == "C":
                    ctx.curve_to(*args)
                elif cmd == "Q":
                    x0, y0 = ctx.get_current_point()
                    qx, qy, ex, ey = args
                    ctx.curve_to(x0 + 2 / 3 * (qx - x0), y0 + 2 / 3 * (qy - y0),
                                 ex + 2 / 3 * (qx - ex), ey + 2 / 3 * (qy - ey), ex, ey)
                else:
                    ctx.close_path()
            cached[gid] = ctx.copy_path()
        ctx.fill()
        ctx.restore()
    surface.flush()
    return pixels
