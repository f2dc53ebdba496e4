"""What each value of a graph is called on screen: its label, or else the part it plays.

micrograd leaves intermediate values unnamed, and `v140` tells a student nothing. Inside a neuron an
unnamed value is named for its part of w·x + b: `w₀·x₀` for the product of the neuron's first weight
and input, `Σ₀…₂` for a partial sum of those products, `Σ` for the whole sum, `Σ+b` once the bias is
in. Elsewhere it is named for what computes it (`−gt_0`, `h_03−gt_0`, `(h_03−gt_0)²`), or, when that
is too long to read, for the examples whose loss it adds up (`loss ex. 0–1`). The value backward ran
from is `L` unless it has a label of its own.
"""

from nnanim.engine.graph import neuron_groups
from nnanim.engine.labels import is_parameter
from nnanim.engine.numbers import MINUS, number, superscript
from nnanim.engine.value import power_of

LONGEST = 14  # characters of a name on screen; a longer label ends in …
SUBSCRIPT = str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089")
OPERATORS = "+\u2212\u00b7"  # a name holding one of these is put in parentheses inside another


def short(name, longest=LONGEST):
    """A label cut to `longest` characters (the last one …), so a box and a rule line stay readable."""
    return name if len(name) <= longest else name[:longest - 1] + "\u2026"


def sub(k):
    return str(k).translate(SUBSCRIPT)


def wrapped(name):
    """A name as an operand: `(h_03−gt_0)`, `(Σ+b)`, `(−1)` and `(loss ex. 0)`, but `h_03`, `Σ₀…₂`
    and `(h_03−gt_0)²` as they are (what is inside parentheses is already held together)."""
    depth, bare = 0, False
    for c in name:
        depth += (c == "(") - (c == ")")
        bare = bare or (depth == 0 and (c in OPERATORS or c == " "))
    return f"({name})" if bare else name


def neurons(step):
    """For every node, the neuron output it belongs to, or None: `engine.graph.neuron_groups`, but
    only the ops the neuron's output is computed from (a loss term made between two examples'
    forward passes is not the next neuron's)."""
    g = step.graph
    owner = list(neuron_groups(step))
    groups = {}
    for i, out in enumerate(owner):
        if out is not None:
            groups.setdefault(out, []).append(i)
    for out, group in groups.items():
        mine, stack = {out}, [out]
        while stack:
            for j in g.inputs(stack.pop()):
                if owner[j] == out and j not in mine:
                    mine.add(j)
                    stack.append(j)
        for i in group:
            if i not in mine:
                owner[i] = None
    return owner


def examples(step):
    """For every neuron output, the example it was computed for: its label's occurrence (the first
    h_03 made is example 0's, as the workshop's loop makes them); None elsewhere."""
    g = step.graph
    owner = neurons(step)
    seen, out = {}, [None] * len(g)
    for i in range(len(g)):
        if owner[i] == i:
            out[i] = seen[g.labels[i]] = seen.get(g.labels[i], -1) + 1
    return out


def ranges(numbers):
    """`0`, `0–1`, `1, 3`: sorted integers written short."""
    numbers = sorted(set(numbers))
    if len(numbers) > 1 and numbers[-1] - numbers[0] == len(numbers) - 1:
        return f"{numbers[0]}\u2013{numbers[-1]}"
    return ", ".join(map(str, numbers))


def names(step):
    """The name on screen of every value of a step's graph (a list, by node index)."""
    g = step.graph
    owner = neurons(step)
    example = examples(step)
    out = [""] * len(g)
    support = [frozenset()] * len(g)  # the examples whose neurons a value depends on
    terms = {}  # neuron op -> (product indices, bias included)
    products = {}  # neuron output -> count of products so far
    for i in range(len(g)):
        inputs = g.inputs(i)
        if owner[i] is not None:
            support[i] = frozenset([example[owner[i]]]) if example[owner[i]] is not None else frozenset()
        else:
            support[i] = frozenset().union(*(support[j] for j in inputs)) if inputs else frozenset()
        if g.labels[i]:
            out[i] = short(g.labels[i])
        elif i == g.root:
            out[i] = "L"
        elif not g.arity[i]:
            out[i] = number(step.data[i])
        else:
            role = _neuron_role(g, i, owner[i], terms, products) if owner[i] is not None else None
            out[i] = role or _expression(g, i, out, step.data)
            if out[i] is None:
                out[i] = f"loss ex. {ranges(support[i])}" if support[i] else _op_word(g.ops[i])
    return out


def _neuron_role(g, i, neuron, terms, products):
    """w₀·x₀, Σ₀…₂, Σ, Σ+b: what an op inside a neuron computes of w·x + b (None for another op)."""
    inputs = g.inputs(i)
    if g.ops[i] == "*" and any(_is_bias_or_weight(g, j) for j in inputs):
        k = products.get(neuron, 0)
        products[neuron] = k + 1
        terms[i] = ((k,), False)
        return f"w{sub(k)}\u00b7x{sub(k)}"
    if g.ops[i] == "+":
        ks, bias = (), False
        for j in inputs:
            if j in terms:
                ks, bias = ks + terms[j][0], bias or terms[j][1]
            elif _is_bias_or_weight(g, j):
                bias = True
            else:
                return None
        terms[i] = (ks, bias)
        return _sum_name(ks, bias, products.get(neuron, 0))
    return None


def _sum_name(ks, bias, count):
    ks = sorted(ks)
    if len(ks) == 1:
        terms = f"w{sub(ks[0])}\u00b7x{sub(ks[0])}"
    elif len(ks) == count:
        terms = "\u03a3"
    elif ks == list(range(ks[0], ks[-1] + 1)):
        terms = f"\u03a3{sub(ks[0])}\u2026{sub(ks[-1])}"
    else:
        terms = "\u03a3" + "".join(sub(k) for k in ks)
    return terms + ("+b" if bias else "")


def _is_bias_or_weight(g, j):
    return g.arity[j] == 0 and is_parameter(g.labels[j])


def _expression(g, i, out, data):
    """`−gt_0`, `h_03−gt_0`, `(h_03−gt_0)²`, `tanh(a)`: the op written on its inputs' names, or None
    when that is longer than a name may be."""
    op, inputs = g.ops[i], g.inputs(i)
    names = [out[j] for j in inputs]
    if op == "*" and len(inputs) == 2:
        minus_one = [k for k, j in enumerate(inputs) if not g.arity[j] and not g.labels[j] and data[j] == -1]
        if minus_one:
            made = MINUS + wrapped(names[1 - minus_one[0]])
        else:
            made = f"{wrapped(names[0])}\u00b7{wrapped(names[1])}"
    elif op == "+" and len(inputs) == 2:
        b = names[1]
        if b.startswith(MINUS) and not any(c in b[1:] for c in OPERATORS):
            made = f"{names[0]}{MINUS}{b[1:]}"
        else:
            made = f"{names[0]}+{b}"
    elif power_of(op) is not None and len(inputs) == 1:
        made = wrapped(names[0]) + superscript(power_of(op))
    elif len(inputs) == 1:
        made = f"{op}({names[0]})"
    else:
        return None
    return made if len(made) <= LONGEST else None


def _op_word(op):
    return {"+": "sum", "*": "product"}.get(op, op)
