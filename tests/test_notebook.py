"""nnanim in a notebook (issue 16), executed by a real Jupyter kernel (nbclient, ipykernel): draw shows SVG,
show and %nnanim show a real video or GIF, %%nnanim_record records a cell, errors are one line, and Manim's
configuration is as it was after a render in the kernel."""

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

EXAMPLE = Path(__file__).parent.parent / "examples" / "workshop.ipynb"
LECTURE_VALUE = (Path(__file__).parent / "lecture_value.py").read_text()


def execute(notebook, folder, monkeypatch):
    """Run every cell in a fresh python3 kernel in `folder`, at a tiny notebook size; errors are kept as
    outputs (the tests read them)."""
    monkeypatch.setenv("NNANIM_NOTEBOOK_SIZE", "160x90")
    monkeypatch.setenv("NNANIM_NOTEBOOK_FPS", "5")
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    return notebook


def outputs(cell):
    return [o for o in cell.get("outputs", [])]


def errors(notebook):
    return [(k, o) for k, cell in enumerate(notebook.cells) for o in outputs(cell) if o.output_type == "error"]


def data_of(cell, mime):
    found = [o["data"][mime] for o in outputs(cell) if "data" in o and mime in o["data"]]
    assert found, f"no {mime} in {cell.source!r}: {[list(o.get('data', {})) for o in outputs(cell)]}"
    return found[-1]


def video_in(html, folder, name):
    """The MP4 an HTML output embeds, written out and probed by ffprobe: (width, height, frames, rate)."""
    assert html.startswith("<video") and 'type="video/mp4"' in html
    encoded = html.split("base64,", 1)[1].split('"', 1)[0]
    path = folder / name
    path.write_bytes(base64.b64decode(encoded))
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
                            "stream=width,height,nb_read_frames,codec_name,r_frame_rate", "-of", "json", str(path)],
                           capture_output=True, text=True, check=True)
    stream = json.loads(probe.stdout)["streams"][0]
    assert stream["codec_name"] == "h264"
    return stream["width"], stream["height"], int(stream["nb_read_frames"]), stream["r_frame_rate"]


