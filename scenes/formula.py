"""`formula` and `loss-formula`: the network, and its loss, written out as one expression and typed.

Every symbol is in the colour of the layer whose neuron writes it, so the nesting shows while it is
typed. A formula that does not fit is then pulled back to show its whole size, and the scene cuts to
its structure at a readable size: the first neuron of each layer written out, the others folded to
tanh(⋯). In the loss, the network's part sits on a band of its own, apart from the targets.
"""

import math
from dataclasses import dataclass

from manim import DOWN, RIGHT, Rectangle, VGroup, config

from nnanim.engine.numbers import number
from nnanim.scenes.base import TraceScene, text
from nnanim.scenes.formula_plan import loss_formula, loss_structure, mlp_formula, mlp_structure, network_outputs
from nnanim.scenes.network_plan import layer_values, listed
from nnanim.scenes.neuron_plan import short_name
from nnanim.scenes.notation import ELLIPSIS, shown, subscripted
from nnanim.scenes.typewriter import FormulaStill, TypedFormula, TypeOut, ZoomOut

TYPING_SECONDS = 8
WHOLE_SECONDS = 2  # the pull back to the whole formula, and a moment to take in its size
HOLD_SECONDS = 2  # the readable end: the structure (or the whole formula when it fits)
PER_LINE = 60  # glyphs a line, fewer when long labels make the lines too wide to read
OUTER_PER_LINE = 36  # glyphs a line of the most folded structure (large type)
STILL_EM = 25 / 16  # the largest em of the structure, in the theme's formula em (1/16 of the frame height)


@dataclass(frozen=True)
class Example:
    """The first example as a step's graph computed it, for the speaker's notes: its inputs (label, value),
    the network's outputs (or the root's value when the graph has no MLP outputs), and their targets (None
    where the trace does not say)."""

    inputs: list
    outputs: list
    targets: list
    mlp: bool = True

    def inputs_text(self, most=6):
        """`(x, y, z) = (1, 2, 3)`."""
        picked = shown(len(self.inputs), most)
        names = ", ".join(ELLIPSIS if i is None else short_name(self.inputs[i][0]) for i in picked)
        values = ", ".join(ELLIPSIS if i is None else number(self.inputs[i][1]) for i in picked)
        return f"({names}) = ({values})" if len(self.inputs) > 1 else f"{names} = {values}"

    def loss(self):
        """The squared differences of the outputs and the targets, added; None without every target."""
        if not self.targets or any(t is None for t in self.targets):
            return None
        return sum((o - t) ** 2 for o, t in zip(self.outputs, self.targets))


def first_example(step, trace=None):
    """The first example of a step's graph: the values its formula computes for it."""
    graph = step.graph
    outputs = network_outputs(graph)
    try:
        inputs = layer_values(step, 0).inputs
    except LookupError:
        inputs = []
    if not outputs:
        return Example(inputs, [float(step.data[graph.root])], [], mlp=False)
    header = ((trace.meta.get("targets") or [None]) if trace is not None else [None])[0] or []
    targets = []
    for k in range(len(outputs)):
        leaf = next((i for i, label in enumerate(graph.labels) if label == f"gt_{k}" and not graph.arity[i]), None)
        targets.append(float(step.data[leaf]) if leaf is not None else float(header[k]) if k < len(header) else None)
    return Example(inputs, [float(step.data[i]) for i in outputs], targets)


