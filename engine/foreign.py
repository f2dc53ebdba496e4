"""A class's own Value, watched as it runs: found by its shape, its backward recorded as it really ran.

The workshop has students write their own `Value`; teachers use micrograd's or the lecture's. They
differ in names, never in shape. A **Value class** here is a class with a `backward()` method whose
instances have:

- `data` and `grad`: numbers;
- the values it was computed from, in the first of `prev`, `_prev`, `children`, `_children` that is
  a tuple, list, set or frozenset (a set has no order: inputs are put in creation order);
- the op that made it, in `op` or `_op` (a string; "" for a leaf), and optionally a `label`;
- its local backward rule, in `back`, `_backward` or `backward_fn`: a callable of no arguments that
  adds to its inputs' grads.

`watching(sink)` hooks class creation while a script runs: every class defined with a `backward()`
and arithmetic (`__add__` or `__mul__`) gets its instances numbered in creation order and its
`backward()` watched. Each call hands the sink a `Pass`: the graph as it stood (nodes in creation
order, their inputs, ops, labels, data, grads before), every local backward that ran, in order, with
what it added to each input's grad (a node whose rule runs twice appears twice), and the grads after.
Nothing about the class is changed but that: its own code runs, bugs included.
"""

import builtins
import inspect
import itertools
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from nnanim.errors import NnanimError

INPUTS = ("prev", "_prev", "children", "_children")
OPS = ("op", "_op")
LOCAL_BACKWARDS = ("back", "_backward", "backward_fn")
SERIAL = "_nnanim_serial"


class NotAValue(NnanimError, TypeError):
    """An object that does not have a Value's shape; the message says what is missing."""


@dataclass(frozen=True)
class Shape:
    """Where a Value class keeps its parts (attribute names)."""

    inputs: str
    op: str | None
    label: str | None
    local_backward: str
    unordered: bool  # inputs kept in a set: put in creation order


@dataclass
class Event:
    """One local backward that ran: the node's index, its own grad as it ran, and what it added to each
    input's grad."""

    node: int
    added: dict  # input index -> amount added (the grad after minus before)
    grad: float = 0.0


@dataclass
class Pass:
    """One call of backward(): the graph and what ran on it."""

    root: int
    nodes: list  # the node objects, in creation order
    inputs: list  # per node: input indices, in the class's order (creation order for a set)
    ops: list
    labels: list
    data: list
    grad_before: list
    events: list = field(default_factory=list)
    grad_after: list = field(default_factory=list)


def shape_of(value):
    """The Shape of one instance, or NotAValue saying what it lacks."""
    missing = [name for name in ("data", "grad") if not hasattr(value, name)]
    inputs = next((n for n in INPUTS if isinstance(getattr(value, n, None), (tuple, list, set, frozenset))), None)
    if inputs is None:
        missing.append(f"its inputs ({', '.join(INPUTS)})")
    local = next((n for n in LOCAL_BACKWARDS if callable(getattr(value, n, None))), None)
    if local is None:
        missing.append(f"a local backward rule ({', '.join(LOCAL_BACKWARDS)})")
    if missing:
        raise NotAValue(f"{type(value).__name__} has no {', no '.join(missing)}")
    op = next((n for n in OPS if isinstance(getattr(value, n, None), str)), None)
    label = "label" if isinstance(getattr(value, "label", None), str) else None
    return Shape(inputs, op, label, local, isinstance(getattr(value, inputs), (set, frozenset)))


def looks_like_value_class(cls):
    """A class worth watching: it has backward() and arithmetic (its instances are checked later)."""
    return callable(getattr(cls, "backward", None)) and any(
        callable(getattr(cls, name, None)) for name in ("__add__", "__mul__"))


def _serial(node):
    return getattr(node, SERIAL, -1)


def graph_of(root, shape):
    """Every node reachable from root, in creation order (inputs before what they make); in a
    topological order where a class cannot hold the numbers (__slots__ without room)."""
    seen, stack = {id(root): root}, [root]
    while stack:
        for child in getattr(stack.pop(), shape.inputs):
            if id(child) not in seen:
                seen[id(child)] = child
                stack.append(child)
    if all(_serial(n) >= 0 for n in seen.values()):
        return sorted(seen.values(), key=_serial)
    return _topological(root, shape)


