"""`nnanim slides`: the rendered deck as a reveal.js page that presents, an Obsidian note, and a handout.

The renders of one trace are taken from a renders folder in the workshop's order (nnanim.deck.DECK).
A stepped scene is cut at its stops into one clip per step (nnanim/segments.py); on the page each step is
a reveal.js fragment (nnanim/templates/nnanim-steps.js plays them), in the note each step is a slide of
its own. Every step carries a speaker's note: nnanim's, from the render's sidecar, and the teacher's
(nnanim/speaker_notes.py). OUT_DIR is whole: media/, reveal/ and the page, so it can be moved and opened
from disk with no network.
"""

import glob
import html
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote

from nnanim import sidecar, speaker_notes
from nnanim.assets import REVEAL_CDN, fill, package_dir
from nnanim.deck import DECK
from nnanim.engine.atomic import atomic_path, check_writable, real_folder, write_atomically
from nnanim.errors import NnanimError
from nnanim.scenes.registry import SCENES, scene_of
from nnanim.scenes.theme import THEMES
from nnanim.segments import gif_of, last_frame, step_clips

PREFERRED = (".mp4", ".webm", ".gif", ".png")
VIDEOS = (".mp4", ".webm")
PAGE = {"width": 1280, "height": 720}  # 16:9, the renders' shape: reveal.js scales it to the screen
REVEAL_CONFIG = {**PAGE, "margin": 0, "center": True, "hash": True, "controls": True, "progress": True,
                 "slideNumber": "c/t", "transition": "fade", "transitionSpeed": "fast"}
OPTION_KEY = re.compile(r"[A-Za-z][A-Za-z0-9]*")
NOTE = re.compile("note:", re.I)  # Advanced Slides' notesSeparator, matched as reveal.js's markdown plugin does


class SlidesError(NnanimError):
    """One line for the user."""


@dataclass
class Render:
    """A render of one of the deck's slides, and what its sidecar says about it."""

    title: str
    path: Path
    info: sidecar.RenderInfo

    @property
    def scene(self):
        return scene_of(self.path.name)


@dataclass
class Step:
    clip: Path  # in OUT_DIR/media
    still: Path  # its last frame: what the step shows when held (an image is its own)
    note: str  # nnanim's, plain text
    teacher: str  # the teacher's, HTML
    notes_html: str  # what the speaker view shows: where we are, nnanim's note and the teacher's
    gif: Path | None = None


@dataclass
class Slide:
    render: Render
    steps: list = field(default_factory=list)


def find_renders(renders, trace=None):
    """The deck's slides that have a render in `renders`, in order. `trace`: a trace's name, or several
    (the boundary from the moons run, the rest from the workshop's): each slide takes the first that has
    a render of it. Without one, all of the only trace there is: a folder holding two traces' renders is
    refused rather than mixed."""
    traces = [trace] if isinstance(trace, str) else list(trace or [])
    there = _traces_in(renders)
    if not traces and len(there) > 1:
        raise SlidesError(f"{renders} holds the renders of {len(there)} traces ({', '.join(there)}): choose one with "
                          f"--trace NAME (or several, --trace A --trace B: each slide from the first that has it)")
    chosen, by_trace = [], {}
    for slide in DECK:
        entry = SCENES[slide.scene]
        for name in (traces or ["*"]) if slide.uses_trace else [None]:
            found = _render_of(renders, slide, entry, None if name is None else name if name == "*" else
                               glob.escape(name), chosen)
            if found is None:
                continue
            if slide.uses_trace:
                by_trace.setdefault(found.name[len(entry.name) + 1:-len(found.suffix)], []).append(found)
            chosen.append(Render(slide.title, found, _info(found)))
            break
    for name in traces:
        if name not in by_trace:
            held = f"; it holds renders of {', '.join(there)}" if there else ""
            raise SlidesError(f"no renders of {name} in {renders}{held} (renders/loss-{name}.mp4 and the like): "
                              "check the trace's name")
    return chosen


def _traces_in(renders):
    """The names of the traces whose renders a folder holds (`loss-moons.mp4`: moons)."""
    return sorted({p.name[len(s) + 1:-len(p.suffix)] for p in renders.iterdir()
                   if (s := scene_of(p.name)) and p.name[len(s):len(s) + 1] == "-" and p.suffix in PREFERRED})


def _render_of(renders, slide, entry, pattern, chosen):
    """The render of `slide` in `renders` for the trace name `pattern` (a glob; None: a scene that reads
    no trace), in the preferred format; None if there is none."""
    for ext in PREFERRED:
        matches = [p for p in sorted(renders.glob(entry.output_name(pattern, ext.lstrip("."))))
                   if p.is_file() and scene_of(p.name) == slide.scene and all(r.path != p for r in chosen)]
        if matches:
            return matches[0]
    return None


