"""Real renders at tiny sizes: real LaTeX, real Manim, real ffmpeg; properties of the files checked."""

import av
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from nnanim.cli import main
from nnanim.scenes.formula import HOLD_SECONDS, TYPING_SECONDS, WHOLE_SECONDS

TINY = ["--size", "160x90", "--fps", "5"]


def render(*args):
    result = CliRunner().invoke(main, ["render", *map(str, args)])
    return result


def frames_of(path):
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def not_blank(frame):
    """Some pixels differ clearly from the background (the most common colour)."""
    flat = frame.reshape(-1, frame.shape[-1]).astype(int)
    background = np.median(flat, axis=0)
    return (np.abs(flat - background).sum(axis=1) > 60).mean() > 0.002


@pytest.mark.parametrize("scene", ["formula", "loss-formula"])
def test_formula_scenes_render_to_mp4(scene, run_trace, tmp_path):
    result = render(scene, run_trace, *TINY, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    out = tmp_path / f"{scene}-run.mp4"
    frames = frames_of(out)
    assert frames[0].shape == (90, 160, 3)
    assert len(frames) == sum(int(seconds * 5) for seconds in (TYPING_SECONDS, WHOLE_SECONDS, HOLD_SECONDS)), \
        "typing, the pull back to the whole formula (it does not fit in 90 px), then its structure held"
    assert not_blank(frames[-1]) and not_blank(frames[0]), "the first frame shows the formula's head"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name, out.name + ".json"], \
        "nothing else left behind"
    import json
    stops = json.loads((tmp_path / (out.name + ".json")).read_text())["stops"]
    assert stops == sorted(stops) and stops[-1] <= len(frames) / 5


def test_gif_webm_and_png(run_trace, tmp_path):
    for fmt in ("gif", "webm", "png"):
        result = render("formula", run_trace, *TINY, "--format", fmt, "--theme", "light", "-o", tmp_path)
        assert result.exit_code == 0, result.output
    gif = frames_of(tmp_path / "formula-run.gif")
    assert gif[0].shape == (90, 160, 3) and len(gif) >= TYPING_SECONDS * 5 and not_blank(gif[-1])
    webm = frames_of(tmp_path / "formula-run.webm")
    assert webm[0].shape == (90, 160, 3) and not_blank(webm[-1])
    png = np.asarray(Image.open(tmp_path / "formula-run.png").convert("RGB"))
    assert png.shape == (90, 160, 3) and not_blank(png)
    assert png.mean() > 128, "the light theme is light"


def test_gif_is_capped_at_1280_wide_and_15_fps(run_trace, tmp_path):
    result = render("formula", run_trace, "--size", "1600x900", "--fps", "4", "--format", "gif", "--only-output", "0",
                    "-o", tmp_path)
    assert result.exit_code == 0, result.output
    with av.open(str(tmp_path / "formula-run.gif")) as gif:
        stream = gif.streams.video[0]
        assert (stream.width, stream.height) == (1280, 720)


