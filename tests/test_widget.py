"""The explorer as a notebook widget (issue 25) in a real JupyterLab in headless Chromium: `nnanim.explore`
of a trace file and of a Value shows the trace's numbers; a `%%nnanim_record NAME --live` cell's widget
follows the run (its loss changes several times before the cell ends) and ends as the explorer of the run,
on its last loss; `nnanim.record(live=True)` too; errors are one line; no text below 18 px. One JupyterLab
for the module. NNANIM_SCREENSHOTS=FOLDER keeps pictures of the page (docs/images/widget*.png)."""

import os
import re
import time
from pathlib import Path

import pytest

from browser import console_errors, needs_browser, wait_for
from lab import Lab, opened, run_all

nbformat = pytest.importorskip("nbformat")

READOUT = "step {} of {}  \u00b7  loss {}"
LIVE_SECONDS = 2.5
CELLS = {
    "setup": "%load_ext nnanim\nimport time\nimport nnanim\nfrom nnanim import MLP, Value, total_sse",
    "file": 'nnanim.explore("run.nntrace")',
    "value": 'a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")\n'
             'L = (a * b + c) * f\nL.label = "L"\nL.backward()\nnnanim.explore(L)',
    "live": "%%nnanim_record live_run --live\nnet = MLP(3, [4, 4, 1], seed=2)\n"
            "xs, ys = [[1, 2, 3], [3, -2, 1], [1, 0, 1], [2, 2, -1]], [[1], [-1], [0.5], [-1]]\n"
            f"start = time.perf_counter()\nwhile time.perf_counter() - start < {LIVE_SECONDS}:\n"
            "    loss = total_sse([net(x) for x in xs], ys)\n    for p in net.ps():\n        p.grad = 0\n"
            "    loss.backward()\n    for p in net.ps():\n        p.data -= 0.01 * p.grad",
    "record": "with nnanim.record(live=True, name='quick') as quick:\n    net = MLP(2, [3, 1], seed=4)\n"
              "    for _ in range(30):\n        loss = total_sse([net([1, -1])], [[0.5]])\n"
              "        for p in net.ps():\n            p.grad = 0\n        loss.backward()\n"
              "        for p in net.ps():\n            p.data -= 0.05 * p.grad",
    "error": "nnanim.explore(3)",
}
ORDER = list(CELLS)
READOUT_OF = """
const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[arguments[0]];
const readout = cell && cell.querySelector('.nnanim-widget .nx-readout');
return readout ? readout.textContent : null;
"""

SHOW_WIDGET = """
const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[arguments[0]];
cell.querySelector('.nnanim-widget').scrollIntoView({block: 'end'});
"""


@pytest.fixture(scope="module")
def jupyter_lab(tmp_path_factory):
    server = Lab(tmp_path_factory.mktemp("lab"))
    yield server
    server.stop()


def quick_losses():
    """The `record` cell's run, made again here (the engine's own loop: the same numbers): the losses it records."""
    from nnanim import MLP, record
    from nnanim.engine.training import train

    with record() as run:
        train(MLP(2, [3, 1], seed=4), [[1, -1]], [[0.5]], steps=30, lr=0.05)
    return run.losses


