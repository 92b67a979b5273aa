"""Gradient clipping: the global L2 norm of the gradients, as torch.nn.utils.clip_grad_norm_ computes
it, and each element clipped, as torch.nn.utils.clip_grad_value_. Kept apart from optim.py, the update
formulas."""
from __future__ import annotations

import math

import numpy as np


def global_norm(grads: np.ndarray, slices: list[slice]) -> float:
    """The L2 norm of grads[slices] as torch.nn.utils.clip_grad_norm_ computes it (a sum of squares
    in the gradients' precision), except where finite gradients overflow that sum (from 1.8e19 in
    float32: clipping's very case) or their squares underflow it (below 1.1e-19 in float32, 1.5e-154
    in float64: a saturated sigmoid's gradients read a norm of 0): then computed from the gradients
    divided by the largest, whose squares neither overflow nor vanish (PyTorch's inf there scales the
    gradients to zero; its 0 leaves them as they are, as the true tiny norm does)."""
    with np.errstate(over="ignore", under="ignore"):
        total = math.sqrt(sum(float(np.dot(grads[s], grads[s])) for s in slices))
    tiny = math.sqrt(float(np.finfo(grads.dtype).tiny)) if grads.dtype.kind == "f" else 0.0
    if total != math.inf and not total < tiny:
        return total
    big = max(float(np.abs(grads[s]).max(initial=0.0)) for s in slices)
    if not math.isfinite(big):
        return math.inf
    if big == 0.0:
        return total
    return big * math.sqrt(sum(float(np.dot(g, g)) for g in (grads[s] / big for s in slices)))


def clip_values(grads: np.ndarray, value: float) -> np.ndarray:
    """The gradients, each element clipped to [-value, value] (torch.nn.utils.clip_grad_value_, Keras'
    clipvalue), in a new array: the network's own gradients stay as computed. A NaN stays NaN, as in both."""
    return np.clip(grads, -value, value)