def test_the_example_notebook_is_stored_without_outputs():
    notebook = nbformat.read(EXAMPLE, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    nbformat.validate(notebook)


def test_the_workshop_notebook_runs_end_to_end(tmp_path, monkeypatch):
    notebook = execute(nbformat.read(EXAMPLE, as_version=4), tmp_path, monkeypatch)
    assert errors(notebook) == []
    cells = {c.source.splitlines()[-1]: c for c in notebook.cells if c.cell_type == "code"}
    for line in ('nnanim.show("neuron")', 'nnanim.show("layer")', 'nnanim.show("mlp", labels=True)',
                 'nnanim.show("formula", values=True, step=-1)', 'nnanim.show("backprop", L)', 'nnanim.show("loss", run)'):
        width, height, frames, rate = video_in(data_of(cells[line], "text/html"), tmp_path, "shown.mp4")
        assert (width, height, rate) == (160, 90, "5/1") and frames > 5, line
    before, after = [data_of(c, "image/svg+xml") for c in notebook.cells
                     if c.cell_type == "code" and c.source.endswith("nnanim.draw(L)")]
    assert "data &#45;8.0000" in before and "grad 6" not in before, "L drawn before backward: grads still 0"
    assert "grad 6.0000" in after and "grad &#45;4.0000" in after, "a.grad and b.grad after L.backward()"
    from nnanim.engine import load_trace

    assert load_trace(tmp_path / "run.nntrace").num_steps == 60
    assert "<svg" in data_of(cells["%nnanim draw run.nntrace --step -1 --group neuron -o run-graph.svg"], "image/svg+xml")
    assert (tmp_path / "run-graph.svg").is_file()


SMALL = {
    "before": "import manim\nsettings = ('pixel_width', 'pixel_height', 'frame_rate', 'media_dir', 'transparent', "
              "'format', 'background_color', 'output_file')\nbefore = {k: str(manim.config[k]) for k in settings}",
    "load": "%load_ext nnanim\nimport nnanim",
    "draw": "from micrograd.engine import Value as MV\nx = MV(2.0)\ny = (x * x + 1).relu()\ny.backward()\nnnanim.draw(y)",
    "gif": 'nnanim.show("backprop", y, format="gif")',
    "grads": "print(x.grad, y.grad)",
    "fps": 'nnanim.show("derivative", fps=3)',
    "magic": "%nnanim render derivative --size 160x90 --fps 5 -o out",
    "trace": "%nnanim trace --steps 3 -o small.nntrace   # a comment, as in a shell, is left out",
    "micrograd": "%%nnanim_record mg\nfor _ in range(3):\n    out = (x * MV(3.0)).relu()\n    x.grad = 0\n"
                 "    out.backward()\n    x.data -= 0.01 * x.grad",
    "lecture": LECTURE_VALUE,
    "mine": "%%nnanim_record mine\nw = Value(0.5, label='w')\nfor _ in range(4):\n"
            "    out = (w * Value(2.0) + Value(1.0)).tanh()\n    w.grad = 0.0\n    out.backward()\n    w.data -= 0.1 * w.grad",
    "recorded": "print(mg.num_steps, mine.num_steps, type(mine).__name__)",
    "record": "from nnanim import MLP, total_sse\nwith nnanim.record() as t:\n    net = MLP(3, [2, 2], seed=1)\n"
              "    for _ in range(3):\n        loss = total_sse([net([1, 2, 3])], [[1, -1]])\n"
              "        for p in net.ps():\n            p.grad = 0\n        loss.backward()\n"
              "        for p in net.ps():\n            p.data -= 0.05 * p.grad\n"
              'nnanim.show("loss", t)',
    "after": "after = {k: str(manim.config[k]) for k in settings}\nassert after == before, (before, after)\n"
             "print('manim as it was')",
    "bad scene": 'nnanim.show("nope")',
    "bad option": "%nnanim render formula --no-such-option",
    "bad value": "nnanim.draw(3)",
    "bad cell": "%%nnanim_record broken\nraise ValueError('boom')",
}


def test_draw_show_the_magics_and_errors_in_a_real_kernel(tmp_path, monkeypatch):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in SMALL.values()])
    cells = dict(zip(SMALL, execute(notebook, tmp_path, monkeypatch).cells))
    failed = {name: [o for o in outputs(cell) if o.output_type == "error"] for name, cell in cells.items()}
    assert [name for name, found in failed.items() if found] == ["bad scene", "bad option", "bad value", "bad cell"]
    assert "<svg" in data_of(cells["draw"], "image/svg+xml")
    gif = base64.b64decode(data_of(cells["gif"], "image/gif"))
    assert gif[:6] in (b"GIF87a", b"GIF89a")
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(gif)) as picture:
        assert picture.size == (160, 90) and picture.n_frames > 3
    assert cells["grads"].outputs[0].text.split() == ["4.0", "1"], "the Value keeps its grads (not 8): show works on a copy"
    assert video_in(data_of(cells["fps"], "text/html"), tmp_path, "fps.mp4")[::3] == (160, "3/1"), "fps alone"
    width, height, frames, _ = video_in(data_of(cells["magic"], "text/html"), tmp_path, "magic.mp4")
    assert (width, height) == (160, 90) and frames > 5 and (tmp_path / "out" / "derivative.mp4").is_file()
    assert "3 steps" in data_of(cells["trace"], "text/plain")
    assert cells["recorded"].outputs[0].text.split() == ["3", "4", "Trace"], "micrograd's and the lecture's Value"
    assert (tmp_path / "mg.nntrace").is_file() and (tmp_path / "mine.nntrace").is_file()
    assert video_in(data_of(cells["record"], "text/html"), tmp_path, "loss.mp4")[:2] == (160, 90), "a run just recorded"
    assert cells["after"].outputs[0].text.strip() == "manim as it was"
    for name in ("bad scene", "bad option", "bad value", "bad cell"):
        error = failed[name][-1]
        assert error.ename == "NnanimError" and error.traceback == [f"nnanim: {error.evalue}"], error
    assert "'nope' is not a scene" in failed["bad scene"][0].evalue
    assert failed["bad option"][0].evalue.startswith("No such option '--no-such-option'")
    assert failed["bad value"][0].evalue.startswith("int is not a Value, a Trace or a trace file (int has no data")
    assert [e.ename for e in failed["bad cell"]] == ["ValueError", "NnanimError"], "the cell's own error, then nnanim's"
    assert failed["bad cell"][1].evalue == "the cell raised ValueError: broken was not recorded"
    assert not (tmp_path / "broken.nntrace").exists()


def test_show_refuses_what_it_cannot_render_in_one_line_outside_a_kernel(tmp_path):
    import nnanim

    with pytest.raises(nnanim.NnanimError, match="'nope' is not a scene"):
        nnanim.show("nope")
    with pytest.raises(nnanim.NnanimError, match=r"cannot read .*missing.nntrace"):
        nnanim.draw(tmp_path / "missing.nntrace")
    with pytest.raises(nnanim.NnanimError, match="give a .svg or .png file"):
        nnanim.draw(nnanim.Value(1.0)).save(tmp_path / "graph.jpg")
    assert shutil.which("dot")
    assert nnanim.draw(nnanim.Value(1.0, label="x")).save(tmp_path / "graph.png").read_bytes()[:4] == b"\x89PNG"


def test_a_drawing_fits_the_cell_width_it_is_shown_at():
    import nnanim

    a = nnanim.Value(2.0, label="a")
    L = a * a
    L.backward()
    svg = nnanim.draw(L)._repr_svg_()
    head = svg[svg.index("<svg"):svg.index(">", svg.index("<svg"))]
    assert 'width="100%"' in head and "max-width:" in head and "pt;" in head and 'height="' not in head
    assert "viewBox=" in head, "scaled, not cropped"
