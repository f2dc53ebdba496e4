import re

import pytest

from nnanim.engine import MLP, Value, record, train
from nnanim.engine.formula import FormulaTooLarge, latex_label, loss_formula, mlp_formula
from nnanim.engine.training import record_run


def normalized(latex):
    """The formula without layout: no line breaks, alignment, spacing or delimiter sizes."""
    text = re.sub(r"\\(big|Big|bigg|Bigg)[lr]", "", latex)
    for layout in (r"\\", "&", r"\qquad", r"\,"):
        text = text.replace(layout, "")
    return re.sub(r"\s+", "", text)


def expected_mlp(arch):
    """The expansion written independently: neuron j of layer l = tanh(sum_i w_ijl in_i + b_jl)."""
    inputs = ["x", "y", "z"] if arch[0] == 3 else [f"x_{{{i + 1}}}" for i in range(arch[0])]
    values = inputs
    for l, width in enumerate(arch[1:]):
        values = [r"\tanh(" + "+".join(f"w_{{{i}{j}{l}}}{v}" for i, v in enumerate(values)) + f"+b_{{{j}{l}}})"
                  for j in range(width)]
    args = ",".join(inputs)
    return [rf"\mathrm{{MLP}}({args})_{{{k}}}={v}" for k, v in enumerate(values)]


@pytest.mark.parametrize("arch", [[3, 2, 2], [2, 3, 1], [3, 2, 4, 2]])
def test_mlp_formula_equals_the_expansion(arch):
    inputs = [[0.5] * arch[0]]
    targets = [[0.0] * arch[-1]]
    trace = record_run(arch, inputs, targets, steps=1)
    formula = mlp_formula(trace.step(0), trace)
    got = normalized(formula.latex())
    assert got == "".join(expected_mlp(arch))


def test_formula_glyph_count_and_lines():
    trace = record_run(steps=1)
    formula = mlp_formula(trace.step(0), trace)
    assert formula.glyphs == sum(formula.line_glyphs())
    assert all(len(line) > 0 for line in formula.lines)
    assert sum(1 for line in formula.lines if line[0].tex.startswith(r"&\mathrm{MLP}")) == 2
    one = mlp_formula(trace.step(0), trace, output=1)
    assert r"\mathrm{MLP}(x, y, z)_{1}" in one.latex() and "_{0} =" not in one.latex()
    with pytest.raises(ValueError, match="--only-output 2 does not exist"):
        mlp_formula(trace.step(0), trace, output=2)


def test_values_are_the_parameters_of_the_step():
    trace = record_run(steps=3)
    step = trace.step(2)
    latex = mlp_formula(step, trace, values=True, output=0).latex()
    w000 = step.data[step.graph.labels.index("w_000")]
    assert f"{abs(w000):.3g}" in latex and "w_{" not in latex and "x" in latex


def test_loss_formula_is_sse_of_the_outputs():
    trace = record_run([3, 2, 2], [[1, 2, 3]], [[1, -1]], steps=1)
    latex = normalized(loss_formula(trace.step(0), trace).latex())
    outputs = [o.split("=", 1)[1] for o in expected_mlp([3, 2, 2])]
    head = r"\mathrm{LOSS}(x,y,z,w_{000},w_{100},\ldots,b_{11},\mathrm{gt}_{0},\mathrm{gt}_{1})="
    assert latex == head + "+".join(f"({o}-\\mathrm{{gt}}_{{{k}}})^{{2}}" for k, o in enumerate(outputs))


HOSTILE = [r"\input{/etc/passwd}", r"\write18{rm -rf /}", "#", "%", "^", "_", "a_b", "}{", "$x$", "~",
           "\\", "\\include{x}", "\n\t", "é∂", "&", "{"]


@pytest.mark.parametrize("label", HOSTILE)
def test_labels_are_escaped(label):
    tex = latex_label(label)
    assert "\n" not in tex and "\t" not in tex
    body = tex.removeprefix(r"\text{").removesuffix("}")
    unescaped = re.sub(r"\\(textbackslash|textasciicircum|textasciitilde)\{\}|\\[#$%&_{}]", "", body)
    assert not re.search(r"[\\#$%&_^{}~]", unescaped), tex


def test_graph_formula_of_a_script_trace():
    a, b, c, f = Value(2, label="a"), Value(-3, label="b"), Value(10, label="c"), Value(-2, label="f")
    with record() as trace:
        L = (a * b + c) * f
        L.label = "L"
        L.backward()
    assert normalized(mlp_formula(trace.step(0), trace).latex()) == r"L=(a\,b+c)\cdotf".replace(r"\,", "")


def test_too_large_network_is_refused():
    trace = record_run([3, 8, 8, 8, 2], [[1, 2, 3]], [[0, 0]], steps=1)
    with pytest.raises(FormulaTooLarge, match=r"about \d+ symbols.*--only-output K"):
        mlp_formula(trace.step(0), trace)


def test_subtraction_and_negative_numbers_read_naturally():
    mlp = MLP(1, [1], seed=0)
    with record() as trace:
        train(mlp, [[2.0]], [[0.5]], steps=2)
    latex = loss_formula(trace.step(1), trace, values=True).latex()
    assert "+ -" not in latex.replace(" ", "") and "--" not in latex.replace(" ", "")
