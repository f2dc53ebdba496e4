"""Formula benchmark: typing the default network's formula against Manim's plain Write and the encoder.

    python benchmarks/bench_formula.py [--skip-write]

In one process, at 1920x1080, 30 fps, MP4 (libx264, crf 23, yuv420p: Manim's settings):
  1. nnanim's typing of the default network's formula (both outputs) over 8 s: 240 frames;
  2. the encode floor: the same 240 frames, decoded, encoded again with PyAV and the same settings;
  3. the plain way: self.play(Write(MathTex(<the same LaTeX>)), run_time=8);
  4. the whole `formula` scene through `nnanim render` (typing, the pull back to the whole formula, its
     structure), against its own encode floor;
and, in a fresh process, the 720p GIF (`nnanim render formula -q m --format gif`): time, peak memory of
the largest process (nnanim or its ffmpeg), file size. Figures go in docs/performance.md.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from encoding import encode_floor, timed_scene


def plain_write(latex):
    from manim import MathTex, Scene, Write

    class PlainWrite(Scene):
        def construct(self):
            self.play(Write(MathTex(latex)), run_time=8)

    return PlainWrite


def typing_only():
    """The formula scene's typing alone: the same 8 s clip as the plain Write."""
    from nnanim.scenes.formula import Formula
    from nnanim.scenes.typewriter import TypedFormula, TypeOut

    class TypingOnly(Formula):
        def construct(self):
            w, h = 1920, 1080
            typed = TypedFormula(self.formula(), self.theme, (77, 77, w - 154, h - 154), self.background_pixel())
            self.add(typed)
            self.play(TypeOut(typed, run_time=8))

    return TypingOnly


def measured_gif(trace):
    """Time and peak memory (largest process: nnanim or its ffmpeg) of the 720p GIF, in a fresh process."""
    command = [sys.executable, "-m", "nnanim", "render", "formula", str(trace), "-q", "m", "--format", "gif",
               "-o", str(trace.parent)]
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
             "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)")
    out = subprocess.run([sys.executable, "-c", probe, *command], check=True, capture_output=True, text=True)
    seconds, peak = (float(v) for v in out.stdout.split())
    return seconds, peak, (trace.parent / f"formula-{trace.stem}.gif").stat().st_size / 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-write", action="store_true", help="skip the slow plain-Write baseline")
    args = parser.parse_args()

    from nnanim.scenes.formula_plan import mlp_formula
    from nnanim.engine.training import record_run
    from nnanim.render import RenderRequest, render
    from nnanim.scenes.options import SceneOptions

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        trace_path = tmp / "default.nntrace"
        trace = record_run()
        trace.save(trace_path)
        latex = mlp_formula(trace.step(0), trace).latex()
        options = SceneOptions(trace=str(trace_path))
        timed_scene(typing_only(), tmp, options=options)  # warm-up: LaTeX compiled and cached, modules imported
        typing, movie = timed_scene(typing_only(), tmp, options=options)
        floor, frames = encode_floor(movie)
        print(f"typing the default network's formula (both outputs), 8 s at 1080p30 MP4: {frames} frames")
        print(f"  nnanim typing   {typing:6.2f} s")
        print(f"  encode floor    {floor:6.2f} s   typing / floor = {typing / floor:.2f}x (target <= 1.5x)")
        if not args.skip_write:
            write, _ = timed_scene(plain_write(latex), tmp)
            print(f"  plain Write     {write:6.2f} s   Write / typing = {write / typing:.1f}x (target >= 8x)")
        start = time.perf_counter()
        render(RenderRequest("formula", trace_path, out_dir=tmp, size=(1920, 1080), fps=30))
        whole = time.perf_counter() - start
        floor, frames = encode_floor(tmp / "formula-default.mp4")
        print(f"the whole scene (typing, the pull back to the whole formula, its structure: {frames} frames) "
              f"via nnanim render: {whole:.2f} s, encode floor {floor:.2f} s ({whole / floor:.2f}x, with "
              f"LaTeX cached and the process warm)")
        seconds, peak, size = measured_gif(trace_path)
        print(f"720p GIF: {seconds:.2f} s (target <= 12 s), peak memory {peak:.0f} MB (target <= 500 MB), "
              f"{size:.2f} MB (target <= 4 MB)")


if __name__ == "__main__":
    main()
