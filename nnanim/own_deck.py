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
import sys
from dataclasses import dataclass
from pathlib import Path

import click
import yaml

from nnanim import deck_page, obsidian
from nnanim.deck import Job, Slide, run
from nnanim.engine.tracefile import nnanim_version
from nnanim.render import QUALITIES
from nnanim.scenes.registry import SCENES
from nnanim.scenes.theme import THEMES

DEFAULTS = {"trace": None, "quality": "m", "theme": "dark"}  # a deck's settings, unless it says otherwise


class DeckError(Exception):
    """One line for the user, naming the deck's line."""


@dataclass
class Block:
    start: int  # the fence's first line, 0-based (the deck's line start + 1 in messages)
    end: int  # the line after its closing fence
    args: list
    prefix: str = ""  # what its lines start with inside a callout, quote or list ("> ")
    job: Job | None = None


def find_blocks(tokens, lines, name):
    """The ```nnanim blocks of a deck's tokens, in order (code in other fences is not read)."""
    blocks = []
    for token in tokens:
        if token.type == "fence" and token.info.strip() == "nnanim" and token.map:
            try:
                args = shlex.split(token.content, comments=True)
            except ValueError as e:
                raise DeckError(f"{name}:{token.map[0] + 1}: {e}") from None
            first = lines[token.map[0]]
            blocks.append(Block(token.map[0], token.map[1], args, prefix=first[:first.index(token.markup)]))
    return blocks


def front_matter(tokens, deck):
    """The deck's front matter (a dict) and its nnanim settings (`nnanim:` with trace, quality, theme)."""
    text = next((t.content for t in tokens if t.type == "front_matter"), "")
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{deck.name}:{mark.line + 2}" if mark else deck.name
        raise DeckError(f"{where}: the front matter is not YAML ({getattr(e, 'problem', None) or e})") from None
    data = data if isinstance(data, dict) else {}
    settings = data.get("nnanim") or {}
    if not isinstance(settings, dict) or set(settings) - set(DEFAULTS):
        raise DeckError(f"{deck.name}: the front matter's nnanim: takes {', '.join(DEFAULTS)} (e.g. `nnanim: "
                        f"{{trace: run.nntrace, quality: l, theme: light}}`)")
    choices = {"quality": QUALITIES, "theme": THEMES}
    for key, allowed in choices.items():
        if key in settings and settings[key] not in allowed:
            raise DeckError(f"{deck.name}: the front matter's nnanim: {key} is {settings[key]!r}, not one of "
                            f"{', '.join(allowed)}")
    if "trace" in settings:
        trace = deck.parent / str(settings["trace"])
        if not trace.is_file():
            raise DeckError(f"{deck.name}: the front matter's nnanim: trace {settings['trace']} is not a file "
                            f"(a path from the deck's folder)")
        settings["trace"] = trace.resolve()
    return data, settings


def plan(deck, out_dir, text, tokens, quality, theme, trace=None, size=None, fps=None):
    """A render job per block of `deck` (a path), its arguments checked by `nnanim render`'s own parser."""
    from nnanim.cli import render as render_command

    blocks = find_blocks(tokens, text.splitlines(), deck.name)
    for block in blocks:
        where = f"{deck.name}:{block.start + 1}"
        if not block.args:
            raise DeckError(f"{where}: an empty nnanim block: write the scene and its options, e.g. `formula --values`")
        args = list(block.args)
        if len(args) > 1 and not args[1].startswith("-"):  # a TRACE, relative to the deck's folder
            args[1] = str((deck.parent / args[1]).resolve())
        elif trace and args[0] in SCENES and SCENES[args[0]].needs != "nothing":
            args.insert(1, str(trace))
        try:
            context = render_command.make_context("render", args + ["-o", str(out_dir)], resilient_parsing=False)
        except click.ClickException as e:
            raise DeckError(f"{where}: {e.format_message()}") from None
        scene, trace_file = context.params["scene"], context.params["trace_file"]
        if scene not in SCENES:
            raise DeckError(f"{where}: {scene!r} is not a scene (`nnanim scenes` lists them)")
        if context.params["deck"]:
            raise DeckError(f"{where}: a block renders one scene (--all is for `nnanim render`)")
        folder = out_dir / "media" / f"{scene}-{hashlib.sha256(' '.join(args).encode()).hexdigest()[:10]}"
        command = [sys.executable, "-m", "nnanim", "render", *args, "-q", quality, "--theme", theme, "-o", str(folder)]
        if size:
            command += ["--size", f"{size[0]}x{size[1]}"]
        if fps:
            command += ["--fps", str(fps)]
        fmt = context.params["fmt"]
        ext = "mov" if context.params["transparent"] and fmt == "mp4" else fmt
        output = folder / SCENES[scene].output_name(Path(trace_file).stem if trace_file else None, ext)
        digest = hashlib.sha256(Path(trace_file).read_bytes()).hexdigest() if trace_file else None
        key = {"nnanim": nnanim_version(), "command": command[3:-2], "trace": digest}
        block.job = Job(Slide(scene, where), output, command, key)
    return blocks