def _info(path):
    return sidecar.read(path)


def page_theme(renders, asked=None):
    """The theme of the renders (the page takes their colours); refused if they mix or `asked` differs."""
    themes = {}
    for r in renders:
        if r.info.theme:
            themes.setdefault(r.info.theme, []).append(r.path.name)
    if len(themes) > 1:
        mix = "; ".join(f"{theme}: {', '.join(names[:3])}{' …' if len(names) > 3 else ''}"
                        for theme, names in sorted(themes.items()))
        raise SlidesError(f"the renders mix themes ({mix}): render them again with one --theme")
    if themes:
        (theme,) = themes
        if asked and asked != theme:
            raise SlidesError(f"the renders are {theme} and the page would be {asked}: render them with --theme "
                              f"{asked}, or leave out --theme")
        return theme
    return asked or "dark"


def reveal_options(pairs):
    """reveal.js options from KEY=VALUE pairs: VALUE is JSON (true, 3, "fade", [1, 2]) or else a string."""
    config = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not OPTION_KEY.fullmatch(key):
            raise SlidesError(f"--option {pair!r} is not KEY=VALUE (e.g. --option controls=false)")
        try:
            config[key] = json.loads(value)
        except ValueError:
            config[key] = value
    return config


def write(renders, out_dir, title="Neural networks, from scratch", trace=None, theme=None, reveal=None,
          cdn=False, options=(), notes=None, gif=False, pdf=False, explore=()):
    """Write OUT_DIR/slides.html, slides.md (and handout.pdf); returns (paths written, warnings). Each
    trace of `explore` adds a slide with its explorer (OUT_DIR/explore/NAME.html, docs/explore.md)."""
    renders, out_dir = Path(renders), Path(out_dir)
    found = find_renders(renders, trace)
    if not found:
        what = f"renders of {trace}" if trace else "renders"
        raise SlidesError(f"no {what} in {renders}: run `nnanim render --all` first")
    theme = page_theme(found, theme)
    config = {**REVEAL_CONFIG, **reveal_options(options)}
    teacher = speaker_notes.read(notes) if notes else {}
    reveal_source = None if cdn else package_dir("reveal.js", reveal)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        check_writable(out_dir / "slides.html")
        slides = [slide_steps(r, real_folder(out_dir, out_dir / "media"), teacher, gif) for r in found]
        copy_player(out_dir, reveal_source)
        explorers = [explorer_page(t, real_folder(out_dir, out_dir / "explore"), theme) for t in explore]
    except OSError as e:
        raise SlidesError(f"cannot write {e.filename or out_dir}: {e.strerror or e}") from None
    cover = f'<section data-title="{html.escape(title, quote=True)}"><h1>{html.escape(title)}</h1></section>'
    sections = [cover] + [_html_slide(s, out_dir) for s in slides]
    sections += [f'<section class="nnanim-scene" data-title="Explore {html.escape(p.stem, quote=True)}">'
                 f'{explorer_html(p, out_dir)}</section>' for p in explorers]
    page = page_html(title, theme, "\n".join(sections), config, reveal=REVEAL_CDN if cdn else "reveal")
    markdown = fill("deck.md", title=title, slides="\n".join([_markdown_slide(s, gif) for s in slides] +
                                                               [f"---\n\n## Explore {p.stem}\n\n{explorer_link(p, out_dir)}\n"
                                                                for p in explorers]))
    paths = [copy_text(page, out_dir / "slides.html"), copy_text(markdown, out_dir / "slides.md")] + explorers
    if pdf:
        from nnanim.handout import handout

        paths.append(handout(title, slides, out_dir / "handout.pdf"))
    warnings = [f"{notes}: no slide is called {heading!r} (a ## heading names a slide by its title, scene or file)"
                for heading in speaker_notes.unused(teacher)]
    shown = {r.title for r in found}
    warnings += [f"not in {renders}: {s.title} ({s.scene})" for s in DECK if s.title not in shown]
    return paths, warnings


def copy_player(out_dir, reveal_source):
    """Put what a page presents with into OUT_DIR: reveal.js (unless it comes from a CDN: None) and
    nnanim's step player."""
    if reveal_source:
        replace_folder(reveal_source / "dist", out_dir / "reveal" / "dist", out_dir)
    copy_text(files("nnanim").joinpath("templates", "nnanim-steps.js").read_text(), out_dir / "nnanim-steps.js")


