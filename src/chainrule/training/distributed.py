"""Synchronous data-parallel training with MPI: `net.fit(X, Y, comm=MPI.COMM_WORLD)`.

Every rank runs the same script on the same data (in memory or a memmap of a shared file). Each
epoch, every rank draws the same order of samples from the shared seed and cuts it into the same
global batches; rank r takes the r-th contiguous part of each global batch (its shard). A rank
computes its shard's gradient (a mean over the shard), weights it by shard / global batch size,
and one in-place `Allreduce` (sum) on the network's flat gradient vector gives every rank the
gradient of the loss's mean over the global batch. Every rank then applies the same update, so all
ranks hold the same parameters, equal to single-process training with the same global batch size
(up to the order of floating-point sums).

Dropout draws the whole global batch's mask from the shared generator on every rank and keeps its
shard's rows: the masks are those of single-process training. Epoch losses, accuracies and
validation metrics are sums reduced across ranks (validation rows are sharded too; weighted ones rank 0
evaluates whole and sends: `validate_on_rank_0`); a per-batch
callback gets the logs of one process, the epoch's mean loss and accuracy over the global batches so
far (one more small Allreduce a step, in flight beside the gradient's, only when there is such a callback). A callback's
`stop_training` set after a batch stops every rank after that batch, as in one process: every rank
computes the next batch and the rank that stopped sends its gradient as NaN, which no rank then
applies (the other ranks have called that batch's on_train_batch_begin), so it costs no collective
of its own, one batch's work; a step that diverges on a rank stops every rank so too where a rank has
TerminateOnNaN (a batch whose loss is finite but whose gradient overflowed is updated, as one process's
TerminateOnNaN updates it: the next batch stops, its weights put back, `kept`). Weights a rank's callback restores
at the end (EarlyStopping's best), and a rate one sets as the fit, an epoch or a batch begins (LearningRateScheduler,
a warm-up), are every rank's (`SharedStop`). Rank 0 alone
prints progress and writes checkpoints (callbacks read the rank in their `params`: ModelCheckpoint and
CSVLogger write on rank 0); on resume it sends what it restored to the others (resume_ranks.py). Rank 0 shows
its warnings, and after training those of other ranks that it did not give (rank_warnings.py).

Before training the ranks meet once (meeting.py: `agree`, the first collective of `prepare`): an error of any
rank's checks, and data or batch sizes that differ between ranks, are raised on every rank with the
rank named, so that rank 0, the one the user reads, reports it; so are ranks whose fits differ
(`same`). A step that diverges on one rank's shard sends NaN gradients, and every rank raises that
rank's TrainingDiverged. A rank whose training raises another error (or a KeyboardInterrupt) ends
the whole job (`Abort`) with a message (on the process's own stderr, which the command line
silences on ranks other than 0; the job's `JobSettings`: the command's line and exit code); one that stops
answering for `TIMEOUT_S` seconds (env CHAINRULE_MPI_TIMEOUT) makes the others end it.
"""
from __future__ import annotations

import hashlib
import math
import time
from typing import Any

import numpy as np

from ..errors import TrainingDiverged, ValidationError
from ..nn.divergence import REMEDIES
from ..nn.stage_hooks import StageHooks
from .callback import batch_callbacks, epoch_begin
from .diagnostics import GradientDiagnostics, keeps_weights
from .diverged import invalid_loss
from .meeting import (  # noqa: F401
    TIMEOUT_S,
    agree,
    check_sizes,
    end,
    file_of_data,
    prepare,
    rebuilt,
    report,
    said_and_code,
    same,
    timeout_s,
    wait,
)
from .rank_callbacks import SharedStop, restores_weights, sets_batch_rate, sets_rate, unwritten
from .rank_warnings import RankWarnings
from .resume_ranks import FollowRestore, lead_restore, on_every_rank
from .small_callbacks import terminates
from .step_numbers import StepNumbers, reads_batch_loss
from .streaming import LazyRows, OneHotRows, validation
from .trainer import Trainer


