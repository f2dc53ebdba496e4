"""`forward` (one example flowing through the network, layer by layer, each neuron shaded by its value
with the value beside it) and `representations` (each neuron's output over a plane of two inputs, as a
heatmap tile at the neuron's place in the network, TensorFlow-Playground style)."""

import cairo
import numpy as np
from manim import DOWN, LEFT, Create, ManimColor, VGroup, config, interpolate_color

from nnanim.engine.numbers import MINUS, number
from nnanim.scenes.base import text
from nnanim.scenes.drawable import clamped, scale_of
from nnanim.scenes.network import ParamsScene, the
from nnanim.scenes.network_plan import example, forward, listed, weights_at
from nnanim.scenes.network_view import NetworkDiagram, headers_for, weight_scale
from nnanim.scenes.notation import subscripted, wrapped
from nnanim.scenes.raster import Raster, scene_box
from nnanim.scenes.raster_plot import to_pixels
from nnanim.scenes.shortened import fitted
from nnanim.scenes.training_plan import accuracy, capital
from nnanim.scenes.tween import Tween, fade

SPAN = 2.0  # the plane of two inputs: from -SPAN to SPAN on both axes


def value_scale(activation, values):
    """Where the diverging scale saturates: 1 for tanh (its range), else the largest |value| (drawable.scale_of)."""
    return 1.0 if activation == "tanh" else scale_of(values)


def shade_to(nodes, colours, **kwargs):
    """Neurons fill from their colour now to `colours`."""
    starts = [ManimColor(n.get_fill_color()) for n in nodes]
    ends = [ManimColor(c) for c in colours]

    def apply(_, alpha):
        for n, a, b in zip(nodes, starts, ends):
            n.set_fill(interpolate_color(a, b, alpha), 1)

    return Tween(nodes, apply, **kwargs)


