"""The numbers of the derivative and descent scenes, computed as the workshop computes them
(derivative0.py, derivative1.py): plain floats, h = 0.000001, lr = 0.01; and what part of f each view
shows, so that the scenes only draw. No manim here."""

import math
from dataclasses import dataclass

H = 0.000001
H_WRITTEN = "0.000001"  # as derivative0.py and derivative1.py write it
LR = 0.01
WORKSHOP_F = "3x^2 - 7x + 10"
SECANT_HS = (2, 1, 0.5, 0.1, 0.01, 0.001)  # the h of each row of the derivative scene's table
NUDGE = 0.05  # how far the descent scene nudges a, b and c on screen (derivative1.py's h is invisible)


def secant_slope(f, x, h):
    """(f(x + h) - f(x)) / h: the slope of the line through x and x + h."""
    return (f(x + h) - f(x)) / h


def secant_schedule():
    """The h values the derivative scene stops at, each a tenth (or a half) of the one before."""
    return list(SECANT_HS)


def h_between(start, end, t):
    """h on its way from `start` to `end` at t in 0..1, shrinking at a steady rate (geometrically)."""
    return start * (end / start) ** t


@dataclass(frozen=True)
class View:
    """The part of the plane a plot shows: x from x0 to x1, y from y0 to y1."""

    x0: float
    x1: float
    y0: float
    y1: float

    def contains(self, x, y):
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1


def view_of(f, x0, x1, keep=(), below=0.12, above=0.12, samples=400):
    """A view of f over [x0, x1], tall enough for f there (its extreme 2 % left out if they are far off,
    as near a pole of 1/x) and for every (x, y) in `keep`; `below` and `above` are margins as fractions
    of f's span there."""
    ys = sorted(y for y in (f(x0 + (x1 - x0) * k / (samples - 1)) for k in range(samples)) if math.isfinite(y))
    kept = [y for _, y in keep if math.isfinite(y)]
    if not ys and not kept:
        return View(x0, x1, -1.0, 1.0)
    lo, hi = (ys[0], ys[-1]) if ys else (kept[0], kept[0])
    if ys:
        core = ys[len(ys) // 50], ys[-1 - len(ys) // 50]
        if hi - lo > 3 * (core[1] - core[0]) > 0:
            lo, hi = core
    lo, hi = min([lo] + kept), max([hi] + kept)
    span = hi - lo or max(abs(hi), 1.0)
    return View(x0, x1, lo - below * span, hi + above * span)


def between(a, b, t):
    """The view a zoom from `a` to `b` shows at t in 0..1: the width changes geometrically (a steady
    zoom) and the centre and heights follow in proportion."""
    wa, wb = a.x1 - a.x0, b.x1 - b.x0
    w = wa * (wb / wa) ** t
    s = t if math.isclose(wa, wb) else (wa - w) / (wa - wb)
    mix = lambda p, q: p + (q - p) * s  # noqa: E731
    centre = mix((a.x0 + a.x1) / 2, (b.x0 + b.x1) / 2)
    return View(centre - w / 2, centre + w / 2, mix(a.y0, b.y0), mix(a.y1, b.y1))


def derivative_view(f, x, hs=SECANT_HS):
    """What the derivative scene shows: x − 2.5 to x + 2.5, so that x + h fits for the largest h."""
    return view_of(f, x - 2.5, x + 2.5, keep=[(x, f(x))] + [(x + h, f(x + h)) for h in hs])


@dataclass
class DescentStep:
    x: float
    fx: float
    grad: float
    x_next: float
    fx_next: float

    @property
    def step(self):
        return self.x_next - self.x


def descent(f, x, steps, lr=LR, h=H):
    """derivative0.py's update x += lr * (-grad), repeated: one DescentStep per update."""
    path = []
    for _ in range(steps):
        grad = (f(x + h) - f(x)) / h
        x_next = x + lr * (-grad)
        path.append(DescentStep(x, f(x), grad, x_next, f(x_next)))
        x = x_next
    return path


def rolling(f, x, steps, lr=LR, h=H):
    """The steps the descent scene rolls through: derivative0.py's, stopped before a value is not finite
    or x runs more than 40 first steps (and at least 4) away, where f has no minimum to roll into."""
    path = descent(f, x, steps, lr, h)
    reach = max(4.0, 40 * abs(path[0].step)) if path else 0
    kept = []
    for s in path:
        if not all(math.isfinite(v) for v in (s.x_next, s.fx_next, s.grad)) or abs(s.x_next - x) > reach:
            break
        kept.append(s)
    return kept


BAND = 0.3  # of a descent view's height, below the curve: room for the step arrow and its label


def overview(f, path):
    """A view of every point of the path, at least 2 wide, with room for the step arrow below f."""
    xs = [path[0].x] + [s.x_next for s in path]
    lo, hi = min(xs), max(xs)
    pad = max((2 - (hi - lo)) / 2, 0.2 * (hi - lo))
    keep = [(s.x, s.fx) for s in path] + [(path[-1].x_next, path[-1].fx_next)]
    return view_of(f, lo - pad, hi + pad, keep, below=BAND / (1 - BAND) + 0.05, above=0.08)


def close_up(f, step, wide):
    """A view in which one step fills 40 % of the width, with room below f for the arrow; or `wide`
    if that shows the step big enough already."""
    lo, hi = sorted((step.x, step.x_next))
    width = 2.5 * (hi - lo)
    if not 1e-4 * (wide.x1 - wide.x0) < width < 0.4 * (wide.x1 - wide.x0):
        return wide  # the step is big enough already, or (f'(x) about 0) nothing to see
    mid = (lo + hi) / 2
    keep = [(step.x, step.fx), (step.x_next, step.fx_next)]
    return view_of(f, mid - width / 2, mid + width / 2, keep, below=BAND / (1 - BAND) + 0.05, above=0.08)


def workshop_g(a, b, c):
    return 3 * a * b - c


def g_step(a=1, b=2, c=3, lr=LR, h=H):
    """derivative1.py: each input's slope by a small nudge, then one step against it.
    Returns (before, grads, after_inputs, after)."""
    before = workshop_g(a, b, c)
    grads = ((workshop_g(a + h, b, c) - before) / h, (workshop_g(a, b + h, c) - before) / h,
             (workshop_g(a, b, c + h) - before) / h)
    moved = (a + lr * (-grads[0]), b + lr * (-grads[1]), c + lr * (-grads[2]))
    return before, grads, moved, workshop_g(*moved)


def g_nudges(a=1, b=2, c=3, nudge=NUDGE):
    """What the scene draws for each input: g after nudging that input alone by `nudge`; g is a straight
    line in each input, so (g(nudged) − g) / nudge is the same slope derivative1.py finds with its h."""
    inputs = [a, b, c]
    out = []
    for k in range(3):
        moved = list(inputs)
        moved[k] += nudge
        out.append(workshop_g(*moved))
    return out
