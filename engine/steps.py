"""What a trace holds, and the Step that scenes replay: the distinct graphs of a run (ops, labels,
inputs, in creation order) and, for every step, the numbers of each node as columns (StepColumns), or
only the parameters and losses (ParameterTable). `Step` is one step: its graph, forward values, the
backward events in the order they ran, and the parameters before and after its update.

nnanim.engine.trace wraps a store in a Trace; nnanim.engine.tracefile reads and writes them.
"""

import re
from dataclasses import dataclass, field

import numpy as np

from nnanim.engine.packing import TABLES, pack_rows, unpack
from nnanim.engine.value import Value, op_arity, rule_for
from nnanim.errors import NnanimError

MAX_TEXT = 1000  # characters in a label, or in any string a trace's header holds
LEVELS = ("all", "params")  # what a recorder keeps: StepColumns.level, ParameterTable.level


class TraceError(NnanimError):
    """A trace that cannot be read or used; the message is meant for the user, on one line."""


# Characters no label shows, and that drive a terminal or reorder text: controls (ESC, BEL, NUL, ...)
# and the bidirectional overrides and isolates.
UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def storable_labels(labels):
    """Labels as a trace stores them: str() of anything that is not a string, characters no label shows
    replaced by `?`. A label that cannot be stored is refused here, while recording, rather than by every
    reader of the saved file."""
    out = []
    for label in labels:
        if type(label) is not str:
            try:
                label = str(label)
            except Exception:
                raise TraceError(f"a label of type {type(label).__name__} cannot be stored in a trace "
                                 "(str() of it fails)") from None
        out.append(UNSHOWN.sub("?", label))
    check_labels(out)
    return out


def check_labels(labels):
    """TraceError unless every label is a string of at most MAX_TEXT characters that UTF-8 can hold, with
    no character that a label does not show (a trace nnanim wrote has none)."""
    if any(type(label) is not str for label in labels):
        raise TraceError("a label is not a string")
    unshown = next((m for m in map(UNSHOWN.search, labels) if m), None)
    if unshown:
        raise TraceError(f"a label holds the control character U+{ord(unshown.group()):04X}")
    if labels and max(map(len, labels)) > MAX_TEXT:
        raise TraceError(f"a label is longer than {MAX_TEXT} characters")
    try:
        "".join(labels).encode("utf-8")
    except UnicodeEncodeError:
        raise TraceError("a label holds a lone surrogate, which UTF-8 cannot store") from None


class Graph:
    """The structure of one step: node i has op ops[i], label labels[i] and inputs inputs(i)."""

    def __init__(self, ops, labels, arity, edges):
        self.ops = list(ops)
        self.labels = list(labels)
        self.arity = np.asarray(arity, dtype=np.int32)
        self.edges = np.asarray(edges, dtype=np.int32)
        self.starts = np.concatenate([[0], np.cumsum(self.arity)]).astype(np.int64)
        self.leaves = np.flatnonzero(self.arity == 0)
        self.leaf_list = self.leaves.tolist()
        self._inputs = [tuple(int(j) for j in self.edges[s:e])
                        for s, e in zip(self.starts[:-1], self.starts[1:])]

    def __len__(self):
        return len(self.ops)

    def inputs(self, i):
        """Indices of node i's inputs, in order."""
        return self._inputs[i]

    @property
    def root(self):
        """The node backward() ran from: created last, since it depends on everything else."""
        return len(self.ops) - 1

    def validate(self):
        """Refuse a structure the engine could not have made: sizes that disagree, an op it does not know
        or with the wrong number of inputs, a label it cannot store, an edge that points forward or out of
        range (creation order is topological). The recorder checks each new graph with this too."""
        n = len(self.ops)
        if n == 0:
            raise TraceError("graph has no nodes")
        if len(self.labels) != n or len(self.arity) != n or int(self.arity.sum(dtype=np.int64)) != len(self.edges):
            raise TraceError("graph sizes disagree (ops, labels, arity, edges)")
        if self.arity.min() < 0:
            i = int(np.argmin(self.arity))
            raise TraceError(f"graph node {i} has {self.arity[i]} inputs")
        if any(type(op) is not str for op in self.ops):
            raise TraceError("graph has an op that is not a string")
        takes = {op: op_arity(op) for op in set(self.ops)}
        unknown = sorted(op for op, k in takes.items() if k is None)
        if unknown:
            raise TraceError(f"graph has an op the engine does not know: {unknown[0][:40]!r}")
        wrong = np.flatnonzero(np.fromiter(map(takes.__getitem__, self.ops), np.int64, n) != self.arity)
        if len(wrong):
            i = int(wrong[0])
            raise TraceError(f"graph node {i} ({self.ops[i] or 'a leaf'}) has {self.arity[i]} inputs, "
                             f"not {takes[self.ops[i]]}")
        check_labels(self.labels)
        owner = np.repeat(np.arange(n), self.arity)
        if len(self.edges) and (self.edges.min() < 0 or np.any(self.edges >= owner)):
            raise TraceError("graph has an edge to a node that does not come before it")


