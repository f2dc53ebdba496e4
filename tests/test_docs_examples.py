"""What the README and docs/ show as examples runs as written, so that it cannot go stale (issue 21).

A fenced block is run when the line right above it is `<!-- test -->` (an HTML comment: GitHub and
Obsidian show nothing of it). In a ```sh block every line is a command, run without a shell: `nnanim`,
`manim` and `python` (bare or as `.venv/bin/…`) are this environment's, `NAME=value` words before them
set variables, and `# …` is a comment. A ```python block is a script run by `python -c`, or, when it holds
`%` magics, one notebook cell run by a real IPython kernel (nbclient). A line `print(…)  # TEXT` promises
what it prints: TEXT must be a line of the output.

Each document's blocks run in order, in one workspace of its own: a temporary folder with `renders/`,
copies of `scenes/` and `examples/`, and the files that document's examples take for granted (a
student's main.py, a teacher's talk.md: FILES below). A block's test first runs the blocks above it
(once), so it can read what they wrote (the README's renders read the tour's trace).

Renders are made tiny: `nnanim render` and `nnanim deck build` get `--size 160x90 --fps 5` appended
(before a `# comment`, also in a `%nnanim` line), `nnanim storyboard` `--size 160x90`, and `manim`
`-r 160,90 --fps 5`; a quality given (`-q m`) stays, and the size appended wins over it. A kernel renders
at 160x90 and 5 fps (NNANIM_NOTEBOOK_SIZE, NNANIM_NOTEBOOK_FPS).

A block passes when every line exits 0 (a cell raises nothing) and every file it says it wrote
(`wrote PATH`) exists and is not empty; `manim` must leave a video. The README's examples are run from the
repository's root, so whatever they write must be ignored by git.
"""

import json
import os
import re
import shlex
import shutil
import struct
import subprocess
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARK = "<!-- test -->"
BIN = Path(sysconfig.get_path("scripts"))
PROGRAMS = ("nnanim", "manim", "python")
TINY = {"render": ["--size", "160x90", "--fps", "5"], "deck build": ["--size", "160x90", "--fps", "5"],
        "storyboard": ["--size", "160x90"]}
TINY_MANIM = ["-r", "160,90", "--fps", "5"]
TINY_KERNEL = {"NNANIM_NOTEBOOK_SIZE": "160x90", "NNANIM_NOTEBOOK_FPS": "5"}
COPIED = ("scenes", "examples")
TIMEOUT = 300

STUDENT_MAIN = """\
from value import Value

w = Value(0.5, label="w")
for _ in range(3):
    out = (w * Value(2.0) + Value(1.0)).tanh()
    w.grad = 0.0
    out.backward()
    w.data -= 0.1 * w.grad
"""

TALK = """\
---
title: A talk
---
# A talk

---

## The second slide

Its text.
"""

# What a document's examples take for granted, made in its workspace first: files, then commands.
FILES = {
    "docs/your-own-value.md": {"value.py": (ROOT / "tests" / "lecture_value.py").read_text(), "main.py": STUDENT_MAIN,
                               **{f"submissions/{who}/{name}": text for who in ("ada", "ben")
                                  for name, text in (("value.py", (ROOT / "tests" / "lecture_value.py").read_text()),
                                                     ("main.py", STUDENT_MAIN))}},
    "docs/own-deck.md": {"talk.md": TALK},
}
SETUP = {"docs/own-deck.md": ["nnanim trace --data moons --steps 3 -o runs/moons.nntrace"]}


@dataclass(frozen=True)
class Block:
    document: str  # relative to the repository: README.md, docs/notebook.md
    line: int  # of the opening fence, from 1
    language: str
    lines: tuple  # (line number, text) of the body

    @property
    def id(self):
        return f"{self.document}:{self.line}"

    @property
    def in_kernel(self):
        return self.language == "python" and any(text.startswith("%") for _, text in self.lines)


def blocks_of(path):
    """The marked fenced blocks of a markdown file, in order."""
    lines = path.read_text().splitlines()
    found = []
    for k, line in enumerate(lines):
        if line.strip() != MARK:
            continue
        fence = lines[k + 1] if k + 1 < len(lines) else ""
        assert fence.startswith("```"), f"{path.name}:{k + 1}: {MARK} stands right above a ``` block"
        end = next(j for j in range(k + 2, len(lines)) if lines[j].startswith("```"))
        found.append(Block(str(path.relative_to(ROOT)), k + 2, fence[3:].strip(),
                           tuple((j + 1, lines[j]) for j in range(k + 2, end))))
    return found


BLOCKS = [block for path in DOCUMENTS for block in blocks_of(path)]


