import re

import pytest

from nnanim.engine import MLP, Value, record, train
from nnanim.scenes.formula_plan import (FormulaTooLarge, latex_label, loss_formula, loss_structure, mlp_formula,
                                   mlp_structure)
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


# ----- layers, the structure view and the loss's network part
def tokens(formula):
    return [t for line in formula.lines for t in line]


def without_phantoms(latex):
    """The LaTeX with every \\phantom{...} (the structure's indentation) removed, braces matched."""
    out, i = [], 0
    while i < len(latex):
        if latex.startswith(r"\phantom{", i):
            depth, i = 1, i + len(r"\phantom{")
            while depth:
                depth += {"{": 1, "}": -1}.get(latex[i], 0)
                i += 1
        else:
            out.append(latex[i])
            i += 1
    return "".join(out)


def test_every_symbol_is_in_the_layer_of_its_neuron():
    trace = record_run([3, 2, 4, 2], [[0.5, 0.5, 0.5]], [[0.0, 0.0]], steps=1)
    seen = set()
    for t in tokens(mlp_formula(trace.step(0), trace)):
        parameter = re.fullmatch(r"([wb])_\{(\d+)\}", t.tex)
        if parameter:
            assert t.layer == int(parameter.group(2)[-1]), t.tex
            seen.add(t.layer)
        elif t.tex in ("x", "y", "z") or t.tex.startswith(r"&\mathrm{MLP}"):
            assert t.layer == -1, "inputs and heads belong to no layer"
        elif t.tex == r"\tanh":
            assert 0 <= t.layer <= 2
    assert seen == {0, 1, 2}


def expected_structure(arch):
    """Output 0 with the first neuron of each layer written out and every other neuron as tanh(...)."""
    inputs = ["x", "y", "z"]
    written = None
    for l, width in enumerate(arch[1:]):
        ins = inputs if l == 0 else [written] + [r"\tanh(\cdots)"] * (arch[l] - 1)
        written = r"\tanh(" + "+".join(f"w_{{{i}0{l}}}{v}" for i, v in enumerate(ins)) + f"+b_{{0{l}}})"
    return written


def test_the_structure_writes_one_neuron_a_layer_and_folds_the_rest():
    arch = [3, 2, 4, 4, 2]
    trace = record_run(arch, [[0.5] * 3], [[0.0] * 2], steps=1)
    structure = mlp_structure(trace.step(0), trace, head_inline=True)
    first, second = normalized(without_phantoms(structure.latex())).split(r"\mathrm{MLP}(x,y,z)_{1}=")
    assert first == r"\mathrm{MLP}(x,y,z)_{0}=" + expected_structure(arch)
    assert second == r"\tanh(" + "+".join(f"w_{{{i}13}}\\tanh(\\cdots)" for i in range(4)) + "+b_{13})", \
        "the next output reads the same neurons: all folded"
    staircase = structure.lines[:4]
    assert [line[0].tex.startswith(r"&\phantom") for line in staircase] == [False, True, True, True], \
        "one line a layer, each indented to where its neuron's parenthesis opened"
    assert mlp_structure(trace.step(0), trace, head_inline=False).lines[0][0].tex.startswith(r"&\mathrm{MLP}")


def test_a_wide_layer_is_folded_to_its_first_and_last_terms():
    trace = record_run([3, 8, 1], [[0.5] * 3], [[0.0]], steps=1)
    latex = normalized(without_phantoms(mlp_structure(trace.step(0), trace).latex()))
    assert r"+w_{101}\tanh(\cdots)+\cdots+w_{701}\tanh(\cdots)+b_{01})" in latex
    assert "w_{201}" not in latex


def test_a_graph_without_neurons_has_no_structure():
    a, b = Value(2, label="a"), Value(-3, label="b")
    with record() as trace:
        L = a * b
        L.backward()
    assert mlp_structure(trace.step(0), trace) is None and loss_structure(trace.step(0), trace) is None


