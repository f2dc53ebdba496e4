"""The explorer page (`nnanim explore`, docs/explore.md) in headless Chromium: every number on screen is
held against the trace read in Python, every key and click against what docs/explore.md says it does.
One browser for the module; the pages are written once, from short runs."""

import shutil
import subprocess
from pathlib import Path

import pytest
from browser import CHROMIUM, DRIVER, console_errors, start_chromium, wait_for
from conftest import nnanim
from student_scalar import scalar

from nnanim.engine import Value, load_trace, record
from nnanim.engine.numbers import number
from nnanim.explore_data import explorer_data
from nnanim.scenes.backprop_plan import WARN, backward_beats
from nnanim.scenes.theme import THEMES

REPO = Path(__file__).parent.parent
DATA = '{"inputs": [[1, 2], [0, -1]], "targets": [[1], [-1]]}'
PWNED = ("</script><script>window.pwned=1</script>", '<img src=x onerror="window.pwned=1">')
BROKEN_TANH = scalar("tanh").replace("self.g += (1 - t ** 2) * out.g", "self.g += (1 - t) * out.g") + """
x = [Scalar(1.0), Scalar(-2.0)]
w = [Scalar(0.5), Scalar(-0.3)]
b = Scalar(0.1)
for step in range(5):
    out = (w[0] * x[0] + w[1] * x[1] + b).tanh()
    loss = (out + Scalar(-1.0)) * (out + Scalar(-1.0))
    for p in w + [b]:
        p.g = 0.0
    loss.backward()
    for p in w + [b]:
        p.val -= 0.1 * p.g
"""

STATE = """
const q = (s) => document.querySelector(s), all = (s) => [...document.querySelectorAll(s)];
return {
  readout: q('.nx-readout').textContent, hash: location.hash, head: q('.nx-eventhead').textContent,
  lines: all('.nx-lines .nx-line:not(.nx-warning)').map((e) => e.textContent),
  warnings: all('.nx-lines .nx-warning').map((e) => e.textContent),
  boxes: Object.fromEntries(all('.nnanim-box').map((b) => [b.dataset.key, [...b.querySelectorAll('text')].map((t) => t.textContent)])),
  marked: all('.nnanim-box').filter((b) => b.querySelector('rect').getAttribute('stroke-width') === '5').map((b) => b.dataset.key),
};"""


class Page:
    """A page the module wrote, the trace it shows, and that trace's data as the page reads it."""

    def __init__(self, path, trace):
        self.path, self.trace = path, load_trace(trace)
        self.data = explorer_data(self.trace)
        self.names = self.data["graphs"][0]["names"]

    def beats(self, k):
        """The backprop scene's beats of step k, by backward event (None: the first beat)."""
        return {b.event: b for b in backward_beats(self.trace.step(k), called=self.names)}


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explore")
    (folder / "d.json").write_text(DATA)
    (folder / "buggy.py").write_text(BROKEN_TANH)
    traces = {"workshop": ("--steps", "30"), "small": ("--arch", "2,1", "--data", folder / "d.json", "--steps", "20"),
              "buggy": (folder / "buggy.py",)}
    for name, args in traces.items():
        result = nnanim("trace", *args, "-o", folder / f"{name}.nntrace")
        assert result.exit_code == 0, result.output
    with record() as hostile:
        for step in range(2):
            a, b = Value(2.0, label=PWNED[0]), Value(-3.0, label=PWNED[1])
            ((a * b + 1.0).tanh() * 2.0).backward()
    hostile.save(folder / "hostile.nntrace")
    out = {}
    for name in [*traces, "hostile"]:
        result = nnanim("explore", folder / f"{name}.nntrace", "-o", folder / f"{name}.html")
        assert result.exit_code == 0, result.output
        out[name] = Page(folder / f"{name}.html", folder / f"{name}.nntrace")
    return out


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    if not (CHROMIUM and DRIVER):
        pytest.skip("chromium and chromium-driver are installed by `make test`")
    driver = start_chromium(tmp_path_factory.mktemp("chromium"), network_log=True)
    yield driver
    driver.quit()


def show(driver, page, fragment=""):
    """Open `page` afresh (a load, not a hash change) and wait until its step is on screen."""
    driver.get("about:blank")
    driver.get(page.path.as_uri() + fragment)
    step = fragment.split("step=")[1].split("&")[0] if "step=" in fragment else "0"
    wait_for(driver, f"return document.querySelector('.nx-readout')?.textContent.startsWith('step {step} of')")
    return state(driver)


