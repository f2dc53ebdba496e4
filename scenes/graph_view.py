"""The computation graph as Manim mobjects: a box per value (name, data, grad), an op circle in front
of each computed value, edges between them, placed by `graph_layout`; and the gradient's pulse, which
travels backward along the edges, from a value to what it was computed from.

Every box of a scene has the same size and the same text size (at or above the theme's floor): a
reader compares numbers across the graph, so no box shrinks its own text to fit.
"""

import math

import numpy as np
from manim import BOLD, DOWN, LEFT, RIGHT, UP, Arrow, Circle, Line, RoundedRectangle, Triangle, VGroup, config

from nnanim.engine.numbers import number
from nnanim.scenes.base import text
from nnanim.scenes.graph_layout import packed, spread
from nnanim.scenes.tween import Tween, fade, opacities, recolor

LINE_GAP = 0.2  # between a box's lines, in line heights
PAD = 0.4  # inside a box, above and below its lines, in line heights
SIDE = 0.5  # inside a box, beside its longest line, in line heights
ROW_GAP = 0.7  # between boxes of a column, in line heights


def size_of(theme, share):
    """The line height for a share of the frame height, rounded up to a thousandth (so a text made
    at the floor is not below it)."""
    return math.ceil(config.frame_height * share * 1000) / 1000


def box_height(line_height):
    return line_height * (3 + 2 * LINE_GAP + 2 * PAD)


def grad_text(grad):
    return "grad ?" if grad is None else f"grad {number(grad)}"


def box_lines(box, grads=()):
    """Every line box `box` will show: its name, its data, and its grad at every moment."""
    return [box.name, f"data {number(box.data)}", grad_text(None), *(grad_text(g) for g in grads)]


def widest(lines, theme, line_height, bold=()):
    """The width of the widest of `lines` at `line_height` (the longest few measured, not all)."""
    longest = sorted(dict.fromkeys(lines), key=len, reverse=True)[:6]  # ties in order: the same every run
    return max(text(s, theme, line_height, weight=BOLD if s in bold else "NORMAL").width for s in longest)


def sign_colour(theme, grad):
    if grad is None:
        return theme.muted
    return theme.positive if grad > 0 else theme.negative if grad < 0 else theme.text


class ValueBox(VGroup):
    """name / data / grad in a rounded box. The grad row sits in a slot of its own, so that changing
    it redraws only the row."""

    def __init__(self, name, data, theme, width, line_height, leaf):
        super().__init__()
        self.theme, self.line_height = theme, line_height
        height = box_height(line_height)
        self.frame = RoundedRectangle(corner_radius=line_height * 0.5, width=width, height=height,
                                      stroke_color=theme.rule, stroke_width=2,
                                      fill_color=theme.background if leaf else theme.panel, fill_opacity=1)
        self.title = text(name, theme, line_height, weight=BOLD).move_to(self._row(0))
        self.data = text(f"data {number(data)}", theme, line_height).move_to(self._row(1))
        self.grad = self.grad_line(None)
        self.slot = VGroup(self.grad)
        self.add(self.frame, self.title, self.data, self.slot)

    def _row(self, k):
        t = self.line_height
        return self.frame.get_top() + DOWN * (t * (PAD + 0.5) + k * t * (1 + LINE_GAP))

    def grad_line(self, grad, color=None):
        """The grad row for a value (or `grad ?` before backward reaches it)."""
        line = text(grad_text(grad), self.theme, self.line_height, color=color or sign_colour(self.theme, grad))
        return line.move_to(self._row(2))

    def set_grad_line(self, grad):
        """The grad row changed at once (for a box off screen)."""
        self.slot.remove(self.grad)
        self.grad = self.grad_line(grad)
        self.slot.add(self.grad)