@dataclass
class ForwardEvent:
    node: int
    op: str
    label: str
    inputs: tuple
    data: float


@dataclass
class BackwardEvent:
    """Node `node` passed its grad on: input inputs[k] received received[k], its grad became grads[k]."""

    node: int
    op: str
    grad: float
    inputs: tuple
    received: tuple
    grads: tuple


@dataclass
class Update:
    """One parameter's change after a step: old and new data, and the grad that drove it."""

    label: str
    old: float
    new: float
    grad: float
    reset: bool = False


@dataclass
class Step:
    """One step of a trace: a graph and the numbers of its nodes (views into the trace's columns)."""

    index: int
    graph: Graph
    data: np.ndarray
    grad_before: np.ndarray
    grad: np.ndarray
    leaf_uids: np.ndarray
    updates: list = field(default_factory=list)
    recorded: tuple | None = None  # (nodes, grads, amounts) as a class's own backward ran; None: derive

    @classmethod
    def of(cls, root):
        """A step made from live Values: the graph of `root` with its current data and grads."""
        from nnanim.engine.value import topological_order
        topo = topological_order(root)
        index = {v: i for i, v in enumerate(topo)}
        graph = Graph([v.op for v in topo], [v.label for v in topo], [len(v.prev) for v in topo],
                      [index[c] for v in topo for c in v.prev])
        grads = np.array([v.grad for v in topo], dtype=np.float64)
        return cls(0, graph, np.array([v.data for v in topo], dtype=np.float64), np.zeros(len(topo)),
                   grads, np.arange(len(graph.leaves)))

    @property
    def loss(self):
        return float(self.data[self.graph.root])

    def forward_events(self):
        """Every node in the order it was created, with its value."""
        g = self.graph
        return [ForwardEvent(i, g.ops[i], g.labels[i], g.inputs(i), float(self.data[i]))
                for i in range(len(g))]

    def rebuild(self):
        """The step's graph as live Values, with its data and its grads as they were before backward.
        Their numbers are numpy float64s, bit for bit the stored ones, so that the rules meet a diverged
        (or crafted) value with IEEE inf and nan where Python floats raise OverflowError."""
        g = self.graph
        values = []
        for i in range(len(g)):
            v = Value(self.data[i], [values[j] for j in g.inputs(i)], g.ops[i], g.labels[i])
            v._back = rule_for(g.ops[i]) if g.arity[i] else None
            v.grad = self.grad_before[i]
            values.append(v)
        return values

    def backward_events(self):
        """The backward pass in the order it ran: as recorded (a class's own Value, bugs and all: a rule
        that ran twice is here twice), or replayed with the engine's own rules (nnanim's Value)."""
        if self.recorded is not None:
            return self._recorded_events()
        values = self.rebuild()
        index = {v: i for i, v in enumerate(values)}
        values[-1].grad = np.float64(1.0)
        events = []
        with np.errstate(all="ignore"):
            for v in reversed(values):
                if v._back is None:
                    continue
                received = v.local_gradients()
                for child, g in zip(v.prev, received):
                    child.grad += g
                events.append(BackwardEvent(index[v], v.op, float(v.grad), tuple(index[c] for c in v.prev),
                                            tuple(map(float, received)), tuple(float(c.grad) for c in v.prev)))
        return events


    def _recorded_events(self):
        nodes, grads, amounts = self.recorded
        g = self.graph
        running = np.array(self.grad_before, dtype=np.float64)
        if len(nodes):
            running[g.root] = grads[0] if nodes[0] == g.root else 1.0  # backward() sets the root's grad first
        events, at = [], 0
        for node, grad in zip(nodes.tolist(), grads.tolist()):
            inputs = g.inputs(node)
            received = amounts[at:at + len(inputs)]
            at += len(inputs)
            for child, amount in zip(inputs, received):
                running[child] += amount
            events.append(BackwardEvent(node, g.ops[node], float(grad), tuple(inputs), tuple(map(float, received)),
                                        tuple(float(running[c]) for c in inputs)))
        return events


