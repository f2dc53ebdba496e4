"""The `nnanim` command: trace runs, inspect and draw traces.

Commands that do not render never import manim, so they start in a fraction of a second.
"""

import json
import sys
import time
from pathlib import Path

import click

from engine import TraceError, load_trace
from engine.datasets import DATASETS
from engine.datasets import make as make_dataset
from nnanim.runs import DEFAULTS, TOY_DEFAULTS, RunError, load_data, parse_architecture, script_run, workshop_run

RENDERS = Path("renders")


class DataSource(click.ParamType):
    """A toy data set's name, or a JSON file that exists."""

    name = "NAME|FILE"

    def convert(self, value, param, ctx):
        if value in DATASETS or isinstance(value, Path):
            return value
        path = Path(value)
        if not path.is_file():
            self.fail(f"{value!r} is neither {', '.join(DATASETS)} nor an existing JSON file", param, ctx)
        return path


class Architecture(click.ParamType):
    name = "ARCH"

    def convert(self, value, param, ctx):
        if isinstance(value, list):
            return value
        try:
            return parse_architecture(value)
        except ValueError as e:
            self.fail(str(e), param, ctx)


def _load(path):
    try:
        return load_trace(path)
    except TraceError as e:
        raise click.ClickException(str(e)) from None


def _output_dir_ok(path):
    path = Path(path)
    if not path.parent.is_dir():
        raise click.ClickException(f"cannot write {path}: folder {path.parent} does not exist")
    return path


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nnanim")
def main():
    """Animations of neural networks learning, replayed from real training runs."""


@main.command()
@click.argument("script", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--arch", type=Architecture(), help="Inputs, then layer widths [default: 3,2,4,4,2].")
@click.option("--steps", type=click.IntRange(1, 1_000_000), help=f"Training steps [default: {DEFAULTS['steps']}].")
@click.option("--lr", type=float, help=f"Learning rate [default: {DEFAULTS['lr']}].")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), help=f"Seed of the initial parameters [default: {DEFAULTS['seed']}].")
@click.option("--loss", type=click.Choice(["sse", "mse"]), help="Loss: total sum of squared errors (the workshop's) or mean.")
@click.option("--data", "data_file", type=DataSource(),
              help='moons, xor or circles (seeded 2-D toy data: network 2,8,8,1, 200 steps, lr 0.005), or a JSON '
                   'file {"inputs": [[...]], "targets": [[...]]}.')
@click.option("--record", "level", type=click.Choice(["all", "params"]),
              help="all: every node of every step; params: parameters, grads and losses only "
                   "[default: all; params with a toy data set].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Trace file to write [default: renders/default.nntrace, or renders/SCRIPT.nntrace].")
def trace(script, arch, steps, lr, seed, loss, data_file, level, output):
    """Record a training run to a trace file.

    Without SCRIPT: the workshop's network (3 inputs; layers 2, 4, 4, 2), data, loss and learning rate,
    seeded with 42. With SCRIPT: runs your own workshop-style Python script (importing `engine`)
    and records every backward() it calls.
    """
    if script is not None and any(v is not None for v in (arch, steps, lr, seed, loss, data_file, level)):
        raise click.UsageError("--arch, --steps, --lr, --seed, --loss and --data describe the built-in run; "
                               "a SCRIPT sets these itself")
    if output is None:
        RENDERS.mkdir(exist_ok=True)
        output = RENDERS / f"{script.stem if script else 'default'}.nntrace"
    output = _output_dir_ok(output)
    try:
        if script is not None:
            result = script_run(script)
        elif isinstance(data_file, str):  # a toy data set
            arch = arch or TOY_DEFAULTS["architecture"]
            if arch[0] != 2 or arch[-1] != 1:
                raise click.BadParameter("the toy data sets have 2 inputs and 1 label; --arch must be 2,...,1",
                                         param_hint="'--arch'")
            result = _train_with_progress(arch, steps or TOY_DEFAULTS["steps"], lr or TOY_DEFAULTS["lr"], seed,
                                          loss, make_dataset(data_file), level or "params", data_file)
        else:
            arch = arch or DEFAULTS["architecture"]
            data = load_data(data_file, arch) if data_file else None
            result = _train_with_progress(arch, steps, lr, seed, loss, data, level or "all")
    except RunError as e:
        raise click.ClickException(str(e)) from None
    bad = result.first_bad_step()
    if bad is not None:
        click.echo(f"warning: the run diverged: step {bad} has NaN or infinite values (saved anyway)", err=True)
    try:
        result.save(output)
    except OSError as e:
        raise click.ClickException(f"cannot write {output}: {e.strerror}") from None
    click.echo(f"wrote {output} ({result.num_steps} steps, {output.stat().st_size / 1e6:.1f} MB)")


