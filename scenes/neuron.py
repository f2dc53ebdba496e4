"""`neuron` and `layer`: the mathematician's neuron and a layer of them, with a trace's real numbers.

`neuron`: the first neuron of the trace's first layer at `--step`, for the first example: each input
with its weight (the bias is the weight of an input fixed at 1), the products w·x, their sum, the
activation and the output; then the same neuron with n inputs (n weights and one bias). `layer`: the
first layer's neurons all reading the same inputs, each computing its own output, one after another.
Every number is the trace's (scenes/network_plan.py, scenes/neuron_plan.py); the diagrams are in
scenes/neuron_view.py.
"""

from manim import DOWN, LEFT, UP, Create, Dot, Line, ManimColor, MoveAlongPath, ReplacementTransform, VGroup, \
    interpolate_color

from nnanim.engine.numbers import number
from nnanim.scenes.base import TraceScene, text
from nnanim.scenes.network_plan import counted, layer_values
from nnanim.scenes.neuron_plan import (TIMES, activation_phrase, inputs_line, output_line, products_line, rows,
                                        sum_line, symbolic_rows, value_line, weighted_line, weights_line)
from nnanim.scenes.neuron_view import LayerDiagram, NeuronDiagram, safe_box, sizes
from nnanim.scenes.notation import shown, subscripted
from nnanim.scenes.tween import Tween, fade, recolor

MOST_NEURONS = 8  # a wider layer is drawn with its first neurons, a ⋮ row and its last one


class _DiagramScene(TraceScene):
    """A diagram between a heading at the top of the safe area and a caption at its bottom."""

    def setup(self):
        super().setup()
        self.box = safe_box(self.theme)
        self.spoken = self.unspoken = None

    def fitting(self, candidates, color):
        """The first of `candidates` that fits across the safe area (the last one is short)."""
        left, _, right, _ = self.box
        for content in candidates:
            made = text(content, self.theme, color=color)
            if made.width <= right - left:
                break
        return made

    def heading(self, *candidates):
        left, _, _, top = self.box
        return self.fitting(candidates, self.theme.muted).move_to([left, top, 0], aligned_edge=UP + LEFT)

    def diagram_box(self):
        left, bottom, right, top = self.box
        _, small = sizes(self.theme)
        return left, bottom + small + 0.3, right, top - small - 0.3

    def say(self, *candidates):
        """Animations replacing the caption at the bottom of the safe area with the first of `candidates`
        that fits."""
        left, bottom, right, _ = self.box
        new = self.fitting(candidates, self.theme.text).move_to([(left + right) / 2, bottom, 0], aligned_edge=DOWN)
        out = [fade(new, True)]
        if self.spoken is not None:
            out.append(fade(self.spoken, False))
        self.spoken, self.unspoken = new, self.spoken
        return out

    def forget(self):
        """Take the caption just faded out off the scene."""
        if self.unspoken is not None:
            self.remove(self.unspoken)
            self.unspoken = None

    def play(self, *animations, **kwargs):
        """Manim redraws every frame what is animated and all drawn after it: what moves goes last."""
        self.bring_to_front(*[a.mobject for a in animations])
        super().play(*animations, **kwargs)

    def travel(self, paths, run_time):
        """Dots of the accent colour along `paths` (start, end): what an edge carries, moving."""
        dots = [Dot(a, radius=0.08, color=self.theme.accent) for a, _ in paths]
        self.play(*[MoveAlongPath(d, Line(a, b)) for d, (a, b) in zip(dots, paths)], run_time=run_time)
        self.remove(*dots)

    def hold(self, seconds, note):
        """A stop in the middle of a pause: what it explains is on screen, and nothing is moving; `note` is
        the speaker's."""
        self.forget()
        self.wait(seconds / 2)
        self.mark_stop(note)
        self.wait(seconds / 2)


def fill_to(mobject, color, **kwargs):
    """Change a shape's fill colour smoothly (a neuron taking its activation's shade)."""
    start, end = ManimColor(mobject.get_fill_color()), ManimColor(color)
    return Tween(mobject, lambda m, a: m.set_fill(interpolate_color(start, end, a), 1), **kwargs)


def stroke_opacity_to(mobjects, opacity, **kwargs):
    """Dim or restore edges."""
    group = VGroup(*mobjects)
    starts = [m.get_stroke_opacity() for m in mobjects]

    def apply(_, a):
        for m, s in zip(mobjects, starts):
            m.set_stroke(opacity=s + (opacity - s) * a)

    return Tween(group, apply, **kwargs)


def _scale(values):
    """The diverging scale for input nodes: the largest |value| shown, at least 1."""
    return max([abs(v) for v in values] + [1.0])


