"""The speaker's notes of the scenes that replay a trace, read from real renders (the sidecar beside the
video): one note per step, each plain, short and its own (not the scene's summary, not another step's),
and its numbers the trace's, written as the screen writes them. The expected numbers come from the
engine (a network trained again) or from the trace itself, not from the scenes' helpers."""

import json
import math
import re

import numpy as np
import pytest

from nnanim.engine import MLP, load_trace, train
from nnanim.engine.numbers import number
from nnanim.engine.training import WORKSHOP_INPUTS, WORKSHOP_TARGETS
from nnanim.scenes.network_plan import forward, weights_at
from nnanim.scenes.registry import SCENES

TINY = ["--size", "160x90", "--fps", "5"]
LONGEST = 360  # characters: a note is read at a glance


@pytest.fixture(scope="module")
def traces(run_trace, long_trace, moons_trace, hostile):
    """run: 3 steps of the workshop's network; long: 400 steps, parameters only; moons; a student's (hostile)."""
    return {"run": run_trace, "long": long_trace, "moons": moons_trace, "hostile": hostile}


@pytest.fixture
def notes_of(render_once):
    """notes_of(scene, trace, *options): `scene` rendered tiny (once per test run: other tests read the same
    render) and its notes, checked."""
    def notes(scene, trace, *options):
        result, out = render_once(scene, trace, *TINY, *options)
        assert result.exit_code == 0, result.output
        return checked(scene, out / f"{scene}-{trace.stem}.mp4")

    return notes


@pytest.fixture
def deck_notes(deck_renders):
    """deck_notes(scene): the notes of the deck's slide of `scene` (rendered tiny from traces["run"],
    without options), checked."""
    return lambda scene: checked(scene, deck_renders.folder / f"{scene}-{deck_renders.trace.stem}.mp4")


def checked(scene, media):
    """The notes of a render of `scene`, checked: one per step, each plain, short and its own."""
    sidecar = json.loads(media.with_name(media.name + ".json").read_text(encoding="utf-8"))
    stops, notes = sidecar["stops"], sidecar["notes"]
    assert len(notes) == len(stops) + 1, "a note for every step: one per stop, then the end's"
    for note in notes:
        assert note and note == note.strip() and len(note) <= LONGEST, note
        assert note != SCENES[scene].summary, "the end note is the scene's own, not the registry's summary"
        assert not re.search(r"\*\*|`|^#|\n|<|>", note), f"plain text, no Markdown or HTML: {note}"
        assert re.search(r"\d", note), f"a note carries the trace's numbers: {note}"
    assert len(set(notes)) == len(notes), f"each step says what it shows, not another step's note: {notes}"
    return notes


def workshop_mlp(steps):
    """The workshop's network after `steps` steps of training: what `nnanim trace` recorded at that step."""
    mlp = MLP(3, [2, 4, 4, 2], seed=42)
    if steps:
        train(mlp, WORKSHOP_INPUTS, WORKSHOP_TARGETS, steps=steps)
    return mlp


# ----- formula, loss-formula
def test_the_formula_notes_quote_each_output_of_the_first_example(deck_notes):
    notes = deck_notes("formula")
    outputs = workshop_mlp(0)(WORKSHOP_INPUTS[0])
    assert len(notes) == 4, "output 0 typed, output 1 typed, the whole and its structure, the end"
    for k, out in enumerate(outputs):
        assert notes[k].startswith(f"MLP(x, y, z){'₀₁'[k]} typed out")
        assert f"(x, y, z) = (1, 2, 3), it is {number(out.data)} (target {number(WORKSHOP_TARGETS[0][k])})" \
            in notes[k]
    assert "structure" in notes[2] and "3 inputs and 50 parameters" in notes[3]


def test_with_values_the_formula_notes_are_the_step_s(traces, notes_of):
    notes = notes_of("formula", traces["run"], "--values", "--step", "2", "--only-output", "1")
    out = workshop_mlp(2)(WORKSHOP_INPUTS[0])[1]
    assert notes[0].startswith("MLP(x, y, z)₁ typed out: output 1") and "numbers at step 2" in notes[0]
    assert f"it is {number(out.data)} (target −1)" in notes[0]
    assert notes[-1].startswith("Output 1 of the network")


