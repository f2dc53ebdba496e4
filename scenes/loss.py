"""`loss`: the loss of every step of the trace, drawn as it descends, with the step and the value.

A loss that spans two decades or more is drawn on a log axis (on a linear one, everything after the
first drop would lie on the floor); `--log` asks for the log axis whatever the span. The early steps,
where most of the change happens, get most of the time, and the clip stops once the loss is down to a
tenth. Steps whose loss is NaN or infinite (a diverging run) are marked on the axis instead of drawn.
"""

import numpy as np
from manim import config

from nnanim.scenes.base import TraceScene
from nnanim.scenes.loss_chart import LossChart
from nnanim.scenes.network_plan import sampled_steps
from nnanim.scenes.replay import play_run
from nnanim.scenes.training_plan import log_view, safe_box, tenth_step

DRAW_SECONDS = 8


class Loss(TraceScene):
    """The loss over every step of the trace, drawn as it descends (`--log` for a log axis)."""

    def construct(self):
        losses = self.trace.losses
        if not np.isfinite(losses).any():
            raise ValueError("this trace has no finite loss to draw")
        log = log_view(losses, forced=self.options.log)
        chart = LossChart(losses, safe_box(self.theme, config.frame_width, config.frame_height),
                          self.theme, log)
        chart.show(0)
        self.add(chart, *chart.moving)
        schedule = sampled_steps(len(losses), max(int(DRAW_SECONDS * config.frame_rate), 2))
        play_run(self, schedule, chart.show, chart.moving, stop_at=tenth_step(losses))
