"""One layer of the workshop's MLP as numbers read from a trace step: its inputs, weights, biases,
products, pre-activations and outputs, for the first example. No manim here."""

from dataclasses import dataclass

import numpy as np

from nnanim.engine.graph import first_neurons, neuron_groups
from nnanim.engine.labels import index_label, is_parameter, parse
from nnanim.engine.numbers import number
from nnanim.engine.steps import TraceError
from nnanim.errors import printable
from nnanim.scenes.notation import ELLIPSIS, shown, subscripted


@dataclass
class NeuronValues:
    j: int
    weights: list  # (label, value)
    bias: tuple  # (label, value)
    products: list  # w_i * x_i as the trace computed them
    sum: float  # before the activation
    output: tuple  # (label, value)
    activation: str


@dataclass
class LayerValues:
    layer: int
    inputs: list  # (label, value) of the first example
    neurons: list


def layer_values(step, layer=0):
    """The first example's values through layer `layer` of an MLP trace (labels w_ijl, b_jl, h_jl)."""
    g = step.graph
    owner = neuron_groups(step)
    outputs = [node for (j, l), node in sorted(first_neurons(step).items(), key=lambda kv: kv[0][0])
               if l == layer]
    if not outputs:
        raise LookupError(f"this trace has no layer {layer} of an MLP (its values are not labelled w_ijl, b_jl, h_jl)")
    neurons, inputs = [], None
    for j, out in enumerate(outputs):
        ops = [k for k in range(len(g)) if owner[k] == out]
        products = [k for k in ops if g.ops[k] == "*"]
        sums = [k for k in ops if g.ops[k] == "+"]
        weights, xs = [], []
        for k in products:
            a, b = g.inputs(k)
            weights.append((g.labels[a], float(step.data[a])))
            xs.append((g.labels[b] or f"v{b}", float(step.data[b])))
        bias = next(j2 for k in sums for j2 in g.inputs(k) if is_parameter(g.labels[j2]))
        inputs = inputs or xs
        activation = g.ops[out] if g.ops[out] in ("tanh", "relu") else "linear"
        neurons.append(NeuronValues(j, weights, (g.labels[bias], float(step.data[bias])),
                                    [float(step.data[k]) for k in products],
                                    float(step.data[sums[-1]]) if sums else float(step.data[out]),
                                    (g.labels[out], float(step.data[out])), activation))
    return LayerValues(layer, inputs, neurons)


# ----- the whole network from its parameters (works for traces recorded at level "params" too)
def architecture_of(trace):
    """[inputs, width, ...] from the header, or from the parameter labels w_ijl / b_jl."""
    arch = trace.meta.get("architecture")
    if arch:
        return list(arch)
    widths, inputs = {}, {}
    for label in trace.parameters:
        name, indices = parse(label) or ("", ())
        if name == "w" and len(indices) == 3:
            i, j, l = indices
            widths[l] = max(widths.get(l, 0), j + 1)
            inputs[l] = max(inputs.get(l, 0), i + 1)
    if not widths:
        raise LookupError("this trace is not of an MLP (no parameters labelled w_ijl)")
    return [inputs[0]] + [widths[l] for l in sorted(widths)]


def weights_at(trace, step, values=None):
    """[(W, b)] per layer at `step` (W[j, i] = w_ijl), read from the trace's parameters.
    Pass `values` (trace.parameter_series()[0]) when calling for many steps."""
    arch = architecture_of(trace)
    values = trace.parameter_series()[0] if values is None else values
    column = parameter_columns(trace, arch)
    layers = []
    for l, (n_in, n_out) in enumerate(zip(arch[:-1], arch[1:])):
        W = np.array([[values[step, column[index_label("w", i, j, l)]] for i in range(n_in)] for j in range(n_out)])
        b = np.array([values[step, column[index_label("b", j, l)]] for j in range(n_out)])
        layers.append((W, b))
    return layers


def mlp_labels(arch):
    """The parameters' labels of an MLP `arch`, layer by layer, each neuron's weights then its bias."""
    return [label for l, (n_in, n_out) in enumerate(zip(arch[:-1], arch[1:])) for j in range(n_out)
            for label in [index_label("w", i, j, l) for i in range(n_in)] + [index_label("b", j, l)]]


