"""nnanim installs one import package, `nnanim`, and runs as `nnanim` and `python -m nnanim` outside
the checkout; a student's own `engine.py` and nnanim import side by side."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(made_once):
    """nnanim's wheel, built once per test run (conftest's made_once: pip builds in the checkout's build/)."""
    def make(out):
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                        str(ROOT)], check=True, capture_output=True)
        return str(next(out.glob("nnanim-*.whl")))

    return Path(made_once("wheel", make))


@pytest.fixture(scope="module")
def installed(wheel, made_once):
    """The wheel unpacked as pip installs it, first on the path (the checkout is not)."""
    def make(target):
        subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                       check=True, capture_output=True)
        return str(target)

    return Path(made_once("site", make))


def test_the_wheel_holds_only_the_nnanim_package(wheel):
    tops = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"nnanim"}
    names = zipfile.ZipFile(wheel).namelist()
    for module in ("nnanim/engine/value.py", "nnanim/scenes/registry.py", "nnanim/__main__.py",
                   "nnanim/templates/deck.html"):
        assert module in names


def _run(args, cwd, site):
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)


def test_python_m_nnanim_outside_the_checkout(installed, tmp_path):
    where = _run([sys.executable, "-c", "import nnanim; print(nnanim.__file__)"], tmp_path, installed)
    assert where.stdout.strip().startswith(str(installed)), where
    done = _run([sys.executable, "-m", "nnanim", "trace", "--steps", "2", "-o", "out/t.nntrace"], tmp_path, installed)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "t.nntrace").is_file()
    listed = _run([sys.executable, "-m", "nnanim", "scenes"], tmp_path, installed)
    assert listed.returncode == 0 and "gradient-rules" in listed.stdout
    usage = _run([sys.executable, "-m", "nnanim", "slides", "--help"], tmp_path, installed)
    assert usage.returncode == 0 and usage.stdout.startswith("Usage: nnanim slides")


def test_a_students_own_engine_py_and_nnanim_side_by_side(installed, tmp_path):
    (tmp_path / "engine.py").write_text("class Value:\n    mine = True\n")
    (tmp_path / "train.py").write_text(
        "from engine import Value as Mine\n"
        "from nnanim import MLP, Value, record\n"
        "assert Mine.mine and Value is not Mine\n"
        "with record() as trace:\n"
        "    out = MLP(2, [1], seed=0)([1.0, 2.0])[0]\n"
        "    out.backward()\n"
        "print(trace.num_steps, repr(MLP(2, [1])))\n")
    done = _run([sys.executable, "train.py"], tmp_path, installed)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "MLP(2,", "[1],", "activation='tanh')"]


def test_the_wheel_carries_what_offline_pages_need(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("nnanim/vendor/reveal.js/dist/reveal.js", "nnanim/vendor/reveal.js/dist/plugin/notes.js",
                   "nnanim/vendor/reveal.js/dist/theme/black.css", "nnanim/vendor/katex/dist/katex.min.js",
                   "nnanim/vendor/katex/dist/katex.min.css", "nnanim/templates/nnanim-steps.js",
                   "nnanim/templates/explore.html", "nnanim/explore/page.js", "nnanim/explore/explore.css"):
        assert needed in names, needed
    assert any(n.startswith("nnanim/vendor/katex/dist/fonts/") and n.endswith(".woff2") for n in names)
    assert not any(n.endswith((".mjs", ".d.ts")) for n in names), "only what a page loads"


def test_a_pip_installed_nnanim_writes_an_offline_page(installed, tmp_path):
    from PIL import Image

    renders = tmp_path / "renders"
    renders.mkdir()
    Image.new("RGB", (64, 36), "#101418").save(renders / "gradient-rules.png")
    done = _run([sys.executable, "-m", "nnanim", "slides", "renders"], tmp_path, installed)
    assert done.returncode == 0, done.stderr
    slides = renders / "slides"
    assert (slides / "reveal" / "dist" / "reveal.js").is_file() and (slides / "reveal/dist/plugin/notes.js").is_file()
    assert "http" not in (slides / "slides.html").read_text().split("<body>")[1]


def test_a_pip_installed_nnanim_writes_an_explorer_page(installed, tmp_path):
    done = _run([sys.executable, "-m", "nnanim", "trace", "--steps", "3", "-o", "run.nntrace"], tmp_path, installed)
    assert done.returncode == 0, done.stderr
    done = _run([sys.executable, "-m", "nnanim", "explore", "run.nntrace", "-o", "run.html"], tmp_path, installed)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "run.html").read_text()
    assert 'id="nnanim-run"' in page and "data:text/javascript;base64," in page
