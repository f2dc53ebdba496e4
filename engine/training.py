"""The workshop's training loop, and the workshop's data."""

import numpy as np

from nnanim.engine.losses import LOSSES, total_sse
from nnanim.engine.nn import MLP
from nnanim.engine.recorder import record
from nnanim.engine.value import Value

WORKSHOP_INPUTS = [[1, 2, 3], [3, -2, 1], [1, 0, 1], [2, 2, -1]]
WORKSHOP_TARGETS = [[1, -1], [-1, 1], [0.5, 1], [-1, -0.5]]
DEFAULTS = {"architecture": [3, 2, 4, 4, 2], "steps": 1000, "lr": 0.01, "seed": 42, "loss": "sse"}


def input_labels(n):
    """x, y, z for three inputs (the workshop's), x_1 ... x_n otherwise."""
    return ["x", "y", "z"] if n == 3 else [f"x_{i + 1}" for i in range(n)]


def labelled(inputs, targets):
    """One example's inputs and targets as Values labelled x, y, z and gt_0, gt_1, ..."""
    names = input_labels(len(inputs))
    return ([Value(x, label=name) for x, name in zip(inputs, names)],
            [Value(gt, label=f"gt_{k}") for k, gt in enumerate(targets)])


def train(mlp, inputs, targets, steps=1000, lr=0.01, loss=total_sse, on_step=None):
    """Forward, loss, zero grads, backward, update: `steps` times. Returns the loss of each step."""
    losses = []
    for step in range(steps):
        examples = [labelled(i, gt) for i, gt in zip(inputs, targets)]
        pos = [mlp(xs) for xs, _ in examples]
        L = loss(pos, [gts for _, gts in examples])
        L.label = "L"
        mlp.zero_grad()
        L.backward()
        for p in mlp.ps():
            p.data += lr * (-p.grad)
        losses.append(L.data)
        if on_step is not None:
            on_step(step, L.data)
    return losses


def record_run(architecture=None, inputs=None, targets=None, steps=None, lr=None, seed=None, loss=None,
               on_step=None, level="all", data_name=None):
    """Train an MLP under the recorder; every argument left out is the workshop's. Returns the trace."""
    arch = architecture or DEFAULTS["architecture"]
    steps = DEFAULTS["steps"] if steps is None else steps
    lr = DEFAULTS["lr"] if lr is None else lr
    seed = DEFAULTS["seed"] if seed is None else seed
    loss = loss or DEFAULTS["loss"]
    if inputs is None:
        inputs, targets = WORKSHOP_INPUTS, WORKSHOP_TARGETS
    mlp = MLP(arch[0], arch[1:], seed=seed)
    meta = {"source": "train", "architecture": arch, "activation": mlp.activation, "steps": steps,
            "lr": lr, "seed": seed, "loss": loss, "inputs": inputs, "targets": targets,
            "input_labels": input_labels(arch[0]), "parameters": [p.label for p in mlp.ps()]}
    if data_name:
        meta["data"] = data_name
    with np.errstate(all="ignore"), record(level=level, **meta) as trace:
        train(mlp, inputs, targets, steps=steps, lr=lr, loss=LOSSES[loss], on_step=on_step)
    return trace
