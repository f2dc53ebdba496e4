"""Trace scale benchmark (issue 14): a 2,16,16,1 moons run of 300 steps recorded with `--record all`,
then `nnanim inspect` on it, each in a fresh process measured by GNU time (wall time, peak RSS).

    python benchmarks/bench_trace_scale.py

Targets: recording at most 300 MB peak; inspect at most 150 MB and 0.5 s. Figures go in
docs/performance.md.
"""

import subprocess
import sys
import tempfile
from pathlib import Path


def measured(args):
    """(seconds, peak MB) of `python -m nnanim ARGS` in a fresh process."""
    done = subprocess.run(["/usr/bin/time", "-f", "%e %M", sys.executable, "-m", "nnanim", *args],
                          capture_output=True, text=True, check=True)
    seconds, kilobytes = done.stderr.split()[-2:]
    return float(seconds), int(kilobytes) / 1024


def main():
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "moons.nntrace"
        seconds, peak = measured(["trace", "--data", "moons", "--arch", "2,16,16,1", "--steps", "300", "--record",
                                  "all", "-o", str(trace)])
        print(f"record a 2,16,16,1 moons run of 300 steps (--record all): {seconds:.1f} s, peak {peak:.0f} MB "
              f"(target <= 300 MB); the trace is {trace.stat().st_size / 1e6:.1f} MB")
        seconds, peak = measured(["inspect", str(trace)])
        print(f"nnanim inspect on it: {seconds:.2f} s (target <= 0.5 s), peak {peak:.0f} MB (target <= 150 MB)")


if __name__ == "__main__":
    main()
