"""Numbers as a reader sees them, written in one place for the slides, the typed formulas and `nnanim draw`.

Rounded for reading (4 significant digits unless a caller needs more or fewer) with a real minus sign
(−); LaTeX in formulas; as Python prints them where a scene quotes the workshop's output.
"""

import math

MINUS = "\u2212"
_EXPONENT = "0123456789.-\u2212"
_SUPERSCRIPT = str.maketrans(_EXPONENT, "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u00b7\u207b\u207b")


def number(x, digits=4, minus=MINUS):
    """`digits` significant digits: `6` not `6.0`, `0.1235`, `1.5e−05`, `nan`; `minus` replaces "-"."""
    return f"{x:.{digits}g}".replace("-", minus)


def latex(x, digits=3):
    """A number in a LaTeX formula: integers whole (below a million), others to `digits` significant
    digits, with `1.5 \\cdot 10^{-5}` for an exponent."""
    if not math.isfinite(x):
        return r"\mathrm{nan}" if math.isnan(x) else (r"\infty" if x > 0 else r"-\infty")
    if x == int(x) and abs(x) < 1e6:
        return str(int(x))
    mantissa, _, exponent = number(x, digits, minus="-").partition("e")
    return rf"{mantissa} \cdot 10^{{{int(exponent)}}}" if exponent else mantissa


def fixed(x, decimals=4):
    """`decimals` places whatever the size: the workshop's draw.py writes `data %.4f`."""
    return f"{x:.{decimals}f}"


def printed(x):
    """As Python prints it (the workshop's output, quoted), integers without `.0`."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def superscript(exponent):
    """An exponent as superscript characters when it is a plain number (`²`, `⁻¹·⁵`), else `^(n−1)`."""
    return exponent.translate(_SUPERSCRIPT) if all(c in _EXPONENT for c in exponent) else f"^({exponent})"


def tick_step(span, ticks):
    """A round step for an axis (1, 2 or 5 times a power of ten) cutting `span` into about `ticks` parts."""
    raw = max(span / ticks, 1e-12)
    unit = 10 ** math.floor(math.log10(raw))
    return unit * min((1, 2, 5, 10), key=lambda m: abs(m * unit - raw))
