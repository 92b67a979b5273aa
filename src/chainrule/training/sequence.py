"""Keras-style sequences of batches: `net.fit(batches)` where `batches[i]` is `(x_i, y_i)`.

For data that is produced batch by batch (read from many files, decoded, augmented) rather than
held as one array. `batches` is a Keras `Sequence`/`PyDataset`, or any object with `__len__` and
`__getitem__` (a list of pairs), or a re-iterable with `__len__` (a PyTorch `DataLoader`). Each
batch is checked and converted like a whole X, Y would be. `shuffle=True` visits the batches of
an indexable sequence in a new order every epoch (drawn from `seed`); `on_epoch_begin()` and
`on_epoch_end()` are called around each epoch and each validation pass when the sequence has them, as Keras 3
calls a PyDataset's. A Keras 3 PyDataset may give its length as `num_batches` instead of `__len__`.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..errors import ChainruleError, ChainruleTypeError, TrainingDiverged, ValidationError
from ..nn import sample_weight as sw
from ..nn.metrics import no_nan
from ..nn.numeric import pairs
from . import undo
from .callback import batch_callbacks, epoch_begin
from .callbacks import Callback, History
from .fitting import setup
from .small_callbacks import diverged_batch, terminates
from .streaming import validation
from .trainer import Trainer


class NumBatches:
    """A Keras 3 PyDataset whose length is its `num_batches` property (it has no `__len__`), as a sequence with a
    length; every other attribute (`[i]`, `on_epoch_begin`, `on_epoch_end`) is the dataset's own."""

    def __init__(self, dataset: Any, count: int):
        self.dataset, self.count = dataset, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> Any:
        return self.dataset[i]

    def __getattr__(self, name: str) -> Any:
        if name == "dataset":               # not set yet (a copy): no recursion
            raise AttributeError(name)
        return getattr(self.dataset, name)


def num_batches(batches: Any, name: str) -> Any:
    """`batches`, or, where it has Keras 3's `num_batches` and no `__len__`, the same batches with that length."""
    if hasattr(batches, "__len__") or not isinstance(getattr(type(batches), "num_batches", None), property):
        return batches
    try:
        count = batches.num_batches
    except NotImplementedError:             # PyDataset's own, for neither: Keras' words name no argument
        raise ChainruleTypeError(f"{name} ({type(batches).__name__}) has neither __len__ nor a num_batches of its "
                                 "own: give it one, the number of batches an epoch reads") from None
    if count is None:
        raise ValidationError(f"{name} is endless (its num_batches is None): Keras would need steps_per_epoch, which "
                              "chainrule does not take (an epoch is one pass); give its num_batches a number")
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
        raise ValidationError(f"{name}'s num_batches must be a whole number of batches; got {count!r}")
    return NumBatches(batches, int(count))


def check_batches(batches: Any, name: str = "X") -> Any:
    """`batches` if it is a sequence of batches with a length, else a clear error."""
    batches = num_batches(batches, name)
    if hasattr(batches, "__next__"):
        collect = "fit(list(X))" if name == "X" else f"{name}=list({name})"
        raise ChainruleTypeError(f"{name} ({type(batches).__name__}) is an iterator, which can be read only once; fit "
                                 f"reads its batches every epoch: collect them first, `{collect}` (its (x, y) batches "
                                 "in a list), or give a Sequence or an object whose iter() starts over")
    if isinstance(batches, (np.ndarray, str, bytes)) or not hasattr(batches, "__len__"):
        raise ChainruleTypeError(f"{name} with Y=None must be a sequence of (x, y) batches with a length "
                                 f"(a Keras Sequence, a list of pairs, a DataLoader); got {type(batches).__name__}")
    if len(batches) == 0:
        raise ValidationError(f"{name} holds no batches")
    samples = pairs(batches, name, batches=False)      # a torch Dataset's (x, y) per sample: no batch is 1-D
    if samples:
        raise ValidationError(f"{name} must be a sequence of (x, y) batches, each x 2-D; {samples}")
    return batches


