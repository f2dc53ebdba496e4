"""`nnanim explore` without a browser (docs/explore.md): the page's data holds the trace's numbers to the
bit, its rule templates write the backprop scene's lines, and the command refuses in one line what it
cannot make, writing nothing."""

import base64
import json
import zlib

import numpy as np
import pytest
from conftest import nnanim
from student_scalar import scalar

from nnanim.engine import Value, load_trace, record
from nnanim.explore_page import page_json, step_range
from nnanim.explore_data import explorer_data
from nnanim.scenes.backprop_plan import backward_beats, filled

DATA = "<script type=\"application/json\" id=\"nnanim-run\">"
OWN_CLASS = scalar() + """
a, b = Scalar(2.0), Scalar(-3.0)
for step in range(3):
    loss = a * b + a
    a.g = b.g = 0.0
    loss.backward()
    a.val -= 0.1 * a.g
"""


def decoded(blob):
    """A blob as the page decodes it: base64, zlib, then the bytes of each number gathered back."""
    planes = np.frombuffer(zlib.decompress(base64.b64decode(blob["b64"])), dtype=np.uint8)
    return planes.reshape(8, blob["n"]).T.copy().view("<f8").ravel()


def payload(page):
    """The run a written page carries, as the page reads it."""
    text = page.read_text(encoding="utf-8")
    return json.loads(text.split(DATA, 1)[1].split("</script>", 1)[0])


def one_line(result):
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("Error:"), result.output
    return errors[0]


@pytest.fixture(scope="module")
def thirty(tmp_path_factory):
    """The workshop's network trained 30 steps, everything recorded."""
    path = tmp_path_factory.mktemp("thirty") / "thirty.nntrace"
    assert nnanim("trace", "--steps", "30", "-o", path).exit_code == 0
    return load_trace(path)


def test_blobs_decode_to_the_traces_numbers_of_the_carried_steps_and_every_loss(thirty):
    data = explorer_data(thirty, step_range("0:30:10", thirty.num_steps))
    assert data["steps"] == 30 and np.array_equal(decoded(data["losses"]), thirty.losses)
    graph, = data["graphs"]
    assert graph["steps"] == [0, 10, 20]
    nodes = len(graph["ops"])
    for name in ("data", "grad"):
        carried = decoded(graph[name]).reshape(nodes, 3)  # node-major
        expected = np.array([getattr(thirty.step(k), name) for k in (0, 10, 20)]).T
        assert carried.tobytes() == expected.tobytes(), name


def test_the_json_has_no_angle_bracket_and_keeps_every_label():
    labels = ["</script><script>window.pwned=1</script>", '<img src=x onerror="window.pwned=1">']
    with record() as trace:
        a, b = Value(2.0, label=labels[0]), Value(-3.0, label=labels[1])
        (a * b).backward()
    text = page_json(explorer_data(trace))
    assert "<" not in text and json.loads(text)["graphs"][0]["labels"][:2] == labels


def test_the_rule_templates_write_the_backprop_scenes_lines(run_trace):
    trace = load_trace(run_trace)
    graph = json.loads(page_json(explorer_data(trace, [1])))["graphs"][0]
    step = trace.step(1)
    beats = {b.event: b for b in backward_beats(step, called=graph["names"])}
    events = step.backward_events()
    assert len(events) > 300
    for n, e in enumerate(events):
        lines = [filled(t, step.data, {e.node: e.grad}, e.received) for t in graph["rules"][e.node]]
        assert lines == beats[n].rule[:len(e.inputs)]


def test_explore_a_trace_and_the_default_path(tmp_path, monkeypatch, run_trace):
    monkeypatch.chdir(tmp_path)
    result = nnanim("explore", run_trace)
    page = tmp_path / "renders" / "run-explore.html"
    assert result.exit_code == 0 and "run-explore.html" in result.output, result.output
    assert payload(page)["title"] == "run.nntrace" and len(payload(page)["graphs"][0]["steps"]) == 3


def test_explore_a_students_script_with_its_own_class(tmp_path):
    (tmp_path / "mine.py").write_text(OWN_CLASS)
    result = nnanim("explore", tmp_path / "mine.py", "-o", tmp_path / "mine.html")
    assert result.exit_code == 0, result.output
    run = payload(tmp_path / "mine.html")
    assert run["steps"] == 3 and sorted(run["recorded"]) == ["0", "1", "2"] and run["findings"] == []
    assert np.allclose(decoded(run["losses"]), [-4.0, -4.4, -4.8])


@pytest.mark.parametrize("steps", ["5:2", "x", "1:2:3:4", "99"])
def test_steps_that_pick_nothing_are_one_line_and_no_page(tmp_path, run_trace, steps):
    assert "--steps" in one_line(nnanim("explore", run_trace, "--steps", steps, "-o", tmp_path / "p.html"))
    assert not (tmp_path / "p.html").exists()


def test_a_graph_with_too_many_boxes_is_refused_and_its_loss_curve_alone_is_not(tmp_path, monkeypatch, run_trace):
    monkeypatch.setattr("nnanim.explore_data.MAX_BOXES", 20)
    line = one_line(nnanim("explore", run_trace, "-o", tmp_path / "p.html"))
    assert "too many" in line and "--steps none" in line and not (tmp_path / "p.html").exists()
    assert nnanim("explore", run_trace, "--steps", "none", "-o", tmp_path / "p.html").exit_code == 0
    run = payload(tmp_path / "p.html")
    assert run["graphs"] == [] and run["steps"] == 3 and decoded(run["losses"]).size == 3


def test_a_page_too_large_is_refused_with_the_thinning_that_fits(tmp_path, monkeypatch, thirty):
    thirty.save(tmp_path / "thirty.nntrace")
    monkeypatch.setattr("nnanim.explore_page.MAX_PAGE", 400_000)  # the whole page is 0.45 MB
    line = one_line(nnanim("explore", tmp_path / "thirty.nntrace", "-o", tmp_path / "p.html"))
    assert "0.5 MB" in line and "--steps 0:30:" in line and "the loss of every step is kept" in line and not (tmp_path / "p.html").exists()
    every = int(line.split("--steps 0:30:")[1].split()[0])
    result = nnanim("explore", tmp_path / "thirty.nntrace", "--steps", f"0:30:{every}", "-o", tmp_path / "p.html")
    assert result.exit_code == 0, "the advice fits"
    assert (tmp_path / "p.html").stat().st_size <= 400_000
