"""Speaker notes: nnanim's own for every step, and a teacher's from a markdown file.

The teacher's file (`nnanim slides --notes NOTES.md`) is plain markdown. A `## ` heading names a slide,
by its title, its scene or its render's file name; what follows it is said on every step of that slide.
A `### ` heading under it with a step's number (`### 3` or `### step 3`) holds what is said on that step
only:

    ## Backpropagation
    Ask first: which way does the gradient flow?
    ### step 3
    Point at d.grad: it is f.

The markdown is turned into HTML by markdown-it-py with raw HTML off (a notes file may be shared too).
"""

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from nnanim.errors import NnanimError

MAX_BYTES = 2 * 1024 * 1024
STEP_HEADING = re.compile(r"(?:step\s*)?(\d+)", re.IGNORECASE)


class NotesError(NnanimError, ValueError):
    """A notes file that cannot be used; one line for the user."""


@dataclass
class TeacherNotes:
    """A slide's notes from the teacher: `every` on each step, `by_step[k]` on step k (from 1), as HTML."""

    heading: str
    every: str = ""
    by_step: dict = field(default_factory=dict)
    used: bool = False


def read(path):
    """The teacher's notes by heading (casefolded), in the order of the file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise NotesError(f"{path} is larger than {MAX_BYTES // 1024 // 1024} MiB: is it a notes file?")
        source = path.read_text(encoding="utf-8")
    except OSError as e:
        raise NotesError(f"cannot read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise NotesError(f"{path} is not UTF-8 text") from None
    md = MarkdownIt("commonmark", {"html": False})
    tokens = md.parse(source)
    notes, current, step, body = {}, None, None, []

    def close():
        if current is None:
            return
        rendered = md.renderer.render(body, md.options, {}).strip()
        if step is None:
            current.every = rendered
        elif rendered:
            current.by_step[step] = rendered

    k = 0
    while k < len(tokens):
        token = tokens[k]
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            title = tokens[k + 1].content.strip()
            close()
            body = []
            if token.tag == "h2":
                current, step = notes.setdefault(title.casefold(), TeacherNotes(title)), None
            else:
                match = STEP_HEADING.fullmatch(title)
                if current is None or not match:
                    line = token.map[0] + 1 if token.map else "?"
                    raise NotesError(f"{path}:{line}: a ### heading is a step of the ## slide above it "
                                     f"(### step 3), not {title!r}")
                step = int(match.group(1))
            k += 3  # heading_open, inline, heading_close
            continue
        body.append(token)
        k += 1
    close()
    return notes


def for_slide(notes, names):
    """The teacher's notes for a slide known by any of `names` (title, scene, file name), or None."""
    for name in names:
        found = notes.get(name.casefold())
        if found:
            found.used = True
            return found
    return None


def teacher_html(teacher, step):
    """What the teacher wrote for step `step` (from 1) of a slide: for every step, then for this one."""
    if teacher is None:
        return ""
    return "\n".join(p for p in (teacher.every, teacher.by_step.get(step, "")) if p)


def step_html(title, step, steps, nnanim_note, teacher):
    """The speaker's view of one step: where we are, what nnanim says, what the teacher wrote (HTML)."""
    parts = [f"<p><strong>{html.escape(title)}</strong> · step {step} of {steps}</p>"] if steps > 1 else \
        [f"<p><strong>{html.escape(title)}</strong></p>"]
    return "\n".join(p for p in parts + [plain_html(nnanim_note), teacher] if p)


def plain_html(note):
    """nnanim's plain-text note as HTML paragraphs."""
    return "".join(f"<p>{html.escape(line)}</p>" for line in note.splitlines() if line.strip())


def unused(notes):
    """Headings of the teacher's notes that matched no slide (or a step a slide does not have)."""
    return [n.heading for n in notes.values() if not n.used]
