"""The command-line options of a render, declared once: `-q`, `--theme`, `--format`, `--transparent`,
`--size`, `--fps`, `-j`, and the scene options group made from the scene registry.

`nnanim render`, `storyboard`, `deck build` and a deck's ```nnanim block (nnanim.own_deck) all read their
options through these; the choices, bounds and defaults come from nnanim.render and nnanim.scenes.
"""

import click
import cloup

from nnanim.errors import NnanimError
from nnanim.render import DEFAULT_QUALITY, DEFAULT_THEME, FORMATS, MAX_FPS, QUALITIES, checked_size
from nnanim.scenes.options import SCENE_OPTIONS
from nnanim.scenes.registry import readers
from nnanim.scenes.theme import THEMES


class Size(click.ParamType):
    name = "WxH"

    def convert(self, value, param, ctx):
        try:
            return checked_size(value)
        except NnanimError as e:
            self.fail(str(e), param, ctx)


def quality(default=DEFAULT_QUALITY, also=""):
    """-q/--quality; default None means "the caller decides" (`also` says how, in the help)."""
    help = "As in Manim: " + ", ".join(f"{q} {w}x{h}@{fps}" for q, (w, h, fps) in QUALITIES.items()) + "." + also
    return cloup.option("-q", "--quality", type=click.Choice(list(QUALITIES)), default=default,
                        show_default=default is not None, help=help)


def theme(default=DEFAULT_THEME, help=None):
    return cloup.option("--theme", type=click.Choice(list(THEMES)), default=default,
                        show_default=default is not None, help=help)


def output_format():
    return cloup.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="mp4", show_default=True,
                        help="; ".join(f"{f}: {what}" for f, what in FORMATS.items()) + ".")


def transparent():
    return cloup.option("--transparent", is_flag=True,
                        help="Transparent background: MOV (from mp4), WebM (VP9 alpha) or PNG.")


def size(help="Frame size WxH, overriding the quality's (e.g. 160x90 for tests)."):
    return cloup.option("--size", type=Size(), help=help)


def fps():
    return cloup.option("--fps", type=click.IntRange(1, MAX_FPS), help="Frame rate, overriding the quality's.")


def jobs():
    return cloup.option("-j", "--jobs", type=click.IntRange(1, 64), help="Scenes rendered at once [default: one per core].")


def scene_options():
    """The options group of a scene: --step, --check-layout, then the registry's (each one's help says
    which scenes read it)."""
    return cloup.option_group(
        "Scene options (`nnanim scenes` says which scene reads which)",
        cloup.option("--step", default=0, show_default=True, type=int,
                     help="Step of the trace to show (negative: from the end)."),
        cloup.option("--check-layout", is_flag=True,
                     help="Fail if texts overlap, leave the title-safe area or are below the size floor, at "
                          "any stop or at the end (docs/visual-style.md)."),
        *(_scene_option(o) for o in SCENE_OPTIONS.values()),
    )


def given_scene_options(params):
    """The scene options a command line gave (by name; those left out are None)."""
    return {name: params[name] for name in SCENE_OPTIONS if params.get(name) is not None}


def _scene_option(option):
    default = option.default if not isinstance(option.default, tuple) else ",".join(map(str, option.default))
    shown = f" [default: {default}]" if default is not None and default is not False and "[default" not in option.help \
        else ""
    help = f"{', '.join(readers(option.name))}: {option.help}{shown}."
    if option.is_flag:
        return cloup.option(option.flag, is_flag=True, default=None, help=help)
    return cloup.option(option.flag, type=option.type, metavar=option.metavar, help=help)
