"""NnanimError: the one kind of error nnanim means for a person.

Every mistake a teacher or a student can fix (an unknown scene, a trace that does not fit, a deck's bad
line, a program that is missing or failed) is an NnanimError, or a subclass that says where it came from
(TraceError, RenderError, DeckError, ...). Its message is one line (a layout check's: a line per problem).
Each front end catches NnanimError once and shows `said(error)`: the command line prints `Error: ...` and
exits 1, the notebook shows it without a traceback. Anything else that escapes is a bug in nnanim.

This module imports nothing of nnanim, so every layer (engine, scenes, front ends) may raise it.
"""

import unicodedata

MAX_MESSAGE = 500  # characters of a line of a message: a line on a terminal, not a page


class NnanimError(Exception):
    """A mistake a person can fix, said in one line."""


def said(error):
    """What a front end shows of `error`: its lines, each printable and at most MAX_MESSAGE characters."""
    lines = [printable(line) for line in str(error).splitlines() if line.strip()] or [type(error).__name__]
    return "\n".join(lines)


def printable(text, limit=MAX_MESSAGE):
    """`text` with control and other invisible characters shown as escapes (a label from a shared trace
    cannot drive the terminal), cut to `limit` characters."""
    shown = "".join(c if c.isprintable() and unicodedata.category(c) != "Cf" else c.encode("unicode_escape").decode()
                    for c in str(text))
    return shown if len(shown) <= limit else shown[:limit - 1] + "…"
