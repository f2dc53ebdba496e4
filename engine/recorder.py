"""The recording hook: `with record() as trace:` captures every step of whatever runs inside.

A step is one `backward()` call on a root (the step's loss). For each step the recorder keeps the
graph's structure once (ops, labels, inputs, in creation order) and, as columns, every node's data,
its grad before and after the backward pass, and the identity of each leaf, so that parameters can
be followed from step to step. Backward events, updates and gradient resets are derived from these
on replay (engine.trace), with the engine's own rules, so they equal what ran.
"""

from contextlib import contextmanager
from itertools import chain
from operator import attrgetter

import numpy as np

from nnanim.engine.packing import CHUNK_STEPS, TABLES, pack_rows
import nnanim.engine.value as value_module

BUFFER_BYTES = 24 << 20  # steps held as rows before they are packed (a long run's memory stays bounded)
from nnanim.engine.steps import LEVELS, Graph, ParameterTable, RecordedEvents, StepColumns, storable_labels
from nnanim.engine.trace import Trace
from nnanim.engine.tracefile import storable_meta

_data = attrgetter("data")
_grad = attrgetter("grad")
_op = attrgetter("op")
_label = attrgetter("label")
_prev = attrgetter("prev")
_serial = attrgetter("_serial")
_STR = {str}


class ParameterRecorder:
    """Level "params": per step only the loss and each leaf's identity, data and grads; at the end the
    leaves seen in two or more steps (or changed after the last) are the parameters, the rest is dropped."""

    def __init__(self):
        self.losses, self.rows = [], []
        self._leaves = self._before = None
        self._last = []  # the last step's leaves: their state at the end is the parameters' final value

    def before_backward(self, root, topo):
        self._leaves = [v for v in topo if not v.prev]
        self._before = list(map(_grad, self._leaves))

    def after_backward(self, root, topo, events=None):
        leaves = self._leaves
        self.rows.append((list(map(_serial, leaves)), list(map(_label, leaves)), list(map(_data, leaves)),
                          self._before, list(map(_grad, leaves))))
        self.losses.append(root.data)
        self._last = leaves

    def finish(self, trace):
        count, label, final = {}, {}, {}
        for serials, labels, *_ in self.rows:
            for s, name in zip(serials, labels):
                count[s] = count.get(s, 0) + 1
                label.setdefault(s, name)
        for v in self._last:
            final[v._serial] = (v.data, v.grad)
        last_data = {s: d for s, d in zip(self.rows[-1][0], self.rows[-1][2])} if self.rows else {}
        params = [s for s in count if count[s] > 1 or s in final and final[s][0] != last_data.get(s)]
        column = {s: p for p, s in enumerate(params)}
        steps = len(self.rows)
        values, grads, before = (np.full((n, len(params)), np.nan) for n in (steps + 1, steps, steps))
        for k, (serials, _, data, grad_before, grad) in enumerate(self.rows):
            for s, d, g0, g in zip(serials, data, grad_before, grad):
                p = column.get(s)
                if p is not None:
                    values[k, p], before[k, p], grads[k, p] = d, g0, g
        for s, p in column.items():
            if s in final:
                values[steps, p] = final[s][0]
        labels = storable_labels([label[s] for s in params])
        trace.store = ParameterTable(labels, values, grads, before, self.losses)


