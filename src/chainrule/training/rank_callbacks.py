"""The callback an MPI fit adds after every rank's own (split out of distributed.py): what the ranks' callbacks
did to the run (a stop, a learning rate, restored weights) becomes every rank's, so that a callback given to rank 0
alone (as a script gives it the callbacks that print) leaves every rank with the weights of one process's fit."""
from __future__ import annotations

import math
import os
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ..callers import caller_level
from .callbacks import Callback, EpochLogger, ProgressBar
from .csv_logger import CSVLogger
from .diverged import last_update_diverged
from .early_stopping import EarlyStopping
from .meeting import wait
from .model_checkpoint import ModelCheckpoint
from .plateau import ReduceLROnPlateau
from .resume_ranks import on_every_rank
from .small_callbacks import LearningRateScheduler, TerminateOnNaN

if TYPE_CHECKING:
    from .distributed import MPITrainer


def sets_rate(cb: Any) -> bool:
    """A callback that may set the learning rate as the fit or an epoch begins: LearningRateScheduler, a
    LambdaCallback given on_train_begin or on_epoch_begin, or one of the user's (any class outside chainrule) with
    its own on_train_begin or on_epoch_begin (a warm-up rate set once, at the start)."""
    hooks = ("on_train_begin", "on_epoch_begin")
    own = any(getattr(type(cb), h, None) not in (None, getattr(Callback, h)) for h in hooks)
    return isinstance(cb, LearningRateScheduler) or any(h in getattr(cb, "functions", {}) for h in hooks) or (
        own and not type(cb).__module__.startswith("chainrule."))


def sets_batch_rate(cb: Any) -> bool:
    """A callback that may set the learning rate as a batch begins or ends (a warm-up per batch): a LambdaCallback
    given a batch hook, or one of the user's (any class outside chainrule) with its own batch hook."""
    hooks = ("on_train_batch_begin", "on_batch_begin", "on_train_batch_end", "on_batch_end")
    own = any(getattr(type(cb), h, None) not in (None, getattr(Callback, h)) for h in hooks)
    return any(h in getattr(cb, "functions", {}) for h in hooks) or (own and not type(cb).__module__.startswith(
        "chainrule."))


def files_written(callbacks: list[Any]) -> list[tuple[str, str, str]]:
    """(class, file as given, the file resolved) of each callback that writes a file, which under MPI rank 0 alone
    does: ranks that name one file two ways (`./a.csv` and `a.csv`, a link) give the same file."""
    named = [(type(cb).__name__, cb.filepath if isinstance(cb, ModelCheckpoint) else str(cb.filename))
             for cb in callbacks if isinstance(cb, ModelCheckpoint | CSVLogger)]
    return [(kind, path, os.path.realpath(path)) for kind, path in named]


#: the callbacks whose lines (verbose ones) rank 0 alone prints under MPI, as it alone prints the progress
RANK_0_PRINTS = (EarlyStopping, ReduceLROnPlateau, LearningRateScheduler)


def printers(callbacks: list[Any]) -> list[str]:
    """The class of each callback that prints, which rank 0 alone prints for: TerminateOnNaN, the progress
    (ProgressBar, EpochLogger: every rank's printed the same lines twice), the verbose ones."""
    return [type(cb).__name__ for cb in callbacks if isinstance(cb, TerminateOnNaN | ProgressBar | EpochLogger)] + \
        [f"{type(cb).__name__}(verbose=1)" for cb in callbacks     # rank 0's quiet one (verbose=0) prints nothing
         if isinstance(cb, RANK_0_PRINTS) and bool(getattr(cb, "verbose", False))]


def unwritten(comm: Any, callbacks: list[Any]) -> None:
    """Rank 0 warns, once for each, of a ModelCheckpoint or CSVLogger given to other ranks and not to rank 0: it
    wrote nothing, silently. Rank 0 alone writes (every rank holds the same weights and logs; ranks writing one
    file on a shared disk would clash), as Keras scripts under Horovod give such callbacks to rank 0 alone. So for
    a callback that prints (the progress, EarlyStopping's lines) given to other ranks alone: it printed nothing."""
    said = comm.allgather((files_written(callbacks), printers(callbacks)))
    if comm.Get_rank() != 0:
        return
    ranks: dict[tuple[str, str], list[int]] = {}            # by the file resolved: two ranks' names of one, one
    named: dict[tuple[str, str], str] = {}                  # the first name a rank gave it
    printed: dict[str, list[int]] = {}
    ours = {(kind, real) for kind, _, real in said[0][0]}
    for rank, (theirs, prints) in enumerate(said[1:], 1):
        for kind, path, real in theirs:
            if (kind, real) not in ours and rank not in ranks.setdefault((kind, real), []):
                ranks[(kind, real)].append(rank)
                named.setdefault((kind, real), path)
        for kind in prints:
            if kind not in said[0][1] and rank not in printed.setdefault(kind, []):
                printed[kind].append(rank)
    for (kind, real), where in ranks.items():
        path = named[(kind, real)]
        warnings.warn(f"{kind}({path!r}) was given to {who(where)} of {len(said)} and not to rank 0, which alone "
                      f"writes files under MPI: nothing is written to {path!r}; give it to rank 0 (or to every rank)",
                      UserWarning, stacklevel=caller_level())
    for kind, where in printed.items():
        warnings.warn(f"{kind} was given to {who(where)} of {len(said)} and not to rank 0, which alone prints under "
                      "MPI: nothing is printed; give it to rank 0 (or to every rank)", UserWarning,
                      stacklevel=caller_level())


