"""fit's arguments checked before any work: the data and its split (Keras' validation_split),
sample and class weights, the batch size, Keras' initial_epoch and validation_freq."""
from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

import numpy as np

from ..callers import caller_level
from ..errors import ChainruleError, ChainruleTypeError, ValidationError, plural, refusal
from ..nn import checks as check
from ..nn import sample_weight as sw
from .streaming import check_data, head_tail

if TYPE_CHECKING:
    from ..nn.network import Network


def checked_data(net: Network, X, Y, sample_weight: Any, validation_data: tuple | None, validation_split: float,
                 batch_size: int | None, class_weight: Any = None) -> tuple:
    """fit's data checked and split: (X, Y, weights, validation data, validation weights, batch size)."""
    X, Y = check_data(net, X, Y)            # an out-of-core X (memmap) stays on disk: see streaming.py
    w = None if sample_weight is None else sw.check(sample_weight, X.shape[0])
    w_val = None
    split = split_fraction(validation_split, validation_data)      # as given: held_out counts in its precision
    validation_split = float(split)
    if validation_split:
        n_val = held_out(X.shape[0], split)
        if n_val < 1 or n_val >= X.shape[0]:
            raise ValidationError(f"validation_split={validation_split} leaves {X.shape[0] - n_val} training and "
                                  f"{n_val} validation samples of {X.shape[0]}; both need at least one")
        (Y, Y_val), X_val, X = head_tail(Y, n_val), X[-n_val:], X[:-n_val]
        validation_data = (X_val, Y_val)
        if w is not None:                   # split as X: each part must keep a weight > 0
            rows = f" rows (validation_split={validation_split})"
            w, w_val = (sw.check(w[:-n_val], X.shape[0], "sample_weight of the training" + rows),
                        sw.check(w[-n_val:], n_val, "sample_weight of the validation" + rows))
    if class_weight is not None:            # the training rows only, as Keras: validation is not reweighted
        by_class = sw.class_weights(class_weight, Y, net.task, net.n_outputs, w)   # 'balanced' counted with w
        w = sw.check(by_class if w is None else w * by_class, X.shape[0],
                     "class_weight's weights of the training rows" if w is None else "sample_weight times class_weight")
    arrays_of_other_count(validation_data)
    if validation_data is not None and batches(validation_data):     # Keras': a PyDataset of (x, y) batches
        from .sequence import check_batches, weighs_some
        validation_data = (check_batches(validation_data, "validation_data"), None)
        if isinstance(validation_data[0], (list, tuple)):
            weighs_some(net, validation_data[0])        # held in memory: checked now, not an epoch later
    elif validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValidationError("validation_data must be a pair (X_val, Y_val) or a triple (X_val, Y_val, "
                                  "sample_weight_val)")
        given = validation_data
        try:
            validation_data = check_data(net, *given[:2])
        except ChainruleError as exc:       # "X has 3 features" would blame the training data
            raise type(exc)(f"validation_data: {exc}") from None
        if len(given) == 3 and given[2] is not None:      # Keras 3's (X_val, Y_val, None): unweighted
            w_val = sw.check(given[2], validation_data[0].shape[0], "validation_data's sample weight")
    batch_size = X.shape[0] if batch_size is None else min(check.positive_int(batch_size, "batch_size"), X.shape[0])
    return X, Y, w, validation_data, w_val, batch_size


def arrays_of_other_count(given: Any) -> None:
    """Refuse arrays alone in a tuple or list of other than 2 or 3, such as (X_val,) or (X_val, Y_val, None, None):
    read as batches, they were 'validation batch 0 must be a pair', naming batches nobody gave. An item that is no
    tuple, list or dict (an array, a DataFrame, None) cannot be a batch, nor can a list of other than 2 or 3 items
    or of numbers (X_val.tolist(), y_val.tolist(): (X_val, y_val, w, None) of lists was read as batches too). Keras
    refuses them all alike."""
    if isinstance(given, (tuple, list)) and len(given) not in (2, 3) and given \
            and not all(could_be_batch(a) for a in given):
        alone = " (X_val alone: validation needs its targets)" if len(given) == 1 else ""
        noun = plural(len(given), "array" if all(hasattr(a, "shape") for a in given) else "item")
        raise ValidationError(f"validation_data must be a pair (X_val, Y_val) or a triple (X_val, Y_val, "
                              f"sample_weight_val); got a {type(given).__name__} of {len(given)} {noun}{alone}")


def could_be_batch(item: Any) -> bool:
    """Whether an item of validation_data may be one (x, y[, w]) batch: a dict, or a pair or triple not of numbers."""
    if isinstance(item, dict):
        return True
    return isinstance(item, (tuple, list)) and len(item) in (2, 3) and not all(
        a is None or isinstance(a, (int, float, np.number)) for a in item)


def batches(given: Any) -> bool:
    """Whether validation_data is a sequence of batches (a Keras PyDataset, a list of (x, y) pairs, a DataLoader, a
    generator: refused by `sequence.check_batches`, saying why), not arrays (X_val, Y_val[, w_val]), which may be
    lists of rows: `sequence.arrays` decides for a list or tuple, as fit on a sequence does."""
    from .sequence import arrays
    if isinstance(given, (tuple, list)):
        return not arrays(given)
    if isinstance(getattr(type(given), "num_batches", None), property):     # Keras 3's PyDataset, __len__ or not
        return True
    return hasattr(given, "__next__") or (hasattr(given, "__len__") and (hasattr(given, "__getitem__") or
                                                                          hasattr(given, "__iter__"))
                                          and not isinstance(given, (np.ndarray, str, bytes, dict)))


