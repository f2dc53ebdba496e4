"""A scalar that remembers how it was computed, so that gradients can flow back through it.

This is the workshop's (and micrograd's) `Value`, with three changes that keep it fast on long runs:
`__slots__`; each op's local backward rule is a plain function of the node (no closure holding `out`,
so no reference cycles for the garbage collector to chase); and `backward()` sorts nodes by creation
order, which is always topological (a node is created after its inputs), without recursion.

The recorder (engine.recorder) watches through one seam: `backward()` tells it about each step.
"""

import itertools
import math
from operator import attrgetter

import numpy as np

_next_serial = itertools.count().__next__
_recorder = None  # the active engine.recorder.Recorder, set only inside `with record():`


class Value:
    """A number in a computation graph: data, grad, the op that made it and its inputs in order."""

    __slots__ = ("data", "grad", "prev", "op", "label", "_back", "_serial")

    def __init__(self, data, prev=(), op="", label="", _back=None):
        self.data = data
        self.grad = 0.0
        self.prev = tuple(prev)
        self.op = op
        self.label = label
        self._back = _back  # the op's local backward rule (below); None for a leaf
        self._serial = _next_serial()

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad}" + (f", label={self.label!r})" if self.label else ")")

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), "+", _back=_add_back)

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), "*", _back=_mul_back)

    def __pow__(self, n):
        assert isinstance(n, (int, float)), "only number exponents"
        return Value(_power(self.data, n), (self,), f"**{n}", _back=_pow_back)

    def tanh(self):
        return Value(float(np.tanh(self.data)), (self,), "tanh", _back=_tanh_back)

    def exp(self):
        return Value(_exp(self.data), (self,), "exp", _back=_exp_back)

    def log(self):
        return Value(math.log(self.data), (self,), "log", _back=_log_back)

    def relu(self):
        return Value(self.data if self.data > 0 else 0.0, (self,), "relu", _back=_relu_back)

    # Derived ops, written as the workshop writes them.
    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return other * self**-1

    def local_gradients(self):
        """What each input receives from this node's grad: the chain rule for one op."""
        return self._back(self) if self._back else ()

    def back(self):
        """Pass this node's grad on to its inputs (the workshop's one-node backward)."""
        for child, g in zip(self.prev, self._back(self) if self._back else ()):
            child.grad += g

    def backward(self):
        """Fill in the gradient of self with respect to every node it depends on."""
        topo = topological_order(self)
        if _recorder is not None:
            _recorder.before_backward(self, topo)
        self.grad = 1.0
        for node in reversed(topo):
            if node._back is not None:
                for child, g in zip(node.prev, node._back(node)):
                    child.grad += g
        if _recorder is not None:
            _recorder.after_backward(self, topo)


def topological_order(root):
    """Every node root depends on, inputs before the nodes made from them (creation order)."""
    seen = {root}
    stack = [root]
    while stack:
        for child in stack.pop().prev:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return sorted(seen, key=_serial)


_serial = attrgetter("_serial")


# Local backward rules: given the node `out`, what each of its inputs receives, in input order.
def _add_back(out):
    return out.grad, out.grad


def _mul_back(out):
    a, b = out.prev
    return b.data * out.grad, a.data * out.grad


def _pow_back(out):
    n = exponent(out.op)
    return ((n * _power(out.prev[0].data, n - 1)) * out.grad,)


def _tanh_back(out):
    return (out.grad * (1 - out.data**2),)


def _exp_back(out):
    return (out.data * out.grad,)


def _log_back(out):
    return (out.grad / out.prev[0].data,)


def _relu_back(out):
    return ((out.data > 0) * out.grad,)


BACKWARD_RULES = {"+": _add_back, "*": _mul_back, "tanh": _tanh_back, "exp": _exp_back,
                  "log": _log_back, "relu": _relu_back}


def _power(x, n):
    """x**n that overflows to inf like numpy instead of raising: a diverging run is data too."""
    try:
        return x**n
    except (OverflowError, ZeroDivisionError):
        with np.errstate(all="ignore"):
            return float(np.float64(x) ** n)


def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def power_of(op):
    """The exponent of a `**n` op as it was written into the op ("2", "-1", "0.5"); None for other ops."""
    return op[2:] if op.startswith("**") else None


def exponent(op):
    """The number n of a `**n` op."""
    text = power_of(op)
    return int(text) if text.lstrip("-").isdigit() else float(text)


def rule_for(op):
    """The local backward rule of an op name, so that a graph rebuilt from a trace backpropagates."""
    if power_of(op) is not None:
        return _pow_back
    return BACKWARD_RULES.get(op)


def op_arity(op):
    """How many inputs `op` takes, or None for an op the engine does not know: the ops a trace may name
    are a leaf's "", those with a rule above, and a power `**n` exactly as __pow__ writes it."""
    if not isinstance(op, str):
        return None
    if op == "":
        return 0
    if op in BACKWARD_RULES:
        return 2 if op in ("+", "*") else 1
    if power_of(op) is not None and len(op) <= 40:
        try:
            return 1 if f"**{exponent(op)}" == op else None
        except ValueError:
            return None
    return None
