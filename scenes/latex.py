"""Running LaTeX on text that came from a trace: confined, time-limited, and dying with nnanim.

Manim's template and cache are kept (the SVG is named by its .tex file's content and reused); the run is
nnanim's, because a trace is untrusted and Manim's run has no limits, and so is where it runs: in a folder of
its own, the SVG moved into the cache whole, so that renders typesetting the same formula at once (a deck's,
the test suite's workers) never read or delete each other's files:
- kpathsea's paranoid mode (openin_any=p, openout_any=p) and -no-shell-escape: no absolute paths, no
  parent folders, no dot files, no programs; LaTeX reads its own packages and the one file it is given;
- a wall-clock limit (LATEX_SECONDS) and a CPU limit, and the process is killed if nnanim dies (nnanim.tools);
- a failure is one line: the first `!` line of LaTeX's log.
"""

import os
import tempfile
from pathlib import Path

from nnanim import tools
from nnanim.errors import NnanimError

LATEX_SECONDS = 60


class LatexError(NnanimError, ValueError):
    """LaTeX could not typeset a formula; the message is one line."""


def svg_of(latex, environment="align*"):
    """Compile with Manim's LaTeX template (cached by content) and return the SVG's path."""
    from manim import config
    from manim.utils.tex_file_writing import convert_to_svg, tex_hash

    template = config["tex_template"]
    code = template.get_texcode_for_expression_in_env(latex, environment)
    cache = config.get_dir("tex_dir")
    cache.mkdir(parents=True, exist_ok=True)
    svg = cache / f"{tex_hash(code)}.svg"
    if svg.exists():
        return svg
    with tempfile.TemporaryDirectory(prefix="run-", dir=cache) as work:
        tex_file = Path(work) / svg.with_suffix(".tex").name
        tex_file.write_text(code, encoding="utf-8")
        _run([template.tex_compiler, "-interaction=batchmode", "-halt-on-error", "-no-shell-escape",
              f"-output-format={template.output_format[1:]}", tex_file.name], tex_file)
        os.replace(convert_to_svg(tex_file.with_suffix(template.output_format), template.output_format), svg)
    return svg


def _run(command, tex_file):
    env = dict(os.environ, openin_any="p", openout_any="p", shell_escape="f")
    try:
        tools.run(command, "typesetting a formula", LATEX_SECONDS, cwd=tex_file.parent, env=env, cpu_limit=True,
                  explain=lambda stderr: _first_error(tex_file.with_suffix(".log")))
    except tools.ToolError as e:
        raise LatexError(str(e)) from None


def _first_error(log):
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return "no log"
    errors = [line for line in lines if line.startswith("!")]
    return (errors[0] if errors else "no error message").strip()[:200]