def test_the_loss_formula_notes_add_up_the_first_example_s_loss(traces, deck_notes):
    notes = deck_notes("loss-formula")
    outputs = [o.data for o in workshop_mlp(0)(WORKSHOP_INPUTS[0])]
    loss = sum((o - t) ** 2 for o, t in zip(outputs, WORKSHOP_TARGETS[0]))
    assert f"the outputs are {number(outputs[0])}, {number(outputs[1])} against the targets 1, −1" in notes[0]
    assert f"this example's loss is {number(loss)}" in notes[0]
    trace = load_trace(traces["run"])
    assert f"it is {number(loss)}; over all 4 examples, the trace's loss at step 0 is {number(trace.losses[0])}" \
        in notes[-1]


# ----- neuron, layer
def test_the_neuron_notes_follow_its_sum_with_the_trace_s_numbers(traces, notes_of):
    notes = notes_of("neuron", traces["run"], "--step", "2")
    neuron = workshop_mlp(2).ls[0].ns[0]
    x = WORKSHOP_INPUTS[0]
    w, b = [p.data for p in neuron.ws], neuron.b.data
    total = w[0] * x[0] + w[1] * x[1] + w[2] * x[2] + b
    assert len(notes) == 6, "weights, products, sum, output, any neuron, the end"
    assert "step 2" in notes[0] and "x = 1, y = 2, z = 3" in notes[0]
    assert all(f"w{s} = {number(v)}" in notes[0] for s, v in zip(["₀₀₀", "₁₀₀", "₂₀₀"], w))
    assert f"b₀₀ = {number(b)}" in notes[0]
    assert all(f"{number(v)}·{xi} = {number(v * xi)}" in notes[1] for v, xi in zip(w, x))
    assert notes[2].endswith(f" = {number(total)}.")
    assert f"h₀₀ = tanh({number(total)}) = {number(math.tanh(total))}" in notes[3]
    assert "n = 3, so 4 parameters" in notes[4]
    assert f"into h₀₀ = {number(math.tanh(total))}" in notes[5]


def test_the_layer_notes_give_each_neuron_its_output(deck_notes):
    notes = deck_notes("layer")
    hidden = [h.data for h in workshop_mlp(0).ls[0](WORKSHOP_INPUTS[0])]
    assert len(notes) == 5, "the edges, h₀₀, h₁₀, the layer, the end"
    assert "2 × 4 = 8 parameters" in notes[0]
    assert notes[1].endswith(f") = {number(hidden[0])}.") and "h₀₀ = tanh(" in notes[1]
    assert notes[2].endswith(f") = {number(hidden[1])}.") and "h₁₀ = tanh(" in notes[2]
    assert f"h₀₀ = {number(hidden[0])}, h₁₀ = {number(hidden[1])}" in notes[3]


# ----- mlp, forward, representations
def test_the_mlp_notes_give_each_layer_s_weights(traces, notes_of):
    notes = notes_of("mlp", traces["run"], "--step", "-1")
    mlp = workshop_mlp(2)
    assert len(notes) == len(mlp.ls) + 1
    for layer, note in zip(mlp.ls, notes):
        weights = [w.data for n in layer.ns for w in n.ws]
        assert f"from {number(min(weights))} to {number(max(weights))}" in note
    assert notes[0].startswith("The weights into layer 0") and notes[3].startswith("The weights into the outputs")
    assert notes[-1].startswith("MLP 3 → 2 → 4 → 4 → 2 at step 2, the end of training: 38 weights and 12 "
                                "biases, 50 parameters")


def test_the_forward_notes_give_each_layer_s_values_and_the_targets(traces, notes_of):
    notes = notes_of("forward", traces["run"], "--example", "2", "--step", "-1")
    mlp = workshop_mlp(2)
    assert len(notes) == 7, "the inputs, four columns, the targets, the end"
    assert "Example 2 at step 2" in notes[0] and "x = 1, y = 0, z = 1" in notes[0]
    x = WORKSHOP_INPUTS[2]
    for layer, note in zip(mlp.ls, notes[1:5]):
        x = layer(x)
        assert note.endswith("giving " + ", ".join(number(h.data) for h in x) + ".")
    errors = sum((o.data - t) ** 2 for o, t in zip(x, WORKSHOP_TARGETS[2]))
    assert f"output 1: {number(x[1].data)} for target 1" in notes[5] and f"add up to {number(errors)}" in notes[5]


