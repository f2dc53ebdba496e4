"""A neuron and a layer as textbook diagrams, laid out from a box (the safe area) inwards.

A neuron's inputs each have a row: the input's name and value, its node (shaded by the value), an
arrow carrying its weight (coloured by the weight's sign, as thick as its size) to the product w·x, and
a link from the product into the body, a circle split into Σ and the activation. The bias is the last
row: an input fixed at 1 whose weight is b. Labels sit above their arrows and beside their nodes, so no
arrow passes through a label, and the links meet the body at different points of its rim, so no two
arrowheads pile up.
"""

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Arrow, Circle, Line, VGroup, config

from nnanim.engine.numbers import number
from nnanim.scenes.base import text
from nnanim.scenes.notation import ELLIPSIS, subscripted, wrapped

GAP = 0.12  # between a text and what it labels (scene units; the frame is 8 high)
RUN, LINK, OUT = 0.35, 0.6, 0.5  # the shortest edge beyond its label, link into the body, arrow out of it


def safe_box(theme, inset=0.03):
    """(left, bottom, right, top) of the title-safe area, a hair inside it."""
    left, bottom, right, top = theme.safe_area(config.frame_width, config.frame_height)
    return left + inset, bottom + inset, right - inset, top - inset


def sizes(theme):
    """(name, small): line heights for names and values beside nodes, and for labels on edges."""
    h = config.frame_height
    return round(h * theme.body_size, 3), round(h * theme.min_text, 3)


def sign_colour(theme, w):
    return theme.muted if w is None else (theme.positive if w >= 0 else theme.negative)


def edge_width(w):
    """Stroke width for a weight: 2 for zero (or a symbol), 9 from |w| = 1.5 on."""
    return 2.0 if w is None else 2.0 + 7.0 * min(abs(w), 1.5) / 1.5


def input_label(theme, name, value, heights, room):
    """`x = 1`; a long name wrapped (at most two lines, no wider than `room`) with its value on the last
    line or on its own: whole at the largest of `heights` (line heights) where it fits whole, else
    shortened at the smallest (which keeps the most of it)."""
    shortened = None
    for size in heights:
        for chars in (16, 14, 12, 10, 8, 6):
            lines = wrapped(subscripted(name), chars).split("\n")
            if value is not None:
                if len(lines[-1]) + len(value) + 3 <= chars:
                    lines[-1] += f" = {value}"
                else:
                    lines.append(f"= {value}")
            made = text("\n".join(lines), theme, size)
            if made.width <= room:
                if ELLIPSIS not in made.text:
                    return made
                shortened = made
                break
    return shortened or made


def input_labels(theme, named, heights, room):
    """`input_label` for each (name, value) of `named` (None stays None), all at one size: the largest
    where every name fits whole, else the smallest."""
    for size in heights:
        made = [None if pair is None else input_label(theme, *pair, (size,), room) for pair in named]
        if all(m is None or ELLIPSIS not in m.text for m in made):
            break
    return made


def ellipsis(theme, size):
    return text("\u22ee", theme, size, color=theme.muted)


def rim(center, radius, toward):
    """The point of a circle's rim facing `toward`."""
    d = np.asarray(toward, dtype=float) - center
    return center + radius * d / np.linalg.norm(d)


