"""Backprop benchmark: the default `backprop` scene (the workshop's L = (a*b + c)*f) at 1080p30 MP4
against the encode floor of the same frames; and a whole step with no neurons to group it by (the
default run relabelled v0 … v460, issue 22): the camera's course through it drawn a value to a box, and
the scene rendered as `nnanim render backprop … --size 160x90 --fps 5` does.

    python benchmarks/bench_backprop.py

In one process, warm (modules imported, fonts cached), with the settings `nnanim render` uses.
Figures go in docs/performance.md.
"""

import tempfile
import time
from pathlib import Path

from encoding import encode_floor, timed_scene


def relabelled_run(path):
    """The workshop's default run (one step), every value labelled v<index>: nothing says neuron."""
    from nnanim.engine.steps import Graph, StepColumns
    from nnanim.engine.trace import Trace
    from nnanim.engine.training import record_run

    run = record_run(steps=1)
    s = run.store
    graphs = [Graph(g.ops, [f"v{i}" for i in range(len(g))], g.arity, g.edges) for g in s.graphs]
    store = StepColumns(graphs, s.step_graph, columns=[s.table(k) for k in range(len(graphs))], final=s.final)
    Trace(meta=run.meta, store=store).save(path)


def camera_course(step):
    """Seconds to lay the step out a value to a box and follow the gradient through it, as the scene's
    camera does (which parts each view shows; no mobjects made); the moments and the camera moves."""
    from nnanim.scenes.backprop import Viewport
    from nnanim.scenes.backprop_plan import backward_beats, moments
    from nnanim.scenes.graph_layout import values
    from nnanim.scenes.graph_view import view_of
    from nnanim.scenes.theme import THEMES

    start = time.perf_counter()
    drawing = values(step, range(len(step.graph)))
    story = moments(backward_beats(step), drawing)
    view, fits = view_of(drawing, THEMES["dark"], (-6.5, -2.5, 6.5, 3.5))
    port = Viewport(view, fits, 13.0, 6.0, 1.0)
    centre, moves = port.aim(story[0]), 0
    port.parts_at(centre)
    for moment in story:
        if not port.shows(moment, centre):
            centre, moves = port.aim(moment), moves + 1
            port.parts_at(centre)
    return time.perf_counter() - start, len(story), moves


def main():
    from nnanim.engine.trace import load_trace
    from nnanim.scenes.backprop import Backprop
    from nnanim.scenes.options import SceneOptions

    with tempfile.TemporaryDirectory() as tmp:
        timed_scene(Backprop, Path(tmp), options=SceneOptions())  # warm-up
        seconds, movie = timed_scene(Backprop, Path(tmp), options=SceneOptions())
        floor, frames = encode_floor(movie)
        print(f"backprop (the workshop's expression), 1080p30 MP4, {frames} frames")
        print(f"  nnanim render   {seconds:6.2f} s")
        print(f"  encode floor    {floor:6.2f} s   render / floor = {seconds / floor:.2f}x (target <= 1.5x)")

        trace = Path(tmp) / "relabelled.nntrace"
        relabelled_run(trace)
        step = load_trace(trace).step(-1)
        course, count, moves = camera_course(step)
        seconds, movie = timed_scene(Backprop, Path(tmp), size=(160, 90), fps=5,
                                     options=SceneOptions(trace=str(trace), step=-1))
        _, frames = encode_floor(movie)
        print(f"backprop, the default step relabelled v<i> ({len(step.graph)} values, no neurons)")
        print(f"  camera course, a value to a box ({count} moments, {moves} moves)   {course:6.2f} s")
        print(f"  nnanim render at 160x90, 5 fps (a part to a box, {frames} frames)   {seconds:6.2f} s "
              "(target <= 240 s)")


if __name__ == "__main__":
    main()
