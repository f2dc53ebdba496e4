import dataclasses
import math

import pytest
from click.testing import CliRunner

from nnanim import sidecar
from nnanim.cli import main
from nnanim.engine import MLP, Value, load_trace, record, train
from nnanim.engine.graph import GraphTooLarge, workshop_expression
from nnanim.engine.numbers import number
from nnanim.engine.steps import Graph, Step
from nnanim.engine.training import record_run
from nnanim.scenes.backprop_plan import backward_beats, moments, neuron_nodes, wave
from nnanim.scenes.graph_layout import framing, layered, packed, spread, units, values
from nnanim.scenes.gradient_rules import EXAMPLES, rule_lines, symbolic, worked
from nnanim.scenes.roles import names, short, wrapped

from student_scalar import scalar


@pytest.fixture(scope="module")
def run_step():
    return record_run(steps=2).step(1)


def test_beats_replay_the_trace_backward_events_in_order():
    mlp = MLP(2, [2, 1], seed=4)
    with record() as trace:
        train(mlp, [[1.0, -2.0], [0.5, 0.5]], [[1.0], [-1.0]], steps=2)
    step = trace.step(1)
    beats = backward_beats(step)
    events = step.backward_events()
    assert beats[0].node == step.graph.root and beats[0].received[0].after == 1.0
    assert [b.node for b in beats[1:]] == [e.node for e in events]
    for beat, event in zip(beats[1:], events):
        assert [(r.node, r.amount) for r in beat.received] == list(zip(event.inputs, event.received))
        assert {r.node: r.after for r in beat.received} == dict(zip(event.inputs, event.grads))
        assert all(r.after == r.before + r.amount for r in beat.received)
    final = {r.node: r.after for b in beats for r in b.received}
    assert all(final[i] == step.grad[i] for i in final)


def test_workshop_expression_values():
    step = Step.of(workshop_expression())
    beats = backward_beats(step)
    final = {step.graph.labels[r.node]: r.after for b in beats for r in b.received}
    assert final == {"L": 1, "e": -2, "f": 4, "d": -2, "c": -2, "a": 6, "b": -4}
    assert beats[3].rule == ["\u2202L/\u2202a = \u2202L/\u2202d \u00b7 b = (\u22122) \u00b7 (\u22123) = 6",
                             "\u2202L/\u2202b = \u2202L/\u2202d \u00b7 a = (\u22122) \u00b7 2 = \u22124"]


def test_accumulation_from_two_paths_is_written_out():
    a = Value(3.0, label="a")
    with record() as trace:
        b = a * a
        b.label = "b"
        b.backward()
    beats = backward_beats(trace.step(0))
    assert [(r.before, r.amount, r.after) for r in beats[-1].received] == [(0, 3, 3), (3, 3, 6)]
    assert beats[-1].rule[-1] == "a.grad = 3 + 3 = 6", "both parts arrive in the same beat: no source to name"


def test_an_earlier_part_shown_on_screen_is_named_by_where_it_came_from():
    with record() as trace:
        a = Value(2.0, label="a")
        c = a * 3.0
        c.label = "c"
        L = c + a
        L.label = "L"
        L.backward()
    beats = backward_beats(trace.step(0))
    lines = [line for b in beats for line in b.rule]
    assert "a.grad = 1 (from L) + 3 = 4" in lines


def test_values_inside_a_neuron_are_named_by_their_role(run_step):
    called = names(run_step)
    drawn, active, top = neuron_nodes(run_step, neuron=(0, 3))
    roles = [called[i] for i in active]
    assert roles == ["w\u2080\u00b7x\u2080", "w\u2081\u00b7x\u2081", "w\u2082\u00b7x\u2082", "w\u2083\u00b7x\u2083",
                     "\u03a3\u2080\u2026\u2081", "\u03a3\u2080\u2026\u2082", "\u03a3", "\u03a3+b", "h_03"]
    assert not [n for n in called if n.startswith("v") and n[1:].isdigit()], "no v140"
    assert called[run_step.graph.root] == "L"
    loss = [n for n in called if "gt_0" in n]
    assert {"\u2212gt_0", "h_03\u2212gt_0", "(h_03\u2212gt_0)\u00b2"} <= set(loss)
    assert "loss ex. 0" in called and "loss ex. 0\u20131" in called


