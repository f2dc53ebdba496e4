import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from nnanim.engine import load_trace
from nnanim.cli import main


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "renders").mkdir()
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, [str(a) for a in args])

    return invoke


def one_clean_line(result):
    """A user error: non-zero exit, a single 'Error:' line, no traceback."""
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len([line for line in lines if line.startswith("Error")]) == 1, result.output
    return result.output


def test_trace_default_run_then_inspect(run, tmp_path):
    result = run("trace", "--steps", "3")
    assert result.exit_code == 0, result.output
    path = tmp_path / "renders" / "default.nntrace"
    trace = load_trace(path)
    assert trace.num_steps == 3 and trace.meta["architecture"] == [3, 2, 4, 4, 2]
    assert trace.meta["seed"] == 42 and trace.meta["lr"] == 0.01
    text = run("inspect", path)
    assert "3,2,4,4,2" in text.output and "steps         3" in text.output
    info = json.loads(run("inspect", path, "--json").output)
    assert info["steps"] == 3 and info["parameters"] == 50 and info["format_version"] == 2
    assert info["graphs"][0]["nodes"] == 461 and info["loss"]["first"] == trace.losses[0]


def test_trace_with_options_and_data(run, tmp_path):
    data = tmp_path / "xor.json"
    data.write_text(json.dumps({"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[-1], [1], [1], [-1]]}))
    result = run("trace", "--arch", "2,3,1", "--steps", "4", "--lr", "0.1", "--seed", "1",
                 "--loss", "mse", "--data", data, "-o", tmp_path / "xor.nntrace")
    assert result.exit_code == 0, result.output
    trace = load_trace(tmp_path / "xor.nntrace")
    assert trace.meta["architecture"] == [2, 3, 1] and trace.meta["loss"] == "mse"
    assert trace.meta["input_labels"] == ["x_1", "x_2"] and trace.num_steps == 4


@pytest.mark.parametrize("arch", ["3,0,2", "abc", "3", "3,-1", ""])
def test_bad_architecture(run, arch):
    assert "architecture" in one_clean_line(run("trace", "--arch", arch))


def test_data_that_does_not_fit_the_network(run, tmp_path):
    data = tmp_path / "d.json"
    data.write_text(json.dumps({"inputs": [[1, 2]], "targets": [[1, 2]]}))
    assert "example 0" in one_clean_line(run("trace", "--data", data))
    data.write_text("{not json")
    assert "not JSON" in one_clean_line(run("trace", "--data", data))
    assert not (tmp_path / "renders" / "default.nntrace").exists()


def test_missing_output_folders_are_created(run, tmp_path):
    target = tmp_path / "new" / "dir" / "t.nntrace"
    assert run("trace", "--steps", "1", "-o", target).exit_code == 0
    assert load_trace(target).num_steps == 1


def test_unwritable_output(run, tmp_path):
    (tmp_path / "file").write_text("")
    out = one_clean_line(run("trace", "--steps", "1", "-o", tmp_path / "file" / "t.nntrace"))
    assert "file" in out
    assert not (tmp_path / "file" / "t.nntrace").exists()


def test_script_is_traced(run, tmp_path):
    script = tmp_path / "main.py"
    script.write_text(
        "from nnanim import Value\n"
        "a = Value(2, label='a'); b = Value(-3, label='b'); c = Value(10, label='c')\n"
        "f = Value(-2, label='f')\n"
        "L = (a*b + c)*f\n"
        "L.backward()\n"
        "print('grad of a', a.grad)\n")
    result = run("trace", script)
    assert result.exit_code == 0, result.output
    assert "grad of a 6.0" in result.output
    trace = load_trace(tmp_path / "renders" / "main.nntrace")
    assert trace.meta["source"] == "script" and trace.step(0).loss == -8.0


def test_script_that_raises(run, tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("x = 1\nraise ValueError('bad shapes')\n")
    out = one_clean_line(run("trace", script))
    assert "broken.py raised ValueError: bad shapes (line 2)" in out
    assert not (tmp_path / "renders" / "broken.nntrace").exists()


def test_script_without_backward(run, tmp_path):
    script = tmp_path / "fwd.py"
    script.write_text("from nnanim import MLP\nprint(MLP(3, [2], seed=1)([1, 2, 3]))\n")
    assert "backward" in one_clean_line(run("trace", script))


def test_diverging_run_warns_and_saves(run, tmp_path):
    script = tmp_path / "diverge.py"
    script.write_text("from nnanim import MLP, train\n"
                      "mlp = MLP(1, [1], seed=0, activation='linear')\n"
                      "train(mlp, [[100.0]], [[1.0]], steps=40, lr=10.0)\n")
    runner = CliRunner()
    result = runner.invoke(main, ["trace", str(script), "-o", str(tmp_path / "nan.nntrace")])
    assert result.exit_code == 0, result.output
    assert "warning: the run diverged: step" in result.stderr
    assert load_trace(tmp_path / "nan.nntrace").first_bad_step() is not None


def test_inspect_bad_traces(run, tmp_path):
    bad = tmp_path / "bad.nntrace"
    bad.write_bytes(b"hello")
    assert "not an nnanim trace" in one_clean_line(run("inspect", bad))
    assert "does not exist" in one_clean_line(run("inspect", tmp_path / "none.nntrace"))


def test_draw_default_expression_and_a_trace(run, tmp_path):
    assert run("draw", "-o", tmp_path / "L.svg").exit_code == 0
    svg = (tmp_path / "L.svg").read_text().replace("&#45;", "-")
    for text in ("grad 6.0000", "grad -4.0000", "grad -2.0000", "grad 4.0000", "data -8.0000"):
        assert text in svg
    assert run("trace", "--steps", "2").exit_code == 0
    result = run("draw", "renders/default.nntrace", "--step", "1", "--after-backward", "-o", tmp_path / "g.png")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "out of range" in one_clean_line(run("draw", "renders/default.nntrace", "--step", "9", "-o", "x.svg"))
    assert ".svg or .png" in one_clean_line(run("draw", "-o", tmp_path / "x.pdf"))


def test_draw_escapes_labels(tmp_path):
    from nnanim.engine import Value
    from nnanim.drawing import write_picture
    from nnanim.engine.steps import Step
    hostile = Value(1.0, label='<b>&"{|}') * Value(2.0, label="\\input{/etc/passwd}")
    write_picture(Step.of(hostile), tmp_path / "h.svg")
    assert "&lt;b&gt;&amp;" in (tmp_path / "h.svg").read_text()


def test_commands_without_rendering_never_import_manim():
    code = ("import sys, nnanim.engine, nnanim.cli; "
            "assert not {'manim', 'graphviz'} & set(sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_render_help_is_generated_from_the_registry(run):
    from nnanim.render import FORMATS, QUALITIES
    from nnanim.scenes.options import SCENE_OPTIONS
    from nnanim.scenes.registry import SCENES, readers

    text = " ".join(run("render", "--help").output.split())
    for option in SCENE_OPTIONS.values():
        assert option.flag in text and ", ".join(readers(option.name)) + ":" in text, option.name
        assert readers(option.name), f"{option.flag} is read by no scene"
    for letter, (w, h, fps) in QUALITIES.items():
        assert f"{letter} {w}x{h}@{fps}" in text
    assert "[" + "|".join(FORMATS) + "]" in text
    assert "Output:" in text and "Scene options" in text
    listing = run("scenes").output
    for name, entry in SCENES.items():
        assert f"\n{name} " in "\n" + listing
        for option in entry.options:
            assert SCENE_OPTIONS[option].flag in listing


def test_an_option_the_scene_does_not_read_is_refused(run):
    out = one_clean_line(run("render", "mlp", "--log"))
    assert "mlp does not read --log" in out and "--labels" in out
    assert "reads no options" in one_clean_line(run("render", "gradient-rules", "--values"))
    assert "not to --all" in one_clean_line(run("render", "--all", "--log"))
    assert "give I,J" in one_clean_line(run("render", "representations", "--inputs", "x"))
    assert "give J,L" in one_clean_line(run("render", "backprop", "--neuron", "1"))


def test_every_option_reaches_a_scene_run_by_manim_through_the_environment():
    from nnanim.scenes.options import ALL, SceneOptions, from_environment

    given = {"trace": "t.nntrace", "step": "-1", "theme": "light", "for_gif": "1", "check_layout": "1",
             "values": "true", "large_type": "1",
             "only_output": "1", "neuron": "0,3", "focus": "w_010", "pace": "0.5", "log": "yes", "labels": "1",
             "duration": "20", "example": "2", "inputs": "1,2", "compare": "1", "function": "x^2", "at": "0.5"}
    assert set(given) == {o.name for o in ALL}, "a new option needs a line here"
    options = from_environment({f"NNANIM_{k.upper()}": v for k, v in given.items()})
    assert options == SceneOptions(trace="t.nntrace", step=-1, theme="light", for_gif=True, check_layout=True,
                                   large_type=True,
                                   values=True,
                                   only_output=1, neuron=(0, 3), focus="w_010", pace=0.5, log=True, labels=True,
                                   duration=20.0, example=2, inputs=(1, 2), compare=True, function="x^2", at=0.5)
    assert from_environment({}) == SceneOptions()
    with pytest.raises(ValueError, match="NNANIM_NEURON"):
        from_environment({"NNANIM_NEURON": "x"})


def test_a_learning_rate_of_zero_is_kept(run, tmp_path):
    assert run("trace", "--steps", "2", "--lr", "0", "-o", tmp_path / "still.nntrace").exit_code == 0
    trace = load_trace(tmp_path / "still.nntrace")
    assert trace.meta["lr"] == 0
    values, _ = trace.parameter_series()
    assert (values[0] == values[-1]).all(), "with lr 0 nothing moves"
    assert run("trace", "--data", "xor", "--steps", "2", "--lr", "0", "-o", tmp_path / "x.nntrace").exit_code == 0
    assert load_trace(tmp_path / "x.nntrace").meta["lr"] == 0


def test_modules_print_like_micrographs():
    from nnanim import MLP, Layer, Neuron

    assert repr(MLP(3, [2, 4, 4, 2])) == "MLP(3, [2, 4, 4, 2], activation='tanh')"
    assert repr(Layer(3, 2, activation="relu")) == "Layer(3, 2, activation='relu')"
    assert repr(Neuron(3)) == "Neuron(3, activation='tanh')"


def test_a_misspelt_scene_gets_a_did_you_mean(tmp_path):
    import nnanim

    result = CliRunner().invoke(main, ["render", "formla", "-o", str(tmp_path)])
    assert result.exit_code == 2 and "'formla' is not a scene (did you mean 'formula'?)" in result.output
    with pytest.raises(nnanim.NnanimError, match="did you mean 'backprop'"):
        nnanim.render("backprob")


def test_slides_of_a_trace_not_there_name_those_that_are(tmp_path):
    for name in ("loss-default.mp4", "loss-formula-moons.png"):
        (tmp_path / name).write_bytes(b"\0")
    result = CliRunner().invoke(main, ["slides", str(tmp_path), "--trace", "nope"])
    assert result.exit_code == 1 and "it holds renders of default, moons" in result.output