@needs_browser
def test_the_explorer_and_a_live_run_in_jupyterlab(jupyter_lab, tmp_path):
    lab = jupyter_lab
    from nnanim.engine import load_trace
    from nnanim.engine.numbers import number
    from nnanim.runs import workshop_run

    trace = workshop_run(steps=20)
    trace.save(lab.root / "run.nntrace")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in CELLS.values()])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, lab.root / "widget.ipynb")
    shots = os.environ.get("NNANIM_SCREENSHOTS")

    with opened(lab, "widget.ipynb", tmp_path / "profile") as driver:
        if shots:  # the page at 1280x720 (the window's own bars left out), the file browser closed
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False})
            driver.execute_script("window.jupyterapp.commands.execute('application:toggle-left-area')")
        run_all(driver, "widget.ipynb")
        live = ORDER.index("live")
        seen, started = [], time.time()
        while time.time() - started < 60:  # the live cell's readout, as often as the page can be asked
            text = driver.execute_script(READOUT_OF, live)
            if text and (not seen or seen[-1] != text):
                seen.append(text)
                if shots and len(seen) == 3:
                    driver.execute_script(SHOW_WIDGET, live)
                if shots and len(seen) == 12:
                    driver.save_screenshot(str(Path(shots) / "widget-live.png"))
            if text and " of " in text:  # the cell has ended: the explorer of the run
                break
            time.sleep(0.03)
        training = [t for t in seen if t.startswith("step ") and " of " not in t]
        losses = {re.search(r"loss (\S+)$", t).group(1) for t in training}
        assert len(losses) >= 3, f"the live readout changed only {seen}"
        recorded = load_trace(lab.root / "live_run.nntrace")
        n = recorded.num_steps
        assert seen[-1] == READOUT.format(n - 1, n, number(recorded.losses[-1])), seen[-5:]
        assert training[-1].startswith("step ") and n > 50

        wait_for(driver, f"return document.querySelectorAll('.jp-Notebook .jp-Cell')[{ORDER.index('error')}]"
                 ".querySelector('.jp-OutputArea-output') !== null", seconds=60)
        at = {name: driver.execute_script(READOUT_OF, k) for k, name in enumerate(ORDER)}
        assert at["file"] == READOUT.format(0, 20, number(trace.losses[0]))
        assert at["value"] == READOUT.format(0, 1, number(-8.0))
        quick = quick_losses()
        assert at["record"] == READOUT.format(len(quick) - 1, len(quick), number(quick[-1]))

        error = driver.execute_script("return document.querySelectorAll('.jp-Notebook .jp-Cell')[arguments[0]]"
                                      ".querySelector('.jp-OutputArea').innerText", ORDER.index("error"))
        assert error.strip().startswith("nnanim: int is not a Value, a Trace or a trace file"), error
        assert "Traceback" not in error and len(error.strip().splitlines()) == 1

        # the explorer's keys move the explorer (not the notebook): End is the last step
        driver.execute_script("const c = document.querySelectorAll('.jp-Notebook .jp-Cell')[arguments[0]];"
                              "c.scrollIntoView(); c.querySelector('.nnanim-explorer').focus()", ORDER.index("file"))
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        ActionChains(driver).send_keys(Keys.END).perform()
        wait_for(driver, f"return document.querySelectorAll('.jp-Notebook .jp-Cell')[{ORDER.index('file')}]"
                 f".querySelector('.nx-readout').textContent === {READOUT.format(19, 20, number(trace.losses[19]))!r}")

        smallest = driver.execute_script("""
            let least = Infinity;
            for (const e of document.querySelectorAll('.nnanim-widget *')) {
              if ([...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
                least = Math.min(least, parseFloat(getComputedStyle(e).fontSize));
            }
            return least;""")
        assert smallest >= 18
        if shots:
            driver.execute_script(SHOW_WIDGET, ORDER.index("file"))
            time.sleep(0.5)
            driver.save_screenshot(str(Path(shots) / "widget.png"))
        assert [e for e in console_errors(driver) if "nnanim" in e["message"] or "anywidget" in e["message"]] == []


