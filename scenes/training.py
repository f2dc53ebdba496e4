"""`training` (the network, its loss and its predictions while the run plays) and `boundary` (a two-input
classifier's output over the plane, evolving with training, beside the network)."""

import numpy as np
from manim import LEFT, RIGHT, Dot, VGroup, config

from nnanim.engine.numbers import MINUS
from nnanim.scenes.base import text
from nnanim.scenes.colour_bar import ColourStrip
from nnanim.scenes.loss_chart import LossChart
from nnanim.scenes.network import ParamsScene
from nnanim.scenes.network_plan import forward, sampled_steps, weights_at
from nnanim.scenes.network_view import NetworkDiagram, weight_scale
from nnanim.scenes.drawable import clamped, first_clamped
from nnanim.scenes.plane import Heatmap, Plane, region_rgb
from nnanim.scenes.prediction_table import PredictionTable, rows_of
from nnanim.scenes.raster_plot import RasterLabel, Scatter
from nnanim.scenes.replay import play_run
from nnanim.scenes.training_plan import (Box, accuracy, capital, descent, diagram_aspect, example_name, log_view,
                                         picked_examples, tenth_step, training_layout, value_text, worst_gap)

POINT, OUTLINE = 0.085, 0.028  # a data point's radius and outline, scene units


class Boundary(ParamsScene):
    """A two-input classifier: its output over the plane as training goes (the zero line is where it
    decides), the data on top, the network beside it with its weights, the loss and the accuracy."""

    def construct(self):
        if self.arch[0] != 2:
            raise ValueError(f"boundary needs a network with two inputs; this one has {self.arch[0]}")
        inputs = np.array(self.trace.meta.get("inputs") or [], dtype=float).reshape(-1, 2)
        targets = np.array(self.trace.meta.get("targets") or [], dtype=float).reshape(len(inputs), -1)
        losses, n = self.trace.losses, self.trace.num_steps
        schedule = sampled_steps(n, max(int(self.options.duration * config.frame_rate), 2))
        layers = {k: weights_at(self.trace, k, self.values) for k in sorted(set(schedule))}
        theme, line = self.theme, round(config.frame_height * self.theme.min_text, 3)
        row = line * 1.6

        points = clamped(inputs)  # where the data is drawn (scenes/drawable.py)
        self.say_clamped_parameters(schedule, first_clamped(inputs, self.input_names, row="example"))
        safe = self.safe_area()
        left, right = safe.cut_left(safe.width * 0.6, 0.45)
        plane = Plane(points, self.input_names, left, theme)
        heat = Heatmap(plane, theme, self.activation)
        fills = [theme.rgba(theme.fill_positive if t[0] > 0 else theme.fill_negative) for t in targets]
        outline = theme.rgba(theme.text)
        dots = Scatter([plane.to_point(*p) for p in points], fills, outline, POINT,
                       OUTLINE * config.pixel_height / config.frame_height)

        texts = 3 + (2 if len(inputs) else 1)  # step, loss, (accuracy,) the key (and the points' legend)
        net_box, rest = right.cut_top(right.height - texts * row - 0.3, 0.3)
        diagram = NetworkDiagram(self.arch, layers[0], theme, net_box.width, net_box.height, self.input_names,
                                 edge_scale=run_scale(layers.values())).shift(net_box.center)
        ys = [rest.top - row * (r + 0.5) for r in range(texts)]
        rgba = theme.rgba(theme.text)
        step_label, loss_label, acc_label = (RasterLabel("", [rest.left, y, 0], line, rgba, font=theme.font)
                                             for y in ys[:3])
        key, legend = self.key(Box(rest.left, ys[3] - row / 2, rest.right, ys[3] + row / 2)), VGroup()
        if len(inputs):
            legend = self.legend(rest.left, ys[4])
        predicted = {k: forward(w, inputs, self.activation)[-1][:, 0] for k, w in layers.items()} if len(inputs) else {}

        def show(k):
            heat.show(layers[k])
            diagram.recolor_to(layers[k])
            step_label.set_text(f"step {k} of {n}")
            loss_label.set_text(f"loss {value_text(losses[k])}")
            if len(inputs):
                acc_label.set_text(f"accuracy {accuracy(predicted[k], targets[:, 0]):.0%}")

        show(0)
        edges = [e for block in diagram.edges for row_ in block for e in row_]
        movers = [step_label, loss_label] + ([acc_label] if len(inputs) else [])
        self.add(plane, *key, legend, diagram, heat, dots, *movers)

        def accuracy_at(k):
            return f"{accuracy(predicted[k], targets[:, 0]):.0%}" if len(inputs) else None

        def note(k, end):
            said = (f"Step {k} of {n}, the end of the run: loss {value_text(losses[k])}" if end else
                    f"Most of the descent is done by step {k}: {descent(losses, k)}")
            scores = f"; accuracy {accuracy_at(k)}" if len(inputs) else ""
            return (f"{said}{scores}. The line where the output is 0 is where the network decides: blue side 1, "
                    f"red side {MINUS}1.")

        last = schedule[-1]
        accuracies = f"; accuracy from {accuracy_at(0)} to {accuracy_at(last)}" if len(inputs) else ""
        self.end_note = (f"{capital(descent(losses, last))}{accuracies}. As the weights changed, the line where the "
                         "output is 0 moved: that line is the classifier.")
        play_run(self, schedule, show, [heat, dots, *edges, *movers], note, stop_at=tenth_step(losses))

    def key(self, box):
        """"output −1 ▬▬ 1": the colours of the plane."""
        theme = self.theme
        y = box.center[1]
        name = text("output", theme, color=theme.muted).move_to([box.left, y, 0], aligned_edge=LEFT)
        low = text(MINUS + "1", theme, color=theme.muted).next_to(name, RIGHT, buff=0.25)
        high = text("1", theme, color=theme.muted).move_to([box.right, y, 0], aligned_edge=RIGHT)
        strip = Box(low.get_right()[0] + 0.15, y - 0.1, high.get_left()[0] - 0.15, y + 0.1)
        key = ColourStrip(lambda t: region_rgb(theme, t), (strip.left, strip.bottom, strip.right, strip.top))
        return [name, low, key, high]

    def legend(self, x, y):
        """The points' colours: "● target 1  ● target −1"."""
        theme = self.theme
        parts = VGroup()
        for target, fill in ((1, theme.fill_positive), (-1, theme.fill_negative)):
            dot = Dot(radius=POINT, color=fill).set_stroke(theme.text, OUTLINE * 100)  # stroke width: 1/100 unit
            parts.add(VGroup(dot, text(f"target {value_text(target)}", theme, color=theme.muted)).arrange(RIGHT, buff=0.15))
        return parts.arrange(RIGHT, buff=0.5).move_to([x, y, 0], aligned_edge=LEFT)


