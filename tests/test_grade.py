"""Grading a whole class (nnanim grade) and Gradescope's bundle (nnanim autograder gradescope)."""

import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from nnanim.cli import main
from nnanim.grade import TESTS, grade_one, write_results

from test_classic_bugs import BUGS, STUDENT

SUBMISSIONS = {
    "alice": STUDENT,
    "bob": STUDENT.replace(*BUGS["not reversed"][:2]),
    "carol": "while True:\n    pass\n",
    "dave": "def broken(:\n",
}
MAX = sum(points for _, _, points in TESTS)


@pytest.fixture(scope="module")
def graded(made_once):
    """The class graded once per test run (conftest's made_once): (its folder, what grade printed)."""
    def make(root):
        for student, source in SUBMISSIONS.items():
            (root / "subs" / student).mkdir(parents=True)
            (root / "subs" / student / "main.py").write_text(source)
        result = CliRunner().invoke(main, ["grade", str(root / "subs"), "--format", "gradescope", "-o",
                                           str(root / "out"), "-j", "2", "--timeout", "4"])
        assert result.exit_code == 0, result.output
        return str(root), result.output

    root, output = made_once("class", make)
    return Path(root), output


def test_every_student_is_graded_and_no_one_breaks_the_grader(graded):
    root, output = graded
    rows = {row["student"]: row for row in csv.DictReader((root / "out" / "grades.csv").open())}
    assert {s: float(r["score"]) for s, r in rows.items()} == {"alice": MAX, "bob": MAX - 3, "carol": 0, "dave": 0}
    assert "ran for more than 4 s" in rows["carol"]["status"] and "SyntaxError" in rows["dave"]["status"]
    assert "reversed topological order" in rows["bob"]["status"]
    assert "alice: 10/10" in output and "carol: 0/10" in output


def test_gradescope_results_have_its_documented_fields(graded):
    root, _ = graded
    for student in SUBMISSIONS:
        results = json.loads((root / "out" / student / "results.json").read_text())
        assert isinstance(results["score"], (int, float)) and isinstance(results["tests"], list)
        assert results["score"] == sum(t["score"] for t in results["tests"])
        for test in results["tests"]:
            assert set(test) == {"name", "score", "max_score", "output"}
            assert 0 <= test["score"] <= test["max_score"] and isinstance(test["output"], str)
    bob = json.loads((root / "out" / "bob" / "results.json").read_text())
    failed = [t for t in bob["tests"] if t["score"] < t["max_score"]]
    assert any("topological order was not reversed" in t["output"] for t in failed)


def test_prairielearn_results_have_its_documented_fields(graded, tmp_path):
    root, _ = graded
    for student in SUBMISSIONS:
        result = grade_one(root / "subs" / student, "main.py", seconds=4) if student != "carol" else None
        if result is None:
            continue
        said = json.loads(write_results(result, tmp_path / f"{student}.json", "prairielearn").read_text())
        assert said["gradable"] is True and 0 <= said["score"] <= 1
        for test in said["tests"]:
            assert {"name", "points", "max_points", "message"} <= set(test)
        assert said["score"] == pytest.approx(sum(t["points"] for t in said["tests"]) / MAX)
    assert json.loads((tmp_path / "alice.json").read_text())["score"] == 1


def test_gradescope_bundle_runs_in_a_simulated_autograder_root(tmp_path):
    bundle = tmp_path / "autograder.zip"
    result = CliRunner().invoke(main, ["autograder", "gradescope", "-o", str(bundle), "--timeout", "30"])
    assert result.exit_code == 0, result.output
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    with zipfile.ZipFile(bundle) as z:
        assert {"setup.sh", "run_autograder", "nnanim/__init__.py", "nnanim/engine/value.py", "nnanim/check.py"} \
            <= set(z.namelist())
        assert z.getinfo("run_autograder").external_attr >> 16 & 0o111, "executable"
        z.extractall(root / "source")
    assert subprocess.run(["bash", "-n", str(root / "source" / "setup.sh")]).returncode == 0
    (root / "submission" / "main.py").write_text(STUDENT.replace(*BUGS["root not 1"][:2]))
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == MAX - 3
    assert any("never set to 1" in t["output"] for t in results["tests"] if t["score"] < t["max_score"])


def test_a_student_folder_named_with_control_characters_is_printed_printable(tmp_path):
    student = tmp_path / "eve\x1b[31m"
    student.mkdir()
    (student / "main.py").write_text("print('no Value here')\n")
    result = CliRunner().invoke(main, ["grade", str(student), "--one", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "eve\\x1b[31m: 0/10" in result.output
    assert json.loads((tmp_path / "out" / "results.json").read_text())["score"] == 0
