"""The deck end to end: rendered at a tiny size, written as slides, and presented in a real headless
Chromium (Selenium and Debian's ChromeDriver) served by Python's plain http.server (no byte ranges) and
opened from file://: Space and PageDown alone walk through every step of every slide."""

import html
import json
import re
import shutil
import time

import pytest
from click.testing import CliRunner

from browser import CHROMIUM, browser, console_errors, needs_browser, press, wait_for
from nnanim.cli import main
from nnanim.deck import DECK
from nnanim.slides import same_picture

NOTES = """# My notes

## Backpropagation
Ask first: **which way** does the gradient flow?

### step 2
Point at the second box.

## loss
Say: it descends.
"""


@pytest.fixture(scope="module")
def renders(deck_renders):
    """The deck rendered tiny (conftest's deck_renders), then rendered again: what is up to date is not."""
    renders, trace = deck_renders.folder, deck_renders.trace
    assert "skipped    boundary" in deck_renders.output and "0 failed" in deck_renders.output
    runner = CliRunner()
    again = runner.invoke(main, ["render", "--all", str(trace), "--size", "160x90", "--fps", "5", "-o", str(renders)])
    assert "0 rendered, 14 up to date" in again.output, "an unchanged deck is not rendered again"
    (renders / "loss-run.mp4.json").unlink()
    again = runner.invoke(main, ["render", "--all", str(trace), "--size", "160x90", "--fps", "5", "-o", str(renders)])
    assert "1 rendered, 13 up to date" in again.output, "a render without its sidecar is made again"
    return renders


def some_of(renders, folder, *names):
    """`folder` holding a few of the deck's renders, each with its sidecar: enough for a test of choosing or
    converting them (the whole deck is test_every_stop_is_a_step_with_its_clip_and_notes')."""
    folder.mkdir()
    for name in names:
        for path in renders.glob(f"{name}*"):
            shutil.copy(path, folder)
    return folder


@pytest.fixture(scope="module")
def deck(renders):
    notes = renders.parent / "notes.md"
    notes.write_text(NOTES)
    result = CliRunner().invoke(main, ["slides", str(renders), "-o", str(renders.parent / "slides"), "--pdf",
                                       "--notes", str(notes), "--option", "transition=none"])
    assert result.exit_code == 0, result.output
    return renders.parent / "slides"


def sidecars(renders):
    return {p.name.removesuffix(".json"): json.loads(p.read_text()) for p in renders.glob("*.mp4.json")}


def step_count(deck):
    return (deck / "slides.html").read_text().count('class="nnanim-step')


def test_every_stop_is_a_step_with_its_clip_and_notes(deck, renders):
    page = (deck / "slides.html").read_text()
    sections = re.findall(r'<section class="nnanim-scene".*?</section>', page, re.S)
    assert len(sections) == 14, "one slide per render (boundary needs a two-input run)"
    for name, info in sidecars(renders).items():
        stem = name.removesuffix(".mp4")
        section = next(s for s in sections if f'data-src="media/{stem}.' in s)
        clips = re.findall(r'<(?:video|img) data-src="media/([^"]+)"', section)
        steps = len(clips)
        assert steps == section.count('class="nnanim-step') and steps <= len(info["stops"]) + 1, name
        assert section.count("nnanim-step fragment") == steps - 1, "every step after the first is a fragment"
        assert all((deck / "media" / c).is_file() for c in clips)
        ends = re.findall(r'<img class="nnanim-end" data-src="media/([^"]+)"', section)
        assert len(ends) == steps and all((deck / "media" / e).is_file() for e in ends), "a held frame per step"
        if steps > 1:
            assert not same_picture(deck / "media" / ends[-2], deck / "media" / ends[-1]), \
                f"{name}: the last press shows something new (a closing hold is not a step of its own)"
        asides = re.findall(r'<aside class="notes">(.*?)</aside>', section, re.S)
        assert len(asides) == steps and all(asides), "every step has speaker notes"
        shown = "".join(asides)
        for note in info["notes"]:
            assert html.escape(note.splitlines()[0]) in shown
    assert "<strong>**" not in page and "<strong>which way</strong>" in page, "teacher notes are markdown"
    assert page.count("Point at the second box.") == 1, "a step's own note is on that step only"
    backprop = next(s for s in sections if 'data-title="Backpropagation"' in s)
    assert backprop.count("which way") == backprop.count("nnanim-step"), "a slide's note is on each of its steps"


