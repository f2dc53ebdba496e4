"""The numbers of the derivative and descent scenes, computed as the workshop computes them
(derivative0.py, derivative1.py): plain floats, h = 0.000001, lr = 0.01. No manim here."""

from dataclasses import dataclass

H = 0.000001
LR = 0.01
WORKSHOP_F = "3x^2 - 7x + 10"


def secant_slope(f, x, h):
    """(f(x + h) - f(x)) / h: the slope of the line through x and x + h."""
    return (f(x + h) - f(x)) / h


def secant_schedule(start=2.0, end=0.001, count=5):
    """The h values the derivative scene shows, shrinking geometrically."""
    ratio = (end / start) ** (1 / (count - 1))
    return [start * ratio**k for k in range(count)]


@dataclass
class DescentStep:
    x: float
    fx: float
    grad: float
    x_next: float
    fx_next: float


def descent(f, x, steps, lr=LR, h=H):
    """derivative0.py's update x += lr * (-grad), repeated: one DescentStep per update."""
    path = []
    for _ in range(steps):
        grad = (f(x + h) - f(x)) / h
        x_next = x + lr * (-grad)
        path.append(DescentStep(x, f(x), grad, x_next, f(x_next)))
        x = x_next
    return path


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
