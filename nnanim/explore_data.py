"""What the explorer page knows of a run, as the JSON it reads (docs/explore.md, "The page's data").

Every number the page shows comes from the trace: each carried step's data and grad as float64 blobs,
the loss of every step. The layout is the scenes' own (scenes/graph_layout.py), computed here once per
graph, and the words of each local rule are the backprop scene's (`rule_templates`), with the numbers
left for the page to fill in. A class's own backward is carried as it ran, with what `backprop` marks
wrong in it.
"""

import base64
import zlib
from dataclasses import fields, replace

import numpy as np

from nnanim.engine.numbers import number
from nnanim.engine.steps import Graph
from nnanim.errors import NnanimError
from nnanim.scenes.backprop_plan import WARN, backward_beats, rule_templates
from nnanim.scenes.graph_layout import spread, units, values
from nnanim.scenes.roles import names
from nnanim.scenes.theme import THEMES, Theme

FORMAT, VERSION = "nnanim-explore", 1
MAX_BOXES = 300  # boxes a step's view may have: the backprop scene's MAX_WAVE, more than anyone follows
MAX_WHOLE = 40  # values: a larger graph is drawn a unit (a neuron) to a box, as the backprop scene draws it
CHAR = 0.62  # of a line height: the width of a character of the theme's face, on average
BOX_HEIGHT = 4.2  # line heights: name, data, grad (scenes/graph_view.py's box_height)
COLUMN_GAP = 3.0  # line heights between columns: room for the op circle and the edges
ROW_GAP = 0.7  # line heights between the boxes of a column (graph_view.ROW_GAP)
COLOURS = [f.name for f in fields(Theme) if isinstance(getattr(THEMES["dark"], f.name), str)]


class ExploreError(NnanimError):
    """A page that cannot be made as asked; one line for the user."""


def blob(numbers):
    """Float64s as the page decodes them: little-endian, byte-shuffled, zlib, base64."""
    raw = np.ascontiguousarray(numbers, dtype="<f8").ravel()
    planes = raw.view(np.uint8).reshape(-1, 8).T.tobytes()
    return {"b64": base64.b64encode(zlib.compress(planes, 9)).decode("ascii"), "n": int(raw.size)}


def explorer_data(trace, steps=None, title=""):
    """The page's data for `trace`, carrying the graphs of `steps` (a range or list of step indices;
    default all). The loss of every step is carried whatever `steps` says."""
    count = trace.num_steps
    carried = sorted(set(range(count) if steps is None else (trace.step_index(k) for k in steps)))
    graphs = []
    recorded, findings = {}, []
    if trace.level == "all":
        step_graph = np.asarray(trace.step_graph)
        called = {}
        for g in range(len(trace.graphs)):
            mine = [k for k in carried if step_graph[k] == g]
            if mine:
                graphs.append(_graph(trace, g, mine))
                called[g] = graphs[-1]["names"]
        for k in carried:
            step = trace.step(k)
            if step.recorded is not None:
                recorded[str(k)], found = _recorded(step, called[int(step_graph[k])])
                findings += found
    return {
        "format": FORMAT, "version": VERSION, "title": title,
        "themes": themes(),
        "steps": count, "losses": blob(trace.losses), "graphs": graphs,
        "recorded": recorded, "findings": findings,
    }


def themes():
    """scenes/theme.py's colours and font, by theme name, as the page and the widget read them."""
    return {name: {c: getattr(theme, c) for c in COLOURS} for name, theme in THEMES.items()}


def _graph(trace, g, steps):
    graph = trace.graphs[g]
    table = trace.store.table(g)
    rows = trace.store.rows(steps)
    data, grad, before = (np.asarray(table[name])[rows] for name in ("data", "grad", "grad_before"))
    first, called = _named(trace.step(steps[0]), data)
    whole = len(graph) <= MAX_WHOLE
    drawing = _drawing(first, called)
    opened = {} if whole else {str(key): _view(values(first, box.members, called), data, grad)
                               for key, box in drawing.boxes.items() if len(box.members) > 1}
    return {
        "ops": graph.ops, "labels": graph.labels, "names": called,
        "inputs": [list(graph.inputs(i)) for i in range(len(graph))],
        "rules": [rule_templates(graph, i, called) if graph.arity[i] else None for i in range(len(graph))],
        "view": _view(drawing, data, grad), "opened": opened,
        "steps": steps,
        "data": blob(data.T), "grad": blob(grad.T),
        "grad_before": blob(before.T) if np.any(before) else None,
    }


