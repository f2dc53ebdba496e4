"""How the workshop's MLP names its values, made and read back in one place.

Weight `w_ijl` (input i, neuron j, layer l), bias `b_jl`, and `h_jl` for the output of neuron j of
layer l. Each index is one digit, or the indices are separated by commas once one of them has two
digits (`w_12,0,1`). A lone Neuron has weights `w_i`, bias `b` and output `h`.
"""

import re

_SUBSCRIPTED = re.compile(r"([A-Za-z]{1,12})_([0-9]{1,9}(?:,[0-9]{1,9})*)")
PARAMETERS = ("w", "b")
_INDICES = {"w": 3, "b": 2, "h": 2}  # how many indices each name has inside an MLP


def index_label(name, *indices):
    """`w_012` for small indices, `w_12,0,1` when one of them has two digits, `b` without any."""
    if not indices:
        return name
    sep = "," if any(i >= 10 for i in indices) else ""
    return f"{name}_{sep.join(str(i) for i in indices)}"


def split(label):
    """(name, subscript) as written: `w_12,0,1` -> ("w", "12,0,1"); None for a label without one."""
    match = _SUBSCRIPTED.fullmatch(label)
    return match.groups() if match else None


def parse(label):
    """(name, indices): `w_012` -> ("w", (0, 1, 2)), `w_12,0,1` -> ("w", (12, 0, 1)); else None."""
    parts = split(label)
    if parts is None:
        return None
    name, sub = parts
    return name, tuple(int(i) for i in (sub.split(",") if "," in sub else sub))


def is_parameter(label):
    """Whether a label names a weight or a bias: `w`, `b`, `w_0`, `w_012`, `b_1,10`."""
    parsed = parse(label)
    return label in PARAMETERS or parsed is not None and parsed[0] in PARAMETERS


def neuron_of(label):
    """(j, l) of the neuron of layer l that `w_ijl`, `b_jl` or `h_jl` belongs to; else None."""
    parsed = parse(label)
    if parsed is None or _INDICES.get(parsed[0]) != len(parsed[1]):
        return None
    return parsed[1][-2:]


def neuron_output(label):
    """(j, l) when the label is `h_jl`, the output of neuron j of layer l; else None."""
    return neuron_of(label) if label.startswith("h_") else None
