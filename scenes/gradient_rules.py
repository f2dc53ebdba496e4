"""`gradient-rules`: the local rule of each operation, on a tiny graph with real numbers.

For +, ·, tanh, **n, exp and relu, one at a time and filling the frame: the inputs and the output with
their values; the gradient arriving at the output; then the gradient travelling back through the op to
each input while the rule is written out, every number computed by the engine's own backward rules.
The scene ends on the six rules side by side, each with its formula. A stop falls on each op's rule
and on the six together, each with a speaker's note that says the rule with its numbers.
"""

from dataclasses import dataclass

from manim import DOWN, LEFT, UP, RoundedRectangle, VGroup, config

from nnanim.engine import Value
from nnanim.engine.numbers import number
from nnanim.engine.steps import Step
from nnanim.scenes.backprop_plan import Received, event_note, local_rule
from nnanim.scenes.base import TraceScene, text
from nnanim.scenes.graph_layout import values
from nnanim.scenes.graph_view import StillBackground, op_symbol, size_of, view_of, widest
from nnanim.scenes.tween import fade


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
GAP = 0.3  # between the summary's cards, in scene units (the frame is 8 high)


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


def rule_lines(example):
    """The example's rule, a line per input, with its numbers."""
    step, received = worked(example)
    g = step.graph
    return local_rule(g, step.data, g.root, example.incoming, tuple(g.inputs(g.root)), received)


def rule_note(example):
    """The speaker's note for an example: the gradient arriving, the rule in words with its numbers."""
    step, received = worked(example)
    g = step.graph
    grads, parts = {}, []
    for i, amount in zip(g.inputs(g.root), received):
        before = grads.get(i, 0.0)
        grads[i] = before + amount
        parts.append(Received(i, before, amount, grads[i]))
    return (f"The gradient {number(example.incoming)} arrives at {g.labels[g.root]}. " +
            event_note(g, step.data, g.root, example.incoming, parts))


def summary_note():
    """The speaker's note for the six rules side by side."""
    return (f"The six rules side by side: {'; '.join(ex.title for ex in EXAMPLES)}. Backward applies one of "
            "them at every op, times the grad arriving from above.")


def symbolic(line):
    """The formula of a rule line, without its numbers: `∂L/∂a = ∂L/∂out · b`."""
    return " = ".join(line.split(" = ")[:2])


