"""Gradient clipping's norm: the global L2 norm of the gradients, as torch.nn.utils.clip_grad_norm_
computes it. Kept apart from optim.py, the update formulas."""
from __future__ import annotations

import math

import numpy as np


def global_norm(grads: np.ndarray, slices: list[slice]) -> float:
    """The L2 norm of grads[slices] as torch.nn.utils.clip_grad_norm_ computes it (a sum of squares
    in the gradients' precision), except where finite gradients overflow that sum (from 1.8e19 in
    float32: clipping's very case): then computed from the gradients divided by the largest, whose
    squares cannot overflow (PyTorch's inf there scales the gradients to zero)."""
    with np.errstate(over="ignore"):
        total = math.sqrt(sum(float(np.dot(grads[s], grads[s])) for s in slices))
    if total != math.inf:
        return total
    big = max(float(np.abs(grads[s]).max(initial=0.0)) for s in slices)
    if not math.isfinite(big):
        return math.inf
    return big * math.sqrt(sum(float(np.dot(g, g)) for g in (grads[s] / big for s in slices)))
