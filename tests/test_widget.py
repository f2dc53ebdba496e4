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
from lab import Lab, opened, run_all, skip_without_jupyterlab

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


@pytest.fixture(scope="module")
def jupyter_lab(tmp_path_factory):
    skip_without_jupyterlab()
    server = Lab(tmp_path_factory.mktemp("lab"))
    yield server
    server.stop()


def quick_losses():
    """The `record` cell's run, made again here: the losses it records."""
    from nnanim import MLP, record, total_sse

    with record() as run:
        net = MLP(2, [3, 1], seed=4)
        for _ in range(30):
            loss = total_sse([net([1, -1])], [[0.5]])
            for p in net.ps():
                p.grad = 0
            loss.backward()
            for p in net.ps():
                p.data -= 0.05 * p.grad
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
        run_all(driver)
        live = ORDER.index("live")
        seen, started = [], time.time()
        while time.time() - started < 60:  # the live cell's readout, as often as the page can be asked
            text = driver.execute_script(READOUT_OF, live)
            if text and (not seen or seen[-1] != text):
                seen.append(text)
                if shots and len(seen) == 8:
                    driver.execute_script("document.querySelectorAll('.jp-Notebook .jp-Cell')[arguments[0]]"
                                          ".scrollIntoView()", live)
                    driver.save_screenshot(str(Path(shots) / "widget-live.png"))
            if text and " of " in text:  # the cell has ended: the explorer of the run
                break
            time.sleep(0.03)
        training = [t for t in seen if " of " not in t]
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
            driver.execute_script("window.jupyterapp.commands.execute('application:toggle-left-area')")
            time.sleep(0.5)
            driver.execute_script("document.querySelectorAll('.jp-Notebook .jp-Cell')[arguments[0]]"
                                  ".scrollIntoView()", ORDER.index("file"))
            time.sleep(0.5)
            driver.save_screenshot(str(Path(shots) / "widget.png"))
        assert [e for e in console_errors(driver) if "nnanim" in e["message"] or "anywidget" in e["message"]] == []
