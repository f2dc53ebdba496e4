"""What `neuron` and `layer` write, from a layer's values (scenes/network_plan.py): the rows a neuron
diagram draws (each input, its weight and their product; the bias as the weight of an input fixed at 1)
and the sum and the output as lines, with the trace's numbers. No manim here."""

from dataclasses import dataclass

from nnanim.engine.numbers import MINUS, number
from nnanim.scenes.notation import ELLIPSIS, shown, subscripted, wrapped

MOST_INPUTS = 5  # a neuron with more inputs is drawn with its first ones, a ⋮ row and its last one
TIMES = "\u00b7"


@dataclass(frozen=True)
class Row:
    """One input of a neuron as drawn. `name` is the trace's label (the diagram subscripts and wraps
    it); `weight` and `product` are written on the edge and after it; `w` (the weight, for the edge's
    colour and width) and `x` (the input, for the node's shade) are None in the symbolic neuron."""

    name: str
    value: str | None
    weight: str
    product: str
    w: float | None = None
    x: float | None = None
    bias: bool = False


def rows(layer, j=0, most=MOST_INPUTS):
    """Neuron j's inputs (None where rows are left out), then its bias as the input 1."""
    n = layer.neurons[j]
    drawn = []
    for i in shown(len(n.weights), most):
        if i is None:
            drawn.append(None)
            continue
        (name, x), (label, w) = layer.inputs[i], n.weights[i]
        drawn.append(Row(name, number(x), f"{subscripted(label)} = {number(w)}", number(n.products[i]), w, x))
    label, b = n.bias
    return drawn + [Row("1", None, f"{subscripted(label)} = {number(b)}", number(b), b, 1.0, bias=True)]


def symbolic_rows(shown_inputs=3):
    """The same neuron with n inputs, in symbols: x₁ … xₙ, w₁ … wₙ, b."""
    def row(i):
        return Row(f"x{i}", None, f"w{i}", f"w{i}x{i}")
    subs = "\u2081\u2082\u2083\u2084\u2085"
    return [row(subs[k]) for k in range(shown_inputs)] + [None, row("\u2099"),
                                                          Row("1", None, "b", "b", bias=True)]


def _signed(k, text):
    """The k-th term of a sum: `a`, then ` + a` or ` − a`."""
    negative = text.startswith(MINUS)
    if k == 0:
        return text
    return f" {MINUS} {text[1:]}" if negative else f" + {text}"


def sum_line(layer, j=0, most=MOST_INPUTS):
    """Σ = −0.2509 + 1.803 + 1.392 + 0.1973 = 3.141: the products and the bias, then their sum."""
    n = layer.neurons[j]
    terms = [ELLIPSIS if i is None else number(n.products[i]) for i in shown(len(n.products), most)]
    terms.append(number(n.bias[1]))
    body = "".join(f" + {t}" if t == ELLIPSIS else _signed(k, t) for k, t in enumerate(terms))
    return f"\u03a3 = {body} = {number(n.sum)}"


def output_line(layer, j=0, name=True):
    """h₀₀ = tanh(3.141) = 0.9963 (h₀₀ = 3.141 for a linear neuron); without `name`, from the `=` on."""
    n = layer.neurons[j]
    head = f"{subscripted(n.output[0])} = " if name else ""
    if n.activation == "linear":
        return f"{head}{number(n.sum)}"
    return f"{head}{n.activation}({number(n.sum)}) = {number(n.output[1])}"


def value_line(layer, j=0):
    """h₀₀ = 0.9963: a neuron's output, to stand beside it."""
    n = layer.neurons[j]
    return f"{subscripted(n.output[0])} = {number(n.output[1])}"


def weighted_line(layer, j=0, most=MOST_INPUTS):
    """h₀₀ = tanh(−0.2509·1 + 0.9014·2 + 0.464·3 + 0.1973) = 0.9963: every weight times its input."""
    n = layer.neurons[j]
    terms = [ELLIPSIS if i is None else _weight_times_input(layer, n, i) for i in shown(len(n.weights), most)]
    terms.append(number(n.bias[1]))
    inner = "".join(f" + {t}" if t == ELLIPSIS else _signed(k, t) for k, t in enumerate(terms))
    if n.activation == "linear":
        return f"{subscripted(n.output[0])} = {inner} = {number(n.output[1])}"
    return f"{subscripted(n.output[0])} = {n.activation}({inner}) = {number(n.output[1])}"


def _weight_times_input(layer, n, i):
    """−0.2509·1: weight i of neuron n times its input, a negative input in parentheses."""
    x = number(layer.inputs[i][1])
    return f"{number(n.weights[i][1])}{TIMES}{f'({x})' if x.startswith(MINUS) else x}"


# ----- the speaker's notes: what the audience has just watched, in the numbers on screen
def inputs_line(layer, most=MOST_INPUTS):
    """x = 1, y = 2, z = 3: the inputs as the diagram names them (the first ones and the last of many)."""
    return ", ".join(ELLIPSIS if i is None else f"{short_name(layer.inputs[i][0])} = {number(layer.inputs[i][1])}"
                     for i in shown(len(layer.inputs), most))


def short_name(label, width=24):
    """A label in a note: subscripted, a long one shortened to one line with a mark."""
    return wrapped(subscripted(label), width, lines=1)


def weights_line(layer, j=0, most=MOST_INPUTS):
    """w₀₀₀ = −0.2509, w₁₀₀ = 0.9014, w₂₀₀ = 0.464 and the bias b₀₀ = 0.1973."""
    n = layer.neurons[j]
    weights = ", ".join(ELLIPSIS if i is None else f"{subscripted(n.weights[i][0])} = {number(n.weights[i][1])}"
                        for i in shown(len(n.weights), most))
    return f"{weights} and the bias {subscripted(n.bias[0])} = {number(n.bias[1])}"


def products_line(layer, j=0, most=MOST_INPUTS):
    """−0.2509·1 = −0.2509, 0.9014·2 = 1.803, 0.464·3 = 1.392: each weight times its input, as on the edges."""
    n = layer.neurons[j]
    return ", ".join(ELLIPSIS if i is None else f"{_weight_times_input(layer, n, i)} = {number(n.products[i])}"
                     for i in shown(len(n.weights), most))


ACTIVATIONS = {"tanh": "tanh squashes any sum into the range from −1 to 1",
               "relu": "relu keeps a positive sum and turns a negative one into 0",
               "linear": "this neuron has no activation: its output is the sum itself"}


def activation_phrase(activation):
    """The one thing to say about a neuron's activation."""
    return ACTIVATIONS.get(activation, f"the activation {activation} turns the sum into the output")
