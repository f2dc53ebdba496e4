"""`nnanim explore`: a run as one self-contained, offline HTML page (docs/explore.md).

The page is nnanim/templates/explore.html with the run's data (explore_data.py) and the explorer's ES
modules (nnanim/explore/*.js) inside it. A module's relative imports become data: URLs, so the same
files run unchanged under `node --test`, in the page, and in a notebook widget, with no build step.
"""

import base64
import json
import math
import re
from functools import lru_cache
from html import escape
from importlib.resources import files

from nnanim.assets import fill
from nnanim.engine.atomic import write_atomically
from nnanim.explore_data import ExploreError, check_drawable, explorer_data

MAX_PAGE = 6_000_000  # bytes: a page a learner can mail, upload to a course site and open at once
ENTRY = "page.js"
STRUCTURE = 200  # bytes a node's ops, label, name, inputs and rule take on the page, about
_IMPORT = re.compile(r'^(\s*(?:import|export)\b[^;]*?\bfrom\s*)"\./([\w.-]+\.js)";', re.M)


@lru_cache(maxsize=None)
def module_url(name):
    """nnanim/explore/NAME as a data: URL, its relative imports data: URLs too (the same string for the
    same module, so a module imported twice is one module)."""
    return "data:text/javascript;base64," + base64.b64encode(module_source(name).encode("utf-8")).decode("ascii")


def module_source(name):
    """nnanim/explore/NAME's source with its relative imports as data: URLs (module_url's): for a host that
    loads a module from its source, as anywidget loads a widget's `_esm`."""
    source = files("nnanim").joinpath("explore", name).read_text(encoding="utf-8")
    return _IMPORT.sub(lambda m: f'{m.group(1)}"{module_url(m.group(2))}";', source)


def style(*names):
    """The text of nnanim/explore's style sheets NAMES, in order."""
    return "\n".join(files("nnanim").joinpath("explore", n).read_text(encoding="utf-8") for n in names)


def page_json(data):
    """The page's data as the text of a <script type="application/json">: no `<` in it, so no label can
    close the element or open another."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")


def page(trace, steps=None, title="", theme="dark"):
    """The explorer page of `trace` as text."""
    data = explorer_data(trace, steps, title)
    return fill("explore.html", title=escape(title or "nnanim explore"), data=page_json(data),
                style=style("page.css", "explore.css"),
                theme=theme, modules=f'<script type="module" src="{module_url(ENTRY)}"></script>')


def write_page(trace, output, steps=None, title="", theme="dark"):
    """Write the explorer page of `trace` to `output`, whole or not at all; ExploreError, with the
    thinning that would fit, if it is larger than MAX_PAGE (told before the page is made, when the
    numbers alone would not fit)."""
    chosen = range(trace.num_steps) if steps is None else steps
    check_drawable(trace, chosen)
    size = estimate(trace, chosen)
    text = page(trace, steps, title, theme).encode("utf-8") if size <= MAX_PAGE else b""
    if size > MAX_PAGE or len(text) > MAX_PAGE:
        size = max(size, len(text))
        every = max(2, math.ceil(size / MAX_PAGE * trace.num_steps / max(len(chosen), 1) * 1.25))
        raise ExploreError(f"the page would be {'about ' if not text else ''}{size / 1e6:.1f} MB, over the {MAX_PAGE / 1e6:.0f} MB a page "
                           f"may be: carry fewer steps' graphs, e.g. --steps 0:{trace.num_steps}:{every} "
                           "(the loss of every step is kept)")
    return write_atomically(output, text)


def estimate(trace, steps):
    """Bytes the numbers of `steps`' graphs take on the page, at least: a data and a grad float64 per node
    and step, compressed to about half, in base64."""
    if trace.level != "all":
        return 0
    sizes = [len(graph) for graph in trace.graphs]
    graph_of = trace.step_graph
    numbers = sum(sizes[graph_of[k]] for k in steps) * 16 // 2 * 4 // 3
    return numbers + sum(sizes) * STRUCTURE if len(steps) else 0


def step_range(text, count):
    """`A:B:C`, `A:B` or `K` (Python's slice of the run's steps) as a range, `none` as no step; ExploreError
    if it picks none otherwise."""
    if text.strip().lower() == "none":
        return range(0)
    try:
        parts = [int(p) if p.strip() else None for p in text.split(":")]
        chosen = range(count)[slice(*parts)] if len(parts) > 1 else range(count)[parts[0]:parts[0] + 1 or None]
    except (ValueError, TypeError):
        raise ExploreError(f"--steps {text!r} is not START:STOP:STEP (whole numbers, as a Python slice)") from None
    if len(parts) > 3 or not chosen:
        raise ExploreError(f"--steps {text!r} picks none of this run's {count} steps")
    return chosen
