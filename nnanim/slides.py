"""`nnanim slides`: the rendered deck as an Obsidian markdown note and a standalone reveal.js page.

Both are templates (nnanim/templates) filled with the slides found in the renders folder, in the
workshop's order. The media are linked (or copied) into OUT_DIR/media and reveal.js into OUT_DIR/reveal,
so the folder is whole: it can be moved, and opened from disk with no network.
"""

import html
import json
import os
import re
import shutil
import tempfile
from urllib.parse import quote
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from string import Template

from nnanim.engine.atomic import atomic_path, check_writable
from nnanim.deck import DECK
from nnanim.render import stops_path
from nnanim.scenes.registry import SCENES, scene_of

PREFERRED = (".mp4", ".webm", ".gif", ".png")
REVEAL_VERSION = "6.0.2"  # as pinned in package.json
CDN = f"https://cdn.jsdelivr.net/npm/reveal.js@{REVEAL_VERSION}"


class SlidesError(Exception):
    """One line for the user."""


@dataclass
class Found:
    title: str
    media: Path
    stops: list


def find_media(renders):
    """The deck's slides that have a render in `renders`, in order (first matching format wins)."""
    found = []
    for slide in DECK:
        entry = SCENES[slide.scene]
        for ext in PREFERRED:
            pattern = entry.output_name("*" if slide.uses_trace else None, ext.lstrip("."))
            candidates = [p for p in sorted(renders.glob(pattern)) if p.is_file() and scene_of(p.name) == slide.scene
                          and all(f.media != p for f in found)]
            if candidates:
                found.append(Found(slide.title, candidates[0], read_stops(candidates[0])))
                break
    return found


def read_stops(media):
    """The natural pauses saved beside a video (nnanim.render.write_stops), checked: a renders folder may
    come from anywhere."""
    path = stops_path(media)
    if not path.exists():
        return []
    try:
        stops = json.loads(path.read_text())["stops"]
        if not isinstance(stops, list) or not all(
                isinstance(t, (int, float)) and not isinstance(t, bool) and 0 <= t < 1e6 for t in stops):
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError):
        raise SlidesError(f'{path} is not a list of pauses ({{"stops": [seconds, ...]}}): delete it or '
                          "render the scene again") from None
    return stops


def write(renders, out_dir, title="Neural networks, from scratch", reveal=None, cdn=False, theme="dark"):
    """Write OUT_DIR/slides.md and OUT_DIR/slides.html; returns the two paths."""
    renders, out_dir = Path(renders), Path(out_dir)
    slides = find_media(renders)
    if not slides:
        raise SlidesError(f"no renders in {renders}: run `nnanim render --all` first")
    reveal_href = CDN if cdn else "reveal"
    source = None if cdn else _reveal_source(reveal)
    try:
        _write_folder(out_dir, slides, source)
    except OSError as e:
        raise SlidesError(f"cannot write {e.filename or out_dir}: {e.strerror or e}") from None
    markdown = _fill("deck.md", title=title, slides="\n".join(_markdown_slide(s) for s in slides))
    page = _fill("deck.html", title=html.escape(title), reveal=reveal_href,
                 reveal_theme="black" if theme == "dark" else "white",
                 slides="\n".join(_html_slide(s) for s in slides))
    paths = []
    for name, content in (("slides.md", markdown), ("slides.html", page)):
        try:
            with atomic_path(out_dir / name) as tmp:
                tmp.write_text(content)
        except OSError as e:
            raise SlidesError(f"cannot write {out_dir / name}: {e.strerror or e}") from None
        paths.append(out_dir / name)
    return paths


def _write_folder(out_dir, slides, reveal_source):
    """media/ (linked, or copied whole) and reveal/dist (replaced whole), so the folder stands alone."""
    out_dir.mkdir(parents=True, exist_ok=True)
    check_writable(out_dir / "slides.html")
    media = out_dir / "media"
    media.mkdir(exist_ok=True)
    for s in slides:
        _link(s.media, media / s.media.name)
    if reveal_source is None:
        return
    target = out_dir / "reveal" / "dist"
    if (reveal_source / "dist").resolve() == target.resolve():
        return  # --reveal names the copy already in place
    staging = Path(tempfile.mkdtemp(prefix=".dist-", dir=target.parent if target.parent.is_dir() else
                                    _made(target.parent)))
    try:
        shutil.copytree(reveal_source / "dist", staging / "dist")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging / "dist", target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _made(folder):
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _reveal_source(reveal):
    candidates = [Path(reveal)] if reveal else [Path("node_modules/reveal.js"),
                                                Path(__file__).resolve().parent.parent / "node_modules/reveal.js"]
    for path in candidates:
        if (path / "dist" / "reveal.js").is_file():
            return path
    if reveal:
        raise SlidesError(f"{reveal} is not a reveal.js package (no dist/reveal.js in it)")
    raise SlidesError("reveal.js is not installed here: run `npm ci` in the nnanim folder (make demo does), "
                      "pass --reveal DIR, or use --cdn for a page that loads it online")


def _link(source, target):
    if target.exists() and target.stat().st_size == source.stat().st_size \
            and target.stat().st_mtime >= source.stat().st_mtime:
        return
    with atomic_path(target) as tmp:
        tmp.unlink()
        try:
            os.link(source, tmp)
        except OSError:  # another file system: a copy, which appears whole or not at all
            shutil.copy2(source, tmp)


def _fill(name, **data):
    return Template(files("nnanim").joinpath("templates", name).read_text()).substitute(**data)


_MD_SLIDE = Template("---\n\n## $title\n\n$embed\n")
_HTML_VIDEO = Template('<section data-title="$title"><h3>$title</h3>'
                       '<video src="$href" muted playsinline preload="auto" $behaviour></video></section>')
_HTML_IMAGE = Template('<section data-title="$title"><h3>$title</h3><img src="$href" alt="$title"></section>')


def _markdown_slide(s):
    href = _href(s.media)
    if s.media.suffix in (".mp4", ".webm"):
        embed = f'<video data-autoplay loop muted src="{href}"></video>'
    elif re.fullmatch(r"[\w.-]+", s.media.name):
        embed = f"![[{s.media.name}]]"  # Obsidian's own embed, as the workshop writes it
    else:
        embed = f"![]({href})"
    return _MD_SLIDE.substitute(title=s.title, embed=embed)


def _html_slide(s):
    title, href = html.escape(s.title, quote=True), _href(s.media)
    if s.media.suffix in (".mp4", ".webm"):
        stops = html.escape(json.dumps(s.stops), quote=True)  # numbers only (read_stops), escaped anyway
        behaviour = f'data-stops="{stops}"' if s.stops else "data-autoplay loop"
        return _HTML_VIDEO.substitute(title=title, href=href, behaviour=behaviour)
    return _HTML_IMAGE.substitute(title=title, href=href)


def _href(media):
    """A media file's link: URL-encoded (a name may hold #, ?, % or quotes), then escaped for HTML."""
    return html.escape("media/" + quote(media.name), quote=True)