class Neuron(_DiagramScene):
    """A mathematician's neuron with the trace's numbers, then its n-input form."""

    def construct(self):
        layer = layer_values(self.step, 0)
        n = layer.neurons[0]
        drawn = rows(layer)
        d = NeuronDiagram(drawn, n.activation, n.output[0], self.theme, self.diagram_box(),
                          shade=_scale([v for _, v in layer.inputs]), total=number(n.sum), value=number(n.output[1]))
        title = self.heading(f"the first neuron of layer 0 at step {self.step.index}, for the first example")
        self.add(title, d.skeleton())
        name, parameters = subscripted(n.output[0]), len(n.weights) + 1
        through = "" if n.activation == "linear" else f", through {n.activation}"
        self.end_note = (f"A neuron is a weighted sum plus a bias{through}: here {parameters} numbers "
                         f"({counted(len(n.weights), 'weight')} and a bias) turn {inputs_line(layer)} into {name} = "
                         f"{number(n.output[1])}. Training changes only those {parameters} numbers.")

        edges = [e for e in d.edges if e is not None]
        self.play(*[Create(e) for e in edges], *[fade(w, True) for w in d.weights if w is not None],
                  *self.say("every input has a weight; the bias b is the weight of an input fixed at 1",
                            "every input has a weight; the bias b: the weight of an input 1"), run_time=1.2)
        self.hold(2.0, f"The first neuron of layer 0 at step {self.step.index}, for the first example: the inputs "
                       f"{inputs_line(layer)}, the weights {weights_line(layer)}. The bias is the weight of an "
                       "input fixed at 1.")

        self.travel([(e.get_start(), e.get_end()) for e in edges], run_time=0.9)
        products = [p.set_color(self.theme.accent) for p in d.products if p is not None]
        self.play(*[fade(p, True) for p in products], *self.say("each input times its weight: w\u00b7x"),
                  run_time=0.6)
        self.hold(2.0, f"Each input times its weight, written at the end of its edge: {products_line(layer)}, "
                       f"and the bias {number(n.bias[1])}{TIMES}1 = {number(n.bias[1])}.")

        links = [link for link in d.links if link is not None]
        self.play(*[Create(link) for link in links], *[recolor(p, self.theme.text) for p in products],
                  run_time=0.6)
        self.travel([(link.get_start(), link.get_end()) for link in links], run_time=0.7)
        total = d.total
        self.play(fade(total, True), *self.say(sum_line(layer), f"\u03a3 w\u00b7x + b = {number(n.sum)}"),
                  run_time=0.6)
        self.hold(2.4, f"The neuron adds the products and the bias: {sum_line(layer)}.")

        self.play(Create(d.out_arrow), recolor(total, self.theme.text), run_time=0.4)
        self.travel([(d.out_arrow.get_start(), d.out_arrow.get_end())], run_time=0.5)
        value = d.out_value
        self.play(fill_to(d.out_node, self.theme.diverging_hex(n.output[1], _activation_scale(layer))),
                  fade(value, True), *self.say(output_line(layer)), run_time=0.7)
        self.hold(2.4, f"The activation gives the output: {output_line(layer)}; {activation_phrase(n.activation)}.")

        self.symbolic(d, drawn, title, [total, value], n)

    def symbolic(self, d, drawn, title, numbers, n):
        """The same neuron with n inputs: n weights and one bias; each part becomes its symbol."""
        s = NeuronDiagram(symbolic_rows(), n.activation, "h", self.theme, self.diagram_box())
        old = [k for k, r in enumerate(drawn) if r is not None and not r.bias]
        new = [k for k, r in enumerate(s.rows) if r is not None and not r.bias]
        pairs = dict(zip(old, new))
        pairs[len(drawn) - 1] = len(s.rows) - 1  # the bias
        parts = ("labels", "nodes", "edges", "weights", "products", "links")
        moves, gone, came = [], list(numbers), []
        for part in parts:
            was, becomes = getattr(d, part), getattr(s, part)
            for a, x in enumerate(was):
                y = becomes[pairs[a]] if a in pairs else None
                if x is not None and y is not None:
                    moves.append(ReplacementTransform(x, y))
                elif x is not None:
                    gone.append(x)
            came += [y for b, y in enumerate(becomes) if y is not None and b not in pairs.values()]
        came += [y for a, b in pairs.items() for part in parts
                 if getattr(d, part)[a] is None and (y := getattr(s, part)[b]) is not None]
        for part in ("body", "out_node", "out_name", "out_arrow"):
            moves.append(ReplacementTransform(getattr(d, part), getattr(s, part)))
        inputs = len(n.weights)
        formula = "w\u2081x\u2081 + \u2026 + w\u2099x\u2099 + b"
        any_neuron = f"h = {n.activation}({formula})" if n.activation != "linear" else f"h = {formula}"
        heading = self.heading(f"any neuron: {any_neuron}")
        self.play(*moves, *[fade(m, False) for m in gone], fade(title, False), fade(heading, True),
                  *[fade(m, True) for m in came],
                  *self.say(f"n inputs: n weights and one bias (here n = {inputs}: {inputs + 1} parameters)",
                            f"n inputs: n weights, one bias (here {inputs + 1} parameters)"),
                  run_time=1.4)
        self.remove(title, *gone)
        self.forget()
        self.wait(2.5)
        self.mark_stop(f"Any neuron: {any_neuron}. n inputs need n weights and one bias: this one has n = {inputs}, "
                       f"so {inputs + 1} parameters.")


