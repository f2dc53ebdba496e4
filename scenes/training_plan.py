"""What the training scenes (`training`, `boundary`, `loss`) decide before drawing: the axis that shows a
loss's descent, its ticks, the step where the loss has fallen to a tenth, which predictions to follow
and where each part of the frame goes. Plain Python, tested without rendering."""

import math
from dataclasses import dataclass

import numpy as np

from nnanim.engine.numbers import MINUS, number, superscript, tick_step
from nnanim.scenes.drawable import clamped

DECADES = 2  # a loss that spans this many decades is drawn on a log axis: on a linear one it lies on the floor


@dataclass(frozen=True)
class Box:
    """A rectangle of the frame in scene units."""

    left: float
    bottom: float
    right: float
    top: float

    @property
    def width(self):
        return self.right - self.left

    @property
    def height(self):
        return self.top - self.bottom

    @property
    def center(self):
        return np.array([(self.left + self.right) / 2, (self.bottom + self.top) / 2, 0.0])

    def cut_top(self, height, gap=0.0):
        """(the top `height` of this box, the rest below it, `gap` apart)."""
        return (Box(self.left, self.top - height, self.right, self.top),
                Box(self.left, self.bottom, self.right, self.top - height - gap))

    def cut_left(self, width, gap=0.0):
        """(the left `width` of this box, the rest right of it, `gap` apart)."""
        return (Box(self.left, self.bottom, self.left + width, self.top),
                Box(self.left + width + gap, self.bottom, self.right, self.top))

    def fit(self, aspect):
        """The largest box of width/height `aspect` inside this one, centred."""
        w = min(self.width, self.height * aspect)
        h = w / aspect
        cx, cy = self.center[:2]
        return Box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def safe_box(theme, frame_width, frame_height):
    """The title-safe area of the frame, as a Box."""
    return Box(*theme.safe_area(frame_width, frame_height))


# ----- the loss axis
def log_view(losses, forced=False):
    """Whether to draw the loss on a log axis: with --log (`forced`), or when its finite values (as drawn:
    scenes/drawable.py) are all positive and span DECADES decades or more (on a linear axis, everything
    after the first drop would lie on the floor). Raises ValueError when no loss is finite (there is no
    curve to draw) or when --log cannot be honoured."""
    values = clamped(losses)
    finite = values[np.isfinite(values)]
    if not len(finite):
        first = value_text(float(values[0])) if len(values) else "missing"
        raise ValueError(f"step 0: the loss is {first}, and no step of this trace has a finite loss: there is no "
                         "curve to draw (are its data and starting weights all finite numbers?)")
    if forced:
        if (finite <= 0).all():
            raise ValueError("--log needs positive losses, and this trace's are all zero or negative: "
                             "render without --log")
        return True
    return bool((finite > 0).all()) and finite.max() >= 10**DECADES * finite.min()


def linear_ticks(lo, hi, count=4):
    """(bottom, top, ticks) of a linear axis from 0 (or below, for negative values) past `hi`, with
    at most `count` + 1 round ticks (1, 2 or 5 times a power of ten apart) that include 0."""
    lo, hi = min(0.0, lo), max(0.0, hi)
    if hi - lo <= 0:
        hi = 1.0
    step = tick_step(hi - lo, count)
    while True:
        first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
        last = max(last, first + 1)  # a span below the smallest step (1e-30 from 0) still gets an axis
        if last - first <= max(count, 1):
            break
        unit = 10 ** math.floor(math.log10(step) + 1e-9)
        step = unit * next(m for m in (2, 5, 10) if m * unit > step * (1 + 1e-9))
    ticks = [k * step for k in range(first, last + 1)]
    return ticks[0], ticks[-1], ticks


def log_ticks(lo, hi, most=6):
    """(bottom, top, ticks) of a log axis hugging [lo, hi] (bottom and top as log10): ticks at whole
    decades (every second, fifth... so that at most `most` are), or at 1, 2 and 5 times them when the
    values span too few decades for two ticks."""
    a, b = math.log10(lo), math.log10(hi)
    middle, half = (a + b) / 2, max((b - a) / 2, 0.2) * 1.06
    bottom, top = middle - half, middle + half
    first, last = math.ceil(bottom - 1e-9), math.floor(top + 1e-9)
    if last > first:
        every = 1
        while (last - first) // every + 1 > most:
            every = {1: 2, 2: 5}.get(every, every * 2)
        return bottom, top, [10.0**e for e in range(math.ceil(first / every) * every, last + 1, every)]
    for mantissas in ((1, 2, 5), range(1, 10)):
        ticks = [m * 10.0**e for e in range(first - 1, last + 1) for m in mantissas
                 if bottom - 1e-9 <= math.log10(m) + e <= top + 1e-9]
        if len(ticks) >= 2:
            break
    return bottom, top, ticks[::math.ceil(len(ticks) / most)]