class Forward(ParamsScene):
    """One example flowing through the network at --step: the signal runs along each layer's edges,
    its neurons take their values (shade and number), and the outputs stand next to their targets."""

    def construct(self):
        k = self.step_index()
        inputs, targets = example(self.trace, self.options.example)
        layers = weights_at(self.trace, k, self.values)
        self.say_clamped_parameters([k])
        values = [inputs] + [out[0] for out in forward(layers, [inputs], self.activation)]
        scale = value_scale(self.activation, values[1:])
        theme, line = self.theme, config.frame_height * self.theme.min_text
        title, bar, below = self.title_row(f"Example {self.options.example} at step {k}", scale, "value")
        width, height, centre = self.diagram_box(below)
        target_texts = VGroup()
        if targets is not None:
            target_texts = VGroup(*[text(number(t), theme) for t in targets[:self.arch[-1]]])
        target_head = text("target", theme, color=theme.muted)
        right = (max(target_head.width, *(t.width for t in target_texts)) + line) if len(target_texts) else 0.0
        diagram = NetworkDiagram(self.arch, layers, theme, width, height, self.input_names, headers=True,
                                 tags=[[number(v) for v in column] for column in values], right=right).shift(centre)
        x = diagram.placement.right + centre[0] + line
        for t, y in zip(target_texts, diagram.placement.columns[-1].ys):
            t.move_to([x, y + centre[1], 0], aligned_edge=LEFT)
        target_head.move_to([x, diagram.headers[-1].get_y(), 0], aligned_edge=LEFT)
        shown = [fade(VGroup(plates, tags), True, run_time=0.6) for plates, tags in zip(diagram.plates, diagram.tags)]
        shades = diagram.fills(values, scale)
        self.add(diagram, title, bar)
        notes = self.forward_notes(k, values, targets)
        self.play_on_top(shown[0], shade_to(diagram.columns[0], shades[0], run_time=0.6))
        self.mark_stop(notes[0])
        signal = VGroup()
        for l in range(1, len(self.arch)):
            previous, signal = signal, VGroup(*[e.copy().set_stroke(theme.accent) for row in diagram.edges[l - 1]
                                               for e in row])
            self.play_on_top(Create(signal, lag_ratio=0), fade(previous, False), run_time=0.6, above=diagram.columns)
            self.remove(previous)
            self.play_on_top(shown[l], shade_to(diagram.columns[l], shades[l], run_time=0.6))
            if l < len(self.arch) - 1 or len(target_texts):
                self.mark_stop(notes[l])
        targets_shown = [fade(VGroup(target_texts, target_head), True)] if len(target_texts) else []
        self.play_on_top(fade(signal, False), *targets_shown, run_time=0.6)
        self.remove(signal)
        self.wait(1.5)
        self.mark_stop(notes[-1])

    def forward_notes(self, k, values, targets):
        """The speaker's notes: the inputs, each column as it takes its values, then the outputs beside their
        targets (without targets, the outputs again); and the end note."""
        names, e = headers_for(self.arch), self.options.example
        inputs = ", ".join(f"{wrapped(subscripted(n), 16, lines=1)} = {number(v)}"
                           for n, v in zip(self.input_names, values[0]))
        summed = {"tanh": "tanh of a weighted sum", "relu": "relu of a weighted sum"}.get(self.activation,
                                                                                         "a weighted sum")
        notes = [f"Example {e} at step {k}: the inputs {inputs}, each node shaded by its value (blue positive, "
                 "red negative)."]
        for l in range(1, len(self.arch)):
            read = "the inputs" if l == 1 else f"{names[l - 1]}'s values"
            each = f"each of its {self.arch[l]} neurons is" if self.arch[l] > 1 else "its neuron is"
            notes.append(f"The signal reaches {the(names[l])}: {each} {summed} of {read}, giving "
                         f"{listed(values[l])}.")
        outputs, end = values[-1], f"One forward pass of example {e} at {self.step_words(k)}: {inputs} in"
        if targets is None:
            self.end_note = f"{end}, {listed(outputs)} out. Each layer reads only the layer before it."
            return notes + notes[-1:]
        targets = targets[:self.arch[-1]]
        errors = float(sum((o - t) ** 2 for o, t in zip(outputs, targets)))
        gap = max(abs(o - t) for o, t in zip(outputs, targets))
        if len(targets) > 1:
            pairs = "; ".join(f"output {j}: {number(o)} for target {number(t)}"
                              for j, (o, t) in enumerate(zip(outputs, targets)))
            notes.append(f"The outputs beside their targets ({pairs}). Their squared differences add up to "
                         f"{number(errors)}: training moves the outputs toward the targets.")
        else:
            notes.append(f"The output beside its target: {number(outputs[0])} for {number(targets[0])}, a squared "
                         f"difference of {number(errors)}: training moves the output toward the target.")
        several = len(targets) > 1
        self.end_note = (f"{end}, {listed(outputs)} out, against the target{'s' if several else ''} {listed(targets)} "
                         f"(off by {number(gap)}{' at most' if several else ''}). Each layer reads only the layer "
                         "before it.")
        return notes


class HeatTiles(Raster):
    """Heatmap tiles (RGB arrays) painted at pixel boxes, faded in by `alpha`."""

    def __init__(self, tiles, **kwargs):
        super().__init__(**kwargs)
        self.tiles = tiles  # [(rgb uint8 (h, w, 3), (x0, y0) pixels)]
        self.alpha = 1.0

    def layout_items(self):
        from nnanim.scenes.layout import Item

        return [Item("shape", "heatmap", scene_box(x, y, x + rgb.shape[1], y + rgb.shape[0]))
                for rgb, (x, y) in self.tiles]

    def paint(self, pixels):
        a = round(self.alpha * 256)  # integer blending: this runs every frame of a fade
        if a <= 0:
            return
        for rgb, (x, y) in self.tiles:
            h, w = rgb.shape[:2]
            patch = pixels[y:y + h, x:x + w, :3]
            if a >= 256:
                patch[:] = rgb
            else:
                patch[:] = ((rgb.astype(np.uint16) * a + patch.astype(np.uint16) * (256 - a)) >> 8).astype(np.uint8)


def painted_dots(rgb, dots, radius, outline):
    """A copy of an RGB picture with dots drawn on it by Cairo (smooth edges): (x, y, fill) in pixels."""
    h, w = rgb.shape[:2]
    bgra = np.full((h, w, 4), 255, dtype=np.uint8)
    bgra[..., :3] = rgb[..., ::-1]
    ctx = cairo.Context(cairo.ImageSurface.create_for_data(bgra, cairo.FORMAT_ARGB32, w, h))
    ctx.set_line_width(max(radius * 0.3, 1.0))
    for x, y, fill in dots:
        ctx.arc(x, y, radius, 0, 2 * np.pi)
        ctx.set_source_rgb(*fill)
        ctx.fill_preserve()
        ctx.set_source_rgb(*outline)
        ctx.stroke()
    return bgra[..., 2::-1].copy()


