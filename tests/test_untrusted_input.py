"""Shared files and ordinary mishaps (issue 11): one line of error and a non-zero exit, or it works; in
bounded time; no partial file and no process left behind. Trace-file crafting is in test_tracefile.py."""

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from nnanim.cli import main
from processes import adopting_orphans, children, command_line, working_folder

TINY = ["--size", "160x90", "--fps", "5"]
# `python -c WITHOUT_MANIM ARGS` is `nnanim ARGS`, then says whether manim was ever imported.
WITHOUT_MANIM = ("import sys\nfrom nnanim.cli import main\ntry:\n    main(sys.argv[1:], prog_name='nnanim')\n"
                 "finally:\n    print('manim imported:', 'manim' in sys.modules)\n")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line(result):
    """A user error: non-zero exit, exactly one 'Error:' line, no traceback."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.output
    return errors[0]


def traced(tmp_path, source, name="s"):
    script = tmp_path / f"{name}.py"
    script.write_text(source)
    result = run("trace", script, "-o", tmp_path / f"{name}.nntrace")
    assert result.exit_code == 0, result.output
    return tmp_path / f"{name}.nntrace"


@contextmanager
def tmpfs(path, size="64k", read_only=False):
    """A real small file system (full disk, read-only folder); skipped where it cannot be mounted."""
    path.mkdir()
    options = f"size={size}" + (",ro" if read_only else "")
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


# ----- LaTeX
def test_latex_runs_confined_and_time_limited(tmp_path, monkeypatch):
    from manim import tempconfig

    import nnanim.scenes.latex as latex

    monkeypatch.setattr(latex, "LATEX_SECONDS", 3)
    secret = tmp_path / "secret.tex"
    secret.write_text("TOPSECRET")
    with tempconfig({"tex_dir": str(tmp_path / "tex"), "verbosity": "ERROR"}):
        with pytest.raises(latex.LatexError, match="LaTeX Error: File"):
            latex.svg_of(rf"\text{{x}}\input{{{secret}}}")
        with pytest.raises(latex.LatexError, match="ran out of time"):
            latex.svg_of(r"\def\x{\x}\x")
        with pytest.raises(latex.LatexError, match="Undefined control sequence"):
            latex.svg_of(r"\nosuchcommand")
        svg = latex.svg_of(r"x^2")
        assert svg.is_file()
    assert list((tmp_path / "tex").iterdir()) == [svg], "each run in a folder of its own, taken out after"
    assert not [pid for pid in children(os.getpid())
                if str(working_folder(pid) or "").startswith(str((tmp_path / "tex").resolve()))], \
        "a LaTeX process outlived its formula"


def test_ops_and_labels_reach_latex_only_escaped():
    from nnanim.scenes.formula_plan import latex_label, latex_text

    hostile = r"}\input{/etc/passwd}\mathrm{"
    assert "\\input" not in latex_text(hostile) and "\\input" not in latex_label(hostile)
    assert latex_text("a_b%c").startswith(r"\text{a\_b\%c")


# ----- the slides page
def test_media_names_are_url_encoded_and_escaped(tmp_path):
    renders = tmp_path / "r"
    renders.mkdir()
    name = 'loss-a#b?c%d"><img src=x onerror=alert(1)>.mp4'
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=64x36:r=10:d=2", "-pix_fmt", "yuv420p",
                    str(renders / name)], check=True)
    hostile_note = "</aside><script>alert(1)</script> %% end of comment"
    (renders / (name + ".json")).write_text(json.dumps({"format": "nnanim-render/1", "stops": [0.5, 1.0],
                                                        "notes": [hostile_note, "b", "c"]}))
    (renders / "derivative.gif").write_bytes(b"GIF89a")
    result = run("slides", renders, "--cdn")
    assert result.exit_code == 0, result.output
    page = (renders / "slides" / "slides.html").read_text()
    assert "<img src=x" not in page and "onerror=alert(1)>" not in page and "<script>alert" not in page
    encoded = "loss-a%23b%3Fc%25d%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E"
    assert page.count(f'<video data-src="media/{encoded}.step-0') == 3, "a step per stop, each clip's name encoded"
    markdown = (renders / "slides" / "slides.md").read_text()
    assert "<img src=x" not in markdown and "![[media/derivative.gif|1280]]" in markdown
    assert "%% end" not in markdown, "a note cannot close its comment and show on a slide"
    assert (renders / "slides" / "media" / name).is_file()


def test_reveal_given_as_the_copy_already_in_place(tmp_path):
    renders = tmp_path / "r"
    renders.mkdir()
    (renders / "derivative.gif").write_bytes(b"GIF89a")
    assert run("slides", renders).exit_code == 0
    reveal = renders / "slides" / "reveal"
    result = run("slides", renders, "--reveal", reveal)
    assert result.exit_code == 0, result.output
    assert (reveal / "dist" / "reveal.js").is_file()


# ----- outputs
def test_special_files_are_never_replaced(tmp_path):
    fifo, picture = tmp_path / "fifo", tmp_path / "fifo.svg"
    os.mkfifo(fifo)
    os.mkfifo(picture)
    assert "not a regular file" in one_line(run("trace", "--steps", "1", "-o", fifo))
    assert "not a regular file" in one_line(run("draw", "-o", picture))
    assert fifo.is_fifo() and picture.is_fifo()
    (tmp_path / "loss-t.mp4").mkdir()
    trace = traced(tmp_path, "from nnanim import Value\nL = Value(2.0) * 3\nL.backward()\n", "t")
    assert "not a regular file" in one_line(run("render", "loss", trace, *TINY, "-o", tmp_path))


def test_an_output_folder_that_is_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("renders").write_text("")
    assert "renders" in one_line(run("trace", "--steps", "1"))
    assert "renders" in one_line(run("render", "derivative", *TINY))


def test_a_full_disk_leaves_no_partial_file(tmp_path):
    renders = tmp_path / "r"
    renders.mkdir()
    (renders / "loss-big.mp4").write_bytes(os.urandom(200_000))
    with tmpfs(tmp_path / "small") as small:
        assert "cannot write" in one_line(run("slides", renders, "--cdn", "-o", small / "slides"))
        assert not [p for p in (small / "slides" / "media").iterdir() if p.stat().st_size], "a partial copy"
        assert "cannot write" in one_line(run("trace", "--arch", "3,40,40,2", "--steps", "2", "-o", small / "t.nntrace")), \
            "about 380 kB into 64 kB"
        assert not list(small.glob("*.nntrace*")) and not list(small.glob(".t.*"))


def test_a_read_only_folder_is_refused_before_rendering(tmp_path):
    with tmpfs(tmp_path / "ro", read_only=True) as ro:
        assert "cannot write" in one_line(run("render", "descent", *TINY, "-o", ro))
        done = subprocess.run([sys.executable, "-c", WITHOUT_MANIM, "render", "descent", *TINY, "-o", str(ro)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 1 and "cannot write" in done.stderr, done.stderr
        assert done.stdout == "manim imported: False\n", "refused before rendering, not after"
        (tmp_path / "derivative.gif").write_bytes(b"GIF89a")
        assert "cannot" in one_line(run("slides", tmp_path, "--cdn", "-o", ro))


# ----- sizes
@pytest.mark.parametrize("arch, advice", [("3,99999999999999999999,2", "fewer or narrower layers"),
                                          ("3,500,500,2", "fewer or narrower layers"),
                                          ("3,100,100,2", "--record params")])
def test_runs_that_cannot_fit_are_refused_before_training(tmp_path, arch, advice):
    from nnanim.engine import Value

    before = Value(0.0)._serial  # every Value takes the next serial number
    assert advice in one_line(run("trace", "--arch", arch, "-o", tmp_path / "t.nntrace"))
    assert Value(0.0)._serial == before + 1, "refused before training: not one Value made"
    assert not (tmp_path / "t.nntrace").exists()


def test_graphs_too_large_to_lay_out_are_refused_quickly(tmp_path):
    # each x feeds two ops, so each is a box of its own (a value used once is drawn inside what uses it)
    trace = traced(tmp_path, "from nnanim import Value\nx = Value(1.0, label='x')\nfor _ in range(4000):\n"
                             "    x = x * 1.0001 + x\nx.backward()\n", "chain")
    assert "--group neuron" in one_line(run("draw", trace, "-o", tmp_path / "g.svg"))
    assert "--neuron J,L" in one_line(run("render", "backprop", trace, *TINY, "-o", tmp_path))
    assert not list(tmp_path.glob("g.svg*")) and not list(tmp_path.glob("backprop-*"))


# ----- ordinary input that used to end in a traceback
def test_control_characters_in_labels_are_drawn(tmp_path):
    trace = traced(tmp_path, "from nnanim import Value\nL = Value(2.0, label='a\\x07b\\x1b[31m') * 3\nL.backward()\n")
    result = run("draw", trace, "-o", tmp_path / "g.svg")
    assert result.exit_code == 0, result.output
    assert "a?b?[31m" in (tmp_path / "g.svg").read_text()


def test_deeply_nested_data_is_one_line(tmp_path):
    data = tmp_path / "d.json"
    data.write_text("[" * 100_000 + "]" * 100_000)
    assert "not JSON" in one_line(run("trace", "--data", data, "-o", tmp_path / "t.nntrace"))


def test_log_axis_of_losses_that_are_not_positive(tmp_path):
    trace = traced(tmp_path, "from nnanim import Value\nfor k in range(3):\n    L = Value(-1.0 - k) * 1.0\n"
                             "    L.backward()\n", "negative")
    assert "positive losses" in one_line(run("render", "loss", trace, "--log", *TINY, "-o", tmp_path))
    assert run("render", "loss", trace, *TINY, "--format", "png", "-o", tmp_path).exit_code == 0


# ----- interruption
def _nnanim(args, tmp_path):
    env = dict(os.environ, TMPDIR=str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return subprocess.Popen([sys.executable, "-m", "nnanim", *map(str, args)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_sigterm_during_a_render_leaves_nothing_behind(tmp_path):
    process = _nnanim(["render", "training", "--duration", "30", *TINY, "-o", tmp_path / "out"], tmp_path)
    assert _wait_for(lambda: list((tmp_path / "tmp").glob("nnanim-*/**/*.mp4")) or
                     list((tmp_path / "tmp").glob("nnanim-*/videos")), 60), "the render never started"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) != 0  # generous: CI machines are shared
    assert list((tmp_path / "tmp").glob("nnanim-*")) == [], "temporary folders left behind"
    assert not list((tmp_path / "out").glob("training*"))


def test_an_interrupted_deck_starts_nothing_more(tmp_path):
    assert run("trace", "--steps", "2", "-o", tmp_path / "run.nntrace").exit_code == 0
    out = tmp_path / "out"

    def renders():
        return [pid for pid in children(os.getpid()) if str(out) in command_line(pid)]

    with adopting_orphans():  # a render that outlives the deck's process is still ours to find
        process = _nnanim(["render", "--all", tmp_path / "run.nntrace", "-j", "1", *TINY, "-o", out], tmp_path)
        assert _wait_for(lambda: len(list(out.glob("*.mp4"))) >= 1, 120), "no scene was rendered"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) != 0
        rendered = len(list(out.glob("*.mp4")))
        assert _wait_for(lambda: not renders(), 10), "a render process survived"
    assert len(list(out.glob("*.mp4"))) == rendered and rendered < 14, "scenes kept rendering after SIGTERM"
    assert list((tmp_path / "tmp").glob("nnanim-*")) == []


def test_an_orphaned_encoder_thread_is_stopped_after_an_interruption():
    """Manim's partial-movie encoders are not daemons: one waiting for frames that never come would keep
    an interrupted render alive forever at exit (seen once in CI). render._stop_encoders ends it."""
    import queue
    import threading

    from nnanim.render import _stop_encoders

    class Job:  # the shape of manim's _PartialMovieEncodeJob: a queue, a listening thread, abort()
        def __init__(self):
            self.queue = queue.Queue(maxsize=2)
            self.thread = threading.Thread(target=self.listen, name="partial-movie-encoder-7")
            self.thread.start()

        def listen(self):
            while self.queue.get()[1] is not None:
                pass

        def abort(self):
            self.queue.put((-1, None))

    job = Job()
    assert job.thread.is_alive()
    _stop_encoders(seconds=5)
    assert not job.thread.is_alive()