def test_the_page_is_whole_and_takes_the_renders_colours(deck):
    from nnanim.assets import REVEAL_VERSION
    from nnanim.scenes.theme import THEMES

    for path in ("reveal/dist/reveal.js", "reveal/dist/plugin/notes.js", "nnanim-steps.js"):
        assert (deck / path).is_file(), path
    page = (deck / "slides.html").read_text()
    assert "http" not in page.split("<body>")[1], "no online asset in the slides"
    assert f"--r-background-color: {THEMES['dark'].background};" in page
    config = json.loads(re.search(r"Object\.assign\((\{.*?\}), \{ plugins", page).group(1))
    assert config["slideNumber"] and config["transition"] == "none" and config["width"] / config["height"] == 16 / 9
    pinned = json.loads(open("package.json").read())["dependencies"]["reveal.js"]
    assert pinned == REVEAL_VERSION and re.search(f"[`'\"]{re.escape(REVEAL_VERSION)}[`'\"]", (deck / "reveal/dist/reveal.js").read_text()), \
        "the copied reveal.js is the pinned one"


def test_obsidian_note_has_a_slide_per_step_and_no_instructions_on_screen(deck, renders):
    from nnanim.slides import speaker_note

    text = (deck / "slides.md").read_text()
    comment, rest = text.split("%%\n", 2)[1], text.split("%%\n", 2)[2]
    assert "nnanim slides" in comment and "note:" not in comment, "the tool's words are in a comment, off the slides"
    slides = rest.split("\n---\n")
    steps = step_count(deck)
    assert len(slides) == 1 + steps, "a title slide, then a slide per step"
    assert "slides.html" not in slides[0] and "nnanim" not in slides[0]
    for slide in slides[1:]:  # Advanced Slides: the clip plays once and holds; the notes follow the one note:
        clip, notes = re.fullmatch(r'\n## .+\n\n<video data-autoplay muted playsinline preload="auto" width="1280">'
                                   r'<source src="(media/[^"]+)" type="video/mp4"></video>\n\nnote: (.+)\n', slide,
                                   re.S).groups()
        assert (deck / clip).is_file() and len(re.findall("note:", slide, re.I)) == 1, slide
    notes = {n for info in sidecars(renders).values() for n in info["notes"] if n}
    backprop = [s for s in slides if s.startswith("\n## Backpropagation (")]
    assert backprop[0].startswith("\n## Backpropagation (1/") and len(backprop) > 1
    assert all(any(speaker_note(n) in s for n in notes) for s in backprop), "each step's note, from the sidecar"


ADVANCED_SLIDES = """<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<link rel="stylesheet" href="reveal/dist/reveal.css"><link rel="stylesheet" href="reveal/dist/theme/black.css">
<div class="reveal"><div class="slides">
<section data-markdown="slides.md" data-separator="\\r?\\n---\\r?\\n" data-separator-notes="note:"></section>
</div></div>
<script src="reveal/dist/reveal.js"></script><script src="reveal/dist/plugin/markdown.js"></script>
<script src="reveal/dist/plugin/notes.js"></script>
<script>Reveal.initialize({width: 960, height: 700, margin: 0.04, hash: true, transition: "none",
                           plugins: [RevealMarkdown, RevealNotes]});</script>"""  # the plugin's defaults.json


