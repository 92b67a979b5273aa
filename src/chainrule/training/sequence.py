"""Keras-style sequences of batches: `net.fit(batches)` where `batches[i]` is `(x_i, y_i)`.

For data that is produced batch by batch (read from many files, decoded, augmented) rather than
held as one array. `batches` is a Keras `Sequence`/`PyDataset`, or any object with `__len__` and
`__getitem__` (a list of pairs), or a re-iterable with `__len__` (a PyTorch `DataLoader`). Each
batch is checked and converted like a whole X, Y would be. `shuffle=True` visits the batches of
an indexable sequence in a new order every epoch (drawn from `seed`); `on_epoch_end()` is called
after each epoch when the sequence has one, as Keras does.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..errors import ChainruleTypeError, TrainingDiverged, ValidationError
from .callback import batch_callbacks, keras_logs
from .callbacks import Callback, History
from .small_callbacks import terminates
from .trainer import Trainer, setup


def check_batches(batches: Any, name: str = "X") -> Any:
    """`batches` if it is a sequence of batches with a length, else a clear error."""
    if hasattr(batches, "__next__"):
        raise ChainruleTypeError(f"{name} is an iterator, which can be read only once; fit needs batches it can "
                                 "read every epoch (a Sequence, a list, or an object whose iter() starts over)")
    if isinstance(batches, (np.ndarray, str, bytes)) or not hasattr(batches, "__len__"):
        raise ChainruleTypeError(f"{name} with Y=None must be a sequence of (x, y) batches with a length "
                                 f"(a Keras Sequence, a list of pairs, a DataLoader); got {type(batches).__name__}")
    if len(batches) == 0:
        raise ValidationError(f"{name} holds no batches")
    return batches


def fit_batches(net: Any, batches: Any, *, epochs: int, optimizer: Any, shuffle: bool, validation_data: Any,
                validation_split: float, callbacks: Iterable[Callback] | None, seed: int | None, verbose: int | str,
                backup: Any, initial_epoch: int = 0, validation_freq: int | frozenset[int] = 1,
                validation_chunk: int | None = None) -> History:
    """`Network.fit(batches)`: the arguments checked before any work, then the epochs."""
    check_batches(batches)
    if validation_split:
        raise ValidationError("validation_split needs arrays; with a sequence of batches give validation_data")
    if validation_data is not None and not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2
                                            and not isinstance(validation_data[0], tuple)):
        validation_data = (check_batches(validation_data, "validation_data"), None)
    elif validation_data is not None:
        validation_data = net.check_data(*validation_data)
    cbs, rng = setup(net, optimizer, callbacks, verbose, seed)
    trainer = SequenceTrainer(net, batches, shuffle=shuffle, rng=rng, callbacks=cbs,
                              validation_data=validation_data, backup=backup, initial_epoch=initial_epoch,
                              verbose=verbose, validation_freq=validation_freq, validation_chunk=validation_chunk)
    return trainer.run(epochs)


class SequenceTrainer(Trainer):
    """The fit loop over a sequence of batches: one update per batch, as many as the sequence has."""

    def __init__(self, net: Any, batches: Any, **kwargs: Any):
        super().__init__(net, None, None, batch_size=0, **kwargs)       # type: ignore[arg-type]
        self.batches = batches

    def train_params(self, epochs: int, first_epoch: int) -> dict:
        return {"verbose": self.verbose, "epochs": epochs, "steps": len(self.batches), "samples": None,
                "batch_size": None, "initial_epoch": first_epoch}

    def batch(self, batch: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            length = f" of length {len(batch)}" if isinstance(batch, (tuple, list)) else ""
            raise ValidationError(f"{where} must be a pair (x, y); got {type(batch).__name__}{length}")
        try:
            return self.net.check_data(*batch)
        except ValidationError as exc:
            raise type(exc)(f"{where}: {exc}") from None

    def each(self, batches: Any, order: np.ndarray | None) -> Iterable[tuple[int, Any]]:
        if not hasattr(batches, "__getitem__"):
            yield from enumerate(batches)                  # a DataLoader: its own order
        else:
            for i in (range(len(batches)) if order is None else order):
                yield int(i), batches[int(i)]

    def run_epoch(self, epoch: int, epochs: int) -> None:
        net, opt, batches = self.net, self.optimizer, self.batches
        opt.set_epoch(net.epochs_trained)
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch)
        slices = net.trainable_slices()
        begin, end = batch_callbacks(self.callbacks)
        order = self.rng.permutation(len(batches)) if self.shuffle and hasattr(batches, "__getitem__") else None
        total, correct, n = 0.0, 0.0, 0
        for step, (i, raw) in enumerate(self.each(batches, order)):
            xb, yb = self.batch(raw, f"batch {i}")
            for cb in begin:
                cb.on_train_batch_begin(step, {})
            try:
                E = net.train_batch(xb, yb)
            except TrainingDiverged as exc:
                if not terminates(self.callbacks):
                    raise self.diverged(exc, epoch, step) from None
                for cb in end:                  # TerminateOnNaN: Keras' NaN batch logs, then the stop
                    cb.on_train_batch_end(step, keras_logs(math.nan, math.nan if self.classify else None))
                total, correct, n = math.nan, (correct if n else math.nan), max(n, 1)
                break
            opt.step(net.params, net.grads, slices)
            total += E * xb.shape[0]
            n += xb.shape[0]
            correct += net.n_correct(net.last_output, yb) or 0.0     # type: ignore[arg-type]
            logs = keras_logs(total / n, correct / n if self.classify else None)   # Keras': the means so far
            for cb in end:
                cb.on_train_batch_end(step, dict(logs))
            if net.stop_training:               # as Keras: a callback's stop ends the epoch after its batch
                break
        if callable(getattr(batches, "on_epoch_end", None)):
            batches.on_epoch_end()
        self.end_epoch(epoch, total, correct, n)

    def validate(self) -> dict[str, float]:
        assert self.validation_data is not None
        Xv, Yv = self.validation_data
        if Yv is not None:
            return super().validate()
        loss, correct, n = 0.0, 0.0, 0
        for i, raw in self.each(Xv, None):
            xb, yb = self.batch(raw, f"validation batch {i}")
            out = self.net.run_forward(xb)
            loss += self.net.loss_value(out, yb) * xb.shape[0]
            correct += self.net.n_correct(out, yb) or 0.0
            n += xb.shape[0]
        result = {"loss": loss / n}
        if self.net.task != "regression":
            result["accuracy"] = correct / n
        return result