def tile_pixels(node):
    """The pixel box (x0, y0, x1, y1) inside a tile's outline."""
    inset = node.get_stroke_width() * 0.01 / 2  # half the outline, in scene units
    (x0, y0), (x1, y1) = (to_pixels(node.get_corner(np.array([-1, 1, 0])) + [inset, -inset, 0]),
                          to_pixels(node.get_corner(np.array([1, -1, 0])) + [-inset, inset, 0]))
    x0, y0 = round(x0), round(y0)
    return x0, y0, max(round(x1), x0 + 1), max(round(y1), y0 + 1)


def plane(held, pick, w, h):
    """Input points at the centres of a w x h tile's pixels: pick[0] across, pick[1] up, others held."""
    xs = -SPAN + 2 * SPAN * (np.arange(w) + 0.5) / w
    ys = SPAN - 2 * SPAN * (np.arange(h) + 0.5) / h
    points = np.tile(np.asarray(held, dtype=float), (w * h, 1))
    points[:, pick[0]] = np.tile(xs, h)
    points[:, pick[1]] = np.repeat(ys, w)
    return points


def neuron_images(layers, held, pick, boxes, activation):
    """Per column (inputs first), per neuron: its values over the plane at its tile's pixel size."""
    cache = {}
    images = []
    for c, column in enumerate(boxes):
        images.append([])
        for j, (x0, y0, x1, y1) in enumerate(column):
            size = (x1 - x0, y1 - y0)
            if size not in cache:
                points = plane(held, pick, *size)
                cache[size] = [points] + forward(layers, points, activation)
            images[-1].append(cache[size][c][:, j].reshape(size[1], size[0]))
    return images


