"""`nnanim deck build DECK.md`: a teacher's own markdown deck, with nnanim's scenes where it says so.

The teacher writes a fenced block whose language is `nnanim` and whose body is what follows
`nnanim render` on the command line:

    ```nnanim
    formula run.nntrace --values --step -1
    ```

A TRACE is relative to the deck's folder; without one, the deck's (front matter `nnanim: {trace: …}` or
--trace), else the workshop's run. Every block is rendered by the deck runner (nnanim.deck: in parallel,
what is up to date skipped), each into its own folder (media/<scene>-<hash of its arguments>), and OUT gets
  - DECK.md, for Obsidian: every other line as written, each block replaced by its animation, one slide
    per step (as `nnanim slides` writes them);
  - DECK.html, the deck as an offline reveal.js page (nnanim.deck_page).
A block that fails stops the build with one line naming the deck's line; neither file is written then.
"""

import hashlib
import shlex
from dataclasses import dataclass
from pathlib import Path

import click
import cloup
import yaml

from nnanim import deck_page, obsidian, render_options
from nnanim.deck import Job, Slide, render_job, run
from nnanim.engine import tracefile
from nnanim.engine.atomic import atomic_path, real_folder
from nnanim.engine.steps import TraceError
from nnanim.errors import printable
from nnanim.errors import NnanimError
from nnanim.render import DEFAULT_QUALITY, DEFAULT_THEME, QUALITIES, RenderRequest, unread_options
from nnanim.scenes.options import SCENE_OPTIONS
from nnanim.scenes.registry import SCENES, unknown
from nnanim.scenes.theme import THEMES

LARGE = SCENE_OPTIONS["large_type"]  # what a formula inside a callout is rendered with
DEFAULTS = {"trace": None, "quality": DEFAULT_QUALITY, "theme": DEFAULT_THEME}  # a deck's settings, unless it says otherwise


class DeckError(NnanimError):
    """One line for the user, naming the deck's line."""


@dataclass
class Block:
    start: int  # the fence's first line, 0-based (the deck's line start + 1 in messages)
    end: int  # the line after its closing fence
    args: list
    prefix: str = ""  # what its lines start with inside a callout, quote or list ("> ")
    inline: bool = False  # inside a callout, quote or list: a small stage in the text (LARGE_TYPE)
    job: Job | None = None
    explore: Path | None = None  # `explore TRACE`: the trace whose explorer the block shows (no job)


def find_blocks(note):
    """The ```nnanim blocks of a deck (an obsidian.Note), in order (code in other fences is not read)."""
    blocks, lines = [], note.lines
    for token in note.tokens:
        if obsidian.is_nnanim_block(token) and token.map:
            try:
                args = shlex.split(token.content, comments=True)
            except ValueError as e:
                raise DeckError(f"{note.path.name}:{token.map[0] + 1}: {e}") from None
            first = lines[token.map[0]]
            blocks.append(Block(token.map[0], token.map[1], args, prefix=first[:first.index(token.markup)],
                                inline=token.level > 0))
    return blocks


