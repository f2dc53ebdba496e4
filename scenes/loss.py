"""`loss`: the loss of every step of the trace, drawn as it descends, with the step and the value.

A loss that spans two decades or more is drawn on a log axis (on a linear one, everything after the
first drop would lie on the floor); `--log` asks for the log axis whatever the span. The early steps,
where most of the change happens, get most of the time, and the clip stops once the loss is down to a
tenth. Steps whose loss is NaN or infinite (a diverging run) are marked on the axis instead of drawn.
"""

from manim import config

from nnanim.engine.numbers import number
from nnanim.scenes.base import TraceScene
from nnanim.scenes.drawable import first_clamped
from nnanim.scenes.loss_chart import LossChart
from nnanim.scenes.network_plan import sampled_steps
from nnanim.scenes.replay import play_run
from nnanim.scenes.training_plan import capital, descent, log_view, tenth_step

DRAW_SECONDS = 8


class Loss(TraceScene):
    """The loss over every step of the trace, drawn as it descends (`--log` for a log axis)."""

    def construct(self):
        losses = self.trace.losses
        log = log_view(losses, forced=self.options.log)
        self.say_clamped(first_clamped(losses, "the loss"))
        chart = LossChart(losses, self.safe_area(), self.theme, log)
        chart.show(0)
        self.add(chart, *chart.moving)
        schedule = sampled_steps(len(losses), max(int(DRAW_SECONDS * config.frame_rate), 2))
        lr, parameters = self.trace.meta.get("lr"), len(self.trace.parameters)
        rate = f" (learning rate {number(lr)})" if isinstance(lr, (int, float)) else ""
        self.end_note = capital(descent(losses)) + (f". Each step moved all {parameters} parameters a little "
                                                    f"against their gradients{rate}." if parameters else ".")

        def note(k, end):
            if not end:
                return (f"Most of the descent is done: {descent(losses, k)}. The early steps, where the loss "
                        "falls fastest, get most of the clip.")
            scale = " The axis is logarithmic: equal heights are equal factors." if log else ""
            return f"The whole run drawn: {descent(losses, k)}.{scale}"

        play_run(self, schedule, chart.show, chart.moving, note, stop_at=tenth_step(losses))