def _topological(root, shape):
    """Inputs before what they make, without recursion (a graph may be deep)."""
    order, done, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in done:
            continue
        if expanded:
            done.add(id(node))
            order.append(node)
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(_inputs(node, shape)) if id(child) not in done)
    return order


def _inputs(node, shape):
    found = getattr(node, shape.inputs)
    return sorted(found, key=_serial) if shape.unordered else list(found)


_sink = None  # while `watching`: where each Pass goes (a class stays watched after, quietly)
_depth = [0]  # watched backward() calls under way
_counter = itertools.count()  # creation order, across runs (a module may be imported once per process)


def watch_backward(backward):
    """backward() wrapped: while watching, the Pass of each call goes to the sink once the class's own
    backward returns."""

    def watched(self, *args, **kwargs):
        sink = _sink
        if sink is None or _depth[0]:  # a recursive backward() calling its inputs' is one pass, not many
            return backward(self, *args, **kwargs)
        try:
            shape = shape_of(self)
        except NotAValue:  # a class with backward() and arithmetic that is no micrograd Value: left alone
            return backward(self, *args, **kwargs)
        nodes = graph_of(self, shape)
        index = {id(n): k for k, n in enumerate(nodes)}
        inputs = [[index[id(c)] for c in _inputs(n, shape)] for n in nodes]
        record = Pass(index[id(self)], nodes, inputs, [getattr(n, shape.op, "") if shape.op else "" for n in nodes],
                      [getattr(n, shape.label, "") if shape.label else "" for n in nodes],
                      [n.data for n in nodes], [n.grad for n in nodes])
        originals = []
        for k, node in enumerate(nodes):
            rule = getattr(node, shape.local_backward)
            originals.append((node, rule, _held_by_instance(node, shape.local_backward)))
            setattr(node, shape.local_backward, _logged(rule, node, k, [nodes[i] for i in sorted(set(inputs[k]))],
                                                        sorted(set(inputs[k])), record.events))
        _depth[0] += 1
        try:
            return backward(self, *args, **kwargs)
        finally:
            _depth[0] -= 1
            for node, rule, own in originals:
                if own:
                    setattr(node, shape.local_backward, rule)
                else:  # a method of the class, shadowed on the instance for the pass
                    delattr(node, shape.local_backward)
            record.grad_after = [n.grad for n in nodes]
            sink(record)

    watched.__wrapped__ = backward
    return watched


def _held_by_instance(node, name):
    """Whether the instance itself holds `name` (in its __dict__ or a slot), rather than its class."""
    if name in getattr(node, "__dict__", ()):
        return True
    return type(inspect.getattr_static(type(node), name, None)).__name__ == "member_descriptor"


def _logged(rule, node, k, parents, indices, events):
    def logged(*args, **kwargs):
        before, own = [p.grad for p in parents], node.grad
        try:
            return rule(*args, **kwargs)
        finally:
            events.append(Event(k, {i: p.grad - b for i, p, b in zip(indices, parents, before)}, own))
    return logged


def watch_class(cls):
    """Number cls's instances in creation order and watch its backward(); returns cls. Instances are
    numbered in __new__ (so that a @dataclass still makes its __init__); a subclass that overrides
    backward() is watched too."""
    if "_nnanim_watched" in cls.__dict__:
        return cls
    if not any("_nnanim_watched" in base.__dict__ for base in cls.__mro__[1:]):
        made = cls.__new__

        def numbered(klass, *args, **kwargs):
            obj = object.__new__(klass) if made is object.__new__ else made(klass, *args, **kwargs)
            try:
                object.__setattr__(obj, SERIAL, next(_counter))
            except (AttributeError, TypeError):  # __slots__ without room: the graph is ordered another way
                pass
            return obj

        cls.__new__ = numbered
    if "backward" in cls.__dict__:
        cls.backward = watch_backward(cls.backward)
    cls._nnanim_watched = True
    return cls


@contextmanager
def watching(sink, also=()):
    """While inside: every Value-shaped class created (and those in `also`) is watched; see the module."""
    global _sink
    original = builtins.__build_class__

    def build_class(func, name, *bases, **kwargs):
        cls = original(func, name, *bases, **kwargs)
        if isinstance(cls, type) and looks_like_value_class(cls) and not cls.__module__.startswith("nnanim."):
            watch_class(cls)
        return cls

    for cls in also:
        watch_class(cls)
    outer, _sink = _sink, sink
    builtins.__build_class__ = build_class
    try:
        yield
    finally:
        builtins.__build_class__ = original
        _sink = outer