class _TypedFormulaScene(TraceScene):
    structure_note = ""  # under the folded structure
    folded_note = ""  # the same, for the speaker
    outer_note = ""  # the most folded structure (folded_structures), for the speaker

    def formula(self, per_line=PER_LINE):
        raise NotImplementedError

    def structures(self):
        """Folded versions of the formula to choose from (the largest readable one wins); may be empty."""
        raise NotImplementedError

    def construct(self):
        left, top, right, bottom = self.safe_area()
        gap = 0.5 * self.min_px()
        formula = self.fitted(right - left)
        legend = self.legend(formula)
        row_top = self.to_px_y(legend.get_top()[1]) if legend else bottom - self.min_px()
        typed = TypedFormula(formula, self.theme, (left, top, right - left, row_top - gap - top),
                             self.background_pixel(), paged=self.options.for_gif, max_em=self.still_em())
        self.add(typed, *([legend] if legend else []))
        note = self.note(self.structure_note, row_top - gap if legend else bottom)
        still = None if typed.fits else self.still((left, top, right - left,
                                                    self.to_px_y(note.get_top()[1]) - 2 * gap - top))
        ends = self.output_starts(typed)[1:] + [typed.n]
        example = first_example(self.step, self.trace)
        self.end_note = self.summary(example)
        for part, (seconds, end) in enumerate(zip(self.typing_times(typed, ends), ends)):
            if seconds > 0:
                self.play(TypeOut(typed, until=end, run_time=seconds))
            if end < typed.n or still is not None:
                self.mark_stop(self.typed_note(part, example))  # an output is typed: its last lines, at full size
        if not typed.fits:
            if still is not None:
                self.play(ZoomOut(typed, run_time=WHOLE_SECONDS))
                self.remove(typed)  # a cut: the structure never shows over the small whole
                self.add(still, note)
            else:  # in the legend's place: the view keeps its size
                self.remove(*([legend] if legend else []))
                self.add(self.note(f"the last lines of {len(formula.lines)}: the whole formula is too long "
                                   "to read at once", bottom))
        self.wait(HOLD_SECONDS)
        if typed.fits:
            self.mark_stop(f"{self.typed_note(len(ends) - 1, example)} The whole formula fits on screen.")
        elif still is not None:
            self.mark_stop(f"Pulled back, the whole formula: about {formula.glyphs:,} symbols, too many to read. "
                           f"Then its structure at a readable size: {self.still_note}.")
        else:
            self.mark_stop(f"Only the last lines of {len(formula.lines)} fit at a readable size: the whole formula "
                           f"is about {formula.glyphs:,} symbols, too many to read at once.")

    def typed_note(self, part, example):
        """The speaker's note when part `part` of the formula (an output, or the whole loss) is typed."""
        if example.mlp:
            return self.network_note(part, example)
        return (f"{self.root_label()} typed out as one expression{self.with_values()}: with the trace's numbers it is "
                f"{number(example.outputs[0])}.")

    def summary(self, example):
        """The end note: what the formula is, with the trace's numbers."""
        if example.mlp:
            return self.network_summary(example)
        return (f"{self.root_label()} = {number(example.outputs[0])}, the whole computation written as one "
                "expression: the expression that backpropagation differentiates, one operation at a time.")

    def network_note(self, part, example):
        raise NotImplementedError

    def network_summary(self, example):
        raise NotImplementedError

    def root_label(self):
        graph = self.step.graph
        return subscripted(graph.labels[graph.root] or "L")

    def with_values(self):
        return f", the parameters written as their numbers at step {self.step.index}" if self.options.values else ""

    def typing_times(self, typed, ends):
        """Seconds to type up to each of `ends` at an even pace, in whole frames adding up to
        TYPING_SECONDS."""
        frames = round(TYPING_SECONDS * config.frame_rate)
        done = [round(frames * (end - typed.start) / max(typed.n - typed.start, 1)) for end in ends]
        return [(b - a) / config.frame_rate for a, b in zip([0] + done[:-1], done)]

    def note(self, content, bottom_px):
        """Secondary text whose bottom is at `bottom_px`, centred, in as many lines as the safe area's width
        takes (large type wraps what one line holds at the normal size)."""
        left, _, right, _ = self.safe_area()
        room, words, lines = self.units(right - left), [], []
        for word in content.split():
            line = text(" ".join(words + [word]), self.theme, color=self.theme.muted)
            if words and line.width > room:
                words, line = [word], text(word, self.theme, color=self.theme.muted)
                lines.append(line)
            else:
                words.append(word)
                lines[-1:] = [line]
        note = VGroup(*lines).arrange(DOWN, buff=0.25 * self.units(self.min_px()))
        return note.move_to([0, self.to_units_y(bottom_px) + note.height / 2, 0])

    # ----- what is shown
    def fitted(self, width):
        """The formula, with fewer glyphs a line while its lines would be too wide to read at `width` px."""
        per_line = PER_LINE
        while True:
            formula = self.formula(per_line)
            probe = TypedFormula.scale_for(formula, self.theme, width)
            if probe >= self.theme.min_text * config.pixel_height / 10 or per_line <= 20:
                return formula
            per_line = max(20, math.floor(per_line * probe * 10 / (self.theme.formula_em * config.pixel_height)))

    def still(self, box):
        """The structure at the largest readable size that fits `box`, or None: the most folded structures
        only when none of the others is readable (large type)."""
        floor = self.theme.min_text * config.pixel_height * 0.97
        for structures, said in ((self.structures(), self.folded_note), (self.folded_structures(), self.outer_note)):
            stills = [FormulaStill(f, self.theme, box, self.background_pixel(), self.still_em())
                      for f in structures if f is not None]
            stills = [s for s in stills if s.em_px >= floor]
            if stills:
                self.still_note = said
                return max(stills, key=lambda s: s.em_px)
        return None

    def folded_structures(self):
        """The most folded versions of the formula, for a box too small for `structures`; may be empty."""
        return []

    def still_em(self):
        """The largest em, in pixels, of a formula shown whole."""
        return STILL_EM * self.theme.formula_em * config.pixel_height

    def legend(self, formula):
        """Under the formula: each layer's name in its colour, in as many lines as it takes (None for a
        graph without layers)."""
        layers = max((t.layer for line in formula.lines for t in line), default=-1) + 1
        if layers == 0:
            return None
        items = self.legend_items() + [text(f"layer {l}", self.theme, color=self.theme.layer_color(l))
                                       for l in range(layers)]
        if self.options.values:
            items.append(text(f"parameters at step {self.step.index} of {self.trace.num_steps}", self.theme,
                              color=self.theme.muted))
        left, _, right, bottom = self.safe_area()
        buff, room = 1.2 * self.units(self.min_px()), self.units(right - left) - 2 * self.band_pad()
        rows = [[]]
        for item in items:
            if rows[-1] and sum(i.width + buff for i in rows[-1]) + item.width > room:
                rows.append([])
            rows[-1].append(item)
        legend = VGroup(*[VGroup(*row).arrange(RIGHT, buff=buff) for row in rows])
        legend.arrange(DOWN, buff=0.5 * self.units(self.min_px()))
        return legend.move_to([0, self.to_units_y(bottom) + self.band_pad() + legend.height / 2, 0])

    def legend_items(self):
        return []

    def output_starts(self, typed):
        """The glyph where each output's line begins (`MLP(x, y, z)_k =`)."""
        formula = typed.formula
        counts = formula.line_glyphs()
        return [sum(counts[:i]) for i, line in enumerate(formula.lines)
                if line and line[0].tex.startswith(r"&\mathrm{MLP}")]

    # ----- geometry: pixels of the frame (y down) and scene units
    def safe_area(self):
        m = self.theme.safe_margin
        w, h = config.pixel_width, config.pixel_height
        return math.ceil(m * w), math.ceil(m * h), math.floor((1 - m) * w), math.floor((1 - m) * h)

    def min_px(self):
        return self.theme.min_text * config.pixel_height

    def units(self, px):
        return px / config.pixel_height * config.frame_height

    def to_px_y(self, y):
        return int((config.frame_height / 2 - y) / config.frame_height * config.pixel_height)

    def to_units_y(self, py):
        return config.frame_height / 2 - py / config.pixel_height * config.frame_height

    def band_pad(self):
        return 0.0


