"""The scenes nnanim can render, by name: the one place that knows a scene.

Each entry says where its class is, what it needs from a trace, which options it reads
(scenes/options.py), and how its output is named. The command line (choices, help, checks),
`nnanim scenes`, the deck planner and the slides writer all read it. Importing this module does
not import manim, so listing scenes is instant.
"""

import difflib
import importlib
from dataclasses import dataclass

from nnanim.scenes.options import SCENE_OPTIONS

NEEDS = {
    "graph": "the full graph of a step (a trace recorded with --record all)",
    "params": "parameters, grads and losses (any trace)",
    "nothing": "no trace: its numbers come from the workshop's examples",
}


@dataclass(frozen=True)
class SceneEntry:
    name: str
    module: str
    cls: str
    summary: str
    needs: str = "graph"  # one of NEEDS
    options: tuple = ()  # names in scenes.options.SCENE_OPTIONS, beyond --step and --theme
    inputs: int | None = None  # the network must have exactly this many inputs
    notes: tuple = ()  # lines for `nnanim scenes`

    def __post_init__(self):
        assert self.needs in NEEDS and all(o in SCENE_OPTIONS for o in self.options), self.name

    def load(self):
        return getattr(importlib.import_module(self.module), self.cls)

    def output_name(self, trace_stem, ext):
        """`loss-default.mp4` for a render of default.nntrace, `derivative.gif` for one without a trace."""
        return f"{self.name}-{trace_stem}.{ext}" if trace_stem else f"{self.name}.{ext}"

    def refuses(self, trace):
        """None if this scene can replay `trace` (a loaded Trace), else why not, in one line."""
        if self.inputs is not None:
            arch = trace.meta.get("architecture")
            if not arch or arch[0] != self.inputs:
                return f"needs a network with {self.inputs} inputs (nnanim trace --data moons)"
        if self.needs == "graph" and trace.level == "params":
            return "needs the full graph; this trace was recorded with --record params (trace again with --record all)"
        return None


SCENES = {e.name: e for e in [
    SceneEntry("formula", "nnanim.scenes.formula", "Formula",
               "MLP(x, y, z) = ...: the whole network as one formula, typed out",
               options=("values", "only_output", "large_type")),
    SceneEntry("loss-formula", "nnanim.scenes.formula", "LossFormula",
               "LOSS(x, y, z, w_000, ..., gt_0, gt_1) = ...: the loss of one example, typed out",
               options=("values", "large_type")),
    SceneEntry("backprop", "nnanim.scenes.backprop", "Backprop",
               "gradients flowing back through the graph, one backward event at a time",
               options=("neuron", "focus", "pace"),
               notes=("a graph of more than 40 values without --neuron: one box per neuron, the camera follows "
                      "the wave",
                      "without a trace: the workshop's L = (a*b + c)*f, a=2, b=-3, c=10, f=-2; with --neuron "
                      "or --focus, the workshop's network")),
    SceneEntry("gradient-rules", "nnanim.scenes.gradient_rules", "GradientRules",
               "how +, ×, tanh, **n, exp and relu pass the gradient back, with real numbers", needs="nothing"),
    SceneEntry("neuron", "nnanim.scenes.neuron", "Neuron",
               "a mathematician's neuron with the trace's numbers (first neuron, first example), then d inputs"),
    SceneEntry("layer", "nnanim.scenes.neuron", "Layer",
               "the first layer: neurons reading the same inputs, each computing its own output"),
    SceneEntry("mlp", "nnanim.scenes.network", "Mlp",
               "the network as layers of neurons, edges coloured by the weights' signs, at --step",
               needs="params", options=("labels",)),
    SceneEntry("boundary", "nnanim.scenes.training", "Boundary",
               "a two-input classifier's output sign over the plane, evolving with training",
               needs="params", options=("duration",), inputs=2, notes=("make its trace with nnanim trace --data moons",)),
    SceneEntry("forward", "nnanim.scenes.representations", "Forward",
               "one example flowing through the network at --step, layer by layer, outputs next to targets",
               needs="params", options=("example",)),
    SceneEntry("representations", "nnanim.scenes.representations", "Representations",
               "each neuron's output over a plane of two inputs, as a heatmap, layer by layer, at --step",
               needs="params", options=("inputs", "compare")),
    SceneEntry("training", "nnanim.scenes.training", "Training",
               "the network and its loss side by side while the run plays; predictions move to their targets",
               needs="params", options=("duration",)),
    SceneEntry("loss", "nnanim.scenes.loss", "Loss",
               "the loss of every step of the trace, drawn as it descends", needs="params", options=("log",)),
    SceneEntry("derivative", "nnanim.scenes.derivative", "Derivative",
               "f(x) = 3x^2 - 7x + 10 near x = 3: the secant turning into the tangent as h shrinks, slope -> 11",
               needs="nothing", options=("function", "at")),
    SceneEntry("descent", "nnanim.scenes.derivative", "Descent",
               "x <- x - lr*f'(x): f from 16 to 14.826, more steps downhill, then g(a, b, c) = 3ab - c",
               needs="nothing", options=("function", "at")),
]}


def unknown(name):
    """Why `name` is not a scene, in one line: the scene it looks like (a misspelling), and the choices."""
    close = difflib.get_close_matches(str(name), SCENES, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{name!r} is not a scene{hint}; choose from {', '.join(SCENES)}"


def entry_of(scene_class):
    """The entry of a scene class (or of the registered class it derives from). Manim's own command line
    (`manim scenes/formula.py Formula`) loads the file as a module named after it (`formula`), so a module
    is known by its last name."""
    for klass in scene_class.__mro__:
        for entry in SCENES.values():
            if entry.module.rsplit(".", 1)[-1] == klass.__module__.rsplit(".", 1)[-1] and entry.cls == klass.__name__:
                return entry
    raise LookupError(f"{scene_class.__name__} is not a registered scene")


def scene_of(file_name):
    """The scene a rendered file belongs to, by its name (`loss-formula-default.mp4` -> loss-formula)."""
    matches = [n for n in SCENES if file_name.startswith((n + "-", n + "."))]
    return max(matches, key=len) if matches else None


def readers(option_name):
    """The scenes that read an option, e.g. ['formula', 'loss-formula'] for values."""
    return [e.name for e in SCENES.values() if option_name in e.options]