class NeuronDiagram(VGroup):
    """The rows of `rows` (scenes/neuron_plan.py; None is a ⋮ row) into a split body and an output node
    named `output`, in `box`. Parts are attributes (lists per row) so a scene can show them in turn."""

    def __init__(self, rows, activation, output, theme, box, shade=1.0, total=None, value=None):
        super().__init__()
        self.theme = theme
        left, bottom, right, top = box
        big, small = sizes(theme)
        self.rows = rows
        self.out_name = text(subscripted(output), theme, big)
        self.out_value = None if value is None else text(value, theme, big, color=theme.accent)
        self.total = None if total is None else text(f"\u03a3 = {total}", theme, big, color=theme.accent)
        out_r = 0.36
        out_w = max(self.out_name.width, out_r * 2, self.out_value.width if value else 0)
        x_out = right - out_w / 2
        # the labels on the edges as large as the names if they fit, else smaller, else on two lines;
        # last, the inputs' names narrower and the body smaller
        for room, size, stacked, smallest in ((0.22, big, False, 1.1), (0.22, small, False, 1.1),
                                              (0.22, small, True, 0.9), (0.15, small, True, 0.8)):
            self.labels = input_labels(theme, [None if r is None or r.bias else (r.name, r.value) for r in rows],
                                       (big, small), room * (right - left))
            label_w = max((m.width for m in self.labels if m is not None), default=0.0)
            self.weights = [None if r is None else text(r.weight.replace(" = ", "\n= ") if stacked else r.weight,
                                                        theme, size, color=sign_colour(theme, r.w)) for r in rows]
            self.products = [None if r is None else text(r.product, theme, size) for r in rows]
            weight_w = max(m.width for m in self.weights if m is not None)
            product_w = max(m.width for m in self.products if m is not None)

            # vertically: rows spread over the box, the first weight label and the last node inside it
            first = self.labels[0].height / 2 if self.labels[0] is not None else 0
            r = 0.3
            y_top = top - max(first, r + GAP + max(m.height for m in self.weights if m is not None))
            y_bottom = bottom + max(r, size / 2) + 0.02
            pitch = min(2.4, (y_top - y_bottom) / max(len(rows) - 1, 1))
            middle = (y_top + y_bottom) / 2
            ys = [middle + ((len(rows) - 1) / 2 - k) * pitch for k in range(len(rows))]
            r = min(r, 0.3 * pitch)

            # horizontally: labels, nodes, arrows with their weights, products, links, body, output;
            # the body grows with the room left, then the arrows and links share the rest
            x_node = left + (label_w + GAP * 1.5 if label_w else 0) + r
            start = x_node + r + 0.05
            fixed = weight_w + RUN + product_w + 0.1 + LINK + OUT + out_r
            body_r = min(1.4, 0.22 * (top - bottom), max(smallest, (x_out - start - fixed) * 0.4))
            slack = (x_out - start) - fixed - 2 * body_r
            if slack >= 0:
                break
        else:
            raise ValueError("the neuron does not fit a frame this narrow: render it wider (16:9 or 4:3)")
        self.body_r = body_r
        x_link = start + weight_w + RUN + 0.45 * slack + product_w + 0.1  # products end 0.1 before it
        x_body = x_link + LINK + 0.35 * slack + body_r
        y_body = middle
        self.body_center = np.array([x_body, y_body, 0.0])

        self.nodes, self.edges, self.links = [], [], []
        for k, (row, y) in enumerate(zip(rows, ys)):
            if row is None:
                dots = [ellipsis(theme, big).move_to([x_node, y, 0])]
                dots.append(ellipsis(theme, big).move_to([x_link - 0.1 - product_w / 2, y, 0]))
                self.nodes.append(VGroup(*dots))
                self.edges.append(None)
                self.links.append(None)
                continue
            node = Circle(radius=r, color=theme.muted, stroke_width=3).move_to([x_node, y, 0])
            if row.bias:
                node.set_fill(theme.panel, 1)
                node = VGroup(node, text("1", theme, small).move_to(node))
            else:
                fill = theme.panel if row.x is None else theme.diverging_hex(row.x, shade)
                node.set_fill(fill, 1)
                node = VGroup(node)
            self.nodes.append(node)
            if self.labels[k] is not None:
                self.labels[k].next_to(node, LEFT, buff=GAP * 1.5)
            end = x_link - 0.1 - self.products[k].width - 0.08  # products are right-aligned, a column
            edge = Arrow([start, y, 0], [end, y, 0], buff=0, stroke_width=edge_width(row.w),
                         color=sign_colour(theme, row.w), tip_length=0.2, max_tip_length_to_length_ratio=0.5,
                         max_stroke_width_to_length_ratio=100)
            self.edges.append(edge)
            self.weights[k].next_to([start + 0.05, y + edge_width(row.w) / 200, 0], UP, buff=GAP,
                                    aligned_edge=LEFT)
            self.products[k].move_to([x_link - 0.1, y, 0], aligned_edge=RIGHT)
            self.links.append(np.array([x_link, y, 0.0]))

        # the links meet the body on its left arc, spread over ±spread (top row highest), so their
        # arrowheads stay apart and the space under the body is free for the sum
        starts = [k for k, link in enumerate(self.links) if link is not None]
        spread = np.radians(min(40, 12 * (len(starts) - 1)))
        for k, angle in zip(starts, np.linspace(np.pi - spread, np.pi + spread, len(starts))):
            end = self.body_center + body_r * np.array([np.cos(angle), np.sin(angle), 0.0])
            self.links[k] = Arrow(self.links[k], end, buff=0, stroke_width=3, color=theme.muted, tip_length=0.16,
                                  max_tip_length_to_length_ratio=0.3)

        circle = Circle(radius=body_r, color=theme.muted, stroke_width=4).set_fill(theme.panel, 1)
        circle.move_to(self.body_center)
        split = activation != "linear"
        sigma = text("\u03a3", theme, round(config.frame_height * theme.title_size, 3))
        sigma.move_to(self.body_center + (LEFT * body_r * 0.5 if split else 0))
        parts = [circle, sigma]
        if split:
            parts.append(Line(self.body_center + UP * body_r, self.body_center + DOWN * body_r,
                              color=theme.muted, stroke_width=3))
            name = text(activation, theme, big)
            if name.width > body_r * 0.85:
                name = text(activation, theme, small)
            parts.append(name.move_to(self.body_center + RIGHT * body_r * 0.5))
        self.body = VGroup(*parts)

        self.out_node = Circle(radius=out_r, color=theme.muted, stroke_width=3).set_fill(theme.panel, 1)
        self.out_node.move_to([x_out, y_body, 0])
        self.out_name.next_to(self.out_node, UP, buff=GAP)
        self.out_arrow = Arrow(self.body_center + RIGHT * body_r, self.out_node.get_left(), buff=0.04,
                               stroke_width=4, color=theme.muted, tip_length=0.2,
                               max_tip_length_to_length_ratio=0.4)
        if self.total is not None:
            self.total.next_to(circle, DOWN, buff=GAP)
            clear = _right_of([link for link in self.links if link is not None], self.total)
            self.total.shift(RIGHT * max(0.0, clear + 0.3 - self.total.get_left()[0]))
        if self.out_value is not None:
            self.out_value.next_to(self.out_node, DOWN, buff=GAP)
        self.add(*[m for m in self.labels + self.nodes if m is not None], self.body, self.out_node, self.out_name)

    def skeleton(self):
        """What the first frame shows: the inputs, the body and the output node, not yet connected."""
        return VGroup(*[m for m in self.labels + self.nodes if m is not None], self.body, self.out_node,
                      self.out_name)


