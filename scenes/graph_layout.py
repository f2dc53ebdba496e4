"""Which boxes, op circles and edges a step's graph is drawn with, and where they go: plain Python.

A graph is drawn a value to a box (`values`), or, when it is large, a unit to a box (`units`): a
neuron of the workshop's MLP (its weights and bias inside it), the loss terms of one example, or any
other value; in a graph without the workshop's neurons, a value used by one op only is inside that
op's box. The layout is layered, left to right as data flows: a box's column is the length of the
longest path into it, pulled right to sit just before what reads it; within a column, boxes are
ordered to cross few edges and spread over the whole height, so that the graph fills the frame.
"""

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from nnanim.engine.graph import MAX_BOXES, GraphTooLarge
from nnanim.engine.labels import is_parameter
from nnanim.engine.numbers import superscript
from nnanim.engine.value import power_of
from nnanim.scenes.roles import examples, names, neurons, ranges


@dataclass
class Box:
    key: int  # the node whose data and grad the box shows
    name: str
    data: float
    leaf: bool
    op: str = ""  # the op drawn in a circle in front of the box ("" for none)
    members: tuple = ()  # the nodes it stands for
    example: int | None = None  # a neuron's example


@dataclass
class Drawing:
    boxes: dict  # key -> Box, in creation order
    edges: list  # (tail, head): tail a box key, head a box key or ("op", key), the circle in front of it
    unit: dict  # node -> the key of the box that shows it (absent: drawn nowhere)
    names: list  # every node's name on screen
    columns: list = field(default_factory=list)  # [[key, ...], ...] left to right, each top to bottom

    def into(self, key):
        """The edges the gradient of box `key` travels back along: (op → box), then (inputs → op);
        or for a box without an op circle, (inputs → box)."""
        if self.boxes[key].op:
            return [(("op", key), key)], self.incoming.get(("op", key), [])
        return [], self.incoming.get(key, [])

    @cached_property
    def incoming(self):
        """Edges by head."""
        out = {}
        for e in self.edges:
            out.setdefault(e[1], []).append(e)
        return out


def values(step, nodes, called=None):
    """A box per value of `nodes`, an op circle in front of each computed value whose inputs are drawn
    (`called`: every node's name, roles.names(step), when the caller has it already)."""
    g = step.graph
    shown = sorted(set(nodes))
    _refuse_if_too_large(len(shown))
    called = names(step) if called is None else called
    drawn = set(shown)
    boxes, edges = {}, []
    for i in shown:
        reads = [j for j in g.inputs(i) if j in drawn]
        boxes[i] = Box(i, called[i], float(step.data[i]), not g.arity[i], _symbol(g.ops[i]) if reads else "", (i,))
        for j in dict.fromkeys(reads):
            edges.append((j, ("op", i)))
        if reads:
            edges.append((("op", i), i))
    drawing = Drawing(boxes, edges, {i: i for i in shown}, called)
    drawing.columns = layered(list(boxes), [(t, _box_of(h)) for t, h in edges if not isinstance(t, tuple)])
    return drawing


def units(step):
    """A box per unit of a whole step: each neuron (keyed by its output; its weights and bias inside),
    each example's loss terms, and every other value; inputs that only feed one unit are inside it.
    Without neurons (no h_jl labels) a computed value that feeds one op only is inside that op's unit."""
    g = step.graph
    owner = neurons(step)
    example = examples(step)
    called = names(step)
    consumers = [[] for _ in range(len(g))]
    for i in range(len(g)):
        for j in dict.fromkeys(g.inputs(i)):
            consumers[j].append(i)
    support = _support(g, owner, example)
    one = 0 if all(o is None for o in owner) else 1  # how many examples a unit that swallows a value reads
    unit = {}
    for i in reversed(range(len(g))):  # consumers first
        if owner[i] is not None:
            unit[i] = owner[i]
        elif g.arity[i]:
            c = consumers[i]
            merge = (len(c) == 1 and owner[c[0]] is None and c[0] != g.root and len(support[c[0]]) == one
                     and support[i] <= support[c[0]])
            unit[i] = unit[c[0]] if merge else i
    sizes = {}
    for i, u in unit.items():
        sizes[u] = sizes.get(u, 0) + 1
    for i in g.leaf_list:
        homes = {unit.get(c) for c in consumers[i]}
        home = next(iter(homes)) if len(homes) == 1 else None
        in_neurons = bool(consumers[i]) and is_parameter(g.labels[i]) and all(owner[c] is not None for c in consumers[i])
        in_one_unit = home is not None and owner[home] is None and sizes[home] > 1
        if not (in_neurons or in_one_unit):
            unit[i] = i
    keys = sorted(set(unit.values()))
    _refuse_if_too_large(len(keys))
    members = {}
    for i, u in sorted(unit.items()):
        members.setdefault(u, []).append(i)
    boxes = {}
    for k in keys:
        single = len(members[k]) == 1 and g.arity[k] and owner[k] is None
        name = called[k]
        if owner[k] is None and len(members[k]) > 1 and not g.labels[k] and support[k]:
            name = f"loss ex. {ranges(support[k])}"
        boxes[k] = Box(k, name, float(step.data[k]), not g.arity[k], _symbol(g.ops[k]) if single else "",
                       tuple(members[k]), example[k])
    edges = {}  # a dict, for order without repeats
    for k in keys:
        head = ("op", k) if boxes[k].op else k
        for m in members[k]:
            for j in g.inputs(m):
                tail = unit.get(j)
                if tail is not None and tail != k:
                    edges[(tail, head)] = None
        if boxes[k].op:
            edges[(("op", k), k)] = None
    edges = list(edges)
    drawing = Drawing(boxes, edges, unit, called)
    drawing.columns = layered(keys, [(t, _box_of(h)) for t, h in edges if not isinstance(t, tuple)], pull_all=False)
    return drawing