def test_the_live_colours_are_the_themes():
    """live.js colours a weight as Theme.diverging_hex does, and saturates where drawable.scale_of says."""
    import json
    import shutil
    import subprocess

    from nnanim.explore_data import themes
    from nnanim.scenes.drawable import scale_of
    from nnanim.scenes.theme import THEMES

    if not shutil.which("node"):
        pytest.skip("node is installed by `make test`")
    values = [0.0, -0.0, 1e-120, 0.03, -0.25, 0.5, -1.7, 2.0, 3.5, -1e300, float("nan"), float("inf")]
    scales = [0.5, 2.0, 1e-200, 0.0]
    arrays = [[0.2, -1.3], [1e-120], [-4.01, float("nan")], []]
    script = ("import { diverging, scaleOf } from './nnanim/explore/live.js';\n"
              "const num = (v) => ({ nan: NaN, inf: Infinity, '-inf': -Infinity })[v] ?? v;\n"
              "const [themes, values, scales, arrays] = JSON.parse(process.argv[1], (k, v) => num(v));\n"
              "console.log(JSON.stringify([Object.keys(themes).map((t) => scales.map((s) => values.map("
              "(v) => diverging(themes[t], v, s)))), arrays.map(scaleOf)]));")
    found = subprocess.run(["node", "--input-type=module", "-e", script,
                            json.dumps([themes(), [repr(v) if v != v or abs(v) == float("inf") else v for v in values],
                                        scales, [[x if x == x else "nan" for x in a] for a in arrays]])],
                           capture_output=True, text=True, cwd=Path(__file__).parent.parent, check=True)
    colours, scaled = json.loads(found.stdout)
    assert colours == [[[THEMES[t].diverging_hex(v, s) for v in values] for s in scales] for t in themes()]
    assert scaled == [scale_of([a]) for a in arrays]


def test_explore_a_trace_a_file_and_a_value(tmp_path):
    """The widget's data is the page's (explorer_data), its static picture says the step and the loss."""
    import json

    import numpy as np

    import nnanim
    from nnanim.engine.numbers import number
    from nnanim.runs import workshop_run

    trace = workshop_run(steps=6)
    trace.save(tmp_path / "run.nntrace")
    for source in (trace, tmp_path / "run.nntrace", str(tmp_path / "run.nntrace")):
        widget = nnanim.explore(source, step=-1)
        data = json.loads(widget.payload)
        assert (data["format"], data["steps"], widget.step) == ("nnanim-explore", 6, 5)
        assert np.frombuffer(widget.losses, "<f8").tolist() == list(trace.losses)
        bundle, _ = widget._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle
        assert f"step 5 of 6 · loss {number(trace.losses[5])}" in bundle["image/svg+xml"]
    a, b = nnanim.Value(2.0, label="a"), nnanim.Value(-3.0, label="b")
    L = a * b
    L.label = "L"
    assert "not run yet" in nnanim.explore(L).title and a.grad == 0, "the Value is left as it was"
    L.backward()
    assert nnanim.explore(L).title == "L" and json.loads(nnanim.explore(L).payload)["steps"] == 1
    with pytest.raises(nnanim.NnanimError, match="int is not a Value, a Trace or a trace file"):
        nnanim.explore(3)


def test_a_live_run_is_throttled_and_a_stopped_one_keeps_its_steps(monkeypatch):
    """At most one update per EVERY seconds whatever the pace of the run; the losses and weights are float64
    buffers; stopped (Ctrl-C), the run keeps its steps and the widget becomes their explorer."""
    import json

    import numpy as np

    import nnanim
    import nnanim.widget as widget_module
    from nnanim import MLP
    from nnanim.engine.training import train

    def stop_after_300(step, loss):
        if step == 299:
            raise KeyboardInterrupt

    shown = []
    monkeypatch.setattr(widget_module.Live, "show", lambda self: shown.append(self) or self)
    sent = []
    with pytest.raises(KeyboardInterrupt):
        with nnanim.record(live=True, name="stopped") as run:
            shown[0].widget.observe(lambda change: sent.append(change["new"]), "losses")
            net = MLP(2, [3, 1], seed=1)
            start = time.perf_counter()
            train(net, [[1, -1]], [[0.5]], steps=400, lr=0.05, on_step=stop_after_300)
    elapsed = time.perf_counter() - start
    assert run.num_steps == 300
    widget = shown[0].widget
    assert 2 <= len(sent) <= elapsed / widget_module.EVERY + 2, "the first step, then at most ten a second, and the end"
    assert np.frombuffer(widget.losses, "<f8").tolist() == list(run.losses)
    assert len(np.frombuffer(widget.weights, "<f8")) == len(net.ps()) == len(widget.weight_labels)
    assert json.loads(widget.payload)["steps"] == 300 and widget.step == 299