class FrontMatterLoader(yaml.SafeLoader):
    """YAML as a shared deck's front matter may hold it: no aliases (`*name`: a few lines of them expand
    to gigabytes) and at most MAX_DEPTH levels of nesting (Obsidian's properties are one or two deep)."""

    MAX_DEPTH = 20

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not read in a deck's front matter",
                                              event.start_mark)
        self.depth = getattr(self, "depth", 0) + 1
        try:
            if self.depth > self.MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested more than {self.MAX_DEPTH} levels deep",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def front_matter(note, traces_anywhere=False, digests=None):
    """The deck's front matter (a dict) and its nnanim settings (`nnanim:` with trace, quality, theme; a
    trace resolved from the deck's folder)."""
    name, text = note.path.name, note.front_matter()
    try:
        data = yaml.load(text, Loader=FrontMatterLoader) if text.strip() else {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{name}:{mark.line + 2}" if mark else name
        raise DeckError(f"{where}: the front matter is not YAML ({printable(getattr(e, 'problem', None) or e, 200)})"
                        ) from None
    data = data if isinstance(data, dict) else {}
    given = data.get("nnanim") or {}
    if not isinstance(given, dict) or set(given) - set(DEFAULTS):
        raise DeckError(f"{name}: the front matter's nnanim: takes {', '.join(DEFAULTS)} (e.g. `nnanim: "
                        f"{{trace: run.nntrace, quality: l, theme: light}}`)")
    settings = {key: value for key, value in given.items() if value is not None}
    for key, allowed in {"quality": QUALITIES, "theme": THEMES, "trace": None}.items():
        value = settings.get(key)
        if value is not None and (not isinstance(value, str) or (allowed and value not in allowed)):
            expected = f"one of {', '.join(allowed)}" if allowed else "a path from the deck's folder"
            raise DeckError(f"{name}: the front matter's nnanim: {key} is {value!r}, not {expected}")
    if "trace" in settings:
        settings["trace"] = deck_trace(note.path, settings["trace"], f"{name}: the front matter's nnanim: trace",
                                       traces_anywhere, digests)
    return data, settings


def deck_trace(deck, named, where, anywhere=False, digests=None):
    """The trace a deck names (from the deck's folder), as a path: inside the deck's folder tree unless
    `anywhere`, a regular file no larger than a trace can be; DeckError naming `where` otherwise. Its
    digest goes into `digests` (a deck's blocks often share one trace: it is read once)."""
    path = (deck.parent / named).resolve()
    if not path.exists():
        raise DeckError(f"{where} {named} is not a file (a path from the deck's folder)")
    if not anywhere and not path.is_relative_to(deck.parent.resolve()):
        raise DeckError(f"{where} {named} is outside the deck's folder; a deck reads traces from its own folder "
                        "(--traces-anywhere reads them from anywhere)")
    try:
        digest_of(path, {} if digests is None else digests)
    except TraceError as e:
        raise DeckError(f"{where} {e}") from None
    return path


def digest_of(path, digests):
    """A trace file's digest, read once per build (`digests` holds those already read)."""
    if path not in digests:
        digests[path] = tracefile.digest(path)
    return digests[path]


@cloup.command(name="nnanim")
@cloup.argument("scene", metavar="SCENE")
@cloup.argument("trace_file", metavar="[TRACE]", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@render_options.quality()
@render_options.theme()
@render_options.output_format()
@render_options.transparent()
@render_options.size()
@render_options.fps()
@render_options.scene_options()
def block_arguments(**params):
    """A block's body: what follows `nnanim render` for one scene (the deck's quality and theme win)."""
    return params


def plan(note, out_dir, quality, theme, trace=None, size=None, fps=None, traces_anywhere=False, digests=None):
    """A render job per block of the deck `note`: a RenderRequest made from the block's arguments."""
    deck = note.path
    blocks, digests = find_blocks(note), {} if digests is None else digests
    made = {}  # a media folder -> its job: the same block written twice is rendered once
    for block in blocks:
        where = f"{deck.name}:{block.start + 1}"
        if not block.args:
            raise DeckError(f"{where}: an empty nnanim block: write the scene and its options, e.g. `formula --values`")
        args = list(block.args)
        if args[0] == "explore":
            block.explore = _explored(args, deck, where, trace, traces_anywhere, digests)
            continue
        if len(args) > 1 and not args[1].startswith("-"):  # a TRACE, relative to the deck's folder
            args[1] = str(deck_trace(deck, args[1], f"{where}:", traces_anywhere, digests))
        elif trace and args[0] in SCENES and SCENES[args[0]].needs != "nothing":
            args.insert(1, str(trace))
        if block.inline and args[0] in SCENES and LARGE.name in SCENES[args[0]].options and LARGE.flag not in args:
            args.append(LARGE.flag)  # a formula shown small, in the text: its type larger, fewer symbols a line
        try:
            params = block_arguments.make_context("nnanim", list(args)).params
        except click.ClickException as e:
            raise DeckError(f"{where}: {e.format_message()}") from None
        scene, trace_file = params["scene"], params["trace_file"]
        if scene not in SCENES:
            raise DeckError(f"{where}: {unknown(scene)}")
        given = render_options.given_scene_options(params)
        unread = unread_options(scene, given)
        if unread:
            raise DeckError(f"{where}: {unread}")
        folder = real_folder(out_dir, out_dir / "media" / f"{scene}-{hashlib.sha256(' '.join(args).encode()).hexdigest()[:10]}")
        request = RenderRequest(scene, trace_file, step=params["step"], quality=quality, fmt=params["fmt"],
                                theme=theme, transparent=params["transparent"], out_dir=folder,
                                size=size or params["size"], fps=fps or params["fps"], scene_options=given,
                                check_layout=params["check_layout"])
        block.job = made.get(folder) or render_job(Slide(scene, where), request,
                                                    digest_of(trace_file, digests) if trace_file else None)
        made[folder] = block.job
    return blocks


def _explored(args, deck, where, trace, traces_anywhere, digests):
    """The trace of an `explore [TRACE]` block: its own (relative to the deck's folder) or the deck's."""
    if len(args) > 2 or (len(args) == 2 and args[1].startswith("-")):
        raise DeckError(f"{where}: an explore block names a trace and nothing else: `explore TRACE`")
    if len(args) == 2:
        return deck_trace(deck, args[1], f"{where}:", traces_anywhere, digests)
    if trace is None:
        raise DeckError(f"{where}: explore which run? write `explore TRACE`, or set the deck's trace (front matter "
                        "`nnanim: {trace: …}` or --trace)")
    return Path(trace)


def read(deck, out_dir):
    """The deck, read and parsed once; DeckError if it cannot be, or if OUT would overwrite it."""
    deck, out_dir = Path(deck), Path(out_dir)
    if out_dir.resolve() == deck.parent.resolve():
        raise DeckError(f"the output folder is {deck.name}'s own folder: the deck would be overwritten (give "
                        "another -o; the default is build/ beside the deck)")
    try:
        note = obsidian.read_note(deck)
    except ValueError as e:
        raise DeckError(str(e)) from None
    except OSError as e:
        raise DeckError(f"cannot read {deck}: {e.strerror or e}") from None
    if not deck_page.split_slides(note.tokens, note.lines):
        raise DeckError(f"{deck.name} has no slides: write its markdown, slides separated by --- lines")
    return note


def build(deck, out_dir, quality=None, theme=None, trace=None, size=None, fps=None, workers=1, on_done=None,
          traces_anywhere=False):
    """Render every block and write OUT/DECK.md and OUT/DECK.html; returns (paths written, warnings).
    DeckError for the first failing block. quality, theme and trace: given, else the front matter's,
    else DEFAULTS'. The traces the deck names are read from its own folder unless traces_anywhere."""
    from nnanim import sidecar, slides

    out_dir = Path(out_dir)
    note = read(deck, out_dir)
    digests = {}
    data, settings = front_matter(note, traces_anywhere, digests)
    given = {"quality": quality, "theme": theme, "trace": Path(trace).resolve() if trace else None}
    if given["trace"]:
        digest_of(given["trace"], digests)  # a regular file of a trace's size, before any work
    chosen = {key: given[key] or settings.get(key) or DEFAULTS[key] for key in DEFAULTS}
    blocks = plan(note, out_dir, chosen["quality"], chosen["theme"], chosen["trace"], size, fps, traces_anywhere,
                  digests)
    run(list({id(b.job): b.job for b in blocks if b.job}.values()), workers, on_done=on_done)
    failed = [b for b in blocks if b.job and b.job.status == "failed"]
    if failed:
        raise DeckError(f"{failed[0].job.slide.title}: {failed[0].job.message.removeprefix('Error: ')}")
    targets = out_dir / note.path.name, out_dir / (note.path.stem + ".html")
    try:
        scenes = {}
        for block in blocks:
            job = block.job
            if block.explore:
                scenes[block.start] = slides.explorer_page(block.explore, real_folder(out_dir, out_dir / "explore"),
                                                           chosen["theme"])
                continue
            render = slides.Render(f"{job.slide.scene} ({job.slide.title})", job.output, sidecar.read(job.output))
            scenes[block.start] = slides.slide_steps(render, job.output.parent, {}, gif=False)
        markdown = obsidian_copy(note, blocks, scenes, out_dir)
        page, warnings = deck_page.page(note, out_dir, scenes, chosen["theme"], deck_page.title_of(note, data),
                                        {**slides.REVEAL_CONFIG})
        with atomic_path(targets[0]) as copy, atomic_path(targets[1]) as html:  # both appear, or neither
            copy.write_bytes(("\ufeff" if note.bom else "").encode() + markdown.encode())
            html.write_text(page, encoding="utf-8")
    except OSError as e:
        raise DeckError(f"cannot write {e.filename or out_dir}: {e.strerror or e}") from None
    return list(targets), warnings


def obsidian_copy(note, blocks, scenes, out_dir):
    """The deck for Obsidian: every line as written but the blocks'. A slide with blocks is written once
    per step, each time with the step's clip where its block was (earlier blocks at their last step, later
    ones not yet shown), so the slide's text stays while the scene steps on, as on the page; and, as on
    the page, the step's note for the speaker (at the slide's end, where Advanced Slides reads notes)."""
    lines = note.lines
    matter = next((t.map[1] for t in note.tokens if t.type == "front_matter"), 0)
    bounds = [matter - 1] + deck_page.separators(note.tokens, lines) + [len(lines)]
    out, at = [], 0
    for before, after in zip(bounds, bounds[1:]):
        inside = [b for b in blocks if before < b.start < after]
        if inside:
            out += lines[at:before + 1]
            out.append(_slide_per_step(note, before + 1, after, inside, scenes, out_dir))
            at = after
    out += lines[at:]
    return "".join(out)


def _slide_per_step(note, start, end, blocks, scenes, out_dir):
    """The slide lines[start:end] written once per step of its blocks, `---` between the copies."""
    from nnanim import slides

    lines, newline = note.lines, note.newline
    counts = [1 if b.explore else len(scenes[b.start].steps) for b in blocks]
    views = [[count - 1 if j < k else step if j == k else None for j, count in enumerate(counts)]
             for k in range(len(blocks)) for step in range(counts[k])]
    copies = []
    for view in views:
        copy, at = [], start
        for block, step in zip(blocks, view):
            copy += lines[at:block.start]
            if step is not None:
                shown = scenes[block.start]
                copy.append(block.prefix + (slides.explorer_link(shown, out_dir) if block.explore else
                                            slides.embed(shown.steps[step].clip, relative_to=out_dir)) + newline)
                if block.end < len(lines) and lines[block.end].strip():
                    # text right under the embed would join it (and `---` under it would make it a heading)
                    copy.append(block.prefix.rstrip() + newline)
            at = block.end
        copies.append(_with_note("".join(copy + lines[at:end]), blocks, view, scenes, newline))
    # the separators between the copies, with the blank lines that keep them separators
    blank = newline + newline
    ended = [c if k == len(copies) - 1 or c.endswith(blank) else c.rstrip("\r\n") + blank
             for k, c in enumerate(copies)]
    separator = "---" + newline
    return ended[0] + "".join(separator + ("" if c.startswith(("\n", "\r")) else newline) + c for c in ended[1:])


def _with_note(copy, blocks, view, scenes, newline):
    """A copy of a slide with the note of the step it shows at its end: after a `note:` line, or added to
    the slide's own notes if it has them (a second `note:` would make Advanced Slides show neither)."""
    from nnanim import slides

    k = max(j for j, step in enumerate(view) if step is not None)
    said = None if blocks[k].explore else scenes[blocks[k].start].steps[view[k]].note
    if not said:
        return copy
    note = slides.speaker_note(said, continued=bool(slides.NOTE.search(copy)))
    return copy.rstrip("\r\n") + newline * 2 + note.replace("\n", newline) + newline * 2
