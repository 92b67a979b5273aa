"""The targets' checks: what Y stands for beside a network of k outputs (class labels, one per sample, or rows
of k values), read once here for fit and evaluate, the streamed fit, and the report's words on the classes."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ValidationError
from .checks import cast, check_finite
from .numeric import to_numeric

#: what to do with class labels a network cannot take as they are (text, or not 0..k-1)
ENCODE_LABELS = ("encode them as 0..k-1 (sklearn.preprocessing.LabelEncoder().fit_transform(Y)), or use "
                 "chainrule.sklearn.BackpropClassifier, which takes labels as they are")


def task_of(loss: str, output_activation: str) -> str:
    """"multiclass" (softmax / categorical cross-entropy), "binary" (binary cross-entropy) or "regression"."""
    if loss == "categorical_crossentropy" or output_activation == "softmax":
        return "multiclass"
    if loss == "binary_crossentropy":
        return "binary"
    return "regression"


def targets(Y, k: int, task: str, loss: str, dtype: np.dtype) -> np.ndarray:
    """Y as a (n_samples, k) array of `dtype` for a network with k outputs, its `task` and `loss`
    name; integer class labels become one-hot rows."""
    arr = to_numeric(Y, "Y", dtype, text_hint=text_targets(task))
    labels = given_as_labels(arr.shape, k)
    if labels and k == 1:
        arr = arr.reshape(-1, 1)
    elif labels:
        if task != "multiclass":
            raise ValidationError(f"Y of shape {arr.shape} does not fit a network with {k} outputs: "
                                  f"expected shape (n_samples, {k})")
        arr = one_hot(arr.reshape(-1), k, dtype)
    if arr.ndim != 2 or arr.shape[1] != k:
        hint = (": for one-hot rows of two classes, pass their second column (Y[:, 1], 1 for class 1), or give the "
                "network a softmax output of 2 units" if k == 1 and arr.ndim == 2 and arr.shape[1] == 2 else "")
        raise ValidationError(f"Y must have shape (n_samples, {k}) for a network with {k} output{'s' * (k != 1)}; "
                              f"got {arr.shape}{hint}")
    if arr.shape[0] == 0:
        raise ValidationError("Y is empty: expected at least one sample")
    arr = cast(arr, dtype, "Y")
    check_finite(arr, "Y")
    name = loss
    if name == "binary_crossentropy" and ((arr < 0).any() or (arr > 1).any()):
        two = np.unique(arr)
        hint = (f" (two labels, {two[0]:g} and {two[1]:g}: {ENCODE_LABELS.replace('0..k-1', '0 and 1')})"
                if two.size == 2 else "")
        raise ValidationError("Y must lie in [0, 1] for binary_crossentropy; got values from "
                              f"{arr.min():g} to {arr.max():g}{hint}")
    if name == "categorical_crossentropy":
        sums = arr.sum(axis=1)
        if (arr < 0).any() or not np.allclose(sums, 1.0, atol=1e-3):
            row = int(np.argmax(np.abs(sums - 1.0) + (arr < 0).any(axis=1)))
            raise ValidationError("Y rows must be one-hot or probabilities summing to 1 for categorical_crossentropy; "
                                  f"row {row} is {arr[row].tolist()}")
    return arr


def text_targets(task: str) -> str:
    """What to do with text targets, for a network of `task` (`task_of`)."""
    if task == "regression":
        return "a regression network's targets are numbers (text that holds numbers: np.asarray(Y, dtype=float))"
    return f"a network's class labels are integers 0..k-1 or one-hot rows: {ENCODE_LABELS}"


def one_hot(labels: np.ndarray, k: int, dtype: Any = np.float64) -> np.ndarray:
    """Integer class labels 0..k-1 as one-hot rows of `dtype` (the network's: float32 rows are never made in
    float64 first, which held three times their memory a moment), or a clear error."""
    labels = class_codes(labels, k)
    Y = np.zeros((labels.size, k), dtype=dtype)
    Y[np.arange(labels.size), labels] = 1.0
    return Y


def class_codes(labels: np.ndarray, k: int) -> np.ndarray:
    """Class labels 0..k-1 checked, as the smallest integer type that holds them (a view when
    they already are integers of that kind): the targets of out-of-core data stay 1-4 bytes a row."""
    if labels.dtype.kind not in "iub":
        check_finite(labels, "Y (class labels)")
        if labels.size and not np.all(np.equal(np.mod(labels, 1), 0)):
            raise ValidationError(f"class labels in Y must be integers 0..{k - 1}; got non-integer values")
        if labels.size and (labels.min() < 0 or labels.max() >= k):
            raise ValidationError(f"class labels in Y must lie in 0..{k - 1} for a network with {k} outputs; "
                                  f"got values from {labels.min():g} to {labels.max():g}: {ENCODE_LABELS}")
    elif labels.size and (labels.min() < 0 or labels.max() >= k):     # in their own type: uint64 stays exact
        raise ValidationError(f"class labels in Y must lie in 0..{k - 1} for a network with {k} outputs; "
                              f"got values from {labels.min()} to {labels.max()}: {ENCODE_LABELS}")
    small = np.int8 if k <= 127 else np.int16 if k <= 32767 else np.int32
    if labels.dtype.kind == "i" and labels.dtype.itemsize <= np.dtype(small).itemsize:
        return labels
    return labels.astype(small)


def given_as_labels(shape: tuple[int, ...], k: int, column: bool = False) -> bool:
    """Whether targets of `shape` are class labels, one per sample (a 1-D Y, or a column of them beside k > 1
    outputs), rather than rows of k values. A single output's column is its values, as fit reads it; `column`:
    count it as labels too (a single sigmoid's column of 0s and 1s, one class per sample, as the report words it)."""
    return len(shape) == 1 or (len(shape) == 2 and shape[1] == 1 and (k > 1 or column))
