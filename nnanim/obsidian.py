"""Obsidian's markdown, read by markdown-it-py: what a teacher's slides note is written in.

CommonMark with tables and strikethrough (markdown-it-py's own), front matter and `$…$` / `$$…$$` math
(mdit-py-plugins), code highlighted by Pygments when the page is built, and three things of Obsidian's
own, added here as markdown-it rules:

- callouts: a blockquote whose first line is `[!type]` and an optional title (`> [!tip] Insight`); a `-`
  or `+` after the type makes it foldable, folded or open (a <details>);
- embeds: `![[file.png|700]]`: after the bar a width, WIDTHxHEIGHT or alt text;
- wikilinks: `[[note]]`, `[[note|shown text]]`, shown as their text (a page has no vault to link to).

Pictures are not looked up here: an embed, and a markdown image (its path URL-decoded), is rendered by the
`env["picture"]` function of whoever renders (nnanim.deck_page), called as picture(target, width, height,
alt) and returning HTML.
"""

import re
from dataclasses import dataclass, field
from functools import cached_property
from html import escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

LINE = re.compile(r".*?(?:\r\n|\r|\n)|.+\Z", re.S)  # a line as markdown-it counts them (not U+2028, \f, …)
CALLOUT = re.compile(r"\[!([\w-]+)\]([+-]?)\s*(.*)")
WIKI = re.compile(r"(!?)\[\[([^\[\]|\n]+)(?:\|([^\[\]\n]*))?\]\]")
SIZE = re.compile(r"(\d+)(?:x(\d+))?")
# Obsidian's callout types and their other names; any other type is shown as a note
CALLOUT_TYPES = {
    "note": (), "abstract": ("summary", "tldr"), "info": (), "todo": (), "tip": ("hint", "important"),
    "success": ("check", "done"), "question": ("help", "faq"), "warning": ("caution", "attention"),
    "failure": ("fail", "missing"), "danger": ("error",), "bug": (), "example": (), "quote": ("cite",),
}
CALLOUT_KIND = {name: kind for kind, names in CALLOUT_TYPES.items() for name in (kind, *names)}


def is_nnanim_block(token):
    """A ```nnanim fence: a scene nnanim renders where the block stands (nnanim deck build)."""
    return token.type == "fence" and token.info.strip() == "nnanim"


@dataclass
class Note:
    """A markdown note read once: its text, its lines (as markdown-it numbers them) and its tokens."""

    path: Path
    text: str
    tokens: list
    env: dict = field(default_factory=dict)  # what parsing gathered (reference links), for rendering
    bom: bool = False  # the file began with a byte order mark (kept when it is written again)

    @cached_property
    def lines(self):
        return source_lines(self.text)

    @property
    def newline(self):
        """The note's own line ending, for lines written into it."""
        return "\r\n" if "\r\n" in self.text else "\n"

    def front_matter(self):
        return next((t.content for t in self.tokens if t.type == "front_matter"), "")


def read_note(path):
    """The note at `path`, parsed; ValueError (one line) if it is not UTF-8 text, OSError if unreadable."""
    path = Path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path.name} is not UTF-8 text (byte {e.start})") from None
    env = {}
    return Note(path, text, markdown().parse(text, env), env, raw.startswith(b"\xef\xbb\xbf"))


def markdown():
    """A markdown-it-py parser that reads Obsidian's markdown as described above."""
    md = MarkdownIt("commonmark", {"highlight": highlight_code}).enable(["table", "strikethrough"])
    md.use(front_matter_plugin)
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.core.ruler.after("block", "callouts", _callouts)
    md.inline.ruler.before("link", "wiki", _wiki)
    md.add_render_rule("math_inline_double", _display_math)  # `text $$x$$ text` is display math in Obsidian
    md.add_render_rule("math_block", _display_math)
    md.add_render_rule("math_block_label", _display_math)  # `$$…$$ (label)`: the label is not shown
    md.add_render_rule("obsidian_embed", _embed)
    md.add_render_rule("wikilink", _wikilink)
    default_image = md.renderer.rules["image"]

    def image(self, tokens, idx, options, env):
        token = tokens[idx]
        src = token.attrGet("src") or ""
        if "picture" not in env:
            return default_image(tokens, idx, options, env)
        alt = md.renderer.renderInlineAsText(token.children or [], options, env)
        text, _, hint = alt.rpartition("|") if "|" in alt else (alt, "", "")
        width, height, _ = size_hint(hint)
        return env["picture"](src if urlsplit(src).scheme else unquote(src), width, height, text if hint else alt)

    md.add_render_rule("image", image)
    return md