def test_names_are_short_and_operands_are_bracketed():
    assert short("temperature_in_celsius_at_noon") == "temperature_i\u2026" and len(short("x" * 40)) == 14
    assert wrapped("\u03a3+b") == "(\u03a3+b)" and wrapped("h_03") == "h_03" and wrapped("\u22121") == "(\u22121)"
    assert wrapped("(h_03\u2212gt_0)\u00b2") == "(h_03\u2212gt_0)\u00b2" and wrapped("loss ex. 0") == "(loss ex. 0)"


def test_a_neurons_replay_names_where_every_earlier_part_came_from(run_step):
    drawn, active, top = neuron_nodes(run_step, neuron=(0, 3))
    beats = backward_beats(run_step, drawn, active, top)
    g = run_step.graph
    first = beats[0]
    assert first.rule[0].startswith("\u2202L/\u2202h_03 = ") and first.rule[0].endswith("from the layers above")
    assert "w_003 \u2026 b_03 already hold grads from h_03 of ex. 1\u20133" in first.rule
    held = {r.node: r.after for r in first.received if r.node != top}
    b = g.labels.index("b_03")
    assert held[b] != 0 and held[b] + sum(r.amount for bt in beats[1:] for r in bt.received if r.node == b) \
        == pytest.approx(run_step.grad[b])
    accumulations = [line for beat in beats[1:] for line in beat.rule if ".grad = " in line]
    assert accumulations and all("(from " in line for line in accumulations), "no part that never arrived"
    assert any(line.startswith("b_03.grad = ") and "(from h_03 of ex. 1\u20133)" in line for line in accumulations)
    assert any(line.startswith("h_02.grad = ") and "(from h_13)" in line for line in accumulations)


def test_one_neuron_of_the_default_run(run_step):
    step = run_step
    drawn, active, top = neuron_nodes(step, neuron=(0, 1))
    g = step.graph
    assert g.labels[top] == "h_01" and top in drawn and top in active
    assert {"w_001", "w_101", "b_01", "h_00", "h_10"} <= {g.labels[i] for i in drawn}
    assert top < 200, "the first example's neuron"
    beats = backward_beats(step, drawn, active, top)
    assert beats[0].node == top and beats[0].grad == step.grad[top]
    assert [b.node for b in beats[1:]] == sorted(active, reverse=True)
    assert neuron_nodes(step, focus="w_101")[2] == top
    with pytest.raises(LookupError, match="no neuron 9,9"):
        neuron_nodes(step, neuron=(9, 9))
    with pytest.raises(LookupError, match="labelled"):
        neuron_nodes(step, focus="nope")


def test_the_workshop_expression_is_laid_out_in_columns_that_fill_the_region():
    step = Step.of(workshop_expression())
    drawing = values(step, range(len(step.graph)))
    labels = step.graph.labels
    assert [[labels[k] for k in col] for col in drawing.columns] == [["a", "b"], ["d", "c"], ["e", "f"], ["L"]]
    at = spread(drawing.columns, 12.0, 6.0, 2.0, 1.0)
    xs = sorted({round(x, 6) for x, _ in at.values()})
    assert xs[0] - 1.0 == pytest.approx(-6.0) and xs[-1] + 1.0 == pytest.approx(6.0), "from edge to edge"
    ys = [y for _, y in at.values()]
    assert max(ys) + 0.5 == pytest.approx(3.0) and min(ys) - 0.5 == pytest.approx(-3.0), "top to bottom"
    assert at[labels.index("L")][1] == pytest.approx(0.0)