class ParameterTable:
    """What a trace recorded at level "params" keeps: per step the loss and every parameter's value
    (plus the end state) and grads; no graphs. Answers what StepColumns answers, except `step`."""

    level = "params"

    def __init__(self, labels, values, grads, grad_before, losses):
        self.labels = list(labels)
        self.values = np.asarray(values, dtype=np.float64).reshape(len(losses) + 1, len(self.labels))
        self.grads = np.asarray(grads, dtype=np.float64).reshape(len(losses), len(self.labels))
        self.grad_before = np.asarray(grad_before, dtype=np.float64).reshape(self.grads.shape)
        self.losses = np.asarray(losses, dtype=np.float64)
        self.graphs, self.columns, self.final = [], [], {}  # the file's graph part, empty at this level
        self.step_graph = np.zeros(0, dtype=np.int32)

    @property
    def num_steps(self):
        return len(self.losses)

    def step(self, k):
        raise TraceError("this trace was recorded with --record params: it keeps parameters and losses but "
                         "no graphs; record with --record all for this")

    def parameters(self):
        return list(self.labels)

    def parameter_count(self):
        return len(self.labels)

    def parameter_series(self):
        return self.values.copy(), self.grads.copy()

    def first_bad_step(self):
        bad = ~np.isfinite(self.losses) | ~np.isfinite(self.values[:-1]).all(axis=1) \
            | ~np.isfinite(self.grads).all(axis=1)
        return int(np.argmax(bad)) if bad.any() else None


