"""Where a network diagram's neurons go, as plain geometry (no manim): columns spread across a box from
its left edge to its right, neurons centred on the box's middle at one pitch for every column (so the
diagram is a diamond, not a "T"), as large as the box allows. Scenes lay out from the safe area inwards
with it; tests check it without rendering."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    x: float  # centre of its neurons
    ys: tuple  # centres of its neurons, top to bottom
    size: float  # diameter of a circle, side of a tile
    out: float  # where its edges leave: right of the neuron and of its tag


@dataclass(frozen=True)
class Placement:
    columns: tuple
    span: float  # horizontal run of the edges between two columns

    @property
    def left(self):
        return self.columns[0].x - self.columns[0].size / 2

    @property
    def right(self):
        return self.columns[-1].out


def place(arch, box, tags=(), left=0.0, right=0.0, fill=0.7, most=1.0, last_most=None, min_span=0.6,
          max_span=3.2, apart=(), ends=(0.0, 0.0)):
    """Columns for `arch` (neurons per column, inputs first) in `box` = (left, bottom, right, top).

    `left` and `right` keep room at the box's sides (input names, targets); `tags[c]` is the room a
    column needs right of its neurons for a value or a name. A neuron is `fill` of the pitch (the
    tallest column fills the height) and at most `most` wide; the last column's may grow to
    `last_most` (a large output tile). Edges run at least `min_span`; the centres of columns c and
    c + 1 are at least `apart[c]` apart, and the first and last centres at least `ends` from the box's
    sides (room for the columns' titles): neurons shrink for it when the box is narrow, the large last
    one first. Edges run at most `max_span`: a short network is centred rather than stretched."""
    x0, y0, x1, y1 = box
    n = len(arch)
    tags = list(tags) + [0.0] * (n - len(tags))
    apart = list(apart) + [0.0] * (n - 1 - len(apart))
    height = y1 - y0
    pitch = height / (max(arch) - 1 + fill)  # the tallest column fills the height, neuron edge to edge
    sizes = [min(fill * pitch, most)] * n
    if last_most is not None:
        sizes[-1] = max(sizes[-1], min(height / ((arch[-1] - 1) / fill + 1), last_most))
    gaps = max(n - 1, 1)

    def outer(sizes):  # from the box's left side to the first centre, from the last centre to its right
        return max(left + sizes[0] / 2, ends[0]), max(sizes[-1] / 2 + tags[-1] + right, ends[1])

    def free(sizes):  # what the edges have to run in
        inner = sum(a / 2 + tag + b / 2 for a, tag, b in zip(sizes, tags, sizes[1:]))
        return x1 - x0 - sum(outer(sizes)) - inner

    def least(sizes):  # the shortest edges these sizes allow
        return max([min_span] + [d - (a / 2 + tag + b / 2) for d, a, tag, b in zip(apart, sizes, tags, sizes[1:])])

    while free(sizes) < least(sizes) * gaps and sizes[-1] > sizes[0] * 1.01:  # the large last gives way
        sizes[-1] = max(sizes[0], sizes[-1] * 0.95)
    while free(sizes) < least(sizes) * gaps and sizes[0] > 0.01:
        sizes = [s * 0.95 for s in sizes]
    span = min(free(sizes) / gaps, max(max_span, least(sizes)))
    x = x0 + outer(sizes)[0] + (free(sizes) - span * (n - 1)) / 2
    middle = (y0 + y1) / 2
    columns = []
    for c, (count, size, tag) in enumerate(zip(arch, sizes, tags)):
        step = max(pitch, size / fill)
        if count > 1:
            step = min(step, (height - size) / (count - 1))
        ys = tuple(middle + ((count - 1) / 2 - k) * step for k in range(count))
        columns.append(Column(x, ys, size, x + size / 2 + tag))
        if c + 1 < n:
            x += size / 2 + tag + span + sizes[c + 1] / 2
    return Placement(tuple(columns), span)