def _support(g, owner, example):
    """The examples whose neurons each value depends on."""
    support = [frozenset()] * len(g)
    for i in range(len(g)):
        if owner[i] is not None and example[owner[i]] is not None:
            support[i] = frozenset([example[owner[i]]])
        elif g.arity[i]:
            support[i] = frozenset().union(*(support[j] for j in g.inputs(i)))
    return support


def _refuse_if_too_large(count):
    if count > MAX_BOXES:
        raise GraphTooLarge(f"the graph has {count:,} boxes to draw; at most {MAX_BOXES:,} can be laid out "
                            "(backprop: --neuron J,L or --focus LABEL, or an earlier, smaller graph)")


def _box_of(key):
    return key[1] if isinstance(key, tuple) else key


def _symbol(op):
    n = power_of(op)
    if n is not None:
        return "x" + superscript(n)
    return {"*": "\u00d7"}.get(op, op)


def layered(keys, links, pull_all=True):
    """Columns of `keys` (in creation order, so inputs come first) for the links (tail, head) between
    them: [[key, ...], ...] left to right, each top to bottom. Leaves (or with `pull_all`, all boxes)
    move right to sit just before what reads them; without it, equal parts of a graph (the examples
    of a batch) stay in the same columns."""
    if not keys:
        return []
    inputs = {k: [] for k in keys}
    outputs = {k: [] for k in keys}
    for t, h in links:
        inputs[h].append(t)
        outputs[t].append(h)
    rank = {}
    for k in keys:
        rank[k] = 1 + max((rank[t] for t in inputs[k]), default=-1)
    for k in reversed(keys):  # just before what reads it
        if outputs[k] and (pull_all or not inputs[k]):
            rank[k] = max(rank[k], min(rank[h] for h in outputs[k]) - 1)
    low = min(rank.values())
    columns = [[] for _ in range(max(rank.values()) - low + 1)]
    visit = _visit_order(keys, inputs, outputs)
    for k in sorted(keys, key=visit.get):
        columns[rank[k] - low].append(k)
    return _fewer_crossings(columns, inputs, outputs, links)


def _visit_order(keys, inputs, outputs):
    """Depth first from the last sink, inputs in order: the order a reader expands the formula in."""
    order = {}
    for start in reversed([k for k in keys if not outputs[k]]):
        stack = [start]
        while stack:
            k = stack.pop()
            if k in order:
                continue
            order[k] = len(order)
            stack.extend(reversed(inputs[k]))
    for k in keys:
        order.setdefault(k, len(order))
    return order


def _fewer_crossings(columns, inputs, outputs, links, sweeps=4):
    """Barycentre sweeps (Sugiyama): sort each column by where its neighbours sit; keep the best."""
    def where(cols):
        return {k: (j + 0.5) / len(col) for col in cols for j, k in enumerate(col)}

    best, best_count = [list(c) for c in columns], _crossings(columns, links)
    current = [list(c) for c in columns]
    for sweep in range(sweeps):
        order = range(1, len(current)) if sweep % 2 == 0 else range(len(current) - 2, -1, -1)
        for c in order:
            at = where(current)
            side = inputs if sweep % 2 == 0 else outputs
            current[c].sort(key=lambda k: sum(at[n] for n in side[k]) / len(side[k]) if side[k] else at[k])
        count = _crossings(current, links)
        if count < best_count:
            best, best_count = [list(c) for c in current], count
    return best


