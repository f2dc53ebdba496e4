"""The options a scene can be rendered with: each one's flag, type, default and help, once.

`nnanim render` turns this table into its command-line options; a scene run by Manim's own command
line (`manim -qm scenes/formula.py Formula`) reads the same options from NNANIM_<NAME> environment
variables (NNANIM_TRACE, NNANIM_STEP, NNANIM_ONLY_OUTPUT, ...), converted by the same types.
Importing this module does not import manim.
"""

import os
from dataclasses import dataclass, fields, make_dataclass

import click


class IndexPair(click.ParamType):
    """Two non-negative integers "A,B", e.g. a neuron J,L or a pair of inputs I,J."""

    def __init__(self, metavar, meaning, example):
        self.name = metavar
        self.meaning, self.example = meaning, example

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        try:
            a, b = (int(v) for v in str(value).split(","))
            if a < 0 or b < 0:
                raise ValueError
            return a, b
        except ValueError:
            self.fail(f"{value!r} is not {self.meaning}: give {self.name}, e.g. {self.example}", param, ctx)


@dataclass(frozen=True)
class Option:
    """One scene option: `name` is its attribute on SceneOptions and the NNANIM_<NAME> variable."""

    name: str
    type: object  # a click type; click.BOOL for a flag
    help: str
    default: object = None
    metavar: str | None = None

    @property
    def flag(self):
        return "--" + self.name.replace("_", "-")

    @property
    def is_flag(self):
        return self.type is click.BOOL

    def from_text(self, text):
        """The value of an NNANIM_<NAME> variable, converted as the command line would convert it."""
        try:
            return self.type.convert(text, None, None)
        except click.BadParameter as e:
            raise ValueError(f"NNANIM_{self.name.upper()}: {e.message}") from None


# What every scene reads.
COMMON = [
    Option("trace", click.STRING, "a trace file; none: the workshop's run, computed in memory"),
    Option("step", click.INT, "step of the trace to show (negative: from the end)", default=0),
    Option("theme", click.Choice(["dark", "light"]), "colours", default="dark"),
    Option("for_gif", click.BOOL, "move less at once: a GIF stores changed rectangles", default=False),
    Option("check_layout", click.BOOL, "fail if texts overlap, leave the safe area or are below the size "
                                       "floor, at any stop or at the end", default=False),
]

# What some scenes read; scenes/registry.py says which scene reads which.
SCENE_OPTIONS = {o.name: o for o in [
    Option("values", click.BOOL, "write the parameters' numbers at --step", default=False),
    Option("large_type", click.BOOL, "every text 1.6 times larger, fewer symbols a line: for a scene shown "
                                     "small (nnanim deck build sets it for a formula inside a callout)",
           default=False),
    Option("only_output", click.IntRange(0), "show only output K", metavar="K"),
    Option("neuron", IndexPair("J,L", "a neuron", "0,1 (neuron 0 of layer 1)"),
           "neuron J of layer L, for the first example"),
    Option("focus", click.STRING, "the neuron of the value labelled LABEL", metavar="LABEL"),
    Option("pace", click.FloatRange(0.2, 20), "seconds per backward event [default: 2; 1.2 per neuron "
                                              "when the camera follows the wave]", metavar="SECONDS"),
    Option("log", click.BOOL, "a log axis for the loss", default=False),
    Option("labels", click.BOOL, "name every neuron h_jl", default=False),
    Option("duration", click.FloatRange(1, 600), "seconds of the clip",
           default=12.0, metavar="SECONDS"),
    Option("example", click.IntRange(0), "which example of the trace's data", default=0, metavar="K"),
    Option("inputs", IndexPair("I,J", "a pair of inputs", "0,1"),
           "the two inputs spanning the plane (the others held at example 0)", default=(0, 1)),
    Option("compare", click.BOOL, "step 0 above --step", default=False),
    Option("function", click.STRING, "f(x): numbers, x, + - * / ^, exp log tanh sqrt relu "
                                     "[default: 3x^2 - 7x + 10]", metavar="EXPR"),
    Option("at", click.FLOAT, "the point x", default=3.0, metavar="X"),
]}

ALL = COMMON + list(SCENE_OPTIONS.values())

SceneOptions = make_dataclass("SceneOptions", [(o.name, object, o.default) for o in ALL], frozen=True)
SceneOptions.__doc__ = "The options one render of a scene was asked for (see nnanim.scenes.options)."


def from_environment(environ=None):
    """SceneOptions from NNANIM_<NAME> variables: how a scene run by `manim` gets its options."""
    environ = os.environ if environ is None else environ
    given = {}
    for option in ALL:
        text = environ.get(f"NNANIM_{option.name.upper()}")
        if text:
            given[option.name] = option.from_text(text)
    return SceneOptions(**given)


def given(options):
    """The scene options (not the common ones) that differ from their defaults."""
    return {f.name for f in fields(options)
            if f.name in SCENE_OPTIONS and getattr(options, f.name) != SCENE_OPTIONS[f.name].default}