def test_the_loss_sets_the_network_apart_from_the_targets():
    trace = record_run([3, 2, 2], [[1, 2, 3]], [[1, -1]], steps=1)
    for formula in (loss_formula(trace.step(0), trace), loss_structure(trace.step(0), trace)):
        parts = tokens(formula)
        network = [t.tex for t in parts if t.network]
        rest = [t.tex for t in parts if not t.network]
        assert r"\mathrm{gt}_{0}" in rest and r"\mathrm{gt}_{1}" in rest and "gt" not in "".join(network)
        assert all(t.layer == -1 for t in parts if "gt" in t.tex)
        assert r"w_{000}" in network and "x" in network and not any(t.startswith("^") for t in network)
        assert sum(1 for t in parts if t.tex == "-" and not t.network) == 2, "the minus before each target"


def test_predicted_glyphs_match_latex_also_for_hostile_labels():
    """Colours and typing follow the predicted glyph counts, so they must be what LaTeX draws."""
    from nnanim.scenes.typeset import glyphs_of

    mlp = MLP(2, [2, 1], seed=1)
    with record() as trace:
        xs = [Value(0.5, label="temperature_in_celsius"), Value(-1.0, label="}{\\input{x}%$#_^")]
        loss = (mlp(xs)[0] - 1.0) ** 2
        loss.backward()
    step = trace.step(0)
    for formula in (mlp_formula(step, trace), loss_formula(step, trace), mlp_structure(step, trace),
                    mlp_structure(step, trace, head_inline=False), loss_structure(step, trace)):
        assert len(glyphs_of(formula.latex())) == formula.glyphs


@pytest.fixture
def small_frame():
    from manim import tempconfig

    with tempconfig({"pixel_width": 320, "pixel_height": 180, "frame_rate": 5}):
        yield


def test_typed_formula_colours_its_layers_and_zooms_out_at_one_scale(small_frame):
    import numpy as np
    from manim import config

    from nnanim.scenes.theme import DARK
    from nnanim.scenes.typewriter import TypedFormula

    trace = record_run(steps=1)
    formula = mlp_formula(trace.step(0), trace)
    background = np.array([20, 22, 28, 255], dtype=np.uint8)
    typed = TypedFormula(formula, DARK, (16, 9, 288, 140), background)
    assert typed.layout.matched
    first_weight = next(i for i, t in enumerate(t for t in tokens(formula) for _ in range(t.glyphs))
                        if t.tex == "w_{003}")
    assert typed.layout.colors[first_weight] == DARK.rgba(DARK.layer_color(3))
    assert typed.progress == formula.lines[0][0].glyphs > 0, "the head is there from the first frame"
    assert not typed.fits
    typed.progress = typed.n
    frame = np.zeros((180, 320, 4), dtype=np.uint8)
    typed.paint(frame)
    typing_view = frame.copy()
    em = typed.layout_items()[0].line_height
    typed.zoom = 1e-6
    typed.paint(frame)
    assert np.abs(frame.astype(int) - typing_view).mean() < 2, "the zoom starts from the typing view"
    typed.zoom = 1.0
    typed.paint(frame)
    whole = typed.view_h / typed.height_px
    item = typed.layout_items()[0]
    assert item.line_height == pytest.approx(em * whole), "the layout reports the shrunk em"
    width = (item.box[2] - item.box[0]) / config.frame_width * 320
    assert width == pytest.approx(typed.width_px * whole, abs=1)


def test_layer_colours_and_the_band_reach_7_to_1():
    from nnanim.scenes.theme import THEMES, contrast

    for theme in THEMES.values():
        band = theme.band
        assert contrast(band, theme.background) > 1.15, "the band shows"
        for colour in theme.layers + (theme.text, theme.accent):
            for behind in (theme.background, theme.panel, band):
                assert contrast(colour, behind) >= 7, (theme.name, colour, behind)
        assert theme.layer_color(-1) == theme.text
        assert theme.layer_color(len(theme.layers)) == theme.layer_color(0), "deeper nets cycle"