def op_symbol(symbol, theme, line_height, color=None):
    """An op: its symbol at the boxes' text size in a circle, or a pill for a longer one (tanh)."""
    label = text(symbol, theme, line_height, color=color or theme.text)
    height = line_height * 1.7
    width = max(height, label.width + line_height * 0.9)
    if width <= height * 1.05:
        ring = Circle(radius=height / 2, stroke_color=theme.rule, stroke_width=2)
    else:
        ring = RoundedRectangle(corner_radius=height / 2, width=width, height=height, stroke_color=theme.rule,
                                stroke_width=2)
    ring.set_fill(theme.background, 1)
    return VGroup(ring, label.move_to(ring))


class GraphView:
    """The mobjects of a `graph_layout.Drawing`, made when first asked for (a whole training step has
    hundreds of boxes; the camera shows a few dozen): boxes at `centres`, each op circle in the gap
    before its box, edges from a box's right side to the op (or box) that reads it."""

    def __init__(self, drawing, theme, line_height, box_width, centres, gap):
        self.drawing, self.theme, self.t = drawing, theme, line_height
        self.width, self.height, self.centres, self.gap = box_width, box_height(line_height), centres, gap
        self.boxes, self.ops, self.edges = {}, {}, {}
        self.into, self.out_of = {}, {}  # head -> tails; tail -> the indices of its edges in drawing.edges
        for n, (tail, head) in enumerate(drawing.edges):
            self.into.setdefault(head, []).append(tail)
            self.out_of.setdefault(tail, []).append(n)
        self.op_corners = {}  # symbol -> (its lower-left and upper-right corners, its centre), as made
        self.unseen = {}  # key -> the grad of a box not made yet, changed while off screen

    def box(self, key):
        if key not in self.boxes:
            b = self.drawing.boxes[key]
            self.boxes[key] = ValueBox(b.name, b.data, self.theme, self.width, self.t, b.leaf)
            self.boxes[key].move_to([*self.centres[key], 0])
            if key in self.unseen:
                self.boxes[key].set_grad_line(self.unseen.pop(key))
        return self.boxes[key]

    def set_grad_unseen(self, key, grad):
        """A box's grad changed at once, off screen: the box is made when it comes into view."""
        if key in self.boxes:
            self.boxes[key].set_grad_line(grad)
        else:
            self.unseen[key] = grad

    def op(self, key):
        if key not in self.ops:
            self.ops[key] = op_symbol(self.drawing.boxes[key].op, self.theme, self.t).move_to(self._op_centre(key))
        return self.ops[key]

    def _op_centre(self, key):
        x, y = self.centres[key]
        return np.array([x - self.width / 2 - self.gap / 2, y, 0])

    def part(self, key):
        """The mobject a drawing key stands for: a box, or ("op", key) for an op circle."""
        return self.op(key[1]) if isinstance(key, tuple) else self.box(key)

    def extent(self, key):
        """(left, bottom, right, top) of a box, or of ("op", key), an op circle."""
        if isinstance(key, tuple):  # where `op` puts it, without making it: one op of each symbol is made
            symbol = self.drawing.boxes[key[1]].op
            if symbol not in self.op_corners:
                made = op_symbol(symbol, self.theme, self.t)
                self.op_corners[symbol] = made.get_corner(DOWN + LEFT), made.get_corner(UP + RIGHT), made.get_center()
            low, high, centre = self.op_corners[symbol]
            shift = self._op_centre(key[1]) - centre
            return (*(low + shift)[:2], *(high + shift)[:2])
        x, y = self.centres[key]
        return x - self.width / 2, y - self.height / 2, x + self.width / 2, y + self.height / 2

    def parts(self):
        """Every box key, and ("op", key) for every op circle."""
        return [*self.drawing.boxes, *(("op", k) for k, b in self.drawing.boxes.items() if b.op)]

    def edge(self, tail, head):
        if (tail, head) not in self.edges:
            start = self.part(tail).get_right()
            if isinstance(head, tuple) or isinstance(tail, tuple):
                ring = self.part(head)[0] if isinstance(head, tuple) else None
                end = _towards(ring, start) if ring is not None else self.part(head).get_left()
            else:
                end = self._fanned(tail, head)
            self.edges[(tail, head)] = Arrow(start, end, buff=self.t * 0.12, stroke_width=2.5,
                                             color=self.theme.rule, tip_length=self.t * 0.45,
                                             max_tip_length_to_length_ratio=0.35, max_stroke_width_to_length_ratio=10)
        return self.edges[(tail, head)]

    def _fanned(self, tail, head):
        """Where an edge ends on a box read by several: spread along its left side in the order of the
        tails' heights, so the arrowheads do not pile up."""
        tails = sorted(self.into[head], key=lambda t: -self.centres[t if not isinstance(t, tuple) else t[1]][1])
        k = tails.index(tail)
        spread = self.height * 0.6
        offset = 0 if len(tails) == 1 else spread / 2 - k * spread / (len(tails) - 1)
        return self.box(head).get_left() + UP * offset

    def mobjects_for(self, parts):
        """The mobjects of `parts` (box keys and ("op", key)s) and the edges between them, back to front."""
        inside = set(parts)
        mine = sorted({n for k in inside for n in self.out_of.get(k, ())})  # in the drawing's order
        edges = [self.edge(*self.drawing.edges[n]) for n in mine if self.drawing.edges[n][1] in inside]
        return edges + [self.part(k) for k in parts if isinstance(k, tuple)] + \
            [self.part(k) for k in parts if not isinstance(k, tuple)]

    def light(self, key, color, visible=None):
        """A box's outline (and its op's ring and symbol) turning `color`; of those in `visible` only
        (a play would add the others to the scene)."""
        out = [recolor(self.box(key).frame, color, stroke_only=True)] if visible is None or key in visible else []
        if self.drawing.boxes[key].op and (visible is None or ("op", key) in visible):
            ring, symbol = self.op(key)
            out += [recolor(ring, color, stroke_only=True), recolor(symbol, color if color != self.theme.rule
                                                                      else self.theme.text)]
        return out

    def set_grad(self, key, grad, color, **kwargs):
        """The grad row of a box changing to `grad`, in `color`: the new number fades in where the
        old one fades out (a Transform would deep-copy both texts, at every update of a large graph)."""
        box = self.box(key)
        return swap(box, box.grad_line(grad, color), **kwargs)

    def pulse(self, stages, start=0.0, until=1.0):
        """The gradient travelling back: an accent line grows along each edge from its head to its tail,
        an arrowhead at its front; first from a box to its op, then from the op to every input at once,
        from `start` to `until` (shares of the play). The forward arrows hide under the trails.
        Returns (animations, the trails, for `settle`)."""
        first, then = stages
        share = start + (0.3 * (until - start) if first and then else (until - start if first else 0.0))
        runs = [(self.edge(t, h), start, share, (t, h)) for t, h in first] + \
            [(self.edge(t, h), share, until, (t, h)) for t, h in then]
        trails, hidden = [], [(arrow, opacities(arrow), a0, edge) for arrow, a0, _, edge in runs]
        for arrow, a0, a1, _ in runs:
            head, tail = arrow.get_end(), arrow.get_start()
            line = Line(head, head + (tail - head) * 1e-3, stroke_width=5, color=self.theme.accent)
            dot = Triangle(color=self.theme.accent, fill_opacity=1, stroke_width=0).scale(self.t * 0.3)
            dot.rotate(math.atan2(*(tail - head)[1::-1]) - math.pi / 2).move_to(head)
            trails.append((line, dot, head, tail, a0, a1))
        group = VGroup(*[m for line, dot, *_ in trails for m in (line, dot)])
        group.hidden = hidden  # the forward arrows under the trails (and their edges), hidden meanwhile

        def hide(parts, a0):
            def apply(_, alpha):
                if alpha > a0:
                    for m, *_ in parts:
                        m.set_fill(opacity=0, family=False)
                        m.set_stroke(opacity=0, family=False)
            return apply

        def apply(_, alpha):
            for line, dot, head, tail, a0, a1 in trails:
                k = min(1.0, max(1e-3, (alpha - a0) / (a1 - a0))) if a1 > a0 else 1.0
                point = head + (tail - head) * k
                line.put_start_and_end_on(head, point)
                dot.move_to(point - (tail - head) / np.linalg.norm(tail - head) * dot.height * 0.3)
                seen = 1.0 if alpha >= a0 else 0.0
                line.set_stroke(opacity=seen)
                dot.set_fill(opacity=seen)

        apply(group, 0.0)
        linear = dict(rate_func=lambda x: x)
        return [Tween(group, apply, **linear), *[Tween(a, hide(p, a0), **linear) for a, p, a0, _ in hidden]], group

    def settle(self, key, trails, updated, visible=None):
        """After a moment: trails gone, the box and its op back to idle, the new grads in their signs'
        colours."""
        out = []
        if trails is not None and len(trails):
            out.append(fade(trails, False))
            out += [fade(arrow, True, parts) for arrow, parts, _, edge in trails.hidden
                    if visible is None or set(edge) <= visible]
        out += self.light(key, self.theme.rule, visible)
        for k, grad in updated.items():
            out.append(recolor(self.box(k).grad, sign_colour(self.theme, grad)))
        return out


