"""Backprop benchmark: the default `backprop` scene (the workshop's L = (a*b + c)*f) at 1080p30 MP4
against the encode floor of the same frames.

    python benchmarks/bench_backprop.py

In one process, warm (modules imported, fonts cached), with the settings `nnanim render` uses.
Figures go in docs/performance.md.
"""

import tempfile
from pathlib import Path

from encoding import encode_floor, timed_scene


def main():
    from nnanim.scenes.backprop import Backprop
    from nnanim.scenes.options import SceneOptions

    with tempfile.TemporaryDirectory() as tmp:
        timed_scene(Backprop, Path(tmp), options=SceneOptions())  # warm-up
        seconds, movie = timed_scene(Backprop, Path(tmp), options=SceneOptions())
        floor, frames = encode_floor(movie)
        print(f"backprop (the workshop's expression), 1080p30 MP4, {frames} frames")
        print(f"  nnanim render   {seconds:6.2f} s")
        print(f"  encode floor    {floor:6.2f} s   render / floor = {seconds / floor:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
