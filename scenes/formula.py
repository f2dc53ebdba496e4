"""`formula` and `loss-formula`: the network, and its loss, written out as one expression and typed."""

from manim import config

from nnanim.engine.formula import loss_formula, mlp_formula
from nnanim.scenes.base import TraceScene, caption
from nnanim.scenes.typewriter import ShowWhole, TypedFormula, TypeOut

TYPING_SECONDS = 8
WHOLE_SECONDS = 1.2  # from the typing view to the whole formula, when it did not fit
HOLD_SECONDS = 1.5


class _TypedFormulaScene(TraceScene):
    def formula(self):
        raise NotImplementedError

    def construct(self):
        margin = int(0.04 * config.pixel_width)
        caption = self.caption()
        bottom = int(self.px(0.1)) if caption else margin
        box = (margin, margin, config.pixel_width - 2 * margin, config.pixel_height - margin - bottom)
        typed = TypedFormula(self.formula(), self.theme, box, self.background_pixel(), paged=self.options.for_gif)
        if caption:
            self.add(caption)
        self.add(typed)
        start = self.renderer.time
        formula = typed.formula
        heads = [sum(formula.line_glyphs()[:i]) for i, line in enumerate(formula.lines)
                 if line and line[0].tex.startswith("&\\mathrm")]
        for glyph in heads[1:]:  # each further output begins: a natural pause
            self.mark_stop(start + TYPING_SECONDS * glyph / max(typed.n, 1))
        self.play(TypeOut(typed, run_time=TYPING_SECONDS))
        self.mark_stop()
        if typed.height_px > typed.view_h:
            self.play(ShowWhole(typed, run_time=WHOLE_SECONDS))
        self.wait(HOLD_SECONDS)

    def caption(self):
        if not self.options.values:
            return None
        return caption(f"parameters at step {self.step.index} of {self.trace.num_steps}", self.theme)


class Formula(_TypedFormulaScene):
    """MLP(x, y, z) = ... : the whole network as one expression, typed out."""

    def formula(self):
        return mlp_formula(self.step, self.trace, values=self.options.values, output=self.options.only_output)


class LossFormula(_TypedFormulaScene):
    """LOSS(x, y, z, w_000, ..., gt_0, gt_1) = ... : the loss as a function of every parameter."""

    def formula(self):
        return loss_formula(self.step, self.trace, values=self.options.values)