@needs_browser
def test_the_obsidian_note_presents_as_advanced_slides_reads_it(deck, renders, tmp_path):
    """Advanced Slides hands a note's slides to reveal.js's markdown plugin with its separators (a `---`
    line, `note:`, src/defaults.json): so does this page. Every step's slide has its clip, which plays once
    and holds its last frame, and nnanim's note in its notes, none of it on the slide."""
    page = deck / "advanced-slides.html"
    page.write_text(ADVANCED_SLIDES)
    try:
        with browser(deck, "http.server", tmp_path, page=page.name) as driver:
            slides = driver.execute_script(
                "return Reveal.getSlides().map(s => { const notes = s.querySelector('aside.notes');"
                " const v = s.querySelector('video'); return [notes ? notes.textContent : '',"
                " s.textContent.replace(notes ? notes.textContent : '', ''), v && [v.hasAttribute('data-autoplay'),"
                " v.loop, v.controls, v.currentSrc || v.querySelector('source').src]]; })")
            assert len(slides) == 1 + step_count(deck), "a title slide, then a slide per step"
            said = [" ".join(n.split()) for info in sidecars(renders).values() for n in info["notes"] if n]
            for notes, shown, video in slides[1:]:
                assert video[:3] == [True, False, False] and "/media/" in video[3], video
                notes = " ".join(notes.split())
                assert any(n in notes for n in said) and "\\" not in notes, notes
                assert "note:" not in shown.lower(), shown
            h = next(k for k, (_, shown, _) in enumerate(slides) if "Backpropagation (2/" in shown)
            driver.execute_script(f"Reveal.slide({h})")
            wait_for(driver, "const v = Reveal.getCurrentSlide().querySelector('video'); return v.currentTime > 0")
            wait_for(driver, "const v = Reveal.getCurrentSlide().querySelector('video'); return v.ended")
            time.sleep(0.3)
            state = driver.execute_script("const v = Reveal.getCurrentSlide().querySelector('video');"
                                          "return [v.ended, v.paused, v.currentTime === v.duration]")
            assert state == [True, True, True], "played once, held on its last frame"
            assert not console_errors(driver)
    finally:
        page.unlink()


def test_a_speaker_note_is_read_as_written():
    """Advanced Slides renders notes as markdown after running its own `==`, `__` and `%%` rules, and takes
    a slide's notes only when `note:` is in it once: a note's text is escaped, a line a paragraph."""
    from nnanim.slides import speaker_note

    note = speaker_note("L = e·f == 2 %% h_22 *x* <b>\n- a list? 1. no\n---\nfootnote: Notes: [[link]] $x$")
    assert note == (r"note: L = e·f =\= 2 \%\% h\_22 \*x\* \<b\>" "\n\n" r"\- a list? 1. no" "\n\n" r"\---" "\n\n"
                    r"footnote\: Notes\: \[\[link\]\] \$x\$")
    assert speaker_note("more", continued=True) == "more"


def test_gif_option_embeds_gifs(renders, tmp_path):
    renders = some_of(renders, tmp_path / "renders", "backprop.mp4", "mlp-run.mp4")
    result = CliRunner().invoke(main, ["slides", str(renders), "-o", str(tmp_path), "--gif", "--cdn"])
    assert result.exit_code == 0, result.output
    embeds = re.findall(r"!\[\[(media/[^|\]]+)\|1280\]\]", (tmp_path / "slides.md").read_text())
    assert embeds and all(e.endswith(".gif") and (tmp_path / e).read_bytes()[:6] == b"GIF89a" for e in embeds)


def test_the_handout_has_a_page_per_step(deck, renders):
    pypdf = pytest.importorskip("pypdf")
    if not CHROMIUM:
        pytest.skip("the handout is printed by chromium")
    pages = pypdf.PdfReader(deck / "handout.pdf").pages
    assert len(pages) == 1 + step_count(deck), "a cover, then a page per step"
    backprop = [p.extract_text() for p in pages if "Backpropagation step" in p.extract_text()]
    first = sidecars(renders)["backprop.mp4"]["notes"][0].split(". ")[0]
    assert any(first in " ".join(t.split()) for t in backprop), "a step's page carries its notes"


