"""The explorer in slides and decks: `nnanim slides --explore TRACE` and a deck block `explore TRACE` write
the run's page beside the deck and show it in a frame of its own, whose keys never move the slides."""

import json
import re
import shutil

import pytest
from browser import browser, needs_browser, press, wait_for
from conftest import nnanim

from nnanim.engine import load_trace
from nnanim.engine.numbers import number

DECK = """---
title: Explore it yourself
---

# A run to explore

---

## Your turn

```nnanim
explore run.nntrace
```

---

## The end
"""


def page_data(path):
    text = path.read_text()
    return json.loads(re.search(r'<script type="application/json" id="nnanim-run">(.*?)</script>', text, re.S).group(1))


@pytest.fixture(scope="module")
def built(tmp_path_factory, run_trace):
    folder = tmp_path_factory.mktemp("explore-deck")
    shutil.copy(run_trace, folder / "run.nntrace")
    (folder / "talk.md").write_text(DECK)
    result = nnanim("deck", "build", folder / "talk.md", "-o", folder / "out")
    assert result.exit_code == 0, result.output
    return folder / "out", load_trace(run_trace)


def test_a_deck_block_writes_the_page_and_frames_it(built):
    out, trace = built
    page = out / "explore" / "run.html"
    assert page_data(page)["steps"] == trace.num_steps
    frames = re.findall(r'<iframe class="nnanim-explorer" src="([^"]+)"', (out / "talk.html").read_text())
    assert frames == ["explore/run.html"]
    copy = (out / "talk.md").read_text()
    assert "[Explore the run: run](explore/run.html)" in copy
    assert "```nnanim" not in copy and copy.count("\n---\n") == DECK.count("\n---\n")


@pytest.mark.parametrize("block, said", [
    ("explore run.nntrace --steps 3", "an explore block names a trace and nothing else"),
    ("explore", "explore which run?"),
    ("explore ../elsewhere.nntrace", "talk.md:11:"),
])
def test_a_wrong_explore_block_is_one_line_naming_the_deck_line(tmp_path, run_trace, block, said):
    shutil.copy(run_trace, tmp_path / "run.nntrace")
    (tmp_path / "talk.md").write_text(DECK.replace("explore run.nntrace", block))
    result = nnanim("deck", "build", tmp_path / "talk.md", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert said in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out" / "talk.html").exists()


def test_slides_explore_adds_an_explorer_slide(deck_renders, tmp_path):
    renders = tmp_path / "renders"  # one render of the deck's (cutting every clip into steps is not the point here)
    renders.mkdir()
    for name in ("loss-run.mp4", "loss-run.mp4.json"):
        shutil.copy(deck_renders.folder / name, renders / name)
    result = nnanim("slides", renders, "--explore", deck_renders.trace, "-o", tmp_path / "slides")
    assert result.exit_code == 0, result.output
    name = deck_renders.trace.stem
    page = tmp_path / "slides" / "explore" / f"{name}.html"
    assert page_data(page)["steps"] == load_trace(deck_renders.trace).num_steps
    html = (tmp_path / "slides" / "slides.html").read_text()
    assert html.count('class="nnanim-explorer"') == 1 and f'src="explore/{name}.html"' in html
    assert html.index('class="nnanim-explorer"') > html.index("loss-run"), "after the deck's slides"
    assert f"(explore/{name}.html)" in (tmp_path / "slides" / "slides.md").read_text()


@needs_browser
def test_keys_inside_the_explorer_move_it_and_not_the_slides(built, tmp_path):
    out, trace = built
    with browser(out, "file", tmp_path, page="talk.html") as driver:
        driver.execute_script("Reveal.slide(1)")
        wait_for(driver, "return Reveal.getIndices().h === 1")
        driver.switch_to.frame(driver.find_element("css selector", "iframe.nnanim-explorer"))
        wait_for(driver, "return (document.querySelector('.nx-readout') || {}).textContent")
        driver.find_element("css selector", "body").click()
        press(driver, "\ue015")  # arrow down: the next training step
        wait_for(driver, "return document.querySelector('.nx-readout').textContent.startsWith('step 1 ')")
        readout = driver.execute_script("return document.querySelector('.nx-readout').textContent")
        assert number(trace.losses[1]) in readout
        driver.switch_to.default_content()
        assert driver.execute_script("return Reveal.getIndices().h") == 1