def _train_with_progress(arch, steps, lr, seed, loss, data, level, data_name=None):
    total = steps or DEFAULTS["steps"]
    run = dict(level=level, data_name=data_name)
    if not sys.stderr.isatty():
        return workshop_run(arch, steps, lr, seed, loss, data, **run)
    with click.progressbar(length=total, label="training", file=sys.stderr) as bar:
        return workshop_run(arch, steps, lr, seed, loss, data, on_step=lambda step, _: bar.update(1), **run)


@main.command()
@click.argument("trace_file", metavar="TRACE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON (keys in docs/trace-format.md).")
def inspect(trace_file, as_json):
    """Summarize a trace: version, architecture, steps, graph sizes, loss."""
    from nnanim.summary import as_text, summarize

    info = summarize(_load(trace_file))
    click.echo(json.dumps(info, indent=2) if as_json else as_text(info, trace_file))


@main.command()
@click.argument("trace_file", metavar="[TRACE]", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--step", default=0, show_default=True, type=int, help="Which step of the trace (negative: from the end).")
@click.option("--after-backward", is_flag=True, help="Show the grads after the step's backward pass.")
@click.option("--group", type=click.Choice(["auto", "neuron", "none"]), default="auto", show_default=True,
              help="One box per neuron (auto: for graphs of more than 150 nodes).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Picture to write: FILE.svg or FILE.png.")
def draw(trace_file, step, after_backward, group, output):
    """Draw a step's Value graph, as the workshop's draw.py does.

    Without TRACE: the workshop's L = (a*b + c)*f with a=2, b=-3, c=10, f=-2, after backward.
    """
    from engine.graph import workshop_expression, write_picture
    from engine.trace import Step

    if output.suffix.lower() not in (".svg", ".png"):
        raise click.BadParameter("the picture must be a .svg or .png file", param_hint="'-o'")
    _output_dir_ok(output)
    if trace_file is None:
        chosen, after_backward = Step.of(workshop_expression()), True
    else:
        try:
            chosen = _load(trace_file).step(step)
        except TraceError as e:
            raise click.ClickException(str(e)) from None
    try:
        write_picture(chosen, output, after_backward=after_backward, group=group)
    except OSError as e:
        raise click.ClickException(f"cannot write {output}: {e.strerror or e}") from None
    click.echo(f"wrote {output}")


class Size(click.ParamType):
    name = "WxH"

    def convert(self, value, param, ctx):
        try:
            w, h = (int(v) for v in value.lower().split("x"))
            if w < 16 or h < 16 or w % 2 or h % 2 or w > 7680 or h > 4320:
                raise ValueError
            return w, h
        except ValueError:
            self.fail(f"{value!r} is not a size like 1280x720 (even numbers, 16 to 7680)", param, ctx)


class NeuronIndex(click.ParamType):
    name = "J,L"

    def convert(self, value, param, ctx):
        try:
            j, l = (int(v) for v in value.split(","))
            if j < 0 or l < 0:
                raise ValueError
            return j, l
        except ValueError:
            self.fail(f"{value!r} is not a neuron: give J,L (neuron J of layer L), e.g. 0,1", param, ctx)


@main.command()
def scenes():
    """List the scenes that `nnanim render` knows."""
    from scenes.registry import SCENES

    width = max(len(name) for name in SCENES)
    for name, entry in SCENES.items():
        click.echo(f"{name:{width}}  {entry.summary}")
        for option in entry.options:
            click.echo(f"{'':{width}}    {option}")


def _scene_names():
    from scenes.registry import SCENES
    return list(SCENES)


@main.command()
@click.argument("scene", metavar="SCENE", required=False)
@click.argument("trace_file", metavar="[TRACE]", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--all", "deck", is_flag=True, help="Render every scene of the deck (then the first argument is TRACE).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), help="--all: scenes rendered at once [default: one per core].")
@click.option("--force", is_flag=True, help="--all: render even what is up to date.")
@click.option("--step", default=0, show_default=True, type=int, help="Step of the trace to show (negative: from the end).")
@click.option("-q", "--quality", type=click.Choice(["l", "m", "h", "k"]), default="m", show_default=True,
              help="As in Manim: l 854x480@15, m 1280x720@30, h 1920x1080@60, k 3840x2160@60.")