def page_html(title, theme, sections, config, reveal="reveal", head="", scripts="", plugins=()):
    """The reveal.js page (templates/deck.html) holding `sections`, in the colours and font of `theme`;
    `head` and `scripts` are more tags for its head and its end, `plugins` more reveal.js plugins (JS)."""
    colours = THEMES[theme]
    band = 100 * colours.chrome_band  # of the stage's height, which is min(100vh, 100vw * height / width)
    return fill("deck.html", title=html.escape(title), reveal=reveal,
                 reveal_theme="black" if theme == "dark" else "white", background=colours.background,
                 text=colours.text, muted=colours.muted, accent=colours.accent, font=colours.font,
                 width=PAGE["width"], height=PAGE["height"], band_percent=f"{band:g}",
                 band_width_percent=f"{band * PAGE['height'] / PAGE['width']:g}", config=_script_json(config),
                 slides=sections,
                 head=head, scripts=scripts, plugins="".join(f", {p}" for p in plugins))


def slide_steps(render, media, teacher, gif):
    """Link the render into media/, cut it into steps, and give every step its notes."""
    media.mkdir(parents=True, exist_ok=True)
    linked = media / render.path.name
    link_file(render.path, linked)
    info = render.info
    if linked.suffix in VIDEOS and info.stops:
        clips, owners = step_clips(linked, info.stops, media)
    else:
        clips, owners = [linked], [0] * info.steps
    nnanim_notes = ["\n".join(n for n, owner in zip(info.notes, owners) if owner == k and n)
                    for k in range(len(clips))]
    if not any(nnanim_notes):
        nnanim_notes[-1] = SCENES[render.scene].summary  # a render without a sidecar
    stills = [last_frame(clip, media) if clip.suffix in VIDEOS else clip for clip in clips]
    if len(clips) > 1 and same_picture(stills[-2], stills[-1]):
        # a last step that only holds (the scene's closing pause) would be a press that shows nothing
        clips, stills = clips[:-1], stills[:-1]
        nnanim_notes[-2:] = ["\n".join(n for n in nnanim_notes[-2:] if n)]
    mine = speaker_notes.for_slide(teacher, [render.title, render.scene, render.path.name])
    steps = []
    for k, (clip, still, note) in enumerate(zip(clips, stills, nnanim_notes), start=1):
        theirs = speaker_notes.teacher_html(mine, k)
        steps.append(Step(clip, still, note, theirs, speaker_notes.step_html(render.title, k, len(clips), note, theirs),
                          gif_of(clip, media) if gif and clip.suffix in VIDEOS else None))
    if mine:
        for k in mine.by_step:
            if not 1 <= k <= len(clips):
                mine.used = False  # reported: a step the slide does not have
    return Slide(render, steps)


def same_picture(first, second, level=24, share=0.0005):
    """Two frames that look the same: at most `share` of their pixels differ by more than `level` (of 255),
    which encoding noise never reaches and a changed number always does."""
    import numpy as np
    from PIL import Image

    with Image.open(first) as a, Image.open(second) as b:
        if a.size != b.size:
            return False
        difference = np.abs(np.asarray(a.convert("L"), dtype=np.int16) - np.asarray(b.convert("L"), dtype=np.int16))
    return (difference > level).mean() <= share


