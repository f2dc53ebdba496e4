"""The computation graph as Manim mobjects: a box per value (label, data, grad), a circle per op,
arrows between them, placed where graphviz's dot puts them (engine.graph.layout, shared with
`nnanim draw`)."""

import numpy as np
from manim import BOLD, DOWN, UP, Arrow, Circle, RoundedRectangle, VGroup, config

from engine.graph import layout
from scenes.backprop_plan import name_of, number
from scenes.base import text
from scenes.tween import recolor

BOX = (1.35, 0.8)  # inches, as laid out by dot


class ValueBox(VGroup):
    """label / data / grad in a rounded box."""

    def __init__(self, label, data, theme, width, height, leaf):
        super().__init__()
        self.theme, self.line_height = theme, round(height * 0.235, 3)
        self.frame = RoundedRectangle(corner_radius=min(width, height) * 0.12, width=width, height=height,
                                      stroke_color=theme.muted, stroke_width=2,
                                      fill_color=theme.panel if not leaf else theme.background, fill_opacity=1)
        self.title = self._line(label, weight=BOLD).move_to(self.frame.get_top() + DOWN * height * 0.22)
        self.data = self._line(f"data {number(data)}").move_to(self.frame.get_center())
        self.grad = self.grad_line(None)
        self.add(self.frame, self.title, self.data, self.grad)

    def _line(self, content, weight="NORMAL", color=None):
        line = text(content, self.theme, self.line_height, color=color, weight=weight)
        if line.width > self.frame.width * 0.9:
            line.scale_to_fit_width(self.frame.width * 0.9)
        return line

    def grad_line(self, grad, color=None):
        """The grad row for a value (or `grad ?` before backward reaches it)."""
        text = "grad ?" if grad is None else f"grad {number(grad)}"
        line = self._line(text, color=color or (self.theme.muted if grad is None else self.theme.text))
        return line.move_to(self.frame.get_bottom() + UP * self.frame.height * 0.22)


class GraphView(VGroup):
    """Boxes, op circles and arrows of `nodes` of a step, fitted into `region` (x0, y0, x1, y1)."""

    def __init__(self, step, nodes, theme, region):
        super().__init__()
        g = step.graph
        placed = layout(step, set(nodes), box_size=BOX)
        xs = [x for x, _, w, _ in placed.values()] + [x - w / 2 for x, _, w, _ in placed.values()] + \
            [x + w / 2 for x, _, w, _ in placed.values()]
        ys = [y - h / 2 for _, y, _, h in placed.values()] + [y + h / 2 for _, y, _, h in placed.values()]
        x0, y0, x1, y1 = region
        self.scale = min((x1 - x0) / (max(xs) - min(xs)), (y1 - y0) / (max(ys) - min(ys)))
        center = np.array([(max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2])
        target = np.array([(x0 + x1) / 2, (y0 + y1) / 2])

        def at(x, y):
            p = (np.array([x, y]) - center) * self.scale + target
            return np.array([p[0], p[1], 0.0])

        self.boxes, self.ops, self.in_edges, self.out_edge = {}, {}, {}, {}
        for key, (x, y, w, h) in placed.items():
            if isinstance(key, tuple):
                i = key[1]
                if not any(j in placed for j in g.inputs(i)):
                    continue  # a value computed outside the part shown: it arrives as a plain box
                circle = Circle(radius=w / 2 * self.scale, color=theme.muted, stroke_width=2)
                circle.set_fill(theme.background, 1).move_to(at(x, y))
                symbol = text(_op_symbol(g.ops[i]), theme, round(circle.height * 0.45, 3))
                if symbol.width > circle.width * 0.8:
                    symbol.scale_to_fit_width(circle.width * 0.8)
                self.ops[i] = VGroup(circle, symbol.move_to(circle))
            else:
                box = ValueBox(name_of(g, key), step.data[key], theme, w * self.scale, h * self.scale,
                               leaf=not g.arity[key])
                self.boxes[key] = box.move_to(at(x, y))
        for i, op in self.ops.items():
            self.out_edge[i] = self._arrow(op[0].get_right(), self.boxes[i].get_left(), theme)
            self.in_edges[i] = [self._arrow(self.boxes[j].get_right(), _towards(op[0], self.boxes[j].get_right()),
                                            theme) for j in g.inputs(i) if j in self.boxes]
        self.add(*[e for edges in self.in_edges.values() for e in edges], *self.out_edge.values(),
                 *self.ops.values(), *self.boxes.values())

    def _arrow(self, start, end, theme):
        return Arrow(start, end, buff=0.04, stroke_width=3, color=theme.muted, tip_length=0.15,
                     max_tip_length_to_length_ratio=0.3)

    def parts_of(self, i):
        """Node i's op circle and the edges into and out of it (what lights up when i passes its
        grad back)."""
        return [self.ops[i], *self.in_edges.get(i, []), self.out_edge[i]] if i in self.ops else []

    def light(self, i, color):
        """Animations that colour node i's op ring, symbol and edges."""
        if i not in self.ops:
            return []
        circle, symbol = self.ops[i]
        return [recolor(circle, color, stroke_only=True), recolor(symbol, color),
                *[recolor(edge, color) for edge in self.in_edges[i] + [self.out_edge[i]]]]


def _towards(circle, point):
    """The point of a circle's rim that faces `point`."""
    center = circle.get_center()
    direction = point - center
    return center + direction / max(np.linalg.norm(direction), 1e-9) * circle.width / 2


def _op_symbol(op):
    return {"*": "\u00d7", "+": "+", "tanh": "tanh", "exp": "exp", "log": "log", "relu": "relu"}.get(
        op, op.replace("**", "^"))


def fit_region(bottom_share):
    """The frame minus a strip at the bottom for the rule text, with margins."""
    w, h = config.frame_width, config.frame_height
    return (-w / 2 + 0.4, -h / 2 + h * bottom_share, w / 2 - 0.4, h / 2 - 0.35)

