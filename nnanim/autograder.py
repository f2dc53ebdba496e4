"""`nnanim autograder gradescope`: Gradescope's autograder bundle for a backprop assignment.

Gradescope runs each submission in a container of its own (the platform's per-submission machines are
how a course of thousands is graded): `setup.sh` once when the image is built, then `run_autograder`
with the student's files in /autograder/submission, reading /autograder/results/results.json. The bundle
carries nnanim's own source (checking needs the engine and `nnanim check`, not Manim), so it works
without network access to a package index beyond what setup.sh installs.
"""

import importlib.metadata
import io
import re
import zipfile
from pathlib import Path

import nnanim
import nnanim.engine
import nnanim.scenes
from nnanim.engine.atomic import write_atomically

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3 python3-pip
python3 -m pip install --break-system-packages {requirements} || python3 -m pip install {requirements}
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission: nnanim checks the student's {script} and writes results.json.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
mkdir -p "$ROOT/results"
PYTHONPATH="$ROOT/source" python3 -m nnanim grade "$ROOT/submission" --one --script {script} \\
    --format gradescope --timeout {seconds:g} --memory {megabytes} -o "$ROOT/results"
"""


def requirements():
    """What checking needs of nnanim's dependencies: all but Manim's (no scene is rendered)."""
    needed = []
    for requirement in importlib.metadata.requires("nnanim") or []:
        if "extra ==" in requirement:
            continue
        name = re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0]
        if name.lower() != "manim":
            needed.append(f"'{requirement.split(';')[0].strip()}'")
    return " ".join(needed)


def gradescope_bundle(target, script, seconds, megabytes):
    """Write the bundle (a zip: setup.sh, run_autograder, nnanim/; Gradescope unpacks it into
    /autograder/source) to `target`; returns it."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as bundle:
        _script(bundle, "setup.sh", SETUP.format(requirements=requirements()))
        _script(bundle, "run_autograder", RUN.format(script=script, seconds=seconds, megabytes=megabytes))
        for package, inside in ((nnanim, "nnanim"), (nnanim.engine, "nnanim/engine"), (nnanim.scenes, "nnanim/scenes")):
            for path in sorted(Path(package.__file__).parent.glob("*.py")):
                bundle.write(path, f"{inside}/{path.name}")
        templates = Path(nnanim.__file__).parent / "templates"
        for path in sorted(templates.glob("*")):
            bundle.write(path, f"nnanim/templates/{path.name}")
    return write_atomically(target, data.getvalue())


def _script(bundle, name, text):
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o755 << 16  # executable, as Gradescope runs them
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, text)
