"""The `nnanim` command (also `python -m nnanim`): trace runs, inspect and draw traces, render scenes,
write slides. A front end over the library (nnanim/api.py, nnanim.render): every command builds what it
asks for (a RenderRequest, a deck build) and calls it; an NnanimError becomes one line and exit status 1,
caught once, by the group.

Commands that do not render never import manim, so they start in a fraction of a second. The render
options and the scene names come from the scene registry (nnanim/render_options.py).
"""

import json
import sys
import time
from pathlib import Path

import click
import cloup

from nnanim import render_options, sandbox
from nnanim.engine import TraceError, load_trace
from nnanim.engine.atomic import check_writable, real_folder
from nnanim.engine.datasets import DATASETS
from nnanim.errors import NnanimError, printable, said
from nnanim.render import RENDERS, RenderRequest, flags, unread_options
from nnanim.runs import DEFAULTS, load_data, parse_architecture, planned_steps, toy_run, workshop_run
from nnanim.scenes.options import SCENE_OPTIONS
from nnanim.scenes.registry import NEEDS, SCENES, unknown


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


def _wrote(paths, remarks, kind):
    """Say what a command wrote, after its remarks (a line each on stderr, starting `kind:`); returns the
    paths (what `%nnanim` in a notebook shows)."""
    for remark in remarks:
        click.echo(f"{kind}: {printable(remark, 4000)}", err=True)  # names from a shared deck: no terminal codes
    for path in paths:
        click.echo(f"wrote {printable(path)}")
    return paths


def _writable(path):
    """The path, if a file can be written there (checked before any long work); else one line."""
    try:
        check_writable(path)
    except OSError as e:
        raise click.ClickException(f"cannot write {path}: {e.strerror or e}") from None
    return path


def _inside(folder, name):
    """A default output folder inside a folder that may be shared: a link there is replaced, not followed."""
    try:
        return real_folder(folder, folder / name)
    except OSError as e:
        raise click.ClickException(f"cannot create folder {folder / name}: {e.strerror}") from None


def _made(folder):
    """The folder, created with its parents if missing (as Manim and most tools do)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise click.ClickException(f"cannot create folder {folder}: {e.strerror}") from None
    if not folder.is_dir():
        raise click.ClickException(f"cannot write into {folder}: it is not a folder")
    return folder


class Nnanim(cloup.Group):
    """The command group: a person's mistake (NnanimError) from any command is one line, exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except NnanimError as e:
            raise click.ClickException(said(e)) from None


def script_limits(command):
    """--timeout and --memory: the fence around a script someone else wrote (nnanim.sandbox)."""
    command = click.option("--memory", type=click.IntRange(64, 1 << 20), default=sandbox.MEGABYTES, show_default=True,
                           metavar="MB", help="The script's memory limit.")(command)
    return click.option("--timeout", type=click.FloatRange(1, 86400), default=sandbox.SECONDS, show_default=True,
                        metavar="SECONDS", help="The script's time limit.")(command)