def test_moments_send_the_gradient_back_along_the_edges():
    step = Step.of(workshop_expression())
    drawing = values(step, range(len(step.graph)))
    story = moments(backward_beats(step), drawing)
    labels = step.graph.labels
    L, e, f = labels.index("L"), labels.index("e"), labels.index("f")
    assert story[0].stages == ([], []) and story[0].updates == {L: 1.0}, "∂L/∂L = 1 arrives from nowhere"
    first, then = story[1].stages
    assert first == [(("op", L), L)] and sorted(then) == sorted([(e, ("op", L)), (f, ("op", L))])
    assert story[1].updates == {e: -2.0, f: 4.0} and story[1].focus[0] == L


def test_a_whole_step_is_drawn_a_neuron_to_a_box_in_aligned_columns(run_step):
    drawing = units(run_step)
    g = run_step.graph
    boxes = drawing.boxes.values()
    assert sum(1 for b in boxes if g.labels[b.key].startswith("h_")) == 48
    assert sorted(b.name for b in boxes if b.name.startswith("loss")) == [
        "loss ex. 0", "loss ex. 0\u20131", "loss ex. 0\u20132", "loss ex. 1", "loss ex. 2", "loss ex. 3"]
    assert not [b for b in boxes if g.labels[b.key].startswith(("w_", "b_", "gt_"))], "inside their units"
    layer = [[g.labels[k][-1] for k in col if g.labels[k].startswith("h_")] for col in drawing.columns]
    assert [set(c) for c in layer[1:5]] == [{"0"}, {"1"}, {"2"}, {"3"}], "a layer to a column, all examples"
    examples = [drawing.boxes[k].example for k in drawing.columns[2]]
    assert examples == sorted(examples), "examples stacked in order"
    story = wave(run_step, backward_beats(run_step), drawing)
    assert story[0].key == g.root and story[0].lines[0].startswith("\u2202L/\u2202L = 1 flows back to")
    neuron = next(m for m in story if m.key in drawing.boxes and drawing.boxes[m.key].example is not None)
    assert neuron.lines[0].startswith(f"{drawing.boxes[neuron.key].name} (example 3): ")
    assert set(neuron.updates) <= set(drawing.boxes)


def test_packed_columns_keep_their_order_and_pitch_and_sit_beside_their_inputs():
    columns = [["a", "b", "c", "d"], ["p"], ["q", "r"]]
    links = [("a", "p"), ("b", "p"), ("c", "r"), ("d", "r"), ("p", "q")]
    at = packed(columns, links, 3.0, 1.0)
    assert [at[k][1] for k in "abcd"] == [1.5, 0.5, -0.5, -1.5]
    assert at["p"][1] == pytest.approx(1.0) and at["q"][1] == pytest.approx(1.0), "beside what it reads"
    assert at["q"][1] - at["r"][1] >= 1.0 - 1e-9
    assert layered(["a", "b", "c"], [("a", "c"), ("b", "c")]) == [["a", "b"], ["c"]]


def test_framing_shows_the_focus_whole_and_cuts_no_box():
    boxes = [(x, y, x + 2, y + 1) for x in range(0, 30, 3) for y in range(0, 12, 2)]
    x, y = framing(boxes, [boxes[20]], 8.0, 5.0)
    left, bottom, right, top = boxes[20]
    assert x - 4 <= left and right <= x + 4 and y - 2.5 <= bottom and top <= y + 2.5
    cut = [b for b in boxes if (b[0] < x - 4 < b[2]) or (b[0] < x + 4 < b[2])]
    assert not cut, "a window edge on a box edge"


def relabelled(step, label=lambda i: f"v{i}"):
    """The step with every value relabelled, so that nothing looks like the workshop's MLP (w_ijl, h_jl)."""
    g = step.graph
    return dataclasses.replace(step, graph=Graph(g.ops, [label(i) for i in range(len(g))], g.arity, g.edges))


