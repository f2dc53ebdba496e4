"""Every classic backprop bug is named, with the first step and node where it shows (nnanim check)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nnanim.check import check_script

from student_scalar import scalar

STUDENT = scalar("pow", "tanh", "exp", "relu") + '''

a, b, c = Scalar(2.0), Scalar(-3.0), Scalar(0.5)
for step in range(3):
    for p in (a, b, c):
        p.g = 0.0
    ab = a * b
    L = (ab + c).tanh() * a + ab * c + (c ** 2) + c.exp() + (b * c).relu() + (a * c).relu()
    L.backward()
    for p in (a, b, c):
        p.val -= 0.01 * p.g
'''

BUGS = {  # name: (what is changed, into what, the finding's kind, words it must say)
    "not reversed": ("for v in reversed(topo):", "for v in topo:", "not reversed", "topological order was not reversed"),
    "root not 1": ("        self.g = 1.0\n        for v", "        for v", "root not 1", "never set to 1"),
    "only the root": ("        for v in reversed(topo):\n            v._back()", "        self._back()", "only root",
                      "only the root's backward ran"),
    "assigned": ("            self.g += out.g\n            other.g += out.g", "            self.g = out.g\n"
                 "            other.g = out.g", "rule", "assigned (=) instead of accumulated (+=)"),
    "times own data": ("self.g += other.val * out.g", "self.g += self.val * out.g", "rule",
                       "passes an input its own data"),
    "power not reduced": ("self.g += n * self.val ** (n - 1) * out.g", "self.g += n * self.val ** n * out.g", "rule",
                          "the exponent is not reduced"),
    "exp without out": ("self.g += out.val * out.g", "self.g += out.g", "rule", "exp's local gradient is its own output"),
    "relu where negative": ("self.g += (out.val > 0) * out.g", "self.g += out.g", "rule",
                            "relu passes gradient only where its input was positive"),
    "tanh 1 - t": ("self.g += (1 - t ** 2) * out.g", "self.g += (1 - t) * out.g", "rule", "(1 − t)·out.grad"),
    "not reset": ("    for p in (a, b, c):\n        p.g = 0.0\n", "", "not reset", "grads were not reset between steps"),
    "visited twice": ("            if v not in seen:\n                seen.add(v)\n                for c in v._children:\n"
                      "                    build(c)\n                topo.append(v)",
                      "            if v not in seen:\n                seen.add(v)\n                for c in v._children:\n"
                      "                    build(c)\n            topo.append(v)", "repeated", "ran 2 times"),
}


def student(tmp_path, source, name="main.py"):
    path = tmp_path / name
    path.write_text(source)
    return path


def test_the_correct_class_agrees(tmp_path):
    report = check_script(student(tmp_path, STUDENT))
    assert report.steps == 3 and report.findings == [] and report.notes == []


@pytest.mark.parametrize("bug", BUGS)
def test_each_classic_bug_is_named(tmp_path, bug):
    before, after, kind, words = BUGS[bug]
    assert STUDENT.count(before) >= 1, bug
    report = check_script(student(tmp_path, STUDENT.replace(before, after, 1)))
    kinds = [f.kind for f in report.findings]
    found = [f for f in report.findings if f.kind == kind]
    assert found, (bug, [f.text for f in report.findings])
    assert words in found[0].text, found[0].text
    assert "#" not in found[0].text, "nodes are named as the student would name them, never by a number"
    if kind in ("not reversed", "root not 1", "only root"):
        assert found[0].step == 0 and kinds[0] == kind, "the pass's bug, first"


def test_json_for_machines(tmp_path):
    before, after, kind, _ = BUGS["not reversed"]
    path = student(tmp_path, STUDENT.replace(before, after) + "\nprint('the student prints this')\n")
    done = subprocess.run([sys.executable, "-m", "nnanim", "check", str(path), "--json"], capture_output=True,
                          text=True, timeout=120)
    said = json.loads(done.stdout)
    assert done.returncode == 1 and said["status"] == "findings" and said["steps"] == 3
    assert said["findings"][0]["kind"] == kind and said["findings"][0]["step"] == 0
    assert "the student prints this" in done.stderr, "the script's prints stay out of the JSON"


SUB_DIV = scalar("sub", "truediv") + '''

a, b, c = Scalar(2.0), Scalar(-3.0), Scalar(4.0)
L = (a - b) * (a / c)
L.backward()
'''


@pytest.mark.parametrize("before, after, words", [
    (None, None, None),
    ("other.g -= out.g", "other.g += out.g", "−3.grad should get −0.5, got 0.5: the sign is flipped"),
    ("other.g += -self.val / other.val ** 2 * out.g", "other.g += -1 / other.val * out.g",
     "4.grad should get −0.625, got −1.25"),
])
def test_subtraction_and_division_of_the_class_own_are_judged_by_finite_differences(tmp_path, before, after, words):
    source = SUB_DIV if before is None else SUB_DIV.replace(before, after)
    report = check_script(student(tmp_path, source))
    assert report.notes == [], "judged, not 'not checked'"
    if words is None:
        assert report.findings == []
    else:
        assert len(report.findings) == 1 and words in report.findings[0].text, report.findings


def test_the_lectures_value_agrees(tmp_path):
    import shutil

    shutil.copy(Path(__file__).parent / "lecture_value.py", tmp_path / "value.py")
    report = check_script(student(tmp_path, "from value import Value\n\nw, b = Value(0.7, label='w'), Value(-0.2, label='b')\n"
                                            "for step in range(3):\n    h = (w * Value(1.5) + b).tanh()\n"
                                            "    loss = (h + Value(-0.5)) * (h + Value(-0.5))\n"
                                            "    w.grad = b.grad = 0.0\n    loss.backward()\n    w.data -= 0.5 * w.grad\n"))
    assert report.steps == 3 and report.findings == [] and report.notes == []
