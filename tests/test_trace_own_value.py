"""`nnanim trace SCRIPT` on the code a class writes: its own Value class, unchanged (issue 14)."""

import json
import shutil
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nnanim.engine import load_trace

TESTS = Path(__file__).parent
TRAIN = textwrap.dedent('''
    import numpy as np
    {imports}

    np.random.seed(0)
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    mlp = {make}
    for step in range(4):
        outs = [{call} for x in xs]
        loss = sum([(o - y) ** 2 for o, y in zip(outs, ys)])
        for p in mlp.{params}():
            p.grad = 0
        loss.backward()
        for p in mlp.{params}():
            p.data -= 0.05 * p.grad
        print(repr(float(loss.data)))
''')


def trace(folder, script):
    done = subprocess.run([sys.executable, "-m", "nnanim", "trace", script, "-o", "run.nntrace"], cwd=folder,
                          capture_output=True, text=True, timeout=120)
    return done


def printed_losses(output):
    return [float(line) for line in output.splitlines() if line and line[0] in "-0123456789"]


def workshop_files(folder):
    """The workshop's files as the slides print them: value.py, neuron.py, layer.py, mlp.py, loss.py and
    main.py's training loop (the code itself from workshop_reference.py, one module per file)."""
    import inspect

    import workshop_reference as w

    def code(*parts):
        return "\n\n".join(inspect.getsource(part) for part in parts)

    (folder / "value.py").write_text("import numpy as np\n\n\n" + code(w.Value))
    (folder / "neuron.py").write_text("import numpy as np\n\nfrom value import Value\n\n\n" + code(w.Neuron))
    (folder / "layer.py").write_text("from neuron import Neuron\n\n\n" + code(w.Layer))
    (folder / "mlp.py").write_text("from layer import Layer\n\n\n" + code(w.MLP))
    (folder / "loss.py").write_text(code(w.sse, w.total_sse))
    (folder / "main.py").write_text(textwrap.dedent('''
        import numpy as np
        from mlp import MLP
        from loss import total_sse

        np.random.seed(42)
        mlp = MLP(3, [2, 4, 4, 2])
        inputs = [[1, 2, 3], [3, -2, 1], [1, 0, 1], [2, 2, -1]]
        targets = [[1, -1], [-1, 1], [0.5, 1], [-1, -0.5]]
        for _ in range(5):
            loss = total_sse([mlp(i) for i in inputs], targets)
            print(repr(float(loss.data)))
            for p in mlp.ps():
                p.grad = 0
            loss.backward()
            for p in mlp.ps():
                p.data += 0.01 * (-p.grad)
    '''))


def test_the_workshops_own_files_are_traced_unchanged(tmp_path):
    workshop_files(tmp_path)
    done = trace(tmp_path, "main.py")
    assert done.returncode == 0, done.stderr
    run = load_trace(tmp_path / "run.nntrace")
    assert run.num_steps == 5
    assert list(run.losses) == pytest.approx(printed_losses(done.stdout), rel=1e-12), "the trace equals the run"
    assert "parameters    50" in subprocess.run([sys.executable, "-m", "nnanim", "inspect", "run.nntrace"],
                                                cwd=tmp_path, capture_output=True, text=True).stdout


def test_micrograd_is_traced_unchanged(tmp_path):
    pytest.importorskip("micrograd")
    (tmp_path / "main.py").write_text(TRAIN.format(imports="from micrograd.nn import MLP\nimport random\nrandom.seed(0)",
                                                   make="MLP(3, [4, 4, 1])", call="mlp(x)", params="parameters"))
    done = trace(tmp_path, "main.py")
    assert done.returncode == 0, done.stderr
    run = load_trace(tmp_path / "run.nntrace")
    assert list(run.losses) == pytest.approx(printed_losses(done.stdout), rel=1e-12)
    ops = set(run.step(0).graph.ops)
    assert "relu" in ops and "+" in ops and "*" in ops, "micrograd's ReLU is the engine's relu"


def test_an_op_nnanim_cannot_replay_is_one_line(tmp_path):
    (tmp_path / "main.py").write_text(textwrap.dedent('''
        class V:
            def __init__(self, data, prev=(), op=""):
                self.data, self.grad, self.prev, self.op = data, 0.0, tuple(prev), op
                self.back = lambda: None
            def __add__(self, other):
                return V(self.data + other.data, (self, other), "+")
            def sigmoid(self):
                return V(1 / (1 + 2.718281828 ** -self.data), (self,), "sigmoid")
            def backward(self):
                self.grad = 1.0
        V(1.0).sigmoid().backward()
    '''))
    done = trace(tmp_path, "main.py")
    assert done.returncode == 1 and "'sigmoid'" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "run.nntrace").exists()


