"""Loss functions of the workshop: how far predicted outputs are from the ground truth."""


def _total(terms):
    return sum(terms[1:], terms[0])


def sse(po, gto):
    """Sum of squared errors of one example: sum over outputs of (p - gt)**2."""
    return _total([(p - gt) ** 2 for p, gt in zip(po, gto)])


def total_sse(pos, gtos):
    """The SSE of every example, added up (the workshop's training loss)."""
    return _total([sse(po, gto) for po, gto in zip(pos, gtos)])


def mse(pos, gtos):
    """Mean squared error over every output of every example."""
    return total_sse(pos, gtos) / sum(len(gto) for gto in gtos)


LOSSES = {"sse": total_sse, "mse": mse}
