"""What the estimators' fit takes as X and y, checked before scikit-learn's checks: text, dates, missing values and
mixed labels named with their column, row or index (scikit-learn's messages name none of them)."""
from __future__ import annotations

import decimal
import re
from typing import Any

import numpy as np

from .. import errors
from ..errors import ValidationError, counted
from ..nn.numeric import dates


def no_text(X: Any) -> Any:
    """X as it is, unless a DataFrame with a column of text, dates or other things than numbers: a ValueError
    (as scikit-learn's own, which check_estimator expects) that names the column, where scikit-learn's says
    only "could not convert string to float: 'green'". Numbers written as text ('2.5', a string column of
    numbers, pyarrow's too) pass: scikit-learn's check_array converts them, as MLPClassifier's does."""
    if isinstance(X, (list, tuple, np.ndarray)):
        return _no_text_array(X)
    if not (hasattr(X, "columns") and hasattr(X, "items") and hasattr(X, "iloc")):
        return X
    from pandas.api.types import infer_dtype
    for column, series in X.items():
        if getattr(series.dtype, "kind", None) in ("M", "m"):    # scikit-learn: NumPy's "could not be promoted"
            raise ValidationError(f"X column {column!r} {dates(series.dtype, f'X[{column!r}]')}")
        gaps = np.array(series.isna(), dtype=bool)   # pd.NA of Int64/boolean too: scikit-learn names no column
        values = series.cat.categories if series.dtype == "category" else series[~gaps]
        kind = infer_dtype(values, skipna=True)
        if kind in ("string", "mixed", "mixed-integer", "bytes"):   # "mixed" may be bools and floats: no text
            nan_text = _numbers_in_text(column, values)
            if series.dtype != "category":
                gaps[np.flatnonzero(~gaps)[nan_text]] = True
            else:                    # its category 'nan' is NaN to check_array, as in a column of text: named
                gaps |= np.isin(series.cat.codes.to_numpy(), np.flatnonzero(nan_text))
        elif kind in ("complex", "period", "interval", "time", "date"):
            raise ValidationError(f"X column {column!r} must be numeric; got {kind} values (pandas dtype "
                                  f"{series.dtype}, e.g. {values[0]!r:.60}): convert it to numbers first, or drop it")
        if gaps.any():
            k, row = int(gaps.sum()), errors.label(X.index[int(np.argmax(gaps))])
            raise ValidationError(f"X column {column!r} has {counted(k, 'missing value')} (NaN or NA; first in row "
                                  f"{row}); impute them (e.g. sklearn.impute.SimpleImputer) or drop those rows")
    return X


def _numbers_in_text(column: Any, values: Any) -> np.ndarray:
    """Where text in a column reads as NaN ('nan': a missing value), when its text is numbers ('2.5', which
    scikit-learn's check_array converts); else a ValueError naming the first text that is no number."""
    arr = np.asarray(values, dtype=object)
    try:
        return np.isnan(arr.astype(np.float64))
    except (TypeError, ValueError):
        pass
    for v in arr:
        if isinstance(v, (str, bytes)):
            try:
                float(v)
            except ValueError:
                raise ValidationError(f"X column {column!r} must be numeric; it holds text ({v!r}): encode text and "
                                      "categories as numbers first (sklearn.preprocessing.OneHotEncoder; for a table "
                                      "of numbers and text, a sklearn.compose.ColumnTransformer before the "
                                      "estimator)") from None
    return np.zeros(arr.shape, dtype=bool)       # other objects: for scikit-learn's check to name


def one_type(labels: np.ndarray, name: str = "y") -> None:
    """Class labels of one kind: text and numbers mixed (1 and '1') cannot be ordered, and scikit-learn
    says only "Unknown label type: unknown" (MLPClassifier: "'<' not supported between ... 'str' and 'int'")."""
    if labels.dtype != object:
        return
    flat = labels.reshape(-1)
    text = [isinstance(v, (str, bytes)) for v in flat]
    if any(text) and not all(text):
        a, b = flat[text.index(True)], flat[text.index(False)]
        raise ValidationError(f"{name} mixes labels of different types: {b!r} ({type(b).__name__}) and {a!r} "
                              f"({type(a).__name__}); give every label one type (e.g. np.asarray({name}).astype(str))")


