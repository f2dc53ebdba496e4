import math
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnanim.engine import Value
from nnanim.engine.graph import workshop_expression


def grads_of(root):
    from nnanim.engine.value import topological_order
    return {v.label: v.grad for v in topological_order(root) if v.label}


def test_workshop_expression_gradients():
    L = workshop_expression()
    assert L.data == -8.0
    g = grads_of(L)
    assert g == {"a": 6.0, "b": -4.0, "c": -2.0, "d": -2.0, "e": -2.0, "f": 4.0, "L": 1.0}


def test_workshop_names_and_manual_back():
    a, b, c, f = Value(2, label="a"), Value(-3, label="b"), Value(10, label="c"), Value(-2, label="f")
    d = a * b
    e = d + c
    L = e * f
    assert L.op == "*" and L.prev == (e, f) and d.prev == (a, b)
    L.grad = 1
    L.back()
    e.back()
    d.back()
    assert (a.grad, b.grad, c.grad, f.grad) == (6, -4, -2, 4)


def test_reflected_ops_and_constants():
    x = Value(3.0)
    assert (2 + x).data == 5 and (x + 2).data == 5
    assert (2 - x).data == -1 and (x - 2).data == 1
    assert (2 * x).data == 6 and (-x).data == -3
    assert (x / 2).data == 1.5 and (6 / x).data == 2
    assert (x**2).data == 9 and (x**-1).data == pytest.approx(1 / 3)
    assert x.exp().data == pytest.approx(math.exp(3)) and x.log().data == pytest.approx(math.log(3))
    assert x.relu().data == 3 and (-x).relu().data == 0
    assert x.tanh().data == float(np.tanh(3.0))


def test_deep_graph_does_not_hit_recursion_limit():
    x = Value(0.5)
    y = x
    for _ in range(sys.getrecursionlimit() * 5):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_shared_node_accumulates_from_every_path():
    a = Value(3.0)
    b = a * a + a  # db/da = 2a + 1
    b.backward()
    assert a.grad == 7.0


UNARY = ["tanh", "exp", "relu", "square", "cube", "inv", "neg", "log"]
BINARY = ["+", "-", "*", "/"]


def build(ops, xs):
    """A random expression over leaves xs, described by a list of op codes."""
    vals = list(xs)
    for kind, i, j in ops:
        a, b = vals[i % len(vals)], vals[j % len(vals)]
        if kind == "tanh":
            v = a.tanh()
        elif kind == "exp":
            v = (a * 0.3).exp()
        elif kind == "relu":
            v = a.relu()
        elif kind == "square":
            v = a**2
        elif kind == "cube":
            v = a**3
        elif kind == "inv":
            v = (a * a + 1.0) ** -1
        elif kind == "neg":
            v = -a
        elif kind == "log":
            v = (a * a + 1.0).log()
        elif kind == "+":
            v = a + b
        elif kind == "-":
            v = a - b
        elif kind == "*":
            v = a * b
        else:
            v = a / (b * b + 1.0)
        vals.append(v)
    return vals[-1]


@settings(max_examples=150, deadline=None)
@given(
    xs=st.lists(st.floats(-2, 2).filter(lambda x: abs(x) > 1e-3), min_size=1, max_size=4),
    ops=st.lists(st.tuples(st.sampled_from(UNARY + BINARY), st.integers(0, 50), st.integers(0, 50)),
                 min_size=1, max_size=12),
)
def test_gradients_match_finite_differences(xs, ops):
    leaves = [Value(x) for x in xs]
    out = build(ops, leaves)
    out.backward()
    h = 1e-6
    for k, x in enumerate(xs):
        if any(op == "relu" for op, _, _ in ops) and abs(x) < 1e-2:
            continue  # relu's kink: no derivative there
        up = build(ops, [Value(v + h if i == k else v) for i, v in enumerate(xs)]).data
        down = build(ops, [Value(v - h if i == k else v) for i, v in enumerate(xs)]).data
        numeric = (up - down) / (2 * h)
        assert leaves[k].grad == pytest.approx(numeric, rel=1e-4, abs=1e-4)