def _drawing(step, called):
    """The step's graph as the backprop scene draws it: every value, or a unit (a neuron) to a box."""
    graph = step.graph
    drawing = values(step, range(len(graph)), called) if len(graph) <= MAX_WHOLE else units(step)
    if len(drawing.boxes) > MAX_BOXES:
        raise ExploreError(f"a step of this run is {len(graph):,} values, {len(drawing.boxes):,} boxes even a neuron to a "
                           f"box: too many to explore (at most {MAX_BOXES}); explore a run on fewer examples, or "
                           "pass --steps none for its loss curve only")
    return drawing


def check_drawable(trace, steps):
    """ExploreError, before anything is made, if a graph of `steps` has too many boxes to explore."""
    if trace.level == "all" and len(steps):
        for g in sorted(set(np.asarray(trace.step_graph)[list(steps)].tolist())):
            first = trace.step(next(k for k in steps if trace.step_graph[k] == g))
            _drawing(first, names(first))


def _named(step, data):
    """The step, and every node's name on screen, the same in every carried step: a leaf without a label
    is named by its number (a constant, as the scenes name it), unless that number changes from step to
    step (a parameter the class never labelled), which is then v<index> (as `backprop_plan.name_of`)."""
    g = step.graph
    changing = [i for i in g.leaf_list if not g.labels[i] and np.ptp(data[:, i]) != 0]
    if changing:
        labels = list(g.labels)
        for i in changing:
            labels[i] = f"v{i}"
        step = replace(step, graph=Graph(g.ops, labels, g.arity, g.edges))
    return step, names(step)


def _view(drawing, data, grad):
    """Where the boxes of a drawing go (centres in line heights, the origin in the middle), spread as the
    scenes spread a graph over the frame, each box as wide as the widest line any carried step gives it."""
    keys = list(drawing.boxes)
    texts = [drawing.boxes[k].name for k in keys]
    for k in keys:
        for column in (data[:, k], grad[:, k]):
            texts += [f"grad {number(x)}" for x in (column.min(), column.max())]
    box_width = max(map(len, texts)) * CHAR + 1.0
    columns = drawing.columns
    rows = max(len(c) for c in columns)
    width = len(columns) * box_width + (len(columns) - 1) * COLUMN_GAP
    height = rows * BOX_HEIGHT + (rows - 1) * ROW_GAP
    at = spread(columns, width, height, box_width, BOX_HEIGHT)
    boxes = [{"key": k, "name": b.name, "leaf": bool(b.leaf), "op": b.op, "members": list(b.members),
              "x": round(at[k][0], 4), "y": round(at[k][1], 4)} for k, b in drawing.boxes.items()]
    edges = [[_end(t), _end(h)] for t, h in drawing.edges]
    return {"boxes": boxes, "edges": edges, "width": round(width, 4), "height": round(height, 4),
            "box": [round(box_width, 4), BOX_HEIGHT]}


def _end(end):
    return f"op:{end[1]}" if isinstance(end, tuple) else int(end)


def _recorded(step, called):
    """A class's own backward of one step as it ran, and what is wrong with it (the backprop scene's ⚠ lines)."""
    nodes, grads, amounts = step.recorded
    events = {"nodes": [int(n) for n in nodes], "grads": blob(grads), "amounts": blob(amounts)}
    found = []
    for beat in backward_beats(step, called=called):
        lines = [line for line in beat.rule if line.startswith(WARN)]
        if lines:
            found.append({"step": step.index, "event": beat.event, "node": int(beat.node), "lines": lines})
    return events, found
