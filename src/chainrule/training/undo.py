"""Undoing a refused epoch: fit's copy of the network's weights and its optimizer's state at an epoch's start
(`Trainer.epoch_start`, before its callbacks), put back where the epoch is refused at its end (a sequence's weights
overflowing or all zero, its training batches' or its validation's), so that it leaves nothing of itself."""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any


def rewinder(net: Any, opt: Any) -> Callable[[], None]:
    """A function putting the network's weights and its optimizer's state (step count, moments) back as they are
    now: an epoch refused at its end leaves nothing of itself."""
    params, state = net.params.copy(), copy.deepcopy(opt.__getstate__())

    def rewind() -> None:
        net.params[...] = params
        kept = {k: v for k, v in vars(opt).items() if k in ("_work", "_owner")}    # not copied, not state
        vars(opt).clear()
        vars(opt).update(state, **kept)
    return rewind


def undone(trainer: Any) -> str:
    """A refusal of the validation set read after an epoch's training (`Trainer.epoch_start`): that epoch undone, as
    the training batches' refusal undoes it (the network, its optimizer, its epoch count as they were); its words."""
    start = getattr(trainer, "undo_epoch", None)
    if start is None:
        return ""
    epoch, rewind = start
    rewind()
    trainer.net.epochs_trained -= 1     # counted by close_epoch before its validation
    return f" (the network and its optimizer are left as they were before epoch {epoch + 1})"
