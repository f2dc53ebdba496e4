"""Grading benchmark: one submission, and a class of 100 generated ones with -j 2 (issue 23).

    python benchmarks/bench_grade.py

Each submission is the workshop-style Value class training a small expression for 20 steps; a third of
them carry a classic bug. Time is wall-clock of `nnanim grade`'s own code path (a fenced process per
submission); memory is the largest child process's peak RSS. Figures go in docs/performance.md.
"""

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from student_scalar import scalar  # noqa: E402 -- the tests' corpus of a student's class, one copy

TEMPLATE = scalar("tanh") + '''

w = [Scalar(0.1 * k) for k in range(6)]
for step in range(20):
    for p in w:
        p.g = 0.0
    L = (w[0] * w[1] + w[2]).tanh() * w[3] + (w[4] * w[5]).tanh()
    L.backward()
    for p in w:
        p.val -= 0.05 * p.g
'''
BUGS = [("for v in reversed(topo):", "for v in topo:"), ("(1 - t ** 2)", "(1 - t)"), ("self.g = 1.0\n", "\n")]


def main():
    from nnanim.grade import grade_class, grade_one

    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        for k in range(100):
            folder = subs / f"student{k:03d}"
            folder.mkdir(parents=True)
            source = TEMPLATE.replace(*BUGS[k // 3 % 3]) if k % 3 == 0 else TEMPLATE
            (folder / "main.py").write_text(source)
        start = time.perf_counter()
        one = grade_one(subs / "student001", "main.py")
        single = time.perf_counter() - start
        start = time.perf_counter()
        results = grade_class(subs, "main.py", Path(tmp) / "out", "gradescope", workers=2)
        whole = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"one submission: {single:.2f} s ({one.score:g}/{one.max_score:g})")
    print(f"100 submissions, -j 2: {whole:.1f} s ({whole / 100:.2f} s each); "
          f"{sum(r.score == r.max_score for r in results)} full marks")
    print(f"peak memory of a submission's process: {peak:.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
