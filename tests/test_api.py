"""The front door: nnanim.render and its checks, one error type for people, one way to run programs."""

import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import nnanim
from nnanim import tools
from nnanim.errors import NnanimError, said

ROOT = Path(__file__).resolve().parent.parent
TINY = {"size": (160, 90), "fps": 5}


def probe(video):
    said = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                           "stream=codec_name,width,height,r_frame_rate", "-of", "json", str(video)],
                          capture_output=True, text=True, check=True)
    return json.loads(said.stdout)["streams"][0]


def test_render_writes_the_scene_and_returns_its_path(tmp_path):
    path = nnanim.render("derivative", out=tmp_path, **TINY)
    assert path == tmp_path / "derivative.mp4" and path.is_file()
    stream = probe(path)
    assert (stream["codec_name"], stream["width"], stream["height"], stream["r_frame_rate"]) == ("h264", 160, 90, "5/1")


def test_render_replays_a_trace_held_in_memory(tmp_path, small_trace):
    path = nnanim.render("loss", small_trace, format="png", out=tmp_path, **TINY)
    assert path.name == "loss-recorded.png" and path.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("call, message", [
    (lambda: nnanim.render("no-such-scene"), "'no-such-scene' is not a scene; choose from formula"),
    (lambda: nnanim.render("loss", quality="x"), "quality='x': choose from l, m, h, k"),
    (lambda: nnanim.render("loss", format="avi"), "format='avi': choose from mp4"),
    (lambda: nnanim.render("loss", theme="blue"), "theme='blue': choose from dark, light"),
    (lambda: nnanim.render("loss", size=(15, 90)), "(15, 90) is not a size like 1280x720"),
    (lambda: nnanim.render("loss", fps=0), "fps=0: a whole number from 1 to"),
    (lambda: nnanim.render("derivative", values=True), "derivative does not read --values; it reads --function, --at"),
    (lambda: nnanim.render("backprop", neuron="a"), "neuron='a': 'a' is not a neuron"),
    (lambda: nnanim.render("loss", "missing.nntrace"), "cannot read missing.nntrace"),
    (lambda: nnanim.load_trace("missing.nntrace"), "cannot read missing.nntrace"),
    (lambda: nnanim.render("backprop", 3), "int is not a Value, a Trace or a trace file"),
])
def test_every_mistake_is_one_nnanim_error(call, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NnanimError) as caught:
        call()
    assert message in str(caught.value) and "\n" not in said(caught.value)
    assert not list(tmp_path.iterdir()), "nothing written"


def test_every_error_class_of_nnanim_is_an_nnanim_error():
    import nnanim.engine
    import nnanim.scenes

    found = []
    for package in (nnanim, nnanim.engine, nnanim.scenes):
        for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            if module.name.endswith("__main__"):
                continue
            for name, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
                if issubclass(cls, Exception) and cls.__module__ == module.name:
                    found.append(cls)
    assert len(found) >= 15
    assert [c.__name__ for c in found if not issubclass(c, NnanimError)] == []


def test_messages_show_control_characters_as_escapes_and_stay_short():
    shown = said(NnanimError("label \x1b[31mred\x07 \u202eevil" + "x" * 1000))
    assert "\x1b" not in shown and "\\x1b" in shown and "\\u202e" in shown and len(shown) <= 500


def test_a_tool_that_fails_says_its_last_line(tmp_path):
    with pytest.raises(tools.ToolError, match="^sh failed checking: second$"):
        tools.run(["sh", "-c", "echo first >&2; echo second >&2; exit 3"], "checking", 10)
    with pytest.raises(tools.ToolError, match="no-such-program is not installed"):
        tools.run(["no-such-program"], "checking", 10)
    with pytest.raises(tools.ToolError, match=r"sleep ran out of time \(0.5 s\) waiting"):
        tools.run(["sleep", "30"], "waiting", 0.5)
    assert tools.run(["cat"], "copying", 10, input=b"abc") == b"abc"


def test_a_gif_of_a_broken_movie_is_one_line(tmp_path):
    from nnanim.render import gif_from

    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a movie")
    with pytest.raises(tools.ToolError, match="^ffmpeg failed making the GIF's palette: .*broken.mp4"):
        gif_from(broken, tmp_path)


@pytest.mark.parametrize("folder", ["engine", "scenes"])
def test_the_folders_cannot_be_imported_a_second_time_by_their_bare_names(folder):
    done = subprocess.run([sys.executable, "-c", f"import {folder}"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1 and f"import nnanim.{folder}" in done.stderr.splitlines()[-1]


def test_a_trace_recorded_again_at_the_same_path_is_read_again(tmp_path):
    from nnanim.runs import workshop_run
    from nnanim.scenes.base import trace_for

    path = tmp_path / "run.nntrace"
    workshop_run(steps=2).save(path)
    assert trace_for(str(path)).num_steps == 2
    workshop_run(steps=3).save(path)
    assert trace_for(str(path)).num_steps == 3


def test_a_render_request_goes_to_a_render_process_and_back_unchanged(tmp_path):
    from nnanim.render import RenderRequest, request

    asked = request("backprop", tmp_path / "t.nntrace", neuron="0,3", step=-1, size="160x90", out_dir=tmp_path)
    assert asked.scene_options == {"neuron": (0, 3)} and asked.size == (160, 90)
    assert RenderRequest.from_json(asked.as_json()) == asked


def test_render_processes_import_nothing_from_the_folder_they_start_in(tmp_path, monkeypatch):
    """A shared deck's folder with a click.py or numpy.py: the render processes never import them."""
    from nnanim.deck import Slide, render_job, run
    from nnanim.render import request

    for name in ("click", "numpy", "cloup", "manim", "yaml"):
        (tmp_path / f"{name}.py").write_text(f"open({str(tmp_path / 'RAN')!r}, 'a').write('{name}')\n")
    monkeypatch.chdir(tmp_path)
    job = render_job(Slide("derivative", "t"), request("derivative", out_dir=tmp_path / "out", size=(160, 90), fps=2))
    run([job], 1)
    assert job.status == "done", job.message
    assert not (tmp_path / "RAN").exists()
