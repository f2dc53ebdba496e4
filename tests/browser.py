"""A headless Chromium showing a page nnanim wrote, served as a school would serve it (or from disk)."""

import functools
import http.server
import shutil
import threading
import time

import pytest

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
needs_browser = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                   reason="chromium and chromium-driver are installed by `make test`")


class PlainHandler(http.server.SimpleHTTPRequestHandler):
    """Python's own static server, as many schools and conferences run it: no byte ranges."""

    failures = []

    def log_message(self, *args):
        pass

    def send_error(self, code, *args, **kwargs):
        PlainHandler.failures.append((code, self.path))
        super().send_error(code, *args, **kwargs)


class browser:
    """A headless Chromium showing `page` of the folder `deck`, from disk ("file") or from Python's static
    server; videos play `rate` times faster (the walk checks steps, not seconds)."""

    def __init__(self, deck, served, tmp_path, rate=16, page="slides.html"):
        self.deck, self.served, self.tmp_path, self.rate, self.page = deck, served, tmp_path, rate, page

    def __enter__(self):
        self.server = None
        if self.served == "file":
            url = (self.deck / self.page).as_uri()
        else:
            self.server = http.server.ThreadingHTTPServer(
                ("127.0.0.1", 0), functools.partial(PlainHandler, directory=str(self.deck)))
            threading.Thread(target=self.server.serve_forever, daemon=True).start()
            url = f"http://127.0.0.1:{self.server.server_address[1]}/{self.page}"
        self.driver = start_chromium(self.tmp_path / "chromium-profile")
        PlainHandler.failures = []
        self.driver.set_script_timeout(10)
        self.driver.get(url)
        wait_for(self.driver, "return typeof Reveal !== 'undefined' && Reveal.isReady()")
        # defaultPlaybackRate for the clips loaded from now on, playbackRate for those already loaded
        self.driver.execute_script("document.querySelectorAll('video').forEach(v => "
                                   f"{{ v.defaultPlaybackRate = {self.rate}; v.playbackRate = {self.rate}; }})")
        return self.driver

    def __exit__(self, *exc):
        self.driver.quit()
        if self.server:
            self.server.shutdown()
        if exc[0] is None:
            assert PlainHandler.failures == [], "no request failed"


def start_chromium(profile, network_log=False):
    """Headless Chromium at 1280x720 with its console log (and, with `network_log`, the DevTools log of
    every request), for pages that start as soon as they are asked for."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required", "--window-size=1280,720",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", **({"performance": "ALL"} if network_log else {})})
    options.page_load_strategy = "none"  # the speaker view's window never says it has loaded: we wait ourselves
    return webdriver.Chrome(service=Service(DRIVER), options=options)


def press(driver, key):
    """As a keyboard (or a clicker) does: to whatever has the focus, then give reveal.js its moment."""
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(key).perform()
    time.sleep(0.1)


def console_errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def wait_for(driver, script, seconds=20, args=()):
    """Until `script` (given `args`) returns something true (a page still loading may throw: then again)."""
    from selenium.common.exceptions import JavascriptException

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if driver.execute_script(script, *args):
                return
        except JavascriptException:
            pass
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {script} (at {driver.current_url})")