def known_type(labels: np.ndarray, name: str = "y") -> None:
    """Class labels scikit-learn can read: an object array of bools or numbers (a pandas column of object dtype, say)
    is of type "unknown" to its type_of_target, which MLPClassifier refuses (for classes too), saying only "Unknown
    label type"; named here with its fix. So are float labels past int64's range (1e300): whole numbers that its
    type_of_target reads as continuous, after NumPy's "invalid value encountered in cast"."""
    if labels.dtype.kind == "f" and labels.size:
        finite = labels[np.isfinite(labels)]
        huge = finite[(finite >= 2.0**63) | (finite < -2.0**63)]      # -2**63 is int64's own
        if huge.size:
            raise ValidationError(f"Unknown label type of {name}: {huge[0].item()!r} is past the range of int64, "
                                  "which scikit-learn reads whole-number labels in (it calls them continuous, and "
                                  "MLPClassifier refuses them); give the labels as text, or as codes: "
                                  f"np.unique({name}, return_inverse=True)[1]")
    if labels.dtype != object:
        return
    flat = labels.reshape(-1)
    if flat.size and not any(isinstance(v, (str, bytes)) for v in flat):
        v = next((v for v in flat if v is not None and v == v), flat[0])
        raise ValidationError(f"Unknown label type of {name}: an object array of labels that are not text (e.g. "
                              f"{v!r}, {type(v).__name__}), as scikit-learn reads it and MLPClassifier refuses it; "
                              f"give the labels their own dtype, e.g. np.asarray({name}, dtype="
                              f"{ {'b': 'bool', 'i': 'int', 'u': 'int'}.get(np.asarray(v).dtype.kind, 'float')})")


def checked_classes(classes: Any) -> np.ndarray:
    """partial_fit's `classes`: every label, once, of one type, none missing (as MLPClassifier's, named)."""
    if isinstance(classes, (str, bytes)) or np.ndim(classes) != 1:
        raise ValidationError(f"classes must be a 1-D list of all the labels (e.g. classes=np.unique(y_all)); "
                              f"got {classes!r:.80}")
    if len(classes) == 0:           # MLPClassifier: "y has 0 samples"
        raise ValidationError("classes must list all the labels (e.g. classes=np.unique(y_all)); got none: "
                              f"{classes!r:.80}")
    one_type(np.array(list(classes), dtype=object), "classes")     # before NumPy turns [0, '1'] into text
    labels = np.asarray(classes)
    if labels.dtype.kind in "fc" and np.isnan(labels).any() or labels.dtype == object and any(
            v is None or v != v for v in labels):
        raise ValidationError(f"classes must not hold missing values (NaN, None); got {labels.tolist()!r:.200}")
    if labels.dtype.kind == "f" and not np.isfinite(labels).all():    # MLPClassifier: "Input contains infinity"
        raise ValidationError(f"classes must not hold infinite values; got {labels.tolist()!r:.200}")
    if labels.dtype.kind == "f" and (labels != np.round(labels)).any():     # fit's y would be refused so (continuous)
        raise ValidationError(f"classes must be class labels (whole numbers, text or bools), as y's; it holds "
                              f"{labels[labels != np.round(labels)][0].item()!r}, a continuous value (scikit-learn: "
                              f"\"Unknown label type\"); got {labels.tolist()!r:.200}")
    lost = [(g, v) for g, v in zip(classes, labels.tolist()) if g != v]    # Python compares int and float exactly
    if labels.dtype.kind == "f" and lost:       # [2**63 + 1, 0]: NumPy's float64, whose predict gives 2**63
        whole = [int(g) for g in classes]
        held = next((t for t in ("int64", "uint64") if all(np.iinfo(t).min <= g <= np.iinfo(t).max for g in whole)),
                    None)       # the integer dtype that holds them all ([2**63 + 1, -1]: none)
        fix = (f"give classes as an array of y's integer dtype, e.g. np.array(classes, dtype=np.{held})" if held else
               "no integer dtype holds them all: give the labels as text, or as codes: "
               "np.unique(classes, return_inverse=True)[1]")
        raise ValidationError(f"classes holds {lost[0][0]!r}, which NumPy reads as {labels.dtype}, not exactly: "
                              f"predict would give {lost[0][1]!r}; {fix}")
    known_type(labels, "classes")        # an object array of bools or numbers: MLPClassifier's "Unknown label type"
    unique = np.unique(labels)     # an object array as its values' own dtype (text: '<U'), as MLPClassifier's classes_
    return np.asarray(unique.tolist()) if unique.dtype == object else unique


