"""Making traces: the workshop's run (or a variant of it), and a teacher's own script."""

import importlib
import json
import runpy
import sys
import traceback
from pathlib import Path

import numpy as np

from nnanim.engine import foreign, record
from nnanim.engine.datasets import make as make_dataset
from nnanim.engine.tracefile import MAX_DECODED
from nnanim.engine.training import DEFAULTS, WORKSHOP_INPUTS, WORKSHOP_TARGETS, record_run
import nnanim.engine.value as value_module
from nnanim.errors import NnanimError

TOY_DEFAULTS = {"architecture": [2, 8, 8, 1], "steps": 200, "lr": 0.005}


class RunError(NnanimError):
    """A run that could not be made; the message is one line for the user."""


def parse_architecture(text):
    """"3,2,4,4,2" -> [3, 2, 4, 4, 2]: the input count, then each layer's width."""
    try:
        sizes = [int(part) for part in text.replace(" ", "").split(",")]
    except ValueError:
        sizes = []
    if len(sizes) < 2 or any(s < 1 for s in sizes):
        raise ValueError(f"{text!r} is not an architecture: give the input count then the layer widths, "
                         "all positive, e.g. 3,2,4,4,2")
    return sizes


MAX_STEP_VALUES = 2_000_000  # Values in one step's graph: about half a GB of Python objects
MAX_RECORDING = MAX_DECODED  # bytes of recorded columns: what a trace file may hold


def check_size(architecture, examples, steps, level):
    """Refuse, before training, a run that will not fit in memory, saying what would."""
    ni, widths = architecture[0], architecture[1:]
    params, per_example = 0, 0
    for fan_in, width in zip([ni] + widths[:-1], widths):
        params += width * (fan_in + 1)
        per_example += width * (2 * fan_in + 2)  # a product and a sum per weight, the bias, the activation
    per_example += 4 * widths[-1]  # the loss: difference, square, sum
    values = examples * per_example + params
    shape = ",".join(map(str, architecture))
    if values > MAX_STEP_VALUES:
        raise RunError(f"a network {shape} on {examples} examples builds about {values:,} values per step; at most "
                       f"{MAX_STEP_VALUES:,} fit in memory: use fewer or narrower layers, or fewer examples")
    recorded = steps * (values if level == "all" else params) * 3 * 8  # data, grad before, grad after
    if recorded > MAX_RECORDING:
        advice = "use --record params or fewer --steps" if level == "all" else "use fewer --steps"
        raise RunError(f"recording {steps:,} steps of a network {shape} would take about {recorded / 1e9:.1f} GB "
                       f"(at most {MAX_RECORDING / 1e9:.1f}): {advice}")


def load_data(path, architecture):
    """Read {"inputs": [[...]], "targets": [[...]]} and check it fits the network."""
    try:
        data = json.loads(Path(path).read_text())
        inputs, targets = data["inputs"], data["targets"]
    except OSError as e:
        raise RunError(f"cannot read {path}: {e.strerror}") from None
    except (ValueError, KeyError, TypeError, RecursionError):
        raise RunError(f'{path} is not JSON of the form {{"inputs": [[...]], "targets": [[...]]}}') from None
    ni, no = architecture[0], architecture[-1]
    if not isinstance(inputs, list) or not isinstance(targets, list) or not inputs or len(inputs) != len(targets):
        raise RunError(f"{path}: inputs and targets must be non-empty lists of the same length")
    for k, (x, gt) in enumerate(zip(inputs, targets)):
        if not _numbers(x, ni) or not _numbers(gt, no):
            raise RunError(f"{path}: example {k} must have {ni} input numbers and {no} target numbers "
                           f"for a network {','.join(map(str, architecture))}")
    return [[float(v) for v in x] for x in inputs], [[float(v) for v in gt] for gt in targets]


def _numbers(row, n):
    return (isinstance(row, list) and len(row) == n
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in row))


def workshop_run(architecture=None, steps=None, lr=None, seed=None, loss=None, data=None, on_step=None,
                 level=None):
    """The built-in run with the CLI's defaults; RunError when the network does not fit the data."""
    arch = architecture or DEFAULTS["architecture"]
    if data is None and (arch[0] != 3 or arch[-1] != 2):
        raise RunError(f"the workshop's data has 3 inputs and 2 targets; a network "
                       f"{','.join(map(str, arch))} needs --data FILE")
    inputs, targets = data or (WORKSHOP_INPUTS, WORKSHOP_TARGETS)
    check_size(arch, len(inputs), planned_steps(steps), level or "all")
    return record_run(arch, inputs, targets, steps=steps, lr=lr, seed=seed, loss=loss, on_step=on_step,
                      level=level or "all")


