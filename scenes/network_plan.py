"""One layer of the workshop's MLP as numbers read from a trace step: its inputs, weights, biases,
products, pre-activations and outputs, for the first example. No manim here."""

from dataclasses import dataclass

from engine.graph import first_neurons, neuron_groups


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
        bias = next(j2 for k in sums for j2 in g.inputs(k) if g.labels[j2].startswith("b"))
        inputs = inputs or xs
        activation = g.ops[out] if g.ops[out] in ("tanh", "relu") else "linear"
        neurons.append(NeuronValues(j, weights, (g.labels[bias], float(step.data[bias])),
                                    [float(step.data[k]) for k in products],
                                    float(step.data[sums[-1]]) if sums else float(step.data[out]),
                                    (g.labels[out], float(step.data[out])), activation))
    return LayerValues(layer, inputs, neurons)