def build(deck, out_dir, quality=None, theme=None, trace=None, size=None, fps=None, workers=1, on_done=None):
    """Render every block and write OUT/DECK.md and OUT/DECK.html; returns (paths written, warnings).
    DeckError for the first failing block. quality, theme and trace: given, else the front matter's,
    else DEFAULTS'."""
    from nnanim import sidecar, slides
    from nnanim.assets import AssetError
    from nnanim.segments import SegmentError

    deck, out_dir = Path(deck), Path(out_dir)
    text = deck.read_text(encoding="utf-8")
    tokens = obsidian.markdown().parse(text)
    data, settings = front_matter(tokens, deck)
    given = {"quality": quality, "theme": theme, "trace": Path(trace).resolve() if trace else None}
    chosen = {key: given[key] or settings.get(key) or DEFAULTS[key] for key in DEFAULTS}
    blocks = plan(deck, out_dir, text, tokens, chosen["quality"], chosen["theme"], chosen["trace"], size, fps)
    run([b.job for b in blocks], workers, on_done=on_done)
    failed = [b for b in blocks if b.job.status == "failed"]
    if failed:
        raise DeckError(f"{failed[0].job.slide.title}: {failed[0].job.message.removeprefix('Error: ')}")
    try:
        scenes = {}
        for block in blocks:
            job = block.job
            render = slides.Render(f"{job.slide.scene} ({job.slide.title})", job.output, sidecar.read(job.output))
            scenes[block.start] = slides.slide_steps(render, job.output.parent, {}, gif=False)
        markdown = obsidian_copy(text, tokens, blocks, scenes, out_dir)
        config = {**slides.REVEAL_CONFIG}
        page, warnings = deck_page.page(deck, text, out_dir, scenes, chosen["theme"],
                                        deck_page.title_of(text, data, deck), config)
        written = [slides.copy_text(markdown, out_dir / deck.name),
                   slides.copy_text(page, out_dir / (deck.stem + ".html"))]
    except (slides.SlidesError, sidecar.SidecarError, SegmentError, AssetError) as e:
        raise DeckError(str(e)) from None
    except OSError as e:
        raise DeckError(f"cannot write {e.filename or out_dir}: {e.strerror or e}") from None
    return written, warnings


def obsidian_copy(text, tokens, blocks, scenes, out_dir):
    """The deck for Obsidian: every line as written but the blocks'. A slide with blocks is written once
    per step, each time with the step's clip where its block was (earlier blocks at their last step, later
    ones not yet shown), so the slide's text stays while the scene steps on, as on the page."""
    lines = text.splitlines(keepends=True)
    matter = next((t.map[1] for t in tokens if t.type == "front_matter"), 0)
    bounds = [matter - 1] + deck_page.separators(tokens, text.splitlines()) + [len(lines)]
    out, at = [], 0
    for before, after in zip(bounds, bounds[1:]):
        inside = [b for b in blocks if before < b.start < after]
        if inside:
            out += lines[at:before + 1]
            out.append(_slide_per_step(lines, before + 1, after, inside, scenes, out_dir))
            at = after
    out += lines[at:]
    return "".join(out)


def _slide_per_step(lines, start, end, blocks, scenes, out_dir):
    """The slide lines[start:end] written once per step of its blocks, `---` between the copies."""
    from nnanim import slides

    counts = [len(scenes[b.start].steps) for b in blocks]
    views = [[count - 1 if j < k else step if j == k else None for j, count in enumerate(counts)]
             for k in range(len(blocks)) for step in range(counts[k])]
    copies = []
    for view in views:
        copy, at = [], start
        for block, step in zip(blocks, view):
            copy += lines[at:block.start]
            if step is not None:
                clip = scenes[block.start].steps[step].clip
                copy.append(block.prefix + slides.embed(clip, relative_to=out_dir) + "\n")
            at = block.end
        copies.append("".join(copy + lines[at:end]))
    # a `---` right under a line of text would make it a heading: blank lines around the new separators
    copies = [c if k == len(copies) - 1 or c.endswith("\n\n") else c.rstrip("\n") + "\n\n"
              for k, c in enumerate(copies)]
    return copies[0] + "".join(f"---\n{'' if c.startswith(chr(10)) else chr(10)}{c}" for c in copies[1:])
