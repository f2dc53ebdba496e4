"""Explorer page benchmark (issue 24): the page `nnanim explore` writes for the default run, and for a run
too large to draw, opened in headless Chromium at 1280x720.

    python benchmarks/bench_explore.py [--large moons-2-16-16-1.nntrace]

Measured: the page's size and the time to write it; the time from navigation start to step 500's readout
on screen (`page.html#step=500`: in the page, performance.now() at the first frame after the readout says
step 500; a fresh load each time, median of 5); the redraw of a step change (ArrowDown dispatched inside
the page, performance.now() around it and a forced layout, 50 changes: median and max), with the backward
pass done and in the middle of it (`&event=100`: each new step replays its pass to event 100). The large
run (2,16,16,1 on moons, 300 steps, everything recorded: ~60 s to record; pass --large to reuse one) is
refused as a whole and written with `--steps none`. Figures go in docs/performance.md.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser import start_chromium, wait_for  # noqa: E402 -- the tests' headless Chromium, one copy

LOADS = 5
CHANGES = 50
# Installed before the page's own scripts (DevTools, not the page's CSP): when the readout first names the
# step asked for, the time of the next frame, from navigation start.
SHOWN = """
new MutationObserver((_, watch) => {
  const readout = document.querySelector('.nx-readout');
  const want = `step ${(location.hash.match(/step=(\\d+)/) || [, 0])[1]} of`;
  if (readout && readout.textContent.startsWith(want)) {
    watch.disconnect();
    requestAnimationFrame(() => { window.shownAt = performance.now(); });
  }
}).observe(document, {childList: true, subtree: true, characterData: true});
"""
REDRAW = """
const root = document.querySelector('.nnanim-explorer'), times = [];
for (let n = 0; n < arguments[0]; n++) {
  const start = performance.now();
  root.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowDown', bubbles: true}));
  root.offsetHeight;
  times.push(performance.now() - start);
}
return [times, document.querySelector('.nx-readout').textContent];
"""


def write(trace, path, steps=None):
    from nnanim.explore_page import write_page

    start = time.perf_counter()
    write_page(trace, path, steps)
    return time.perf_counter() - start


def opened(driver, page, fragment):
    """Seconds from navigation start to the readout of the hash's step on screen, each of LOADS fresh loads."""
    seconds = []
    for _ in range(LOADS):
        driver.get("about:blank")
        driver.get(page.as_uri() + fragment)
        wait_for(driver, "return window.shownAt !== undefined", seconds=30)
        seconds.append(driver.execute_script("return window.shownAt") / 1000)
    return seconds


def redraws(driver, page, fragment):
    driver.get("about:blank")
    driver.get(page.as_uri() + fragment)
    wait_for(driver, "return window.shownAt !== undefined", seconds=30)
    times, readout = driver.execute_script(REDRAW, CHANGES)
    step = int(fragment.split("step=")[1].split("&")[0]) + CHANGES
    assert readout.startswith(f"step {step} of"), readout
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=Path, help="a trace of 2,16,16,1 on moons, 300 steps, --record all")
    args = parser.parse_args()
    from nnanim.engine import load_trace
    from nnanim.explore_page import step_range
    from nnanim.explore_data import ExploreError
    from nnanim.runs import workshop_run

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        default = workshop_run()
        page = tmp / "default.html"
        written = write(default, page)
        print(f"default run ({default.num_steps} steps, {len(default.graphs[0])} nodes a step): page "
              f"{page.stat().st_size / 1e6:.2f} MB, written in {written:.2f} s")
        if args.large:
            large = load_trace(args.large)
        else:
            from nnanim.cli import main as cli

            start = time.perf_counter()
            try:
                cli(["trace", "--data", "moons", "--arch", "2,16,16,1", "--steps", "300", "--record", "all",
                     "-o", str(tmp / "large.nntrace")], standalone_mode=False)
            finally:
                print(f"(the large run recorded in {time.perf_counter() - start:.0f} s)")
            large = load_trace(tmp / "large.nntrace")
        try:
            write(large, tmp / "refused.html")
            print("the large run was not refused")
        except ExploreError as e:
            print(f"large run, whole: refused: {e}")
        none = tmp / "large-none.html"
        written = write(large, none, step_range("none", large.num_steps))
        print(f"large run, --steps none: page {none.stat().st_size / 1e6:.2f} MB, written in {written:.2f} s")

        driver = start_chromium(tmp / "chromium")
        try:
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False})
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SHOWN})
            rows = [("default, #step=500: on screen", opened(driver, page, "#step=500")),
                    ("large --steps none, #step=150: on screen", opened(driver, none, "#step=150"))]
            done = redraws(driver, page, "#step=500")
            walking = redraws(driver, page, "#step=500&event=100")
        finally:
            driver.quit()

    print(f"\nheadless Chromium, 1280x720 ({LOADS} fresh loads; {CHANGES} step changes)")
    print(f"{'measure':<46} {'median':>9} {'max':>9} {'first':>9} {'> 50 ms':>8}")
    for name, seconds in rows:
        print(f"{name:<46} {statistics.median(seconds):>8.2f}s {max(seconds):>8.2f}s {seconds[0]:>8.2f}s")
    for name, times in (("step change, pass done (ArrowDown)", done),
                        ("step change at event 100 (ArrowDown)", walking)):
        print(f"{name:<46} {statistics.median(times):>7.1f}ms {max(times):>7.1f}ms {times[0]:>7.1f}ms "
              f"{sum(t > 50 for t in times):>5} of {len(times)}")


if __name__ == "__main__":
    sys.exit(main())