def parameter_columns(trace, arch):
    """label -> the trace's column of it, for every parameter of an MLP `arch`; a TraceError naming the first
    label the trace does not have, and what it has instead."""
    column = {label: k for k, label in enumerate(trace.parameters)}
    expected = mlp_labels(arch)
    missing = next((label for label in expected if label not in column), None)
    if missing is None:
        return column
    shape = ",".join(map(str, arch))
    known = set(expected)
    other = next((label for label in trace.parameters if label not in known), None)
    instead = f"; it has {printable(other, 40)!r} instead" if other is not None else ""
    raise TraceError(f"this trace's parameters do not fit its network {shape}: none is labelled {missing}, as an "
                     f"MLP {shape} names its {len(expected)} parameters (w_ijl, b_jl: {expected[0]} to "
                     f"{expected[-1]}){instead}")


def forward(layers, points, activation="tanh"):
    """Every layer's outputs for many input points at once, (N, width) each. The sum is taken in the
    engine's order (w0·x0 + w1·x1 + ... + b), so the numbers are the engine's, bit for bit."""
    act = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0), "linear": lambda z: z}[activation]
    x = np.asarray(points, dtype=np.float64)
    outputs = []
    with np.errstate(all="ignore"):  # a diverged run's inf and NaN, as the engine computed them
        for W, b in layers:
            total = W[:, 0][None, :] * x[:, :1]
            for i in range(1, W.shape[1]):
                total = total + W[:, i][None, :] * x[:, i:i + 1]
            x = act(total + b[None, :])
            outputs.append(x)
    return outputs


def sampled_steps(total, frames):
    """Which step each frame shows: increasing, from the first to the last step, with more frames on
    the early steps (where most of the change happens): step = last * t²."""
    if frames <= 1 or total <= 1:
        return [total - 1] * max(frames, 1)
    t = np.linspace(0, 1, frames)
    return np.round((total - 1) * t**2).astype(int).tolist()


# ----- the data the network reads: from the trace's header, or from the first example's graph
def input_names(trace):
    """The inputs' names: the header's, else the labels the first example's graph gave them (a
    student's own script), else x_1 ... x_n."""
    n = architecture_of(trace)[0]
    names = trace.meta.get("input_labels")
    if names and len(names) == n:
        return list(names)
    graph = _graph_inputs(trace)
    if graph and all(label for label, _ in graph):
        return [label for label, _ in graph]
    return [f"x_{i + 1}" for i in range(n)]


def example(trace, k):
    """(inputs, targets or None) of example `k`: the header's data, else (k = 0 only) what the first
    example's graph read. Refused in one line when the trace has no such example."""
    inputs = trace.meta.get("inputs") or []
    if inputs:
        if not 0 <= k < len(inputs):
            raise ValueError(f"--example {k} does not exist: the trace's data has {len(inputs)} examples")
        targets = trace.meta.get("targets") or []
        return np.asarray(inputs[k], dtype=float), (np.asarray(targets[k], dtype=float) if k < len(targets) else None)
    graph = _graph_inputs(trace)
    if not graph:
        raise ValueError("this trace has no data (no inputs in its header, no graph to read them from): "
                         "record it with nnanim trace, or with --record all")
    if k != 0:
        raise ValueError(f"--example {k} does not exist: this trace's header has no data, only the first "
                         "example of its graph")
    return np.array([value for _, value in graph]), None


def _graph_inputs(trace):
    """(label, value) of the inputs the first neuron of the first step read, or None without graphs."""
    if trace.level != "all" or not trace.num_steps:
        return None
    try:
        return layer_values(trace.step(0), 0).inputs
    except LookupError:
        return None


# ----- the speaker's notes: numbers as the scenes write them
def listed(values, most=6):
    """`0.9963, −0.9993`: numbers as the diagrams tag them; of many, the first ones, … and the last."""
    return ", ".join(ELLIPSIS if i is None else number(float(values[i])) for i in shown(len(values), most))


def weight_range(layers, l):
    """`from −0.688 to 0.9014, the largest in size w₁₀₀ = 0.9014`: layer l's weights (W[j, i] = w_ijl),
    or what went wrong with them."""
    W = np.asarray(layers[l][0], dtype=float)
    finite = np.isfinite(W)
    if not finite.any():
        return "none of them a number (NaN or infinite)"
    j, i = np.unravel_index(np.argmax(np.where(finite, np.abs(W), -1.0)), W.shape)
    largest = f"{subscripted(index_label('w', i, j, l))} = {number(W[j, i])}"
    if W.size == 1:
        return largest
    return f"from {number(W[finite].min())} to {number(W[finite].max())}, the largest in size {largest}"


def counted(n, thing):
    """`1 edge`, `6 edges`, `12 biases`."""
    return f"{n} {thing}" if n == 1 else f"{n} {thing}{'es' if thing.endswith('s') else 's'}"
