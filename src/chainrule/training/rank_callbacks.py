"""The callback an MPI fit adds after every rank's own (split out of distributed.py): what the ranks' callbacks
did to the run (a stop, a learning rate, restored weights) becomes every rank's, so that a callback given to rank 0
alone (as a script gives it the callbacks that print) leaves every rank with the weights of one process's fit."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .callbacks import Callback
from .diverged import last_update_diverged
from .meeting import wait
from .resume_ranks import on_every_rank
from .small_callbacks import LearningRateScheduler

if TYPE_CHECKING:
    from .distributed import MPITrainer


def sets_rate(cb: Any) -> bool:
    """A callback that may set the learning rate as an epoch begins: LearningRateScheduler, a LambdaCallback given
    on_epoch_begin, or one of the user's (any class outside chainrule) with its own on_epoch_begin."""
    own = getattr(type(cb), "on_epoch_begin", None) not in (None, Callback.on_epoch_begin)
    return isinstance(cb, LearningRateScheduler) or "on_epoch_begin" in getattr(cb, "functions", {}) or (
        own and not type(cb).__module__.startswith("chainrule."))


def restores_weights(cb: Any) -> bool:
    """A callback that may restore weights at the fit's end (EarlyStopping's restore_best_weights)."""
    return getattr(cb, "restore_best_weights", False) is True


class SharedStop(Callback):
    """After the callbacks of every rank have seen the epoch (and before the history and the
    checkpoint record it), in one Allreduce: `stop_training` becomes true on every rank if it is on
    one (an EarlyStopping given to rank 0 alone stopped rank 0 and left the others waiting), and the
    learning rate is the lowest of the ranks' (a ReduceLROnPlateau given to rank 0 alone lowered
    rank 0's, and the same gradient then moved the ranks' weights apart). Weights that the epoch's
    last update made NaN are the one-process error on every rank, before the checkpoint's check,
    which rank 0 alone makes."""

    def __init__(self, trainer: MPITrainer):
        self.trainer = trainer
        self.agreed_lr = math.nan                   # every rank's rate: the start's, then each epoch's

    def on_train_begin(self, params: dict[str, Any]) -> None:
        self.agreed_lr = float(self.trainer.net.optimizer.lr)    # the same optimizer on every rank (`same`)

    def on_epoch_begin(self, epoch: int) -> None:
        """After every rank's callbacks began the epoch, one small Allreduce: a rate a rank's callback set (a
        LearningRateScheduler given to rank 0 alone) is every rank's, the lowest such rank's. Without it that rank
        stepped with its rate and the others with the old one, and the ranks' weights moved apart silently."""
        trainer, opt = self.trainer, self.trainer.net.optimizer
        if not trainer.rate_set:                    # no rank's callbacks may set it: no Allreduce
            return
        told = np.zeros(2 * trainer.size)
        if float(opt.lr) != self.agreed_lr:
            told[trainer.rank], told[trainer.size + trainer.rank] = 1.0, float(opt.lr)
        trainer.allreduce(told)
        setters = np.flatnonzero(told[:trainer.size])
        if setters.size:
            opt.lr = float(told[trainer.size + setters[0]])
        self.agreed_lr = float(opt.lr)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        net, opt = self.trainer.net, self.trainer.net.optimizer
        shared = np.array([float(bool(net.stop_training)), -float(opt.lr)])
        self.trainer.allreduce(shared, maximum=True)
        net.stop_training, opt.lr = bool(shared[0]), -float(shared[1])
        self.agreed_lr = float(opt.lr)
        if not np.isfinite(net.params).all():            # the same parameters on every rank: raised by all
            raise on_every_rank(last_update_diverged(f"epoch {epoch + 1}", net))

    def on_train_end(self) -> None:
        """After every rank's callbacks ended the fit: weights that a rank's callback restored (EarlyStopping's
        restore_best_weights given to rank 0 alone) are every rank's, the lowest such rank's sent to the others.
        Without it that rank ended with the best epoch's weights and the others with the last epoch's."""
        trainer = self.trainer
        if not trainer.weights_restored:
            return
        restored = np.zeros(trainer.size)
        restored[trainer.rank] = any(restores_weights(cb) and getattr(cb, "best_params", None) is not None
                                     for cb in trainer.callbacks)
        trainer.allreduce(restored)
        if restored.any():
            root = int(np.flatnonzero(restored)[0])
            wait(trainer.comm, trainer.comm.Ibcast(trainer.net.params, root=root), trainer.timeout,
                 "in Bcast of the restored weights")
