"""Why a training step may not update: the divergence tests every loop (NumPy, compiled, MPI) and
`explain` share, so each names a failing step in the same words."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..backend import kernels
from ..errors import TrainingDiverged

#: what to try after a loss or an update that diverged or exploded, in fit's words: every message of the engine
#: says this very text, which the command line puts in its options' words (cli/optimizer.py, by this text)
REMEDIES = "a lower learning rate, gradient clipping (clip_norm=...), or scaling the inputs"


def sum_of_squares(a: np.ndarray) -> float:
    """The sum of squares of the flat array: each step's divergence test of its gradient. NaN and
    infinity survive it, and it overflows for a gradient too large for its squares (from 1.8e19 in
    float32: Adam's v would hold them), which counts as diverged too. Compiled where the kernels
    run (a third of np.einsum's time); else np.einsum, without BLAS threads, whose wake-ups cost
    more than a sparse batch's whole step on a busy machine."""
    return kernels.sumsq(a) if kernels.load() else float(np.einsum("i,i->", a, a))


def divergence(grads: np.ndarray, E: float) -> TrainingDiverged:
    """The error of a step that may not update (`divergence_cause`); its `loss` is the step's E (what
    TerminateOnNaN's logs show where E itself is infinite, as Keras logs it)."""
    error = not_finite(divergence_cause(grads, E))
    error.loss = E      # type: ignore[attr-defined]
    return error


def divergence_cause(grads: np.ndarray, E: float) -> str:
    """Why a step with loss E and gradient `grads` may not update: the loss not finite, else a
    gradient NaN or infinite, else one too large for its squares. Every loop, the compiled ones
    too, names it from the failing step's loss and gradient, in these words."""
    if not math.isfinite(E):
        return f"the loss became {E}"
    if not np.isfinite(grads).all():
        return "the gradient became NaN or infinite"
    return (f"the gradient became too large: its squares overflow {grads.dtype} (|dE/dw| up to "
            f"{float(np.abs(grads).max()):.3g})")


def plain_update(params: np.ndarray, grads: np.ndarray, slices: list[slice], lr: float) -> None:
    """w -= lr * dE/dw on the trainable `slices` (`Network.step`); an update that would overflow is
    divergence too, refused before any weight changes (fit finds it only at the next batch)."""
    new = [params[s] - lr * grads[s] for s in slices]
    if not all(np.isfinite(w).all() for w in new):
        raise not_finite(f"the update w - lr * dE/dw overflows {params.dtype} (lr={lr:g}, |dE/dw| up to "
                         f"{float(np.abs(grads).max()):.3g})")
    for s, w in zip(slices, new):
        params[s] = w


def not_finite(what: str) -> TrainingDiverged:
    return TrainingDiverged(f"{what}; the weights are those of the last finite step. Try {REMEDIES}.")


def nonfinite_update(net: Any) -> str:
    """What an update that left weights NaN or infinite did: an adaptive optimizer with eps=0 divides
    0 by 0 where a gradient has been 0 (NaN, whatever the rate); else the update overflowed."""
    opt = net.optimizer
    if getattr(opt, "eps", None) == 0 and np.isnan(net.params).any():
        return (f"{type(opt).__name__}'s update with eps=0 divided 0 by 0 where a gradient was 0, so some weights "
                "are NaN: set eps > 0")
    return "the previous update overflowed, so some weights are NaN or infinite"
