"""Engine benchmark: recording the default run against the workshop's code and micrograd 0.1.0.

All runs happen in this one process, interleaved, and the medians are compared:
    python benchmarks/bench_engine.py [--repeat 5]
Needs `pip install -e '.[bench]'` (micrograd==0.1.0). Figures go in docs/performance.md.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "benchmarks")]

import micrograd_reference  # noqa: E402
import workshop_reference  # noqa: E402

from nnanim.engine import MLP, load_trace, record, train  # noqa: E402
from nnanim.engine.training import WORKSHOP_INPUTS, WORKSHOP_TARGETS  # noqa: E402


def workshop_untraced():
    workshop_reference.run(steps=1000)


def micrograd_untraced():
    micrograd_reference.run(WORKSHOP_INPUTS, WORKSHOP_TARGETS, steps=1000)


def nnanim_untraced():
    train(MLP(3, [2, 4, 4, 2], seed=42), WORKSHOP_INPUTS, WORKSHOP_TARGETS, steps=1000)


def nnanim_recorded():
    with record() as trace:
        train(MLP(3, [2, 4, 4, 2], seed=42), WORKSHOP_INPUTS, WORKSHOP_TARGETS, steps=1000)
    return trace


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    runs = {"workshop code (untraced)": workshop_untraced, "micrograd 0.1.0 + tanh (untraced)": micrograd_untraced,
            "nnanim (untraced)": nnanim_untraced, "nnanim, recording everything": nnanim_recorded}
    times = {name: [] for name in runs}
    for _ in range(args.repeat):
        for name, fn in runs.items():
            times[name].append(timed(fn)[0])
    median = {name: statistics.median(t) for name, t in times.items()}
    recorded = median["nnanim, recording everything"]
    print(f"default run: 3 inputs, layers 2,4,4,2, 4 examples, total SSE, lr 0.01, 1000 steps "
          f"(median of {args.repeat}, one process)")
    for name, t in median.items():
        print(f"  {name:36s} {t:6.3f} s   recorded/this = {recorded / t:.2f}x")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "default.nntrace"
        nnanim_recorded().save(path)
        loads = [timed(lambda: load_trace(path))[0] for _ in range(args.repeat)]
        print(f"  saved trace: {path.stat().st_size / 1e6:.2f} MB, loads in {statistics.median(loads):.3f} s")
    targets = [("recorded / workshop", recorded / median["workshop code (untraced)"], 0.6),
               ("recorded / micrograd", recorded / median["micrograd 0.1.0 + tanh (untraced)"], 0.6)]
    for name, value, limit in targets:
        print(f"  target {name:22s} {value:.2f}x (at most {limit}x): {'met' if value <= limit else 'MISSED'}")


if __name__ == "__main__":
    main()