def state(driver):
    return driver.execute_script(STATE)


def press(driver, *keys):
    from selenium.webdriver.common.action_chains import ActionChains

    for key in keys:
        ActionChains(driver).send_keys(key).perform()
    return state(driver)


def hash_is(driver, expected):
    """The URL holds the view (written at most ten times a second: wait for it)."""
    wait_for(driver, f"return location.hash === {expected!r}", seconds=2)
    return True


def readout(page, k):
    return f"step {k} of {page.trace.num_steps}  \u00b7  loss {number(page.trace.losses[k])}"


def rgb(colour):
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_a_step_shows_its_loss_and_every_box_its_numbers_after_backward(driver, pages):
    for page, k in ((pages["workshop"], 17), (pages["small"], 4)):
        seen = show(driver, page, f"#step={k}")
        step = page.trace.step(k)
        assert seen["readout"] == readout(page, k)
        assert seen["head"].endswith("\u00b7  done") and seen["hash"] == f"#step={k}"
        assert len(seen["boxes"]) == len(page.data["graphs"][0]["view"]["boxes"]) >= 7
        for key, (name, data, grad) in seen["boxes"].items():
            i = int(key)
            assert (name, data, grad) == (page.names[i], f"data {number(step.data[i])}", f"grad {number(step.grad[i])}")


def test_arrows_walk_the_backward_events_in_the_traces_order_with_the_scenes_rule_lines(driver, pages):
    from selenium.webdriver.common.keys import Keys

    page, k = pages["small"], 3
    events, beats = page.trace.step(k).backward_events(), page.beats(k)
    seen = show(driver, page, f"#step={k}&event=0")
    assert seen["head"].startswith(f"event 0 of {len(events)}") and seen["lines"] == beats[None].rule
    assert seen["marked"] == [str(page.trace.step(k).graph.root)]
    for count in range(1, len(events) + 1):
        seen = press(driver, Keys.ARROW_RIGHT)
        event = events[count - 1]
        assert hash_is(driver, f"#step={k}&event={count}" if count < len(events) else f"#step={k}")
        assert seen["head"].startswith(f"event {count} of {len(events)}: {page.names[event.node]} passes")
        assert seen["marked"] == [str(event.node)]
        assert seen["lines"] == beats[count - 1].rule
        assert seen["boxes"][str(event.inputs[0])][2] == f"grad {number(beats[count - 1].received[0].after)}"
    assert press(driver, Keys.ARROW_RIGHT)["head"].endswith("done"), "the end of the pass stays the end"
    seen = press(driver, Keys.ARROW_LEFT, Keys.ARROW_LEFT)
    assert hash_is(driver, f"#step={k}&event={len(events) - 2}") and seen["marked"] == [str(events[-3].node)]


def test_every_rule_line_of_a_network_step_is_the_backprop_scenes(driver, pages):
    page, k = pages["workshop"], 5
    show(driver, page, f"#step={k}&event=0")
    lines = driver.execute_script("""
        const root = document.querySelector('.nnanim-explorer'), out = [];
        const lines = () => [...document.querySelectorAll('.nx-lines .nx-line')].map((e) => e.textContent);
        for (let n = 0; n < arguments[0]; n++) {
          root.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true}));
          out.push(lines());
        }
        return out;""", len(page.trace.step(k).backward_events()))
    beats = page.beats(k)
    assert lines == [beats[e].rule for e in range(len(lines))]
    assert any(".grad = " in line and "(from " in line for rule in lines for line in rule), "accumulation lines"


def test_up_down_page_home_end_change_the_step_and_the_hash_and_a_reload_keeps_the_view(driver, pages):
    from selenium.webdriver.common.keys import Keys

    page = pages["workshop"]
    last = page.trace.num_steps - 1
    show(driver, page, "#step=10&event=40")
    moves = [(Keys.ARROW_DOWN, 11), (Keys.PAGE_DOWN, 12), (Keys.ARROW_UP, 11), (Keys.PAGE_UP, 10), (Keys.END, last),
             (Keys.HOME, 0), (Keys.ARROW_UP, 0), (Keys.END, last), (Keys.ARROW_DOWN, last)]
    for key, k in moves:
        seen = press(driver, key)
        assert seen["readout"] == readout(page, k) and hash_is(driver, f"#step={k}&event=40"), key
    press(driver, Keys.HOME, Keys.ARROW_DOWN, Keys.ARROW_DOWN, Keys.ARROW_LEFT)
    hash_is(driver, "#step=2&event=39")
    driver.refresh()
    wait_for(driver, "return document.querySelector('.nx-readout')?.textContent.startsWith('step 2 of')")
    seen = state(driver)
    assert seen["hash"] == "#step=2&event=39" and seen["head"].startswith("event 39 of")
    assert seen["lines"] == page.beats(2)[38].rule


