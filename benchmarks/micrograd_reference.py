"""micrograd 0.1.0 (PyPI) with the lecture's tanh, running the workshop's network and loop."""

import math

import numpy as np
from micrograd.engine import Value


def _tanh(self):
    x = self.data
    t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


Value.tanh = _tanh


class Neuron:
    def __init__(self, nin):
        self.w = [Value(np.random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(np.random.uniform(-1, 1))

    def __call__(self, x):
        return sum((wi * xi for wi, xi in zip(self.w, x)), self.b).tanh()

    def parameters(self):
        return self.w + [self.b]


class MLP:
    def __init__(self, nin, nouts):
        sizes = [nin] + nouts
        self.layers = [[Neuron(sizes[i]) for _ in range(sizes[i + 1])] for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = [n(x) for n in layer]
        return x

    def parameters(self):
        return [p for layer in self.layers for n in layer for p in n.parameters()]


def run(inputs, targets, steps=1000, lr=0.01, seed=42):
    np.random.seed(seed)
    mlp = MLP(3, [2, 4, 4, 2])
    losses = []
    for _ in range(steps):
        pos = [mlp(i) for i in inputs]
        loss = sum(sum((p - gt) ** 2 for p, gt in zip(po, gto)) for po, gto in zip(pos, targets))
        losses.append(loss.data)
        for p in mlp.parameters():
            p.grad = 0
        loss.backward()
        for p in mlp.parameters():
            p.data += lr * (-p.grad)
    return losses
