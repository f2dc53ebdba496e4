"""Seeded two-input toy data sets, the classic pictures of what a network learned (micrograd's demo,
TensorFlow Playground): points in the plane labelled +1 or -1."""

import numpy as np

DATASETS = ("moons", "xor", "circles")
DEFAULT_POINTS = 60


def make(name, n=DEFAULT_POINTS, seed=0, noise=0.1):
    """(inputs, targets): n points [[x1, x2], ...] and their labels [[+1.0] or [-1.0], ...]."""
    rng = np.random.RandomState(seed)
    half = n // 2
    if name == "moons":
        t = rng.uniform(0, np.pi, n)
        upper = np.c_[np.cos(t[:half]), np.sin(t[:half])]
        lower = np.c_[1 - np.cos(t[half:]), 0.5 - np.sin(t[half:])]
        points = np.r_[upper, lower] + rng.normal(0, noise, (n, 2))
        points = (points - [0.5, 0.25]) * [1.0, 1.6]
        labels = np.r_[np.ones(half), -np.ones(n - half)]
    elif name == "xor":
        points = rng.uniform(-1, 1, (n, 2))
        points += np.sign(points) * 0.1
        labels = np.sign(points[:, 0] * points[:, 1])
    elif name == "circles":
        r = np.r_[rng.uniform(0, 0.45, half), rng.uniform(0.75, 1.0, n - half)]
        a = rng.uniform(0, 2 * np.pi, n)
        points = np.c_[r * np.cos(a), r * np.sin(a)] + rng.normal(0, noise / 3, (n, 2))
        labels = np.r_[np.ones(half), -np.ones(n - half)]
    else:
        raise ValueError(f"unknown data set {name!r}: choose {', '.join(DATASETS)}")
    return points.round(4).tolist(), [[float(v)] for v in labels]