@cloup.group(cls=Nnanim, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nnanim")
def main():
    """Animations of neural networks learning, replayed from real training runs."""


def run():
    """The `nnanim` command (and `python -m nnanim`): SIGTERM unwinds like Ctrl-C, so temporary folders are
    removed and renders under way are stopped. Called in-process (a notebook), the host's signals stay its own."""
    from nnanim.worker import stop_on_sigterm

    stop_on_sigterm()
    main(prog_name="nnanim")


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
@click.option("-o", "--out", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="The trace file to write [default: renders/default.nntrace, or renders/SCRIPT.nntrace].")
@click.option("--value", "value_class", metavar="MODULE:CLASS",
              help="The script's Value class, when finding it by its shape is not enough (e.g. engine:Value).")
@script_limits
def trace(script, arch, steps, lr, seed, loss, data_file, level, output, value_class, timeout, memory):
    """Record a training run to a trace file.

    Without SCRIPT: the workshop's network (3 inputs; layers 2, 4, 4, 2), data, loss and learning rate,
    seeded with 42. With SCRIPT: runs your own Python script and records every backward() it calls: of
    networks built with nnanim, or with the script's own Value class (the workshop's, micrograd's, a
    student's), unchanged, in a process of its own with a time and a memory limit (docs/security.md).
    """
    if value_class and script is None:
        raise click.UsageError("--value names the Value class of a SCRIPT")
    if script is not None and any(v is not None for v in (arch, steps, lr, seed, loss, data_file, level)):
        raise click.UsageError("--arch, --steps, --lr, --seed, --loss and --data describe the built-in run; "
                               "a SCRIPT sets these itself")
    output = output or RENDERS / f"{script.stem if script else 'default'}.nntrace"
    _made(output.parent)
    _writable(output)
    if script is not None:
        result = sandbox.trace_script(script, output, value_class, timeout, memory)
    elif isinstance(data_file, str):  # a toy data set
        result = _with_progress(planned_steps(steps, data_file), toy_run, data_file, arch, steps, lr, seed, loss,
                                level=level)
    else:
        data = load_data(data_file, arch or DEFAULTS["architecture"]) if data_file else None
        result = _with_progress(planned_steps(steps), workshop_run, arch, steps, lr, seed, loss, data, level=level)
    bad = result.first_bad_step()
    if bad is not None:
        click.echo(f"warning: the run diverged: step {bad} has NaN or infinite values (saved anyway)", err=True)
    try:
        if script is None:
            result.save(output)
    except OSError as e:
        raise click.ClickException(f"cannot write {output}: {e.strerror or e}") from None
    except TraceError as e:
        raise click.ClickException(f"cannot save this run: {e}") from None
    click.echo(f"wrote {output} ({_count(result.num_steps, 'step')}, {output.stat().st_size / 1e6:.1f} MB)")
    return output


def _count(n, thing):
    """"1 step", "3 steps"."""
    return f"{n} {thing}{'' if n == 1 else 's'}"


def _with_progress(total, run, *args, **kwargs):
    """Run a training run, with a progress bar on a terminal."""
    if not sys.stderr.isatty():
        return run(*args, **kwargs)
    with click.progressbar(length=total, label="training", file=sys.stderr) as bar:
        return run(*args, on_step=lambda step, loss: bar.update(1), **kwargs)


@main.command()
@click.argument("script", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--value", "value_class", metavar="MODULE:CLASS",
              help="The script's Value class, when finding it by its shape is not enough (e.g. engine:Value).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the findings as JSON (for graders and scripts); the exit status is the same.")
@script_limits
def check(script, value_class, as_json, timeout, memory):
    """Run SCRIPT and check its own Value class's backward() against the chain rule, step by step.

    One line per finding (the first step and node where it happens, expected and actual values, the likely
    cause). Exit status: 0 all agree, 1 something does not, 2 the script fails. The script runs in a
    process of its own with a time and a memory limit (docs/security.md)."""
    from nnanim.runs import RunError

    try:
        report = sandbox.check_script(script, value_class, timeout, memory, sys.stderr if as_json else None)
    except RunError as e:
        if as_json:
            click.echo(json.dumps({"script": script.name, "status": "failed", "error": said(e)}, indent=2))
        else:
            click.echo(f"Error: {said(e)}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps({"script": script.name, "status": "findings" if report.findings else "agrees",
                               "steps": report.steps, "nnanim_steps": report.nnanim_steps,
                               "findings": [{"kind": f.kind, "step": f.step, "text": f.text} for f in report.findings],
                               "not_checked": report.notes}, indent=2))
        sys.exit(1 if report.findings else 0)
    for finding in report.findings:
        click.echo(finding.text)
    for note in report.notes:
        click.echo(note)
    if report.findings:
        click.echo(f"{script.name}: {len(report.findings)} finding{'s' * (len(report.findings) > 1)} in "
                   f"{report.steps} step{'s' * (report.steps > 1)}")
        sys.exit(1)
    if report.steps == 0:
        click.echo(f"{script.name} uses nnanim's own Value ({report.nnanim_steps} backward() call{'s' * (report.nnanim_steps > 1)}): its backward is "
                   "nnanim's, nothing of the script's own to check")
        return
    unchecked = f"; {len(report.notes)} not checked, above" if report.notes else ""
    click.echo(f"{script.name}: every gradient agrees with the chain rule ({report.steps} "
               f"step{'s' * (report.steps > 1)}{unchecked})")