def unlabelled_mlp_step(examples):
    """One step of the default network on `examples` examples, relabelled: 461 values for the workshop's 4."""
    inputs = [[(k % 3) - 1.0, 0.5 * k, 1.0 - k] for k in range(examples)]
    targets = [[1.0, -1.0] if k % 2 else [-1.0, 1.0] for k in range(examples)]
    with record() as trace:
        train(MLP(3, [2, 4, 4, 2], seed=1), inputs, targets, steps=1)
    return relabelled(trace.step(0))


class Walked(list):
    """A list that counts the items handed out each time it is walked."""

    walked = 0

    def __iter__(self):
        for item in super().__iter__():
            self.walked += 1
            yield item


def camera_work(step, monkeypatch):
    """Follow the gradient through a step drawn a value to a box, as the backprop scene's camera does
    (no rendering: a part's mobject is its key): how many extents were read and edges walked."""
    from nnanim.scenes.backprop import Viewport
    from nnanim.scenes.graph_view import GraphView, view_of
    from nnanim.scenes.theme import THEMES

    monkeypatch.setattr(GraphView, "part", lambda self, key: key)
    monkeypatch.setattr(GraphView, "edge", lambda self, tail, head: (tail, head))
    read = []
    extent = GraphView.extent
    monkeypatch.setattr(GraphView, "extent", lambda self, key: read.append(key) or extent(self, key))
    drawing = values(step, range(len(step.graph)))
    drawing.edges = Walked(drawing.edges)
    story = moments(backward_beats(step), drawing)
    view, fits = view_of(drawing, THEMES["dark"], (-6.5, -2.5, 6.5, 3.5))
    assert not fits
    port = Viewport(view, fits, 13.0, 6.0, 1.0)
    centre, moves = port.aim(story[0]), 0
    view.mobjects_for(port.parts_at(centre))
    for moment in story:
        if not port.shows(moment, centre):
            centre, moves = port.aim(moment), moves + 1
            assert all(port.inside(k, centre) for k in port.focus(moment)[:2]), "the camera frames the moment"
            view.mobjects_for(port.parts_at(centre))
    assert len(read) == len(set(read)) == len(view.parts()), "each part's extent is read once"
    assert moves > len(story) / 3, "a graph this large keeps the camera moving"
    return len(read) + drawing.edges.walked


def test_following_the_gradient_costs_in_proportion_to_the_graph(monkeypatch):
    """Issue 22, item 13: the whole step of the default run relabelled (461 values, no neurons to group
    them by) took minutes, each camera move reading every box's extent and walking every edge."""
    small, large = unlabelled_mlp_step(4), unlabelled_mlp_step(8)
    assert len(small.graph) == 461 and len(large.graph) > 1.8 * len(small.graph)
    ratio = len(large.graph) / len(small.graph)
    assert camera_work(large, monkeypatch) <= 1.25 * ratio * camera_work(small, monkeypatch)


def test_a_large_graph_without_neurons_is_drawn_a_part_to_a_box():
    """Without the workshop's labels a value used once is drawn inside what uses it: the default run's
    whole step is a box per neuron-like part and per shared input, not 461 boxes and 383 moments."""
    step = unlabelled_mlp_step(4)
    drawing = units(step)
    inside = [b for b in drawing.boxes.values() if len(b.members) > 1]
    assert len(drawing.boxes) < 120 and [step.graph.ops[b.key] for b in inside].count("tanh") == 40
    shared = sum(b.leaf for b in drawing.boxes.values())
    assert shared == 50 + 12, "the weights and biases (each read by 4 copies of its neuron), and the inputs"
    story = wave(step, backward_beats(step), drawing)
    assert len(story) < 60 and story[0].key == step.graph.root