# ----- running one command line, one script, one cell
def command(text):
    """(argv, environment) of one documented command line, its renders made tiny."""
    words = shlex.split(text, comments=True)
    environment = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, value = words.pop(0).split("=", 1)
        environment[name] = value
    program = words[0].removeprefix(".venv/bin/")
    assert program in PROGRAMS, f"{text!r}: a marked command runs {' / '.join(PROGRAMS)}"
    argv = [str(BIN / program), *words[1:]]
    if program == "nnanim":
        argv += tiny(words[1:])
    elif program == "manim":
        argv += TINY_MANIM
    return argv, environment


def tiny(arguments):
    """The size options a command line of nnanim gets, by its (sub)command."""
    for name, options in TINY.items():
        if arguments[:len(name.split())] == name.split():
            return options
    return []


def tiny_magic(line):
    """A `%nnanim …` line with the size options put before its comment."""
    code, comment = re.match(r"(.*?)(\s+#.*)?$", line).groups()
    return " ".join([code, *tiny(shlex.split(code)[1:])]) + (comment or "")


def files(folder):
    return {p.relative_to(folder): p.stat().st_size for p in folder.rglob("*") if p.is_file()}


def written(output, folder):
    """What a command said it wrote, `wrote PATH` or `wrote PATH (…)`, as paths in `folder`."""
    return [folder / m.group(1) for m in re.finditer(r"^wrote (.+?)(?: \(.*\))?$", output, re.MULTILINE)]


def run_line(text, folder):
    """Problems of one command line (none: it did what it says)."""
    argv, environment = command(text)
    before = files(folder)
    done = subprocess.run(argv, cwd=folder, env={**os.environ, **environment}, capture_output=True, text=True,
                          timeout=TIMEOUT)
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
        return [f"{text!r} exited {done.returncode}: {last[0]}"]
    problems = [f"{text!r} says it wrote {p.relative_to(folder)}, which is missing or empty"
                for p in written(done.stdout, folder) if not (p.is_file() and p.stat().st_size)]
    if Path(argv[0]).name == "manim":
        videos = [p for p, size in files(folder).items() if p.suffix == ".mp4" and size and p not in before]
        problems += [] if videos else [f"{text!r} made no video"]
    return problems


def run_script(block, folder):
    source = "\n".join(text for _, text in block.lines)
    done = subprocess.run([str(BIN / "python"), "-c", source], cwd=folder, capture_output=True, text=True,
                          timeout=TIMEOUT)
    if done.returncode != 0:
        return [f"exited {done.returncode}: {(done.stderr.strip().splitlines() or ['no output'])[-1]}"]
    printed = done.stdout.splitlines()
    promised = [m.group(1).strip() for _, text in block.lines if (m := re.match(r"print\(.*\)\s+# (.+)$", text))]
    return [f"printed no line {text!r}" for text in promised if text not in printed]


def run_cell(block, folder):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    source = "\n".join(tiny_magic(text) if text.startswith("%nnanim") else text for _, text in block.lines)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nbclient.NotebookClient(notebook, timeout=TIMEOUT, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(folder)}}).execute(env={**os.environ, **TINY_KERNEL})
    outputs = notebook.cells[0].outputs
    problems = [f"{o.ename}: {o.evalue}" for o in outputs if o.output_type == "error"]
    said = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    return problems + [f"says it wrote {p.relative_to(folder)}, which is missing or empty"
                       for p in written(said, folder) if not (p.is_file() and p.stat().st_size)]


def not_ignored(paths):
    """Those of `paths` (relative to the repository) that git would not ignore: none if git is not at hand."""
    if not paths or shutil.which("git") is None or not (ROOT / ".git").exists():
        return []
    ignored = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "--no-index", "--stdin"],
                             input="\n".join(map(str, paths)), capture_output=True, text=True).stdout.splitlines()
    return sorted(set(map(str, paths)) - set(ignored))


# ----- a workspace per document
class Workspace:
    def __init__(self, document, folder):
        self.document, self.folder, self.results = document, folder, {}
        for name in COPIED:
            shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        (folder / "renders").mkdir()
        for name, text in FILES.get(document, {}).items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text)
        for line in SETUP.get(document, []):
            assert run_line(line, folder) == [], f"setting up for {document}: {line}"

    def run(self, block):
        """Problems of `block`, after the blocks above it in its document have run (each once)."""
        for earlier in BLOCKS:
            if earlier.document == self.document and earlier.line <= block.line and earlier not in self.results:
                self.results[earlier] = self.run_one(earlier)
        return self.results[block]

    def run_one(self, block):
        before = set(files(self.folder))
        if block.language in ("sh", "bash"):
            problems = [f"line {n}: {p}" for n, text in block.lines if text.strip()
                        for p in run_line(text, self.folder)]
        elif block.in_kernel:
            problems = run_cell(block, self.folder)
        elif block.language == "python":
            problems = run_script(block, self.folder)
        else:
            problems = [f"a ```{block.language} block is not run: mark sh or python blocks"]
        if block.document == "README.md":
            left = not_ignored(sorted(set(files(self.folder)) - before))
            problems += [f"leaves {path} in the checkout, which git does not ignore" for path in left]
        return problems


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory):
    made = {}

    def workspace(document):
        if document not in made:
            made[document] = Workspace(document, tmp_path_factory.mktemp(Path(document).stem))
        return made[document]
    return workspace


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id) for b in BLOCKS])
def test_a_marked_example_runs_as_written(block, workspaces):
    assert workspaces(block.document).run(block) == []