def _crossings(columns, links):
    """How many pairs of links between neighbouring columns cross: inversions of the heads' order
    when the links are sorted by their tails' (counted by merge sort, for graphs of thousands)."""
    column = {k: c for c, col in enumerate(columns) for k in col}
    row = {k: j for col in columns for j, k in enumerate(col)}
    by_gap = {}
    for t, h in links:
        if column[h] == column[t] + 1:
            by_gap.setdefault(column[t], []).append((row[t], row[h]))
    return sum(_inversions([h for _, h in sorted(pairs)]) for pairs in by_gap.values())


def _inversions(values):
    if len(values) < 2:
        return 0
    half = len(values) // 2
    left, right = sorted(values[:half]), sorted(values[half:])
    count = _inversions(values[:half]) + _inversions(values[half:])
    j = 0
    for v in left:  # for each of the left half, how many of the right half are smaller
        while j < len(right) and right[j] < v:
            j += 1
        count += j
    return count


def spread(columns, width, height, box_width, box_height):
    """Box centres {key: (x, y)}, centred on the origin: the columns spread so that the outer boxes'
    edges span `width`, and each column's boxes spread over the same height: the tallest column's
    outer edges span `height`, a column of k boxes sits in k equal bands of it, a box in each middle."""
    count, rows = len(columns), max(len(col) for col in columns)
    pitch = (width - box_width) / (count - 1) if count > 1 else 0
    span = rows * (height - box_height) / (rows - 1) if rows > 1 else 0
    out = {}
    for c, col in enumerate(columns):
        for j, k in enumerate(col):
            out[k] = ((c - (count - 1) / 2) * pitch, span / 2 - (j + 0.5) * span / len(col))
    return out


def framing(extents, focus, width, height):
    """Where to centre a `width` × `height` window over boxes [(left, bottom, right, top), ...] so that
    it shows the rectangles of `focus` whole (as many of them as fit, in order) and, of the places that
    do, the most boxes whole (the nearest the focus's centre among equals). Candidates put a window
    edge on a box edge, so that a camera following the gradient never shows a column or a row cut in
    half. (`Framing` answers it again and again for one layout.)"""
    return Framing(extents, width, height).centre(focus)


class Framing:
    """`framing` for one layout, asked once per camera move: the candidate window edges are sorted and
    the boxes filed in Tiles once, so that each answer costs what lies near the focus, not the graph."""

    def __init__(self, extents, width, height):
        self.box = np.asarray(extents, dtype=float).reshape(-1, 4)
        self.width, self.height = width, height
        self.low, self.high = self.box[:, :2].min(axis=0), self.box[:, 2:].max(axis=0)
        self.edges = [np.unique(np.concatenate([self.box[:, axis] + span / 2, self.box[:, axis + 2] - span / 2]))
                      for axis, span in ((0, width), (1, height))]
        self.tiles = Tiles(self.box, width, height)

    def centre(self, focus):
        width, height, box, low, high = self.width, self.height, self.box, self.low, self.high
        mine = np.array(focus, dtype=float)
        while len(mine) > 1 and np.any(mine[:, 2:].max(axis=0) - mine[:, :2].min(axis=0) > [width, height]):
            mine = mine[:-1]
        f0, f1 = mine[:, :2].min(axis=0), mine[:, 2:].max(axis=0)
        centre = (f0 + f1) / 2
        axes = []
        for axis, span in ((0, width), (1, height)):
            if high[axis] - low[axis] <= span:
                axes.append(np.array([(low[axis] + high[axis]) / 2]))
                continue
            near = min(max(centre[axis], low[axis] + span / 2), high[axis] - span / 2)
            edges, slack = self.edges[axis], 1e-3 * span  # a superset of the window edges kept below
            nearby = edges[np.searchsorted(edges, f1[axis] - span / 2 - slack):
                           np.searchsorted(edges, f0[axis] + span / 2 + slack, side="right")]
            options = np.concatenate([[near], nearby])
            keep = (options - span / 2 <= f0[axis] + 1e-6) & (options + span / 2 >= f1[axis] - 1e-6)
            axes.append(np.unique(options[keep]) if keep.any() else np.array([near]))
        xs, ys = np.meshgrid(axes[0], axes[1], indexing="ij")
        xs, ys = xs.ravel()[:, None], ys.ravel()[:, None]
        eps = 1e-6
        # a box whole inside a candidate window has its lower-left corner in the area they cover together
        box = box[self.tiles.cornered(xs.min() - width / 2 - eps, ys.min() - height / 2 - eps,
                                      xs.max() + width / 2 + eps, ys.max() + height / 2 + eps)]
        whole = ((box[None, :, 0] >= xs - width / 2 - eps) & (box[None, :, 2] <= xs + width / 2 + eps)
                 & (box[None, :, 1] >= ys - height / 2 - eps) & (box[None, :, 3] <= ys + height / 2 + eps)).sum(axis=1)
        distance = np.hypot(xs[:, 0] - centre[0], ys[:, 0] - centre[1])
        best = np.lexsort((distance, -whole))[0]
        return float(xs[best, 0]), float(ys[best, 0])


