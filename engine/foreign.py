"""A class's own Value, watched as it runs: found by what it does, its backward recorded as it really ran.

The workshop has students write their own `Value`; teachers use micrograd's or the lecture's. A class of
thirty students uses thirty sets of names (`data`/`grad`/`_prev`, `val`/`g`/`_children`,
`value`/`gradient`/`parents`, ...), never another shape. A **Value class** here is a class with a
`backward()` method and arithmetic; `probe` finds its parts the way a teacher would, by building
`a*b + c` from a=2, b=-3, c=10 and watching:

- its number (data): the attribute that holds 2 in a and -3 in b;
- its inputs: the attribute of a*b + c that holds a*b and c (a tuple, list, set or frozenset; a set
  has no order: inputs are put in creation order);
- the op that made it: a string attribute that differs between a*b and a*b + c; a label: another
  string attribute, empty on a*b + c (optional);
- its grad: the number attribute that backward() turns into -3, 2 and 1 in a, b and c;
- its local backward rule: the callable of no arguments that, run on a*b + c alone, adds its grad to
  a*b's and c's.

A class that cannot be probed (its constructor wants more than a number) is read by the usual names
(`data`, `grad`, `prev`/`_prev`/`children`/`_children`, `op`/`_op`, `label`, `back`/`_backward`/
`backward_fn`); when neither works, the error says what was found and what is missing.

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
import math
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
    data: str = "data"
    grad: str = "grad"
    ops: tuple = ()  # (the class's op, the engine's), learned by probing: ("mul", "*"), ("ReLU", "relu")
    power: str | None = None  # what the class's op for x**n starts with ("**" for "**2"), if it writes n

    def engine_op(self, text):
        """The engine's name for one of the class's ops (as learned by probing), else the text as it is."""
        for mine, engine in self.ops:
            if text == mine:
                return engine
        if self.power and isinstance(text, str) and text.startswith(self.power) and text != self.power:
            return "**" + text[len(self.power):]
        return text


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
    shape: Shape | None = None  # where the class keeps its parts, and its names for the engine's ops

    def engine_op(self, k):
        """Node k's op by the engine's name (the class's own, as learned by probing, or a usual alias)."""
        op = self.shape.engine_op(self.ops[k]) if self.shape else self.ops[k]
        return OP_ALIASES.get(op, op) if isinstance(op, str) else op


_SHAPES = {}  # a class -> its Shape found by probing, or the NotAValue saying why it could not be
_probing = [False]  # while probing, a watched backward() is the class's own, unwatched


def shape_of(value):
    """The Shape of one instance: its class's, found by what it does (probe), else by the usual names;
    NotAValue saying what was found and what is missing."""
    cls = type(value)
    if looks_like_value_class(cls):
        if cls not in _SHAPES:
            try:
                _SHAPES[cls] = probe(cls)
            except NotAValue as e:
                _SHAPES[cls] = e
        if isinstance(_SHAPES[cls], Shape):
            return _SHAPES[cls]
        try:
            return shape_by_names(value)
        except NotAValue:
            raise _SHAPES[cls] from None
    return shape_by_names(value)


def probe(cls):
    """The Shape of a Value class, found by building a*b + c from a=2, b=-3, c=10 (see the module)."""
    name = cls.__name__
    _probing[0] = True
    try:
        try:
            a, b, c = cls(2.0), cls(-3.0), cls(10.0)
        except Exception as e:  # noqa: BLE001 -- whatever the class's constructor raises
            raise NotAValue(f"{name}: cannot make one from a number ({type(e).__name__}: {e})") from None
        data = _first(a, lambda n, v: _number(v) and v == 2.0 and _number(getattr(b, n, None))
                      and getattr(b, n) == -3.0)
        if data is None:
            raise NotAValue(f"{name}: no attribute holds the number it was made from ({name}(2.0))")
        try:
            ab = a * b
            out = ab + c
        except Exception as e:  # noqa: BLE001
            raise NotAValue(f"{name}: data is `{data}`, but a*b + c fails ({type(e).__name__}: {e})") from None
        inputs = _first(out, lambda n, v: _holds(v, ab, c) and _holds(getattr(ab, n, None), a, b))
        if inputs is None:
            raise NotAValue(f"{name}: data is `{data}`, but no attribute of a*b + c holds a*b and c (its inputs)")
        texts = [n for n, v in _attributes(out).items() if isinstance(v, str)]
        ops = [n for n in texts if getattr(ab, n, None) != getattr(out, n) and isinstance(getattr(ab, n, None), str)]
        op = next((n for n in ops if "+" in getattr(out, n) and "*" in getattr(ab, n)), ops[0] if ops else None)
        labels = [n for n in texts if n != op and getattr(out, n) == ""]
        label = next((n for n in labels if "label" in n or "name" in n), labels[0] if len(labels) == 1 else None)
        zeros = [n for n, v in _attributes(a).items() if n != data and _number(v) and v == 0]
        nodes = (a, b, c, ab, out)
        found = next(((g, rule) for g in zeros for rule in [_local_backward(nodes, ((out, (ab, c)), (ab, (a, b))), g)]
                      if rule), None)
        if found is None:
            grad = _filled_by_backward(out, ((a, -3.0), (b, 2.0), (c, 1.0)), zeros)
            if grad is None:
                raise NotAValue(f"{name}: data is `{data}`, inputs `{inputs}`, but no number attribute is a grad: "
                                "none is passed on by a node's own backward function, none is filled by backward()")
            raise NotAValue(f"{name}: data is `{data}`, grad is `{grad}`, but no node carried its own backward "
                            "function (a callable that passes a node's grad to its inputs)")
        grad, local = found
        learned, power = _ops_of(cls, op, ab, out) if op else ((), None)
        return Shape(inputs, op, label, local, isinstance(getattr(out, inputs), (set, frozenset)), data, grad,
                     learned, power)
    finally:
        _probing[0] = False


def _ops_of(cls, op, product, total):
    """The class's names for the ops nnanim knows, learned from what each operation writes into `op`:
    a*b and a*b + c, then tanh(), exp(), relu(), log() and x**2, x**3 where the class has them."""
    learned = {getattr(product, op): "*", getattr(total, op): "+"}
    for engine in ("tanh", "exp", "relu", "log"):
        try:
            made = getattr(cls(0.5), engine)()
        except Exception:  # noqa: BLE001 -- the class has no such op
            continue
        text = getattr(made, op, None)
        if isinstance(text, str) and text and text not in learned:
            learned[text] = engine
    power = None
    try:
        square, cube = getattr(cls(2.0) ** 2, op), getattr(cls(2.0) ** 3, op)
        if square[:-1] == cube[:-1] and square.endswith("2") and cube.endswith("3"):
            power = square[:-1]
    except Exception:  # noqa: BLE001 -- no powers, or not written with their exponent
        pass
    return tuple((mine, engine) for mine, engine in learned.items() if mine != engine), power


def _attributes(obj):
    """An object's own attributes (its __dict__ and slots), by name."""
    found = dict(getattr(obj, "__dict__", {}))
    for klass in type(obj).__mro__:
        for slot in getattr(klass, "__slots__", ()):
            if slot not in found and hasattr(obj, slot):
                found[slot] = getattr(obj, slot)
    return {n: v for n, v in found.items() if n != SERIAL}


def _first(obj, test):
    return next((n for n, v in _attributes(obj).items() if test(n, v)), None)


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _holds(value, *nodes):
    return isinstance(value, (tuple, list, set, frozenset)) and {id(v) for v in value} == {id(n) for n in nodes}


def _local_backward(nodes, made, grad):
    """The name of the callable each node carries that, run on a node alone with its `grad` set to 1,
    passes something to its inputs' `grad` (`made`: (node, its inputs) pairs, tried in turn, so a rule
    with a mistake in it is found too): the node's own (micrograd's closure `_backward`), else a method
    of the class taking no argument."""
    out = made[0][0]
    mine = [n for n, v in _attributes(out).items() if callable(v)]
    methods = sorted({n for klass in type(out).__mro__[:-1] for n, v in vars(klass).items()
                      if inspect.isfunction(v) and not n.startswith("__") and n != "backward"},
                     key=lambda n: "back" not in n)
    for name in mine + methods:
        for node, inputs in made:
            try:
                rule = getattr(node, name)
                if not callable(rule) or any(
                        p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                        for p in inspect.signature(rule).parameters.values()):
                    break
                for each in nodes:
                    setattr(each, grad, 0.0)
                setattr(node, grad, 1.0)
                rule()
            except Exception:  # noqa: BLE001 -- not this one
                break
            if all(_number(getattr(i, grad, None)) and getattr(i, grad) != 0 for i in inputs):
                for each in nodes:
                    setattr(each, grad, 0.0)
                return name
    return None


def _filled_by_backward(out, expected, candidates):
    """The attribute backward() fills with the gradients (to say what was found when no rule was)."""
    try:
        out.backward()
    except Exception:  # noqa: BLE001
        return None
    return next((n for n in candidates if all(_number(getattr(v, n, None)) and math.isclose(getattr(v, n), want)
                                              for v, want in expected)), None)


def shape_by_names(value):
    """The Shape of one instance by the usual names, or NotAValue saying what it lacks."""
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
        if sink is None or _depth[0] or _probing[0]:  # a recursive backward() calling its inputs' is one pass
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
                      [getattr(n, shape.data) for n in nodes], [getattr(n, shape.grad) for n in nodes], shape=shape)
        originals = []
        for k, node in enumerate(nodes):
            rule = getattr(node, shape.local_backward)
            if not callable(rule):  # a leaf whose rule is None: nothing runs, nothing to log
                continue
            originals.append((node, rule, _held_by_instance(node, shape.local_backward)))
            setattr(node, shape.local_backward, _logged(rule, node, k, [nodes[i] for i in sorted(set(inputs[k]))],
                                                        sorted(set(inputs[k])), record.events, shape.grad))
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
            record.grad_after = [getattr(n, shape.grad) for n in nodes]
            sink(record)

    watched.__wrapped__ = backward
    return watched