class LayerDiagram(VGroup):
    """Every input (and the bias input 1) joined to every neuron of a layer; the neurons' names beside
    them, with room for their values (`h₀₀ = 0.9963`). `inputs` and `neurons` are index lists from
    `notation.shown` (None: a ⋮ row)."""

    def __init__(self, layer, inputs, neurons, full_labels, theme, box, shade=1.0):
        super().__init__()
        self.theme = theme
        left, bottom, right, top = box
        big, small = sizes(theme)
        named = [None if i is None else (layer.inputs[i][0], number(layer.inputs[i][1])) for i in inputs]
        self.labels = input_labels(theme, named, (big, small), 0.22 * (right - left))
        self.names = [None if j is None else text(subscripted(layer.neurons[j].output[0]), theme, big)
                      for j in neurons]
        self.full = [None if j is None else text(full_labels[j], theme, big) for j in neurons]
        label_w = max((m.width for m in self.labels if m is not None), default=0.0)
        full_w = max(m.width for m in self.full if m is not None)

        rows_in = len(inputs) + 1
        first = self.labels[0].height / 2 if self.labels[0] is not None else 0
        in_pitch = min(2.4, (top - bottom - 2 * max(first, 0.3)) / max(rows_in - 1, 1))
        n_pitch = min(2.0, (top - bottom - 0.7) / max(len(neurons) - 1, 1))
        r_in = min(0.3, 0.3 * in_pitch)
        r_n = min(0.5, 0.34 * n_pitch)
        middle = (top + bottom) / 2
        y_in = [middle + ((rows_in - 1) / 2 - k) * in_pitch for k in range(rows_in)]
        y_n = [middle + ((len(neurons) - 1) / 2 - k) * n_pitch for k in range(len(neurons))]
        x_in = left + label_w + GAP * 1.5 + r_in
        x_n = right - full_w - GAP * 1.5 - r_n
        if x_n - x_in < 2.5:
            raise ValueError("the layer does not fit a frame this narrow: render it wider (16:9 or 4:3)")

        self.in_nodes = []
        for k, (i, y) in enumerate(zip(inputs + ["bias"], y_in)):
            if i is None:
                self.in_nodes.append(ellipsis(theme, big).move_to([x_in, y, 0]))
                continue
            node = Circle(radius=r_in, color=theme.muted, stroke_width=3).move_to([x_in, y, 0])
            if i == "bias":
                node = VGroup(node.set_fill(theme.panel, 1), text("1", theme, small).move_to(node))
            else:
                node = VGroup(node.set_fill(theme.diverging_hex(layer.inputs[i][1], shade), 1))
                self.labels[k].next_to(node, LEFT, buff=GAP * 1.5)
            self.in_nodes.append(node)
        self.neurons = []
        for k, (j, y) in enumerate(zip(neurons, y_n)):
            if j is None:
                self.neurons.append(ellipsis(theme, big).move_to([x_n, y, 0]))
                continue
            node = Circle(radius=r_n, color=theme.muted, stroke_width=3).set_fill(theme.panel, 1)
            self.neurons.append(node.move_to([x_n, y, 0]))
            self.full[k].next_to(node, RIGHT, buff=GAP * 1.5)
            self.names[k].shift(self.full[k][0].get_center() - self.names[k][0].get_center())

        self.edges = {}  # (input row, neuron row) -> Line
        for a, i in enumerate(inputs + ["bias"]):
            for b, j in enumerate(neurons):
                if i is None or j is None:
                    continue
                n = layer.neurons[j]
                w = n.bias[1] if i == "bias" else n.weights[i][1]
                p, q = self.in_nodes[a][0].get_center(), self.neurons[b].get_center()
                self.edges[(a, b)] = Line(rim(p, r_in, q), rim(q, r_n, p), stroke_width=edge_width(w),
                                          color=sign_colour(theme, w))
        self.add(*self.edges.values(), *[m for m in self.labels + self.in_nodes + self.names + self.neurons
                                         if m is not None])

    def skeleton(self):
        """What the first frame shows: the inputs and the neurons with their names, not yet connected."""
        return VGroup(*[m for m in self.labels + self.in_nodes + self.names + self.neurons if m is not None])


def _right_of(segments, box):
    """The largest x that `segments` (lines, by their start and end) reach within `box`'s height."""
    low, high = box.get_bottom()[1], box.get_top()[1]
    reach = -np.inf
    for segment in segments:
        (x0, y0, _), (x1, y1, _) = segment.get_start(), segment.get_end()
        if y0 == y1:
            if low <= y0 <= high:
                reach = max(reach, x0, x1)
            continue
        if max(y0, y1) < low or min(y0, y1) > high:
            continue
        t = np.clip((np.array([low, high]) - y0) / (y1 - y0), 0, 1)
        reach = max(reach, *(x0 + t * (x1 - x0)))
    return reach