class Recorder:
    """Collects steps as plain lists while a run goes on; `finish()` turns them into a Trace."""

    def __init__(self):
        self._graphs = []  # Graph, in order of first use
        self._graph_ids = {}  # structure key -> index into _graphs
        self._last_key = None
        self._last_id = -1
        self._step_graph = []
        self._rows = []  # per graph: the steps not yet packed: lists of data, grad_before, grad, leaf uids
        self._packed = []  # per graph: name -> [Packed], a chunk of CHUNK_STEPS steps each, compressed
        self._grad_before = None
        self._last_leaves = []
        self._events = []  # per step: (nodes, grads, amounts) as a class's own backward ran, or None
        self._uid = {}  # leaf serial -> uid, in order of first appearance
        self._label = []  # per uid: its label
        self._count, self._last = np.zeros(0, np.int64), np.zeros(0)  # per uid: steps it is in, its last data
        self._packed_rows = []  # per graph: steps already packed
        self._tails = []  # per graph: its last steps as stacked tables, when recording ends
        self._buffered = 0  # bytes of steps held as rows
        self._steps_of = []  # per graph: the steps that used it
        self._losses, self._bad = [], None

    def before_backward(self, root, topo):
        self._grad_before = np.fromiter(map(_grad, topo), np.float64, len(topo))

    def after_backward(self, root, topo, events=None):
        """`events`: (nodes, grads, amounts) when the backward was a class's own (engine/foreign.py)."""
        gid = self._graph_id(topo)
        graph, rows = self._graphs[gid], self._rows[gid]
        data = np.fromiter(map(_data, topo), np.float64, len(topo))
        leaves = list(map(topo.__getitem__, graph.leaf_list))
        rows[0].append(data)
        rows[1].append(self._grad_before)
        rows[2].append(np.fromiter(map(_grad, topo), np.float64, len(topo)))
        rows[3].append(np.fromiter((self._uid_of(v._serial, graph, pos) for v, pos in zip(leaves, graph.leaves)),
                                   np.int64, len(leaves)))  # uids in order of first appearance, step by step
        self._losses.append(data[graph.root])
        self._steps_of[gid].append(len(self._step_graph))
        self._step_graph.append(gid)
        self._last_leaves = leaves
        self._events.append(events)
        self._buffered += 3 * data.nbytes
        if self._buffered >= BUFFER_BYTES and len(rows[0]) >= CHUNK_STEPS:
            self._pack(gid)

    def _pack(self, gid, tail=False):
        """The graph's steps held as rows, compressed in chunks of CHUNK_STEPS steps (but for fewer than
        a chunk, kept for later), with what the summary needs taken from them on the way. With `tail`,
        the rest is not packed but stacked: a run that ends before it fills the buffer is never packed
        while it runs (the save packs it), which keeps recording as fast as holding rows."""
        rows, graph = self._rows[gid], self._graphs[gid]
        count = len(rows[0]) if tail else len(rows[0]) // CHUNK_STEPS * CHUNK_STEPS
        if not count:
            return
        data, before, grad = (np.stack(column[:count]) for column in rows[:3])
        uids = np.stack(rows[3][:count]) if count else np.zeros((0, len(graph.leaves)), np.int64)
        tables = {"data": data, "grad_before": before, "grad": grad, "leaf_uid": uids}
        if tail:
            self._tails[gid] = tables
        else:
            for name, table in tables.items():
                self._packed[gid][name] += pack_rows(table, "xor-shuffle-zlib")
        if len(self._count) < len(self._uid):
            self._count = np.concatenate([self._count, np.zeros(len(self._uid) - len(self._count), np.int64)])
            self._last = np.concatenate([self._last, np.zeros(len(self._uid) - len(self._last))])
        np.add.at(self._count, uids.ravel(), 1)
        self._last[uids] = data[:, graph.leaves]  # row by row in step order: the last step's value stays
        bad = ~(np.isfinite(data).all(axis=1) & np.isfinite(grad).all(axis=1))
        if bad.any():
            first = self._steps_of[gid][self._packed_rows[gid] + int(np.argmax(bad))]
            self._bad = first if self._bad is None else min(self._bad, first)
        self._packed_rows[gid] += len(data)
        self._buffered -= 3 * data.nbytes
        self._rows[gid] = tuple(column[count:] for column in rows)

    def _uid_of(self, serial, graph, pos):
        uid = self._uid.get(serial)
        if uid is None:
            uid = self._uid[serial] = len(self._uid)
            self._label.append(graph.labels[pos])
        return uid

    def _graph_id(self, topo):
        ops = list(map(_op, topo))
        labels = list(map(_label, topo))
        if set(map(type, labels)) != _STR:  # a script's Value(1.0, label=12345): stored as "12345"
            labels = storable_labels(labels)
        prevs = list(map(_prev, topo))
        index = dict(zip(topo, range(len(topo))))
        edges = list(map(index.__getitem__, chain.from_iterable(prevs)))
        arity = list(map(len, prevs))
        key = (ops, labels, arity, edges)
        if key == self._last_key:
            return self._last_id
        hashable = tuple(map(tuple, key))
        gid = self._graph_ids.get(hashable)
        if gid is None:
            graph = Graph(ops, storable_labels(labels), arity, edges)  # a new graph: its labels made storable
            graph.validate()  # what a reader would refuse is refused now, while the run can still be fixed
            gid = len(self._graphs)
            self._graph_ids[hashable] = gid
            self._graphs.append(graph)
            self._rows.append(([], [], [], []))
            self._packed.append({name: [] for name in TABLES})
            self._packed_rows.append(0)
            self._tails.append(None)
            self._steps_of.append([])
        self._last_key, self._last_id = key, gid
        return gid

    def finish(self, trace):
        for gid in range(len(self._graphs)):
            self._pack(gid, tail=True)
        final = {self._uid[v._serial]: (v.data, v.grad) for v in self._last_leaves}
        updated = {uid for uid, (d, _) in final.items() if d != self._last[uid]}
        parameters = [(uid, self._label[uid]) for uid in range(len(self._uid)) if self._count[uid] > 1 or uid in updated]
        trace.store = StepColumns(self._graphs, self._step_graph, final=final, events=self._recorded_events(),
                                  packed=self._packed, tails=self._tails,
                                  summary={"losses": np.array(self._losses, dtype=np.float64),
                                           "parameters": parameters, "first_bad_step": self._bad})

    def _recorded_events(self):
        if all(e is None for e in self._events):
            return None
        present = [e for e in self._events if e is not None]
        events = RecordedEvents([-1 if e is None else len(e[0]) for e in self._events],
                                np.concatenate([e[0] for e in present]), np.concatenate([e[1] for e in present]),
                                np.concatenate([e[2] for e in present]))
        return events.with_arity(lambda k: self._graphs[self._step_graph[k]].arity)


class Watched:
    """A recorder that also tells `watch(root, topo)` after each step it records: a view of the run while
    it goes on (a notebook's live widget), which decides itself how often to look."""

    def __init__(self, recorder, watch):
        self.recorder, self.watch = recorder, watch

    def before_backward(self, root, topo):
        self.recorder.before_backward(root, topo)

    def after_backward(self, root, topo, events=None):
        self.recorder.after_backward(root, topo, events)
        self.watch(root, topo)

    def finish(self, trace):
        self.recorder.finish(trace)


@contextmanager
def record(level="all", watch=None, **meta):
    """Record every backward() run inside the block; the yielded Trace is complete after it.
    level "all" keeps every node of every step; "params" only parameters, their grads and the losses
    (enough for loss curves and decision boundaries, a fraction of the size). `watch(root, topo)`, if
    given, is called after each step is recorded."""
    if level not in LEVELS:
        raise ValueError(f"record level must be one of {', '.join(LEVELS)}, not {level!r}")
    recorder = Recorder() if level == "all" else ParameterRecorder()
    if watch is not None:
        recorder = Watched(recorder, watch)
    trace = Trace(meta=storable_meta(meta))
    outer = value_module._recorder
    value_module._recorder = recorder
    try:
        yield trace
    finally:
        value_module._recorder = outer
        recorder.finish(trace)
