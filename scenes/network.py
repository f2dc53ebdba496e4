"""The scenes that read only a run's parameters, grads and losses (so traces recorded with `--record
params` work): their base, and `mlp`, the network as layers of neurons, edges coloured by the weights."""

from manim import VGroup, config

from nnanim.scenes.base import TraceScene, caption
from nnanim.scenes.network_plan import architecture_of, weights_at
from nnanim.scenes.network_view import NetworkDiagram
from nnanim.scenes.tween import fade


class ParamsScene(TraceScene):
    """A scene that reads the run's parameters at every step: its architecture, weights and activation."""

    def setup(self):
        super().setup()
        self.arch = architecture_of(self.trace)
        self.values, _ = self.trace.parameter_series()
        self.activation = self.trace.meta.get("activation", "tanh")

    def step_index(self):
        k = self.options.step
        return self.trace.step_index(k)


class Mlp(ParamsScene):
    """The network as layers of neurons, edges coloured by the weights' signs (at --step)."""

    def construct(self):
        k = self.step_index()
        layers = weights_at(self.trace, k, self.values)
        diagram = NetworkDiagram(self.arch, layers, self.theme, config.frame_width * 0.8, config.frame_height * 0.72,
                                 self.trace.meta.get("input_labels"), labels=self.options.labels)
        diagram.move_to([0, 0.2, 0])
        title = caption(f"MLP {','.join(map(str, self.arch))} at step {k}: blue weights positive, red negative, "
                        "thicker is larger", self.theme)
        self.play(fade(diagram.columns[0], True), run_time=0.5)
        for l in range(1, len(self.arch)):
            edges = VGroup(*[e for row in diagram.edges[l - 1] for e in row])
            self.play(fade(VGroup(edges, diagram.columns[l]), True), run_time=0.6)
        self.add(diagram, title)
        self.wait(2)
