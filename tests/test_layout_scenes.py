"""Every scene passes the layout checker (docs/visual-style.md) at every stop and at its end, on the
workshop's run, a moons run and a trace with long and hostile labels."""

import pytest
from click.testing import CliRunner

from nnanim.cli import main
from nnanim.engine import load_trace
from nnanim.scenes.registry import SCENES


@pytest.fixture(scope="module")
def traces(tmp_path_factory, hostile):
    root = tmp_path_factory.mktemp("layout")
    runner = CliRunner()
    made = {}
    for name, args in [("workshop", ["--steps", "40"]), ("moons", ["--data", "moons", "--steps", "20"])]:
        assert runner.invoke(main, ["trace", *args, "-o", str(root / f"{name}.nntrace")]).exit_code == 0
        made[name] = root / f"{name}.nntrace"
    made["hostile"] = hostile
    return made


CASES = [(scene, trace) for scene, entry in SCENES.items()
         for trace in (["none"] if entry.needs == "nothing" else ["workshop", "moons", "hostile"])]


@pytest.mark.parametrize("scene, trace", CASES, ids=[f"{s}-{t}" for s, t in CASES])
def test_the_scene_passes_the_layout_checker(scene, trace, traces, layout_render):
    if trace != "none":
        reason = SCENES[scene].refuses(load_trace(traces[trace]))
        if reason:
            pytest.skip(f"{scene} {reason}")
    result, _ = layout_render(scene, *([] if trace == "none" else [traces[trace]]))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("scene", ["formula", "loss-formula"])
def test_large_type_passes_the_layout_checker_and_types_larger(scene, traces, layout_render):
    """--large-type (a formula in a callout): every text 1.6 times larger (the checker's size floor with
    it), inside the safe area, no overlap; the end is the most folded structure, or the last lines."""
    from nnanim import sidecar

    result, out = layout_render(scene, traces["workshop"], "--large-type")
    assert result.exit_code == 0, result.output
    from nnanim.scenes.formula import Formula

    said = " ".join(sidecar.read(next(out.glob("*.mp4"))).notes)
    assert {"formula": Formula.outer_note, "loss-formula": "Only the last lines of"}[scene] in said, said