@click.option("--format", "fmt", type=click.Choice(["mp4", "webm", "gif", "png"]), default="mp4", show_default=True,
              help="png: the last frame. gif: at most 1280 px wide and 15 fps.")
@click.option("--theme", type=click.Choice(["dark", "light"]), default="dark", show_default=True)
@click.option("--transparent", is_flag=True, help="Transparent background: MOV (from mp4), WebM (VP9 alpha) or PNG.")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=RENDERS,
              show_default=True, help="Folder to write to.")
@click.option("--size", type=Size(), help="Frame size WxH, overriding the quality's (e.g. 160x90 for tests).")
@click.option("--fps", type=click.IntRange(1, 120), help="Frame rate, overriding the quality's.")
@click.option("--values", is_flag=True, help="Formulas: write the parameters' numbers at --step.")
@click.option("--output", "output_index", type=click.IntRange(0), help="Formulas: show only output K.")
@click.option("--neuron", type=NeuronIndex(), help="backprop: neuron J,L (neuron J of layer L) of the first example.")
@click.option("--focus", help="backprop: the neuron of the value labelled LABEL.")
@click.option("--pace", type=click.FloatRange(0.2, 20), help="backprop: seconds per backward event [default: 2].")
@click.option("--log", "log_axis", is_flag=True, help="loss: a log axis for the loss.")
@click.option("--labels", is_flag=True, help="mlp: name every neuron.")
@click.option("--duration", type=click.FloatRange(1, 600), help="training, boundary: seconds of the clip [default: 12].")
@click.option("--example", type=click.IntRange(0), help="forward: which example of the trace's data [default: 0].")
@click.option("--inputs", "plane", type=NeuronIndex(), help="representations: the two inputs I,J spanning the plane.")
@click.option("--compare", is_flag=True, help="representations: step 0 above --step.")
@click.option("--function", "function", help="derivative, descent: f(x), e.g. '3x^2 - 7x + 10'.")
@click.option("--at", "at", type=float, help="derivative, descent: the point x [default: 3].")
def render(scene, trace_file, deck, jobs, force, step, quality, fmt, theme, transparent, output_dir, size, fps, values,
           output_index, neuron, focus, pace, log_axis, labels, duration, example, plane, compare, function, at):
    """Render SCENE from TRACE (default: the workshop's run) into renders/SCENE[-TRACE].EXT;
    or, with --all, every scene of the deck from TRACE."""
    from nnanim.render import RenderError, RenderRequest, render as render_scene

    if output_dir == RENDERS:
        RENDERS.mkdir(exist_ok=True)
    if deck:
        if trace_file is not None:
            raise click.UsageError("with --all, give only TRACE")
        trace_path = Path(scene) if scene else None
        if trace_path is not None and not trace_path.is_file():
            raise click.BadParameter(f"{scene!r} is not a trace file", param_hint="'TRACE'")
        _render_deck(trace_path, output_dir, quality, fmt, theme, size, fps, jobs, force)
        return
    if scene is None:
        raise click.UsageError("give a SCENE (`nnanim scenes` lists them), or --all")
    if scene not in _scene_names():
        raise click.BadParameter(f"{scene!r} is not a scene; choose from {', '.join(_scene_names())}",
                                 param_hint="'SCENE'")
    request = RenderRequest(scene, trace_file, step, quality, fmt, theme, transparent, output_dir, size, fps,
                            {"values": values, "output": output_index, "neuron": neuron, "focus": focus,
                             "pace": pace, "function": function, "at": at, "extra": {"log": log_axis, "labels": labels, "duration": duration, "example": example,
                                       "inputs": plane, "compare": compare}})
    if transparent:
        kind = {"mp4": "MOV (QuickTime Animation, with alpha)", "webm": "WebM (VP9 with alpha)",
                "png": "PNG with alpha"}.get(fmt)
        if kind:
            click.echo(f"transparent background: writing {kind}", err=True)
    try:
        path = render_scene(request)
    except RenderError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()