def who(ranks: list[int]) -> str:
    return f"rank {ranks[0]}" if len(ranks) == 1 else f"ranks {', '.join(map(str, ranks))}"


def restores_weights(cb: Any) -> bool:
    """A callback that may restore weights at the fit's end (EarlyStopping's restore_best_weights)."""
    return getattr(cb, "restore_best_weights", False) is True


class SharedStop(Callback):
    """After the callbacks of every rank have seen the epoch (and before the history and the
    checkpoint record it), in one Allreduce: `stop_training` becomes true on every rank if it is on
    one (an EarlyStopping given to rank 0 alone stopped rank 0 and left the others waiting), and the
    learning rate is the lowest of those the ranks' callbacks set (a ReduceLROnPlateau given to rank 0 alone
    lowered rank 0's, and the same gradient then moved the ranks' weights apart; a warm-up raised it). Weights
    that the epoch's last update made NaN are the one-process error on every rank, before the checkpoint's check,
    which rank 0 alone makes. The epoch's rate that one rank's scheduler logs ("learning_rate") is in
    every rank's logs, as in one process's fit with that scheduler."""

    def __init__(self, trainer: MPITrainer):
        self.trainer = trainer
        self.agreed_lr = math.nan                   # every rank's rate: the start's, then each epoch's

    def set_network(self, network: Any) -> None:
        super().set_network(network)
        self.agreed_lr = float(network.optimizer.lr)    # before any callback began: the same on every rank (`same`)

    def on_train_begin(self, params: dict[str, Any]) -> None:
        """A rate a rank's callback set as the fit began (a warm-up given to rank 0 alone) is every rank's for the
        first epoch, as one set as an epoch begins (it was that rank's alone until the first epoch's end)."""
        self.on_epoch_begin(-1)

    def on_epoch_begin(self, epoch: int) -> None:
        """After every rank's callbacks began the epoch, one small Allreduce: a rate a rank's callback set (a
        LearningRateScheduler given to rank 0 alone) is every rank's, the lowest such rank's. Without it that rank
        stepped with its rate and the others with the old one, and the ranks' weights moved apart silently."""
        if self.trainer.rate_set:                   # no rank's callbacks may set it: no Allreduce
            self.share_rate()

    def share_rate(self) -> None:
        """The rate one rank's callback set since the last agreement, every rank's (the lowest such rank's): as an
        epoch begins, and where a rank's callback has batch hooks (`sets_batch_rate`), after the batch-begin hooks
        and after the epoch's last batch (a warm-up per batch given to rank 0 alone moved the ranks apart)."""
        told = self.rate_told()
        self.trainer.allreduce(told)
        self.agree_rate(told)

    def rate_told(self) -> np.ndarray:
        """This rank's part of `share_rate`'s sum: whether its callbacks set the rate since the last agreement, and
        the rate (a batch's goes beside the gradient's Allreduce: `MPITrainer.step_numbers`)."""
        trainer = self.trainer
        told = np.zeros(2 * trainer.size)
        if float(trainer.net.optimizer.lr) != self.agreed_lr:
            told[trainer.rank], told[trainer.size + trainer.rank] = 1.0, float(trainer.net.optimizer.lr)
        return told

    def agree_rate(self, told: np.ndarray) -> None:
        """The ranks' `rate_told` summed: the lowest setting rank's rate is every rank's."""
        opt, size = self.trainer.net.optimizer, self.trainer.size
        setters = np.flatnonzero(told[:size])
        if setters.size:
            opt.lr = float(told[size + setters[0]])
        self.agreed_lr = float(opt.lr)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        net, opt = self.trainer.net, self.trainer.net.optimizer
        # the lowest of the rates the ranks' callbacks set (a rank that set none sends -inf): a rate one rank raised
        # (a warm-up given to rank 0 alone) is every rank's, as one it lowered (ReduceLROnPlateau) is
        changed = float(opt.lr) != self.agreed_lr
        shared = np.array([float(bool(net.stop_training)), -float(opt.lr) if changed else -math.inf,
                           float("learning_rate" in logs)])
        self.trainer.allreduce(shared, maximum=True)
        if shared[2] and "learning_rate" not in logs:   # a rank's scheduler logged the epoch's rate, the same on
            logs["learning_rate"] = float(np.float32(self.agreed_lr))    # every rank: every rank's history has it
        net.stop_training = bool(shared[0])
        if shared[1] != -math.inf:
            opt.lr = -float(shared[1])
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