def fit_batches(net: Any, batches: Any, *, epochs: int, optimizer: Any, shuffle: bool, validation_data: Any,
                validation_split: float, callbacks: Iterable[Callback] | None, seed: int | None, verbose: int | str,
                backup: Any, initial_epoch: int = 0, validation_freq: int | frozenset[int] = 1,
                validation_chunk: int | None = None, class_weight: Any = None, mean: bool = False,
                metrics: Any = None) -> History:
    """`Network.fit(batches)`: the arguments checked before any work, then the epochs. `class_weight` weighs each
    batch's rows by their class, as Keras does for a PyDataset (a dict: "balanced" needs every row's class)."""
    batches = check_batches(batches)
    table = None
    if class_weight is not None:
        if isinstance(class_weight, str):
            raise ValidationError(f"class_weight={class_weight!r} needs arrays X, Y (it counts every row's class); "
                                  "with a sequence of batches give a dict {class index: weight}")
        task, k = net.task, net.n_outputs
        if task == "multiclass" or (task == "binary" and k == 1):
            table = sw.class_table(class_weight, np.zeros(0, dtype=np.int64), max(k, 2))
        else:                               # the arrays' refusal, naming the task
            sw.class_weights(class_weight, np.zeros((0, k)), task, k)
    if validation_split:
        raise ValidationError("validation_split needs arrays; with a sequence of batches give validation_data")
    w_val = None
    if validation_data is not None and not arrays(validation_data):
        validation_data = (check_batches(validation_data, "validation_data"), None)
    elif validation_data is not None:
        validation_data, w_val = validation_arrays(net, validation_data)
    if validation_data is not None and validation_data[1] is None and isinstance(validation_data[0], (list, tuple)):
        weighs_some(net, validation_data[0])    # before setup binds the optimizer: refused, the network unchanged
    if isinstance(batches, (list, tuple)):      # the arrays' refusal of weights all zero, before any work
        weighs_some(net, batches, table, "batch", training_weights(table))
    cbs, rng = setup(net, optimizer, callbacks, verbose, seed)
    trainer = SequenceTrainer(net, batches, shuffle=shuffle, rng=rng, callbacks=cbs,
                              validation_data=validation_data, backup=backup, initial_epoch=initial_epoch,
                              verbose=verbose, validation_freq=validation_freq, validation_chunk=validation_chunk,
                              mean=mean, metrics=metrics, validation_weight=w_val)
    trainer.class_table = table
    return trainer.run(epochs)


def training_weights(table: np.ndarray | None) -> str:
    """What weighs the training batches' rows, as a refusal of weights all zero names it."""
    return "the training batches' sample weight" + ("" if table is None else " times class_weight")   # "... is zero"


def overflow(name: str, where: str) -> ValidationError:
    """The arrays' refusal of weights whose sum overflows float64 (the weighted mean's divisor, the accuracy's: inf
    would log NaN), for a sequence whose batches' sums are each finite: `where` its sum overflowed."""
    return ValidationError(f"{name}: the weights sum past float64's largest number (1.8e+308) at {where}; divide "
                           "them all by one factor (e.g. 1e300 -> 1): only their ratios count with weight_reduction="
                           "'mean_with_sample_weight' (with Keras' 'sum_over_batch_size' the loss scales with them)")


def arrays(given: Any) -> bool:
    """Whether validation_data is arrays (X_val, Y_val) or (X_val, Y_val, sample_weight_val), as Keras reads every
    pair and triple, not a list of batches: a pair whose first item is no tuple, or a pair or triple not all of whose
    items are batches. So (X_val, Y_val, w_val) given as lists of rows is arrays: its weights are no batch."""
    if not isinstance(given, (tuple, list)) or len(given) not in (2, 3):
        return False
    if len(given) == 2 and not isinstance(given[0], tuple):
        return True
    return not all(is_batch(item) for item in given)


def is_batch(item: Any) -> bool:
    """Whether an item of validation_data can be a batch: (x, y) or (x, y, w) whose x holds rows (not a number)."""
    return isinstance(item, (tuple, list)) and len(item) in (2, 3) and hasattr(item[0], "__len__") \
        and not isinstance(item[0], (str, bytes))


