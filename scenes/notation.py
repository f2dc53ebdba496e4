"""Labels as a projector shows them: indices as real subscripts (`w_012` is written w₀₁₂, `x_1` x₁), and
a student's long label wrapped at its word breaks and shortened with a mark, never cut silently.

Any scene that writes a trace's labels can use these; they need no manim.
"""

import re

from nnanim.engine.labels import split

_SUBSCRIPT = str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089")
_BREAKS = re.compile(r"[^_\s-]*[_\s-]*")
ELLIPSIS = "\u2026"


def subscripted(label):
    """`w_012` -> w₀₁₂, `w_12,0,1` -> w₁₂,₀,₁, `x_1` -> x₁; a label without an index as it is."""
    parts = split(label)
    if parts is None:
        return label
    name, sub = parts
    return name + sub.translate(_SUBSCRIPT)


def wrapped(label, width=16, lines=2):
    """`label` in at most `lines` lines of at most `width` characters, broken after `_`, `-` or a space
    (inside a word only when the word alone is too long); what does not fit ends in `…`."""
    words = [w for w in _BREAKS.findall(" ".join(label.split())) if w]
    out = [""]
    for word in words:
        while word:
            room = width - len(out[-1])
            if len(word) <= room:
                out[-1] += word
                word = ""
            elif out[-1]:
                out.append("")
            else:
                out[-1], word = word[:width], word[width:]
                out.append("")
    out = [line.rstrip() for line in out if line.strip()]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][:width - 1].rstrip("_- ") + ELLIPSIS
    return "\n".join(out) or label[:width]


def shown(n, most):
    """Which of n rows a diagram draws: all when they fit in `most`, else the first ones, None (a ⋮ row)
    and the last one, `most` rows in all."""
    if n <= most:
        return list(range(n))
    return list(range(most - 2)) + [None, n - 1]
