"""A teacher's own deck as an offline reveal.js page: a slide for every `---`, nnanim's scenes where its
```nnanim blocks were.

The page is the one `nnanim slides` writes (templates/deck.html, the same step player): the deck's markdown
is read by nnanim.obsidian (markdown-it-py), so headings, lists, tables, links, callouts, highlighted code
and math look as they do in Obsidian; KaTeX, shipped with the page, typesets the math and
templates/nnanim-page.js fits every slide into the slide. A block's scene is its stage, its steps
reveal.js fragments: alone on its slide it fills it, with text it takes the room the text leaves.

Pictures (`![[file.png|700]]`, `![](file.png)`) are looked up as Obsidian looks them up in its vault (the
nearest folder above the deck holding `.obsidian/`, else the deck's folder): the path from the deck's
folder, else the name anywhere in the vault. They are copied into OUT/pictures/ with their width hints
kept. A picture that is not there, or not in the vault, is a placeholder on its slide and named in a
warning: OUT is made to be shared, and holds only what the deck's vault holds.

A teacher's own HTML in the deck is kept as Obsidian keeps it, through an allow-list (nnanim.safe_html):
each slide's HTML is cleaned whole, with nnanim's stages and pictures held out of it by Slots (a random
mark in their place, replaced once the slide is clean). Its <img>, <video> and <audio> are looked up and
copied as pictures are.
"""

import html
import os
import re
import secrets
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from nnanim import obsidian, safe_html, slides
from nnanim.assets import package_dir
from nnanim.engine.atomic import real_folder
from nnanim.scenes.theme import THEMES

PICTURES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".bmp"}
MOVIES = {".mp4", ".webm", ".mov", ".ogv"}
MEDIA = PICTURES | MOVIES
SOUNDS = {".mp3", ".ogg", ".oga", ".wav", ".m4a", ".flac", ".opus"}  # for a teacher's own <audio>
PLACEHOLDERS = {"online": "online, not loaded by an offline page", "not_pictures": "cannot be shown on a slide",
                "missing": "picture not found", "outside": "outside the deck's folder, not copied"}
SKIPPED_FOLDERS = {"node_modules", "__pycache__"}  # with hidden ones, never searched for pictures


class Pictures:
    """The deck's pictures: found, copied into OUT/pictures/ once each, and the ones not found remembered."""

    def __init__(self, deck_dir, out_dir):
        self.deck_dir, self.out_dir = Path(deck_dir).resolve(), Path(out_dir).resolve()
        self.vault = next((folder for folder in (self.deck_dir, *self.deck_dir.parents)
                           if (folder / ".obsidian").is_dir()), self.deck_dir)
        self.copied = {}  # source -> its name in OUT/pictures
        self.missing, self.outside, self.online, self.not_pictures = [], [], [], []
        self._by_name = None

    def html(self, target, width=None, height=None, alt=""):
        """The picture's HTML: an <img> (a <video> for a movie) of its copy in OUT, else a placeholder."""
        href, why = self.link(target)
        if why:
            shown = urlsplit(target).netloc or target if why == "online" else target
            return _placeholder(PLACEHOLDERS[why], shown, width, height, alt)
        href = html.escape(href, quote=True)
        size = "".join(f' {name}="{value}"' for name, value in (("width", width), ("height", height)) if value)
        if Path(target.split("#")[0]).suffix.lower() in MOVIES:
            return f'<video class="nnanim-picture" src="{href}"{size} controls muted loop playsinline data-autoplay></video>'
        return f'<img class="nnanim-picture" src="{href}"{size} alt="{html.escape(alt, quote=True)}">'

    def link(self, target, kinds=MEDIA):
        """(the page's link to the file `target` names, copied into OUT/pictures/, None), or (None, why not):
        "online", "not_pictures" (not one of `kinds`), "missing" or "outside"; remembered for the warnings."""
        if urlsplit(target).scheme or target.startswith("//"):
            why = "online"
        elif Path(target.split("#")[0]).suffix.lower() not in kinds:
            why = "not_pictures"
        else:
            source = self.find(target)
            why = "missing" if source is None else None if source.is_relative_to(self.vault) else "outside"
        if why:
            getattr(self, why).append(target)
            return None, why
        return "pictures/" + quote(self._copy(source)), None

    def find(self, target):
        """The file `target` names: its path from the deck's folder, else a file of that name in the vault."""
        try:
            path = self.deck_dir / target
            if path.is_file():
                return path.resolve()
        except (OSError, ValueError):  # a name too long for the file system, a NUL in it
            return None
        return self._names().get(Path(target).name)

    def warnings(self, deck_name):
        said = {
            "missing": f"not found in {deck_name}'s folder (shown as placeholders)",
            "outside": "outside the deck's folder (Obsidian's vault), not copied into a page made to be shared",
            "online": "online, not loaded (the page works offline; save them beside the deck)",
            "not_pictures": "not pictures, not shown on the page",
        }
        out = []
        for kind, why in said.items():
            names = list(dict.fromkeys(getattr(self, kind)))
            if names:
                out.append(f"{len(names)} picture{'s' if len(names) > 1 else ''} {why}: {', '.join(names)}")
        return out

    def _copy(self, source):
        if source not in self.copied:
            taken = set(self.copied.values())
            name, k = source.name, 1
            while name in taken:
                k += 1
                name = f"{source.stem}-{k}{source.suffix}"
            real_folder(self.out_dir, self.out_dir / "pictures")
            slides.link_file(source, self.out_dir / "pictures" / name)
            self.copied[source] = name
        return self.copied[source]

    def _names(self):
        if self._by_name is None:
            self._by_name = {}
            for folder, subfolders, names in os.walk(self.vault):
                subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and d not in SKIPPED_FOLDERS
                                       and Path(folder, d).resolve() != self.out_dir)
                for name in sorted(names):
                    self._by_name.setdefault(name, Path(folder, name).resolve())
        return self._by_name


