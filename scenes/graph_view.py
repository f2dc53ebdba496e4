"""The computation graph as Manim mobjects: a box per value (label, data, grad), a circle per op,
arrows between them, placed where graphviz's dot puts them (engine.graph.layout, shared with
`nnanim draw`)."""

import numpy as np
from manim import BOLD, DOWN, UP, Arrow, Circle, RoundedRectangle, VGroup, config

from nnanim.engine.graph import layout
from nnanim.engine.numbers import number
from nnanim.scenes.backprop_plan import name_of
from nnanim.scenes.base import text
from nnanim.scenes.tween import recolor

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
    """Boxes, op circles and arrows of `nodes` of a step as dot places them, fitted into `region`
    (x0, y0, x1, y1), or at a fixed `scale` (scene units per point) around the origin, where they are
    made only when `mobjects_for` asks for them (a whole training step has hundreds of values).
    With group="neuron", each neuron of the workshop's MLP is one box, keyed by its output."""

    def __init__(self, step, nodes, theme, region=None, scale=None, group="none"):
        super().__init__()
        self.step, self.theme, self.graph = step, theme, step.graph
        self.placed = layout(step, None if group == "neuron" else set(nodes), box_size=BOX, group=group)
        boxes = self.placed.values()
        lo = np.array([min(x - w / 2 for x, _, w, _ in boxes), min(y - h / 2 for _, y, _, h in boxes)])
        hi = np.array([max(x + w / 2 for x, _, w, _ in boxes), max(y + h / 2 for _, y, _, h in boxes)])
        if region is not None:
            x0, y0, x1, y1 = region
            self.scale = min((x1 - x0) / (hi[0] - lo[0]), (y1 - y0) / (hi[1] - lo[1]))
            self.target = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
        else:
            self.scale, self.target = scale, np.zeros(2)
        self.middle = (lo + hi) / 2
        self.into = {}  # head key -> [tail keys]
        for tail, head in self.placed.edges:
            self.into.setdefault(head, []).append(tail)
        self.boxes, self.ops, self.arrows = {}, {}, {}
        if region is not None:
            self.add(*self.mobjects_for(nodes))

    def at(self, x, y):
        p = (np.array([x, y]) - self.middle) * self.scale + self.target
        return np.array([p[0], p[1], 0.0])

    def position(self, key):
        return self.at(*self.placed[key][:2])

    def mobjects_for(self, nodes):
        """The arrows, op circles and boxes that show `nodes` (made on first use), back to front."""
        keys = [i for i in nodes if i in self.placed]
        arrows, ops = [], []
        for i in keys:
            self._box(i)
            if ("op", i) in self.placed:
                ops.append(self._op(i))
                arrows += [self._arrow(t, ("op", i)) for t in self.into.get(("op", i), [])]
            arrows += [self._arrow(t, i) for t in self.into.get(i, [])]
        return arrows + ops + [self.boxes[i] for i in keys]

    def _box(self, i):
        if i not in self.boxes:
            x, y, w, h = self.placed[i]
            box = ValueBox(name_of(self.graph, i), self.step.data[i], self.theme, w * self.scale, h * self.scale,
                           leaf=not self.graph.arity[i])
            self.boxes[i] = box.move_to(self.at(x, y))
        return self.boxes[i]

    def _op(self, i):
        if i not in self.ops:
            x, y, w, _ = self.placed[("op", i)]
            circle = Circle(radius=w / 2 * self.scale, color=self.theme.muted, stroke_width=2)
            circle.set_fill(self.theme.background, 1).move_to(self.at(x, y))
            symbol = text(_op_symbol(self.graph.ops[i]), self.theme, round(circle.height * 0.45, 3))
            if symbol.width > circle.width * 0.8:
                symbol.scale_to_fit_width(circle.width * 0.8)
            self.ops[i] = VGroup(circle, symbol.move_to(circle))
        return self.ops[i]

    def _arrow(self, tail, head):
        """An arrow between two placed keys (boxes are made as needed)."""
        if (tail, head) not in self.arrows:
            start = self._op(tail[1])[0] if isinstance(tail, tuple) else self._box(tail)
            end = self._op(head[1])[0] if isinstance(head, tuple) else self._box(head)
            a, b = start.get_right(), end.get_left()
            if isinstance(head, tuple):
                b = _towards(end, a)
            self.arrows[(tail, head)] = Arrow(a, b, buff=0.04, stroke_width=3, color=self.theme.muted,
                                              tip_length=0.15, max_tip_length_to_length_ratio=0.3)
        return self.arrows[(tail, head)]

    def parts_of(self, i):
        """Node i's op circle and the arrows into and out of it (what lights up when i passes its
        grad back)."""
        return [self.ops[i], *self._arrows_of(i)] if i in self.ops else list(self._arrows_of(i))

    def _arrows_of(self, i):
        heads = (("op", i), i)
        return [a for (t, h), a in self.arrows.items() if h in heads]

    def light(self, i, color):
        """Animations that colour node i's op ring and symbol and the arrows into it (for a neuron's
        box: its outline)."""
        out = [recolor(a, color) for a in self._arrows_of(i)]
        if i in self.ops:
            circle, symbol = self.ops[i]
            out += [recolor(circle, color, stroke_only=True), recolor(symbol, color)]
        elif i in self.boxes and i in self.into and ("op", i) not in self.placed:
            out.append(recolor(self.boxes[i].frame, color, stroke_only=True))
        return out


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