def window(start, end):
    """A rate function that runs a change from `start` to `end` (shares of a play) and holds before
    and after: several steps in one play, one partial movie file instead of one each."""
    def rate(alpha):
        x = min(1.0, max(0.0, (alpha - start) / (end - start))) if end > start else float(alpha >= start)
        return x * x * (3 - 2 * x)
    return rate


def swap(box, new, **kwargs):
    """A box's grad row replaced by `new`: the new number fades in where the old one fades out."""
    old = box.grad
    olds, news = opacities(old), opacities(new)
    box.slot.add(new)
    box.grad = new

    def apply(_, alpha):
        for m, fill, stroke in olds:
            m.set_fill(opacity=fill * (1 - alpha), family=False)
            m.set_stroke(opacity=stroke * (1 - alpha), family=False)
        for m, fill, stroke in news:
            m.set_fill(opacity=fill * alpha, family=False)
            m.set_stroke(opacity=stroke * alpha, family=False)
        if alpha >= 1 and old in box.slot.submobjects:
            box.slot.remove(old)

    apply(box.slot, 0.0)
    return Tween(box.slot, apply, **kwargs)


def _towards(ring, point):
    """The point of an op's outline that faces `point` (a circle's rim; a pill's, nearly)."""
    center = ring.get_center()
    direction = point - center
    direction = direction / max(np.linalg.norm(direction), 1e-9)
    rx, ry = ring.width / 2, ring.height / 2
    scale = 1 / math.sqrt((direction[0] / rx) ** 2 + (direction[1] / ry) ** 2)
    return center + direction * scale