@main.command()
@click.argument("trace_file", metavar="TRACE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON (keys in docs/trace-format.md).")
def inspect(trace_file, as_json):
    """Summarize a trace: version, architecture, steps, graph sizes, loss."""
    from nnanim.engine.tracefile import portable
    from nnanim.summary import as_text, summarize

    info = summarize(load_trace(trace_file))
    click.echo(json.dumps(portable(info), indent=2, allow_nan=False) if as_json else as_text(info, trace_file))


@main.command()
@click.argument("trace_file", metavar="[TRACE]", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--step", default=0, show_default=True, type=int, help="Which step of the trace (negative: from the end).")
@click.option("--after-backward", is_flag=True, help="Show the grads after the step's backward pass.")
@click.option("--group", type=click.Choice(["auto", "neuron", "none"]), default="auto", show_default=True,
              help="One box per neuron (auto: for graphs of more than 150 nodes).")
@click.option("-o", "--out", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The picture to write: FILE.svg or FILE.png.")
def draw(trace_file, step, after_backward, group, output):
    """Draw a step's Value graph, as the workshop's draw.py does.

    Without TRACE: the workshop's L = (a*b + c)*f with a=2, b=-3, c=10, f=-2, after backward.
    """
    from nnanim.drawing import write_picture
    from nnanim.engine.graph import workshop_expression
    from nnanim.engine.steps import Step

    if output.suffix.lower() not in (".svg", ".png"):
        raise click.BadParameter("the picture must be a .svg or .png file", param_hint="'-o'")
    _made(output.parent)
    _writable(output)
    if trace_file is None:
        chosen, after_backward = Step.of(workshop_expression()), True
    else:
        chosen = load_trace(trace_file).step(step)
    write_picture(chosen, output, after_backward=after_backward, group=group)
    click.echo(f"wrote {output}")
    return output


@main.command()
@click.argument("source", metavar="[TRACE | SCRIPT.py]", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--out", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="The page to write [default: renders/explore.html, or renders/SCRIPT-explore.html].")
@click.option("--steps", metavar="START:STOP:STEP",
              help="Carry the graphs of these steps only (a Python slice); the loss of every step is kept.")
@render_options.theme(help="The page's theme when it opens (the page can switch).")
@click.option("--value", "value_class", metavar="MODULE:CLASS",
              help="The script's Value class, when finding it by its shape is not enough.")
@script_limits
def explore(source, output, steps, theme, value_class, timeout, memory):
    """Write a run as one interactive page that works offline: the loss curve, every step's graph, the
    backward pass event by event (docs/explore.md).

    Without SOURCE: the workshop's run (as `nnanim trace` records it). A SCRIPT.py is run as `nnanim trace`
    runs one: in a process of its own, with a time and a memory limit.
    """
    import tempfile

    from nnanim.explore_page import step_range, write_page

    script = source is not None and source.suffix == ".py"
    if value_class and not script:
        raise click.UsageError("--value names the Value class of a SCRIPT.py")
    output = output or RENDERS / (f"{source.stem}-explore.html" if source else "explore.html")
    _made(output.parent)
    _writable(output)
    with tempfile.TemporaryDirectory(prefix="nnanim-explore-") as work:  # a script's trace, read while the page is made
        if script:
            run = sandbox.trace_script(source, Path(work) / "run.nntrace", value_class, timeout, memory)
        elif source is not None:
            run = load_trace(source)
        else:
            run = _with_progress(planned_steps(None), workshop_run)
        chosen = step_range(steps, run.num_steps) if steps else None
        write_page(run, output, chosen, title=source.name if source else "the workshop's run", theme=theme)
    click.echo(f"wrote {printable(output)} ({output.stat().st_size / 1e6:.1f} MB)")
    return output


@main.command()
def scenes():
    """List the scenes that `nnanim render` knows, with the options each one reads."""
    width = max(len(name) for name in SCENES)
    for name, entry in SCENES.items():
        click.echo(f"{name:{width}}  {entry.summary}")
        for option in (SCENE_OPTIONS[o] for o in entry.options):
            click.echo(f"{'':{width}}    {_usage(option)}: {option.help}")
        if entry.needs != "graph":
            click.echo(f"{'':{width}}    reads {NEEDS[entry.needs]}")
        for note in entry.notes:
            click.echo(f"{'':{width}}    {note}")


def _usage(option):
    return option.flag if option.is_flag else f"{option.flag} {option.metavar or option.type.name.upper()}"


def _scene_request(scene, trace_file, given, **settings):
    """A RenderRequest for one scene, its options checked against what the scene reads."""
    if scene is None:
        raise click.UsageError("give a SCENE (`nnanim scenes` lists them)")
    if scene not in SCENES:
        raise click.BadParameter(unknown(scene), param_hint="'SCENE'")
    unread = unread_options(scene, given)
    if unread:
        raise click.UsageError(unread)
    return RenderRequest(scene, trace_file, scene_options=given, **settings)


@main.command(no_args_is_help=False)
@cloup.argument("scene", metavar="SCENE", required=False)
@cloup.argument("trace_file", metavar="[TRACE]", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@cloup.option_group(
    "Output",
    cloup.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=RENDERS,
                 show_default=True, help="The folder to write into (created if missing)."),
    render_options.quality(),
    render_options.output_format(),
    render_options.theme(),
    render_options.transparent(),
    render_options.size(),
    render_options.fps(),
)
@cloup.option_group(
    "The deck",
    cloup.option("--all", "deck", is_flag=True,
                 help="Render every scene of the deck (then the first argument is TRACE; without one, the "
                      "workshop's run is traced into the output folder first)."),
    render_options.jobs(),
    cloup.option("--force", is_flag=True, help="Render even what is up to date."),
)
@render_options.scene_options()
def render(scene, trace_file, out_dir, quality, fmt, theme, transparent, size, fps, deck, jobs, force, step,
           check_layout, **scene_options):
    """Render SCENE from TRACE (default: the workshop's run) into OUT/SCENE[-TRACE].EXT;
    or, with --all, every scene of the deck from TRACE."""
    from nnanim.render import render as render_scene

    given = render_options.given_scene_options(scene_options)
    if deck:
        if trace_file is not None:
            raise click.UsageError("with --all, give only TRACE")
        if given:
            raise click.UsageError(f"{flags(given)} apply to one SCENE, not to --all")
        trace_path = Path(scene) if scene else None
        if trace_path is not None and not trace_path.is_file():
            raise click.BadParameter(f"{scene!r} is not a trace file", param_hint="'TRACE'")
        return _render_deck(trace_path, _made(out_dir), quality, fmt, theme, size, fps, jobs, force)
    if scene is None:
        raise click.UsageError("give a SCENE (`nnanim scenes` lists them), or --all")
    request = _scene_request(scene, trace_file, given, step=step, quality=quality, fmt=fmt, theme=theme,
                             transparent=transparent, out_dir=out_dir, size=size, fps=fps, check_layout=check_layout)
    if transparent:
        kind = {"mp4": "MOV (QuickTime Animation, with alpha)", "webm": "WebM (VP9 with alpha)",
                "png": "PNG with alpha"}.get(fmt)
        if kind:
            click.echo(f"transparent background: writing {kind}", err=True)
    path = render_scene(request)
    click.echo(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return path


@main.command()
@cloup.argument("scene", metavar="SCENE", required=False)
@cloup.argument("trace_file", metavar="[TRACE]", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@cloup.option_group(
    "Output",
    cloup.option("-o", "--out", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
                 help="The sheet to write: FILE.png or FILE.pdf."),
    render_options.quality(default="l"),
    render_options.theme(),
    render_options.size(help="Frame size WxH, overriding the quality's."),
)
@render_options.scene_options()
def storyboard(scene, trace_file, output, quality, theme, size, step, check_layout, **scene_options):
    """The frame at every stop of SCENE (and its last frame) on one sheet, each labelled with its time:
    to preview a scene, to review it, or to hand out."""
    from nnanim.storyboard import storyboard as write_storyboard

    given = render_options.given_scene_options(scene_options)
    if output.suffix.lower() not in (".png", ".pdf"):
        raise click.BadParameter("the storyboard must be a .png or .pdf file", param_hint="'-o'")
    _writable(_made(output.parent) / output.name)
    request = _scene_request(scene, trace_file, given, step=step, quality=quality, theme=theme, size=size,
                             check_layout=check_layout)
    count = write_storyboard(request, output)
    click.echo(f"wrote {output} ({count} frames)")
    return output


def _render_deck(trace_path, out_dir, quality, fmt, theme, size, fps, workers, force):
    """Every scene of the deck, in parallel; one line per scene; non-zero exit if one failed."""
    import os

    from nnanim.deck import plan, run

    if trace_path is None:
        trace_path = _workshop_trace(out_dir)
    trace = load_trace(trace_path)
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
    return [j.output for j in jobs if j.status in ("done", "up to date")]


def _workshop_trace(out_dir):
    """The workshop's run as a trace file in the output folder (made once: the run is seeded)."""
    path = out_dir / "workshop.nntrace"
    if not path.is_file():
        workshop_run().save(path)
        click.echo(f"wrote {path} (the workshop's run)")
    return path


@main.command()
@cloup.argument("renders_dir", metavar="[RENDERS_DIR]", required=False, default=str(RENDERS),
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@cloup.option_group(
    "What goes in",
    cloup.option("--trace", "trace_name", metavar="NAME", multiple=True,
                 help="Take the renders of this trace (renders/loss-NAME.mp4 …); needed when the folder "
                      "holds renders of several traces."),
    cloup.option("--notes", "notes_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="Your speaker notes: markdown, a `## Slide title` per slide, `### step 3` per step "
                      "(docs/slides.md)."),
    cloup.option("--title", default="Neural networks, from scratch", show_default=True),
    cloup.option("--explore", "explore", metavar="TRACE", multiple=True,
                 type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="Add a slide with this trace's explorer (docs/explore.md). Repeatable."),
)
@cloup.option_group(
    "The page",
    cloup.option("--option", "options", multiple=True, metavar="KEY=VALUE",
                 help="A reveal.js option, e.g. --option controls=false --option transition=none "
                      "(VALUE is JSON or a string). Repeatable."),
    render_options.theme(default=None,
                         help="The page's colours when the renders do not say theirs [default: the renders' theme]."),
    cloup.option("--reveal", "reveal_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
                  help="A reveal.js package folder to copy [default: the one installed with nnanim]."),
    cloup.option("--cdn", is_flag=True, help="Load reveal.js online instead of copying it."),
)
@cloup.option_group(
    "Output",
    cloup.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                 help="The folder to write slides.html, slides.md, media/ and reveal/ into "
                      "[default: RENDERS_DIR/slides]."),
    cloup.option("--gif", is_flag=True, help="Embed GIFs in slides.md (for vaults that prefer them)."),
    cloup.option("--pdf", is_flag=True,
                 help="Also write handout.pdf: a page per step, its frame and its notes (printed by Chromium)."),
)
def slides(renders_dir, trace_name, notes_file, title, explore, options, theme, reveal_dir, cdn, out_dir, gif, pdf):
    """Write the rendered deck as a reveal.js page and an Obsidian note: every stop of an animation is a
    step, every step has speaker notes (S opens the speaker view)."""
    from nnanim.slides import write

    paths, warnings = write(renders_dir, _made(out_dir or _inside(renders_dir, "slides")), title, trace_name, theme,
                            reveal_dir, cdn, options, notes_file, gif, pdf, explore)
    return _wrote(paths, warnings, "note")


@main.group()
def deck():
    """Your own markdown deck, with nnanim's scenes where it says so."""


@deck.command("build")
@click.argument("deck_file", metavar="DECK.md", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write DECK.md, DECK.html, media/ and pictures/ into [default: DECK's folder/build].")
@render_options.quality(default=None, also=" [default: the front matter's, else m]")
@render_options.theme(default=None, help="[default: the front matter's, else dark]")
@click.option("--trace", "trace_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The run a block without its own TRACE replays [default: the front matter's, else the "
                   "workshop's].")
@render_options.size()
@render_options.fps()
@render_options.jobs()
@click.option("--traces-anywhere", is_flag=True,
              help="Read the traces the deck names from anywhere [default: only from inside the deck's folder].")
def deck_build(deck_file, out_dir, quality, theme, trace_file, size, fps, jobs, traces_anywhere):
    """Render every ```nnanim block of DECK.md (its body is what follows `nnanim render`) and write the deck
    twice: DECK.md for Obsidian, each block replaced by its animation, one slide per step; and DECK.html, an
    offline reveal.js page of the whole deck. The front matter may set defaults:
    `nnanim: {trace: run.nntrace, quality: l, theme: light}`."""
    import os

    from nnanim.own_deck import build

    out_dir = _made(out_dir or _inside(deck_file.parent, "build"))
    written, warnings = build(deck_file, out_dir, quality, theme, trace_file, size, fps, jobs or os.cpu_count() or 1,
                              on_done=lambda job: click.echo(f"{job.status:10s} {job.slide.title} {job.slide.scene}"),
                              traces_anywhere=traces_anywhere)
    return _wrote(written, warnings, "warning")


@main.command()
@click.argument("submissions", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--script", default="main.py", show_default=True, help="The file of each submission to run.")
@click.option("--format", "fmt", type=click.Choice(["gradescope", "prairielearn", "json"]), default="json",
              show_default=True, help="The results.json of this platform.")
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder for OUT/STUDENT/results.json and OUT/grades.csv.")
@click.option("--one", is_flag=True, help="SUBMISSIONS is one student's folder: write OUT/results.json (an "
                                          "autograder's run).")
@render_options.jobs()
@script_limits
def grade(submissions, script, fmt, out_dir, one, jobs, timeout, memory):
    """Grade a class: every folder in SUBMISSIONS is a student's, whose SCRIPT is checked as `nnanim check`
    checks it (a process of its own, a time and a memory limit); a test per classic backprop bug, each
    worth points (docs/your-own-value.md)."""
    import os

    from nnanim.grade import grade_class, grade_one, write_results

    def report(graded):  # a student's folder name is theirs: printed printable
        click.echo(printable(f"{graded.student}: {graded.score:g}/{graded.max_score:g}"
                             + (f" ({graded.error})" if graded.error else "")))

    _made(out_dir)
    if one:
        graded = grade_one(submissions, script, timeout, memory)
        report(graded)
        return _wrote([write_results(graded, out_dir / "results.json", fmt)], [], "note")
    results = grade_class(submissions, script, out_dir, fmt, jobs or os.cpu_count() or 1, timeout, memory, report)
    return _wrote([out_dir / "grades.csv"], [f"{len(results)} submissions graded into {out_dir}"], "note")


@main.group()
def autograder():
    """An autograder bundle for a course platform, grading with `nnanim grade`."""


@autograder.command("gradescope")
@click.option("--script", default="main.py", show_default=True, help="The file of each submission to run.")
@click.option("-o", "--out", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The bundle to write (autograder.zip), uploaded as the assignment's autograder.")
@script_limits
def autograder_gradescope(script, output, timeout, memory):
    """Gradescope's bundle: setup.sh installs what checking needs, run_autograder grades the submission into
    /autograder/results/results.json."""
    from nnanim.autograder import gradescope_bundle

    _made(output.parent)
    _writable(output)
    return _wrote([gradescope_bundle(output, script, timeout, memory)], [], "note")