def test_the_url_follows_a_held_key_to_its_last_step(driver, pages):
    page = pages["workshop"]
    show(driver, page, "#step=5")
    driver.get_log("browser")
    driver.execute_script("""const root = document.querySelector('.nnanim-explorer');
        for (let n = 0; n <= 300; n++) {  // 301 views: past the 200 history writes in 10 s Chrome honours
          root.dispatchEvent(new KeyboardEvent('keydown', {key: n % 2 ? 'ArrowRight' : 'ArrowLeft', bubbles: true}));
        }""")
    total = len(page.trace.step(5).backward_events())
    assert hash_is(driver, f"#step=5&event={total - 1}") and state(driver)["head"].startswith(f"event {total - 1} of")
    assert driver.get_log("browser") == [], "no history call refused"


def test_a_click_on_the_loss_curve_jumps_to_the_step_under_it(driver, pages):
    from selenium.webdriver.common.action_chains import ActionChains

    page = pages["workshop"]
    show(driver, page)
    curve = driver.find_element("css selector", ".nx-curve svg")
    ends = driver.execute_script("""
        const line = document.querySelector('.nx-curve polyline'), box = arguments[0].getBoundingClientRect();
        const xs = line.getAttribute('points').split(' ').map((p) => +p.split(',')[0]);
        return [xs[0], xs[xs.length - 1], box.width, box.height];""", curve)
    first, last, width, height = ends
    for k in (23, 6):
        x = first + (last - first) * k / (page.trace.num_steps - 1)
        ActionChains(driver).move_to_element_with_offset(curve, round(x - width / 2), round(height / 4)).click().perform()
        shown = int(state(driver)["readout"].split()[1])
        assert abs(shown - k) <= 1
        assert state(driver)["readout"] == readout(page, shown)


def test_hovering_or_clicking_a_value_shows_what_it_is_and_its_numbers(driver, pages):
    from selenium.webdriver.common.action_chains import ActionChains

    page, k = pages["small"], 2
    step = page.trace.step(k)
    show(driver, page, f"#step={k}")
    node = next(i for i in range(len(step.graph)) if step.graph.ops[i] == "*")
    inputs = step.graph.inputs(node)
    box = driver.find_element("css selector", f'.nnanim-box[data-key="{node}"]')
    ActionChains(driver).move_to_element(box).perform()
    detail = driver.find_element("css selector", ".nx-detail").text.splitlines()
    assert detail[:5] == [page.names[node], "op *", f"data {number(step.data[node])}", f"grad {number(step.grad[node])}",
                          "inputs: " + ", ".join(f"{page.names[j]} ({number(step.data[j])})" for j in inputs)]
    rule = page.beats(k)[next(e for e, ev in enumerate(step.backward_events()) if ev.node == node)].rule
    assert detail[5:5 + 1 + len(rule)] == ["its rule ran:", *rule]
    box.click()
    ActionChains(driver).move_to_element(driver.find_element("css selector", ".nx-title")).perform()
    assert driver.find_element("css selector", ".nx-detail .nx-name").text == page.names[node], "a click pins it"


def test_a_neuron_opens_into_its_values_and_back(driver, pages):
    page, k = pages["workshop"], 3
    step = page.trace.step(k)
    show(driver, page, f"#step={k}")
    key = next(iter(page.data["graphs"][0]["opened"]))
    back = driver.find_element("css selector", ".nx-graphbar .nx-button")
    assert not back.is_displayed()
    driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))",
                          driver.find_element("css selector", f'.nnanim-box[data-key="{key}"]'))
    seen = state(driver)
    members = next(b["members"] for b in page.data["graphs"][0]["view"]["boxes"] if str(b["key"]) == key)
    assert set(map(int, seen["boxes"])) == set(members) and len(members) > 1
    assert driver.find_element("css selector", ".nx-where").text.startswith(f"{page.names[int(key)]}'s values")
    for i, (name, data, grad) in ((int(i), texts) for i, texts in seen["boxes"].items()):
        assert (name, data, grad) == (page.names[i], f"data {number(step.data[i])}", f"grad {number(step.grad[i])}")
    assert back.is_displayed()
    back.click()
    assert len(state(driver)["boxes"]) == len(page.data["graphs"][0]["view"]["boxes"]) and not back.is_displayed()