class Slots:
    """What nnanim makes of the deck's own markdown (stages, pictures), kept from the sanitiser: a random
    mark stands in its place while a slide's HTML is cleaned (nnanim.safe_html), then is replaced by it."""

    def __init__(self):
        self.mark, self.held, self.filled, self.lost = secrets.token_hex(16), [], 0, []

    def put(self, piece, what):
        self.held.append((piece, what))
        return f"nnanim-{self.mark}-{len(self.held) - 1}-"

    def fill(self, cleaned):
        """`cleaned` with every piece put since the last fill in its place; a piece whose mark the
        sanitiser dropped with the HTML around it (an unclosed <script>) is remembered as lost."""
        found = set()

        def back(mark):
            found.add(int(mark[1]))
            return self.held[int(mark[1])][0]

        out = re.sub(rf"nnanim-{self.mark}-(\d+)-", back, cleaned)
        self.lost += [self.held[k][1] for k in range(self.filled, len(self.held)) if k not in found]
        self.filled = len(self.held)
        return out

    def warnings(self, deck_name):
        if not self.lost:
            return []
        return [f"not shown, inside HTML of {deck_name} that a page does not keep (an unclosed <script> or "
                f"<style>?): {', '.join(self.lost)}"]


def _placeholder(what, shown, width, height, alt):
    """A dashed box where a picture would be, saying which and why, as large as the picture would be."""
    style = f' style="width: {width}px; height: {height or round(width * 9 / 16)}px"' if width else ""
    said = f"{html.escape(alt)}<br>" if alt else ""
    return f'<span class="nnanim-missing"{style}><span>{said}{what}: {html.escape(shown)}</span></span>'


def separators(tokens, lines):
    """The line numbers of the deck's slide separators: its top-level `---` lines (front matter aside)."""
    return [t.map[0] for t in tokens if t.type == "hr" and t.level == 0 and lines[t.map[0]].strip() == "---"]


def split_slides(tokens, lines):
    """The deck's top-level tokens cut at its `---` lines, one list per slide (front matter left out)."""
    cuts = set(separators(tokens, lines))
    cut, current = [], []
    for token in tokens:
        if token.type == "front_matter":
            continue
        if token.type == "hr" and token.level == 0 and token.map[0] in cuts:
            cut.append(current)
            current = []
        else:
            current.append(token)
    cut.append(current)
    return [s for s in cut if s]


