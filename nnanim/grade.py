"""`nnanim grade`: a whole class's backprop, graded on the platforms courses use.

Each student's folder is checked as `nnanim check` checks one script (nnanim.sandbox: a process of its
own, a time and a memory limit), and the findings become tests, one per classic bug, each worth points,
so that a student sees which part of backprop to fix. A script that does not parse, loops forever,
crashes or has no Value class is that student's result, never the grader's failure.

The results are written in the platform's own format (small writers, below): Gradescope's
results.json (`score`, `tests[]` with `name`, `score`, `max_score`, `output`), PrairieLearn's
(`gradable`, `score` in [0, 1], `tests[]` with `name`, `points`, `max_points`, `message`), or nnanim's
JSON; and OUT/grades.csv for the whole class.
"""

import csv
import io
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from nnanim import sandbox
from nnanim.engine.atomic import real_folder, write_atomically
from nnanim.errors import NnanimError, said

# One test per part of backprop: (the findings' kinds that fail it, its name, its points).
TESTS = [
    ((), "the script runs and nnanim finds its Value class", 1),
    (("whole pass", "not reversed", "root not 1", "only root", "rule", "repeated"),
     "backward() gives every input the chain rule's gradient", 2),
    (("not reversed",), "backward() visits the nodes from the output back (a reversed topological order)", 1),
    (("root not 1",), "backward() starts from the output's grad set to 1", 1),
    (("only root",), "backward() runs every node's own backward, not only the output's", 1),
    (("repeated",), "each node's backward runs once in a pass", 1),
    (("rule",), "each op's local gradient (+, ×, **n, tanh, exp, relu, the class's own ops)", 2),
    (("not reset",), "grads are set back to 0 between training steps", 1),
]
FORMATS = ("gradescope", "prairielearn", "json")


class GradeError(NnanimError):
    """A class that cannot be graded (no submissions, an output that cannot be written)."""


@dataclass
class Test:
    name: str
    points: float
    max_points: float
    message: str = ""


@dataclass
class Graded:
    """One student's result: a test per part of backprop, or why the script could not be checked."""

    student: str
    tests: list = field(default_factory=list)
    error: str | None = None  # the script's own failure: a syntax error, an endless loop, no Value class

    @property
    def score(self):
        return sum(t.points for t in self.tests)

    @property
    def max_score(self):
        return sum(points for _, _, points in TESTS)


def grade_one(student, script, seconds=sandbox.SECONDS, megabytes=sandbox.MEGABYTES):
    """A student's folder graded: their `script` checked in a fenced process, its findings as tests."""
    path = Path(student) / script
    graded = Graded(Path(student).name)
    try:
        if not path.is_file():
            raise NnanimError(f"there is no {script} in the submission")
        report = sandbox.check_script(path, None, seconds, megabytes, prints_to=_Discard())
        if report.steps == 0:
            raise NnanimError(f"{script} uses nnanim's own Value: there is no backward() of the student's to grade")
    except NnanimError as e:
        graded.error = said(e)
        graded.tests = [Test(name, 0, points, graded.error if k == 0 else "not graded: the script did not run")
                        for k, (_, name, points) in enumerate(TESTS)]
        return graded
    for kinds, name, points in TESTS:
        failed = [f.text for f in report.findings if f.kind in kinds]
        graded.tests.append(Test(name, 0 if failed else points, points,
                                 "\n".join(failed) if failed else f"passed ({report.steps} steps checked)"))
    return graded


def grade_class(submissions, script, out, fmt="json", workers=1, seconds=sandbox.SECONDS,
                megabytes=sandbox.MEGABYTES, on_done=None):
    """Every student folder in `submissions` graded, `workers` at a time, into OUT/STUDENT/results.json
    and OUT/grades.csv; returns the Graded, in the students' order."""
    students = sorted(p for p in Path(submissions).iterdir() if p.is_dir() and not p.name.startswith("."))
    if not students:
        raise GradeError(f"{submissions} holds no submissions: one folder per student, each with its {script}")
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(grade_one, s, script, seconds, megabytes) for s in students]
        results = []
        for future in futures:
            results.append(future.result())
            on_done and on_done(results[-1])
    for graded in results:
        write_results(graded, real_folder(out, Path(out) / graded.student) / "results.json", fmt)
    write_atomically(Path(out) / "grades.csv", grades_csv(results))
    return results


def write_results(graded, path, fmt):
    """One student's results.json in the platform's format."""
    writer = {"gradescope": gradescope, "prairielearn": prairielearn, "json": as_json}[fmt]
    try:
        return write_atomically(path, json.dumps(writer(graded), indent=2, ensure_ascii=False))
    except OSError as e:
        raise GradeError(f"cannot write {path}: {e.strerror or e}") from None


def gradescope(graded):
    """Gradescope's autograder results (its `results.json` specification)."""
    return {"score": graded.score,
            "output": graded.error or f"{graded.score:g} of {graded.max_score:g} points",
            "tests": [{"name": t.name, "score": t.points, "max_score": t.max_points, "output": t.message}
                      for t in graded.tests]}


def prairielearn(graded):
    """PrairieLearn's external grader results: `score` in [0, 1]; a script that fails is graded (0)."""
    return {"gradable": True, "score": graded.score / graded.max_score,
            "message": graded.error or f"{graded.score:g} of {graded.max_score:g} points",
            "tests": [{"name": t.name, "points": t.points, "max_points": t.max_points, "message": t.message}
                      for t in graded.tests]}


def as_json(graded):
    return {"student": graded.student, "score": graded.score, "max_score": graded.max_score,
            "error": graded.error, "tests": [t.__dict__ for t in graded.tests]}


def grades_csv(results):
    """The class's grades: a row per student (score, max, what failed)."""
    text = io.StringIO()
    rows = csv.writer(text)
    rows.writerow(["student", "score", "max_score", "status"])
    for g in results:
        failed = [t.name for t in g.tests if t.points < t.max_points]
        rows.writerow([g.student, f"{g.score:g}", f"{g.max_score:g}",
                       g.error or ("; ".join(failed) if failed else "all passed")])
    return text.getvalue()


class _Discard:
    """Where a graded script's prints go: nowhere (a class's worth would drown the grader's lines)."""

    def write(self, text):
        return len(text)

    def flush(self):
        pass