class Formula(_TypedFormulaScene):
    """MLP(x, y, z) = ... : the whole network as one expression, typed out."""

    structure_note = "the same formula folded: each (⋯) is a neuron like the one written out"
    folded_note = "the first neuron of each layer written out, one layer a line, each (⋯) a neuron like it"
    outer_note = "each output's own neuron written out, every neuron inside it folded to tanh(⋯)"

    def formula(self, per_line=PER_LINE):
        return mlp_formula(self.step, self.trace, values=self.options.values, output=self.options.only_output,
                           per_line=per_line)

    def structures(self):
        return [mlp_structure(self.step, self.trace, values=self.options.values, output=self.options.only_output,
                              head_inline=inline) for inline in (True, False)]

    def folded_structures(self):
        return [mlp_structure(self.step, self.trace, values=self.options.values, output=self.options.only_output,
                              outer=OUTER_PER_LINE)]

    def network_note(self, part, example):
        k = part if self.options.only_output is None else self.options.only_output
        target = example.targets[k]
        value = (f"For the first example, {example.inputs_text()}, it is {number(example.outputs[k])}"
                 + (f" (target {number(target)})." if target is not None else "."))
        args = ", ".join(short_name(label) for label, _ in example.inputs)
        head = f"MLP({args}){subscripted(f'MLP_{k}').removeprefix('MLP')}"  # as typed: MLP(x, y, z)₀
        if part == 0:
            return (f"{head} typed out: output {k} as one expression{self.with_values()}, each layer in its colour, "
                    f"layer 0 innermost. {value}")
        return (f"{head} typed out: the same hidden neurons as output 0; only the outermost neuron, output {k}'s "
                f"own, differs. {value}")

    def network_summary(self, example):
        parameters = len(self.trace.parameters)
        which = (f"Output {self.options.only_output} of the network" if self.options.only_output is not None
                 else "The network")
        numbers = f" (here their numbers at step {self.step.index})" if self.options.values else ""
        return (f"{which} is one function of {len(example.inputs)} inputs and {parameters} parameters{numbers}. "
                f"Training changes only the {parameters} parameters; the formula keeps its shape.")


