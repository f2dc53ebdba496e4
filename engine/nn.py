"""Neuron, Layer and MLP as the workshop writes them, on `Value`s, with every parameter labelled.

Labels follow the workshop's notation: weight `w_ijl` (input i, neuron j, layer l), bias `b_jl`,
and the output of neuron j of layer l is `h_jl` (engine.labels makes them and reads them back).
"""

import numpy as np

from nnanim.engine.labels import index_label
from nnanim.engine.value import Value

ACTIVATIONS = ("tanh", "relu", "linear")


def _random_source(seed):
    """np.random itself without a seed (so np.random.seed(...) works as in the workshop)."""
    return np.random if seed is None else np.random.RandomState(seed)


class Module:
    """What Neuron, Layer and MLP share (micrograd's Module): their parameters, and zeroing their grads."""

    def ps(self):
        raise NotImplementedError

    def parameters(self):
        return self.ps()

    def zero_grad(self):
        for p in self.ps():
            p.grad = 0.0


class Neuron(Module):
    """tanh(w·x + b): d weights and a bias drawn uniformly from [-1, 1], weights first."""

    def __init__(self, d, seed=None, activation="tanh", _rng=None, _where=None):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, not {activation!r}")
        rng = _rng or _random_source(seed)
        where = _where or ()
        self.ws = [Value(rng.uniform(-1, 1), label=index_label("w", i, *where)) for i in range(d)]
        self.b = Value(rng.uniform(-1, 1), label=index_label("b", *where))
        self.activation = activation
        self.out_label = index_label("h", *where)

    def __call__(self, xs):
        terms = [w * x for w, x in zip(self.ws, xs)] + [self.b]
        act = sum(terms[1:], terms[0])
        out = act if self.activation == "linear" else getattr(act, self.activation)()
        out.label = self.out_label
        return out

    def ps(self):
        return self.ws + [self.b]

    def __repr__(self):
        return f"Neuron({len(self.ws)}, activation={self.activation!r})"


class Layer(Module):
    """nn neurons that all read the same d inputs."""

    def __init__(self, d, nn, seed=None, activation="tanh", _rng=None, _index=0):
        rng = _rng or _random_source(seed)
        self.ns = [Neuron(d, activation=activation, _rng=rng, _where=(j, _index)) for j in range(nn)]
        self.d, self.activation = d, activation

    def __call__(self, xs):
        return [n(xs) for n in self.ns]

    def ps(self):
        return [p for n in self.ns for p in n.ps()]

    def __repr__(self):
        return f"Layer({self.d}, {len(self.ns)}, activation={self.activation!r})"


class MLP(Module):
    """Layers chained: MLP(3, [2, 4, 4, 2]) reads 3 inputs and has layers of 2, 4, 4 and 2 neurons."""

    def __init__(self, ni, nns, seed=None, activation="tanh"):
        rng = _random_source(seed)
        sizes = [ni] + list(nns)
        self.ls = [Layer(d, nn, activation=activation, _rng=rng, _index=l)
                   for l, (d, nn) in enumerate(zip(sizes[:-1], nns))]
        self.ni = ni
        self.nns = list(nns)
        self.activation = activation

    def __call__(self, xs):
        x = xs
        for l in self.ls:
            x = l(x)
        return x

    def ps(self):
        return [p for l in self.ls for p in l.ps()]

    def __repr__(self):
        return f"MLP({self.ni}, {self.nns}, activation={self.activation!r})"

    @property
    def architecture(self):
        """Inputs first, then the layer widths: [3, 2, 4, 4, 2]."""
        return [self.ni] + self.nns