def split_fraction(validation_split: float, validation_data: Any) -> float:
    """Keras' `validation_split`, a number in [0, 1), as given (`held_out` counts in its precision); 0 where
    validation_data is given too, which overrides it as in Keras' fit (every row trains), with a warning naming
    both: giving both is likely a slip."""
    if isinstance(validation_split, (bool, np.bool_)) or not isinstance(validation_split, numbers.Real) \
            or not 0.0 <= validation_split < 1.0:                  # NaN fails the range too
        raise ValidationError(f"validation_split must be a number in [0, 1); got {validation_split!r}")
    if validation_split and validation_data is not None:
        warnings.warn(f"fit got both validation_data and validation_split={validation_split!r}: validation_data "
                      f"overrides validation_split (as in Keras), so every row trains and validation_data alone "
                      f"validates", UserWarning, stacklevel=caller_level())
        return 0.0
    return validation_split


def epoch_count(epochs: Any) -> int:
    """Keras' `epochs`: the index the run ends at, an integer >= 0; 0 (or an `initial_epoch` at or past it) trains
    nothing and returns an empty History, as Keras' fit does, for the resume of a run already finished."""
    if isinstance(epochs, (bool, np.bool_)) or not isinstance(epochs, numbers.Integral):
        raise refusal(ChainruleTypeError(f"epochs must be an integer >= 0; got {epochs!r}"), "epochs",
                            "an integer >= 0")
    if epochs < 0:
        raise refusal(ValidationError(f"epochs must be an integer >= 0 (0 trains nothing); got {epochs}"),
                            "epochs", "an integer >= 0")
    return int(epochs)


def first_epoch(initial_epoch: Any) -> int:
    """Keras' `initial_epoch`: the index of the first epoch to train (fit(epochs=20, initial_epoch=10) trains 10
    epochs, numbered 11 to 20); from `epochs` on none, as Keras' fit: a finished run resumed trains nothing."""
    if isinstance(initial_epoch, (bool, np.bool_)) or not isinstance(initial_epoch, numbers.Integral) \
            or initial_epoch < 0:
        raise ValidationError(f"initial_epoch must be an integer >= 0, the index of the first epoch to train (as in "
                              f"Keras: fit(epochs=20, initial_epoch=10) trains 10); got {initial_epoch!r}")
    return int(initial_epoch)


def validation_frequency(validation_freq: Any) -> int | frozenset[int]:
    """Keras' `validation_freq`: validate every that many epochs (an integer >= 1), or after the epochs
    of a collection (numbered from 1, as Keras: [1, 5, 10]; any collection, where Keras takes a list)."""
    def whole(value: Any) -> bool:
        return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)) and int(value) >= 1
    if whole(validation_freq):
        return int(validation_freq)
    if isinstance(validation_freq, Collection) and not isinstance(validation_freq, (str, bytes, dict)) \
            and all(whole(v) for v in validation_freq):
        return frozenset(int(v) for v in validation_freq)
    raise ValidationError(f"validation_freq must be an integer >= 1 (validate every that many epochs) or a list of "
                          f"epoch numbers counted from 1 (as Keras'); got {validation_freq!r}")


def held_out(n: int, validation_split: float) -> int:
    """The rows `validation_split` holds out of n (the last ones), as Keras counts them: n - floor(n * (1 - split)),
    in the split's own precision (np.float32(0.2) of 150 rows holds out 30, as Keras does, not 31). The command
    line's --val-split reads it too."""
    return n - math.floor(n * (1.0 - validation_split))


def keras_steps(steps_per_epoch: Any, validation_steps: Any, batch_size: Any, validation_batch_size: Any = None,
                batches: int | None = None, validation_batches: int | None = None) -> None:
    """Keras' `steps_per_epoch` and `validation_steps`, refused unless None (Keras' default), saying how to get
    the same run: a chainrule epoch is one pass over the data, and validation evaluates all of validation_data.
    A steps_per_epoch of the epoch's own `batches` (Keras' `len(X) // batch_size` where it divides) is that pass,
    a validation_steps of all of `validation_batches` the whole validation."""
    def whole_pass(steps: Any, count: int | None) -> bool:
        return isinstance(steps, numbers.Integral) and not isinstance(steps, bool) and steps == count
    steps_per_epoch = None if whole_pass(steps_per_epoch, batches) else steps_per_epoch
    validation_steps = None if whole_pass(validation_steps, validation_batches) else validation_steps

    def rows(steps: Any, name: str, size: Any, size_name: str) -> str:
        whole = isinstance(steps, numbers.Integral) and isinstance(size, numbers.Integral)
        return f"{name} * {size_name}" + (f" = {int(steps) * int(size)}" if whole else "")
    if steps_per_epoch is not None:
        first = rows(steps_per_epoch, 'steps_per_epoch', batch_size, 'batch_size')
        raise ValidationError(
            f"steps_per_epoch is not supported (got {steps_per_epoch!r}): a chainrule epoch is one pass over the "
            f"data, ceil(rows / batch_size) batches. For a generator (Keras' reason for it), give fit a sequence "
            f"whose len() is the steps and whose [i] returns the generator's next (x, y) batch; for arrays, fit on "
            f"the first {first} rows, or choose batch_size and epochs for the "
            f"updates you want")
    if validation_steps is not None:        # Keras' validation batches: of validation_batch_size, else batch_size
        by = (batch_size, "batch_size") if validation_batch_size is None else \
            (validation_batch_size, "validation_batch_size")
        first = rows(validation_steps, 'validation_steps', *by)
        raise ValidationError(
            f"validation_steps is not supported (got {validation_steps!r}): validation evaluates all of "
            f"validation_data; to evaluate part of it, give its first {first} "
            f"rows (validation_data=(X_val[:k], Y_val[:k]))")

