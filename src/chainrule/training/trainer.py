"""The fit loop: epochs of mini-batches, callbacks, validation, checkpoints.

`Network.fit` (Keras' entry point) calls `fitting.fit`, which runs a `Trainer`: it holds one run's state (the data,
the optimizer, the random generator, the callbacks); the per-batch work is the engine's
`train_batch` then the optimizer's `step`, or, for small networks built only of built-in
classes, the same epoch in one compiled loop (`compiled.py`; the NumPy loop is the reference).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..backend.pages import scratch
from ..backend.threads import Balance, balance, blas_limit
from ..errors import TrainingDiverged
from ..nn import sample_weight as sw
from ..nn.losses import rows_known, rows_sum_to_one
from ..nn.metrics import Metrics, for_network, no_nan
from ..nn.metrics import metrics as named_metrics
from ..nn.network import Network
from . import compiled, undo
from .callback import batch_callbacks, ends_with_logs, epoch_begin, train_begin
from .callbacks import Callback, History
from .diagnostics import last_outputs, likely_cause, unseen_update
from .diverged import diverged, last_update_diverged
from .optim import Optimizer
from .rank_warnings import alone_among_ranks
from .schedules import past_end, unreached
from .small_callbacks import diverged_batch, last_finite, terminates
from .sparse_rows import SparseRows
from .streaming import LazyRows, validation, validation_logs


class Trainer:
    """One run of `fit`: the checked data and everything that changes from batch to batch."""

    def __init__(self, net: Network, X: np.ndarray, Y: np.ndarray, *, batch_size: int, shuffle: bool,
                 rng: np.random.Generator, callbacks: list[Callback], validation_data: tuple | None,
                 backup: Any, weight: np.ndarray | None = None, validation_weight: np.ndarray | None = None,
                 initial_epoch: int = 0, verbose: int | str = "auto", mean: bool = False,
                 validation_freq: int | frozenset[int] = 1, validation_chunk: int | None = None,
                 metrics: Metrics | None = None):
        self.net, self.X, self.Y, self.initial_epoch = net, X, Y, initial_epoch
        # the logs' names; a float32 network's values as Keras' float32 ones (for_network decides)
        self.metrics = for_network(named_metrics(None, None, net.task) if metrics is None else metrics, net)
        self.mean = mean        # weighted losses divided by the weights' sum (scikit-learn's), not the rows' count
        self.verbose = verbose                  # as given: Keras' params (History.params) show it so
        self.weight, self.validation_weight = weight, validation_weight     # checked sample weights, or None
        self.batch_size, self.shuffle, self.rng = batch_size, shuffle, rng
        self.validation_data = validation_data
        self.undo_epoch: tuple[int, Any] | None = None      # the epoch a validation sequence may refuse: its start
        self.validation_freq, self.validation_chunk = validation_freq, validation_chunk    # checked: Keras' two
        # a History among the callbacks is the fit's, where it was put (Keras' rule: fit returns it)
        given = [cb for cb in callbacks if isinstance(cb, History)]
        self.history = given[0] if given else History()
        self.own_history = not given
        self.last_logs: dict[str, float] = {}       # the last epoch's, which Keras gives on_train_end
        self.backup = backup
        # History last (unless given): it records what the others add to the logs; the backup after it: it saves them
        self.callbacks = [*callbacks, *(() if given else (self.history,))] + ([backup] if backup is not None else [])
        self.optimizer: Optimizer = net.optimizer
        self.balance: Balance | None = None         # set by _run: told of each step of the NumPy loop
        #: a resumed run's: the path its checkpoint's epochs took (`compiled.PATHS`), until its first epoch's (`taking`)
        self.resumed_path: str | None = None
        #: the run's own decisions (`compiled.Job`: its compiled loop), whatever other fits in the process decide
        self.job: compiled.Job | None = None
        self.ran: str | None = None         # the path the epoch took (`taking`), until `note_kernels` records it
        self.classify = net.task != "regression"    # read every epoch (a fit in one compiled call: 20,000 of them)
        # targets whose fused delta the compiled loops compute ((p - y) / n): else the NumPy loop's exact one
        self.rows_known = Y is not None and rows_sum_to_one(net.loss_function, Y)
        self.compilable = Y is None or self.rows_known
        for layer in net.layers:
            if hasattr(layer, "rng"):         # Dropout draws its masks from the run's generator
                layer.rng = rng

    #: an MPI fit's (`MPITrainer`); one that trains alone in a process of several an MPI launcher started says so
    distributed = False

    def run(self, epochs: int) -> History:
        alone_among_ranks(getattr(self, "comm", None) if self.distributed else None)
        stopped = False
        try:
            with rows_known(self.net.loss_function, self.rows_known):    # tested once, not at every batch
                return self._run(epochs)
        except (KeyboardInterrupt, SystemExit):  # the user stopped it: no compiling starts behind their back
            stopped = True
            raise
        finally:
            if self.backup is not None:          # the checkpoint folder's lock, whatever happened
                self.backup.release()
            for layer in self.net.layers:        # Dropout draws from the network's generator again (step,
                if hasattr(layer, "rng") and getattr(self.net, "rng", None) is not None:     # train_steps, backprop)
                    layer.rng = self.net.rng     # not from this fit's (an MPI fit's shares a global batch's)
            compiled.job_done(not stopped, self.job)  # kernels this job lacked: compiled now, not beside it

    def _run(self, epochs: int) -> History:
        net = self.net
        for cb in self.callbacks:
            cb.set_network(net)
        net.history = self.history       # as Keras' set_model: a fit that raises leaves the epochs it finished
        restored = self.backup.restore(self, epochs) if self.backup is not None else 0
        first_epoch = restored or self.initial_epoch         # a checkpoint's epoch wins, as in Keras
        self.optimizer = net.optimizer
        net.stop_training = False
        params = {**self.train_params(epochs, first_epoch), "resumed": restored > 0}
        self.epochs = epochs
        for cb in self.callbacks:       # "resumed": from a checkpoint (CSVLogger keeps the rows before it)
            train_begin(cb, params)          # Keras' self.params, set before on_train_begin
        if self.backup is not None:                  # after on_train_begin, which resets the callbacks
            self.backup.restore_callbacks(self)
        # a milestone past the run's end, said once: after the callbacks' checks (a LearningRateScheduler beside it is
        # refused there), before any epoch
        if getattr(net.optimizer, "schedule", None) is not None and epochs > first_epoch:
            past_end(net.optimizer.schedule, net.epochs_trained + epochs - first_epoch, epochs)
            unreached(net.optimizer.schedule, net.epochs_trained + epochs - first_epoch, epochs,
                      0 if restored else self.initial_epoch, net.epochs_trained)
        self.ran = None
        with np.errstate(over="ignore", invalid="ignore"):   # divergence is reported by TrainingDiverged
            if self.X is not None:               # a sequence of batches (sequence.py) never runs compiled
                # the whole run's epochs, not those left, and the checkpoint's path: a resumed run goes on as it ran
                self.resumed_path = getattr(self.backup, "compiled", None) if restored else None
                self.job = compiled.prepare_run(net, self.X.shape[0], max(epochs - self.initial_epoch, 0),
                                                self.batch_size, self.resumed_path)     # none: nothing left to train
                if self.backup is not None:      # a compiled path once an epoch took it (`note_kernels`)
                    self.backup.ran = "numpy"
            # BLAS threads: idle CPUs, one for small batches; from SMALL_BATCH on, whichever of one or
            # all is faster at the moment (backend/threads.py)
            with blas_limit(self.batch_size), balance(self.batch_size) as self.balance:
                # nothing needing Python between epochs: all of them in one compiled call
                start = epochs if compiled.run_all(self, first_epoch, epochs) else first_epoch
                for epoch in range(start, epochs):
                    self.undo_epoch = self.epoch_start(epoch)
                    self.run_epoch(epoch, epochs)
                    if net.stop_training:
                        break
        last_finite(self.callbacks, net.params)     # TerminateOnNaN's: the weights of the last finite step
        for cb in self.callbacks:       # Keras' hook (logs=None) gets the last epoch's logs, as in Keras
            cb.on_train_end(self.last_logs) if ends_with_logs(type(cb).on_train_end) else cb.on_train_end()
        if not np.isfinite(net.params).all():   # the last update's: no forward pass came after it to find it
            raise last_update_diverged(f"epoch {self.history.epoch[-1] + 1 if self.history.epoch else first_epoch + 1}",
                                       net)
        if self.X is not None:
            with blas_limit(self.batch_size):       # as the epochs' passes: the BLAS threads they left idle
                last_outputs(self)
        net.history = self.history
        return self.history

    def epoch_start(self, epoch: int) -> tuple[int, Any] | None:
        """The epoch and a rewind to its start (before its callbacks) where its validation may refuse it at its end:
        a sequence of batches read only then (a list is checked before any training), whose weights may overflow or
        all be zero (`sequence.validate_batches`, which undoes the epoch as the training batches' refusal does). None
        elsewhere, and on the epochs `validation_freq` leaves unvalidated: no copy of the network for nothing."""
        data = self.validation_data
        if data is None or data[1] is not None or isinstance(data[0], (list, tuple)) or not self.validates(epoch):
            return None
        return epoch, undo.rewinder(self.net, self.net.optimizer)

    def train_params(self, epochs: int, first_epoch: int) -> dict:
        """What the callbacks are told at the start (Keras' `params`)."""
        n = self.X.shape[0]
        return {"verbose": self.verbose, "epochs": epochs, "steps": -(-n // self.batch_size), "samples": n,
                "batch_size": self.batch_size, "initial_epoch": first_epoch}

    def run_epoch(self, epoch: int, epochs: int) -> None:
        net, opt, X, Y = self.net, self.optimizer, self.X, self.Y
        opt.set_epoch(net.epochs_trained)
        for cb in self.callbacks:
            epoch_begin(cb, epoch)
        n, bs = X.shape[0], self.batch_size
        labels = Y.argmax(axis=1) if net.task == "multiclass" else None
        slices = net.trainable_slices()
        begin, end = batch_callbacks(self.callbacks)    # only those are called per batch (the hot loop)
        plan = None
        per_batch = [cb for cb in begin + end if not getattr(cb, "per_batch_optional", False)]
        if self.weight is None and self.compilable and not per_batch \
                and (not isinstance(X, LazyRows) or isinstance(X, SparseRows)):
            plan = compiled.epoch_plan(net, opt, X, batch_size=self.batch_size)
        # data read from disk: its epoch order on disk too, its pages handed back with the rows'
        pages = X.pages() if isinstance(X, LazyRows) else None
        order = permutation(self.rng, n, small=plan is None, on_disk=bool(pages)) if self.shuffle else None
        if pages:
            pages.adopt(order, getattr(Y, "codes", None), self.weight)    # mapped ones: handed back too
        if plan is not None:
            # small networks: the same epoch in one compiled loop (the NumPy loop below is the reference)
            losses, correct, bad, error = compiled.run_epoch(net, opt, plan, X, Y,
                                                             np.arange(n) if order is None else order, bs, labels,
                                                             slices, self.taking, self.job)
            if error is not None:
                raise self.diverged(error, epoch, bad)
            sizes = np.full(len(losses), bs, dtype=np.float64)
            sizes[-1] = n - bs * (len(losses) - 1)
            total, trained, rows, plain = float(np.dot(losses, sizes)), None, None, None
        else:       # trained: the rows (or weight) trained when a callback stopped the epoch early
            self.taking("numpy")
            total, correct, trained, rows, plain = self.numpy_epoch(epoch, order, labels, slices, begin, end)
        self.note_kernels()
        self.end_epoch(epoch, total, correct, trained, rows, plain)

    def note_kernels(self) -> None:
        """After an epoch, before its checkpoint: the path it took (`compiled.PATHS`: one of the compiled loops, or the
        NumPy loop, whose numbers the optimizer's and the layers' kernels keep to the last bit), as it ran, not as
        the kernels were loaded (Adam with amsgrad runs on NumPy alone), which a resumed run follows
        (`compiled.prepare_run`)."""
        path, self.ran = self.ran or "numpy", None
        if self.backup is not None and path != "numpy":
            self.backup.ran = path

    def taking(self, path: str) -> None:
        """Before an epoch's training, once its path is chosen (`compiled.PATHS`): a resumed run's first, on another
        path than its checkpoint's, is warned of then (`compiled.check_path`), not after an epoch's time."""
        self.ran = path
        if self.resumed_path is not None:
            before, self.resumed_path = self.resumed_path, None
            compiled.check_path(before, path)

    def numpy_epoch(self, epoch, order, labels, slices, begin, end) -> tuple[float, float, float | None, int | None,
                                                                             float | None]:
        """The reference loop: gather each batch into reused buffers, forward, backward, update. Returns the
        loss and correct predictions (their weight) summed, the rows trained (their weight; None: all of them) and
        their count: fewer when a callback set stop_training after a batch, which, as in Keras, ends the epoch
        there; and, with weights, the correct predictions counted once each (Keras' metrics=, not weighted_)."""
        net, opt, X, Y, w, mean = self.net, self.optimizer, self.X, self.Y, self.weight, self.mean
        n, bs = X.shape[0], self.batch_size
        classify = self.classify
        wb, ws = None, 0.0
        if order is not None:
            xbuf = np.empty((bs, X.shape[1]), dtype=X.dtype)
            ybuf = np.empty((bs, Y.shape[1]), dtype=Y.dtype)
        # predicted classes compared once an epoch, except for data read from disk (no memory a row:
        # counted batch by batch, weighted below when there are weights)
        per_batch = labels is not None and w is None and isinstance(X, LazyRows)
        predicted = np.empty(n, dtype=labels.dtype) if labels is not None and not isinstance(X, LazyRows) else None
        total, correct, plain = 0.0, 0.0, 0.0   # plain: correct predictions counted once each (with weights)
        seen, right, rows = 0.0, 0.0, 0         # for the per-batch logs: samples (or weight), correct, rows so far
        right_once = 0.0                        # and the correct ones counted once each
        timer = self.balance
        if timer is not None:
            timer.restart()
        for batch, start in enumerate(range(0, n, bs)):
            if order is None:
                idx: Any = slice(start, start + bs)
                xb = X.read(idx) if isinstance(X, LazyRows) else X[idx]   # views: nothing copied
                yb = Y[idx]
            else:
                idx = order[start:start + bs]
                k = idx.shape[0]
                xb = X.read(idx, xbuf[:k]) if isinstance(X, LazyRows) else \
                    np.take(X, idx, axis=0, out=xbuf[:k], mode="clip")
                yb = np.take(Y, idx, axis=0, out=ybuf[:k], mode="clip")
            if w is not None:
                wb = w[idx]
                ws = float(np.add.reduce(wb, dtype=np.float64))     # the batch's weight, summed once
            for cb in begin:
                cb.on_train_batch_begin(batch, logs={})
            try:
                # the penalty's m (MLP's alpha) is the batch's weight where the loss is divided by it, else its rows
                E = net.train_batch(xb, yb) if wb is None else \
                    net.train_batch(xb, yb, sw.factors(wb, net.dtype, mean, ws), ws if mean else None)
            except TrainingDiverged as exc:
                if not terminates(self.callbacks):
                    raise self.diverged(exc, epoch, batch) from None
                going_on, E = diverged_batch(self.callbacks, exc, net.params, end, batch,
                                             lambda bad: self.metrics.logs(bad, math.nan))
                if not going_on:                # TerminateOnNaN: Keras' invalid batch logs given, then the stop
                    total, correct, trained, _, once = self.stopped_at(start, order, total, correct, predicted, labels,
                                                                       plain)
                    return E, (correct if start else math.nan), (trained or 1.0), None, once
            opt.step(net.params, net.grads, slices)
            if timer is not None:
                timer.step()
            total += E * xb.shape[0]        # Keras' (and MLP's) epoch loss: the batches' losses by their rows
            out = net.last_output
            assert out is not None                                 # set by train_batch's forward pass
            if predicted is not None:
                predicted[idx] = out.argmax(axis=1)               # compared once per epoch
            elif per_batch:
                correct += int(np.count_nonzero(out.argmax(axis=1) == labels[idx]))
            elif classify:
                correct += (net.n_correct(out, yb) or 0.0) if wb is None else sw.correct(net.task, out, yb, wb)
                if wb is not None:
                    plain += net.n_correct(out, yb) or 0.0
            if end:                     # Keras' batch logs: the epoch's means so far
                seen += xb.shape[0] if wb is None else ws
                rows += xb.shape[0]
                if predicted is not None:
                    hits = predicted[idx] == labels[idx]
                    right += int(np.count_nonzero(hits)) if wb is None else float(np.dot(wb, hits))
                    right_once += int(np.count_nonzero(hits))
                hit = no_nan(right if predicted is not None else correct, seen) if classify else None
                once = None if wb is None or not classify else \
                    (right_once if predicted is not None else plain) / rows
                loss = total / rows
                logs = self.metrics.logs(loss, hit if once is None else once, hit)
                for cb in end:
                    cb.on_train_batch_end(batch, logs=dict(logs))  # by keyword, as Keras' fit
            if net.stop_training and start + bs < n:
                return self.stopped_at(start + bs, order, total, correct, predicted, labels, plain)
        if predicted is not None:
            hits = predicted == labels
            plain = int(np.count_nonzero(hits))
            correct = plain if w is None else float(np.dot(w, hits))
        return total, correct, None, None, (None if w is None else plain)

    def stopped_at(self, rows: int, order, total: float, correct: float, predicted, labels,
                   plain: float) -> tuple[float, float, float, int, float | None]:
        """numpy_epoch's sums over the first `rows` rows of its order, where a callback stopped it, and
        what they are over: the rows (or their weight), the rows; and the correct ones counted once each."""
        w = self.weight
        done = np.arange(rows) if order is None else order[:rows]
        if predicted is not None:
            hits = predicted[done] == labels[done]
            plain = int(np.count_nonzero(hits))
            correct = plain if w is None else float(np.dot(w[done], hits))
        return (total, correct, (rows if w is None else float(np.add.reduce(w[done]))), rows,
                (None if w is None else plain))

    def end_epoch(self, epoch: int, total: float, correct: float, n: float | None = None,
                  rows: int | None = None, plain: float | None = None) -> None:
        """The epoch's logs to the callbacks: the mean accuracy over its `n` samples (or their total weight),
        the loss over them too, or over its `rows` (weighted: the batches' losses weighed by their rows, either
        reduction's, as Keras' loss tracker and scikit-learn's MLP weigh them);
        `plain`: with weights, the correct predictions counted once each, over the rows."""
        if n is None:
            n = self.X.shape[0] if self.weight is None else float(np.add.reduce(self.weight))
        by_rows = self.weight is not None
        count = rows or self.X.shape[0]
        accuracy = correct / n if self.classify else None
        self.close_epoch(epoch, self.metrics.logs(total / (count if by_rows else n),
                                                  accuracy if plain is None else plain / count, accuracy))

    def close_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        """The epoch's training `logs`, its validation's added (Keras': val_ each), to the callbacks."""
        unseen_update(self, epoch, logs)    # weights that overflow: refused before any callback keeps them
        self.net.epochs_trained += 1
        if self.validation_data is not None and self.validates(epoch):
            named = validation_logs(self)           # through Keras' on_test_* hooks, where a callback defines them
            for key, value in named.items():
                logs["val_" + key] = value
            logs = dict(sorted(logs.items()))       # Keras 3's order: all names sorted (weighted_ after val_)
        self.last_logs = logs
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def sample_rows(self) -> tuple[Any, Any] | None:
        """The training rows whose outputs show an epoch's last update overflowing (`unseen_update`): the first
        batch's worth, a forward pass no dearer than one of the epoch's steps."""
        n = min(self.X.shape[0], self.batch_size, 1024)
        return self.X[:n], self.Y[:n]

    def validates(self, epoch: int) -> bool:
        """Whether epoch `epoch` (from 0) ends with validation: Keras' `validation_freq`, an integer (every
        that many epochs) or the epochs' numbers from 1."""
        freq = self.validation_freq
        return (epoch + 1) % freq == 0 if isinstance(freq, int) else epoch + 1 in freq

    def validate(self) -> dict[str, float]:
        """The validation set's loss and accuracy, weighted or not, as `Network.evaluate` computes them (rows whose
        pass overflowed from their outputs as predict gives them, `nn/careful.py`), but never refused: NaN where
        no careful pass gives a row (Keras' val_loss of such a set)."""
        assert self.validation_data is not None
        Xv, Yv = self.validation_data
        return validation(self.net, Xv, Yv, self.validation_weight, self.validation_chunk, self.mean)

    def validate_once(self, once: float | None = None) -> float | None:
        """With validation weights and Keras' metrics=["accuracy"]: the validation accuracy counting each row
        once (`once`, counted by `validate`'s pass from the same outputs), else None."""
        if self.validation_weight is None or not self.metrics.needs_plain or not self.classify:
            return None
        return once

    def diverged(self, exc: TrainingDiverged, epoch: int, batch: int, where: str | None = None) -> TrainingDiverged:
        error = diverged(self.net, exc, where or f"in epoch {epoch + 1}, batch {batch + 1}")
        cause = likely_cause(self.net, self.X, self.Y)      # the advice names what stands out in this run
        return TrainingDiverged(str(error).replace(" Try ", f" {cause} Try ", 1)) if cause else error


def permutation(rng: np.random.Generator, n: int, small: bool = False, on_disk: bool = False) -> np.ndarray:
    """`rng.permutation(n)`; with `small`, the same order as int32 (4 bytes a row, not 8) when n
    allows; with `on_disk`, in a temporary file (data read from disk: no memory a row)."""
    if not small and not on_disk:
        return rng.permutation(n)
    index = np.int32 if n <= np.iinfo(np.int32).max else np.int64
    order = scratch(n, index) if on_disk else np.empty(n, dtype=index)
    for a in range(0, n, 1 << 16):      # no whole-length temporary
        order[a:a + (1 << 16)] = np.arange(a, min(a + (1 << 16), n), dtype=index)
    rng.shuffle(order.view(np.ndarray))  # the draws of rng.permutation(n): the same order (NumPy's
    return order                         # fast path wants a plain ndarray, not a memmap: 130x)
