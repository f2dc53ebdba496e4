"""A class's own Value found by what it does, whatever it names its parts (engine.foreign.probe)."""

import re
import subprocess
import sys
import textwrap

import pytest

from nnanim.engine import foreign

from student_scalar import scalar

SCALAR = scalar(children="set")

NUM = '''
class Num:
    def __init__(self, value, parents=(), kind=''):
        self.value, self.gradient, self.parents, self.kind = value, 0, list(parents), kind

    def __add__(self, o):
        return Num(self.value + o.value, (self, o), 'add')

    def __mul__(self, o):
        return Num(self.value * o.value, (self, o), 'mul')

    def tanh(self):
        import math
        return Num(math.tanh(self.value), (self,), 'Tanh')

    def grad_fn(self):
        if self.kind == 'add':
            for p in self.parents:
                p.gradient += self.gradient
        elif self.kind == 'mul':
            a, b = self.parents
            a.gradient += b.value * self.gradient
            b.gradient += a.value * self.gradient
        elif self.kind == 'Tanh':
            self.parents[0].gradient += (1 - self.value ** 2) * self.gradient

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            n, done = stack.pop()
            if done:
                order.append(n)
            elif id(n) not in seen:
                seen.add(id(n))
                stack.append((n, True))
                stack += [(p, False) for p in n.parents]
        self.gradient = 1
        for n in reversed(order):
            n.grad_fn()
'''

X = '''
class V:
    __slots__ = ("x", "dx", "inputs", "how", "name", "rule")

    def __init__(self, x, inputs=(), how="", name=""):
        self.x, self.dx, self.inputs, self.how, self.name, self.rule = x, 0.0, tuple(inputs), how, name, None

    def __add__(self, o):
        out = V(self.x + o.x, (self, o), "+")
        def rule():
            self.dx += out.dx
            o.dx += out.dx
        out.rule = rule
        return out

    def __mul__(self, o):
        out = V(self.x * o.x, (self, o), "*")
        def rule():
            self.dx += o.x * out.dx
            o.dx += self.x * out.dx
        out.rule = rule
        return out

    def backward(self):
        order, seen = [], set()
        def visit(v):
            if id(v) not in seen:
                seen.add(id(v))
                for i in v.inputs:
                    visit(i)
                order.append(v)
        visit(self)
        self.dx = 1.0
        for v in reversed(order):
            if v.rule:
                v.rule()
'''

STYLES = {"Scalar": (SCALAR, ("val", "g", "_children", "_op", "_back")),
          "Num": (NUM, ("value", "gradient", "parents", "kind", "grad_fn")),
          "V": (X, ("x", "dx", "inputs", "how", "rule"))}


def defined(source, name):
    space = {}
    exec(compile(source, f"<{name}>", "exec"), space)
    return space[name]


@pytest.mark.parametrize("name", STYLES)
def test_a_class_is_found_by_what_it_does(name):
    source, (data, grad, inputs, op, local) = STYLES[name]
    shape = foreign.probe(defined(source, name))
    assert (shape.data, shape.grad, shape.inputs, shape.op, shape.local_backward) == (data, grad, inputs, op, local)


def test_its_own_op_names_are_learned():
    shape = foreign.probe(defined(NUM, "Num"))
    assert [shape.engine_op(op) for op in ("add", "mul", "Tanh", "")] == ["+", "*", "tanh", ""]


@pytest.mark.parametrize("name", STYLES)
def test_a_script_on_any_naming_is_traced_and_checked(tmp_path, name):
    source, _ = STYLES[name]
    script = tmp_path / "main.py"
    script.write_text(source + textwrap.dedent(f"""
        a, b, c = {name}(2.0), {name}(-3.0), {name}(10.0)
        for step in range(3):
            L = (a * b + c) * a
            L.backward()
        """))
    for command, said in (("trace", "(3 steps,"), ("check", "every gradient agrees with the chain rule (3 steps)")):
        done = subprocess.run([sys.executable, "-m", "nnanim", command, "main.py"], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0 and said in done.stdout, done.stdout + done.stderr


ONE_FUNCTION = """
class Scalar:
    def __init__(self, val, _children=(), _op=''):
        self.val, self.g, self._children, self._op = val, 0.0, tuple(_children), _op

    def __add__(self, other):
        return Scalar(self.val + other.val, (self, other), '+')

    def __mul__(self, other):
        return Scalar(self.val * other.val, (self, other), '*')

    def backward(self):
        self.g = 1.0
        stack = [self]
        while stack:
            v = stack.pop()
            if v._op == '+':
                for c in v._children:
                    c.g += v.g
            elif v._op == '*':
                a, b = v._children
                a.g += b.val * v.g
                b.g += a.val * v.g
            stack.extend(v._children)
"""


def test_what_cannot_be_found_is_said_with_what_was():
    nothing_passed_on = (SCALAR.replace("self.g += out.g", "pass").replace("other.g += out.g", "pass")
                         .replace("self.g += other.val * out.g", "pass").replace("other.g += self.val * out.g", "pass"))
    with pytest.raises(foreign.NotAValue, match=re.escape(
            "Scalar: data is `val`, inputs `_children`, but no number attribute is a grad")):
        foreign.probe(defined(nothing_passed_on, "Scalar"))
    with pytest.raises(foreign.NotAValue, match=re.escape(
            "Scalar: data is `val`, grad is `g`, but no node carried its own backward function")):
        foreign.probe(defined(ONE_FUNCTION, "Scalar"))


def test_a_class_named_by_value_in_the_script_itself_runs_once(tmp_path):
    (tmp_path / "main.py").write_text(SCALAR + "\nprint('ran')\nL = Scalar(2.0) * Scalar(3.0)\nL.backward()\n")
    done = subprocess.run([sys.executable, "-m", "nnanim", "trace", "main.py", "--value", "main:Scalar"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.count("ran") == 1, done.stdout + done.stderr