def run_scale(steps):
    """The weight at which edges reach full colour over the whole run (NaN weights of a diverging run left out)."""
    return weight_scale([layer for layers in steps for layer in layers])


class Training(ParamsScene):
    """The network, its loss and its predictions while the run plays: the weights recolour, the loss
    descends, and each prediction moves toward its target on a number line (a 1000-step run becomes a
    `--duration` clip; the early steps, where most of the change happens, get more of it)."""

    def construct(self):
        losses, n = self.trace.losses, self.trace.num_steps
        schedule = sampled_steps(n, max(int(self.options.duration * config.frame_rate), 2))
        layers = {k: weights_at(self.trace, k, self.values) for k in sorted(set(schedule))}
        inputs = np.array(self.trace.meta.get("inputs") or [], dtype=float)
        targets = np.array(self.trace.meta.get("targets") or [], dtype=float)
        picked = picked_examples(targets) if len(inputs) and len(targets) else []
        outputs = min(self.arch[-1], 2)
        predicted = {k: forward(w, inputs[picked], self.activation)[-1][:, :outputs] for k, w in layers.items()} \
            if picked else {}
        row = config.frame_height * self.theme.min_text * 1.5
        table_height = rows_of(len(picked), outputs) * row if picked else 0

        self.say_clamped_parameters(schedule, first_clamped(losses, "the loss"))
        safe = self.safe_area()
        net_box, chart_box, table_box = training_layout(safe, diagram_aspect(self.arch), table_height)
        diagram = NetworkDiagram(self.arch, layers[0], self.theme, net_box.width, net_box.height, self.input_names,
                                 edge_scale=run_scale(layers.values())).shift(net_box.center)
        chart = LossChart(losses, chart_box, self.theme, log_view(losses))
        movers = [*chart.moving]
        table = None
        if picked:
            names = [example_name(k, inputs[k]) for k in picked]
            table = PredictionTable(names, targets[picked][:, :outputs], list(predicted.values()), table_box,
                                    self.theme)
            movers += table.moving

        def show(k):
            diagram.recolor_to(layers[k])
            chart.show(k)
            if table is not None:
                table.show(predicted[k])

        show(0)
        edges = [e for block in diagram.edges for row in block for e in row]
        self.add(chart, *([table] if table is not None else []), diagram, *movers)  # what never changes first: drawn once

        def gap(k):
            return value_text(worst_gap(predicted[k], targets[picked][:, :outputs]))

        def note(k, end):
            said = (f"Step {k} of {n}, the end of the run: loss {value_text(losses[k])}." if end else
                    f"Most of the descent is done by step {k}: {descent(losses, k)}.")
            if picked:
                said += f" The predictions (dots) are at most {gap(k)} from their targets (rings)."
            return said

        moved = (f" The largest gap between a prediction and its target went from {gap(0)} to {gap(schedule[-1])}."
                 if picked else "")
        self.end_note = f"{capital(descent(losses, schedule[-1]))}. The edges recoloured as the weights changed.{moved}"
        play_run(self, schedule, show, edges + movers, note, stop_at=tenth_step(losses))
