"""Resuming an MPI run from its checkpoint: rank 0 alone holds the checkpoint folder (it locks it and
writes the checkpoints), restores from it as one process does and sends what it restored (the
optimizer, the step, the history, the callbacks' states, the parameters) to the other ranks, which
receive it in its place; an error of rank 0's restoring is raised on every rank. Apart from
`distributed`'s fit loop, which uses these components only when a run has a checkpoint.
"""
from __future__ import annotations

from typing import Any

from ..errors import ValidationError
from .callback import stateful
from .callbacks import Callback
from .meeting import rebuilt, report


def on_every_rank(exc: Any) -> Any:
    """`exc`, marked as raised by every rank alike: the job then ends by itself, not by MPI_Abort."""
    exc.on_every_rank = True
    return exc


def lead_restore(backup: Any, comm: Any) -> Any:
    """Rank 0's checkpoint component: restores as usual, then sends what it restored to the others."""
    restore, restore_callbacks = backup.restore, getattr(backup, "restore_callbacks", None)

    def restore_and_share(trainer: Any, *args: Any, **kwargs: Any) -> int:
        try:            # the folder's lock, its checkpoint: refused on rank 0, the error of every rank (not an abort)
            first = restore(trainer, *args, **kwargs)
        except Exception as exc:
            comm.bcast(("failed", report(exc)), root=0)
            raise on_every_rank(exc) from None
        net, history = trainer.net, trainer.history
        comm.bcast(("restored", (first, net.optimizer, net.epochs_trained, trainer.rng.bit_generator.state,
                                 history.history, history.epoch, backup.compiled)), root=0)
        comm.Bcast(net.params, root=0)
        return first

    def restore_callbacks_and_share(trainer: Any) -> None:
        assert restore_callbacks is not None
        try:
            restore_callbacks(trainer)
        except Exception as exc:
            comm.bcast(None, root=0)
            agreed(comm, exc)
        comm.bcast(([(type(cb).__name__, cb.get_state()) for cb in stateful(trainer.callbacks)],
                    trainer.net.stop_training), root=0)
        agreed(comm, None)

    backup.restore = restore_and_share
    if restore_callbacks is not None:
        backup.restore_callbacks = restore_callbacks_and_share
    return backup


def agreed(comm: Any, failure: BaseException | None) -> None:
    """After every rank restored the callbacks' states: a rank's failure (a callback rank 0 lacks, a state
    its callback refuses) is raised on every rank, the rank named, where it ended the job by MPI_Abort (or
    left the others waiting, where rank 0 failed)."""
    if comm.Get_size() == 1 and failure is not None:      # a job of one rank: one process's error, as `agree` says
        raise on_every_rank(failure)
    said = comm.allgather(None if failure is None else report(failure))
    if any(one is not None for one in said):
        raise on_every_rank(rebuilt(said, "to restore the callbacks' states")) from failure


class FollowRestore(Callback):
    """The checkpoint component of ranks other than 0: receives what rank 0 restored (the folder
    is rank 0's alone: it locks it and writes the checkpoints)."""

    def __init__(self, comm: Any):
        self.comm = comm
        self.compiled: str | None = None      # as rank 0's checkpoint component's (saving.checkpoint)
        self.ran: str | None = None

    def restore(self, trainer: Any, *args: Any, **kwargs: Any) -> int:
        net, history = trainer.net, trainer.history
        kind, got = self.comm.bcast(None, 0)
        if kind == "failed":                            # rank 0's error, with the rank named
            raise on_every_rank(rebuilt([got, *[None] * (self.comm.Get_size() - 1)], "to restore the checkpoint"))
        # the path the checkpoint's epochs took: every rank takes it (`compiled.prepare_run`), the ranks' steps alike
        first, net.optimizer, net.epochs_trained, state, history.history, history.epoch, self.compiled = got
        trainer.rng.bit_generator.state = state
        self.comm.Bcast(net.params, root=0)
        return first

    def restore_callbacks(self, trainer: Any) -> None:
        got = self.comm.bcast(None, root=0)
        try:
            if got is not None:                   # (None: rank 0 failed, said by `agreed`)
                self.take_states(trainer, *got)
        except Exception as exc:
            agreed(self.comm, exc)
        agreed(self.comm, None)

    def take_states(self, trainer: Any, states: list, stopped: bool) -> None:
        trainer.net.stop_training = stopped
        unused = list(states)
        for cb in stateful(trainer.callbacks):     # by class, in order: rank 0 has callbacks of its own
            name = type(cb).__name__
            match = next((i for i, (kind, _) in enumerate(unused) if kind == name), None)
            if match is None:
                raise ValidationError(f"cannot resume: this rank has the callback {name}, which rank 0's run does "
                                      f"not have (rank 0 restored {[kind for kind, _ in states]}); give every rank "
                                      "the callbacks that keep a state")
            if unused[match][1] is not None:
                cb.set_state(unused[match][1])
            del unused[:match + 1]

    def release(self) -> None:
        pass
