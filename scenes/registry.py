"""The scenes nnanim can render, by name: module, class and a line for `nnanim scenes`.

Importing this module does not import manim, so listing scenes is instant.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SceneEntry:
    name: str
    module: str
    cls: str
    summary: str
    options: tuple = ()  # the render options this scene reads, beyond --step and --theme

    def load(self):
        import importlib
        return getattr(importlib.import_module(self.module), self.cls)


SCENES = {e.name: e for e in [
    SceneEntry("formula", "scenes.formula", "Formula",
               "MLP(x, y, z) = ...: the whole network as one formula, typed out",
               ("--values: the parameters' numbers at --step", "--output K: only output K")),
    SceneEntry("loss-formula", "scenes.formula", "LossFormula",
               "LOSS(x, y, z, w_000, ..., gt_0, gt_1) = ...: the loss of one example, typed out",
               ("--values: the parameters' numbers at --step",)),
    SceneEntry("backprop", "scenes.backprop", "Backprop",
               "gradients flowing back through the graph, one backward event at a time",
               ("--neuron J,L: one neuron of the first example, with the gradient arriving at it",
                "--focus LABEL: the neuron a value belongs to (or that reads it first)",
                "--pace SECONDS: time per backward event (default 2; per neuron when following the wave: 1.2)",
                "a graph of more than 40 values without --neuron: one box per neuron, the camera follows the wave",
                "without a trace: the workshop's L = (a*b + c)*f, a=2, b=-3, c=10, f=-2")),
    SceneEntry("gradient-rules", "scenes.gradient_rules", "GradientRules",
               "how +, ×, tanh, **n, exp and relu pass the gradient back, with real numbers"),
    SceneEntry("neuron", "scenes.neuron", "Neuron",
               "a mathematician's neuron with the trace's numbers (first neuron, first example), then d inputs"),
    SceneEntry("layer", "scenes.neuron", "Layer",
               "the first layer: neurons reading the same inputs, each computing its own output"),
    SceneEntry("mlp", "scenes.network", "Mlp",
               "the network as layers of neurons, edges coloured by the weights' signs, at --step",
               ("--labels: name every neuron h_jl",)),
    SceneEntry("boundary", "scenes.network", "Boundary",
               "a two-input classifier's output sign over the plane, evolving with training (nnanim trace --data moons)",
               ("--duration SECONDS: length of the clip (default 12)",)),
    SceneEntry("forward", "scenes.network", "Forward",
               "one example flowing through the network at --step, layer by layer, outputs next to targets",
               ("--example K: which example of the trace's data (default 0)",)),
    SceneEntry("representations", "scenes.network", "Representations",
               "each neuron's output over a plane of two inputs, as a heatmap, layer by layer, at --step",
               ("--inputs I,J: the two inputs spanning the plane (default 0,1; others held at example 0)",
                "--compare: step 0 above --step")),
    SceneEntry("training", "scenes.network", "Training",
               "the network and its loss side by side while the run plays; predictions move to their targets",
               ("--duration SECONDS: length of the clip (default 12); early steps get more time",)),
    SceneEntry("loss", "scenes.loss", "Loss",
               "the loss of every step of the trace, drawn as it descends", ("--log: a log axis",)),
    SceneEntry("derivative", "scenes.derivative", "Derivative",
               "f(x) = 3x^2 - 7x + 10 near x = 3: the secant turning into the tangent as h shrinks, slope -> 11",
               ("--function 'EXPR': another f(x) (numbers, x, + - * / ^, exp log tanh sqrt relu)",
                "--at X: another point")),
    SceneEntry("descent", "scenes.derivative", "Descent",
               "x <- x - lr*f'(x): f from 16 to 14.826, more steps downhill, then g(a, b, c) = 3ab - c",
               ("--function 'EXPR', --at X: as for derivative",)),
]}