def replace_folder(source, target, root):
    """Copy `source` to `target` (inside the output folder `root`), replacing what was there whole (a
    staging copy, then a rename); a link in its place is replaced, never followed."""
    real_folder(root, target.parent)
    if not target.is_symlink() and target.exists() and source.resolve() == target.resolve():
        return
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    try:
        shutil.copytree(source, staging / target.name)
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.exists():
            shutil.rmtree(target)
        os.replace(staging / target.name, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def link_file(source, target):
    """`target` the same file as `source`: a hard link, else a copy; left alone if it is already."""
    if target.exists() and (os.path.samefile(source, target) or (
            target.stat().st_size == source.stat().st_size and target.stat().st_mtime == source.stat().st_mtime)):
        return
    with atomic_path(target) as tmp:
        tmp.unlink()
        try:
            os.link(source, tmp)
        except OSError:  # another file system: a copy, which appears whole or not at all
            shutil.copy2(source, tmp)


def copy_text(content, target):
    try:
        return write_atomically(target, content)
    except OSError as e:
        raise SlidesError(f"cannot write {target}: {e.strerror or e}") from None


def _script_json(value):
    """JSON to put inside <script>: no `</script>` or `<!--` can come out of it."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")



def _html_slide(slide, root):
    title = html.escape(slide.render.title, quote=True)
    return (f'<section class="nnanim-scene" data-title="{title}" data-scene="{slide.render.scene}">'
            f'{stage_html(slide, root)}</section>')


def stage_html(slide, root, first_is_step=False, inline=False):
    """A stepped scene's stage: its steps' clips stacked, each but the first a reveal.js fragment (every
    one with `first_is_step`: a second scene on a slide starts with a press), their notes with them; links
    relative to `root`, the page's folder. `inline`: a stage inside text (a callout), sized by its width."""
    title = html.escape(slide.render.title, quote=True)
    steps = []
    for k, step in enumerate(slide.steps):
        href = _href(step.clip, root)
        media = (f'<video data-src="{href}" muted playsinline preload="auto"></video>'
                 f'<img class="nnanim-end" data-src="{_href(step.still, root)}" alt="">'
                 if step.clip.suffix in VIDEOS else f'<img data-src="{href}" alt="{title}">')
        kind = "nnanim-step fragment" if k or first_is_step else "nnanim-step"
        steps.append(f'<div class="{kind}">{media}<aside class="notes">{step.notes_html}</aside></div>')
    return f'<div class="nnanim-stage r-stack{" nnanim-inline" if inline else ""}">{"".join(steps)}</div>'


def explorer_page(trace, folder, theme):
    """FOLDER/NAME.html: the explorer of the trace file `trace` (nnanim explore)."""
    from nnanim.engine import load_trace
    from nnanim.explore_page import write_page

    trace = Path(trace)
    return write_page(load_trace(trace), folder / f"{trace.stem}.html", title=trace.name, theme=theme)


def explorer_html(page, root):
    """An explorer page on a slide: in a frame of its own, so that its keys never move the slides."""
    return (f'<iframe class="nnanim-explorer" src="{_href(page, root)}" title="{html.escape(page.stem, quote=True)}: '
            'explore the run"></iframe>')


def explorer_link(page, root):
    """An explorer page in an Obsidian note: a link that opens it (Obsidian shows no pages inside notes)."""
    return f"[Explore the run: {page.stem}]({quote(Path(os.path.relpath(page, root)).as_posix())})"


def _markdown_slide(slide, gif):
    """One Obsidian slide per step: the step's clip (played once, then held), nnanim's note after `note:`,
    where Advanced Slides reads a slide's speaker notes (docs/slides.md)."""
    title, out = slide.render.title, []
    for k, step in enumerate(slide.steps, start=1):
        shown = step.gif or step.clip
        heading = title if len(slide.steps) == 1 else f"{title} ({k}/{len(slide.steps)})"
        out.append(f"---\n\n## {heading}\n\n{embed(shown)}\n")
        if step.note:
            out.append(f"{speaker_note(step.note)}\n")
    return "\n".join(out)


def embed(media, relative_to=None):
    """A step's clip in an Obsidian note, the path from `relative_to` (the note's folder), by default
    media/NAME. A video is a <video> as Advanced Slides' docs write one: started by reveal.js when its slide
    is shown (data-autoplay), played once and held on its last frame (no loop), no controls over the scene.
    A picture (a GIF, a PNG) is Obsidian's own embed, `![[media/name.gif|1280]]`, when the name allows it,
    else a markdown link."""
    name = media.relative_to(relative_to).as_posix() if relative_to else f"media/{media.name}"
    if media.suffix in VIDEOS:
        return (f'<video data-autoplay muted playsinline preload="auto" width="{PAGE["width"]}">'
                f'<source src="{html.escape(quote(name), quote=True)}" type="video/{media.suffix[1:]}"></video>')
    if re.fullmatch(r"[\w./-]+", name) and ".." not in name:
        return f"![[{name}|{PAGE['width']}]]"
    return f"![]({quote(name)})"


def speaker_note(text, continued=False):
    """nnanim's note as Advanced Slides reads speaker notes: what follows `note:` to the end of the slide
    (reveal.js's markdown plugin splits the slide there, and only where it is found once), rendered as
    markdown: one paragraph a line, what markdown, Obsidian or Advanced Slides would read escaped, and
    no `note:` of its own. `continued`: the slide has its `note:` already, this only adds paragraphs."""
    body = "\n\n".join(_markdown_text(line.strip()) for line in text.splitlines() if line.strip())
    return body if continued else f"note: {body}"


def _markdown_text(line):
    """A line of plain text that markdown shows as written: its markup characters escaped, `==` (a highlight
    in Obsidian), `%%` (a comment) and `note:` broken by a backslash, a list or heading mark at its start too."""
    line = re.sub(r"([\\`*_\[\]<>#|~$%&^])", r"\\\1", line)
    line = re.sub(r"=(?==)", "=\\\\", line)
    line = re.sub(r"(?i)(notes?):", r"\1\\:", line)
    line = re.sub(r"^([-+])", r"\\\1", line)  # a list's item
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", line)  # a numbered list's


def _href(media, root):
    """A media file's link from the page's folder `root`: URL-encoded (a name may hold #, ?, % or quotes),
    then escaped for HTML."""
    return html.escape(quote(Path(os.path.relpath(media, root)).as_posix()), quote=True)