# ----- a Pass as the recorder sees a step (engine.recorder reads data, grad, prev, op, label, _serial)
OP_ALIASES = {"ReLU": "relu", "Relu": "relu", "Tanh": "tanh", "Exp": "exp", "Log": "log", "**": None}


class ForeignOpError(NnanimError, ValueError):
    """An op of a class's own Value that nnanim cannot replay; one line for the user."""


class Node:
    """A graph node as nnanim's rules and recorder read it (data, grad, prev, op, label, _serial)."""

    __slots__ = ("data", "grad", "prev", "op", "label", "_serial")


def normalised_op(op, inputs):
    """The engine's name for a class's op (ReLU -> relu), or ForeignOpError."""
    from nnanim.engine.value import op_arity

    name = OP_ALIASES.get(op, op) if isinstance(op, str) else None
    if name is None or op_arity(name) is None:
        shown = str(op)[:40]
        raise ForeignOpError(f"the Value class uses the op {shown!r}, which nnanim cannot replay yet "
                             "(it knows +, *, **n, tanh, exp, log, relu)")
    return name


def adapted_nodes(inputs, ops, labels, data, grads, serials):
    """Nodes as nnanim's rules and recorder read them, in creation order: one per node of a class's own
    graph, given per node its input indices, op, label, data, grad and creation number."""
    from nnanim.engine.value import op_arity

    nodes = [Node() for _ in inputs]
    for k, node in enumerate(nodes):
        op = normalised_op(ops[k], inputs[k]) if inputs[k] else ""
        used = inputs[k] * 2 if len(inputs[k]) == 1 and op_arity(op) == 2 else inputs[k]  # a set holds a*a's once
        node.data, node.grad, node.op, node.label = float(data[k]), float(grads[k]), op, labels[k]
        node.prev = tuple(nodes[i] for i in used)
        node._serial = serials[k]
    return nodes


def record_pass(recorder, run):
    """Hand one Pass to an engine recorder as the step it is: the graph, the grads before and after."""
    serials = [_serial(n) if _serial(n) >= 0 else id(n) for n in run.nodes]  # no room for a number: identity
    nodes = adapted_nodes(run.inputs, run.ops, run.labels, run.data, run.grad_before, serials)
    root = nodes[run.root]
    recorder.before_backward(root, nodes)
    for node, grad in zip(nodes, run.grad_after):
        node.grad = float(grad)
    recorder.after_backward(root, nodes, _events_of(run, nodes))


def live_step(root):
    """A trace Step of a live Value as it stands (its graph, data and grads): nnanim's own Value, or any
    class's found by its shape (micrograd's, the lecture's, a student's). NotAValue or ForeignOpError,
    one line each, for what is not one or cannot be replayed."""
    from nnanim.engine.steps import Step
    from nnanim.engine.value import Value

    if isinstance(root, Value):
        return Step.of(root)
    shape = shape_of(root)
    found = graph_of(root, shape)
    index = {id(n): k for k, n in enumerate(found)}
    for n in found:
        shape_of(n)  # every node a Value of the same kind, or one line saying what it lacks
    nodes = adapted_nodes([[index[id(c)] for c in _inputs(n, shape)] for n in found],
                          [getattr(n, shape.op) if shape.op else None for n in found],
                          [getattr(n, shape.label) if shape.label else "" for n in found],
                          [n.data for n in found], [n.grad for n in found], range(len(found)))
    return Step.of(nodes[index[id(root)]])


def _events_of(run, nodes):
    """(nodes, grads, amounts) as the recorder keeps them (leaves' empty rules left out): per event, what it added to each input in the
    graph's input order (an input there twice, as a set's a*a, gets it all on its first edge)."""
    index = {id(n): k for k, n in enumerate(nodes)}
    which, grads, amounts = [], [], []
    for event in run.events:
        if not nodes[event.node].prev:
            continue  # a leaf's rule passes nothing on
        which.append(event.node)
        grads.append(float(event.grad))
        given = set()
        for child in nodes[event.node].prev:
            i = index[id(child)]
            amounts.append(0.0 if i in given else float(event.added.get(i, 0.0)))
            given.add(i)
    return (np.array(which, dtype=np.int32), np.array(grads, dtype=np.float64),
            np.array(amounts, dtype=np.float64))