def test_the_representations_notes_go_layer_by_layer_or_step_by_step(traces, notes_of):
    notes = notes_of("representations", traces["run"])
    assert len(notes) == 5 and "z = 3 held" in notes[0]
    assert [n.split(":")[0] for n in notes[:3]] == ["Layer 0's 2 neurons as pictures", "Layer 1", "Layer 2"]
    notes = notes_of("representations", traces["moons"], "--compare", "--step", "-1")
    trace = load_trace(traces["moons"])
    inputs, targets = np.array(trace.meta["inputs"]), np.array(trace.meta["targets"])[:, 0]
    for step, note in zip((0, 11), notes):
        out = forward(weights_at(trace, step), inputs)[-1][:, 0]
        assert note.startswith(f"Step {step}") and f"{np.mean(np.sign(out) == np.sign(targets)):.0%} sit" in note


# ----- loss, training, boundary
def test_the_loss_notes_quote_the_descent(traces, notes_of):
    notes = notes_of("loss", traces["long"])
    losses = load_trace(traces["long"]).losses
    assert len(notes) == 3, "a tenth, the whole run, the end"
    k = int(re.search(r"at step (\d+) of 400", notes[0]).group(1))
    assert f"to {number(losses[k])} at step {k} of 400" in notes[0] and losses[k] <= losses[0] / 10
    whole = f"from {number(losses[0])} at step 0 to {number(losses[399])} at step 399 of 400"
    assert whole in notes[1] and whole in notes[2]
    assert f"{round(losses[0] / losses[399])} times smaller" in notes[2] and "learning rate 0.01" in notes[2]


def test_a_diverging_run_is_named_in_the_loss_notes(nan_trace, notes_of):
    losses = load_trace(nan_trace).losses
    first_bad = int(np.flatnonzero(~np.isfinite(losses))[0])
    notes = notes_of("loss", nan_trace)
    assert f"NaN or infinite from step {first_bad}, the run diverged" in notes[-1]


def test_the_training_notes_follow_the_predictions_to_their_targets(traces, notes_of):
    notes = notes_of("training", traces["long"], "--duration", "2")
    trace = load_trace(traces["long"])
    gaps = [np.abs(forward(weights_at(trace, k), WORKSHOP_INPUTS)[-1] - np.array(WORKSHOP_TARGETS)).max()
            for k in (0, 399)]
    assert notes[-2].startswith(f"Step 399 of 400, the end of the run: loss {number(trace.losses[399])}")
    assert f"at most {number(gaps[1])} from their targets" in notes[-2]
    assert f"went from {number(gaps[0])} to {number(gaps[1])}" in notes[-1]


def test_the_boundary_notes_give_the_accuracy(traces, notes_of):
    notes = notes_of("boundary", traces["moons"], "--duration", "2")
    trace = load_trace(traces["moons"])
    inputs, targets = np.array(trace.meta["inputs"]), np.array(trace.meta["targets"])[:, 0]
    right = [np.mean(np.sign(forward(weights_at(trace, k), inputs)[-1][:, 0]) == np.sign(targets)) for k in (0, 11)]
    assert f"loss {number(trace.losses[11])}; accuracy {right[1]:.0%}" in notes[-2]
    assert f"accuracy from {right[0]:.0%} to {right[1]:.0%}" in notes[-1]


# ----- a student's trace: long and hostile labels, no targets in the header
@pytest.mark.parametrize("scene", ["formula", "loss-formula", "neuron", "layer", "mlp", "forward", "representations"])
def test_a_student_s_trace_gets_notes_too(scene, traces, layout_render):
    result, out = layout_render(scene, traces["hostile"])  # as test_layout_scenes renders it: 320x180
    assert result.exit_code == 0, result.output
    notes = checked(scene, out / f"{scene}-hostile.mp4")
    assert not any("temperature_in_celsius_at_noon" in n for n in notes), "long labels shortened"