def _no_text_array(X: Any) -> Any:
    """X as it is, unless 3-D or more (images not flattened), rows of different lengths or text that is not a
    number ('green'; '1.5' is read as 1.5, as scikit-learn reads it): a ValueError naming the shape and its reshape,
    the row or the value, where scikit-learn's says "Found array with dim 3" and NumPy's "could not convert string
    to float" or "inhomogeneous shape after 1 dimensions"."""
    from ..nn.numeric import array_of_dates, first_date_object, ragged, shown
    try:
        arr = np.asarray(X)
    except ValueError:
        why = ragged(X)
        if why:
            raise ValidationError(f"X: {why}") from None
        return X
    if arr.dtype.kind in "Mm":
        raise ValidationError(array_of_dates(arr.dtype, "X"))
    if arr.ndim > 2:                         # images not flattened: scikit-learn's "Found array with dim 3" says no fix
        from ..nn.checks import not_2d
        raise not_2d("X", arr.shape, X=X)
    if arr.dtype.kind not in "USO":
        return X
    dates = first_date_object(arr, "X") if arr.dtype == object else None    # np.timedelta64s read as ticks
    if dates is not None:
        raise ValidationError(dates)
    try:
        arr.astype(np.float64)               # numbers written as text, or objects for scikit-learn to name
        return X
    except (TypeError, ValueError):
        pass
    for k, v in enumerate(arr.reshape(-1)):
        if isinstance(v, (str, bytes, np.str_, np.bytes_)):
            try:
                float(v)
            except ValueError:
                at = errors.label(tuple(int(i) for i in np.unravel_index(k, arr.shape)))
                raise ValidationError(f"X must be a numeric array; it holds text ({shown(v)} at index {at}): "
                                      "encode text and categories as numbers first "
                                      "(sklearn.preprocessing.OneHotEncoder)") from None
    return X


def numeric_y(y: Any) -> Any:
    """A regressor's y as it is, unless it holds text: named with its place (scikit-learn's MLPRegressor
    says "ufunc 'subtract' did not contain a loop" or "could not convert string to float")."""
    from ..nn.numeric import shown
    if hasattr(y, "dtype") and getattr(y.dtype, "kind", "O") not in "USO":
        return y                                  # numbers (NumPy's or pandas' numeric dtypes): no scan
    try:
        arr = np.asarray(y, dtype=object)
    except ValueError:
        return y
    for k, v in enumerate(arr.reshape(-1)):
        if isinstance(v, (str, bytes)):
            at = errors.label(tuple(int(i) for i in np.unravel_index(k, arr.shape)))
            raise ValidationError(f"y must be numeric for a regressor; it holds text ({shown(v)} at index {at}): "
                                  "for class labels use BackpropClassifier; for numbers written as text, "
                                  "np.asarray(y, dtype=float)")
    return y


