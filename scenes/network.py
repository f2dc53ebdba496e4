"""The scenes that read only a run's parameters, grads and losses (so traces recorded with `--record
params` work): their base, and `mlp`, the network as layers of neurons, edges coloured by the weights."""

from manim import LEFT, ManimColor, VGroup, config, interpolate_color

from nnanim.scenes.base import TraceScene
from nnanim.scenes.colour_bar import bar_width, colour_bar
from nnanim.scenes.drawable import first_clamped
from nnanim.scenes.network_plan import architecture_of, counted, input_names, weight_range, weights_at
from nnanim.scenes.network_view import NetworkDiagram, headers_for, weight_scale
from nnanim.scenes.shortened import fitted
from nnanim.scenes.tween import Tween


class ParamsScene(TraceScene):
    """A scene that reads the run's parameters at every step: its architecture, weights and activation."""

    def setup(self):
        super().setup()
        self.arch = architecture_of(self.trace)
        self.values, _ = self.trace.parameter_series()
        self.activation = self.trace.meta.get("activation", "tanh")
        self.input_names = input_names(self.trace)

    def step_index(self):
        k = self.options.step
        return self.trace.step_index(k)

    def step_words(self, k):
        """`step 0, the random start`: a step, and where it is in the run."""
        last = self.trace.num_steps - 1
        where = ", the random start" if k == 0 else ", the end of training" if k == last else f" of {last + 1}"
        return f"step {k}{where}"

    def play_on_top(self, *animations, above=(), **kwargs):
        """Play with what moves in front: Manim redraws every frame each mobject from the first moving
        one on, so what moves goes last and the rest is drawn once. `above` goes back on top after."""
        self.add(*[a.mobject for a in animations])
        self.play(*animations, **kwargs)
        if above:
            self.add(*above)

    def safe_box(self):
        """(left, bottom, right, top) of the title-safe area above the caption (if any), in scene units."""
        box = self.safe_area()
        return box.left, box.bottom, box.right, box.top

    def say_clamped_parameters(self, steps, *more):
        """Say (TraceScene.say_clamped) the first parameter of `steps` drawn at the edge, else the first of `more`."""
        self.say_clamped(first_clamped(self.values, self.trace.parameters, steps), *more)

    def title_bottom(self):
        """The height below which a scene's subject goes, under its title row."""
        line = config.frame_height * self.theme.min_text
        return self.safe_box()[3] - config.frame_height * self.theme.heading_size - line * 0.5

    def title_row(self, title, scale, name, ends=None):
        """The scene's title (top left) and the key to its colours (top right), in the safe area; and
        the height below which the rest goes."""
        left, _, right, top = self.safe_box()
        line = config.frame_height * self.theme.min_text
        heading = round(config.frame_height * self.theme.heading_size, 3)
        y = top - heading / 2
        bar = colour_bar(self.theme, scale, name, right, y, ends=ends)
        head = fitted(title, self.theme, right - left - bar_width(bar) - line, heading)
        head.move_to([left, y, 0], aligned_edge=LEFT)
        return head, bar, self.title_bottom()

    def diagram_box(self, below):
        """(width, height, centre) of the safe area under `below`."""
        left, bottom, right, _ = self.safe_box()
        return right - left, below - bottom, [(left + right) / 2, (below + bottom) / 2, 0]


def the(column):
    """A column's header in a sentence: `the inputs`, `layer 0`."""
    return column if column.startswith("layer") else f"the {column}"


def grow_edges(edges, idle, **kwargs):
    """The edges go from idle (`idle` = colour, width) to the colours and widths they have now."""
    start_colour, start_width = ManimColor(idle[0]), idle[1]
    ends = [(ManimColor(e.get_stroke_color()), e.get_stroke_width()) for e in edges]
    for e in edges:
        e.set_stroke(start_colour, start_width)

    def apply(_, alpha):
        for e, (colour, width) in zip(edges, ends):
            e.set_stroke(interpolate_color(start_colour, colour, alpha), start_width + (width - start_width) * alpha)

    return Tween(VGroup(*edges), apply, **kwargs)


class Mlp(ParamsScene):
    """The network as layers of neurons (at --step): first its shape, then each layer's weights
    colour its edges, blue positive, red negative, thicker for larger."""

    def construct(self):
        k = self.step_index()
        layers = weights_at(self.trace, k, self.values)
        self.say_clamped_parameters([k])
        scale = weight_scale(layers)
        shape = " \u2192 ".join(map(str, self.arch))
        title, bar, below = self.title_row(f"MLP {shape} at step {k}", scale, "weight")
        width, height, centre = self.diagram_box(below)
        diagram = NetworkDiagram(self.arch, layers, self.theme, width, height, self.input_names,
                                 labels=self.options.labels, headers=True).shift(centre)
        growing = [grow_edges([e for row in block for e in row], (self.theme.rule, 1.2), run_time=0.8)
                   for block in diagram.edges]
        self.add(diagram, title, bar)
        names = headers_for(self.arch)
        weights, biases = sum(a * b for a, b in zip(self.arch, self.arch[1:])), sum(self.arch[1:])
        self.end_note = (f"MLP {shape} at {self.step_words(k)}: {counted(weights, 'weight')} and "
                         f"{counted(biases, 'bias')}, {weights + biases} parameters. Training changes every one of "
                         "them; the shape stays.")
        for l, grow in enumerate(growing):
            self.play_on_top(grow, above=diagram.columns)
            if l == len(growing) - 1:
                self.wait(1.5)
            n_in, n_out = self.arch[l], self.arch[l + 1]
            each = f"Each of its {n_out} neurons reads" if n_out > 1 else "Its neuron reads"
            key = ("Blue is positive, red negative, thicker is larger." if l == 0 else
                   f"{each} every neuron of {the(names[l])}.")
            self.mark_stop(f"The weights into {the(names[l + 1])} coloured: {n_in} \u00d7 {n_out} = "
                           f"{counted(n_in * n_out, 'edge')} from {the(names[l])}, {weight_range(layers, l)}. {key}")