class GradientRules(StillBackground, TraceScene):
    """How each operation passes the gradient back: +, ·, tanh, **n, exp, relu."""

    def default_trace_and_step(self):
        return None, None

    def construct(self):
        self.safe = self.theme.safe_area(config.frame_width, config.frame_height)
        sizes = [size_of(self.theme, s) for s in (self.theme.heading_size, self.theme.body_size)]
        all_lines = [line for ex in EXAMPLES for line in rule_lines(ex)]
        width = self.safe[2] - self.safe[0]
        floor = size_of(self.theme, self.theme.min_text)
        self.rule_size = next((s for s in sizes if widest(all_lines, self.theme, s) <= width), floor)
        for k, example in enumerate(EXAMPLES):
            self.explain(example, first=k == 0)
        self.summary()
        self.end_note = ("Each op needs only its own local derivative: the chain rule multiplies them, op by op, "
                         "on the way back from L.")

    def explain(self, example, first):
        """One op, filling the frame: the gradient arrives at the output and travels back to the inputs."""
        theme, (x0, y0, x1, y1) = self.theme, self.safe
        step, received = worked(example)
        g = step.graph
        out = g.root
        heading = size_of(theme, theme.heading_size)
        title = text(example.title, theme, heading).move_to([x0, y1, 0], aligned_edge=UP + LEFT)
        rule = VGroup(*[text(line, theme, self.rule_size) for line in rule_lines(example)])
        rule.arrange(DOWN, aligned_edge=LEFT, buff=self.rule_size * 0.35).move_to([x0, y0, 0], aligned_edge=DOWN + LEFT)
        drawing = values(step, range(len(g)))
        grads = {out: [example.incoming], **{i: [float(step.grad[i])] for i in g.inputs(out)}}
        top = title.get_bottom()[1] - heading
        bottom = rule.get_top()[1] + self.rule_size
        view, _ = view_of(drawing, theme, (x0, bottom, x1, top), grads, largest=theme.title_size)
        graph = view.mobjects_for(view.parts())
        if first:
            self.add(title, *graph)
        else:
            self.play(fade(title, True), *[fade(m, True) for m in graph], run_time=0.4)
        self.wait(0.6)
        self.play(*view.light(out, theme.accent), view.set_grad(out, example.incoming, theme.accent), run_time=0.5)
        pulse, trails = view.pulse(drawing.into(out))
        self.add(trails, rule)
        self.play(*pulse, fade(rule, True), run_time=0.9)
        self.play(*[view.set_grad(i, float(step.grad[i]), theme.accent) for i in dict.fromkeys(g.inputs(out))],
                  run_time=0.5)
        self.hold(1.5, rule_note(example))
        self.play(*[fade(m, False) for m in (title, *graph, trails, rule)], run_time=0.4)
        self.remove(title, *graph, trails, rule)

    def summary(self):
        """The six rules side by side, each an op, what it does, and its formula."""
        theme, (x0, y0, x1, y1) = self.theme, self.safe
        heading = size_of(theme, theme.heading_size)
        title = text("Each op passes the gradient back by its local rule", theme, heading)
        title.move_to([x0, y1, 0], aligned_edge=UP + LEFT)
        cols, rows = 3, 2
        top = title.get_bottom()[1] - heading * 0.6
        w, h = (x1 - x0 - GAP * (cols - 1)) / cols, (top - y0 - GAP * (rows - 1)) / rows
        texts = [(ex.title.split(" ", 1), [symbolic(line) for line in rule_lines(ex)]) for ex in EXAMPLES]
        size = self.card_text_size(texts, w)
        self.add(title)
        self.play(fade(title, True), run_time=0.4)
        for k, ((op, words), formulas) in enumerate(texts):
            left, upper = x0 + (k % cols) * (w + GAP), top - (k // cols) * (h + GAP)
            card = self.card(op, words, formulas, size, w, h).move_to([left, upper, 0], aligned_edge=UP + LEFT)
            self.add(card)
            self.play(fade(card, True), run_time=0.3)
        self.hold(2.5, summary_note())

    def card_text_size(self, texts, width):
        """One size for every card: the largest of the type scale at which every line fits."""
        theme = self.theme
        lines = [line for (_, words), formulas in texts for line in [*_halves(words), *formulas]]
        for share in (theme.body_size, theme.min_text):
            size = size_of(theme, share)
            if widest(lines, theme, size) <= width - 3 * size:
                return size
        return size_of(theme, theme.min_text)

    def card(self, op, words, formulas, size, w, h):
        """A card: the op in its circle, what it does (two lines), its formula (a line per input),
        spread over the card's height."""
        theme = self.theme
        frame = RoundedRectangle(corner_radius=size * 0.6, width=w, height=h, stroke_color=theme.rule,
                                 stroke_width=2, fill_color=theme.panel, fill_opacity=1)
        symbol = op_symbol({"**n": "x\u207f"}.get(op, op), theme, size_of(theme, theme.heading_size),
                           color=theme.accent)
        symbol[0].set_stroke(theme.accent)
        said = VGroup(*[text(part, theme, size) for part in _halves(words)]).arrange(DOWN, aligned_edge=LEFT,
                                                                                      buff=size * 0.3)
        rule = VGroup(*[text(f, theme, size) for f in formulas]).arrange(DOWN, aligned_edge=LEFT, buff=size * 0.3)
        parts = [symbol, said, rule]
        room = h - 2 * size - sum(p.height for p in parts)
        y = frame.get_top()[1] - size
        for part in parts:
            part.move_to([frame.get_left()[0] + size, y, 0], aligned_edge=UP + LEFT)
            y -= part.height + room / 2
        return VGroup(frame, *parts)


def _halves(words):
    """A phrase in two lines of about equal length, broken at a space."""
    parts = words.split(" ")
    best = min(range(1, len(parts)), key=lambda k: abs(len(" ".join(parts[:k])) - len(" ".join(parts[k:]))))
    return [" ".join(parts[:best]), " ".join(parts[best:])]