def log_label(value):
    """A tick of a log axis: 0.001 ... 1000 written out, 10⁻⁵, 2·10⁶ beyond."""
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = round(value / 10.0**exponent)
    if -3 <= exponent <= 3:
        return number(value)
    return ("" if mantissa == 1 else f"{mantissa}\u00b7") + "10" + superscript(str(exponent))


def step_ticks(last, count=5):
    """Whole-step ticks from 0 to `last` (the last step's index)."""
    step = max(1, round(tick_step(max(last, 1), count)))
    return list(range(0, max(last, 1) + 1, step))


def value_text(x):
    """A number that changes as the run plays (a loss, a prediction): 4 significant digits, or what went wrong."""
    if math.isfinite(x):
        return number(x)
    return "NaN" if math.isnan(x) else ("\u221e" if x > 0 else MINUS + "\u221e")


def bad_runs(losses):
    """[(first, last)] of each run of consecutive steps whose loss is NaN or infinite."""
    runs = []
    for k, x in enumerate(np.asarray(losses, dtype=float)):
        if not math.isfinite(x):
            if runs and runs[-1][1] == k - 1:
                runs[-1] = (runs[-1][0], k)
            else:
                runs.append((k, k))
    return runs


# ----- the clip
def tenth_step(losses):
    """The first step whose loss is at most a tenth of the first one: where most of the descent is done
    (a stop); None if the loss never gets there, or only at the last step."""
    values = np.asarray(losses, dtype=float)
    if not len(values) or not math.isfinite(values[0]) or values[0] <= 0:
        return None
    below = np.flatnonzero(np.isfinite(values) & (values <= values[0] / 10))
    return int(below[0]) if len(below) and 0 < below[0] < len(values) - 1 else None


def split_schedule(schedule, at):
    """A frame schedule (the step each frame shows) cut where it first reaches step `at`:
    (up to and including that frame, the rest)."""
    if at is None:
        return list(schedule), []
    cut = next((i for i, k in enumerate(schedule) if k >= at), len(schedule) - 1) + 1
    return list(schedule[:cut]), list(schedule[cut:])


# ----- the predictions `training` follows
def picked_examples(targets, count=4):
    """Up to `count` examples, taking turns among the values of the first target so that each value
    appears (the first example of each, then the second of each...), in their order in the data."""
    firsts = [t[0] for t in targets]
    groups = {}
    for k, value in enumerate(firsts):
        groups.setdefault(value, []).append(k)
    picked, rank = [], 0
    while len(picked) < min(count, len(firsts)):
        for members in groups.values():
            if rank < len(members) and len(picked) < count:
                picked.append(members[rank])
        rank += 1
    return sorted(picked)


def example_name(k, inputs, longest=12):
    """An example named by its inputs when they are short, `(1, 2, 3)`, else by its index."""
    written = "(" + ", ".join(number(x) for x in inputs) + ")"
    return written if len(written) <= longest else f"example {k}"


# ----- where the parts of `training` go
WIDE = 1.5  # a network diagram this many times wider than tall shares a band with the chart


def diagram_aspect(arch):
    """The width/height at which a diagram of `arch` reads well: its columns about two neurons' pitch
    apart from each other (scenes/network_view.py fills whatever box it is given)."""
    return 2.0 * len(arch) / max(arch)