def test_the_scene_holds_only_what_its_camera_shows(tmp_path):
    """A moment's trails leave the scene once they have faded: Manim draws every mobject of the scene at
    every frame, and trails left behind made each frame slower than the one before."""
    from manim import tempconfig

    from nnanim.scenes.backprop import Backprop
    from nnanim.scenes.options import SceneOptions

    x = Value(1.0, label="x")
    with record() as trace:
        for _ in range(15):
            x = x * 1.01 + x  # no neurons, and each x feeds two ops: a chain of 16 boxes
        x.backward()
    path = tmp_path / "chain.nntrace"
    trace.save(path)

    class Watched(Backprop):
        def send_back(self, moment):
            here = {id(m) for m in [*self.on_screen, self.lines, self.camera.frame]}
            self.others.append(sum(id(m) not in here for m in self.mobjects))
            return super().send_back(moment)

    settings = {"pixel_width": 64, "pixel_height": 36, "frame_rate": 5, "media_dir": str(tmp_path),
                "disable_caching": True, "verbosity": "ERROR", "progress_bar": "none"}
    with tempconfig(settings):
        scene = Watched(options=SceneOptions(trace=str(path), pace=0.2))
        scene.others = []
        scene.render()
    assert not scene.port.fits and len(scene.others) > 10
    assert not any(scene.others), "only the boxes, edges and ops in view, the text and the camera's frame"


def test_too_many_boxes_are_refused_with_advice():
    x = Value(1.0, label="x")
    with record() as trace:
        for _ in range(3100):
            x = x * 1.0001 + x  # each x feeds two ops: a box of its own
        x.backward()
    with pytest.raises(GraphTooLarge, match="--neuron J,L"):
        units(trace.step(0))


def test_a_wave_too_long_to_watch_is_refused_with_advice(tmp_path):
    x = Value(1.0, label="x")
    with record() as trace:
        for _ in range(320):
            x = x * 1.01 + x  # no neurons, and each x feeds two ops: 321 boxes to follow one at a time
        x.backward()
    trace.save(tmp_path / "long.nntrace")
    result = CliRunner().invoke(main, ["render", "backprop", str(tmp_path / "long.nntrace"), *TINY,
                                       "-o", str(tmp_path)])
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert "321 boxes for the camera to follow" in result.output and "h_jl" in result.output
    assert not list(tmp_path.glob("*.mp4"))


def test_gradient_rules_follow_the_textbook():
    got = {ex.title.split()[0]: worked(ex) for ex in EXAMPLES}
    g = 2.0
    assert got["+"][1] == (g, g)
    assert got["\u00d7"][1] == (g * -3.0, g * 2.0)
    assert got["tanh"][1][0] == pytest.approx(g * (1 - math.tanh(0.5) ** 2))
    assert got["**n"][1] == (g * 2 * 3.0,)
    assert got["exp"][1][0] == pytest.approx(g * math.e)
    assert got["relu"][1] == (0.0,)
    times = rule_lines(EXAMPLES[1])
    assert times == ["\u2202L/\u2202a = \u2202L/\u2202out \u00b7 b = 2 \u00b7 (\u22123) = \u22126",
                     "\u2202L/\u2202b = \u2202L/\u2202out \u00b7 a = 2 \u00b7 2 = 4"]
    assert symbolic(times[0]) == "\u2202L/\u2202a = \u2202L/\u2202out \u00b7 b"


def test_every_stop_falls_while_its_rule_is_on_screen_and_the_clip_ends_at_the_last(tmp_path):
    from manim import tempconfig

    from nnanim.scenes.backprop import END, Backprop
    from nnanim.scenes.layout import items_on_screen
    from nnanim.scenes.options import SceneOptions

    class Watched(Backprop):
        def check_layout(self, when):
            super().check_layout(when)
            if when.startswith("stop"):
                self.seen.append({item.name for item in items_on_screen(self.mobjects) if item.kind == "text"})

    settings = {"pixel_width": 160, "pixel_height": 90, "frame_rate": 5, "frame_width": 8 * 16 / 9,
                "frame_height": 8.0, "media_dir": str(tmp_path), "disable_caching": True, "verbosity": "ERROR",
                "progress_bar": "none"}
    with tempconfig(settings):
        scene = Watched(options=SceneOptions(pace=0.6))
        scene.seen = []
        scene.render()
    step = Step.of(workshop_expression())
    rules = [beat.rule for beat in backward_beats(step)]
    assert len(scene.seen) == len(rules) == 4
    for seen, rule in zip(scene.seen, rules):
        assert set(rule) <= seen, "the rule with its numbers is on screen at its stop"
    assert END - 0.41 <= scene.renderer.time - scene.stops[-1] <= END, "after the last stop, only its hold"
    from nnanim.storyboard import frames_at
    movie = scene.renderer.file_writer.movie_file_path
    shown = frames_at(movie, [(None, t) for t in scene.stops])
    held = frames_at(movie, [(None, t + 0.2) for t in scene.stops])
    import numpy as np
    change = [np.abs(np.asarray(a, float) - np.asarray(b, float)).mean() for a, b in zip(shown, held)]
    assert max(change) < 0.5, "a stop's frame is held, not the start of the next change"