@pytest.mark.parametrize("served, key", [("http.server", "SPACE"), ("file", "PAGE_DOWN")])
@needs_browser
def test_space_and_pagedown_alone_walk_every_step(deck, served, key, tmp_path):
    from selenium.webdriver.common.keys import Keys

    with browser(deck, served, tmp_path) as driver:
        total = driver.execute_script("return Reveal.getTotalSlides()")
        assert total == 15
        expected = [(0, 0)] + [(h, k) for h in range(1, total) for k in range(steps_of(driver, h))]
        seen = [position(driver)]
        while len(seen) < len(expected) + 3:
            wait_until_still(driver, skip=True)
            check_current_media(driver)
            press(driver, getattr(Keys, key))
            now = position(driver)
            if now == seen[-1]:
                break  # the end of the deck
            seen.append(now)
        assert seen == expected, "each press shows the next step; no step is skipped"
        assert not console_errors(driver)


@needs_browser
def test_next_during_a_step_finishes_it_and_back_shows_the_step_before(deck, tmp_path):
    from selenium.webdriver.common.keys import Keys

    with browser(deck, "http.server", tmp_path, rate=1) as driver:
        h = next(h for h in range(1, 15) if steps_of(driver, h) >= 3 and "backprop" in scene_of(driver, h))
        driver.execute_script(f"Reveal.slide({h}, 0, -1)")
        wait_until_still(driver)
        press(driver, Keys.SPACE)  # step 2, going forward: it plays
        assert position(driver) == (h, 1)
        wait_for(driver, "return document.querySelector('.present .nnanim-step.current-fragment video').currentTime > 0")
        press(driver, Keys.SPACE)
        assert position(driver) == (h, 1), "next while a step plays stays on that step..."
        state = current_video(driver)
        assert state["paused"] and state["held"] and state["end"] == "visible", "...and shows its end"
        assert re.search(rf"#/{h}/0/0$", driver.current_url), "the URL holds the step"
        press(driver, Keys.SPACE)
        assert position(driver) == (h, 2)
        wait_for(driver, "return document.querySelector('.present .nnanim-step.current-fragment video').currentTime > 0")
        press(driver, Keys.PAGE_UP)
        assert position(driver) == (h, 1)
        state = current_video(driver)
        assert state["paused"] and state["end"] == "visible", "back shows where the step ended"
        driver.refresh()
        time.sleep(0.5)
        wait_for(driver, "return typeof Reveal !== 'undefined' && Reveal.isReady()")
        assert position(driver) == (h, 1), "a reload comes back to the same step"
        press(driver, "o")
        wait_for(driver, "return Reveal.isOverview()")
        time.sleep(0.5)
        assert all(driver.execute_script("return [...document.querySelectorAll('video')].map(v => v.paused)")), \
            "nothing plays in the overview"
        assert not console_errors(driver)


@needs_browser
def test_s_opens_the_speaker_view_with_the_steps_notes(deck, tmp_path):
    with browser(deck, "http.server", tmp_path) as driver:
        h = next(h for h in range(1, 15) if scene_of(driver, h) == "backprop")
        driver.execute_script(f"Reveal.slide({h}, 0, 0)")
        main_window = driver.current_window_handle
        press(driver, "s")
        deadline = time.time() + 15
        while len(driver.window_handles) < 2 and time.time() < deadline:
            time.sleep(0.1)
        assert len(driver.window_handles) == 2, "S opens the speaker view"
        driver.switch_to.window([w for w in driver.window_handles if w != main_window][0])
        wait_for(driver, "const n = document.querySelector('.speaker-controls-notes .value');"
                         "return n && n.textContent.includes('step 2 of')")
        notes = driver.execute_script("return document.querySelector('.speaker-controls-notes .value').textContent")
        assert "Point at the second box." in notes and "which way" in notes
        assert driver.execute_script("return document.querySelectorAll('#upcoming-slide iframe').length") == 1, \
            "the next step's preview"
        press(driver, " ")  # stepping in the speaker view steps the deck
        wait_for(driver, "const n = document.querySelector('.speaker-controls-notes .value');"
                         "return n && n.textContent.includes('step 3 of')")
        driver.switch_to.window(main_window)
        wait_for(driver, f"return Reveal.getIndices().h === {h} && Reveal.getIndices().f === 1")
        assert not console_errors(driver)