def training_layout(safe, aspect, table_height, gap=0.35):
    """(network, chart, table) boxes in the safe area, for a network diagram of width/height `aspect`
    and a table of predictions `table_height` tall (0: none; the table's box is then None).

    A wide network shares the upper band with the chart and the table spans the frame below (long
    number lines); a tall one takes the left column and the chart stands above the table on the right.
    Without a table, the network and the chart share the frame the way that makes the network larger."""
    if not table_height:
        side_net, side_chart = safe.cut_left(safe.width * 0.5 - gap / 2, gap)
        top_net, top_chart = safe.cut_top(safe.height * 0.42, gap)
        side, stacked = side_net.fit(aspect), top_net.fit(aspect)
        if side.width * side.height >= stacked.width * stacked.height:
            return side_net, side_chart, None
        return top_net, top_chart, None
    if aspect >= WIDE:
        upper, table = safe.cut_top(safe.height - table_height - gap, gap)
        network, chart = upper.cut_left(min(upper.height * aspect, upper.width * 0.5), gap)
        return network, chart, table
    network, right = safe.cut_left(min(safe.height * aspect, safe.width * 0.5), gap)
    chart, table = right.cut_top(right.height - table_height - gap, gap)
    return network, chart, table


# ----- the plane of `boundary`
def plane_ranges(inputs, aspect, margin=0.15):
    """((x0, x1), (y0, y1)): the data's two inputs with `margin` of their span around them, the shorter
    range widened about its middle so that one unit is as long across as up in a plot of width/height
    `aspect`. Without data, −1.5 to 1.5."""
    points = np.asarray(inputs, dtype=float).reshape(-1, 2)
    if len(points):
        lo, hi = points.min(axis=0), points.max(axis=0)
    else:
        lo, hi = np.array([-1.5, -1.5]), np.array([1.5, 1.5])
    span = np.maximum(hi - lo, 1e-6)
    lo, hi = lo - margin * span.max(), hi + margin * span.max()
    (x0, y0), (x1, y1) = lo, hi
    if (x1 - x0) / (y1 - y0) < aspect:
        half = (y1 - y0) * aspect / 2
        x0, x1 = (x0 + x1) / 2 - half, (x0 + x1) / 2 + half
    else:
        half = (x1 - x0) / aspect / 2
        y0, y1 = (y0 + y1) / 2 - half, (y0 + y1) / 2 + half
    return (float(x0), float(x1)), (float(y0), float(y1))


def inner_ticks(lo, hi, count=5):
    """Round values (1, 2 or 5 times a power of ten apart) inside [lo, hi], about `count` of them."""
    step = tick_step(hi - lo, count)
    return [k * step for k in range(math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9) + 1)]


def accuracy(predicted, targets):
    """The fraction of examples whose output has the sign of their target."""
    return float(np.mean(np.sign(predicted) == np.sign(targets))) if len(targets) else float("nan")


# ----- the speaker's notes: the numbers the readouts show
def factor(before, after):
    """`964 times smaller`, `2.5 times larger`, `1e+20 times smaller`, or None when the two cannot be compared
    (not finite, not positive, or so far apart that their ratio is not a number: 1e308 and 5e-324)."""
    if not (math.isfinite(before) and math.isfinite(after) and before > 0 and after > 0) or before == after:
        return None
    with np.errstate(over="ignore"):
        ratio = np.float64(max(before, after)) / min(before, after)
    if not math.isfinite(ratio):
        return None
    size = f"{round(ratio):,}" if 10 <= ratio < 1e15 else number(ratio, 3)
    return f"{size} times {'smaller' if after < before else 'larger'}"


def descent(losses, k=None):
    """`the loss went from 9.61 at step 0 to 0.009967 at step 999 of 1000, 964 times smaller`: what the run
    did up to step k (by default its last), in the readouts' numbers; where it went wrong, if it did."""
    values = np.asarray(losses, dtype=float)
    n, k = len(values), len(values) - 1 if k is None else k
    first, last = float(values[0]), float(values[k])
    if k == 0:
        return f"the loss is {value_text(first)} at step 0 of {n}"
    said = f"the loss went from {value_text(first)} at step 0 to {value_text(last)} at step {k} of {n}"
    bad = [a for a, _ in bad_runs(values[:k + 1])]
    if bad:
        return f"{said}: it was NaN or infinite from step {bad[0]}, the run diverged"
    change = factor(first, last)
    return f"{said}, {change}" if change else said


def worst_gap(predicted, targets):
    """The largest distance between a prediction and its target (NaN if any prediction is not a number)."""
    gaps = np.abs(np.asarray(predicted, dtype=float) - np.asarray(targets, dtype=float))
    return float(gaps.max()) if gaps.size else math.nan


def capital(sentence):
    """The sentence with its first letter capital (str.capitalize would lower the rest: NaN, x₁)."""
    return sentence[:1].upper() + sentence[1:]