def test_a_buggy_run_shows_pythons_findings_in_the_warning_colour_dark_and_light(driver, pages):
    page = pages["buggy"]
    findings = page.data["findings"]
    assert findings, "the broken tanh is found"
    for theme in ("dark", "light"):
        for f in findings[:3] + findings[-2:]:
            show(driver, page, f"#step={f['step']}&event={f['event'] + 1}")
            if theme == "light":
                driver.find_element("css selector", ".nx-bar .nx-button:nth-of-type(2)").click()
            seen = state(driver)
            assert seen["warnings"] == f["lines"] and all(w.startswith(WARN) for w in seen["warnings"])
            colours = driver.execute_script("""return [...document.querySelectorAll('.nx-lines .nx-warning')]
                .map((e) => getComputedStyle(e).color).concat(getComputedStyle(document.querySelector('.nnanim-explorer')).backgroundColor)""")
            assert colours == [rgb(THEMES[theme].warning)] * len(f["lines"]) + [rgb(THEMES[theme].background)]
            assert seen["boxes"][str(f["node"])][0] == f"\u26a0 {page.names[f['node']]}"
            assert seen["lines"] == [line for line in page.beats(f["step"])[f["event"]].rule if not line.startswith(WARN)]


def test_every_text_is_at_least_18_px_at_1280x720(driver, pages):
    driver.set_window_size(1280, 720)
    sizes = """
        const small = [];
        let read = 0;
        for (const e of document.querySelectorAll('.nnanim-explorer *')) {
          const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
          if (!own || !e.getClientRects().length || getComputedStyle(e).visibility === 'hidden') continue;
          const scale = e instanceof SVGElement ? e.ownerSVGElement.getScreenCTM().d : 1;
          const px = parseFloat(getComputedStyle(e).fontSize) * scale;
          if (px < 18 - 1e-6) small.push([e.textContent.slice(0, 30), px]);
          else read++;
        }
        return read > 20 ? small : 'too few texts read';"""
    for name, fragment, click in (("workshop", "#step=3&event=100", ".nnanim-box"), ("small", "#step=1", ".nnanim-box"),
                                  ("buggy", "#step=0&event=4", ".nx-bar .nx-button:nth-of-type(2)")):
        show(driver, pages[name], fragment)
        assert driver.execute_script(sizes) == [], name
        driver.find_element("css selector", click).click()
        assert driver.execute_script(sizes) == [], f"{name} after a click"


def test_labels_that_are_html_stay_text(driver, pages):
    page = pages["hostile"]
    seen = show(driver, page, "#step=1")
    assert driver.execute_script("return window.pwned") is None
    assert not driver.find_elements("css selector", "img, .nnanim-explorer script")
    names = [texts[0] for texts in seen["boxes"].values()]
    assert names == [page.names[int(k)] for k in seen["boxes"]]
    assert any(n.startswith("</script>") for n in names) and any(n.startswith("<img") for n in names)
    for i, label in enumerate(PWNED):  # whole in the details, as the title of the name
        driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))",
                              driver.find_element("css selector", f'.nnanim-box[data-key="{i}"]'))
        assert driver.find_element("css selector", ".nx-detail .nx-name").get_attribute("title") == label
    assert driver.execute_script("return window.pwned") is None


def test_the_pages_ask_for_nothing_and_log_no_error(driver, pages):
    from selenium.webdriver.common.keys import Keys

    driver.get_log("performance")
    for page in pages.values():
        show(driver, page, "#step=1&event=2")
        press(driver, Keys.SPACE, Keys.ARROW_DOWN, Keys.ARROW_LEFT)
        assert driver.execute_script("return performance.getEntriesByType('resource')"
                                     ".filter((r) => !r.name.startsWith('data:')).map((r) => r.name)") == []
        assert console_errors(driver) == [], page.path.name
    requested = {entry["message"].split('"url":"')[1].split('"')[0]
                 for entry in driver.get_log("performance") if '"Network.requestWillBeSent"' in entry["message"]}
    asked = {url.split("#")[0] for url in requested if not url.startswith("data:")}
    assert asked == {p.path.as_uri() for p in pages.values()}, "the pages themselves, and nothing else"


def test_the_pages_modules_pass_node_test():
    node = shutil.which("node")
    if not node:
        pytest.skip("node is missing: `make test` installs nodejs (with npm)")
    done = subprocess.run([node, "--test", "tests/js/"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