@needs_browser
def test_under_the_slide_number_and_the_controls_is_only_background(deck, tmp_path):
    """reveal.js's chrome sits in the bottom corners no scene draws in (theme.chrome_area, which the layout
    checker keeps free): hidden, what is under it at the end of every step is the page's background."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    from nnanim.scenes.theme import THEMES

    theme = THEMES["dark"]
    corners = {what: (left, 720 - top, right, 720 - bottom)  # in the page's pixels, y down
               for what, (left, bottom, right, top) in theme.chrome_area(1280, 720, (640, 360))}
    margin = (0, round(720 * (1 - theme.safe_margin)), 1280, 720)  # the bottom one
    background = np.array([int(theme.background[i:i + 2], 16) for i in (1, 3, 5)])
    with browser(deck, "file", tmp_path) as driver:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",  # the page 1280x720, not the window
                               {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False})
        wait_for(driver, "return innerWidth === 1280 && innerHeight === 720")
        driver.execute_script("Reveal.layout()")
        for h in range(1, driver.execute_script("return Reveal.getTotalSlides()")):
            for k in reversed(range(steps_of(driver, h))):  # backwards: each step shows its end at once
                driver.execute_script(f"Reveal.slide({h}, 0, {k - 1})")
                wait_for(driver, f"const s = document.querySelectorAll('.present .nnanim-step')[{k}],"
                                 "v = s.querySelector('video'), i = s.querySelector('.nnanim-end');"
                                 "return !v || (s.classList.contains('nnanim-held') ? i.complete && i.naturalWidth"
                                 " : v.ended)")  # a slide of one step plays it
                chrome = [(what, box) for what, boxes in driver.execute_script(CHROME).items() for box in boxes]
                for what, box in chrome:
                    assert within(box, corners.get(what, margin)), f"{what} {box} is where a scene may draw"
                driver.execute_script(HIDE_CHROME)
                band = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "clip": {
                    "x": 0, "y": margin[1], "width": 1280, "height": 720 - margin[1], "scale": 1}})["data"]
                driver.execute_script("document.getElementById('hide-chrome').remove()")
                shot = np.asarray(Image.open(io.BytesIO(base64.b64decode(band))).convert("RGB"), dtype=int)
                for what, (left, top, right, bottom) in chrome:
                    top, bottom = top - margin[1], bottom - margin[1]
                    off = np.abs(shot[top:bottom, left:right] - background).max()
                    assert off <= 24, f"slide {h} step {k + 1}: something under {what} ({off} off the background)"
        assert not console_errors(driver)


def within(box, area):
    return area[0] <= box[0] and area[1] <= box[1] and box[2] <= area[2] and box[3] <= area[3]


CHROME = """const box = s => { const r = document.querySelector(s).getBoundingClientRect();
  return [Math.floor(r.left), Math.floor(r.top), Math.ceil(r.right), Math.ceil(r.bottom)]; };
return {"the slide number": [box('.slide-number')], "the progress bar": [box('.progress')],
        "the controls": [box('.controls .navigate-left'), box('.controls .navigate-right')]};"""
HIDE_CHROME = """const style = document.createElement('style'); style.id = 'hide-chrome';
style.textContent = ['.slide-number', '.controls', '.progress']
  .map(s => `.reveal ${s}, .reveal ${s} *, .reveal ${s} ::before, .reveal ${s} ::after`).join(', ')
  + ' { visibility: hidden !important; transition: none !important; }';