def test_a_class_found_by_name_when_its_shape_is_not_enough(tmp_path):
    (tmp_path / "scalar.py").write_text(textwrap.dedent('''
        class Scalar:  # no operators: add() and mul() methods, so nothing marks it as arithmetic
            def __init__(self, data, prev=(), op=""):
                self.data, self.grad, self.prev, self.op = data, 0.0, tuple(prev), op
                self.back = lambda: None
            def add(self, other):
                out = Scalar(self.data + other.data, (self, other), "+")
                def back():
                    self.grad += out.grad
                    other.grad += out.grad
                out.back = back
                return out
            def backward(self):
                self.grad = 1.0
                self.back()
    '''))
    (tmp_path / "main.py").write_text("from scalar import Scalar\nScalar(1.0).add(Scalar(2.0)).backward()\n")
    done = trace(tmp_path, "main.py")
    assert done.returncode == 1 and "--value module:Class" in done.stderr
    done = subprocess.run([sys.executable, "-m", "nnanim", "trace", "main.py", "--value", "scalar:Scalar", "-o",
                           "run.nntrace"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert load_trace(tmp_path / "run.nntrace").step(0).graph.ops == ["", "", "+"]
    done = subprocess.run([sys.executable, "-m", "nnanim", "trace", "main.py", "--value", "scalar:Nope"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stderr.strip() == "Error: --value scalar:Nope: scalar has no Nope"


def test_check_names_the_bug_in_the_workshops_own_files(tmp_path):
    workshop_files(tmp_path)
    done = subprocess.run([sys.executable, "-m", "nnanim", "check", "main.py"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "times in one backward pass" in done.stdout and "the topological sort appends a node" in done.stdout


REPEATS = textwrap.dedent('''
    from workshop import Value
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    d = a * b; d.label = "d"
    e = d + c; e.label = "e"
    L = e * d; L.label = "L"
    L.backward()
    print(repr(float(a.grad)), repr(float(b.grad)))
''')


@pytest.fixture
def repeated(tmp_path):
    """The workshop's Value on L = (a*b + c)*(a*b): its build_topo runs d's rule twice."""
    shutil.copy(TESTS / "workshop_reference.py", tmp_path / "workshop.py")
    (tmp_path / "main.py").write_text(REPEATS)
    done = trace(tmp_path, "main.py")
    assert done.returncode == 0, done.stderr
    return tmp_path, [float(x) for x in done.stdout.split()[:2]]


def test_the_backward_is_stored_as_it_ran(repeated):
    folder, (a_grad, b_grad) = repeated
    step = load_trace(folder / "run.nntrace").step(0)
    names = step.graph.labels
    ran = [names[e.node] for e in step.backward_events()]
    assert ran.count("d") == 2 and ran[0] == "L", "d's rule ran twice, as the class's backward ran it"
    last_d = [e for e in step.backward_events() if names[e.node] == "d"][-1]
    assert dict(zip((names[i] for i in last_d.inputs), last_d.grads)) == {"a": a_grad, "b": b_grad}, \
        "the replayed grads are what the script printed (the chain rule's would be 6 and -4 at most once)"
    assert list(step.grad[[names.index("a"), names.index("b")]]) == [a_grad, b_grad]


def test_backprop_replays_a_rule_that_ran_twice(repeated):
    folder, (a_grad, _) = repeated
    done = subprocess.run([sys.executable, "-m", "nnanim", "render", "backprop", "run.nntrace", "--size", "320x180",
                           "--fps", "5", "--check-layout", "-o", "out"], cwd=folder, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    notes = json.loads((folder / "out" / "backprop-run.mp4.json").read_text())["notes"]
    again = [n for n in notes if "d's backward runs again (2 times in this pass" in n]
    from nnanim.engine.numbers import number

    assert len(again) == 1, notes
    shown = again[0].split("a.grad = ")[1].split(",")[0]
    assert shown.endswith(f"= {number(a_grad)}"), "the second run leaves a.grad at what the script printed"


def test_crafted_recorded_events_are_refused(repeated):
    from nnanim.engine import TraceError

    folder, _ = repeated
    path = folder / "run.nntrace"
    raw = path.read_bytes()
    (size,) = struct.unpack_from("<I", raw, 8)
    header, body = json.loads(raw[12:12 + size]), raw[12 + size:]
    assert header["version"] == 2 and "events" in header
    for change, message in ((lambda h: h["events"].update(total=h["events"]["total"] + 1), "events.node has shape"),
                            (lambda h: h["events"].update(amounts=0), "events.amount has shape"),
                            (lambda h: h.update(level="params"), "corrupt trace")):
        crafted = json.loads(json.dumps(header))
        change(crafted)
        head = json.dumps(crafted).encode()
        path.write_bytes(raw[:8] + struct.pack("<I", len(head)) + head + body)
        with pytest.raises(TraceError, match=message):
            load_trace(path)


def test_the_lectures_value_is_traced_unchanged(tmp_path):
    shutil.copy(TESTS / "lecture_value.py", tmp_path / "value.py")
    (tmp_path / "main.py").write_text(textwrap.dedent('''
        from value import Value

        w, b = Value(0.7, label="w"), Value(-0.2, label="b")
        for step in range(4):
            x, y = Value(1.5, label="x"), Value(0.5, label="y")
            h = (w * x + b).tanh()
            loss = (h + y * -1.0) * (h + y * -1.0)
            w.grad = b.grad = 0.0
            loss.backward()
            w.data -= 0.5 * w.grad
            b.data -= 0.5 * b.grad
            print(repr(loss.data))
    '''))
    done = trace(tmp_path, "main.py")
    assert done.returncode == 0, done.stderr
    run = load_trace(tmp_path / "run.nntrace")
    assert list(run.losses) == printed_losses(done.stdout), "bit for bit"
    assert run.parameters == ["w", "b"] and "tanh" in run.step(0).graph.ops
