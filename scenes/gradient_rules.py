"""`gradient-rules`: the local rule of each operation, on a tiny graph with real numbers.

For +, ·, tanh, **n, exp and relu: the inputs and the output with their values, then the gradient
arriving at the output, then what each input receives, computed by the engine's own backward rules.
"""

from dataclasses import dataclass

from manim import DOWN, LEFT, RIGHT, UP, Arrow, Circle, VGroup, config

from nnanim.engine import Value
from nnanim.engine.trace import Step
from nnanim.scenes.backprop_plan import local_rule
from nnanim.scenes.base import TraceScene, text
from nnanim.scenes.graph_view import ValueBox
from nnanim.scenes.tween import fade, recolor


@dataclass
class Example:
    title: str
    inputs: tuple  # (label, value)
    build: object  # inputs -> output Value
    incoming: float  # the gradient arriving at the output


EXAMPLES = [
    Example("+ passes the gradient on to both inputs", (("a", 2.0), ("b", -3.0)), lambda a, b: a + b, 2.0),
    Example("\u00d7 multiplies it by the other input", (("a", 2.0), ("b", -3.0)), lambda a, b: a * b, 2.0),
    Example("tanh multiplies it by 1 \u2212 t\u00b2", (("x", 0.5),), lambda x: x.tanh(), 2.0),
    Example("**n multiplies it by n\u00b7x\u207f\u207b\u00b9", (("x", 3.0),), lambda x: x**2, 2.0),
    Example("exp multiplies it by e\u02e3", (("x", 1.0),), lambda x: x.exp(), 2.0),
    Example("relu passes it where x > 0, else 0", (("x", -1.0),), lambda x: x.relu(), 2.0),
]


def worked(example):
    """(step, received): the example's graph and what each input receives from `incoming`,
    both computed by the engine."""
    leaves = [Value(v, label=label) for label, v in example.inputs]
    out = example.build(*leaves)
    out.label = "t" if out.op == "tanh" else "out"
    out.grad = example.incoming
    received = out.local_gradients()
    out.back()
    return Step.of(out), tuple(received)


def _two_lines(rule, count):
    """A one-input rule is split after its symbolic part, so it can be written large."""
    if count > 1:
        return [rule]
    head, rest = rule.split(" = ", 1)
    symbolic, numbers = rest.split(" = ", 1)
    return [f"{head} = {symbolic}", f"= {numbers}"]


class GradientRules(TraceScene):
    """How each operation passes the gradient back: +, ·, tanh, **n, exp, relu."""

    def default_trace_and_step(self):
        return None, None

    def construct(self):
        cols, rows = 3, 2
        w, h = config.frame_width / cols, (config.frame_height - 0.4) / rows
        for k, example in enumerate(EXAMPLES):
            center = [(-config.frame_width / 2 + w * (k % cols + 0.5)),
                      (config.frame_height / 2 - 0.2 - h * (k // cols + 0.5)), 0]
            self.show(example, center, w * 0.94, h * 0.94)
        self.wait(2)

    def show(self, example, center, width, height):
        step, received = worked(example)
        g = step.graph
        out = g.root
        line = round(height * 0.075, 3)
        title = text(example.title, self.theme, line, color=self.theme.muted)
        if title.width > width:
            title.scale_to_fit_width(width)
        box_w, box_h = width * 0.3, height * 0.28
        boxes = {i: ValueBox(g.labels[i], step.data[i], self.theme, box_w, box_h, leaf=not g.arity[i])
                 for i in range(len(g))}
        leaves = [i for i in range(len(g)) if not g.arity[i]]
        column = VGroup(*[boxes[i] for i in leaves]).arrange(DOWN, buff=height * 0.06)
        circle = Circle(radius=height * 0.09, color=self.theme.muted, stroke_width=2).set_fill(self.theme.background, 1)
        symbol = text({"*": "\u00d7"}.get(g.ops[out], g.ops[out].replace("**", "^")), self.theme,
                      round(circle.height * 0.4, 3))
        op = VGroup(circle, symbol.move_to(circle))
        graph = VGroup(column, op, boxes[out]).arrange(RIGHT, buff=width * 0.07)
        edges = [Arrow(boxes[i].get_right(), circle.get_left(), buff=0.04, stroke_width=3, color=self.theme.muted,
                       tip_length=0.12) for i in leaves]
        edges.append(Arrow(circle.get_right(), boxes[out].get_left(), buff=0.04, stroke_width=3,
                           color=self.theme.muted, tip_length=0.12))
        lines = local_rule(g, step.data, out, example.incoming, tuple(g.inputs(out)), received)
        rule = VGroup(*[text(part, self.theme, line) for r in lines for part in _two_lines(r, len(lines))])
        rule.arrange(DOWN, aligned_edge=LEFT, buff=line * 0.3)
        if rule.width > width:
            rule.scale_to_fit_width(width)
        panel = VGroup(title, VGroup(graph, *edges), rule).arrange(DOWN, buff=height * 0.06)
        if panel.height > height:
            panel.scale_to_fit_height(height)
        panel.move_to(center).align_to(center + UP * height / 2, UP)
        self.play(fade(VGroup(title, graph, *edges), True), run_time=0.5)
        arrive = boxes[out].grad_line(example.incoming, self.theme.accent)
        self.play(fade(arrive, True), fade(boxes[out].grad, False), run_time=0.4)
        boxes[out].grad = arrive
        self.play(*[recolor(e, self.theme.accent) for e in edges], recolor(circle, self.theme.accent, stroke_only=True),
                  fade(rule, True), run_time=0.6)
        gets = [boxes[i].grad_line(step.grad[i], self.theme.accent) for i in g.inputs(out)]
        self.play(*[fade(n, True) for n in gets], *[fade(boxes[i].grad, False) for i in g.inputs(out)],
                  run_time=0.6)
        self.wait(0.6)
        self.play(*[recolor(e, self.theme.muted) for e in edges], recolor(circle, self.theme.muted, stroke_only=True),
                  run_time=0.3)