document.head.append(style);"""


# ----- the browser and what it shows

def position(driver):
    """(slide, step) on screen: the step is the number of clips shown after the first."""
    return tuple(driver.execute_script(
        "const s = Reveal.getCurrentSlide(); return [Reveal.getIndices().h,"
        " s.querySelectorAll('.nnanim-step.fragment.visible').length]"))


def steps_of(driver, h):
    return max(1, driver.execute_script(
        f"return Reveal.getHorizontalSlides()[{h}].querySelectorAll('.nnanim-step').length"))


def scene_of(driver, h):
    return driver.execute_script(f"return Reveal.getHorizontalSlides()[{h}].dataset.scene || ''")


CURRENT = """const s = Reveal.getCurrentSlide(); const steps = s.querySelectorAll('.nnanim-step');
const shown = s.querySelectorAll('.nnanim-step.fragment.visible').length;
const step = steps[shown]; const m = step ? step.querySelector('video, img') : null;
if (!m) return null;
return {tag: m.tagName, paused: m.paused, ended: m.ended, time: m.currentTime, duration: m.duration,
        ready: m.tagName === 'IMG' ? (m.complete ? 4 : 0) : m.readyState,
        width: m.videoWidth || m.naturalWidth, box: m.getBoundingClientRect().toJSON(),
        opacity: getComputedStyle(step).opacity, held: step.classList.contains('nnanim-held'),
        end: step.querySelector('.nnanim-end') ? getComputedStyle(step.querySelector('.nnanim-end')).visibility : null};"""


def current_video(driver):
    return driver.execute_script(CURRENT)


# A step's clip playing: taken to a tenth of a second before its end, where it goes on playing and ends
# (where the page's server lets it seek there: Python's http.server sends no byte ranges).
SKIP_TO_END = """const s = Reveal.getCurrentSlide(), shown = s.querySelectorAll('.nnanim-step.fragment.visible').length;
const step = s.querySelectorAll('.nnanim-step')[shown], v = step && step.querySelector('video');
if (v && !v.paused && v.duration > 0.3 && v.currentTime < v.duration - 0.3 && v.seekable.length
    && v.seekable.end(v.seekable.length - 1) >= v.duration - 0.1) v.currentTime = v.duration - 0.1;"""


def wait_until_still(driver, skip=False):
    """Until the step on screen has played to its end (or has nothing to play), as a presenter waits; with
    `skip`, a clip under way is taken to its last tenth of a second (the walks check steps, not seconds)."""
    wait_for(driver, (SKIP_TO_END if skip else "") + f"const c = (() => {{ {CURRENT} }})();"
                     "return c === null || (c.ready >= 2 && (c.tag === 'IMG' || c.paused))")


def check_current_media(driver):
    state = current_video(driver)
    if state is None:
        return
    assert state["width"] == 160 and state["opacity"] == "1", state
    box = state["box"]
    assert box["width"] >= 0.95 * 1280 or box["height"] >= 0.95 * driver.execute_script("return innerHeight"), \
        f"the video fills the slide: {box}"


# ----- choosing renders, refusing what does not fit

def test_a_folder_of_two_traces_needs_trace(renders, tmp_path):
    mixed = some_of(renders, tmp_path / "mixed", "loss-run.mp4", "mlp-run.mp4")
    for p in list(mixed.glob("loss-run.mp4*")):
        p.rename(p.with_name(p.name.replace("loss-run", "loss-other")))
    shutil.copy(renders / "mlp-run.mp4", mixed / "mlp-other.mp4")
    result = CliRunner().invoke(main, ["slides", str(mixed), "--cdn"])
    assert result.exit_code == 1 and "2 traces (other, run): choose one with --trace" in result.output
    result = CliRunner().invoke(main, ["slides", str(mixed), "--cdn", "--trace", "run"])
    assert result.exit_code == 0, result.output
    page = (mixed / "slides" / "slides.html").read_text()
    assert "mlp-run" in page and "mlp-other" not in page and "loss-other" not in page
    assert "not in" in result.output and "The training loop (loss)" in result.output, "a missing slide is named"
    result = CliRunner().invoke(main, ["slides", str(mixed), "--cdn", "--trace", "nothing"])
    assert result.exit_code == 1 and "no renders of nothing" in result.output


def test_mixed_themes_are_refused_and_the_page_follows_the_renders(renders, tmp_path):
    light = some_of(renders, tmp_path / "light", "loss-run.mp4", "mlp-run.mp4", "derivative.mp4")
    for sidecar in light.glob("*.json"):
        data = json.loads(sidecar.read_text())
        if isinstance(data, dict) and "theme" in data:
            data["theme"] = "light"
            sidecar.write_text(json.dumps(data))
    result = CliRunner().invoke(main, ["slides", str(light), "--cdn"])
    assert result.exit_code == 0, result.output
    from nnanim.scenes.theme import THEMES
    assert f"--r-background-color: {THEMES['light'].background};" in (light / "slides/slides.html").read_text()
    result = CliRunner().invoke(main, ["slides", str(light), "--cdn", "--theme", "dark"])
    assert result.exit_code == 1 and "the renders are light and the page would be dark" in result.output
    one = light / "loss-run.mp4.json"
    data = json.loads(one.read_text())
    data["theme"] = "dark"
    one.write_text(json.dumps(data))
    result = CliRunner().invoke(main, ["slides", str(light), "--cdn"])
    assert result.exit_code == 1 and "mix themes" in result.output and "loss-run.mp4" in result.output


def test_slides_errors(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(main, ["slides", str(empty)])
    assert result.exit_code == 1 and "no renders" in result.output
    (empty / "neuron-x.png").write_bytes(b"\x89PNG")
    result = CliRunner().invoke(main, ["slides", str(empty), "--reveal", str(tmp_path)])
    assert result.exit_code == 1 and "not a reveal.js package" in result.output
    result = CliRunner().invoke(main, ["slides", str(empty), "--cdn"])
    assert result.exit_code == 0 and "cdn.jsdelivr.net" in (empty / "slides" / "slides.html").read_text()
    for bad in ("controls", "=1", "a b=1"):
        result = CliRunner().invoke(main, ["slides", str(empty), "--cdn", "--option", bad])
        assert result.exit_code == 1 and "is not KEY=VALUE" in result.output
    (empty / "loss-x.mp4").write_bytes(b"\0")
    for bad in ('{"pauses": [1]}', '{"format": "nnanim-render/1", "stops": ["</video>"], "notes": ["", ""]}', "[",
                '{"format": "nnanim-render/1", "stops": [1], "notes": []}'):
        (empty / "loss-x.mp4.json").write_text(bad)
        result = CliRunner().invoke(main, ["slides", str(empty), "--cdn"])
        assert result.exit_code == 1 and result.output.startswith("Error: ") and "render" in result.output, bad
        assert len(result.output.strip().splitlines()) == 1
    notes = tmp_path / "notes.md"
    notes.write_text("### step 2\norphan")
    (empty / "loss-x.mp4.json").unlink()
    result = CliRunner().invoke(main, ["slides", str(empty), "--cdn", "--notes", str(notes)])
    assert result.exit_code == 1 and "a ### heading is a step of the ## slide above it" in result.output


def test_unmatched_teacher_notes_are_reported(tmp_path):
    renders = tmp_path / "r"
    renders.mkdir()
    (renders / "neuron-x.png").write_bytes(b"\x89PNG")
    notes = tmp_path / "notes.md"
    notes.write_text("## Neurons of the brain\nno such slide\n## neuron\n### step 4\nno such step\n")
    result = CliRunner().invoke(main, ["slides", str(renders), "--cdn", "--notes", str(notes)])
    assert result.exit_code == 0, result.output
    assert "'Neurons of the brain'" in result.output and "'neuron'" in result.output


def test_slides_find_each_scene_by_its_registered_name(tmp_path):
    from nnanim.slides import find_renders

    for name in ("loss-formula-run.mp4", "loss-run.mp4", "backprop.mp4", "backprop-run.mp4", "derivative.gif",
                 "formula-run.png", "formula-run.mp4"):
        (tmp_path / name).write_bytes(b"\0")
    found = {(r.title, r.path.name) for r in find_renders(tmp_path)}
    assert ("The loss function is a function of parameters", "loss-formula-run.mp4") in found
    assert ("The training loop", "loss-run.mp4") in found
    assert ("Backpropagation", "backprop.mp4") in found
    assert ("Backpropagation through one neuron of the network", "backprop-run.mp4") in found
    assert ("Derivatives 101", "derivative.gif") in found
    assert ("What is a neural network? Just a function", "formula-run.mp4") in found, "mp4 before png"
    assert len(DECK) == 15


def test_the_deck_plan_follows_the_registry(tmp_path):
    from nnanim.deck import plan
    from nnanim.engine import load_trace

    runner = CliRunner()
    assert runner.invoke(main, ["trace", "--data", "moons", "--steps", "2", "-o", str(tmp_path / "moons.nntrace")]
                         ).exit_code == 0
    path = tmp_path / "moons.nntrace"
    jobs = plan(path, load_trace(path), tmp_path, "l", "mp4", "dark")
    skipped = {j.slide.scene for j in jobs if j.status == "skipped"}
    assert skipped == {"neuron", "layer", "formula", "loss-formula", "backprop"}, "a params trace has no graph"
    boundary = next(j for j in jobs if j.slide.scene == "boundary")
    assert boundary.status == "pending" and boundary.output.name == "boundary-moons.mp4"
    assert (boundary.request.scene, boundary.request.trace, boundary.request.quality) == ("boundary", path, "l")
    neuron = next(j for j in jobs if j.slide.title.startswith("Backpropagation through one neuron"))
    assert neuron.request.scene_options == {"neuron": (0, 3)} and neuron.request.trace == path
    assert len(jobs) == len(DECK)
    assert next(j for j in jobs if j.slide.scene == "derivative").output.name == "derivative.mp4"


def test_a_failing_scene_is_reported_and_the_others_finish(renders, tmp_path):
    """Rendered into the deck's folder, where the scenes that read no trace are up to date (they are not made
    again), then taken out: the folder is the deck's again."""
    data = tmp_path / "d.json"
    data.write_text('{"inputs": [[1, 2, 3]], "targets": [[0, 0]]}')
    runner = CliRunner()  # a formula too long to type (26,634 symbols); the neuron --neuron 0,3 shows reads one input
    assert runner.invoke(main, ["trace", "--arch", "3,16,16,1,2", "--steps", "2", "--data", str(data),
                                "-o", str(tmp_path / "big.nntrace")]).exit_code == 0
    try:
        result = runner.invoke(main, ["render", "--all", str(tmp_path / "big.nntrace"), "--size", "160x90", "--fps",
                                      "5", "-j", "2", "-o", str(renders)])
        assert result.exit_code == 1
        assert "FAILED     formula-big.mp4" in result.output and "symbols" in result.output
        assert "rendered   mlp-big.mp4" in result.output and (renders / "training-big.mp4").is_file()
        assert result.output.strip().splitlines()[-1].startswith("Error: 2 of 15 scenes failed")
    finally:
        for made in [*renders.glob("*-big.*"), *(renders / ".nnanim").glob("*-big.*")]:
            made.unlink()


def test_one_deck_takes_its_slides_from_several_traces(tmp_path):
    from nnanim.slides import find_renders

    for name in ("loss-default.mp4", "boundary-moons.mp4", "loss-moons.mp4", "derivative.gif"):
        (tmp_path / name).write_bytes(b"\0")
    found = {r.title: r.path.name for r in find_renders(tmp_path, ["default", "moons"])}
    assert found["The training loop"] == "loss-default.mp4", "the first trace that has the slide"
    assert found["What a classifier learns"] == "boundary-moons.mp4" and found["Derivatives 101"] == "derivative.gif"
    with pytest.raises(Exception, match="no renders of nope in .*; it holds renders of default, moons"):
        find_renders(tmp_path, ["default", "nope"])
