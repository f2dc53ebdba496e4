"""Manim's Text with each glyph's outline read once a process.

Manim reads the SVG Pango writes for a text with svgelements, which parses every glyph of every text again
(most of the time a text takes: about 20 ms). Pango's SVG is regular: each glyph a `<symbol>` holding one
path, the text a row of `<use x= y=>` of them. GlyphText reads that with ElementTree, has Manim make the
mobject of each glyph (in its style) once, from an SVG holding that one glyph at the origin, and places a
copy at each `<use>`: the same paths, styles and order Manim's own reading gives. An SVG of any other shape
(a transform, a clip, a symbol that is not one path) is read by Manim as before. Either way, what the SVG was
read from is let go: each glyph kept its svgelements Path and the SVG its groups by id, which every copy of
the text (and each animation of it) copied again, four times the work of the copy itself.
"""

import io
import xml.etree.ElementTree as ET

import svgelements as se
from manim import RIGHT, Text

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
_GLYPHS = {}  # (what makes the mobject, the glyph's path and styles) -> the glyph's mobject at the origin, or None
MAX_GLYPHS = 20_000  # a trace's labels may use any characters: the cache starts again past this many


class GlyphText(Text):
    """Manim's Text (the same arguments, the same mobject), its SVG read glyph by glyph."""

    def generate_mobject(self):
        tree = self.modify_xml_tree(ET.parse(self.get_file_path()))
        placed = _uses(tree)
        if placed is None:
            super().generate_mobject()
            for part in self.get_family():
                if hasattr(part, "path_obj"):
                    part.path_obj = None
            self.id_to_vgroup_dict = {}
            return self
        made_by = (type(self).__name__, tuple(sorted(self.path_string_config.items())))
        mobjects = []
        for glyph_key, x, y in placed:
            key = (made_by, *glyph_key)
            glyph = _GLYPHS[key] if key in _GLYPHS else self._glyph(key)
            if glyph is not None:
                mobjects.append(glyph.copy().shift([x, y, 0]))
        self.add(*mobjects)
        self.id_to_vgroup_dict = {}
        self.flip(RIGHT)  # as Manim's reading does: SVG's y points down
        return self

    def _glyph(self, key):
        """The mobject Manim makes of the glyph `key` alone at the origin (None for an empty one, a space)."""
        d, styles = key[1], key[2]
        root = ET.Element("svg")
        parent = root
        for tag, attributes in styles:
            parent = ET.SubElement(parent, tag, dict(attributes))
        ET.SubElement(parent, f"{SVG}path", {"d": d, **dict(key[3])})
        svg = se.SVG.parse(io.BytesIO(ET.tostring(root)))
        mobjects, _ = self.get_mobjects_from(svg)
        glyph = mobjects[0] if mobjects else None
        if glyph is not None:
            glyph.path_obj = None  # read; copies need not carry it
        if len(_GLYPHS) >= MAX_GLYPHS:
            _GLYPHS.clear()
        _GLYPHS[key] = glyph
        return glyph


def _uses(tree):
    """[(key, x, y)] for each glyph placed, in document order; None if the SVG is not Pango's plain shape."""
    symbols, placed = {}, []
    for symbol in tree.iter(f"{SVG}symbol"):
        paths = list(symbol)
        if len(paths) != 1 or paths[0].tag != f"{SVG}path" or set(symbol.attrib) - {"overflow", "id"} \
                or set(paths[0].attrib) - {"d", "style"}:
            return None
        symbols[symbol.get("id")] = paths[0]

    def walk(element, styles):
        for child in element:
            tag = child.tag
            if tag == f"{SVG}defs":
                continue
            if tag == f"{SVG}g" or tag == "g":
                if set(child.attrib) - {"id", "fill", "fill-opacity", "stroke", "stroke-opacity", "stroke-width",
                                        "style", "fill-rule"}:
                    return False
                style = tuple(sorted((k, v) for k, v in child.attrib.items() if k != "id"))
                if not walk(child, styles + ((tag, style),)):
                    return False
            elif tag == f"{SVG}use":
                path = symbols.get((child.get(XLINK) or "").removeprefix("#"))
                if path is None or set(child.attrib) - {XLINK, "x", "y"}:
                    return False
                rest = tuple(sorted((k, v) for k, v in path.attrib.items() if k != "d"))
                placed.append(((path.get("d", ""), styles, rest), float(child.get("x", 0)), float(child.get("y", 0))))
            else:
                return False
        return True

    return placed if walk(tree.getroot(), ()) else None