def _render_deck(trace_path, out_dir, quality, fmt, theme, size, fps, workers, force):
    """Every scene of the deck, in parallel; one line per scene; non-zero exit if one failed."""
    import os

    from nnanim.deck import plan, run

    trace = _load(trace_path) if trace_path else None
    jobs = plan(trace_path, trace, out_dir, quality, fmt, theme, size, fps)
    workers = workers or os.cpu_count() or 1
    symbols = {"done": "rendered", "up to date": "up to date", "skipped": "skipped", "failed": "FAILED"}
    bar = click.progressbar(length=len(jobs), label="deck", file=sys.stderr) if sys.stderr.isatty() else None

    def report(job):
        name = job.output.name if job.status != "skipped" else job.slide.scene
        detail = {"done": f"{job.seconds:.1f} s, {job.size / 1e6:.1f} MB", "failed": job.message,
                  "skipped": job.message, "up to date": ""}[job.status]
        click.echo(f"{symbols[job.status]:10s} {name}" + (f"  ({detail})" if detail else ""))
        if bar:
            bar.update(1)

    start = time.perf_counter()
    run(jobs, workers, force, report)
    if bar:
        bar.render_finish()
    failed = [j for j in jobs if j.status == "failed"]
    click.echo(f"deck: {sum(j.status == 'done' for j in jobs)} rendered, {sum(j.status == 'up to date' for j in jobs)} "
               f"up to date, {sum(j.status == 'skipped' for j in jobs)} skipped, {len(failed)} failed "
               f"in {time.perf_counter() - start:.0f} s")
    if failed:
        raise click.ClickException(f"{len(failed)} of {len(jobs)} scenes failed: " +
                                   ", ".join(j.output.name for j in failed))


@main.command()
@click.argument("renders_dir", metavar="[RENDERS_DIR]", required=False, default=str(RENDERS),
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write slides.md, slides.html, media/ and reveal/ [default: RENDERS_DIR/slides].")
@click.option("--title", default="Neural networks, from scratch", show_default=True)
@click.option("--reveal", "reveal_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A reveal.js package folder to copy (default: node_modules/reveal.js, from `npm ci`).")
@click.option("--cdn", is_flag=True, help="Load reveal.js online instead of copying it.")
@click.option("--theme", type=click.Choice(["dark", "light"]), default="dark", show_default=True)
def slides(renders_dir, output_dir, title, reveal_dir, cdn, theme):
    """Write the rendered deck as Obsidian markdown and a reveal.js page that works offline."""
    from nnanim.slides import SlidesError, write

    try:
        paths = write(renders_dir, output_dir or renders_dir / "slides", title, reveal_dir, cdn, theme)
    except SlidesError as e:
        raise click.ClickException(str(e)) from None
    for path in paths:
        click.echo(f"wrote {path}")
