"""The notebook's magics, added by `%load_ext nnanim` (nnanim/notebook.py has draw and show).

- `%nnanim ARGS`: the command line in the kernel, its line split as a shell splits it (a `# comment` is
  left out); what the command wrote is shown (`shown`).
- `%%nnanim_record NAME [--value module:Class] [--live]`: every backward() the cell runs is recorded, of
  nnanim's Value or of any Value class the notebook uses (defined in a cell or imported: micrograd's, a
  student's engine.py), into the Trace NAME in the notebook and the file NAME.nntrace beside it; --live
  shows a widget that follows the run as it trains and becomes its explorer (nnanim/widget.py).
"""

import builtins
import keyword
import shlex
import sys
from pathlib import Path

import click
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class

from nnanim.errors import NnanimError
from nnanim.notebook import Media, fitted, one_line_errors

# Names a recorded trace must not take: Python's builtins (print, len, ...) and IPython's own.
RESERVED = set(dir(builtins)) | {"In", "Out", "get_ipython", "exit", "quit", "display", "nnanim"}


def load_ipython_extension(ipython):
    """`%load_ext nnanim`: the %nnanim and %%nnanim_record magics; NnanimError shown in one line."""
    one_line_errors()
    ipython.register_magics(NnanimMagics)


@magics_class
class NnanimMagics(Magics):
    @line_magic
    def nnanim(self, line):
        """%nnanim ARGS: run `nnanim ARGS` in this kernel and show what it wrote, e.g.
        `%nnanim render derivative -q l` (the video), `%nnanim trace --data moons` (the trace's summary),
        `%nnanim draw run.nntrace -o graph.svg` (the picture). `%nnanim` alone lists the commands."""
        try:
            args = shlex.split(line, comments=True) or ["--help"]
        except ValueError as e:
            raise NnanimError(f"%nnanim {line}: {e}") from None
        return shown(run_command(args))

    @cell_magic
    def nnanim_record(self, line, cell):
        """%%nnanim_record NAME [--value module:Class] [--live]: run the cell with every backward() recorded,
        into the Trace NAME (a variable of the notebook) and NAME.nntrace. Value classes are found among the
        notebook's names (defined or imported) by their shape; --value names one that is not there. --live:
        a widget follows the run while the cell trains, and becomes its explorer when the cell ends."""
        from nnanim.engine import foreign, record
        from nnanim.notebook import widget_module
        from nnanim.runs import _named_class, to_the_recorder

        name, classes, live = self._parse_record_line(line)
        classes = [_named_class(spec) for spec in classes]
        classes += self._value_classes()
        view = widget_module().Live(title=name).show() if live else None
        with record(source="notebook", name=name, watch=view and view.watch) as trace:
            with foreign.watching(to_the_recorder, also=classes):
                result = self.shell.run_cell(cell, store_history=False)
        stopped = isinstance(result.error_in_exec, KeyboardInterrupt)
        if not result.success and not stopped:
            error = type(result.error_in_exec or result.error_before_exec).__name__
            if view:
                view.done(None, f"the cell raised {error}: not recorded")
            raise NnanimError(f"the cell raised {error}: {name} was not recorded")
        if view:
            view.done(trace)
        if trace.num_steps == 0:
            raise NnanimError("the cell called backward() on nothing nnanim saw: there is no step to record (a "
                              "Value class the notebook does not hold by name: %%nnanim_record NAME --value module:Class)")
        path = Path(f"{name}.nntrace")
        try:
            trace.save(path)
        except OSError as e:
            raise NnanimError(f"cannot write {path}: {e.strerror or e}") from None
        self.shell.user_ns[name] = trace
        steps = f"{trace.num_steps} step{'s' if trace.num_steps != 1 else ''}"
        print(f"recorded {steps} into {name} and {path}" + (" (stopped: the steps so far)" if stopped else ""),
              file=sys.stderr)

    @staticmethod
    def _parse_record_line(line):
        words = line.split()
        name, classes, live = (words[0] if words else ""), [], False
        rest = words[1:]
        while rest[:1] == ["--live"] or rest[:1] == ["--value"] and len(rest) > 1:
            if rest[0] == "--live":
                live, rest = True, rest[1:]
            else:
                classes.append(rest[1])
                rest = rest[2:]
        if not name.isidentifier() or keyword.iskeyword(name) or rest:
            raise NnanimError(f"%%nnanim_record {line.strip()}: give a name for the trace, --value module:Class if "
                              "its Value class is not in the notebook, --live to watch it train (e.g. "
                              "%%nnanim_record run --live)")
        if name in RESERVED:
            raise NnanimError(f"%%nnanim_record {name}: {name} is Python's or the notebook's own; give the trace "
                              "another name (e.g. %%nnanim_record run)")
        return name, classes, live

    def _value_classes(self):
        """The Value classes the notebook holds: by name, or as the class of a value it holds. Never
        nnanim's own (which records itself), nor a class built on a compiled type (a framework's tensor
        has backward() too, and is not to be touched)."""
        from nnanim.engine import foreign
        from nnanim.engine.value import Value

        found = {}
        for held in list(self.shell.user_ns.values()):
            cls = held if isinstance(held, type) else type(held)
            if foreign.looks_like_value_class(cls) and not issubclass(cls, Value) and _written_in_python(cls):
                found[id(cls)] = cls
        return list(found.values())


def _written_in_python(cls):
    """Every class cls is made of (but object) comes from a class statement, none from compiled code."""
    heap_type = 1 << 9  # Py_TPFLAGS_HEAPTYPE
    return all(base.__flags__ & heap_type for base in cls.__mro__[:-1])


def run_command(args):
    """Run the nnanim command line in this process; what the command returns (the paths it wrote), or
    NnanimError with its one line."""
    from nnanim.cli import main

    try:
        result = main.main(args, prog_name="nnanim", standalone_mode=False)
    except click.ClickException as e:
        raise NnanimError(e.format_message()) from None
    except click.exceptions.Abort:
        raise NnanimError("stopped") from None
    except SystemExit as e:  # a command that sets its own exit status (nnanim check)
        result = e.code
    if isinstance(result, int) and result:
        raise NnanimError(f"nnanim {args[0]} ended with exit status {result}")
    return result


def shown(result):
    """What a command wrote, as Jupyter shows it: a picture or an animation, a trace's summary, a link."""
    if isinstance(result, (list, tuple)):
        return _links(result) if len(result) != 1 else shown(result[0])
    if not isinstance(result, Path):
        return None
    suffix = result.suffix.lower()
    if suffix == ".svg":
        from IPython.display import SVG

        return SVG(data=fitted(result.read_text()))
    if suffix in Media.TYPES:
        return Media.of(result)
    if suffix == ".nntrace":
        from nnanim.engine import load_trace
        from nnanim.summary import as_text, summarize

        return Summary(as_text(summarize(load_trace(result)), result))
    return _links([result])


class Summary:
    """A trace file's summary (what `nnanim inspect` says), shown as text."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def _links(paths):
    from html import escape

    from IPython.display import HTML

    items = "".join(f'<li><a href="{escape(str(p), quote=True)}" target="_blank">{escape(str(p))}</a></li>'
                    for p in paths)
    return HTML(f"<ul>{items}</ul>")
