"""Training-scene benchmark: `loss` (and, when it exists, `training`) for the default run at 1080p30 MP4
against the encode floor of the same frames.

    python benchmarks/bench_training.py

In one process, warm, with the settings `nnanim render` uses. Figures go in docs/performance.md.
"""

import tempfile
from pathlib import Path

from encoding import encode_floor, timed_scene

TARGETS = {"loss": 1.5, "training": 2.0}


def main():
    from nnanim.engine.training import record_run
    from nnanim.scenes.options import SceneOptions
    from nnanim.scenes.registry import SCENES

    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "default.nntrace"
        record_run().save(trace)
        options = SceneOptions(trace=str(trace))
        for name, target in TARGETS.items():
            if name not in SCENES:
                continue
            scene = SCENES[name].load()
            timed_scene(scene, Path(tmp), options=options)  # warm-up
            seconds, movie = timed_scene(scene, Path(tmp), options=options)
            floor, frames = encode_floor(movie)
            print(f"{name}, the default run, 1080p30 MP4, {frames} frames: {seconds:.2f} s, encode floor "
                  f"{floor:.2f} s -> {seconds / floor:.2f}x (target <= {target}x)")


if __name__ == "__main__":
    main()
