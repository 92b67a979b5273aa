"""The fit loops' words for a step that diverged (the NumPy loop, a sequence of batches, MPI, train_steps): where it
happened and what to try, and the loss TerminateOnNaN's stop logs for it; the engine's test of the step is
nn/divergence.py."""
from __future__ import annotations

import math

import numpy as np

from ..errors import TrainingDiverged
from ..nn.divergence import REMEDIES, nonfinite_update
from ..nn.network import Network


def last_update_diverged(where: str, net: Network) -> TrainingDiverged:
    """The error for weights the last update (of an epoch, of train_steps) made NaN or infinite: no
    forward pass came after it to find it. `where`: "epoch 3", "step 10"."""
    return TrainingDiverged(f"training diverged in its last update ({where}): {nonfinite_update(net)}; try "
                            f"{REMEDIES}")


def invalid_loss(exc: TrainingDiverged) -> float:
    """The loss TerminateOnNaN's stop logs for the diverged batch (and its epoch): the step's own where it is
    infinite or NaN, as Keras logs it (the epoch's mean with an infinite loss in it is infinite), else NaN: a finite
    loss whose gradient overflowed, whose update chainrule refuses (Keras makes it, and logs the next batch's)."""
    loss = getattr(exc, "loss", math.nan)
    return math.nan if math.isfinite(loss) else float(loss)


def diverged(net: Network, exc: TrainingDiverged, where: str) -> TrainingDiverged:
    """The error for a diverged step: where (1-based), and what to try. The check runs before the
    update, so the weights are finite unless an update with finite gradients overflowed (then the
    message says so instead of promising the last finite step)."""
    msg = str(exc)
    if not np.isfinite(net.params).all():
        msg = msg.replace("the weights are those of the last finite step", nonfinite_update(net))
    return TrainingDiverged(f"training diverged {where}: {msg}")
