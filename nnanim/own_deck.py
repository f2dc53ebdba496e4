"""`nnanim deck build DECK.md`: a teacher's own markdown deck, with nnanim's scenes where it says so.

The teacher writes a fenced block whose language is `nnanim` and whose body is what follows
`nnanim render` on the command line:

    ```nnanim
    formula run.nntrace --values --step -1
    ```

A TRACE is relative to the deck's folder; without one, the workshop's run. Every block is rendered by
the deck runner (nnanim.deck: in parallel, what is up to date skipped), each into its own folder
(media/<scene>-<hash of its arguments>), and OUT/DECK.md is the deck with every other line as written
and each block replaced by its animation, one slide per step (as `nnanim slides` writes them). A block
that fails stops the build with one line naming the deck's line; nothing of DECK.md is written then.
(The deck as a reveal.js page is issue 15's next part.)
"""

import hashlib
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import click
from markdown_it import MarkdownIt

from nnanim.deck import Job, Slide, run
from nnanim.engine.atomic import atomic_path
from nnanim.engine.tracefile import nnanim_version
from nnanim.scenes.registry import SCENES


class DeckError(Exception):
    """One line for the user, naming the deck's line."""


@dataclass
class Block:
    start: int  # the fence's first line, 0-based (the deck's line start + 1 in messages)
    end: int  # the line after its closing fence
    args: list
    job: Job | None = None


def find_blocks(text):
    """The ```nnanim blocks of a markdown text, in order (code in other fences is not read)."""
    blocks = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type == "fence" and token.info.strip() == "nnanim" and token.map:
            try:
                args = shlex.split(token.content, comments=True)
            except ValueError as e:
                raise DeckError(f"line {token.map[0] + 1}: {e}") from None
            blocks.append(Block(token.map[0], token.map[1], args))
    return blocks


def plan(deck, out_dir, quality="m", theme="dark", size=None, fps=None):
    """A render job per block of `deck` (a path), its arguments checked by `nnanim render`'s own parser."""
    from nnanim.cli import render as render_command

    text = deck.read_text(encoding="utf-8")
    blocks = find_blocks(text)
    for block in blocks:
        where = f"{deck.name}:{block.start + 1}"
        if not block.args:
            raise DeckError(f"{where}: an empty nnanim block: write the scene and its options, e.g. `formula --values`")
        args = list(block.args)
        if len(args) > 1 and not args[1].startswith("-"):  # a TRACE, relative to the deck's folder
            args[1] = str((deck.parent / args[1]).resolve())
        try:
            context = render_command.make_context("render", args + ["-o", str(out_dir)], resilient_parsing=False)
        except click.ClickException as e:
            raise DeckError(f"{where}: {e.format_message()}") from None
        scene, trace = context.params["scene"], context.params["trace_file"]
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
        output = folder / SCENES[scene].output_name(Path(trace).stem if trace else None, ext)
        digest = hashlib.sha256(Path(trace).read_bytes()).hexdigest() if trace else None
        key = {"nnanim": nnanim_version(), "command": command[3:-2], "trace": digest}
        block.job = Job(Slide(scene, where), output, command, key)
    return text, blocks


def build(deck, out_dir, quality="m", theme="dark", size=None, fps=None, workers=1, on_done=None):
    """Render every block and write OUT/DECK.md; returns its path. DeckError for the first failing block."""
    from nnanim import sidecar, slides

    deck, out_dir = Path(deck), Path(out_dir)
    text, blocks = plan(deck, out_dir, quality, theme, size, fps)
    run([b.job for b in blocks], workers, on_done=on_done)
    failed = [b for b in blocks if b.job.status == "failed"]
    if failed:
        raise DeckError(f"{failed[0].job.slide.title}: {failed[0].job.message.removeprefix('Error: ')}")
    lines = text.splitlines(keepends=True)
    out, at = [], 0
    for block in blocks:
        out += lines[at:block.start]
        render = slides.Render(block.job.slide.title, block.job.output, sidecar.read(block.job.output))
        made = slides.slide_steps(render, block.job.output.parent, {}, gif=False)
        embeds = [slides.embed(step.clip, relative_to=out_dir) for step in made.steps]
        out.append("\n\n---\n\n".join(embeds) + "\n")
        at = block.end
    out += lines[at:]
    target = out_dir / deck.name
    with atomic_path(target) as tmp:
        tmp.write_text("".join(out), encoding="utf-8")
    return target
