"""Running LaTeX on text that came from a trace: confined, time-limited, and dying with nnanim.

Manim's template and cache are kept (the .tex file is named by its content, the SVG beside it is reused);
only the run itself is nnanim's, because a trace is untrusted and Manim's run has no limits:
- kpathsea's paranoid mode (openin_any=p, openout_any=p) and -no-shell-escape: no absolute paths, no
  parent folders, no dot files, no programs; LaTeX reads its own packages and the one file it is given;
- a wall-clock limit (LATEX_SECONDS) and a CPU limit, and the process is killed if nnanim dies;
- a failure is one line: the first `!` line of LaTeX's log.
"""

import ctypes
import os
import resource
import signal
import subprocess

LATEX_SECONDS = 60


class LatexError(ValueError):
    """LaTeX could not typeset a formula; the message is one line."""


def svg_of(latex, environment="align*"):
    """Compile with Manim's LaTeX template (cached by content) and return the SVG's path."""
    from manim import config
    from manim.utils.tex_file_writing import convert_to_svg, generate_tex_file

    template = config["tex_template"]
    tex_file = generate_tex_file(latex, environment, template)
    svg = tex_file.with_suffix(".svg")
    if svg.exists():
        return svg
    dvi = tex_file.with_suffix(template.output_format)
    if not dvi.exists():
        _run([template.tex_compiler, "-interaction=batchmode", "-halt-on-error", "-no-shell-escape",
              f"-output-format={template.output_format[1:]}", tex_file.name], tex_file)
    try:
        return convert_to_svg(dvi, template.output_format)
    finally:
        for suffix in (template.output_format, ".log", ".aux"):
            tex_file.with_suffix(suffix).unlink(missing_ok=True)


def _run(command, tex_file):
    env = dict(os.environ, openin_any="p", openout_any="p", shell_escape="f")
    try:
        process = subprocess.Popen(command, cwd=tex_file.parent, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   preexec_fn=_confine)
    except FileNotFoundError:
        raise LatexError(f"{command[0]} is not installed (make setup installs it)") from None
    try:
        code = process.wait(timeout=LATEX_SECONDS)
    except subprocess.TimeoutExpired:
        code = None
    finally:  # the time limit, Ctrl-C, SIGTERM: LaTeX does not outlive the render
        if process.poll() is None:
            process.kill()
            process.wait()
    if code != 0:
        tex_file.with_suffix(".dvi").unlink(missing_ok=True)
        if code in (None, -signal.SIGXCPU, -signal.SIGKILL):
            raise LatexError(f"LaTeX ran out of time ({LATEX_SECONDS} s) on this formula")
        raise LatexError(f"LaTeX could not typeset this formula: {_first_error(tex_file.with_suffix('.log'))}")


def _confine():
    """In the child, before LaTeX starts: a CPU limit, and death when nnanim dies."""
    resource.setrlimit(resource.RLIMIT_CPU, (LATEX_SECONDS, LATEX_SECONDS + 1))
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _first_error(log):
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return "no log"
    errors = [line for line in lines if line.startswith("!")]
    return (errors[0] if errors else "no error message").strip()[:200]
