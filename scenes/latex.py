"""Running LaTeX on text that came from a trace: confined, time-limited, and dying with nnanim.

Manim's template and cache are kept (the .tex file is named by its content, the SVG beside it is reused);
only the run itself is nnanim's, because a trace is untrusted and Manim's run has no limits:
- kpathsea's paranoid mode (openin_any=p, openout_any=p) and -no-shell-escape: no absolute paths, no
  parent folders, no dot files, no programs; LaTeX reads its own packages and the one file it is given;
- a wall-clock limit (LATEX_SECONDS) and a CPU limit, and the process is killed if nnanim dies (nnanim.tools);
- a failure is one line: the first `!` line of LaTeX's log.
"""

import os

from nnanim import tools
from nnanim.errors import NnanimError

LATEX_SECONDS = 60


class LatexError(NnanimError, ValueError):
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
        tools.run(command, "typesetting a formula", LATEX_SECONDS, cwd=tex_file.parent, env=env, cpu_limit=True,
                  explain=lambda stderr: _first_error(tex_file.with_suffix(".log")))
    except tools.ToolError as e:
        tex_file.with_suffix(".dvi").unlink(missing_ok=True)
        raise LatexError(str(e)) from None


def _first_error(log):
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return "no log"
    errors = [line for line in lines if line.startswith("!")]
    return (errors[0] if errors else "no error message").strip()[:200]
