"""The explorer's 2-D toy data sets (TensorFlow Playground's), generated with NumPy alone.

Each returns points X (n, 2) in about [-1, 1]^2 and labels y (n,) in {0, 1}; the same
(name, n, noise, seed) always gives the same points.
"""
from __future__ import annotations

import numpy as np

from chainrule.errors import ValidationError

from .limits import MAX_SEED, integer

NAMES = ("xor", "moons", "circles", "spirals", "blobs")
MAX_POINTS = 2000


def make(name: str, n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` points of the data set `name` with Gaussian `noise` (standard deviation), from `seed`."""
    if name not in NAMES:
        raise ValidationError(f"data set must be one of {', '.join(NAMES)}; got {name!r}")
    integer(n, "Points", 4, MAX_POINTS)         # each named as the Data card's field, worded as Init seed's
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0 <= noise <= 1:
        raise ValidationError(f"Noise must be a number from 0 to 1; got {noise!r}")
    integer(seed, "Seed", 0, MAX_SEED)
    rng = np.random.default_rng(seed)
    X: np.ndarray
    y: np.ndarray = np.arange(n) % 2
    if name == "xor":
        X = rng.uniform(-1, 1, (n, 2))
        X += np.sign(X) * 0.05                      # a small gap around the axes, as Playground's
        y = (X[:, 0] * X[:, 1] < 0).astype(int)
    elif name == "moons":
        t = rng.uniform(0, np.pi, n)
        X = np.c_[np.cos(t), np.sin(t)]                          # the upper moon (class 0)
        X[y == 1] = np.c_[1 - np.cos(t), 0.5 - np.sin(t)][y == 1]  # the lower one (class 1)
        X = (X - np.array([0.5, 0.25])) / 1.5
    elif name == "circles":
        r = np.where(y == 0, rng.uniform(0, 0.4, n), rng.uniform(0.65, 0.95, n))
        t = rng.uniform(0, 2 * np.pi, n)
        X = np.c_[r * np.cos(t), r * np.sin(t)]
    elif name == "spirals":
        r = rng.uniform(0.05, 1, n)
        t = 1.75 * 2 * np.pi * r + np.pi * y
        X = np.c_[r * np.sin(t), r * np.cos(t)] * 0.95
    else:  # blobs: two Gaussian clusters
        centres = np.array([[-0.45, -0.35], [0.4, 0.4]])
        X = centres[y] + rng.normal(0, 0.2, (n, 2))
    X = X + rng.normal(0, noise, X.shape) * (0.5 if name != "blobs" else 1.0)
    return X.astype(float), y.astype(int)
