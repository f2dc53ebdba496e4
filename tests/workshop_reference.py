"""The workshop's own code, assembled verbatim from the slides: the oracle nnanim must match.

Kept as the slides write it (np.tanh, set(prev), closures, recursive topological sort) so that the
tests compare against the real thing and the benchmarks time the real thing.
"""

import numpy as np


class Value:

    def __init__(self, data, prev=(), op="", label=""):
        self.data = data
        self.prev = set(prev)
        self.op = op
        self.label = label
        self.grad = 0
        self.back = lambda: None

    def __repr__(self):
        return f"Value({self.data=})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def b():
            self.grad += out.grad
            other.grad += out.grad

        out.back = b
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def b():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out.back = b
        return out

    def tanh(self):
        out = Value(np.tanh(self.data), (self,), "tanh")

        def b():
            self.grad += out.grad * (1 - (out.data) ** 2)

        out.back = b
        return out

    def __pow__(self, other):
        assert isinstance(other, (int, float))
        out = Value(self.data**other, (self,), f"**{other}")

        def b():
            self.grad += (other * self.data ** (other - 1)) * out.grad

        out.back = b
        return out

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

    def backward(self):
        topo = []
        visited = set()

        def build_topo(n):
            if n not in visited:
                visited.add(n)
                for p in n.prev:
                    build_topo(p)
            topo.append(n)

        build_topo(self)
        self.grad = 1
        for n in reversed(topo):
            n.back()


class Neuron:

    def __init__(self, d):
        self.ws = [Value(np.random.uniform(-1, 1)) for _ in range(d)]
        self.b = Value(np.random.uniform(-1, 1))

    def __call__(self, xs):
        return sum([x * w for x, w in zip(xs, self.ws)] + [self.b]).tanh()

    def ps(self):
        return self.ws + [self.b]


class Layer:

    def __init__(self, d, nn):
        self.ns = [Neuron(d) for _ in range(nn)]

    def __call__(self, xs):
        return [n(xs) for n in self.ns]

    def ps(self):
        return [p for n in self.ns for p in n.ps()]


class MLP:

    def __init__(self, ni, nns):
        self.ls = [Layer(d, nn) for d, nn in zip(([ni] + nns)[:-1], nns)]

    def __call__(self, xs):
        x = xs
        for l in self.ls:
            x = l(x)
        return x

    def ps(self):
        return [p for l in self.ls for p in l.ps()]


def sse(po, gto):
    return sum([(p - gt) ** 2 for p, gt in zip(po, gto)])


def total_sse(pos, gtos):
    return sum([sse(po, gto) for po, gto in zip(pos, gtos)])


INPUTS = [[1, 2, 3], [3, -2, 1], [1, 0, 1], [2, 2, -1]]
TARGETS = [[1, -1], [-1, 1], [0.5, 1], [-1, -0.5]]


def run(steps=1000, lr=0.01, seed=42):
    """The workshop's training loop (main.py), returning the loss of every step."""
    np.random.seed(seed)
    mlp = MLP(3, [2, 4, 4, 2])
    losses = []
    for _ in range(steps):
        pos = [mlp(i) for i in INPUTS]
        loss = total_sse(pos, TARGETS)
        losses.append(loss.data)
        for p in mlp.ps():
            p.grad = 0
        loss.backward()
        for p in mlp.ps():
            p.data += lr * (-p.grad)
    return losses, mlp