class Representations(ParamsScene):
    """What each neuron computes, as a picture (TensorFlow-Playground style): at each neuron's place in
    the network, its output over a plane of two inputs (the others held at the first example's values),
    edges coloured by the weights, layer by layer, at --step; with --compare, step 0 too. A network of
    two inputs shows its data on the output's picture."""

    def construct(self):
        k = self.step_index()
        pick = self.options.inputs
        if self.arch[0] < 2 or max(pick) >= self.arch[0] or pick[0] == pick[1]:
            raise ValueError(f"representations needs two inputs of the network, two different ones (it has "
                             f"{self.arch[0]}); --inputs I,J picks them")
        steps = [0, k] if self.options.compare and k != 0 else [k]
        try:
            held = example(self.trace, 0)[0]
        except ValueError:
            held = np.zeros(self.arch[0])
        line = config.frame_height * self.theme.min_text
        self.say_clamped_parameters(steps)
        left, bottom, right, _ = self.safe_box()
        note = self.caption_line(pick, held, left, right, bottom)
        networks = self.lay_out(steps, (left, note.get_top()[1] + line * 0.5, right, self.title_bottom()))
        boxes = [[[tile_pixels(n) for n in column] for column in diagram.columns] for diagram, _ in networks]
        images = [neuron_images(weights_at(self.trace, s, self.values), held, pick, b, self.activation)
                  for s, b in zip(steps, boxes)]
        scale = value_scale(self.activation, [v for net in images for column in net[1:] for v in column])
        title = f"Each neuron's output at step {k}" if len(steps) == 1 else "Each neuron's output"
        head, bar, _ = self.title_row(title, scale, "output")
        self.add(head, bar, note)
        notes = self.picture_notes(steps, images, held, pick)
        layers = []  # the pictures of each layer, in the order they appear
        for (diagram, label), net_images, net_boxes in zip(networks, images, boxes):
            pictures = [[(self.theme.diverging(v, scale) * 255).round().astype(np.uint8) for v in column]
                        for column in net_images]
            pictures[-1] = [self.with_data(rgb, j, pick) for j, rgb in enumerate(pictures[-1])]
            tiles = [HeatTiles([(rgb, b[:2]) for rgb, b in zip(column, column_boxes)])
                     for column, column_boxes in zip(pictures, net_boxes)]
            self.add(diagram, *([label] if label else []), *tiles)
            for raster in tiles[1:]:
                raster.alpha = 0.0
            layers.append(tiles[1:])
        for n, tiles in enumerate(layers):  # the layers appear in turn (stops: each layer, or each network)
            for l, raster in enumerate(tiles):
                self.play(Tween(raster, _fade_in), run_time=0.7)
                if (len(layers) == 1 and l < len(tiles) - 1) or (l == len(tiles) - 1 and n < len(layers) - 1):
                    self.mark_stop(notes[n][l] if len(layers) == 1 else notes[n])
        self.wait(1.5)
        self.mark_stop(notes[-1][-1] if len(layers) == 1 else notes[-1])

    def picture_notes(self, steps, images, held, pick):
        """The speaker's notes: with one network, one per layer (its values over the plane); with two (step 0
        and --step), one per network. Sets the end note."""
        a, b = (wrapped(subscripted(self.input_names[i]), 16, lines=1) for i in pick)
        rest = [f"{wrapped(subscripted(n), 16, lines=1)} = {number(v)}"
                for i, (n, v) in enumerate(zip(self.input_names, held)) if i not in pick]
        held_too = f" ({', '.join(rest)} held)" if rest else ""
        linear = self.activation == "linear"
        cuts = {"tanh": "its colour changes across one straight line", "relu": "it is 0 on one side of a "
                "straight line and grows on the other"}.get(self.activation, "it is a flat ramp")

        def spread(pictures):
            values = np.concatenate([v[np.isfinite(v)].ravel() for v in pictures])
            return f"from {number(values.min())} to {number(values.max())}" if len(values) else "not a number"

        def outputs(net):
            if len(net[-1]) == 1:
                return f"the output goes {spread(net[-1])} over the plane"
            return "; ".join(f"output {j} goes {spread([v])}" for j, v in enumerate(net[-1]))

        def layer_note(net, l):
            count = self.arch[l + 1]
            if l == len(self.arch) - 2:
                return f"The last pictures: {outputs(net)}.{self.data_note(steps[-1])}"
            if l == 0:
                return (f"Layer 0's {count} neurons as pictures: each tile is a neuron's output as {a} goes across "
                        f"and {b} up{held_too}, blue near 1, red near {MINUS}1. Each is one weighted sum of the "
                        f"inputs, so {cuts}; values {spread(net[1])}.")
            mixed = ("a mix of ramps is still a ramp: without an activation, more layers add nothing" if linear
                     else "its regions can bend and combine")
            return (f"Layer {l}: each of its {count} neurons adds up layer {l - 1}'s pictures with its weights, so "
                    f"{mixed}; values {spread(net[l + 1])}.")

        if len(steps) == 1:
            combined = ("every layer stays a ramp" if linear else
                        "layer 0 cuts it along straight lines, the next layers combine the cuts")
            self.end_note = (f"At {self.step_words(steps[0])}, each neuron is a picture over the plane of {a} and {b}: "
                             f"{combined}.{self.data_note(steps[0])}")
            return [[layer_note(images[0], l) for l in range(len(self.arch) - 1)]]
        self.end_note = (f"Step {steps[0]} against step {steps[1]}: the same neurons with new weights, so new "
                         "pictures. Training reshapes what every neuron computes, not only the output.")
        return [f"{capital(self.step_words(s))}: every neuron's picture, layer by layer; {outputs(net)}."
                f"{self.data_note(s)}" for s, net in zip(steps, images)]

    def data_note(self, k):
        """` The dots are the data, coloured by target: 90% sit on their own colour.` for a network whose
        plane holds its data (two inputs, targets in the header), at step k; else nothing."""
        inputs = np.asarray(self.trace.meta.get("inputs") or [], dtype=float)
        targets = np.asarray(self.trace.meta.get("targets") or [], dtype=float)
        if self.arch[0] != 2 or not len(inputs) or targets.shape != (len(inputs), self.arch[-1]):
            return ""
        out = forward(weights_at(self.trace, k, self.values), inputs, self.activation)[-1][:, 0]
        where = "" if self.arch[-1] == 1 else " of output 0"
        return (f" The dots are the data, coloured by target: {accuracy(out, targets[:, 0]):.0%} sit on their own "
                f"colour{where}.")

    def with_data(self, rgb, j, pick):
        """The output picture with the data on it as dots coloured by their targets (for output j): only
        when the plane is the network's whole input (two inputs), so each dot is where the network reads it."""
        inputs = np.asarray(self.trace.meta.get("inputs") or [], dtype=float)
        targets = np.asarray(self.trace.meta.get("targets") or [], dtype=float)
        if self.arch[0] != 2 or not len(inputs) or targets.shape != (len(inputs), self.arch[-1]):
            return rgb
        h, w = rgb.shape[:2]
        dots = [((x[pick[0]] + SPAN) / (2 * SPAN) * w, (SPAN - x[pick[1]]) / (2 * SPAN) * h,
                 self.theme.diverging(t, 1.0)) for x, t in zip(clamped(inputs), targets[:, j])]
        return painted_dots(rgb, [d for d in dots if 0 <= d[0] < w and 0 <= d[1] < h],
                            max(w * 0.022, 2.0), self.theme.rgba(self.theme.text)[:3])

    def caption_line(self, pick, held, left, right, bottom):
        names = [wrapped(subscripted(n), 16, lines=1) for n in self.input_names]
        a, b = (names[i] for i in pick)
        rest = [f"{names[i]} = {number(v)}" for i, v in enumerate(held) if i not in pick]
        content = (f"each tile: {a} from {number(-SPAN)} to {number(SPAN)} across, {b} up"
                   + (f"; {', '.join(rest)} (example 0)" if rest else ""))
        note = fitted(content, self.theme, right - left, color=self.theme.muted)
        return note.move_to([left, bottom, 0], aligned_edge=LEFT + DOWN)

    def lay_out(self, steps, box):
        """[(diagram, its step label or None)] in the box: one network, or two, above each other or side
        by side, whichever draws the larger tiles; a step label stands in its network's title row when
        it fits there (the inputs need no title beside their names). Edges: the step's weights, one scale."""
        left, bottom, right, top = box
        weights = [weights_at(self.trace, s, self.values) for s in steps]
        scale = max(weight_scale(w) for w in weights)
        line = config.frame_height * self.theme.min_text

        def network(layers, box, inline):
            x0, y0, x1, y1 = box if inline else self._under_label(box, line * 1.5)
            titles = [None if inline else "inputs"] + headers_for(self.arch)[1:]
            d = NetworkDiagram(self.arch, layers, self.theme, x1 - x0, y1 - y0, self.input_names, headers=titles,
                               node="tile", last_most=2.8, edge_scale=scale)
            return d.shift([(x0 + x1) / 2, (y0 + y1) / 2, 0])

        if len(steps) == 1:
            return [(network(weights[0], box, False), None)]
        labels = [text(f"step {s}" + (" (random)" if s == 0 else " (trained)" if s == self.trace.num_steps - 1
                                      else ""), self.theme) for s in steps]
        gap = line
        above = [(left, top - (top - bottom - gap) / 2, right, top),
                 (left, bottom, right, bottom + (top - bottom - gap) / 2)]
        beside = [(left, bottom, (left + right - gap) / 2, top), ((left + right + gap) / 2, bottom, right, top)]
        candidates = []
        for boxes in (above, beside):
            inline = network(weights[0], boxes[0], True)
            room = inline.headers[0].get_left()[0] - boxes[0][0] - line / 2
            fits = max(label.width for label in labels) <= room
            first = inline if fits else network(weights[0], boxes[0], False)
            candidates.append((first.placement.columns[1].size, fits, boxes, first))
        _, inline, boxes, first = max(candidates, key=lambda c: c[0])
        out = []
        for layers, sub, label in zip(weights, boxes, labels):
            diagram = first if not out else network(layers, sub, inline)
            y = diagram.headers[0].get_y() if inline else sub[3] - line / 2
            out.append((diagram, label.move_to([sub[0], y, 0], aligned_edge=LEFT)))
        return out

    @staticmethod
    def _under_label(box, label_h):
        x0, y0, x1, y1 = box
        return x0, y0, x1, y1 - label_h


def _fade_in(raster, alpha):
    raster.alpha = alpha
