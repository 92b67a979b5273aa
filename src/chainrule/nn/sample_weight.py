"""Per-sample weights: sample i's error counts w_i times (scikit-learn's and Keras' `sample_weight`).

Two normalisations of a batch's weighted error, named as Keras 3 names its losses' reductions:
"sum_over_batch_size" (Keras' default, `Network.fit` and `evaluate`'s): sum_i w_i E_i / n, and
"mean_with_sample_weight" (scikit-learn's MLP, `Network.loss` and `gradients`): the weighted mean
sum_i w_i E_i / sum_i w_i, so integer weights give the error (and the gradient) of the batch with
row i repeated w_i times. A zero weight drops the row in both. The losses already divide by the
batch size n inside their delta, so a weighted batch only scales row i of the output delta, and
of the error terms, by c_i = w_i (Keras') or w_i * n / sum(w): the backward pass and the fused
formulas stay as they are. Unweighted batches never come here.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ChainruleTypeError, ValidationError
from .checks import to_numeric
from .losses import Loss
from .numeric import whole_file

BLOCK = 1 << 20      # weights checked a block at a time: no whole-length temporary
#: Keras 3's names of the two normalisations (its Loss `reduction`): by the batch's size, by its weights' sum
REDUCTIONS = ("sum_over_batch_size", "mean_with_sample_weight")


def by_weight(reduction: Any) -> bool:
    """Whether `weight_reduction` (fit's, evaluate's) is "mean_with_sample_weight" (checked: one of REDUCTIONS)."""
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValidationError(f"weight_reduction must be one of {', '.join(map(repr, REDUCTIONS))}; got {reduction!r}")
    return reduction == REDUCTIONS[1]


def summed(w: np.ndarray) -> float:
    """The float64 sum of weights `w`, inf (no warning) where it passes float64's largest number: the weighted
    mean's divisor, which `check` and the command's options refuse when it is not finite, each in its words."""
    total = 0.0
    for a in range(0, w.shape[0], BLOCK):       # in blocks: a file's weights (np.memmap) are read once, in place
        with np.errstate(over="ignore"):
            total += float(np.add.reduce(w[a:a + BLOCK], dtype=np.float64))
    return total


def check(sample_weight: Any, n: int, name: str = "sample_weight", some: bool = True) -> np.ndarray:
    """`sample_weight` (shape (n,), or Keras' column (n, 1)) as a float64 array of `n` finite weights >= 0, not all
    zero unless not `some` (a sequence's batch: others may weigh), summing to a finite number (a copy: the
    caller's array is never changed); errors name it as `name`. Float64 weights in a file
    (np.memmap, as `chainrule train --weight --stream` keeps them) are checked in place and used
    as they are, never written: no memory a row."""
    on_disk = isinstance(sample_weight, np.memmap) and sample_weight.dtype == np.float64
    if on_disk:
        whole_file(sample_weight, name)
    w = sample_weight if on_disk else to_numeric(sample_weight, name)
    if w.ndim == 2 and w.shape[1] == 1:
        w = w[:, 0]                                   # a column, as Keras reads (n, 1)
    if w.ndim != 1:
        raise ValidationError(f"{name} must be one weight per sample: shape ({n},) or a column ({n}, 1); got shape "
                              f"{w.shape}")
    if w.shape[0] != n:
        raise ValidationError(f"{name} has {w.shape[0]} weights; expected one per sample: {n}")
    if not on_disk:
        w = np.array(w, dtype=np.float64)             # a copy: the caller's array is never changed
    positive, total = False, 0.0
    for a in range(0, n, BLOCK):
        part = w[a:a + BLOCK]
        bad = np.flatnonzero(~np.isfinite(part))
        if bad.size:
            raise ValidationError(f"{name} must be finite; weight {a + bad[0]} is {part[bad[0]]}")
        bad = np.flatnonzero(part < 0)
        if bad.size:
            raise ValidationError(f"{name} must be >= 0; weight {a + bad[0]} is {part[bad[0]]:g}")
        positive = positive or bool(part.any())
        total += summed(part)
    if not np.isfinite(total):          # the weighted mean's divisor: inf would make the loss 0 and the accuracy NaN
        raise ValidationError(f"{name}: the weights sum past float64's largest number (1.8e+308), largest weight "
                              f"{float(np.max(w)):g}; divide them all by one factor (e.g. 1e300 -> 1): only their "
                              "ratios count with weight_reduction='mean_with_sample_weight' (with Keras' "
                              "'sum_over_batch_size' the loss scales with them)")
    if not positive and some:
        every = f"all {n} samples" if n > 1 else "the one sample"
        raise ValidationError(f"{name} is zero for {every}: at least one weight must be > 0")
    return w


def factors(w: np.ndarray, dtype: np.dtype, mean: bool = True, total: float | None = None) -> np.ndarray:
    """c_i = w_i * n / sum(w) of a batch (`mean`: "mean_with_sample_weight"), else w_i (Keras'
    "sum_over_batch_size"), in the network's dtype (all zero when every w_i is: such a batch adds
    nothing to the gradient). `total`: sum(w), when the caller has it."""
    if not mean:           # Keras' reduction scales each row's error by w_i itself: in float32 it must be finite
        c = np.asarray(w, dtype=dtype)
        if c.dtype != np.float64 and w.shape[0] and float(np.max(w)) > float(np.finfo(c.dtype).max):
            raise ValidationError(f"sample_weight: weight {int(np.argmax(w))} is {float(np.max(w)):g}, past "
                                  f"{c.dtype}'s largest number ({float(np.finfo(c.dtype).max):.2g}) of this "
                                  f"{c.dtype} network (weight_reduction='sum_over_batch_size' scales each row's "
                                  "error by its weight); divide them all by one factor, or give "
                                  "weight_reduction='mean_with_sample_weight', where only their ratios count")
        return c
    if total is None:
        total = float(np.add.reduce(w, dtype=np.float64))
    if total == 0.0:
        return np.zeros(w.shape[0], dtype=dtype)
    return np.asarray(w * (w.shape[0] / total), dtype=dtype)


def ratios(w: np.ndarray) -> np.ndarray:
    """`w` (float64 weights >= 0) as they are, or, where their sum passes float64's largest number, times the power
    of two that brings the largest to at most 1/len(w): exactly the same ratios, for callers that weigh by
    "mean_with_sample_weight" only (scikit-learn's estimators), where equal weights must train as none."""
    with np.errstate(over="ignore"):
        if w.size == 0 or np.isfinite(np.add.reduce(w, dtype=np.float64)):
            return w
    shift = int(np.frexp(float(np.max(w)))[1]) + int(np.ceil(np.log2(w.shape[0])))
    return np.ldexp(w, -shift)


def batch(sample_weight: Any, n: int, dtype: np.dtype) -> np.ndarray | None:
    """The checked factors of a whole batch of `n` samples, or None without weights."""
    return None if sample_weight is None else factors(check(sample_weight, n), dtype)


def value(loss: Loss, out: np.ndarray, Y: np.ndarray, net: np.ndarray | None, c: np.ndarray) -> float:
    """The weighted batch error: each sample's error terms (`Loss.terms`, the ones `value` sums)
    scaled by c_i, then divided as the loss divides them."""
    try:
        terms = loss.terms(out, Y, net)
    except NotImplementedError:
        raise ValidationError(f"sample_weight needs each sample's error terms, and the loss {loss!r} does not "
                              "define them (Loss.elementwise)") from None
    return float(np.dot(c, np.add.reduce(terms, axis=1)) / loss.scale(out))


def correct(task: str, out: np.ndarray, Y: np.ndarray, w: np.ndarray) -> float:
    """The weight of the correct predictions (`Network.n_correct` with each sample counted w_i times)."""
    if task == "multiclass":
        return float(np.dot(w, out.argmax(axis=1) == Y.argmax(axis=1)))
    return float(np.dot(w, np.add.reduce((out > 0.5) == (Y > 0.5), axis=1))) / Y.shape[1]


def class_weights(class_weight: Any, Y: Any, task: str, k: int, weights: np.ndarray | None = None) -> np.ndarray:
    """One weight per row of the checked targets Y (one-hot rows, or one 0/1 column) from Keras'
    `class_weight` ({class index: weight}; a class left out weighs 1) or scikit-learn's "balanced"
    (n_samples / (n_classes * rows of the class): every class present weighs the same in all; with the rows'
    sample `weights`, their sums for the counts, as scikit-learn's compute_class_weight)."""
    if task == "multiclass":
        labels = np.asarray(Y.argmax(axis=1), dtype=np.int64)
    elif task == "binary" and k == 1:
        labels, k = (np.asarray(Y[:, 0]) > 0.5).astype(np.int64), 2
    else:
        raise ValidationError(f"class_weight is for a classifier with one class per sample (a softmax output, or "
                              f"one sigmoid output with binary cross-entropy); this network's task is {task}"
                              + (f" with {k} outputs" if task == "binary" else "") + ": give sample_weight instead")
    return class_table(class_weight, labels, k, weights)[labels]


#: said to class_weight given as one weight per class in a row (scikit-learn's compute_class_weight returns that)
WEIGHTS_IN_A_ROW = (": weights in the classes' order (compute_class_weight's) are dict(enumerate(weights)) for class "
                    "indices, dict(zip(classes, weights)) for labels")


def class_table(class_weight: Any, labels: np.ndarray, k: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Each of the k classes' weight under `class_weight` (checked), 'balanced' counted on `labels`
    (the class index of each training row); with `weights` (each row's sample weight), their sums stand for the
    counts, as scikit-learn's compute_class_weight(..., sample_weight=) (1.9): a row weighted 2 counts as two rows."""
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValidationError(f"class_weight must be a dict {{class index: weight}} or 'balanced'; got "
                                  f"{class_weight!r}")
        counts = np.bincount(labels, weights=weights, minlength=k).astype(np.float64)
        present = np.bincount(labels, minlength=k) > 0       # the classes of y, weighed or not (n_classes)
        table = np.ones(k)
        weighed = present & (counts > 0)                     # a class whose rows all weigh 0: those rows weigh 0
        table[weighed] = counts.sum() / (int(present.sum()) * counts[weighed])
        return table
    if not isinstance(class_weight, dict):
        raise ChainruleTypeError(f"class_weight must be a dict {{class index: weight}} or 'balanced'; got "
                                 f"{type(class_weight).__name__}" + WEIGHTS_IN_A_ROW * hasattr(class_weight, "__len__"))
    table = np.ones(k)
    for key, value in class_weight.items():
        # Keras looks each row's class up as class_weight.get(int(label)): 1.0, np.int64(1) and True (== 1, of one
        # hash) are class 1 there, so {False: 1.0, True: 3.0} weighs a 0/1 target's classes
        if index_of(key) is None or not 0 <= key < k:
            raise ValidationError(f"class_weight keys are class indices 0..{k - 1} (as the targets' labels or "
                                  f"one-hot columns); got {key!r} ({type(key).__name__})"
                                  + ("; {label: weight} by the labels' names is chainrule.sklearn."
                                     "BackpropClassifier's class_weight" * isinstance(key, str)))
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not np.isfinite(value) or value < 0:
            raise ValidationError(f"class_weight[{key!r}] must be a number >= 0; got {value!r}")
        table[int(key)] = float(value)
    return table


def recorded(class_weight: Any) -> str | list[list[Any]] | None:
    """fit's class_weight as a model file records it, in the form of `chainrule train --class-weight`'s record
    (`read_record`): 'balanced', or [label, weight] pairs, each key written as the class index fit reads it as
    (1.0 and np.True_ are class 1, as in `class_table`); None for none, or for what fit refuses."""
    if not isinstance(class_weight, dict):
        return "balanced" if isinstance(class_weight, str) and class_weight == "balanced" else None
    indices = [index_of(key) for key in class_weight]
    numbers = all(isinstance(w, (int, float, np.number)) and not isinstance(w, (bool, np.bool_))
                  for w in class_weight.values())
    if not numbers or not indices or any(i is None for i in indices):
        return None
    return [[str(i), float(w)] for i, w in sorted(zip(indices, class_weight.values()), key=lambda iw: iw[0] or 0)]


def index_of(key: Any) -> int | None:
    """The class index a class_weight key stands for, as Keras' class_weight.get(int(label)) finds it; None if
    it is no whole number."""
    if isinstance(key, (int, np.integer, np.bool_)) or isinstance(key, (float, np.floating)) and \
            float(key).is_integer():
        return int(key)
    return None


def read_record(record: Any) -> str | list | None:
    """A class-weight record as a model file (or checkpoint) holds it: 'balanced', or [label, weight] pairs; None
    where there is none, or what is there is no such record (load, info and plot curves read it here)."""
    if isinstance(record, str) and record == "balanced":
        return record
    pairs = record if isinstance(record, list) else []
    if not pairs or not all(isinstance(p, list) and len(p) == 2 and isinstance(p[1], (int, float))
                            and not isinstance(p[1], bool) for p in pairs):
        return None
    return pairs


def with_record(net: Any, extra: dict | None) -> dict | None:
    """A model file's extra with the class_weight of the network's last fit (`Network.class_weight_record`), as
    `chainrule train --class-weight` records its own (which, given in extra by its labels, is kept)."""
    if getattr(net, "class_weight_record", None) is None:
        return extra
    return {"class_weight": net.class_weight_record, **(extra or {})}