def toy_run(data_name, architecture=None, steps=None, lr=None, seed=None, loss=None, on_step=None, level=None):
    """A run on a seeded 2-D toy data set (moons, xor, circles); what is left out is TOY_DEFAULTS'."""
    arch = architecture or TOY_DEFAULTS["architecture"]
    if arch[0] != 2 or arch[-1] != 1:
        raise RunError("the toy data sets have 2 inputs and 1 label: the architecture must be 2,...,1")
    inputs, targets = make_dataset(data_name)
    check_size(arch, len(inputs), planned_steps(steps, data_name), level or "params")
    return record_run(arch, inputs, targets, steps=_or(steps, TOY_DEFAULTS["steps"]),
                      lr=_or(lr, TOY_DEFAULTS["lr"]), seed=seed, loss=loss, on_step=on_step,
                      level=level or "params", data_name=data_name)


def planned_steps(steps, data_name=None):
    """How many steps a run will train for (for a progress bar)."""
    return _or(steps, (TOY_DEFAULTS if data_name else DEFAULTS)["steps"])


def _or(value, default):
    return default if value is None else value


def script_run(path, value=None):
    """Run a teacher's script under the recorder: networks built with nnanim's Value, or with the class's
    own Value class (the workshop's, micrograd's, a student's: engine/foreign.py), unchanged. `value`
    ("module:Class") names that class when finding it by its shape is not enough."""
    with record(source="script", script=Path(path).name) as trace:
        run_script(path, to_the_recorder, value)
    if trace.num_steps == 0:
        raise RunError(f"{Path(path).name} ran, but called backward() on nothing nnanim saw: there is no step to "
                       "record (if it has a Value class of its own, name it with --value module:Class)")
    return trace


def run_script(path, sink, value=None):
    """Run a script as `python SCRIPT` would (its folder first on the path, its own modules imported
    afresh), every backward() of its own Value class (or of `value`, "module:Class") handed to `sink`;
    RunError, in one line, if it fails."""
    path = Path(path)
    folder = str(path.parent.resolve())
    argv = sys.argv
    sys.argv = [str(path)]
    sys.path.insert(0, folder)
    _forget_modules_in(folder)  # so that the classes they define are created, and watched, again
    try:
        module, _, name = (value or "").partition(":")
        in_script = module == path.stem and bool(name)  # the script's own class: watched as it is defined
        named = [_named_class(value)] if value and not in_script else []
        with np.errstate(all="ignore"), foreign.watching(sink, also=named, named={name} if in_script else ()):
            runpy.run_path(str(path), run_name="__main__")
    except SystemExit as e:
        if e.code not in (None, 0):
            raise RunError(f"{path.name} exited with status {e.code}") from None
    except (foreign.ForeignOpError, foreign.NotAValue) as e:
        raise RunError(f"{path.name}: {e}") from None
    except (RunError, MemoryError):
        raise
    except Exception as e:
        raise RunError(f"{path.name} raised {type(e).__name__}: {e}{_where(e, path)}") from None
    finally:
        sys.argv = argv
        if folder in sys.path:  # the script may have taken it out itself
            sys.path.remove(folder)
        _forget_modules_in(folder)


def _named_class(spec):
    """The class `module:Class` names (imported from the script's folder first), or RunError."""
    module_name, _, class_name = spec.partition(":")
    if not module_name or not class_name:
        raise RunError(f"--value {spec!r} is not module:Class (e.g. --value engine:Value)")
    try:
        found = getattr(importlib.import_module(module_name), class_name)
    except ImportError as e:
        raise RunError(f"--value {spec}: cannot import {module_name}: {e}") from None
    except AttributeError:
        raise RunError(f"--value {spec}: {module_name} has no {class_name}") from None
    if not isinstance(found, type) or not callable(getattr(found, "backward", None)):
        raise RunError(f"--value {spec}: {class_name} is not a class with a backward() method")
    return found


def to_the_recorder(run):
    """A backward() of the script's own Value class, recorded as a step."""
    foreign.record_pass(value_module._recorder, run)


def _forget_modules_in(folder):
    """The script's own modules (files under its folder), so that they are imported afresh; never an
    installed package (a project's .venv may live in the same folder), nor nnanim itself."""
    roots = {sys.prefix, sys.base_prefix, *site_packages()}
    installed = tuple({str(p).rstrip("/") + "/" for p in roots} | {str(Path(p).resolve()) + "/" for p in roots})
    own = str(Path(__file__).resolve().parent.parent) + "/"
    for name, module in list(sys.modules.items()):
        where = getattr(module, "__file__", None) or ""
        if where.startswith(folder + "/") and not where.startswith(installed) and not where.startswith(own) \
                and not name.startswith("nnanim"):
            del sys.modules[name]


def site_packages():
    import site

    try:
        return site.getsitepackages() + [site.getusersitepackages()]
    except AttributeError:  # a virtualenv's old site module
        return []


def _where(error, path):
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).resolve() == path.resolve()]
    return f" (line {frames[-1].lineno})" if frames else ""