def test_transparent_outputs_have_alpha(run_trace, tmp_path):
    result = render("formula", run_trace, *TINY, "--format", "png", "--transparent", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    image = Image.open(tmp_path / "formula-run.png")
    assert image.mode == "RGBA" and np.asarray(image)[0, 0, 3] == 0
    result = render("formula", run_trace, *TINY, "--transparent", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert "MOV" in result.output
    with av.open(str(tmp_path / "formula-run.mov")) as mov:
        first = next(mov.decode(video=0)).to_ndarray(format="rgba")
    assert first[0, 0, 3] == 0, "the background is transparent"
    result = render("formula", run_trace, *TINY, "--transparent", "--format", "webm", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    with av.open(str(tmp_path / "formula-run.webm")) as webm:
        assert webm.streams.video[0].metadata.get("alpha_mode") == "1"


def test_hostile_labels_render_safely(tmp_path):
    script = tmp_path / "hostile.py"
    script.write_text(
        "from nnanim import Value\n"
        "a = Value(2, label=r'\\input{/etc/passwd}')\n"
        "b = Value(-3, label='#%^_$~&{}')\n"
        "c = Value(1, label=r'\\write18{touch /tmp/pwned}')\n"
        "L = (a * b + c) ** 2\n"
        "L.label = 'L \\\\ \\\\end{align*}'\n"
        "L.backward()\n")
    assert CliRunner().invoke(main, ["trace", str(script), "-o", str(tmp_path / "h.nntrace")]).exit_code == 0
    result = render("formula", tmp_path / "h.nntrace", *TINY, "--format", "png", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert not_blank(np.asarray(Image.open(tmp_path / "formula-h.png").convert("RGB")))


def one_line_error(result):
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error")]) == 1, result.output
    return result.output


def test_bad_render_requests(run_trace, tmp_path):
    assert "Invalid value" in one_line_error(render("nope", *TINY))
    assert "GIF has no real transparency" in one_line_error(render("formula", "--transparent", "--format", "gif"))
    assert "out of range" in one_line_error(render("formula", run_trace, "--step", "7", *TINY, "-o", tmp_path))
    assert "does not exist" in one_line_error(render("formula", run_trace, "--only-output", "5", *TINY, "-o", tmp_path))
    broken = tmp_path / "broken.nntrace"
    broken.write_bytes(run_trace.read_bytes()[:200])
    assert "truncated" in one_line_error(render("formula", broken, *TINY, "-o", tmp_path))
    assert list(tmp_path.glob("*.mp4")) == []


def test_too_large_network_is_refused_with_advice(tmp_path):
    big = tmp_path / "big.nntrace"
    data = tmp_path / "d.json"
    data.write_text('{"inputs": [[1, 2, 3]], "targets": [[0, 0]]}')
    assert CliRunner().invoke(main, ["trace", "--arch", "3,8,8,8,2", "--steps", "1", "--data", str(data),
                                     "-o", str(big)]).exit_code == 0
    out = one_line_error(render("formula", big, *TINY, "-o", tmp_path))
    assert "symbols" in out and "--only-output K" in out


def test_scenes_lists_every_scene():
    result = CliRunner().invoke(main, ["scenes"])
    assert result.exit_code == 0
    assert "formula" in result.output and "loss-formula" in result.output and "--values" in result.output


def test_backprop_of_the_workshop_expression(tmp_path):
    result = render("backprop", *TINY, "--pace", "0.6", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    frames = frames_of(tmp_path / "backprop.mp4")
    assert frames[0].shape == (90, 160, 3) and not_blank(frames[-1])
    # 10 boxes appearing (0.35 s each), 4 beats of --pace seconds, a 1.5 s hold; each play rounds down
    seconds = 10 * 0.35 + 4 * 0.6 + 1.5
    assert seconds * 5 - 25 <= len(frames) <= seconds * 5


def test_backprop_of_one_neuron_and_its_errors(deck_renders, run_trace, tmp_path):
    frames = frames_of(deck_renders.folder / "backprop-run.mp4")  # the deck's backprop --neuron 0,3 of run_trace
    assert frames[0].shape == (90, 160, 3) and not_blank(frames[-1])
    assert "no neuron 7,7" in one_line_error(render("backprop", run_trace, "--neuron", "7,7", *TINY,
                                                    "-o", tmp_path))
    assert "is not a neuron" in one_line_error(render("backprop", "--neuron", "x", *TINY))


def test_backprop_follows_the_wave_through_a_large_graph(net_trace, render_once):
    from nnanim.engine import load_trace
    assert len(load_trace(net_trace).step(0).graph) > 40, "large enough to be followed, not shown whole"
    result, out = render_once("backprop", net_trace, "--pace", "0.2", *TINY)  # test_backprop reads its notes
    assert result.exit_code == 0, result.output
    frames = frames_of(out / "backprop-net.mp4")
    assert not_blank(frames[len(frames) // 2]) and not_blank(frames[-1])


def test_backprop_with_hostile_labels(tmp_path):
    script = tmp_path / "hostile.py"
    script.write_text(
        "from nnanim import Value\n"
        "a = Value(2, label='<b>&amp;</b>')\n"
        "b = Value(-3, label=r'\\input{x} %$#_^')\n"
        "L = a * b + a\n"
        "L.backward()\n")
    assert CliRunner().invoke(main, ["trace", str(script), "-o", str(tmp_path / "h.nntrace")]).exit_code == 0
    result = render("backprop", tmp_path / "h.nntrace", "--pace", "0.3", *TINY, "--format", "png", "-o", tmp_path)
    assert result.exit_code == 0, result.output


def test_gradient_rules_renders(tmp_path):
    result = render("gradient-rules", *TINY, "--theme", "light", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    frames = frames_of(tmp_path / "gradient-rules.mp4")
    assert frames[0].shape == (90, 160, 3) and not_blank(frames[-1])


@pytest.mark.parametrize("scene", ["neuron", "layer", "derivative", "descent"])
def test_workshop_visuals_render(scene, deck_renders):
    """As the deck renders them (`render --all` of run_trace, tiny)."""
    reads_a_trace = scene in ("neuron", "layer")
    frames = frames_of(deck_renders.folder / (f"{scene}-run.mp4" if reads_a_trace else f"{scene}.mp4"))
    assert frames[0].shape == (90, 160, 3) and not_blank(frames[-1]) and len(frames) > 20


def test_derivative_of_another_function_and_bad_ones(tmp_path):
    result = render("derivative", "--function", "exp(x) - 2x", "--at", "0.5", *TINY, "--format", "png",
                    "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert "not allowed" in one_line_error(render("derivative", "--function", "__import__('os')", *TINY,
                                                  "-o", tmp_path))
    assert "not an expression" in one_line_error(render("descent", "--function", "3x +", *TINY, "-o", tmp_path))
    assert "not defined at x = 0" in one_line_error(render("derivative", "--function", "log(x)", "--at", "0",
                                                           *TINY, "-o", tmp_path))


def test_neuron_needs_an_mlp_trace(tmp_path):
    script = tmp_path / "expr.py"
    script.write_text("from nnanim import Value\nL = Value(2.0, label='a') * 3\nL.backward()\n")
    assert CliRunner().invoke(main, ["trace", str(script), "-o", str(tmp_path / "e.nntrace")]).exit_code == 0
    assert "MLP" in one_line_error(render("neuron", tmp_path / "e.nntrace", *TINY, "-o", tmp_path))


@pytest.mark.parametrize("scene", ["loss", "mlp", "training", "boundary"])
def test_training_scenes_render_from_a_parameters_only_trace(scene, moons_trace, render_once):
    duration = ["--duration", "2"] if scene in ("training", "boundary") else []
    result, out = render_once(scene, moons_trace, *TINY, *duration)  # test_scene_notes reads the boundary's notes
    assert result.exit_code == 0, result.output
    frames = frames_of(out / f"{scene}-moons.mp4")
    assert frames[0].shape == (90, 160, 3) and not_blank(frames[-1])


def test_training_scenes_on_the_default_run(run_trace, tmp_path):
    for scene, extra in [("loss", ["--log"]), ("training", ["--duration", "2"]), ("mlp", ["--labels"])]:
        result = render(scene, run_trace, *TINY, *extra, "-o", tmp_path)
        assert result.exit_code == 0, result.output
    assert "2 inputs" in one_line_error(render("boundary", run_trace, *TINY, "-o", tmp_path))
    assert "2 inputs" in one_line_error(render("boundary", *TINY, "-o", tmp_path))
    assert "replays no trace" in one_line_error(render("derivative", run_trace, *TINY, "-o", tmp_path))
    assert "--record params" in one_line_error(render("backprop", _params_trace(tmp_path), *TINY, "-o", tmp_path))


def _params_trace(tmp_path):
    path = tmp_path / "p.nntrace"
    assert CliRunner().invoke(main, ["trace", "--steps", "2", "--record", "params", "-o", str(path)]).exit_code == 0
    return path


def test_a_diverging_run_renders_with_its_nan_steps_marked(nan_trace, render_once):
    for scene in ("loss", "training"):
        duration = ["--duration", "2"] if scene == "training" else []
        result, out = render_once(scene, nan_trace, *TINY, *duration)  # test_scene_notes reads the loss's notes
        assert result.exit_code == 0, result.output
        assert not_blank(frames_of(out / f"{scene}-nan.mp4")[-1])


def test_forward_and_representations(run_trace, moons_trace, tmp_path):
    for args in (["forward", run_trace, "--step", "-1", "--example", "2"],
                 ["representations", run_trace, "--compare", "--step", "2"],
                 ["representations", moons_trace, "--inputs", "0,1"]):
        result = render(*args, *TINY, "--format", "png", "-o", tmp_path)
        assert result.exit_code == 0, result.output
    assert "--example 9 does not exist" in one_line_error(render("forward", run_trace, "--example", "9", *TINY,
                                                                "-o", tmp_path))
    assert "two inputs" in one_line_error(render("representations", run_trace, "--inputs", "0,5", *TINY,
                                                 "-o", tmp_path))


def test_a_neuron_of_the_workshop_run_without_a_trace_into_a_new_folder(tmp_path):
    out = tmp_path / "new" / "dir"
    result = render("backprop", "--neuron", "0,3", *TINY, "--format", "png", "-o", out)
    assert result.exit_code == 0, result.output
    assert not_blank(np.asarray(Image.open(out / "backprop.png").convert("RGB")))


def test_a_render_server_renders_request_after_request_each_in_a_child_and_says_a_mistake_in_one_line(tmp_path):
    """nnanim.worker: a JSON answer a request (the path, or one Error: line),
    the server going on after a mistake and ending when its stdin does."""
    import json
    import subprocess
    import sys

    from nnanim.render import RenderRequest

    good = RenderRequest("derivative", None, size=(160, 90), fps=5, out_dir=tmp_path / "out")
    bad = RenderRequest("backprop", tmp_path / "missing.nntrace", size=(160, 90), fps=5, out_dir=tmp_path / "out")
    server = subprocess.Popen([sys.executable, "-P", "-m", "nnanim.worker"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    answers = []
    for request in (good, bad, good):
        server.stdin.write(request.as_json() + "\n")
        server.stdin.flush()
        answers.append(json.loads(server.stdout.readline()))
    server.stdin.close()
    assert server.wait(timeout=30) == 0
    assert [a["status"] for a in answers] == [0, 1, 0]
    assert answers[0]["stdout"].strip() == str(good.target()) == answers[2]["stdout"].strip()
    assert good.target().stat().st_size > 0
    assert answers[1]["stderr"].startswith("Error: ") and "missing.nntrace" in answers[1]["stderr"]
    assert len(answers[1]["stderr"].strip().splitlines()) == 1
