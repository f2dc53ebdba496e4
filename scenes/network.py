"""The scenes that read only a run's parameters, grads and losses (so traces recorded with `--record
params` work): their base, and `mlp`, the network as layers of neurons, edges coloured by the weights."""

from manim import LEFT, ManimColor, VGroup, config, interpolate_color

from nnanim.scenes.base import TraceScene
from nnanim.scenes.colour_bar import bar_width, colour_bar
from nnanim.scenes.network_plan import architecture_of, input_names, weights_at
from nnanim.scenes.network_view import NetworkDiagram, weight_scale
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

    def play_on_top(self, *animations, above=(), **kwargs):
        """Play with what moves in front: Manim redraws every frame each mobject from the first moving
        one on, so what moves goes last and the rest is drawn once. `above` goes back on top after."""
        self.add(*[a.mobject for a in animations])
        self.play(*animations, **kwargs)
        if above:
            self.add(*above)

    def safe_box(self):
        """(left, bottom, right, top) of the title-safe area, in scene units."""
        return self.theme.safe_area(config.frame_width, config.frame_height)

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
        scale = weight_scale(layers)
        shape = " \u2192 ".join(map(str, self.arch))
        title, bar, below = self.title_row(f"MLP {shape} at step {k}", scale, "weight")
        width, height, centre = self.diagram_box(below)
        diagram = NetworkDiagram(self.arch, layers, self.theme, width, height, self.input_names,
                                 labels=self.options.labels, headers=True).shift(centre)
        growing = [grow_edges([e for row in block for e in row], (self.theme.rule, 1.2), run_time=0.8)
                   for block in diagram.edges]
        self.add(diagram, title, bar)
        for grow in growing[:-1]:
            self.play_on_top(grow, above=diagram.columns)
            self.mark_stop()
        self.play_on_top(growing[-1], above=diagram.columns)
        self.wait(1.5)
        self.mark_stop()