class Layer(_DiagramScene):
    """The first layer: every neuron reads the same inputs and computes its own output."""

    def construct(self):
        layer = layer_values(self.step, 0)
        inputs = shown(len(layer.inputs), 5)
        neurons = shown(len(layer.neurons), MOST_NEURONS)
        full = {j: value_line(layer, j) for j in neurons if j is not None}
        d = LayerDiagram(layer, inputs, neurons, full, self.theme, self.diagram_box(),
                         shade=_scale([v for _, v in layer.inputs]))
        k, width, inputs_n = self.step.index, len(layer.neurons), len(layer.inputs)
        title = self.heading(f"layer 0 at step {k}, for the first example: {width} neurons, {inputs_n} inputs "
                             "and the bias input 1", f"layer 0 at step {k}, the first example: {width} neurons")
        self.add(title, d.skeleton())
        outputs = ", ".join("\u2026" if j is None else value_line(layer, j) for j in neurons)
        self.end_note = (f"Layer 0 turns the {inputs_n} inputs {inputs_line(layer)} into {width} numbers, {outputs}: "
                         "the inputs of the next layer. Every neuron is the same kind of sum; only its weights "
                         "and bias differ.")
        edges = list(d.edges.values())
        self.play(*[Create(e) for e in edges],
                  *self.say("every neuron reads every input: blue weights > 0, red < 0, thicker is larger",
                            "blue weights > 0, red < 0, thicker is larger"),
                  run_time=1.2)
        self.hold(2.0, f"Layer 0 at step {k}, for the first example ({inputs_line(layer)}): each of its {width} "
                       f"neurons reads the {inputs_n} inputs and the bias input 1, so {width} \u00d7 {inputs_n + 1} = "
                       f"{width * (inputs_n + 1)} parameters. Blue weights are positive, red negative, thicker "
                       "is larger.")

        scale, tails = _activation_scale(layer), []  # the values written so far; the last is in the accent
        for b, j in enumerate(neurons):
            if j is None:
                continue
            mine = [e for (_, c), e in d.edges.items() if c == b]
            others = [e for (_, c), e in d.edges.items() if c != b]
            self.play(stroke_opacity_to(others, 0.18), stroke_opacity_to(mine, 1.0),
                      *[recolor(tail, self.theme.text) for tail in tails[-1:]], run_time=0.3)
            self.travel([(e.get_start(), e.get_end()) for e in mine], run_time=0.7)
            name, label = d.names[b], d.full[b]
            tail = VGroup(*label[len(name):]).set_color(self.theme.accent)  # its head is the name, in place
            tails.append(tail)
            self.play(fill_to(d.neurons[b], self.theme.diverging_hex(layer.neurons[j].output[1], scale)),
                      fade(tail, True), *self.say(weighted_line(layer, j), output_line(layer, j)), run_time=0.6)
            self.remove(name)
            self.add(VGroup(*label[:len(name)]))
            self.hold(1.6, f"Only the edges of {subscripted(layer.neurons[j].output[0])} lit, its value written beside "
                           f"it: {weighted_line(layer, j)}.")
        self.play(stroke_opacity_to(edges, 1.0), *[recolor(tail, self.theme.text) for tail in tails[-1:]],
                  *self.say("each neuron: its own weights and bias, the same inputs"), run_time=0.5)
        self.forget()
        self.wait(2)
        self.mark_stop(f"Every neuron of the layer written: {outputs}. The same inputs, but each neuron has its own "
                       "weights and bias, so each computes its own number.")


def _activation_scale(layer):
    """tanh outputs are shaded on −1..1; others on the layer's largest |output|."""
    if all(n.activation == "tanh" for n in layer.neurons):
        return 1.0
    return max([abs(n.output[1]) for n in layer.neurons] + [1e-9])