def no_missing_y(y: Any) -> Any:
    """y as it is, unless it has missing values (NaN, None, pd.NA): a ValueError naming the count and the first
    rows, as X's are named. scikit-learn says "Input y contains NaN" or "'<' not supported between instances of
    'NoneType' and 'str'", without the row, and reads NaN among text labels as one more class, 'nan'."""
    if y is None or hasattr(y, "tocsr"):
        return y
    pandas = hasattr(y, "isna") and hasattr(y, "index")
    if pandas:
        mask = np.asarray(y.isna())
    else:
        try:
            arr = y if isinstance(y, np.ndarray) else np.asarray(y, dtype=object)    # None, NaN kept as they are
        except ValueError:
            return y                             # ragged: for scikit-learn's check to name
        mask = np.isnan(arr) if arr.dtype.kind in "fc" else \
            np.frompyfunc(_missing, 1, 1)(arr).astype(bool) if arr.dtype == object else np.zeros(arr.shape, bool)
    if mask.ndim == 0 or not mask.any():
        return y
    rows = np.flatnonzero(mask.reshape(len(mask), -1).any(axis=1))
    shown = map(errors.label, (y.index[rows[:5]] if pandas else rows[:5]).tolist())
    raise ValidationError(f"y has {counted(int(mask.sum()), 'missing value')} (NaN, None or NA) in "
                          f"{counted(rows.size, 'sample')}, first in row{'s' * (rows.size > 1)} "
                          f"{', '.join(shown)}{', ...' * (rows.size > 5)}: a network cannot learn from a "
                          "missing target; drop those samples (from X and y) or fill in their targets")


def _missing(v: Any) -> bool:
    """None, NaN (a float's, a Decimal's), pandas' NA or NaT."""
    return v is None or type(v).__name__ in ("NAType", "NaTType") or isinstance(v, float | np.floating) and v != v \
        or isinstance(v, decimal.Decimal) and v.is_nan()


def one_column(y: np.ndarray) -> np.ndarray:
    """A classifier's y as it is, unless several columns of class labels, which one network does not fit
    (scikit-learn's check says only "y should be a 1d array, got an array of shape (n, 2)"), or of numbers that are
    not labels (scikit-learn's "Unknown label type: continuous-multioutput", as KNeighborsClassifier's)."""
    from sklearn.utils.multiclass import check_classification_targets, type_of_target
    if y.ndim == 2 and y.shape[1] > 1 and type_of_target(y) == "multiclass-multioutput":
        raise ValidationError(f"y has {y.shape[1]} columns of class labels (multi-output multiclass), which one "
                              "BackpropClassifier does not fit: a 2-D y must hold 0/1 columns, one per label "
                              "(multi-label); for one classifier per column, use "
                              "sklearn.multioutput.MultiOutputClassifier(BackpropClassifier())")
    if y.ndim == 2 and y.shape[1] > 1:
        check_classification_targets(y)
    return y


def zero_one(y: Any) -> None:
    """A multi-label y (scikit-learn's "multilabel-indicator": 2-D, of at most two integral values) of 0 and 1 only,
    each label's column its sigmoid's target: -1 and 1, or 0 and 2, are refused, naming the values (MLPClassifier
    trains on them as they are and predicts 0 and 1, never y's -1 or 2, so its score against y is near 0; the engine's
    own words named a fix it cannot take here)."""
    values = np.unique(y.data if hasattr(y, "tocsr") else np.asarray(y))
    if hasattr(y, "tocsr") and y.nnz < np.prod(y.shape):
        values = np.union1d(values, [0])
    if not set(values.tolist()) <= {0, 1}:
        top = values.max().item()
        raise ValidationError(f"a multi-label y (scikit-learn's multilabel-indicator: a 2-D y of two values) holds 1 "
                              f"where a sample has the label and 0 where not; got the values {values.tolist()}: "
                              f"give (y == {top!r}).astype(int), or, for one classifier of classes per column, "
                              "sklearn.multioutput.MultiOutputClassifier(BackpropClassifier())")