class LossFormula(_TypedFormulaScene):
    """LOSS(x, y, z, w_000, ..., gt_0, gt_1) = ... : the loss as a function of every parameter."""

    structure_note = "the network's outputs (shaded) against the targets gt, each (⋯) a folded neuron"
    folded_note = "each output (shaded) minus its target gt, squared, each (⋯) a folded neuron"

    def formula(self, per_line=PER_LINE):
        return loss_formula(self.step, self.trace, values=self.options.values, per_line=per_line)

    def structures(self):
        return [loss_structure(self.step, self.trace, values=self.options.values)]

    def network_note(self, part, example):
        terms = " + ".join(ELLIPSIS if k is None else
                           f"({subscripted(f'MLP_{k}')} \u2212 {subscripted(f'gt_{k}')})\u00b2"
                           for k in shown(len(example.outputs), 3))
        said = (f"LOSS typed out for the first example: {terms}, the network's outputs (on the shaded band) against "
                f"the targets gt{self.with_values()}.")
        loss = example.loss()
        if loss is None:
            return f"{said} For {example.inputs_text()} the network gives {listed(example.outputs)}."
        return (f"{said} For {example.inputs_text()} the outputs are {listed(example.outputs)} against the targets "
                f"{listed(example.targets)}: this example's loss is {number(loss)}.")

    def network_summary(self, example):
        loss, k = example.loss(), self.step.index
        examples = len(self.trace.meta.get("inputs") or [])
        said = (f"The loss of one example as one function of the inputs, the {len(self.trace.parameters)} parameters "
                "and the targets: training moves the parameters to make it smaller.")
        if loss is not None:
            said += f" For the first example it is {number(loss)}"
            said += (f"; over all {examples} examples, the trace's loss at step {k} is {number(self.trace.losses[k])}."
                     if examples > 1 else ".")
        return said

    def legend_items(self):
        """`network` on the band it has in the formula, and `gt: targets` in the text colour."""
        word = text("the network", self.theme)
        pad = self.band_pad()
        band = Rectangle(width=word.width + 4 * pad, height=word.height + 2 * pad, stroke_width=0,
                         fill_color=self.theme.band, fill_opacity=1).move_to(word)
        return [VGroup(band, word), text("gt: the targets", self.theme)]

    def band_pad(self):
        return 0.25 * self.units(self.min_px())
