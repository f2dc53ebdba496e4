"""Fixtures shared by the test modules. Renders are the slow part of the suite: each trace and each render
that several tests read is made once per test run here, and those tests only read it."""

import sys
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner

TESTS = Path(__file__).parent
sys.path.insert(0, str(TESTS))

TINY = ["--size", "160x90", "--fps", "5"]


@pytest.fixture
def small_trace():
    """A short recorded run of the workshop's network (5 steps)."""
    from nnanim.runs import workshop_run
    return workshop_run(steps=5)


def nnanim(*args):
    from nnanim.cli import main

    return CliRunner().invoke(main, [str(a) for a in args])


def traced(folder, name, *args):
    """`nnanim trace ARGS -o folder/name.nntrace`, checked."""
    path = folder / f"{name}.nntrace"
    result = nnanim("trace", *args, "-o", path)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="session")
def run_trace(tmp_path_factory):
    """The workshop's network trained 3 steps, everything recorded (run.nntrace)."""
    return traced(tmp_path_factory.mktemp("run"), "run", "--steps", "3")


@pytest.fixture(scope="session")
def moons_trace(tmp_path_factory):
    """A moons run of 12 steps, parameters only (moons.nntrace)."""
    return traced(tmp_path_factory.mktemp("moons"), "moons", "--data", "moons", "--steps", "12")


@pytest.fixture(scope="session")
def long_trace(tmp_path_factory):
    """The workshop's network trained 400 steps, parameters only (long.nntrace)."""
    return traced(tmp_path_factory.mktemp("long"), "long", "--steps", "400", "--record", "params")


@pytest.fixture(scope="session")
def net_trace(tmp_path_factory):
    """A step of a 2,3,2,1 network on two examples: a graph too large to be shown whole (net.nntrace)."""
    folder = tmp_path_factory.mktemp("net")
    (folder / "d.json").write_text('{"inputs": [[1, 2], [0, 1]], "targets": [[1], [-1]]}')
    return traced(folder, "net", "--arch", "2,3,2,1", "--steps", "1", "--data", folder / "d.json")


@pytest.fixture(scope="session")
def nan_trace(tmp_path_factory):
    """A run that diverges: its losses are NaN or infinite from some step on (nan.nntrace)."""
    folder = tmp_path_factory.mktemp("nan")
    (folder / "diverge.py").write_text("from nnanim import MLP, train\n"
                                       "mlp = MLP(1, [1], seed=0, activation='linear')\n"
                                       "train(mlp, [[100.0]], [[1.0]], steps=40, lr=10.0)\n")
    return traced(folder, "nan", folder / "diverge.py")


@pytest.fixture(scope="session")
def hostile(tmp_path_factory):
    """A student's script with long and hostile labels, traced (hostile.nntrace)."""
    from hostile import hostile_trace

    return hostile_trace(tmp_path_factory.mktemp("hostile"))


class Deck(NamedTuple):
    """The deck's renders: where, from which trace, and what `render --all` printed."""
    folder: Path
    trace: Path
    output: str


@pytest.fixture(scope="session")
def deck_renders(tmp_path_factory, run_trace):
    """Every slide of the deck rendered tiny from run_trace by `nnanim render --all`, and what it said.
    Tests read these files. Only test_slides writes here, and leaves the folder as it was: a sidecar removed
    and made again; another trace's deck rendered beside this one, then taken out."""
    renders = tmp_path_factory.mktemp("deck") / "renders"
    renders.mkdir()
    result = nnanim("render", "--all", run_trace, *TINY, "-o", renders)
    assert result.exit_code == 0, result.output
    return Deck(renders, run_trace, result.output)


@pytest.fixture(scope="session")
def render_once(tmp_path_factory):
    """render_once(scene, *args) is `nnanim render scene ARGS` into a folder of its own, run once per test
    run whoever asks: (its result, the folder). The folder holds what that render wrote, and nothing else."""
    done = {}

    def render(*args):
        key = tuple(map(str, args))
        if key not in done:
            out = tmp_path_factory.mktemp("render")
            done[key] = nnanim("render", *key, "-o", out), out
        return done[key]

    return render


@pytest.fixture(scope="session")
def layout_render(render_once):
    """layout_render(scene, *trace): render_once at 320x180 with --check-layout, as test_layout_scenes checks
    every scene (test_scene_notes reads a student's notes from the same renders)."""
    return lambda scene, *trace: render_once(scene, *trace, "--size", "320x180", "--fps", "5", "--check-layout",
                                             "--format", "mp4")
