"""`backprop`: gradients flowing backward through the computation graph, one event at a time.

Values appear forward in creation order; then every backward event of the trace replays in the order
it ran: the op and its edges light up, the local rule is written out with its numbers, and each input's
grad changes to its new value (adding up when a value feeds two places).
"""

import numpy as np
from manim import DOWN, UP, MovingCamera, MovingCameraScene, Rectangle, Transform, VGroup, config

from nnanim.engine.graph import neuron_groups, workshop_expression
from nnanim.engine.numbers import number
from nnanim.engine.trace import Step
from nnanim.scenes.backprop_plan import backward_beats, name_of, neuron_nodes, wave
from nnanim.scenes.base import TraceScene, text
from nnanim.scenes.graph_view import BOX, GraphView, fit_region
from nnanim.scenes.tween import fade, recolor

DEFAULT_PACE = 2.0  # seconds per backward event: time to read the rule
WAVE_PACE = 1.2  # seconds per neuron when following the wave through a whole large graph
MAX_WHOLE = 40  # values; larger graphs are followed by the camera, a neuron at a time


class Backprop(TraceScene, MovingCameraScene):
    """The backward pass of one step, event by event (the workshop's L = (a·b + c)·f by default)."""

    camera_kind = MovingCamera

    def default_trace_and_step(self):
        """Without a trace: the workshop's L example; for one of its neurons, the workshop's network."""
        if self.options.neuron is not None or self.options.focus is not None:
            return super().default_trace_and_step()
        return None, Step.of(workshop_expression())

    def part(self):
        """(drawn nodes, nodes whose events are shown, the node whose grad arrives from outside)."""
        opts = self.options
        if opts.neuron is not None or opts.focus is not None:
            return neuron_nodes(self.step, opts.neuron, opts.focus)
        return list(range(len(self.step.graph))), None, None

    def construct(self):
        drawn, active, top = self.part()
        if active is None and len(drawn) > MAX_WHOLE:
            self.follow_wave()
        else:
            self.replay(drawn, active, top)

    def replay(self, drawn, active, top):
        """A graph small enough to read whole: every event, with its rule written out."""
        pace = self.options.pace or DEFAULT_PACE
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
            self.mark_stop()
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

    def follow_wave(self):
        """A large graph, a neuron to a box (as `nnanim draw` groups it), at a readable size: the
        camera follows the gradient wave, a neuron at a time, and only what is near the camera is in
        the scene, so each frame draws a few dozen boxes whatever the size of the network."""
        pace = self.options.pace or WAVE_PACE
        owner = neuron_groups(self.step)
        view = GraphView(self.step, range(len(self.step.graph)), self.theme, group="neuron",
                         scale=config.frame_height / 6.5 / (BOX[1] * 72))
        positions = {k: view.position(k) for k in view.placed}
        frame = self.camera.frame
        half = np.array([frame.width, frame.height]) * 0.6

        def near(center):
            return {k for k, p in positions.items() if not isinstance(k, tuple) and np.all(np.abs(p[:2] - center[:2]) < half)}

        shown, caption = set(), VGroup()
        for group in wave(self.step, backward_beats(self.step)):
            key = owner[group[0].node]
            keys = {key} if key is not None else {b.node for b in group}
            center = np.mean([positions[k] for k in keys if k in positions], axis=0)
            wanted = near(center)
            self.add(*view.mobjects_for(sorted(wanted - shown)))
            self.remove(caption)
            self.play(frame.animate.move_to(center), run_time=pace * 0.3)
            self.remove(*view.mobjects_for(sorted(shown - wanted)))
            self.add(*view.mobjects_for(sorted(wanted)))  # arrows and boxes shared with what left
            shown = wanted
            caption = self.wave_caption(group, key, frame)
            self.add(caption)
            final = {r.node: r.after for b in group for r in b.received if r.node in view.boxes and r.node in shown}
            if key is not None and key in view.boxes:
                final[key] = float(self.step.grad[key])
            lit = [a for k in keys for a in view.light(k, self.theme.accent)]
            self.play(*lit, *[Transform(view.boxes[i].grad, view.boxes[i].grad_line(v, self.theme.accent))
                              for i, v in final.items()], run_time=pace * 0.5)
            self.play(*[a for k in keys for a in view.light(k, self.theme.muted)],
                      *[recolor(view.boxes[i].grad, self.theme.text) for i in final], run_time=pace * 0.2)
            self.mark_stop()
        self.wait(1.5)

    def wave_caption(self, group, key, frame):
        """What the wave is doing, on a band at the bottom of the camera's view."""
        g = self.step.graph
        head = key if key is not None else group[0].node
        where = f"neuron {name_of(g, head)}" if key is not None else name_of(g, head)
        line = f"{where}: \u2202L/\u2202{name_of(g, head)} = {number(self.step.grad[head])}, " \
               f"{len(group)} backward event{'s' if len(group) > 1 else ''}"
        caption = text(line, self.theme)  # the camera moves: placed on its band, not at the frame's edge
        band = Rectangle(width=frame.width, height=caption.height * 2.2, stroke_width=0,
                         fill_color=self.theme.background, fill_opacity=0.92)
        band.move_to(frame.get_bottom() + UP * band.height / 2)
        return VGroup(band, caption.move_to(band))