def page(note, out_dir, scenes, theme, title, reveal_config):
    """The page's HTML for the deck `note` (an obsidian.Note), each ```nnanim block at deck line L shown as
    scenes[L] (a slides.Slide of its steps); the support files and pictures are put in `out_dir`.
    Returns (html, warnings)."""
    out_dir = Path(out_dir)
    md = _page_markdown()
    pictures, slots = Pictures(note.path.parent, out_dir), Slots()
    env = {**note.env, "scenes": scenes, "root": out_dir, "slots": slots,
           "picture": lambda target, *hints: slots.put(pictures.html(target, *hints), target)}

    def own_media(url):  # a teacher's <img>, <video>, <audio>: the page's copy, as for the deck's pictures
        target = url if urlsplit(url).scheme or url.startswith("//") else unquote(urlsplit(url).path)
        return pictures.link(target, MEDIA | SOUNDS)[0]

    sections = []
    for slide in split_slides(note.tokens, note.lines):
        env["stages_on_slide"] = 0
        body = md.renderer.render(slide, md.options, env)
        sections.append(_section(md, slide, slots.fill(safe_html.clean(body, own_media))))
    _copy_support(out_dir, theme)
    head = '<link rel="stylesheet" href="katex/dist/katex.min.css">\n<link rel="stylesheet" href="nnanim-deck.css">'
    scripts = '<script src="katex/dist/katex.min.js"></script>\n<script src="nnanim-page.js"></script>'
    page_html = slides.page_html(title, theme, "\n".join(sections), reveal_config, head=head, scripts=scripts,
                                 plugins=["NnanimPage()"])
    return page_html, pictures.warnings(note.path.name) + slots.warnings(note.path.name)


def title_of(note, front_matter):
    """The page's title: the front matter's `title`, else the deck's first heading, else its file name."""
    if isinstance(front_matter.get("title"), str) and front_matter["title"].strip():
        return front_matter["title"].strip()
    return _first_heading(obsidian.markdown(), note.tokens) or note.path.stem


def _first_heading(md, tokens):
    """The text of the first heading among `tokens` (markup and HTML tags taken out), or None."""
    for k, token in enumerate(tokens):
        if token.type == "heading_open":
            text = [t for t in tokens[k + 1].children or [] if t.type != "html_inline"]
            return " ".join(md.renderer.renderInlineAsText(text, md.options, {}).split())
    return None


def _page_markdown():
    md = obsidian.markdown()
    default_fence = md.renderer.rules["fence"]

    def fence(self, tokens, idx, options, env):
        token = tokens[idx]
        if not obsidian.is_nnanim_block(token):
            return default_fence(tokens, idx, options, env)
        shown = env["scenes"][token.map[0]]
        if isinstance(shown, Path):  # an explore block: the explorer page
            return env["slots"].put(slides.explorer_html(shown, env["root"]), f"the explorer of line {token.map[0] + 1}")
        env["stages_on_slide"] += 1
        stage = slides.stage_html(shown, env["root"], first_is_step=env["stages_on_slide"] > 1, inline=token.level > 0)
        return env["slots"].put(stage, f"the scene of line {token.map[0] + 1}")

    md.add_render_rule("fence", fence)
    return md


def _section(md, tokens, body):
    """A slide: a scene alone fills it; a scene with text is a column (the scene takes the room left);
    text, and a scene inside text (a callout, a list), is fitted into it."""
    blocks = [t for t in tokens if obsidian.is_nnanim_block(t)]
    if any(t.level for t in blocks):
        blocks = []
    heading = _first_heading(md, tokens)
    title = f' data-title="{html.escape(heading, quote=True)}"' if heading else ""
    if blocks and len(blocks) == len(tokens):
        return f'<section class="nnanim-scene"{title}>{body}</section>'
    if blocks:
        return f'<section class="nnanim-mixed"{title}><div class="nnanim-column">{body}</div></section>'
    return f'<section class="nnanim-text"{title}><div class="nnanim-fit">{body}</div></section>'


def _copy_support(out_dir, theme):
    """reveal.js, KaTeX, the step player, nnanim-page.js and the deck's stylesheet, into `out_dir`."""
    slides.copy_player(out_dir, package_dir("reveal.js"))
    slides.replace_folder(package_dir("katex") / "dist", out_dir / "katex" / "dist", out_dir)
    templates = files("nnanim").joinpath("templates")
    slides.copy_text(templates.joinpath("nnanim-page.js").read_text(), out_dir / "nnanim-page.js")
    css = templates.joinpath("own-deck.css").read_text() + "\n/* code: Pygments' " + THEMES[theme].code_style \
        + " */\n" + obsidian.code_css(THEMES[theme].code_style, ".reveal pre code")
    slides.copy_text(css, out_dir / "nnanim-deck.css")
