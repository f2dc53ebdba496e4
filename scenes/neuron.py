"""`neuron` and `layer`: the mathematician's neuron and a layer of them, with a trace's real numbers.

`neuron`: inputs x_i with weights w_i, the weighted sum plus b, tanh, the output, for the first neuron of
the trace at `--step` and the first example; then the same neuron with d inputs (dimensionality: d
weights and one bias). `layer`: the first layer's neurons all reading the same inputs, each computing
its own output. Every number is the trace's.
"""

from manim import DOWN, LEFT, RIGHT, UP, Arrow, Circle, RoundedRectangle, VGroup, config

from nnanim.engine.numbers import number
from nnanim.scenes.base import TraceScene, caption, text
from nnanim.scenes.network_plan import layer_values
from nnanim.scenes.tween import fade, recolor


class _NetworkScene(TraceScene):
    def label(self, content, share=None, color=None):
        """A line `share` of the frame high (by default the smallest readable size)."""
        return text(content, self.theme, share and round(config.frame_height * share, 3), color=color)

    def node(self, title, radius, value=None, color=None):
        """A circle with a title and, below it inside, a value."""
        circle = Circle(radius=radius, color=color or self.theme.muted, stroke_width=3)
        circle.set_fill(self.theme.panel, 1)
        parts = [self.label(title)]
        if value is not None:
            parts.append(self.label(value, color=self.theme.text))
        inside = VGroup(*parts).arrange(DOWN, buff=0.08)
        if inside.width > radius * 1.7:
            inside.scale_to_fit_width(radius * 1.7)
        return VGroup(circle, inside.move_to(circle))

    def wire(self, start, end, weight=None):
        color = self.theme.muted if weight is None else (self.theme.positive if weight >= 0 else self.theme.negative)
        width = 3 if weight is None else 2 + 6 * min(abs(weight), 1.5)
        return Arrow(start, end, buff=0.05, stroke_width=width, color=color, tip_length=0.18,
                     max_tip_length_to_length_ratio=0.2, max_stroke_width_to_length_ratio=40)


