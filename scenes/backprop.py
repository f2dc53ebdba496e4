"""`backprop`: gradients flowing backward through the computation graph, one event at a time.

Values appear forward in creation order; then every backward event of the trace replays in the order
it ran: the op and its edges light up, the local rule is written out with its numbers, and each input's
grad changes to its new value (adding up when a value feeds two places).
"""

from manim import DOWN, Transform, VGroup, config

from engine.graph import workshop_expression
from engine.trace import Step
from scenes.backprop_plan import backward_beats, neuron_nodes
from scenes.base import TraceScene, text
from scenes.graph_view import GraphView, fit_region
from scenes.tween import fade, recolor

DEFAULT_PACE = 2.0  # seconds per backward event: time to read the rule
MAX_WHOLE = 40  # values; larger graphs are shown a neuron at a time


class Backprop(TraceScene):
    """The backward pass of one step, event by event (the workshop's L = (a·b + c)·f by default)."""

    def default_trace_and_step(self):
        return None, Step.of(workshop_expression())

    def part(self):
        """(drawn nodes, nodes whose events are shown, the node whose grad arrives from outside)."""
        opts = self.options
        if opts.neuron is not None or opts.focus is not None:
            return neuron_nodes(self.step, opts.neuron, opts.focus)
        n = len(self.step.graph)
        if n > MAX_WHOLE:
            raise LookupError(f"the graph of this step has {n} values, too many to read at once: "
                              f"show one neuron with --neuron j,l (e.g. --neuron 0,0) or --focus LABEL")
        return list(range(n)), None, None

    def construct(self):
        pace = self.options.pace or DEFAULT_PACE
        drawn, active, top = self.part()
        beats = backward_beats(self.step, drawn, active, top)
        view = GraphView(self.step, drawn, self.theme, fit_region(0.24))
        forward = [VGroup(view.boxes[i], *view.parts_of(i)) for i in sorted(view.boxes)]
        for part in forward:  # one play each, so what has appeared is drawn once, as background
            self.play(fade(part, True), run_time=min(0.35, 4 / len(forward)))
        rule = VGroup()
        for beat in beats:
            new_rule = self.rule_text(beat.rule)
            final = {r.node: r.after for r in beat.received if r.node in view.boxes}  # a*a: a's last sum
            updates = [Transform(view.boxes[i].grad, view.boxes[i].grad_line(after, self.theme.accent))
                       for i, after in final.items()]
            self.remove(rule)
            self.add(new_rule)
            self.play(*view.light(beat.node, self.theme.accent), fade(new_rule, True), run_time=pace * 0.25)
            self.wait(pace * 0.2)
            self.play(*updates, run_time=pace * 0.3)
            settle = [recolor(view.boxes[i].grad, self.theme.text) for i in final]
            self.play(*view.light(beat.node, self.theme.muted), *settle, run_time=pace * 0.25)
            rule = new_rule
        self.wait(1.5)

    def rule_text(self, lines):
        """The local rule of a beat, at the bottom of the frame, as large as fits."""
        height = round(config.frame_height * self.theme.min_text * 1.1, 3)
        group = VGroup(*[text(line, self.theme, height) for line in lines])
        group.arrange(DOWN, aligned_edge=[-1, 0, 0], buff=0.1)
        if group.width > config.frame_width - 0.8:
            group.scale_to_fit_width(config.frame_width - 0.8)
        return group.to_edge(DOWN, buff=0.3)
