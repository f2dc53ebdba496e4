"""The workshop's draw.py picture of a Value graph, with graphviz: a box per value (label, data, grad)
and a small node per op. Large graphs are grouped by neuron so that they stay legible (`nnanim draw`,
`nnanim.draw` in a notebook).

graphviz (the Python package) is imported only when a picture is made, so the command line starts fast.
"""

import html

from nnanim import tools
from nnanim.engine.atomic import write_atomically
from nnanim.engine.graph import MAX_BOXES, GraphTooLarge, neuron_groups
from nnanim.engine.labels import is_parameter
from nnanim.engine.numbers import fixed
from nnanim.errors import NnanimError

GROUP_ABOVE = 150  # nodes; bigger graphs are drawn one box per neuron
DOT_SECONDS = 120


def _printable(text):
    """Text for a graphviz label: control characters (which dot refuses) shown as `?`, then escaped."""
    return html.escape("".join(c if c.isprintable() else "?" for c in text))


def _box(label, data, grad, show_grad, fill):
    cells = [f"<TD><B>{_printable(label)}</B></TD>"] if label else []
    cells.append(f"<TD>data {fixed(data)}</TD>")
    if show_grad:
        cells.append(f"<TD>grad {fixed(grad)}</TD>")
    return (f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="{fill}">'
            f"<TR>{''.join(cells)}</TR></TABLE>>")


def to_dot(step, after_backward=True, group="auto"):
    """A graphviz Digraph of one step; `group` is "auto", "neuron" or "none"."""
    import graphviz

    g = step.graph
    grads = step.grad if after_backward else step.grad_before
    if group == "auto":
        group = "neuron" if len(g) > GROUP_ABOVE else "none"
    owner = neuron_groups(step) if group == "neuron" else [None] * len(g)
    dot = graphviz.Digraph(graph_attr={"rankdir": "LR", "bgcolor": "white", "fontname": "Helvetica"},
                           node_attr={"fontname": "Helvetica", "fontsize": "11"})

    def name(i):
        return f"n{owner[i] if owner[i] is not None else i}"

    absorbed = _absorbed_parameters(g, owner) if group == "neuron" else set()
    shown = range(len(g))
    boxes = sum(1 for i in shown if (owner[i] is None or owner[i] == i) and i not in absorbed)
    if boxes > MAX_BOXES:
        raise GraphTooLarge(f"the graph has {boxes:,} boxes to draw; at most {MAX_BOXES:,} can be laid out "
                            "(draw: --group neuron or an earlier, smaller graph; backprop: --neuron J,L or --focus LABEL)")
    for i in range(len(g)):
        if owner[i] is not None and owner[i] != i or i in absorbed:
            continue
        op, label = g.ops[i], g.labels[i]
        if owner[i] == i:  # a whole neuron in one box
            params = [g.labels[j] for j in _neuron_params(g, owner, i)]
            title = f"neuron {label}" + (f" ({', '.join(params)})" if params else "")
            dot.node(name(i), _box(title, step.data[i], grads[i], after_backward, "#e8f0fe"),
                     shape="plaintext", margin="0")
            continue
        dot.node(name(i), _box(label, step.data[i], grads[i], after_backward,
                               "#fff4d6" if not g.arity[i] else "#ffffff"), shape="plaintext", margin="0")
        if op:
            dot.node(f"{name(i)}op", _printable(op), shape="circle", width="0.3", fontsize="10")
            dot.edge(f"{name(i)}op", name(i))
    drawn = set()
    for i in shown:
        target = f"{name(i)}op" if owner[i] is None else name(i)
        for j in g.inputs(i):
            if owner[i] is not None and (owner[j] == owner[i] or _is_parameter(g, j)):
                continue
            if name(j) == name(i) or (name(j), target) in drawn:
                continue
            drawn.add((name(j), target))
            dot.edge(name(j), target)
    return dot


def _neuron_params(g, owner, out):
    return [j for i in range(len(g)) if owner[i] == out for j in g.inputs(i) if _is_parameter(g, j)]


def _is_parameter(g, j):
    """A weight or bias: a leaf labelled like one (a drawing has one step, so no trace to ask)."""
    return g.arity[j] == 0 and is_parameter(g.labels[j])


def _absorbed_parameters(g, owner):
    """Parameters used only inside neurons: the neuron boxes name them, so they get no box."""
    outside = {j for i in range(len(g)) if owner[i] is None for j in g.inputs(i)}
    return {j for j in g.leaf_list if _is_parameter(g, j) and j not in outside}


def write_picture(step, path, after_backward=True, group="auto"):
    """Render to .svg or .png (by the file's suffix), atomically."""
    fmt = str(path).rsplit(".", 1)[-1].lower()
    if fmt not in ("svg", "png"):
        raise NnanimError(f"cannot draw to {path}: give a .svg or .png file")
    picture = run_dot(to_dot(step, after_backward, group), fmt)
    try:
        write_atomically(path, picture)
    except OSError as e:
        raise NnanimError(f"cannot write {path}: {e.strerror or e}") from None


def run_dot(dot, fmt):
    """graphviz's dot on a Digraph (nnanim.tools: a time limit, a failure in one line)."""
    return tools.run(["dot", f"-T{fmt}"], "drawing the graph", DOT_SECONDS, input=dot.source.encode())