class Neuron(_NetworkScene):
    """A mathematician's neuron with the trace's numbers, then its d-input form."""

    def construct(self):
        values = layer_values(self.step, 0)
        n = values.neurons[0]
        fh = config.frame_height
        ins = VGroup(*[self.node(label, fh * 0.075, number(v)) for label, v in values.inputs])
        ins.arrange(DOWN, buff=fh * 0.06).to_edge(LEFT, buff=0.6)
        body = self.node("\u03a3 w\u00b7x + b", fh * 0.13).move_to([-0.3, 0, 0])
        act = RoundedRectangle(corner_radius=0.15, width=fh * 0.22, height=fh * 0.12, color=self.theme.muted)
        act_group = VGroup(act, self.label(n.activation)).move_to([body.get_right()[0] + fh * 0.22, 0, 0])
        act_group[1].move_to(act)
        out = self.node(n.output[0], fh * 0.09).next_to(act_group, RIGHT, buff=fh * 0.12)
        wires = [self.wire(i.get_right(), body[0].get_left() + UP * (1 - k) * fh * 0.06, w)
                 for k, (i, (_, w)) in enumerate(zip(ins, n.weights))]
        weight_labels = [self.tag(f"{name} = {number(w)}").next_to(wire.get_center(), UP, buff=0.05)
                         for wire, (name, w) in zip(wires, n.weights)]
        self.add(caption(f"the first neuron at step {self.step.index}, the first example", self.theme))
        self.play(fade(ins, True), run_time=0.8)
        self.play(*[fade(VGroup(w, lbl), True) for w, lbl in zip(wires, weight_labels)], fade(body, True),
                  run_time=1.0)
        products = [self.tag(f"w\u00b7x = {number(p)}", self.theme.accent).next_to(wire.get_center(), DOWN, 0.05)
                    for wire, p in zip(wires, n.products)]
        self.play(*[fade(p, True) for p in products], run_time=0.8)
        self.wait(0.8)
        total = self.label(f"{' + '.join(number(p) for p in n.products)} + {number(n.bias[1])}", 0.032)
        total.next_to(body, DOWN, buff=0.25)
        bias = self.label(f"{n.bias[0]} = {number(n.bias[1])}", 0.03).next_to(body, UP, buff=0.2)
        self.play(fade(bias, True), fade(total, True), run_time=0.8)
        value = self.label(f"= {number(n.sum)}", 0.032, self.theme.accent).next_to(total, DOWN, buff=0.12)
        self.play(fade(value, True), run_time=0.6)
        into_act = self.wire(body[0].get_right(), act.get_left())
        self.play(fade(VGroup(into_act, act_group), True), run_time=0.6)
        result = self.node(n.output[0], fh * 0.09, number(n.output[1]), self.theme.accent).move_to(out)
        self.play(fade(VGroup(self.wire(act.get_right(), result[0].get_left()), result), True), run_time=0.8)
        self.wait(1.5)
        self.clear()
        self.dimensionality(len(n.weights))

    def tag(self, content, color=None):
        """A small label that stays readable over the wires it sits on."""
        tag = self.label(content, 0.03, color)
        tag.add_background_rectangle(color=self.theme.background, opacity=0.85, buff=0.04)
        return tag

    def dimensionality(self, d_shown):
        """The same neuron with d inputs: d weights and one bias."""
        fh = config.frame_height
        names = ["x\u2081", "x\u2082", "x\u2083", "\u22ee", "x_d"]
        ins = VGroup(*[self.node(n, fh * 0.06) if n != "\u22ee" else self.label(n, 0.06) for n in names])
        ins.arrange(DOWN, buff=fh * 0.035).to_edge(LEFT, buff=1.0)
        body = self.node("\u03a3 w\u1d62x\u1d62 + b", fh * 0.14).move_to([0.5, 0, 0])
        out = self.node("tanh(\u2026)", fh * 0.1).next_to(body, RIGHT, buff=fh * 0.25)
        wires = [self.wire(i.get_right(), body[0].get_left()) for i, n in zip(ins, names) if n != "\u22ee"]
        weights = ["w\u2081", "w\u2082", "w\u2083", "w_d"]
        labels = [self.label(w, 0.035).next_to(wire.get_center(), UP, buff=0.05) for wire, w in zip(wires, weights)]
        note = caption(f"d inputs: d weights and one bias (here d = {d_shown}: {d_shown + 1} parameters)",
                       self.theme, buff=0.4)
        self.play(fade(VGroup(ins, *wires, *labels, body), True), run_time=1.2)
        self.play(fade(VGroup(self.wire(body[0].get_right(), out[0].get_left()), out), True), fade(note, True),
                  run_time=0.8)
        self.wait(2)


class Layer(_NetworkScene):
    """The first layer: every neuron reads the same inputs and computes its own output."""

    def construct(self):
        values = layer_values(self.step, 0)
        fh = config.frame_height
        ins = VGroup(*[self.node(label, fh * 0.075, number(v)) for label, v in values.inputs])
        ins.arrange(DOWN, buff=fh * 0.07).move_to([-4.2, 0, 0])
        neurons = VGroup(*[self.node(n.output[0], fh * 0.085) for n in values.neurons])
        neurons.arrange(DOWN, buff=fh * 0.06).move_to([0.6, 0, 0])
        if neurons.height > fh * 0.8:
            neurons.scale_to_fit_height(fh * 0.8)
        wires = {(i, j): self.wire(ins[i].get_right(), neurons[j][0].get_left(), n.weights[i][1])
                 for j, n in enumerate(values.neurons) for i in range(len(values.inputs))}
        self.add(caption(f"layer 0 at step {self.step.index}: blue weights are positive, red negative, "
                         "thicker is larger", self.theme))
        self.play(fade(ins, True), run_time=0.6)
        self.play(fade(VGroup(*wires.values(), neurons), True), run_time=1.0)
        for j, n in enumerate(values.neurons):
            mine = [wires[(i, j)] for i in range(len(values.inputs))]
            self.play(*[recolor(w, self.theme.accent) for w in mine], run_time=0.4)
            output = self.label(f"{n.output[0]} = {n.activation}({number(n.sum)}) = {number(n.output[1])}", 0.036,
                                self.theme.accent).next_to(neurons[j], RIGHT, buff=0.3)
            self.play(fade(output, True), run_time=0.5)
            self.play(*[recolor(w, self.theme.positive if n.weights[i][1] >= 0 else self.theme.negative)
                        for i, w in enumerate(mine)], recolor(output, self.theme.text), run_time=0.4)
        self.wait(1.5)