def where_not_finite(exc: ValueError, X: Any, name: str = "X") -> ValueError:
    """scikit-learn's "Input X contains NaN." (or infinity; y's too, `name`), which names no cell, naming the first cell
    it means by row (and column, for 2-D; a DataFrame's or a Series' labels), as the engine's errors do; the rest of its
    words as they are (and any other error as it is)."""
    said = re.match(rf"Input {name} contains (NaN|infinity)", str(exc))
    if said is None:
        return exc
    column: Any = None
    try:
        if hasattr(X, "tocsr"):                  # sparse: the first stored value of that kind
            csr = X.tocsr()
            p = int(np.flatnonzero(_of_kind(csr.data, said[1]))[0])
            row, column = int(np.searchsorted(csr.indptr, p, side="right")) - 1, int(csr.indices[p])
        else:
            arr = np.asarray(X.to_numpy(dtype=np.float64) if hasattr(X, "to_numpy") else X, dtype=np.float64)
            at = [int(i) for i in np.argwhere(_of_kind(arr, said[1]))[0]]
            if len(at) not in (1, 2):
                return exc
            row, column = at[0], (at[1] if len(at) == 2 else None)
    except (TypeError, ValueError, IndexError, OverflowError):  # complex, ragged, 1e400: its own words
        return exc
    labelled = hasattr(X, "index") and hasattr(X, "to_numpy")    # a DataFrame or a Series: its labels
    where = f"row {errors.label(X.index[row]) if labelled else row}"
    if column is not None:
        where += f", column {X.columns[column]!r}" if hasattr(X, "columns") and labelled else f", column {column}"
    text = str(exc)
    return ValidationError(f"{text[:said.end()]} (first at {where}){text[said.end():]}")


def sample_weights(sample_weight: Any, X: Any) -> np.ndarray:
    """scikit-learn's _check_sample_weight (float64, its checks and words), its "Input sample_weight contains NaN."
    naming the first such weight, as the engine's "weight 3 is nan" does."""
    from sklearn.utils.validation import _check_sample_weight
    try:
        return _check_sample_weight(sample_weight, X, dtype=np.float64)
    except ValueError as exc:
        said = re.match(r"Input sample_weight contains (NaN|infinity)", str(exc))
        if said is None:
            raise
        try:
            index = int(np.flatnonzero(_of_kind(np.asarray(sample_weight, dtype=np.float64).ravel(), said[1]))[0])
        except (TypeError, ValueError, IndexError, OverflowError):    # no such weight found: its words as they are
            raise exc from None
        text = str(exc)
        raise ValidationError(f"{text[:said.end()]} (first at sample {index}){text[said.end():]}") from None


def _of_kind(values: np.ndarray, kind: str) -> np.ndarray:
    """Where `values` are NaN, or infinite ("infinity": scikit-learn's word)."""
    return np.isnan(values) if kind == "NaN" else np.isinf(values)


#: how X is validated: float64 or float32 kept, a sparse matrix kept sparse as CSR; other types (integers) become
#: the first dtype at once: the network's (`x_check`: a float32 network's X was made float64 first, then cast again)
_X_CHECK: dict = {"dtype": [np.float64, np.float32], "accept_sparse": "csr"}
_X_CHECK_32: dict = {**_X_CHECK, "dtype": [np.float32, np.float64]}


def x_check(dtype: Any) -> dict:
    """`_X_CHECK` for a network of `dtype` (the estimator's parameter, in any spelling NumPy reads as float32:
    'f4', 'single'; one fit refuses reads as float64)."""
    try:
        return _X_CHECK_32 if np.dtype(dtype) == np.float32 else _X_CHECK
    except TypeError:
        return _X_CHECK


def y_fits(y: Any, dtype: Any) -> None:
    """A regressor's y (checked numbers) as the network's dtype holds it: a finite value float32 cannot hold is named
    as `y`, at its own index (the engine's check, later, names its 2-D targets Y at a 2-D index)."""
    from ..nn.checks import cast
    if np.dtype(dtype) == np.float32 and isinstance(y, np.ndarray):
        cast(y, np.dtype(np.float32), "y")
