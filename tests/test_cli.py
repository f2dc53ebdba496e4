import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from engine import load_trace
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
    assert info["steps"] == 3 and info["parameters"] == 50 and info["format_version"] == 1
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


def test_unwritable_output(run, tmp_path):
    out = one_clean_line(run("trace", "--steps", "1", "-o", tmp_path / "missing" / "t.nntrace"))
    assert "does not exist" in out


def test_script_is_traced(run, tmp_path):
    script = tmp_path / "main.py"
    script.write_text(
        "from engine import Value\n"
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
    script.write_text("from engine import MLP\nprint(MLP(3, [2], seed=1)([1, 2, 3]))\n")
    assert "backward" in one_clean_line(run("trace", script))


def test_diverging_run_warns_and_saves(run, tmp_path):
    script = tmp_path / "diverge.py"
    script.write_text("from engine import MLP, train\n"
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
    from engine import Value
    from engine.graph import write_picture
    from engine.trace import Step
    hostile = Value(1.0, label='<b>&"{|}') * Value(2.0, label="\\input{/etc/passwd}")
    write_picture(Step.of(hostile), tmp_path / "h.svg")
    assert "&lt;b&gt;&amp;" in (tmp_path / "h.svg").read_text()


def test_commands_without_rendering_never_import_manim():
    code = ("import sys, engine, nnanim.cli; "
            "assert not {'manim', 'graphviz'} & set(sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
