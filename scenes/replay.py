"""Playing a run's steps as frames: the one loop behind `loss`, `training` and `boundary`."""

from manim import Group, config, linear

from nnanim.scenes.tween import Tween


def play_steps(scene, schedule, show, movers):
    """Play `schedule` (the step each frame shows, one frame each at the scene's frame rate), calling
    `show(k)`; `movers` are the mobjects `show` changes."""
    if not schedule:
        return
    n = len(schedule)

    def apply(_, alpha):
        show(schedule[min(int(alpha * n + 1e-9), n - 1)])

    scene.play(Tween(Group(*movers), apply, rate_func=linear), run_time=n / config.frame_rate)


def play_run(scene, schedule, show, movers, note, stop_at=None, hold=1.5):
    """Play the schedule with a stop where it reaches step `stop_at` (if it does before the end), hold the
    last frame, and stop at the end of the clip: nothing new comes after the last stop. `note(k, end)` is
    the speaker's note for a stop showing step k (`end`: the stop at the end of the clip)."""
    from nnanim.scenes.training_plan import split_schedule

    first, rest = split_schedule(schedule, stop_at)
    play_steps(scene, first, show, movers)
    if rest:
        scene.mark_stop(note(first[-1], False))
        play_steps(scene, rest, show, movers)
    scene.wait(hold)
    scene.mark_stop(note(schedule[-1], True))
