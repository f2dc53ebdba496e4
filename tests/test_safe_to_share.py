"""Decks, renders folders, traces and scripts from someone else (issue "safe to share", docs/security.md):
each class of hostile input ends in one line or a correct result, and nothing outside an output folder
changes. Every input is made here."""

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from nnanim.cli import main

TINY = ["--size", "160x90", "--fps", "5"]
TEXT_DECK = "# A slide\n\nSome text.\n\n---\n\n## Another\n\nMore.\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line(result):
    """A user error: non-zero exit, one 'Error:' line, no traceback."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "Traceback" not in result.output, result.output
    return errors[0]


def outside_folder(tmp_path, name):
    """A folder outside every output, holding a file that must survive."""
    folder = tmp_path / name
    (folder / "dist").mkdir(parents=True)
    (folder / "dist" / "keep.txt").write_text("mine")
    (folder / "keep.png").write_bytes(b"mine")
    return folder


def untouched(folder):
    return (folder / "dist" / "keep.txt").read_text() == "mine" and (folder / "keep.png").read_bytes() == b"mine"


# ----- links inside an output folder are replaced, never followed
def test_a_deck_build_never_follows_a_link_in_its_output(tmp_path):
    deck_dir = tmp_path / "deck"
    deck_dir.mkdir()
    (deck_dir / "talk.md").write_text(TEXT_DECK + "\n---\n\n![[pic.png]]\n")
    (deck_dir / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    build = deck_dir / "build"
    build.mkdir()
    links = {name: outside_folder(tmp_path, f"project-{name}") for name in ("reveal", "katex", "pictures", "media")}
    for name, target in links.items():
        (build / name).symlink_to(target)
    result = run("deck", "build", deck_dir / "talk.md")
    assert result.exit_code == 0, result.output
    assert all(untouched(target) for target in links.values())
    assert not any((build / name).is_symlink() for name in ("reveal", "katex", "pictures")), "what was written to"
    assert (build / "reveal" / "dist" / "reveal.js").is_file() and (build / "pictures" / "pic.png").is_file()


def test_a_default_build_folder_that_is_a_link_is_replaced(tmp_path):
    deck_dir = tmp_path / "deck"
    deck_dir.mkdir()
    (deck_dir / "talk.md").write_text(TEXT_DECK)
    elsewhere = outside_folder(tmp_path, "elsewhere")
    (deck_dir / "build").symlink_to(elsewhere)
    assert run("deck", "build", deck_dir / "talk.md").exit_code == 0
    assert untouched(elsewhere) and not (elsewhere / "talk.html").exists()
    assert (deck_dir / "build" / "talk.html").is_file() and not (deck_dir / "build").is_symlink()


def test_slides_never_follow_a_link_in_their_output(tmp_path):
    renders = tmp_path / "renders"
    (renders / "slides").mkdir(parents=True)
    (renders / "derivative.gif").write_bytes(b"GIF89a")
    links = {name: outside_folder(tmp_path, f"p-{name}") for name in ("reveal", "media")}
    for name, target in links.items():
        (renders / "slides" / name).symlink_to(target)
    result = run("slides", renders)
    assert result.exit_code == 0, result.output
    assert all(untouched(target) for target in links.values())
    assert (renders / "slides" / "reveal" / "dist" / "reveal.js").is_file()
    assert (renders / "slides" / "media" / "derivative.gif").is_file()


def test_a_renders_folder_whose_record_folder_is_a_link(tmp_path):
    from nnanim.deck import Slide, render_job, run as run_jobs
    from nnanim.render import request

    out = tmp_path / "renders"
    out.mkdir()
    elsewhere = outside_folder(tmp_path, "elsewhere")
    (out / ".nnanim").symlink_to(elsewhere)
    job = render_job(Slide("derivative", "t"), request("derivative", out_dir=out, size=(160, 90), fps=2, fmt="png"))
    run_jobs([job], 1)
    assert job.status == "done", job.message
    assert untouched(elsewhere) and sorted(p.name for p in elsewhere.iterdir()) == ["dist", "keep.png"]
    assert (out / ".nnanim" / "derivative.png.json").is_file() and not (out / ".nnanim").is_symlink()


# ----- every file a deck names is opened as a trace is
@pytest.fixture
def deck(tmp_path):
    folder = tmp_path / "deck"
    folder.mkdir()
    return folder


def deck_with_block(folder, body):
    (folder / "talk.md").write_text(f"# A slide\n\n```nnanim\n{body}\n```\n")
    return folder / "talk.md"


def test_a_block_naming_a_fifo_or_a_device_is_one_line_at_once(deck):
    os.mkfifo(deck / "pipe.nntrace")
    os.symlink("/dev/zero", deck / "zero.nntrace")
    for name, said in (("pipe.nntrace", "a FIFO, not a regular file"), ("zero.nntrace", "a device, not a regular file")):
        done = subprocess.run([sys.executable, "-m", "nnanim", "deck", "build", str(deck_with_block(deck, f"loss {name}")),
                               "--traces-anywhere"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert done.returncode == 1 and done.stderr.count("\n") == 1 and said in done.stderr, done.stderr
        assert "talk.md:3:" in done.stderr


def test_a_deck_reads_traces_only_from_its_own_folder_unless_told(deck, tmp_path):
    from nnanim.runs import workshop_run

    workshop_run(steps=2).save(tmp_path / "outside.nntrace")
    talk = deck_with_block(deck, "loss ../outside.nntrace")
    line = one_line(run("deck", "build", talk))
    assert "outside the deck's folder" in line and "--traces-anywhere" in line
    (deck / "talk.md").write_text("---\nnnanim: {trace: ../outside.nntrace}\n---\n# A\n\n```nnanim\nloss\n```\n")
    assert "outside the deck's folder" in one_line(run("deck", "build", talk))
    result = run("deck", "build", talk, "--traces-anywhere", *TINY, "-j", "1")
    assert result.exit_code == 0, result.output


# ----- front matter, and the bounds of a block's options
def test_front_matter_aliases_and_deep_nesting_are_one_short_line(deck):
    levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for k in range(1, 9):
        levels.append(f"{chr(97 + k)}: &{chr(97 + k)} [" + ",".join([f"*{chr(96 + k)}"] * 9) + "]")
    talk = deck / "talk.md"
    talk.write_text("---\n" + "\n".join(levels) + "\n---\n" + TEXT_DECK)
    line = one_line(run("deck", "build", talk))
    assert "aliases" in line and len(line) < 300
    talk.write_text("---\nx: " + "[" * 100_000 + "]" * 100_000 + "\n---\n" + TEXT_DECK)
    line = one_line(run("deck", "build", talk))
    assert "nested more than" in line and len(line) < 300


def test_sizes_and_frame_rates_are_bounded_everywhere(deck):
    import nnanim

    line = one_line(run("deck", "build", deck_with_block(deck, "derivative --size 7680x4320 --fps 120"), "-q", "l"))
    assert "talk.md:3:" in line and "3840x2160" in line
    assert "1<=x<=60" in one_line(run("render", "derivative", "--fps", "120"))
    with pytest.raises(nnanim.NnanimError, match="3840x2160"):
        nnanim.render("derivative", size=(7680, 4320))
    with pytest.raises(nnanim.NnanimError, match="from 1 to 60"):
        nnanim.render("derivative", fps=120)


# ----- a student's script
SCRIPTS = {
    "endless": ("while True:\n    pass\n", ["--timeout", "3"], "ran for more than 3 s and was stopped"),
    "memory": ("x = bytearray(1 << 34)\n", ["--memory", "512"], "used more than 512 MB of memory"),
    "os_exit": ("from nnanim import Value\nL = Value(2.0) * 3\nL.backward()\nimport os\nos._exit(0)\n", [],
                "ended (exit status 0) before nnanim could take its run"),
    "base_exception": ("class Boom(BaseException):\n    pass\nraise Boom('bye')\n", [], "raised Boom: bye"),
}


@pytest.mark.parametrize("name", SCRIPTS)
def test_a_script_that_misbehaves_is_one_line_about_the_script(tmp_path, name):
    source, options, said = SCRIPTS[name]
    script = tmp_path / f"{name}.py"
    script.write_text(source)
    traced = run("trace", script, "-o", tmp_path / "t.nntrace", *options)
    assert said in one_line(traced) and not (tmp_path / "t.nntrace").exists()
    checked = subprocess.run([sys.executable, "-m", "nnanim", "check", str(script), *options], capture_output=True,
                             text=True, timeout=120)
    assert checked.returncode == 2 and said in checked.stderr, checked.stderr


def test_a_script_that_moves_forks_closes_stdout_and_replaces_open_still_gives_its_trace(tmp_path):
    from nnanim.engine import load_trace

    script = tmp_path / "rude.py"
    script.write_text("import builtins, os, sys\nfrom nnanim import Value\nprint('training')\n"
                      "L = Value(2.0, label='a') * 3\nL.backward()\nos.chdir('/')\nif os.fork() == 0:\n"
                      "    L.backward()\nelse:\n    os.wait()\nsys.stdout.close()\nbuiltins.open = None\n")
    result = run("trace", script, "-o", tmp_path / "out" / "t.nntrace")
    assert result.exit_code == 0, result.output
    assert "training" in result.output and "wrote" in result.output and "(1 step," in result.output
    assert load_trace(tmp_path / "out" / "t.nntrace").num_steps == 1, "the forked child wrote nothing"
    assert not (tmp_path / "t.nntrace").exists()


# ----- labels and messages
def test_control_characters_in_labels_are_replaced_when_written_and_refused_when_read(tmp_path):
    from nnanim import Value, load_trace, record
    from nnanim.engine import steps

    with record() as trace:
        L = Value(2.0, label="a\x1b[31m\u202e") * 3
        L.backward()
    trace.save(tmp_path / "t.nntrace")
    assert load_trace(tmp_path / "t.nntrace").step(0).graph.labels[0] == "a?[31m?"
    with pytest.raises(steps.TraceError, match="control character U\\+0007"):
        steps.check_labels(["ok", "bell\x07"])


def test_record_refuses_a_name_that_would_shadow_python_or_the_notebook():
    from nnanim.errors import NnanimError
    from nnanim.magics import NnanimMagics

    for name in ("print", "In", "Out", "get_ipython", "len"):
        with pytest.raises(NnanimError, match=f"{name} is Python's or the notebook's own"):
            NnanimMagics._parse_record_line(name)
    assert NnanimMagics._parse_record_line("run") == ("run", [], False)


# ----- functions a teacher types
@pytest.mark.parametrize("text, x, said", [
    ("x^0.5", 0, "the slope of x^0.5 is not defined at x = 0"),
    ("x^0.5", -1, "x^0.5 is not defined at x = \u22121"),
    ("log(x)", 0, "log(x) is not defined at x = 0"),
])
def test_a_function_where_it_is_not_a_real_number(text, x, said):
    from nnanim.engine.expression import Function

    assert Function(text).defined_at(x) == said


def test_fractional_powers_render_where_they_are_defined(tmp_path):
    from nnanim.engine.expression import Function

    f = Function("x^0.5")
    assert f(4) == 2 and f.derivative(4) == 0.25 and f.defined_at(1) is None
    assert one_line(run("render", "derivative", "--function", "x^0.5", "--at", "0", *TINY, "-o", tmp_path)) \
        == "Error: the slope of x^0.5 is not defined at x = 0"
    assert not list(tmp_path.iterdir())
