"""Fixtures shared by the test modules. Renders are the slow part of the suite: each trace and each render
that several tests read is made once per test run here, and those tests only read it.

The suite runs on every core (pytest-xdist, one worker process per core: pytest_cmdline_main below); `-n 0`
or `-p no:xdist` runs it in this process. A session fixture runs once per worker, so what is worth sharing
is made once per test run by `made_once`: in a folder of the run's, under a file lock, by whichever worker
asks first; the others wait for it and read it."""

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner

TESTS = Path(__file__).parent
sys.path.insert(0, str(TESTS))

TINY = ["--size", "160x90", "--fps", "5"]


# Modules whose tests run in order on one worker: test_slides' share the deck's renders with module fixtures
# that write into that folder; test_docs_examples' share a workspace per document, where each block reads
# what the blocks above it wrote; test_widget's share one JupyterLab (one start per test run) and
# test_explore_page's one Chromium.
TOGETHER = {"test_slides.py", "test_docs_examples.py", "test_widget.py", "test_explore_page.py"}


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """A worker per core the suite may use (pytest-xdist), unless -n is given (-n 0: this process), or --pdb,
    which needs one process. Workers always share out the tests as TOGETHER says (-n N too)."""
    option = config.option
    if hasattr(config, "workerinput") or not hasattr(option, "numprocesses"):
        return  # a worker, or no pytest-xdist (-p no:xdist)
    if option.numprocesses is None:
        if option.usepdb or option.collectonly:
            return
        option.numprocesses = len(os.sched_getaffinity(0))
    if option.numprocesses and option.dist == "no":
        option.dist = "loadgroup"


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """--dist loadgroup as TOGETHER says: each test a unit of work given to whichever worker is free, except
    that a module of TOGETHER is one unit. (xdist 3.8's own loadgroup groups tests marked xdist_group by
    renaming them, which pytest 9.2 ignores.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Together(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            module = nodeid.split("::", 1)[0]
            return module if Path(module).name in TOGETHER else nodeid

    return Together(config, log)


class MadeOnce:
    """made_once(name, make) is make(folder) run once per test run, whichever worker asks first, into a folder
    of the run's (made_once.folder(name)); the workers that ask later wait for it and get what it returned
    (JSON: paths as strings). A make that raises is tried again by the next test that asks."""

    def __init__(self, shared):
        self.shared, self.got = shared, {}

    def folder(self, name):
        return self.shared / name

    def __call__(self, name, make):
        from filelock import FileLock

        if name not in self.got:
            folder, made = self.folder(name), self.shared / f"{name}.json"
            with FileLock(self.shared / f"{name}.lock"):
                if not made.exists():
                    shutil.rmtree(folder, ignore_errors=True)
                    folder.mkdir()
                    made.write_text(json.dumps(make(folder)))
                self.got[name] = json.loads(made.read_text())
        return self.got[name]


@pytest.fixture(scope="session")
def made_once(tmp_path_factory):
    run = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run = run.parent  # each worker's basetemp is a folder of the run's
    (run / "shared").mkdir(exist_ok=True)
    return MadeOnce(run / "shared")


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


def shared_trace(made_once, name, *args):
    """`nnanim trace ARGS`, once per test run, into name.nntrace (a render's key holds its trace's path, so
    every worker must read the same file)."""
    return Path(made_once(name, lambda folder: str(traced(folder, name, *args))))


@pytest.fixture(scope="session")
def run_trace(made_once):
    """The workshop's network trained 3 steps, everything recorded (run.nntrace)."""
    return shared_trace(made_once, "run", "--steps", "3")


@pytest.fixture(scope="session")
def moons_trace(made_once):
    """A moons run of 12 steps, parameters only (moons.nntrace)."""
    return shared_trace(made_once, "moons", "--data", "moons", "--steps", "12")


@pytest.fixture(scope="session")
def long_trace(made_once):
    """The workshop's network trained 400 steps, parameters only (long.nntrace)."""
    return shared_trace(made_once, "long", "--steps", "400", "--record", "params")


@pytest.fixture(scope="session")
def net_trace(made_once):
    """A step of a 2,3,2,1 network on two examples: a graph too large to be shown whole (net.nntrace)."""
    def make(folder):
        (folder / "d.json").write_text('{"inputs": [[1, 2], [0, 1]], "targets": [[1], [-1]]}')
        return str(traced(folder, "net", "--arch", "2,3,2,1", "--steps", "1", "--data", folder / "d.json"))

    return Path(made_once("net", make))


@pytest.fixture(scope="session")
def nan_trace(made_once):
    """A run that diverges: its losses are NaN or infinite from some step on (nan.nntrace)."""
    def make(folder):
        (folder / "diverge.py").write_text("from nnanim import MLP, train\n"
                                           "mlp = MLP(1, [1], seed=0, activation='linear')\n"
                                           "train(mlp, [[100.0]], [[1.0]], steps=40, lr=10.0)\n")
        return str(traced(folder, "nan", folder / "diverge.py"))

    return Path(made_once("nan", make))


@pytest.fixture(scope="session")
def hostile(made_once):
    """A student's script with long and hostile labels, traced (hostile.nntrace)."""
    from hostile import hostile_trace

    return Path(made_once("hostile", lambda folder: str(hostile_trace(folder))))


class Deck(NamedTuple):
    """The deck's renders: where, from which trace, and what `render --all` printed."""
    folder: Path
    trace: Path
    output: str


@pytest.fixture(scope="session")
def deck_renders(made_once, run_trace):
    """Every slide of the deck rendered tiny from run_trace by `nnanim render --all`, and what it said.
    Tests read these files. Only test_slides writes here (its tests run in order on one worker), and only
    files no other test reads: the loss slide's sidecar, removed and made again; another trace's deck
    rendered beside this one, then taken out."""
    def make(folder):
        renders = folder / "renders"
        renders.mkdir()
        result = nnanim("render", "--all", run_trace, *TINY, "-o", renders)
        assert result.exit_code == 0, result.output
        return str(renders), result.output

    renders, output = made_once("deck", make)
    return Deck(Path(renders), run_trace, output)


class Rendered(NamedTuple):
    """What `nnanim render` did: its exit status and what it printed."""
    exit_code: int
    output: str


@pytest.fixture(scope="session")
def render_once(made_once):
    """render_once(scene, *args) is `nnanim render scene ARGS` into a folder of its own, run once per test
    run whoever asks: (what it did, the folder). The folder holds what that render wrote, and nothing else."""
    def render(*args):
        key = [str(a) for a in args]

        def make(folder):
            result = nnanim("render", *key, "-o", folder)
            return result.exit_code, result.output

        name = "render-" + hashlib.sha256(json.dumps(key).encode()).hexdigest()[:16]
        return Rendered(*made_once(name, make)), made_once.folder(name)

    return render


@pytest.fixture(scope="session")
def layout_render(render_once):
    """layout_render(scene, *trace): render_once at 320x180 with --check-layout, as test_layout_scenes checks
    every scene (test_scene_notes reads a student's notes from the same renders)."""
    return lambda scene, *trace: render_once(scene, *trace, "--size", "320x180", "--fps", "5", "--check-layout",
                                             "--format", "mp4")