def _held_by_instance(node, name):
    """Whether the instance itself holds `name` (in its __dict__ or a slot), rather than its class."""
    if name in getattr(node, "__dict__", ()):
        return True
    return type(inspect.getattr_static(type(node), name, None)).__name__ == "member_descriptor"


def _logged(rule, node, k, parents, indices, events, grad="grad"):
    def logged(*args, **kwargs):
        before, own = [getattr(p, grad) for p in parents], getattr(node, grad)
        try:
            return rule(*args, **kwargs)
        finally:
            events.append(Event(k, {i: getattr(p, grad) - b for i, p, b in zip(indices, parents, before)}, own))
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
def watching(sink, also=(), named=()):
    """While inside: every Value-shaped class created, those in `also`, and those created with a name in
    `named` (a class the script itself defines, named by --value) are watched; see the module."""
    global _sink
    original = builtins.__build_class__

    def build_class(func, name, *bases, **kwargs):
        cls = original(func, name, *bases, **kwargs)
        if isinstance(cls, type) and (looks_like_value_class(cls) or name in named) \
                and not cls.__module__.startswith("nnanim."):
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
    nodes = adapted_nodes(run.inputs, [run.engine_op(k) for k in range(len(run.ops))], run.labels, run.data,
                          run.grad_before, serials)
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
                          [shape.engine_op(getattr(n, shape.op)) if shape.op else None for n in found],
                          [getattr(n, shape.label) if shape.label else "" for n in found],
                          [getattr(n, shape.data) for n in found], [getattr(n, shape.grad) for n in found],
                          range(len(found)))
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
