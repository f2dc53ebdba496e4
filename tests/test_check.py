"""`nnanim check SCRIPT` (issue 14): the class's own backward() against the chain rule. Correct code
passes (exit 0), each planted bug is named with its likely cause (exit 1), a failing script is exit 2."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
TRAIN_LECTURE = textwrap.dedent('''
    from value import Value

    w, b = Value(0.7, label="w"), Value(-0.2, label="b")
    for step in range(3):
        x, y = Value(1.5, label="x"), Value(0.5, label="y")
        h = (w * x + b).tanh()
        loss = (h + y * -1.0) * (h + y * -1.0) + b  # b reaches the loss twice: directly first
        {reset}
        loss.backward()
        w.data -= 0.1 * w.grad
        b.data -= 0.1 * b.grad
''')


def check(folder, script="main.py"):
    return subprocess.run([sys.executable, "-m", "nnanim", "check", script], cwd=folder, capture_output=True,
                          text=True, timeout=120)


def lecture(tmp_path, bug=None, reset="w.grad = 0.0; b.grad = 0.0"):
    source = (TESTS / "lecture_value.py").read_text()
    if bug:
        assert bug[0] in source
        source = source.replace(*bug)
    (tmp_path / "value.py").write_text(source)
    (tmp_path / "main.py").write_text(TRAIN_LECTURE.format(reset=reset))
    return check(tmp_path)


def test_correct_code_passes(tmp_path):
    done = lecture(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "every gradient agrees with the chain rule (3 steps)" in done.stdout


def test_micrograd_passes(tmp_path):
    pytest.importorskip("micrograd")
    (tmp_path / "main.py").write_text(textwrap.dedent('''
        import random
        from micrograd.nn import MLP
        random.seed(1)
        net = MLP(2, [4, 1])
        for step in range(2):
            loss = sum((net([x, -x]) - y) ** 2 for x, y in [(1.0, 1.0), (-2.0, -1.0)])
            net.zero_grad()
            loss.backward()
    '''))
    done = check(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_workshops_topological_sort_is_found_and_named(tmp_path):
    shutil.copy(TESTS / "workshop_reference.py", tmp_path / "workshop.py")
    (tmp_path / "main.py").write_text(textwrap.dedent('''
        import numpy as np
        from workshop import MLP
        np.random.seed(0)
        mlp = MLP(3, [4, 4, 1])
        xs, ys = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5]], [1.0, -1.0]
        for step in range(2):
            loss = sum([(mlp(x)[0] - y) ** 2 for x, y in zip(xs, ys)])
            for p in mlp.ps():
                p.grad = 0
            loss.backward()
    '''))
    done = check(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("step 0, node ") and "ran " in first and "times in one backward pass" in first
    assert "the topological sort appends a node each time it is reached" in first


def test_the_fixed_workshop_code_passes(tmp_path):
    source = (TESTS / "workshop_reference.py").read_text()
    fixed = source.replace("                    build_topo(p)\n            topo.append(n)",
                           "                    build_topo(p)\n                topo.append(n)")
    assert fixed != source
    (tmp_path / "workshop.py").write_text(fixed)
    (tmp_path / "main.py").write_text("from workshop import Value\n"
                                      "a, b = Value(2.0), Value(-3.0)\nd = a * b\nL = (d + a) * d\nL.backward()\n")
    done = check(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("bug, cause", [
    (("self.grad += (1 - t**2) * out.grad", "self.grad += (1 - t) * out.grad"),
     "the local gradient looks like (1 − t)·out.grad; the chain rule gives (1 − t²)·out.grad"),
    (("self.grad += other.data * out.grad", "self.grad += other.data"),
     "not multiplied by out.grad"),
    (("other.grad += 1.0 * out.grad", "other.grad = 1.0 * out.grad"),
     "grad assigned (=) instead of accumulated (+=)"),
])
def test_each_planted_bug_is_named(tmp_path, bug, cause):
    done = lecture(tmp_path, bug)
    assert done.returncode == 1, done.stdout + done.stderr
    assert cause in done.stdout, done.stdout
    assert done.stdout.splitlines()[0].startswith("step 0, node "), "the first step and node where they differ"


def test_grads_not_reset_between_steps_are_named(tmp_path):
    done = lecture(tmp_path, reset="pass")
    assert done.returncode == 1, done.stdout
    assert "step 1: grads were not reset between steps" in done.stdout


def test_a_failing_script_is_exit_2_in_one_line(tmp_path):
    (tmp_path / "main.py").write_text("raise RuntimeError('boom')\n")
    done = check(tmp_path)
    assert done.returncode == 2 and done.stderr.strip() == "Error: main.py raised RuntimeError: boom (line 1)"
    (tmp_path / "main.py").write_text("print('no network here')\n")
    done = check(tmp_path)
    assert done.returncode == 2 and "nothing to check" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("rule, code", [("s * (1 - s)", 0), ("(1 - s)", 1)])
def test_an_op_nnanim_has_no_rule_for_is_checked_by_a_finite_difference(tmp_path, rule, code):
    source = (TESTS / "lecture_value.py").read_text() + textwrap.dedent(f'''

        def sigmoid(self):
            s = 1 / (1 + math.exp(-self.data))
            out = Value(s, (self,), 'sigmoid')
            def _backward():
                self.grad += {rule} * out.grad
            out._backward = _backward
            return out

        Value.sigmoid = sigmoid
    ''')
    (tmp_path / "value.py").write_text(source)
    (tmp_path / "main.py").write_text("from value import Value\nx = Value(0.3, label='x')\n"
                                      "y = (x * 2.0).sigmoid()\ny.backward()\n")
    done = check(tmp_path)
    assert done.returncode == code, done.stdout + done.stderr
    if code:
        assert "step 0, node sigmoid((x · 2)) (sigmoid)" in done.stdout, "named by its expression, never a number"


def test_nnanims_own_value_has_nothing_of_its_own_to_check(tmp_path):
    (tmp_path / "main.py").write_text("from nnanim import MLP\nnet = MLP(2, [2, 1], seed=0)\n"
                                      "for _ in range(2):\n    net([1.0, 2.0])[0].backward()\n")
    done = check(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "uses nnanim's own Value (2 backward() calls)" in done.stdout
