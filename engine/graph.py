"""What a step's graph is made of, beyond its values: which neuron each value belongs to (creation
order follows the workshop's code, one neuron at a time), how many boxes any picture of it can hold, and
the workshop's own small expression. Pictures of a graph are made elsewhere: scenes/graph_layout.py lays
one out for the scenes, nnanim/drawing.py draws the workshop's draw.py picture with graphviz.
"""

from nnanim.engine.labels import neuron_output
from nnanim.errors import NnanimError

MAX_BOXES = 3000  # dot lays out more for minutes (and crashes on ~200,000); no one can read them anyway


class GraphTooLarge(NnanimError, ValueError):
    """A graph with more boxes than dot can lay out in reasonable time; the message says what to do."""


def first_neurons(step):
    """{(j, l): node} for the first example's neuron outputs (creation order: example 0 comes first)."""
    found = {}
    for i, label in enumerate(step.graph.labels):
        where = neuron_output(label)
        if where is not None and step.graph.arity[i]:
            found.setdefault(where, i)
    return found


def neuron_groups(step):
    """For every node, the index of the neuron output it belongs to, or None.

    A neuron's ops are the ones created since the previous neuron output: creation order follows
    the workshop's code, one neuron at a time."""
    g = step.graph
    owner = [None] * len(g)
    pending = []
    for i in range(len(g)):
        if g.arity[i] == 0:
            continue
        pending.append(i)
        if neuron_output(g.labels[i]):
            for j in pending:
                owner[j] = i
            pending = []
    return owner


def workshop_expression():
    """The workshop's L = (a*b + c)*f with a=2, b=-3, c=10, f=-2, after L.backward()."""
    from nnanim.engine.value import Value

    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    d = a * b
    d.label = "d"
    e = d + c
    e.label = "e"
    L = e * f
    L.label = "L"
    L.backward()
    return L