def source_lines(text):
    """The deck's lines, each with its line ending, numbered as markdown-it's token maps number them."""
    return LINE.findall(text)


def size_hint(hint):
    """(width, height, alt) from what follows an embed's bar: `700`, `700x300`, or alt text."""
    size = SIZE.fullmatch(hint.strip())
    if size:
        return int(size[1]), int(size[2]) if size[2] else None, ""
    return None, None, hint.strip()


def highlight_code(code, language, attrs):
    """The code's HTML coloured by Pygments (classes; the page's CSS has the colours), or "" if the
    language is not one Pygments knows (then markdown-it escapes it as it is)."""
    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        return ""
    return highlight(code, lexer, HtmlFormatter(nowrap=True))


def code_css(style, selector):
    """The CSS of Pygments' `style` for highlighted code under `selector`, its background included."""
    formatter = HtmlFormatter(style=style)
    return f"{selector} {{ background: {formatter.style.background_color}; }}\n" + formatter.get_style_defs(selector)


def _callouts(state):
    """Blockquotes opening with `[!type]` become callouts: a box of the type's kind with a title row."""
    tokens = state.tokens
    k = 0
    while k < len(tokens):
        start = tokens[k]
        first_block = tokens[k + 1] if k + 2 < len(tokens) else None
        # the callout's line opens its first paragraph (or a heading, when `---` or `===` underlines the text)
        if start.type == "blockquote_open" and first_block and (first_block.type == "paragraph_open" or (
                first_block.type == "heading_open" and first_block.markup in ("-", "="))):
            first, _, rest = tokens[k + 2].content.partition("\n")
            found = CALLOUT.fullmatch(first.strip())
            if found:
                _make_callout(tokens, k, *found.groups(), rest)
        k += 1


def _make_callout(tokens, k, kind, fold, title, rest):
    start = tokens[k]
    end = next(j for j in range(k + 1, len(tokens))
               if tokens[j].type == "blockquote_close" and tokens[j].level == start.level)
    box = "details" if fold else "div"
    start.type, start.tag = "callout_open", box
    start.attrs = {"class": f"callout callout-{CALLOUT_KIND.get(kind.lower(), 'note')}", "data-callout": kind.lower()}
    if fold == "+":
        start.attrSet("open", "")
    tokens[end].type, tokens[end].tag = "callout_close", box
    level = start.level + 1
    heading = Token("inline", "", 0, content=title or kind.capitalize(), children=[], level=level + 1)
    head = [Token("callout_title_open", "summary" if fold else "div", 1, attrs={"class": "callout-title"},
                  block=True, level=level),
            heading,
            Token("callout_title_close", "summary" if fold else "div", -1, block=True, level=level),
            Token("callout_content_open", "div", 1, attrs={"class": "callout-content"}, block=True, level=level)]
    tokens.insert(end, Token("callout_content_close", "div", -1, block=True, level=level))
    if rest.strip():
        tokens[k + 2].content = rest
        tokens[k + 1:k + 1] = head
    else:  # the first paragraph was the callout's line alone
        tokens[k + 1:k + 4] = head


def _wiki(state, silent):
    found = WIKI.match(state.src, state.pos)
    if not found:
        return False
    if not silent:
        token = state.push("obsidian_embed" if found[1] else "wikilink", "", 0)
        token.meta = {"target": found[2].strip(), "hint": (found[3] or "").strip()}
    state.pos = found.end()
    return True


def _embed(self, tokens, idx, options, env):
    meta = tokens[idx].meta
    width, height, alt = size_hint(meta["hint"])
    if "picture" in env:
        return env["picture"](meta["target"], width, height, alt)
    return f'<span class="embed">{escape(meta["target"])}</span>'


def _wikilink(self, tokens, idx, options, env):
    meta = tokens[idx].meta
    shown = meta["hint"] or meta["target"].split("#")[0].rsplit("/", 1)[-1] or meta["target"].lstrip("#")
    return f'<span class="wikilink">{escape(shown)}</span>'


def _display_math(self, tokens, idx, options, env):
    tag = "div" if tokens[idx].block else "span"
    return f'<{tag} class="math display">{escape(tokens[idx].content.strip())}</{tag}>'