def _joined(parts):
    """Tables stacked by rows; one part as it is (no copy)."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


class RecordedEvents:
    """The backward passes as a class's own Value ran them, for every step, flat: count[k] events in step k
    (-1: none recorded, derive them), each a node, that node's grad as its rule ran, and what it added to
    each of its inputs (in the graph's input order: amounts[...] has arity[node] numbers per event)."""

    def __init__(self, count, node, grad, amount):
        self.count = np.asarray(count, dtype=np.int64)
        self.node = np.asarray(node, dtype=np.int32)
        self.grad = np.asarray(grad, dtype=np.float64)
        self.amount = np.asarray(amount, dtype=np.float64)
        self._event_start = np.concatenate([[0], np.cumsum(np.maximum(self.count, 0))])
        self._amount_start = None

    def of_step(self, k):
        if self.count[k] < 0:
            return None
        a, b = self._event_start[k], self._event_start[k + 1]
        return self.node[a:b], self.grad[a:b], self.amount[self._amount_starts()[k]:self._amount_starts()[k + 1]]

    def _amount_starts(self):
        if self._amount_start is None:
            raise TraceError("recorded events need their graphs' arity: call with_arity first")
        return self._amount_start

    def with_arity(self, arity_of_step):
        """Where each step's amounts start, from each event node's arity (arity_of_step(k) -> array);
        TraceError if a node is out of its graph or the amounts do not add up."""
        starts = [0]
        for k, c in enumerate(self.count.tolist()):
            nodes = self.node[self._event_start[k]:self._event_start[k + 1]]
            arity = arity_of_step(k)
            if len(nodes) and (nodes.min() < 0 or nodes.max() >= len(arity)):
                raise TraceError(f"a recorded event of step {k} names a node its graph does not have")
            starts.append(starts[-1] + int(arity[nodes].sum()))
        if starts[-1] != len(self.amount):
            raise TraceError(f"recorded events hold {len(self.amount)} amounts; their nodes' inputs need {starts[-1]}")
        self._amount_start = np.array(starts, dtype=np.int64)
        return self


class StepColumns:
    """What a trace recorded at level "all" keeps: its distinct graphs, which graph each step used, per
    graph a column of numbers per node (data, grad_before, grad: steps x nodes; leaf_uid: steps x
    leaves), and `final`, uid -> (data, grad) of the last step's leaves when recording ended."""

    level = "all"

    def __init__(self, graphs=(), step_graph=(), columns=None, final=None, events=None, loader=None, packed=None,
                 tails=None, summary=None):
        self.graphs = list(graphs)
        self.step_graph = np.asarray(step_graph, dtype=np.int32)
        self._columns = list(columns) if columns is not None else [None] * len(self.graphs)
        self._loader = loader  # g -> that graph's tables, decoded from the file when first asked for
        self._packed = packed  # per graph, name -> [Packed]: a recorder's chunks, compressed as the run went
        self._tails = tails  # per graph: the steps after its chunks, as tables (or None)
        self.summary = summary  # losses, parameters (a count, or the (uid, label) table), first_bad_step
        self.final = dict(final or {})
        self.events = events  # RecordedEvents, or None: every step's events derived with the engine's rules
        self._row = np.zeros(len(self.step_graph), dtype=np.int64)  # each step's row in its graph's columns
        counts = np.zeros(len(self.graphs), dtype=np.int64)
        for k, g in enumerate(self.step_graph):
            self._row[k] = counts[g]
            counts[g] += 1
        self._params = None

    @property
    def columns(self):
        """Every graph's tables (data, grad_before, grad: steps x nodes; leaf_uid: steps x leaves)."""
        return [self.table(g) for g in range(len(self.graphs))]

    def table(self, g):
        """Graph g's tables, unpacked or read when first asked for."""
        if self._columns[g] is None:
            if self._packed is not None:
                tail = self._tails[g] if self._tails else None
                self._columns[g] = {name: _joined([unpack(c) for c in chunks] + ([tail[name]] if tail else []))
                                    for name, chunks in self._packed[g].items()}
            else:
                self._columns[g] = self._loader(g)
        return self._columns[g]

    def packed_tables(self, g):
        """Graph g's tables as the file stores them: chunks of steps, compressed."""
        if self._packed is not None:
            tail = self._tails[g] if self._tails else None
            return {name: chunks + (pack_rows(tail[name], "xor-shuffle-zlib") if tail else [])
                    for name, chunks in self._packed[g].items()}
        cols = self.table(g)
        return {name: pack_rows(np.asarray(cols[name], dtype=dtype), "xor-shuffle-zlib")
                for name, dtype in TABLES.items()}

    @property
    def num_steps(self):
        return len(self.step_graph)

    def rows(self, steps):
        """Where each of `steps` is in its graph's tables (a row of `table(g)`)."""
        return self._row[np.asarray(steps, dtype=np.int64)]

    def step(self, k):
        """Step k (0 <= k < num_steps) with its updates."""
        g = int(self.step_graph[k])
        cols, r = self.table(g), self._row[k]
        step = Step(k, self.graphs[g], cols["data"][r], cols["grad_before"][r], cols["grad"][r],
                    cols["leaf_uid"][r])
        step.updates = self._updates(k)
        step.recorded = self.events.of_step(k) if self.events is not None else None
        return step

    @property
    def losses(self):
        """The loss (the backward root's value) of every step."""
        if self.summary and self.summary.get("losses") is not None:
            return np.asarray(self.summary["losses"], dtype=np.float64)
        out = np.empty(self.num_steps)
        for g, graph in enumerate(self.graphs):
            out[self.step_graph == g] = self.table(g)["data"][:, graph.root]
        return out

    def parameter_count(self):
        if self.summary and isinstance(self.summary.get("parameters"), int):
            return self.summary["parameters"]
        return len(self._parameter_table())

    def parameters(self):
        """Labels of the leaves that take part in more than one step, in order of first appearance."""
        return [label for _, label in self._parameter_table()]

    def _parameter_table(self):
        """(uid, label) of every parameter: a leaf in two or more steps, or one updated after its step."""
        if self._params is None and self.summary and isinstance(self.summary.get("parameters"), list):
            self._params = self.summary["parameters"]
        if self._params is None:
            count, label, last = {}, {}, {}
            for g, graph in enumerate(self.graphs):
                cols = self.table(g)
                for row, uids in enumerate(cols["leaf_uid"]):
                    for pos, uid in zip(graph.leaves, uids.tolist()):
                        count[uid] = count.get(uid, 0) + 1
                        label.setdefault(uid, graph.labels[pos])
                        last[uid] = cols["data"][row, pos]
            updated = {uid for uid, (d, _) in self.final.items() if uid in last and d != last[uid]}
            self._params = [(uid, label[uid]) for uid in sorted(count) if count[uid] > 1 or uid in updated]
        return self._params

    def parameter_series(self):
        """(values, grads): values[k, p] is parameter p's data in step k, row S its value at the end;
        grads[k, p] its grad after step k's backward. NaN where a parameter is not in a step."""
        table = self._parameter_table()
        column = {uid: p for p, (uid, _) in enumerate(table)}
        values = np.full((self.num_steps + 1, len(table)), np.nan)
        grads = np.full((self.num_steps, len(table)), np.nan)
        for k in range(self.num_steps):
            g = int(self.step_graph[k])
            cols, r, leaves = self.table(g), self._row[k], self.graphs[g].leaves
            for pos, uid in zip(leaves, cols["leaf_uid"][r]):
                p = column.get(int(uid))
                if p is not None:
                    values[k, p] = cols["data"][r, pos]
                    grads[k, p] = cols["grad"][r, pos]
        for uid, p in column.items():
            if uid in self.final:
                values[-1, p] = self.final[uid][0]
        return values, grads

    def _updates(self, k):
        """What happened to each parameter of step k between its backward and the next step."""
        g = int(self.step_graph[k])
        cols, r, graph = self.table(g), self._row[k], self.graphs[g]
        nxt = self._leaf_values(k + 1)
        updates = []
        for pos, uid in zip(graph.leaves, cols["leaf_uid"][r]):
            uid = int(uid)
            if uid not in nxt:
                continue
            new, next_grad_before = nxt[uid]
            grad = float(cols["grad"][r, pos])
            updates.append(Update(graph.labels[pos], float(cols["data"][r, pos]), new, grad,
                                  reset=grad != 0 and next_grad_before == 0))
        return updates

    def _leaf_values(self, k):
        """uid -> (data, grad before backward) of the leaves of step k; the end state after the last."""
        if k >= self.num_steps:
            return {uid: (d, g) for uid, (d, g) in self.final.items()}
        g = int(self.step_graph[k])
        cols, r, graph = self.table(g), self._row[k], self.graphs[g]
        return {int(uid): (float(cols["data"][r, pos]), float(cols["grad_before"][r, pos]))
                for pos, uid in zip(graph.leaves, cols["leaf_uid"][r])}

    def first_bad_step(self):
        """The first step with a NaN or infinite number in it, or None."""
        if self.summary and "first_bad_step" in self.summary:
            return self.summary["first_bad_step"]
        bad = np.zeros(self.num_steps, dtype=bool)
        for g in range(len(self.graphs)):
            cols = self.table(g)
            rows_bad = ~np.isfinite(cols["data"]).all(axis=1) | ~np.isfinite(cols["grad"]).all(axis=1)
            bad[self.step_graph == g] = rows_bad
        return int(np.argmax(bad)) if bad.any() else None
