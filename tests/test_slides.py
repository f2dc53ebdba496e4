"""The deck end to end: rendered at a tiny size, written as slides, opened in a real headless Chromium
through Selenium and ChromeDriver (Debian's), stepped through slide by slide and stop by stop."""

import functools
import http.server
import io
import json
import os
import shutil
import threading
import time

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from nnanim.cli import main

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    root = tmp_path_factory.mktemp("deck")
    renders = root / "renders"
    renders.mkdir()
    runner = CliRunner()
    assert runner.invoke(main, ["trace", "--steps", "3", "-o", str(renders / "run.nntrace")]).exit_code == 0
    result = runner.invoke(main, ["render", "--all", str(renders / "run.nntrace"), "--size", "160x90", "--fps", "5",
                                  "-o", str(renders)])
    assert result.exit_code == 0, result.output
    assert "skipped    boundary" in result.output and "0 failed" in result.output
    again = runner.invoke(main, ["render", "--all", str(renders / "run.nntrace"), "--size", "160x90", "--fps", "5",
                                 "-o", str(renders)])
    assert "0 rendered, 14 up to date" in again.output, "an unchanged deck is not rendered again"
    result = runner.invoke(main, ["slides", str(renders), "-o", str(root / "slides")])
    assert result.exit_code == 0, result.output
    return root / "slides"


def test_obsidian_markdown(deck):
    text = (deck / "slides.md").read_text()
    slides = text.split("\n---\n")
    assert len(slides) == 15, "a title slide and one per render"
    assert "## Backpropagation\n" in text and "## A mathematician's neuron" in text
    for embed in [line for line in text.splitlines() if "media/" in line]:
        name = embed.split('src="')[1].split('"')[0]
        assert (deck / name).is_file()
    assert '<video data-autoplay loop muted src="media/neuron-run.mp4"></video>' in text


def test_the_folder_is_whole(deck):
    assert (deck / "reveal" / "dist" / "reveal.js").is_file()
    page = (deck / "slides.html").read_text()
    assert "http" not in page.split("<body>")[1].split("<script>")[0], "no online asset in the slides"
    assert 'src="reveal/dist/reveal.js"' in page


@pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="chromium and chromium-driver are installed by `make test`")
def test_every_slide_loads_and_steps_in_a_real_browser(deck):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(RangeHandler, directory=str(deck)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required", "--window-size=1280,860",
                 f"--user-data-dir={deck.parent / 'chromium-profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        driver.get(f"http://127.0.0.1:{server.server_address[1]}/slides.html")
        wait_for(driver, "return typeof Reveal !== 'undefined' && Reveal.isReady()")
        total = driver.execute_script("return Reveal.getTotalSlides()")
        assert total == 15

        def press(key):  # as a keyboard does: to whatever has the focus
            ActionChains(driver).send_keys(key).perform()

        seen, stopped_at = set(), None
        for _ in range(200):
            index = driver.execute_script("return Reveal.getIndices().h")
            if index not in seen:
                seen.add(index)
                if index:  # a slide's media loads as it is shown: give it the time a projector would
                    wait_for(driver, "const m = Reveal.getCurrentSlide().querySelector('video, img');"
                                     "return m && (m.tagName === 'IMG' ? m.complete : m.readyState >= 2)")
                media = driver.execute_script(
                    "const s = Reveal.getCurrentSlide(); const m = s.querySelector('video, img');"
                    "return m ? [m.tagName, m.videoWidth || m.naturalWidth, m.videoHeight || m.naturalHeight,"
                    " m.readyState === undefined ? 4 : m.readyState] : null")
                if index:
                    assert media is not None and media[1:3] == [160, 90] and media[3] >= 2, (index, media)
            video_stops = driver.execute_script(
                "const v = Reveal.getCurrentSlide().querySelector('video[data-stops]'); return v && v.dataset.stops")
            if video_stops and stopped_at is None:
                time.sleep(1.0)  # let the slide settle, as a presenter does
                press(Keys.ARROW_RIGHT)
                stops = json.loads(video_stops)
                wait_for(driver, "const v = Reveal.getCurrentSlide().querySelector('video'); return v.paused && "
                                 "v.currentTime > 0")
                stopped_at = driver.execute_script("return Reveal.getCurrentSlide().querySelector('video').currentTime")
                assert abs(stopped_at - stops[0]) < 0.25, "the right arrow plays to the next stop and pauses"
                press(Keys.ARROW_LEFT)
                assert driver.execute_script("return Reveal.getCurrentSlide().querySelector('video').currentTime") < 0.05
                assert driver.execute_script("return Reveal.getIndices().h") == index, "left goes back a stop first"
            if driver.execute_script("return Reveal.isLastSlide()"):
                break
            driver.execute_script("Reveal.next()")
        assert seen == set(range(total)) and stopped_at is not None
        driver.execute_script("Reveal.slide(4)")
        time.sleep(0.5)
        shot = np.asarray(Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("L"), dtype=float)
        assert shot.std() > 10, "the screenshot of a slide is not blank"
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == [] and RangeHandler.failures == [], "no console error, no 404"
    finally:
        driver.quit()
        server.shutdown()


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """A static server that answers byte ranges, as any real web server does (videos need them to
    seek), and notes every request that failed."""

    failures = []

    def log_message(self, *args):
        pass

    def send_head(self):
        spec = self.headers.get("Range")
        path = self.translate_path(self.path)
        if not spec or not spec.startswith("bytes=") or not os.path.isfile(path):
            result = super().send_head()
            if result is None:
                RangeHandler.failures.append(self.path)
            return result
        size = os.path.getsize(path)
        start, _, end = spec[6:].partition("-")
        start, end = int(start or 0), min(int(end) if end else size - 1, size - 1)
        f = open(path, "rb")
        f.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return io.BytesIO(f.read(end - start + 1))


def wait_for(driver, script, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if driver.execute_script(script):
            return
        time.sleep(0.1)
    state = driver.execute_script("const v = Reveal.getCurrentSlide().querySelector('video');"
                                  "return [Reveal.getIndices().h, v && v.paused, v && v.currentTime, v && v.duration,"
                                  " v && v.dataset.until]")
    raise AssertionError(f"timed out waiting for: {script} (slide, paused, time, duration: {state})")


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
    (empty / "loss-x.mp4").write_bytes(b"\0")
    for bad in ('{"pauses": [1]}', '{"stops": ["</video><script>"]}', "[", '{"stops": 3}'):
        (empty / "loss-x.mp4.stops.json").write_text(bad)
        result = CliRunner().invoke(main, ["slides", str(empty), "--cdn"])
        assert result.exit_code == 1 and result.output.startswith("Error: ") and "stops" in result.output, bad
        assert len(result.output.strip().splitlines()) == 1


def test_slides_find_each_scene_by_its_registered_name(tmp_path):
    from nnanim.slides import find_media

    for name in ("loss-formula-run.mp4", "loss-run.mp4", "backprop.mp4", "backprop-run.mp4", "derivative.gif",
                 "formula-run.png", "formula-run.mp4"):
        (tmp_path / name).write_bytes(b"\0")
    found = {(f.title, f.media.name) for f in find_media(tmp_path)}
    assert ("The loss function is a function of parameters", "loss-formula-run.mp4") in found
    assert ("The training loop", "loss-run.mp4") in found
    assert ("Backpropagation", "backprop.mp4") in found
    assert ("Backpropagation through one neuron of the network", "backprop-run.mp4") in found
    assert ("Derivatives 101", "derivative.gif") in found
    assert ("What is a neural network? Just a function", "formula-run.mp4") in found, "mp4 before png"


def test_the_deck_plan_follows_the_registry(tmp_path):
    from nnanim.deck import DECK, plan
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
    assert boundary.command[1:4] == ["-m", "nnanim", "render"]
    assert len(jobs) == len(DECK)
    assert next(j for j in jobs if j.slide.scene == "derivative").output.name == "derivative.mp4"


def test_a_failing_scene_is_reported_and_the_others_finish(tmp_path):
    data = tmp_path / "d.json"
    data.write_text('{"inputs": [[1, 2, 3]], "targets": [[0, 0]]}')
    runner = CliRunner()
    assert runner.invoke(main, ["trace", "--arch", "3,8,8,8,2", "--steps", "2", "--data", str(data),
                                "-o", str(tmp_path / "big.nntrace")]).exit_code == 0
    result = runner.invoke(main, ["render", "--all", str(tmp_path / "big.nntrace"), "--size", "160x90", "--fps", "2",
                                  "-j", "2", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "FAILED     formula-big.mp4" in result.output and "symbols" in result.output
    assert "rendered   mlp-big.mp4" in result.output and (tmp_path / "training-big.mp4").is_file()
    assert result.output.strip().splitlines()[-1].startswith("Error: 2 of 15 scenes failed")