def validation_arrays(net: Any, given: Any) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray | None]:
    """Arrays validation_data checked as fit on arrays checks them (Keras' None weights: none)."""
    try:
        Xv, Yv = net.check_data(*given[:2])
    except ChainruleError as exc:       # "X has 3 features" would blame the training data
        raise type(exc)(f"validation_data: {exc}") from None
    w = None if len(given) == 2 or given[2] is None else \
        sw.check(given[2], Xv.shape[0], "validation_data's sample weight")
    return (Xv, Yv), w


def checked_batch(net: Any, batch: Any, where: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """A batch's x, y and its own sample weights (or None), checked as whole arrays would be, the refusal naming
    the batch (`where`)."""
    if not isinstance(batch, (tuple, list)) or len(batch) not in (2, 3):
        length = f" of length {len(batch)}" if isinstance(batch, (tuple, list)) else ""
        raise ValidationError(f"{where} must be a pair (x, y) or a triple (x, y, sample_weight); got "
                              f"{type(batch).__name__}{length}")
    try:
        xb, yb = net.check_data(*batch[:2])
        given = None if len(batch) == 2 else batch[2]             # Keras 3's (x, y, None): unweighted
        w = None if given is None else sw.check(given, xb.shape[0], "its sample weights (the third item)",
                                                some=False)
    except ChainruleError as exc:
        raise type(exc)(f"{where}: {exc}") from None
    return xb, yb, w


def weighs_some(net: Any, batches: list | tuple, table: np.ndarray | None = None, where: str = "validation batch",
                name: str = "validation_data's sample weight") -> None:
    """Batches held in memory (a list), checked before any training (and before the optimizer is bound): each as
    fit reads it, and, every one weighted (by its own weights, or class_weight's `table`), their weights not all
    zero (the arrays' refusal), not found an epoch later."""
    n, weight, weighted = 0, 0.0, True
    for i, raw in enumerate(batches):
        xb, yb, wb = checked_batch(net, raw, f"{where} {i}")
        wb = wb if table is None else class_weighted(table, yb, wb)
        n, weighted = n + xb.shape[0], weighted and wb is not None
        weight += 0.0 if wb is None else float(np.add.reduce(wb, dtype=np.float64))
        if not math.isfinite(weight):
            raise overflow(name, f"{where} {i}")
    if weighted and not weight:
        sw.check(np.zeros(n), n, name)


def class_weighted(table: np.ndarray, yb: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """A batch's weights times class_weight's weight of each row's class (Keras' for a PyDataset)."""
    labels = yb.argmax(axis=1) if yb.shape[1] > 1 else (yb[:, 0] > 0.5).astype(np.int64)
    return table[labels] if w is None else w * table[labels]


class SequenceTrainer(Trainer):
    """The fit loop over a sequence of batches: one update per batch, as many as the sequence has."""

    def __init__(self, net: Any, batches: Any, **kwargs: Any):
        super().__init__(net, None, None, batch_size=0, **kwargs)       # type: ignore[arg-type]
        self.batches = batches
        self.class_table: np.ndarray | None = None      # class_weight's weight of each class
        self.last_rows: tuple[Any, Any] | None = None      # the last batch trained (x, y)

    def train_params(self, epochs: int, first_epoch: int) -> dict:
        return {"verbose": self.verbose, "epochs": epochs, "steps": len(self.batches), "samples": None,
                "batch_size": None, "initial_epoch": first_epoch}

    def batch(self, batch: Any, where: str, by_class: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """A batch's checked x, y and weights (Keras': its own sample weights, times class_weight's unless
        not `by_class`: validation's)."""
        xb, yb, w = checked_batch(self.net, batch, where)
        if self.class_table is not None and by_class:
            w = class_weighted(self.class_table, yb, w)
        return xb, yb, w

    def each(self, batches: Any, order: np.ndarray | None) -> Iterable[tuple[int, Any]]:
        return each(batches, order)

    def epoch_start(self, epoch: int) -> tuple[int, Any] | None:
        """Every epoch's start: its batches may weigh nothing, or too much at any batch (one copy serves them and
        the validation's refusal)."""
        return epoch, undo.rewinder(self.net, self.net.optimizer)

    def run_epoch(self, epoch: int, epochs: int) -> None:
        net, opt, batches = self.net, self.optimizer, self.batches
        opt.set_epoch(net.epochs_trained)
        for cb in self.callbacks:
            epoch_begin(cb, epoch)
        slices = net.trainable_slices()
        begin, end = batch_callbacks(self.callbacks)
        order = self.rng.permutation(len(batches)) if self.shuffle and hasattr(batches, "__getitem__") else None
        hook(batches, "on_epoch_begin")         # Keras 3: after the callbacks' on_epoch_begin, before batch 0
        total, correct, n = 0.0, 0.0, 0
        weight, hits = 0.0, 0.0             # the rows' weight and that of the correct ones (weighted batches)
        assert self.undo_epoch is not None
        rewind = self.undo_epoch[1]         # the epoch may weigh nothing, or too much at any batch: its start
        for step, (i, raw) in enumerate(self.each(batches, order)):
            xb, yb, wb = self.batch(raw, f"batch {i}")
            self.last_rows = xb, yb             # the epoch's last batch: `sample_rows`
            ws = xb.shape[0] if wb is None else float(np.add.reduce(wb, dtype=np.float64))
            if not math.isfinite(weight + ws):  # each batch's sum finite, the epoch's not: the arrays' refusal
                rewind()
                raise overflow(training_weights(self.class_table), f"batch {i} of epoch {epoch + 1} (the network "
                               f"and its optimizer are left as they were before epoch {epoch + 1})")
            for cb in begin:
                cb.on_train_batch_begin(step, logs={})
            try:
                E = net.train_batch(xb, yb) if wb is None else \
                    net.train_batch(xb, yb, sw.factors(wb, net.dtype, self.mean, ws), ws if self.mean else None)
            except TrainingDiverged as exc:
                if not terminates(self.callbacks):
                    raise self.diverged(exc, epoch, step) from None
                going_on, E = diverged_batch(self.callbacks, exc, net.params, end, step,
                                             lambda bad: self.metrics.logs(bad, math.nan))
                if not going_on:                # TerminateOnNaN: Keras' invalid batch logs given, then the stop
                    if not n:
                        correct = hits = math.nan
                    total, n, weight = E, max(n, 1), max(weight, 1.0)
                    break
            opt.step(net.params, net.grads, slices)
            out = net.last_output
            assert out is not None                                 # set by train_batch's forward pass
            total += E * xb.shape[0]            # Keras' loss tracker: each batch's loss by its rows
            n += xb.shape[0]
            weight += ws
            right = net.n_correct(out, yb) or 0.0
            correct += right
            hits += right if wb is None else sw.correct(net.task, out, yb, wb)
            for cb in end:                      # Keras': the means so far
                cb.on_train_batch_end(step, logs=self.epoch_logs(total, correct, n, hits, weight))
            if net.stop_training:               # as Keras: a callback's stop ends the epoch after its batch
                break
        if n and not weight:                    # every row weighed by 0: nothing learnt (a list: refused before)
            rewind()
            raise ValidationError(f"{training_weights(self.class_table)} is zero for all {n} rows of epoch "
                                  f"{epoch + 1}: at least one weight must be > 0 (the network and its optimizer "
                                  f"are left as they were before epoch {epoch + 1})")
        hook(batches, "on_epoch_end")
        self.close_epoch(epoch, self.epoch_logs(total, correct, n, hits, weight))

    def sample_rows(self) -> tuple[Any, Any] | None:
        """The epoch's last batch, whose outputs show its last update overflowing (`diagnostics.unseen_update`)."""
        return self.last_rows

    def epoch_logs(self, total: float, correct: float, n: int, hits: float, weight: float) -> dict[str, float]:
        """The loss over the rows (the batches' losses weighed by their rows, either reduction's, as Keras' loss
        tracker), the accuracies counting each row once and weighing it."""
        classify = self.classify                # no weight yet: 0, as Keras' divide_no_nan
        return self.metrics.logs(no_nan(total, n), correct / n if classify else None,
                                 no_nan(hits, weight) if classify else None)


def hook(batches: Any, name: str) -> None:
    """Call the sequence's `on_epoch_begin()` or `on_epoch_end()` where it has one (Keras' PyDataset hooks)."""
    if callable(getattr(batches, name, None)):
        getattr(batches, name)()


def each(batches: Any, order: np.ndarray | None, where: str = "batch") -> Iterable[tuple[int, Any]]:
    """(index, batch) of a sequence in `order` (None: its own), or of a re-iterable (a DataLoader) in its order. An
    IndexError of `[i]` below len() is a length that counts batches the sequence does not have: said so."""
    if not hasattr(batches, "__getitem__"):
        yield from enumerate(batches)
    else:
        for i in (range(len(batches)) if order is None else order):
            try:
                batch = batches[int(i)]
            except IndexError as exc:
                shown, counter = ("num_batches", "num_batches") if isinstance(batches, NumBatches) else \
                    ("len()", "__len__")
                raise ValidationError(f"{where} {int(i)} could not be read ({type(exc).__name__}: {exc}), though the "
                                      f"sequence's {shown} is {len(batches)}: does its {counter} count more batches "
                                      "than its __getitem__ gives?") from exc
            yield int(i), batch


def validate_batches(trainer: Any, batches: Any, hooks: Any = None, named: Any = None) -> dict[str, float]:
    """fit's validation on a sequence of batches (whatever fit trains on): each batch's loss and accuracy as
    `Network.evaluate` computes them (`streaming.validation`: rows whose pass overflowed from their outputs as predict
    gives them), summed over the batches, never weighted by class (Keras'); with weighted batches "accuracy_once",
    counting each row once; a set whose batches are all weighted by zero refused, as on arrays. `hooks`: Keras'
    on_test_* (`StageHooks`), each batch measured between its own, their logs the results so far (`named`), a hook's
    stop_evaluating ending the pass after its batch."""
    net, chunk, mean = trainer.net, trainer.validation_chunk, trainer.mean
    loss, correct, hits, n, weight, weighted = 0.0, 0.0, 0.0, 0, 0.0, False
    once = trainer.classify and trainer.metrics.needs_plain       # the accuracy counting each row once, too

    def so_far() -> dict[str, float]:
        result = {"loss": no_nan(loss, weight if mean else n)}
        if net.task != "regression":
            result["accuracy"] = no_nan(hits, weight)
        if weighted:
            result["accuracy_once"] = correct / n
        return result
    if hooks:
        hooks.begin()
    hook(batches, "on_epoch_begin")     # Keras 3 evaluates a PyDataset as an epoch of its own: its hooks around it
    for step, (i, raw) in enumerate(each(batches, None, "validation batch")):
        if hooks:
            hooks.batch_begin(step)
        xb, yb, wb = checked_batch(net, raw, f"validation batch {i}")
        ws = xb.shape[0] if wb is None else float(np.add.reduce(wb, dtype=np.float64))
        # a batch of zero weight adds nothing but its rows (an empty one is refused by checked_batch, in words)
        part = validation(net, xb, yb, wb, chunk, mean) if ws else {}
        loss += part.get("loss", 0.0) * (ws if mean else xb.shape[0])
        hits += part.get("accuracy", 0.0) * ws
        if wb is None:
            correct += part.get("accuracy", 0.0) * xb.shape[0]
        elif once:                      # from the weighted pass's outputs; a batch of zero weight: its own
            plain = part.get("accuracy_once", 0.0) if ws else validation(net, xb, yb, None, chunk)["accuracy"]
            correct += plain * xb.shape[0]
        n, weight, weighted = n + xb.shape[0], weight + ws, weighted or wb is not None
        if not math.isfinite(weight):
            raise overflow("validation_data's sample weight", f"validation batch {i}{undo.undone(trainer)}")
        if hooks and hooks.batch_end(step, named(so_far())):
            break
    else:                               # every batch weighted, all by zero: the arrays' refusal (a hook's stop: 0)
        if not weight:
            try:
                sw.check(np.zeros(n), n, "validation_data's sample weight")
            except ValidationError as exc:
                raise ValidationError(f"{exc}{undo.undone(trainer)}") from None
    hook(batches, "on_epoch_end")
    result = so_far()
    if hooks:
        hooks.end(named(dict(result)))
    return result
