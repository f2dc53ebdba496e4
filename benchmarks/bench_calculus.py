"""Calculus benchmark: the `derivative` and `descent` scenes against the encoder.

    python benchmarks/bench_calculus.py

Each scene through `nnanim render` at 1920x1080, 30 fps, MP4 (after one warm-up render at 320x180, so
fonts and modules are loaded), against the encode floor of its own frames (target <= 1.5x).
"""

import tempfile
import time
from pathlib import Path

from encoding import encode_floor


def main():
    from nnanim.render import RenderRequest, render

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for scene in ("derivative", "descent"):
            render(RenderRequest(scene, None, out_dir=tmp, size=(320, 180), fps=5))
            start = time.perf_counter()
            render(RenderRequest(scene, None, out_dir=tmp, size=(1920, 1080), fps=30))
            seconds = time.perf_counter() - start
            floor, frames = encode_floor(tmp / f"{scene}.mp4")
            print(f"{scene:10s} {frames} frames at 1080p30: {seconds:6.2f} s, encode floor {floor:6.2f} s, "
                  f"{seconds / floor:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