def view_of(drawing, theme, region, grads=None, largest=None):
    """A GraphView of `drawing` with every box at one text size. When the whole graph fits `region`
    (left, bottom, right, top) at the floor size or above: as large as fills it (up to `largest`, a
    share of the frame height, by default the heading size), spread over it. Else at the floor size,
    grown so that whole columns fill the region's width, around the origin, for a camera to follow:
    spread when the graph is at most two views tall, else each box beside what it reads. Returns
    (view, whether it fits). `grads` lists the grads each box will show, so every box is wide enough."""
    grads = grads or {}
    floor = size_of(theme, theme.min_text)
    x0, y0, x1, y1 = region
    region_w, region_h = x1 - x0, y1 - y0
    lines = [line for k, b in drawing.boxes.items() for line in box_lines(b, grads.get(k, ()))]
    bold = {b.name for b in drawing.boxes.values()}
    w1 = widest(lines, theme, floor, bold) / floor + 2 * SIDE  # box width per line height
    symbols = {b.op for b in drawing.boxes.values() if b.op}
    op1 = max((op_symbol(s, theme, floor)[0].width / floor for s in symbols), default=0)
    g1 = op1 + 1.4 if symbols else 1.4  # the gap between columns: the op circle and room for arrows
    h1 = box_height(1)
    cols, rows = len(drawing.columns), max(len(c) for c in drawing.columns)
    t = min(region_w / (cols * w1 + (cols - 1) * g1), region_h / (rows * h1 + (rows - 1) * ROW_GAP),
            config.frame_height * (largest or theme.heading_size))
    if t >= floor:
        t = math.floor(t * 1000) / 1000
        centres = spread(drawing.columns, region_w, region_h, w1 * t, h1 * t)
        centres = {k: (x + (x0 + x1) / 2, y + (y0 + y1) / 2) for k, (x, y) in centres.items()}
        gap = (region_w - cols * w1 * t) / (cols - 1) if cols > 1 else g1 * t
        return GraphView(drawing, theme, t, w1 * t, centres, gap), True
    n = max(1, min(cols, int((region_w / floor + g1) // (w1 + g1))))
    t = max(floor, math.floor(region_w / (n * w1 + (n - 1) * g1) * 1000) / 1000)
    width, height = cols * w1 * t + (cols - 1) * g1 * t, rows * h1 * t + (rows - 1) * ROW_GAP * t
    if height <= 2 * region_h:  # a grid a camera pans along
        centres = spread(drawing.columns, width, height, w1 * t, h1 * t)
    else:  # tall: a box beside what it reads, not a band's height away
        links = [(a, b[1] if isinstance(b, tuple) else b) for a, b in drawing.edges if not isinstance(a, tuple)]
        examples = {k: b.example for k, b in drawing.boxes.items()}
        centres = packed(drawing.columns, links, (w1 + g1) * t, (h1 + ROW_GAP) * t, examples)
    return GraphView(drawing, theme, t, w1 * t, centres, g1 * t), False


class StillBackground:
    """A scene mixin: each play first brings what it animates to the front. Manim redraws, at every
    frame of a play, every mobject after the first one that moves; with the moving ones last, the
    still graph is drawn once, as the play's background (a box's or an edge's order does not show:
    they do not overlap)."""

    def play(self, *animations, **kwargs):
        top_of = {}  # id of every mobject in the scene -> the first of the scene's mobjects it is part of
        for top in self.mobjects:
            for member in top.get_family():
                top_of.setdefault(id(member), top)
        tops = [top_of[id(a.mobject)] for a in animations if id(getattr(a, "mobject", None)) in top_of]
        if tops:
            self.bring_to_front(*dict.fromkeys(tops))
        super().play(*animations, **kwargs)

    def wait(self, *args, **kwargs):
        """Manim's wait, without the empty mobject its Wait leaves in the scene (every one of them is
        visited at every later frame: a long replay would slow down as it goes)."""
        count = len(self.mobjects)
        super().wait(*args, **kwargs)
        self.remove(*self.mobjects[count:])

    def hold(self, seconds, note):
        """A still hold with a stop one frame into it: the frame before the stop and the frame at it
        both show the finished state (a play never draws its last state; the hold does). `note` is the
        speaker's note for the step that ends at the stop."""
        start = self.renderer.time
        self.wait(max(seconds, 2 / config.frame_rate))
        self.mark_stop(note, at=start + 1 / config.frame_rate)
        self.check_layout(f"stop {len(self.stops)}")


def vanish(mobject, **kwargs):
    """Fade a shown mobject out, remembering how it was drawn, for `appear` to bring it back."""
    mobject.shown_as = opacities(mobject)
    return fade(mobject, False, mobject.shown_as, **kwargs)


def appear(mobject, **kwargs):
    """Fade a mobject in: as it was drawn before `vanish`, or as it was made."""
    was = {id(m): (fill, stroke) for m, fill, stroke in getattr(mobject, "shown_as", ())}
    parts = [(m, *was.get(id(m), (fill, stroke))) for m, fill, stroke in opacities(mobject)]
    return fade(mobject, True, parts, **kwargs)