# --- speaker notes: a note per step, saying what the step showed with the numbers on screen

TINY = ["--size", "160x90", "--fps", "5"]


def notes_of(media):
    """The notes in the sidecar of a tiny render (checked: one per step)."""
    info = sidecar.read(media)
    assert len(info.notes) == len(info.stops) + 1 and all(n.strip() for n in info.notes), info.notes
    return list(info.notes)


def says_event(note, event, called):
    """The note of a backward event names the grad passed back and every grad it gives, as the screen
    writes them (number(), 4 significant digits, a real minus sign)."""
    assert f"{wrapped(called[event.node])}.grad = {number(event.grad)}" in note, note
    for i, amount, after in zip(event.inputs, event.received, event.grads):
        assert f"{wrapped(called[i])}.grad = " in note and number(amount) in note and number(after) in note, note


def test_every_backprop_note_says_its_rule_with_the_numbers_on_screen(deck_renders):
    notes = notes_of(deck_renders.folder / "backprop.mp4")
    step = Step.of(workshop_expression())
    called = names(step)
    events = step.backward_events()
    assert len(notes) == 1 + len(events) + 1, "∂L/∂L = 1, an event a stop, then the end"
    assert notes[0].startswith("Backward starts at L: \u2202L/\u2202L = 1")
    assert notes[1] == ("L = e\u00b7f, so \u2202L/\u2202e = f = \u22122 and \u2202L/\u2202f = e = 4. "
                        "Times L.grad = 1: e.grad = \u22122, f.grad = 4.")
    for note, event in zip(notes[1:], events):
        says_event(note, event, called)
    for beat, note in zip(backward_beats(step), notes):
        for line in beat.rule:
            assert line.rsplit(" = ", 1)[1] in note, "the rule's result on screen is in the note"
    assert all(f"{x}.grad = {number(step.grad[called.index(x)])}" in notes[-1] for x in "abcf")


def test_the_notes_of_one_neuron_follow_its_events_and_the_grads_it_holds(deck_renders):
    notes = notes_of(deck_renders.folder / "backprop-run.mp4")  # the deck's slide: --neuron 0,3 of step 0
    step = load_trace(deck_renders.trace).step(0)
    called = names(step)
    drawn, active, top = neuron_nodes(step, neuron=(0, 3))
    events = [e for e in step.backward_events() if e.node in active]
    assert len(notes) == 1 + len(events) + 1
    assert notes[0].startswith("Neuron h_03 of example 0: ") and f"= {number(step.grad[top])}." in notes[0]
    for note, event in zip(notes[1:], events):
        says_event(note, event, called)
    accumulated = [n for n in notes[1:-1] if "(from " in n]
    assert accumulated and all("Grads add up" in n for n in accumulated)
    for i in drawn:
        if i not in active and called[i].startswith(("w_", "b_")):
            assert f"{called[i]}.grad = {number(step.grad[i])}" in notes[-1], "the end: what the neuron reads"