def test_the_readme_and_the_docs_mark_their_examples():
    marked = {b.document for b in BLOCKS}
    assert {"README.md", "docs/notebook.md", "docs/your-own-value.md", "docs/own-deck.md"} <= marked
    assert sum(b.document == "README.md" for b in BLOCKS) >= 4


# ----- what the pages name exists
NAMED_FILE = re.compile(r"\b(?:engine|scenes|nnanim|tests|benchmarks|examples|docs)/[\w./-]*\.(?:py|md|ipynb|json)\b")


def test_every_file_the_docs_name_exists():
    missing = [f"{path.name}: {name}" for path in DOCUMENTS for name in NAMED_FILE.findall(path.read_text())
               if not (ROOT / name).exists()]
    assert missing == []


def test_every_nnanim_variable_the_docs_name_is_read():
    from nnanim.scenes.options import ALL

    options = {f"NNANIM_{o.name.upper()}" for o in ALL}
    code = "".join(p.read_text() for folder in ("nnanim", "engine", "scenes") for p in (ROOT / folder).rglob("*.py"))
    named = {name for path in DOCUMENTS for name in re.findall(r"\bNNANIM_[A-Z][A-Z_]*[A-Z]\b", path.read_text())}
    assert sorted(name for name in named if name not in options and name not in code) == []


# ----- the trace format's worked example is a real trace
def test_the_trace_formats_worked_example_is_what_nnanim_writes(tmp_path):
    page = (ROOT / "docs" / "trace-format.md").read_text()
    example = page[page.index("## Worked example"):]
    script = re.search(r"```python\n# lex\.py\n(.*?)```", example, re.DOTALL).group(1)
    (tmp_path / "lex.py").write_text(script)
    subprocess.run([str(BIN / "nnanim"), "trace", "lex.py", "-o", "lex.nntrace"], cwd=tmp_path, check=True,
                   capture_output=True)
    raw = (tmp_path / "lex.nntrace").read_bytes()
    (length,) = struct.unpack("<I", raw[8:12])
    total, header, body = (int(n.replace(",", "")) for n in re.search(
        r"writes ([\d,]+) bytes: 12 bytes of signature and length\s+\(the length: `[0-9a-f ]+`\), a ([\d,]+)-byte header, "
        r"and ([\d,]+) bytes of blocks", example).groups())
    assert (total, header, body) == (len(raw), length, len(raw) - 12 - length)
    assert re.search(r"\(the length: `([0-9a-f ]+)`\)", example).group(1) == raw[8:12].hex(" ")

    def shown(doc, real, where="header"):
        """Every key the page shows has the real header's value (`...` stands for what is left out)."""
        if isinstance(doc, dict):
            assert isinstance(real, dict), where
            for key, value in doc.items():
                if key != "...":
                    assert key in real, f"{where}.{key}"
                    shown(value, real[key], f"{where}.{key}")
        elif isinstance(doc, list):
            assert len(doc) == len(real), where
            for k, (d, r) in enumerate(zip(doc, real)):
                shown(d, r, f"{where}[{k}]")
        else:
            assert doc == real, where

    shown(json.loads(re.search(r"```json\n(.*?)```", example, re.DOTALL).group(1)), json.loads(raw[12:12 + length]))


# ----- the example notebook leaves nothing for git
def test_what_the_example_notebook_writes_is_ignored_by_git():
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(ROOT / "examples" / "workshop.ipynb", as_version=4)
    sources = [c.source for c in notebook.cells if c.cell_type == "code"]
    writes = [f"{m.group(1)}.nntrace" for s in sources for m in re.finditer(r"^%%nnanim_record (\w+)", s, re.M)]
    writes += [m.group(1) for s in sources for m in re.finditer(r"^%nnanim .*?(?:-o|--out) (\S+)", s, re.M)]
    writes += [m.group(1) for s in sources for m in re.finditer(r"\.save\([\"']([^\"']+)", s)]
    assert writes, "the notebook writes a trace and a picture beside itself"
    assert not_ignored([Path("examples") / w for w in writes]) == []