class Tiles:
    """Rectangles (left, bottom, right, top) filed by the cell of a grid their lower-left corner lies in,
    each cell the size of a camera's window: a rectangle whole inside a window has its corner in one of
    the few cells the window overlaps, so asking what a window shows looks at those, not at every box."""

    def __init__(self, rects, width, height):
        self.rects = np.asarray(rects, dtype=float).reshape(-1, 4)
        self.cell = (width, height)
        cells = {}
        for i, (x, y) in enumerate(self.rects[:, :2].tolist()):
            cells.setdefault((math.floor(x / width), math.floor(y / height)), []).append(i)
        self.cells = {c: np.array(found, dtype=np.int64) for c, found in cells.items()}

    def cornered(self, left, bottom, right, top):
        """Indices, ascending, of the rectangles whose lower-left corner lies in the area."""
        w, h = self.cell
        xs = range(math.floor(left / w), math.floor(right / w) + 1)
        ys = range(math.floor(bottom / h), math.floor(top / h) + 1)
        if len(xs) * len(ys) <= len(self.cells):
            found = [self.cells[c] for c in ((i, j) for i in xs for j in ys) if c in self.cells]
        else:  # an area larger than the graph
            found = [f for (i, j), f in self.cells.items() if i in xs and j in ys]
        if not found:
            return np.zeros(0, dtype=np.int64)
        near = np.sort(np.concatenate(found))
        x, y = self.rects[near, 0], self.rects[near, 1]
        return near[(left <= x) & (x <= right) & (bottom <= y) & (y <= top)]

    def inside(self, left, bottom, right, top):
        """Indices, ascending, of the rectangles whole inside the area."""
        near = self.cornered(left, bottom, right, top)
        r = self.rects[near]
        return near[(r[:, 2] <= right) & (r[:, 3] <= top)]


def packed(columns, links, pitch_x, pitch_y, group=None):
    """Box centres {key: (x, y)} at fixed pitches, for a camera to follow: the fullest column stacked
    in the middle (a row apart between boxes of different `group`s, such as examples), then each
    column to its right at the heights of what it reads, each to its left at the heights of what
    reads it (the neighbours in the next column, when there are), as near as the pitch allows: a
    neuron sits beside its inputs, and a chain of sums runs straight."""
    column = {k: c for c, col in enumerate(columns) for k in col}
    inputs, outputs = {}, {}
    for t, h in links:
        inputs.setdefault(h, []).append(t)
        outputs.setdefault(t, []).append(h)
    start = max(range(len(columns)), key=lambda c: len(columns[c]))
    group = group or {}
    y, at = {}, 0.0
    for j, k in enumerate(columns[start]):
        if j and group.get(k) != group.get(columns[start][j - 1]):
            at -= pitch_y
        y[k] = at
        at -= pitch_y
    y = {k: v - at / 2 - pitch_y / 2 for k, v in y.items()}
    for order, near, step in ((range(start + 1, len(columns)), inputs, -1), (range(start - 1, -1, -1), outputs, 1)):
        for c in order:
            wanted = []
            for k in columns[c]:
                placed = [n for n in near.get(k, []) if n in y]
                beside = [n for n in placed if column[n] == c + step] or placed
                wanted.append(sum(y[n] for n in beside) / len(beside) if beside else None)
            for k, h in zip(columns[c], _stacked(wanted, pitch_y)):
                y[k] = h
    count = len(columns)
    return {k: ((c - (count - 1) / 2) * pitch_x, y[k]) for c, col in enumerate(columns) for k in col}


def _stacked(wanted, pitch):
    """Heights for a column's boxes, top to bottom and `pitch` apart at least, as near as can be to
    the `wanted` ones (None: anywhere, just below the box above): pool adjacent violators on
    z_j = y_j + j·pitch, which must not increase."""
    blocks = []  # [total weight, weighted sum, count]
    last = 0.0
    for j, w in enumerate(wanted):
        weight = 1.0 if w is not None else 1e-6
        target = (w if w is not None else last - pitch) + j * pitch
        last = w if w is not None else last - pitch
        blocks.append([weight, weight * target, 1])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][0] < blocks[-1][1] / blocks[-1][0]:
            w2, s2, n2 = blocks.pop()
            blocks[-1][0] += w2
            blocks[-1][1] += s2
            blocks[-1][2] += n2
    out, j = [], 0
    for weight, total, n in blocks:
        for _ in range(n):
            out.append(total / weight - j * pitch)
            j += 1
    return out