def test_the_notes_of_a_whole_step_follow_the_wave(net_trace, render_once):
    result, out = render_once("backprop", net_trace, "--pace", "0.2", *TINY)  # as test_render renders it
    assert result.exit_code == 0, result.output
    notes = notes_of(out / "backprop-net.mp4")
    step = load_trace(net_trace).step(0)
    drawing = units(step)
    story = wave(step, backward_beats(step), drawing)
    assert len(notes) == len(story) + 1
    for note, moment in zip(notes, story):
        name = drawing.boxes[moment.key].name
        grad = 1.0 if moment.key == step.graph.root else step.grad[moment.key]
        assert f"\u2202L/\u2202{wrapped(name)} = {number(grad)}" in note, note
        for key, after in moment.updates.items():
            if key != moment.key:
                assert f"{wrapped(drawing.boxes[key].name)}.grad = {number(after)}" in note, note
    neurons = [n for n in notes if n.startswith("Neuron h_")]
    assert len(neurons) == 2 * 6, "every neuron of both examples"
    assert f"all {len(step.graph)} values" in notes[-1] and "the 2 examples" in notes[-1]


def test_gradient_rules_notes_say_each_rule_with_its_numbers(deck_renders):
    notes = notes_of(deck_renders.folder / "gradient-rules.mp4")
    assert len(notes) == len(EXAMPLES) + 2, "an op a stop, the six side by side, then the end"
    for note, example in zip(notes, EXAMPLES):
        step, received = worked(example)
        g = step.graph
        assert note.startswith(f"The gradient {number(example.incoming)} arrives at {g.labels[g.root]}.")
        for i, amount in zip(g.inputs(g.root), received):
            assert f"{g.labels[i]}.grad = {number(amount)}" in note, note
        assert all(line.rsplit(" = ", 1)[1] in note for line in rule_lines(example))
    assert "\u2202t/\u2202x = 1 \u2212 t\u00b2 = 1 \u2212 0.4621\u00b2 = 0.7864" in notes[2]
    assert all(example.title in notes[len(EXAMPLES)] for example in EXAMPLES)


# ----- a class's own backward that is wrong is never shown as if it were right
ASSIGNING = scalar().replace("self.g += out.g\n            other.g += out.g",
                             "self.g = out.g\n            other.g = out.g") + '''

x, y = Scalar(1.5), Scalar(2.0)
L = (x + x) * y
L.backward()
'''


def _own_step(tmp_path, source):
    from nnanim.runs import script_run

    (tmp_path / "own.py").write_text(source)
    return script_run(tmp_path / "own.py").step(0)


def test_a_wrong_step_of_a_class_own_backward_is_marked_with_what_it_should_be(tmp_path):
    from nnanim.scenes.backprop_plan import WARN, backward_beats, closing_note
    from nnanim.scenes.roles import names

    step = _own_step(tmp_path, ASSIGNING)
    beats = backward_beats(step)
    marked = [b for b in beats if any(line.startswith(WARN) for line in b.rule)]
    assert len(marked) == 1, "the first wrong step, and only the wrong ones"
    assert marked[0].rule[-1] == f"{WARN}the class's backward made 1.5.grad 2: should be 4"
    assert "Wrong: the class's backward made 1.5.grad 2: should be 4" in marked[0].note
    assert [r.after for r in marked[0].received][-1] == 2, "the class's own numbers are replayed"
    end = closing_note(step, beats, step.graph.leaf_list, names(step))
    assert "is wrong: 1.5.grad = 2, should be 4" in end and "every value holds" not in end


def test_a_class_own_backward_that_is_right_looks_as_nnanim_own(tmp_path):
    from nnanim.scenes.backprop_plan import WARN, backward_beats, closing_note
    from nnanim.scenes.roles import names

    step = _own_step(tmp_path, ASSIGNING.replace("self.g = out.g\n            other.g = out.g",
                                                   "self.g += out.g\n            other.g += out.g"))
    beats = backward_beats(step)
    assert not any(line.startswith(WARN) for b in beats for line in b.rule)
    assert closing_note(step, beats, step.graph.leaf_list, names(step)).startswith(
        "Backward is done: every value holds the derivative of L")