def fingerprint(X: Any, Y: Any) -> str:
    """A digest of up to 64 rows spread over X and Y (and their shapes), as float32 (the same for a
    float32 and a float64 network): ranks that hold other data (each its own part of a data set,
    say) differ here. Reads those rows alone (X may be on disk)."""
    n = X.shape[0]
    idx = np.unique(np.linspace(0, n - 1, min(n, 64)).astype(np.int64)) if n else np.zeros(0, dtype=np.int64)
    x = X.read(idx) if isinstance(X, LazyRows) else X[idx]
    x = x.toarray() if hasattr(x, "toarray") else x
    digest = hashlib.sha256(repr((tuple(X.shape), tuple(np.shape(Y)))).encode())
    for part in (x, Y[idx]):
        digest.update(np.ascontiguousarray(np.asarray(part), dtype=np.float32).tobytes())
    return digest.hexdigest()[:16]


class SharedDraws:
    """A Dropout layer's generator under MPI: draws the global batch's mask, hands out the shard's rows."""

    def __init__(self, rng: np.random.Generator):
        self.rng, self.size, self.lo, self.hi = rng, 0, 0, 0

    def random(self, shape: tuple[int, ...]) -> np.ndarray:
        return self.rng.random((self.size, *shape[1:]))[self.lo:self.hi]


def everywhere(exc: TrainingDiverged) -> TrainingDiverged:
    """Mark an error that every rank raises alike (the job ends by itself, not by MPI_Abort)."""
    return on_every_rank(exc)


