"""The numbers a step's callbacks need under MPI, agreed in one small Allreduce in flight beside the gradient's
(distributed.py's `MPITrainer`): the global batch's loss and correct predictions, where a per-batch callback reads
the logs (`reads_batch_loss`), and a rate a rank's batch hook set (`SharedStop.rate_told`). Every rank posts it, or
none does: whether one is needed is agreed by every rank before training (`MPITrainer.run`'s `wanted`)."""
from __future__ import annotations

import time
from typing import Any

import numpy as np

from .callback import batch_callbacks, overrides
from .callbacks import Callback
from .diagnostics import GradientDiagnostics
from .meeting import wait


def reads_batch_loss(cb: Callback) -> bool:
    """A per-batch callback that reads the batch's logs: not an optional one (the progress bar counts batches), nor
    GradientDiagnostics with its own batch hooks (it reads the layers; its saturation has its own Allreduce), which
    cost a collective a step for logs they never read. A subclass whose batch-end hook is its own may read them."""
    if cb not in batch_callbacks([cb])[1] or getattr(cb, "per_batch_optional", False):
        return False
    return not (isinstance(cb, GradientDiagnostics) and not overrides(cb, GradientDiagnostics, "on_batch_end",
                                                                         "on_train_batch_end"))


class StepNumbers:
    """`MPITrainer`'s part that starts and waits for a step's small Allreduce."""

    comm: Any
    MPI: Any
    timeout: float
    allreduce_seconds: float
    global_batch_loss: bool
    batch_rate: bool
    shared: Any

    def step_numbers(self, batch_sums: np.ndarray) -> tuple[np.ndarray, Any] | None:
        """Start the one small Allreduce a step's callbacks need, beside the gradient's (both in flight at once, so
        that it adds no round trip of its own): the global batch's loss x samples and correct predictions where a
        per-batch callback reads the logs (`reads_batch_loss`), and the rate a rank's batch hook set (`SharedStop`'s
        `rate_told`, where a rank's callbacks have batch hooks). None where no callback needs either."""
        parts = [batch_sums] if self.global_batch_loss else []
        parts += [self.shared.rate_told()] if self.batch_rate else []
        if not parts:
            return None
        small = np.concatenate(parts)
        return small, self.comm.Iallreduce(self.MPI.IN_PLACE, small, op=self.MPI.SUM)

    def agree_step_numbers(self, started: tuple[np.ndarray, Any] | None, batch_sums: np.ndarray) -> None:
        """Wait for `step_numbers`' Allreduce: the global batch's sums into `batch_sums`, the rate every rank's."""
        if started is None:
            return
        small, request = started
        begun = time.perf_counter()
        wait(self.comm, request, self.timeout, "in Allreduce")
        self.allreduce_seconds += time.perf_counter() - begun
        if self.global_batch_loss:
            batch_sums[:], small = small[:2], small[2:]
        if self.batch_rate:
            self.shared.agree_rate(small)