class MPITrainer(StepNumbers, Trainer):
    """The fit loop of one rank: its shard of every global batch, one Allreduce per step."""

    distributed = True

    def __init__(self, net: Any, X: Any, Y: np.ndarray, comm: Any, **kwargs: Any):
        backup = kwargs.get("backup")
        self.checkpoints = None if backup is None else ("resume" if getattr(backup, "resume", False) else "write")
        if backup is not None:
            kwargs["backup"] = lead_restore(kwargs["backup"], comm) if comm.Get_rank() == 0 else FollowRestore(comm)
        super().__init__(net, X, Y, **kwargs)
        self.comm, self.rank, self.size = comm, comm.Get_rank(), comm.Get_size()
        self.timeout = timeout_s()
        self.draws = [SharedDraws(self.rng) for layer in net.layers if hasattr(layer, "rng")]
        for layer, draws in zip([la for la in net.layers if hasattr(la, "rng")], self.draws):
            layer.rng = draws
        self.allreduce_seconds = 0.0
        self.steps = 0
        self.empty_shard = False             # this rank has no rows of the batch now trained
        self.global_batch_loss = False       # some rank's per-batch callback reads the loss: set by `run`
        self.others_keep = False             # some rank's callbacks keep an epoch's weights: set by `run`
        self.test_hooks = False              # some rank's callbacks define Keras' on_test_* hooks: set by `run`
        self.rate_set = self.weights_restored = False    # some rank's callbacks may set the rate, restore weights
        self.batch_rate = False              # some rank's callbacks may set the rate as a batch begins or ends
        self.keras_steps = False             # some rank has TerminateOnNaN: a finite loss's overflow updated, as Keras'
        self.kept: np.ndarray | None = None  # the weights before such an update, until a later batch trains on
        # a stop asked for by any rank's callback stops every rank (their callbacks may differ)
        # after all of theirs (a History given among them may come before some), before the fit's own
        self.shared = SharedStop(self)
        self.callbacks.insert(len(self.callbacks) - (self.backup is not None) - self.own_history, self.shared)

    def sample_rows(self) -> tuple[Any, Any]:
        """This rank's shard of one process's rows (`Trainer.sample_rows`, maybe none): every rank checks its own and
        they share the worst loss (`worst`), so the last update's check stops every rank alike."""
        lo, hi = self.shard(min(self.X.shape[0], self.batch_size, 1024))
        return self.rows(np.arange(lo, hi))

    def worst(self, loss: float) -> float:
        """The ranks' worst training-rows loss, on every rank: NaN where a rank's is, else inf where one is."""
        bad = np.array([float(math.isnan(loss)), float(math.isinf(loss))])
        self.allreduce(bad, maximum=True)
        return math.nan if bad[0] else math.inf if bad[1] else loss

    everywhere = staticmethod(everywhere)

    def train_params(self, epochs: int, first_epoch: int) -> dict:
        """As one process's, with this rank and the number of ranks: callbacks that write files or print
        (ModelCheckpoint, CSVLogger, ReduceLROnPlateau's lines) do it on rank 0 only."""
        return {**super().train_params(epochs, first_epoch), "rank": self.rank, "ranks": self.size}

    def description(self, epochs: int) -> dict[str, Any]:
        """What every rank's run must share (`same`): the data, the network, the optimizer, the arguments."""
        val = self.validation_data
        return {"epochs": epochs, "initial_epoch": self.initial_epoch, "shuffle": self.shuffle,
                "network": repr(self.net),
                "optimizer": repr(self.net.optimizer), "validation samples": 0 if val is None else int(val[0].shape[0]),
                "checkpoints": self.checkpoints, "data": fingerprint(self.X, self.Y),
                "validation data": None if val is None else fingerprint(*val)}

    def run(self, epochs: int) -> Any:
        from mpi4py import MPI
        self.MPI = MPI
        val = self.validation_data                          # the files named where the ranks' data differ
        files = {"data": file_of_data(self.X, self.comm),
                 "validation data": None if val is None else file_of_data(val[0], self.comm)}
        same(self.comm, self.description(epochs), files)    # raised on every rank alike: no abort
        try:
            self.comm.Bcast(self.net.params, root=0)        # the same start on every rank
            diagnostics = [cb for cb in self.callbacks if isinstance(cb, GradientDiagnostics)]
            wanted = np.array([float(any(reads_batch_loss(cb) for cb in self.callbacks)), len(diagnostics),
                               float(keeps_weights(self)), float(bool(StageHooks(self.net, self.callbacks, "test"))),
                               float(any(map(sets_rate, self.callbacks))), float(any(map(restores_weights,
                                                                                          self.callbacks))),
                               float(terminates(self.callbacks)), float(any(map(sets_batch_rate, self.callbacks)))])
            self.allreduce(wanted)                           # a rank's own callbacks (rank 0's bar) may differ
            self.global_batch_loss, self.others_keep = bool(wanted[0]), bool(wanted[2])     # `unseen_update`'s
            self.rate_set, self.weights_restored = bool(wanted[4]), bool(wanted[5])         # `SharedStop`'s
            self.test_hooks = bool(wanted[3])                # `validation_logs`: the ranks' stop agreed
            self.keras_steps, self.batch_rate = bool(wanted[6]), bool(wanted[7])
            if wanted[1] != len(diagnostics) * self.size:    # its per-batch Allreduce needs it on every rank
                raise on_every_rank(ValidationError(
                    f"GradientDiagnostics must be given to every rank alike (its saturation is the global batch's, "
                    f"summed over the ranks); the {self.size} ranks have {int(wanted[1])} in all"))
            for cb in diagnostics:
                cb.share = self.share_counts
            unwritten(self.comm, self.callbacks)             # a checkpoint given to other ranks than 0: said
            with RankWarnings(self.comm, self.timeout):      # rank 0 shows them, the others' with the rank named
                return super().run(epochs)
        except (Exception, KeyboardInterrupt) as exc:      # a Ctrl-C reaches the ranks in Python, not those in MPI
            if self.size == 1 or getattr(exc, "on_every_rank", False):     # raised by every rank alike
                raise
            end(self.comm, exc)          # the job's `ending` line, once (rank 0's where every rank failed), its code

    def shared_divergence(self, failed: TrainingDiverged | None, stopping: bool = False,
                          share: float = math.nan) -> tuple[str, float]:
        """After an Allreduce whose gradient is not finite, every rank alike: "stop" where a rank's callback
        stopped training after the batch before (it sent NaN; nobody trains this batch), "nan" where a rank's
        loss is not finite and a rank has TerminateOnNaN (the batch is not trained, and training stops, as in one
        process, with the weights of the last finite step: `kept`, sent by the rank holding them); "step" where
        every loss is finite and a rank has TerminateOnNaN (the batch's gradient overflowed: updated as one
        process's TerminateOnNaN updates it, stopping at the next batch, whose loss is then not finite); else every
        rank raises that rank's error before the update, as one process raises it. With it the global batch's loss
        for TerminateOnNaN's logs: the ranks' `share`s (loss x rows / batch rows, the diverged rank's
        `invalid_loss`) summed, infinite where one is, as one process logs it."""
        said = self.comm.allgather((stopping, None if failed is None else str(failed), self.kept is not None, share))
        if any(stop for stop, _, _, _ in said):
            return "stop", math.nan
        first = next((message for _, message, _, _ in said if message is not None), None)
        if self.keras_steps and first is None:
            if self.kept is None:
                self.kept = self.net.params.copy()
            return "step", sum(part for _, _, _, part in said)
        if first is not None and self.keras_steps:
            holders = [rank for rank, (_, _, held, _) in enumerate(said) if held]
            if holders:                      # as TerminateOnNaN's `last_finite` in one process
                kept = self.net.params.copy() if self.kept is None else self.kept
                wait(self.comm, self.comm.Ibcast(kept, root=holders[0]), self.timeout, "in Bcast of the last finite "
                     "weights")
                self.net.params[...], self.kept = kept, None
            return "nan", sum(part for _, _, _, part in said)
        if first is not None:
            raise everywhere(TrainingDiverged(first))
        raise everywhere(TrainingDiverged("training diverged: the gradient of the global batch, summed over the "
                                          f"ranks, is not finite though each rank's part was; try {REMEDIES}"))

    def share_counts(self, counts: np.ndarray) -> np.ndarray:
        """GradientDiagnostics' saturation counts summed over the ranks (none from a rank whose shard was empty:
        its layers hold another batch's outputs)."""
        counts = counts * (not self.empty_shard)
        self.allreduce(counts)
        return counts

    def shard(self, count: int) -> tuple[int, int]:
        return count * self.rank // self.size, count * (self.rank + 1) // self.size

    def rows(self, idx: Any) -> tuple[np.ndarray, np.ndarray]:
        X, Y = self.X, self.Y
        if isinstance(X, LazyRows):
            return X.read(idx), Y[idx]
        return X[idx], Y[idx]

    def allreduce(self, buffer: np.ndarray, maximum: bool = False) -> None:
        """Sum (or take the largest of) `buffer` over the ranks in place; end the job if the others do not
        answer in time."""
        start = time.perf_counter()
        op = self.MPI.MAX if maximum else self.MPI.SUM
        wait(self.comm, self.comm.Iallreduce(self.MPI.IN_PLACE, buffer, op=op), self.timeout, "in Allreduce")
        self.allreduce_seconds += time.perf_counter() - start

    def run_epoch(self, epoch: int, epochs: int) -> None:
        net, opt, n, bs = self.net, self.optimizer, self.X.shape[0], self.batch_size
        opt.set_epoch(net.epochs_trained)
        for cb in self.callbacks:
            epoch_begin(cb, epoch)
        slices = net.trainable_slices()
        begin, end = batch_callbacks(self.callbacks)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        self.taking("numpy")                                 # one path under MPI: NumPy's loop (`note_kernels`)
        sums = np.zeros(2, dtype=np.float64)                 # loss x samples, correct predictions
        batch_sums = np.zeros(2, dtype=np.float64)           # the global batch's loss x samples and correct, for `end`
        so_far = [0.0, 0.0, 0]                               # the global batches' loss x samples, correct, samples
        stopping, trained = False, n          # a callback of this rank stopped training after the last batch
        for batch, start in enumerate(range(0, n, bs)):
            idx = order[start:start + bs]
            lo, hi = self.shard(idx.shape[0])
            if not stopping:
                for cb in begin:
                    cb.on_train_batch_begin(batch, logs={})
            for d in self.draws:
                d.size, d.lo, d.hi = idx.shape[0], lo, hi
            self.empty_shard = not hi > lo
            failed, part = None, (0.0, 0.0)         # this rank's loss x samples and correct, added once applied
            overflow = False                        # this rank's loss finite, its gradient not: updated, as Keras'
            if hi > lo:
                xb, yb = self.rows(idx[lo:hi])
                try:
                    E = net.train_batch(xb, yb)
                except TrainingDiverged as exc:          # told to the other ranks by a NaN gradient
                    overflow = self.keras_steps and math.isfinite(getattr(exc, "loss", math.nan))
                    if overflow:                         # its gradient sent as it is: one process's update
                        E = float(getattr(exc, "loss", math.nan))
                    else:
                        failed, E = self.diverged(exc, epoch, batch), invalid_loss(exc)
                        net.grads[...] = np.nan
                if failed is None:
                    net.grads *= (hi - lo) / idx.shape[0]
                    part = (E * (hi - lo), net.n_correct(net.last_output, yb) or 0.0)  # type: ignore[arg-type]
                    batch_sums[:] = part
            else:                                            # fewer samples than ranks: nothing here
                if self.draws:                               # draw the masks the other ranks draw
                    net.run_forward(np.empty((0, net.n_inputs), dtype=net.dtype), training=True)
                net.grads[...] = 0.0
                batch_sums[:], E = 0.0, float("nan")
            if stopping:                                     # told to the others by a NaN gradient too
                net.grads[...] = np.nan
            small = self.step_numbers(batch_sums)            # in flight beside the gradient's, where callbacks need it
            self.allreduce(net.grads)
            self.agree_step_numbers(small, batch_sums)
            if net.grads.size and not (math.isfinite(net.grads[0]) and np.isfinite(net.grads).all()):
                # a rank's stop (this batch is not trained), its TerminateOnNaN, or the error on every rank
                share = E * (hi - lo) / idx.shape[0] if hi > lo else 0.0       # this rank's part of the loss
                outcome, bad = self.shared_divergence(failed, stopping, share)
                if outcome == "step":                        # as one process's TerminateOnNaN: updated
                    overflow = True
                elif outcome == "nan":                         # as one process: the invalid loss logged, then the stop
                    for cb in end:
                        cb.on_train_batch_end(batch, logs=self.metrics.logs(bad, math.nan))
                    sums[:], trained = (bad, sums[1] if start else math.nan), max(start, 1)
                else:
                    trained = start
                if outcome != "step":
                    net.stop_training = True
                    break
            if overflow and self.kept is None:               # put back where the next batch's loss is not finite
                self.kept = net.params.copy()
            elif not overflow:                               # a later batch trained on from that update, as Keras'
                self.kept = None
            opt.step(net.params, net.grads, slices)
            sums += part
            self.steps += 1
            logs = {"loss": E}
            if self.global_batch_loss:                       # the epoch's means so far, as in one process
                so_far[0] += float(batch_sums[0])
                so_far[1] += float(batch_sums[1])
                so_far[2] += idx.shape[0]
                logs = self.metrics.logs(so_far[0] / so_far[2], so_far[1] / so_far[2] if self.classify else None)
            for cb in end:
                cb.on_train_batch_end(batch, logs=dict(logs))   # by keyword, as Keras' fit
            stopping = bool(net.stop_training) and start + bs < n
        if self.batch_rate:                                  # the last batch's end hooks': before the epoch's end
            self.shared.share_rate()
        self.allreduce(sums)
        # one path, loaded kernels or not: NumPy's loop, whose numbers the optimizer's and the layers' kernels keep
        # to the last bit (tests/test_mpi_resume_path.py); recorded so, and every rank follows rank 0's record alike
        self.note_kernels()
        self.end_epoch(epoch, float(sums[0]), float(sums[1]), trained)

    def validate(self) -> dict[str, float]:
        assert self.validation_data is not None
        if self.validation_weight is not None:       # validation_data's weights: a shard may weigh nothing
            return self.validate_on_rank_0()
        Xv, Yv = self.validation_data
        lo, hi = self.shard(Xv.shape[0])
        sums = np.zeros(2, dtype=np.float64)
        if hi > lo:                          # one process's evaluation of the shard: in chunks (X may be on disk)
            part, Yp = Xv[lo:hi], (Yv.part(lo, hi) if isinstance(Yv, OneHotRows) else Yv[lo:hi])   # labels stay labels
            chunk = self.validation_chunk                  # fit's validation_batch_size (None: the default)
            res = validation(self.net, part, Yp if isinstance(part, LazyRows) else np.asarray(Yp), chunk=chunk)
            sums += (res["loss"] * (hi - lo), res.get("accuracy", 0.0) * (hi - lo))
        self.allreduce(sums)
        result = {"loss": float(sums[0]) / Xv.shape[0]}
        if self.net.task != "regression":
            result["accuracy"] = float(sums[1]) / Xv.shape[0]
        return result

    def validate_on_rank_0(self) -> dict[str, float]:
        """Weighted validation (validation_data's third element): rank 0 evaluates the whole set as one process
        does and the others receive its numbers (one Allreduce), so that every rank logs the same (its sum over
        rows weighted 0 divided by 0; ignoring the weights logged another val_loss than one process)."""
        keys = ["loss"] if self.net.task == "regression" else ["loss", "accuracy", "accuracy_once"]
        result = super().validate() if self.rank == 0 else {}
        numbers = np.array([result.get(key, 0.0) for key in keys], dtype=np.float64)
        self.allreduce(numbers)
        return dict(zip(keys, map(float, numbers), strict=True))
