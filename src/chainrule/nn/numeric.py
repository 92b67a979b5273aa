"""Array-likes as real numeric NumPy arrays, as scikit-learn takes them; what is not numbers (text,
rows of different lengths, None, objects) is named with its place, never left to NumPy's words."""
from __future__ import annotations

import datetime
import decimal
import mmap
import numbers
import os
import re
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..errors import ChainruleTypeError, ValidationError, label

#: the largest dense array a scipy.sparse input is converted to (Dense layers need dense rows)
MAX_SPARSE_AS_DENSE_BYTES = 2 * 2**30
#: what to do with text in the inputs (the targets' advice is the caller's: `to_numeric(text_hint=...)`)
ENCODE_FEATURES = "encode text and categories as numbers first (e.g. sklearn.preprocessing.OneHotEncoder)"


def to_numeric(X, name: str, dtype: np.dtype | None = None, text_hint: str = ENCODE_FEATURES) -> np.ndarray:
    """A real numeric NumPy array from what scikit-learn accepts: arrays and lists, masked arrays
    (without masked values), pandas DataFrames and Series (nullable Int64/Float32/boolean
    included, without missing values), object arrays of numbers, and scipy.sparse matrices (as
    dense, size permitting). Anything else is refused by its real name; `text_hint` says what to
    do with text."""
    whole_file(X, name)
    if isinstance(X, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(X)
        if mask.any():
            first = tuple(int(i) for i in np.argwhere(mask)[0])
            k = int(mask.sum())
            raise ValidationError(f"{name} is a masked array with {k} masked value{'s' * (k != 1)} (first at index "
                                  f"{label(first)}); chainrule does not fill in missing values: impute them "
                                  "(e.g. sklearn.impute.SimpleImputer) or drop those samples")
        X = np.ma.getdata(X)
    elif type(X).__module__.startswith("scipy.sparse") and hasattr(X, "toarray"):
        X = _sparse_as_dense(X, name, dtype)
    elif type(X).__module__.startswith("torch") and hasattr(X, "detach"):
        X = _torch_as_numpy(X, name)
    elif hasattr(X, "to_numpy") and hasattr(X, "isna") and hasattr(X, "dtypes" if hasattr(X, "columns") else "dtype"):
        X = _pandas_as_numpy(X, name, text_hint, dtype)
    try:
        arr = np.asarray(X)
    except (TypeError, ValueError) as exc:
        why = pairs(X, name) or ragged(X) or f"could not convert it: {exc}"
        raise ChainruleTypeError(f"{name} must be a numeric array; {why}") from None
    if arr.dtype == object:
        arr = _objects_as_numbers(arr, name, text_hint)
    if arr.dtype.kind in "USO":
        raise ChainruleTypeError(f"{name} must be a numeric array; it holds text ({_first_text(arr)}): {text_hint}")
    if arr.dtype.kind in "Mm":          # NumPy dates and time spans: pandas' are named by column (`dates`)
        raise ChainruleTypeError(array_of_dates(arr.dtype, name))
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        what = "" if isinstance(X, (np.ndarray, list, tuple)) else f" ({type(X).__module__}.{type(X).__name__})"
        raise ChainruleTypeError(f"{name} must be a numeric array; got an array of dtype {arr.dtype}{what}")
    if np.iscomplexobj(arr):
        raise ChainruleTypeError(f"{name} must be real; got complex values")
    return arr


def whole_file(arr: Any, name: str) -> None:
    """Refuse an array mapped from a file that is now shorter than the mapping (cut or being rewritten since it
    was opened, by another process or rank): reading its missing rows killed the process with SIGBUS ("Bus
    error"), with no word of the file."""
    root = arr
    while root is not None and not (isinstance(root, np.memmap) and isinstance(root.base, mmap.mmap)):
        root = getattr(root, "base", None)
    if root is None or root.base.closed or not getattr(root, "filename", None):
        return
    expected = int(root.offset) + int(root.nbytes)
    try:
        found = root.base.size()                    # the mapped file's length now (even if its path was replaced)
    except OSError:
        found = os.path.getsize(root.filename)
    if found < expected:
        raise ValidationError(f"{name} is mapped from {root.filename}, whose shape {tuple(root.shape)} of "
                              f"{root.dtype} needs {expected} bytes of the file, but the file has {found} bytes now "
                              "(cut short, or rewritten, since it was opened): open it again once it is whole")


def _torch_as_numpy(X: Any, name: str) -> np.ndarray:
    """A torch tensor's values (a tensor that requires grad is data here: NumPy refused it with torch's words, as it
    refuses a sparse one and a lazy conjugate); a tensor on 'meta' has no values to read, one of bfloat16 no NumPy
    dtype (read as float32, which holds it)."""
    device = getattr(getattr(X, "device", None), "type", "cpu")
    if device == "meta":
        raise ValidationError(f"{name} is a torch tensor on device 'meta', which has a shape {tuple(X.shape)} but no "
                              "values: create it on 'cpu' (or give the array it was meant to hold)")
    X = X.detach().cpu()
    if str(X.layout) != "torch.strided":        # sparse (COO, CSR, ...): NumPy holds its values dense
        X = X.to_dense()
    X = X.resolve_conj().resolve_neg()          # a lazy conjugate or negation: NumPy holds it done
    return X.float().numpy() if str(X.dtype) == "torch.bfloat16" else X.numpy()


def pairs(X: Any, name: str, batches: bool = True) -> str | None:
    """Why a list of (x, y) samples (a torch Dataset's or Keras' habit) is no X: the network takes the inputs and
    the targets as two arrays. `batches`: a list of (x, y) batches is explained too (it is no X, but fit takes it)."""
    if not isinstance(X, (list, tuple)) or not X or not all(
            isinstance(s, tuple) and len(s) == 2 and np.ndim(s[0]) > 0 for s in X[:100]):
        return None
    if np.ndim(X[0][0]) == 1:                       # samples
        return (f"it is a sequence of {len(X)} (x, y) samples, and the inputs and targets go in as two arrays: "
                "X = np.stack([x for x, _ in pairs]) and Y = np.stack([y for _, y in pairs]) (pairs: this sequence)")
    if not batches:
        return None
    return (f"it is a sequence of {len(X)} (x, y) batches, and the inputs and targets go in as two arrays: "
            "X = np.concatenate([x for x, _ in pairs]) and Y = np.concatenate([y for _, y in pairs]) (pairs: this "
            "sequence; fit also takes it alone: fit(pairs))")


def ragged(X: Any) -> str | None:
    """Why a list of rows is no array: its rows' lengths differ (the first row that differs named)."""
    if not isinstance(X, (list, tuple)) or not X:
        return None
    lengths = [len(row) if hasattr(row, "__len__") and not isinstance(row, (str, bytes)) else None for row in X]
    for i, n in enumerate(lengths):
        if n != lengths[0]:
            def say(k, n):
                return f"row {k} is a single value" if n is None else f"row {k} has {n} value{'s' * (n != 1)}"
            return (f"its rows have different lengths ({say(0, lengths[0])}, {say(i, n)}): every sample needs the "
                    "same number of values")
    return None


def _at(arr: np.ndarray, flat: int) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(flat, arr.shape))


def _first_text(arr: np.ndarray) -> str:
    """The first text value of `arr` and its index, for messages."""
    flat = arr.reshape(-1)
    k = next((i for i, v in enumerate(flat) if isinstance(v, (str, bytes))), 0)
    return f"{shown(flat[k])} at index {label(_at(arr, k))}" if flat.size else "no values"


def shown(v: Any) -> str:
    """A value as the user wrote it: 'a', not np.str_('a')."""
    return repr(v.item() if isinstance(v, np.generic) else v)


def _objects_as_numbers(arr: np.ndarray, name: str, text_hint: str) -> np.ndarray:
    """An object array of real numbers (Python's, NumPy's, bools) as float64, as scikit-learn's check_array
    converts one; else the first value that is not one, named with its index and what to do."""
    if arr.ndim == 0:
        v = arr.item()
        if isinstance(v, Iterator):     # Keras' predict(generator): read once, while X is read whole
            raise ChainruleTypeError(f"{name} must be a numeric array; got a {type(v).__name__}, which is no array "
                                     f"(it can be read only once): collect its batches of rows first, "
                                     f"np.concatenate(list({name})); fit also takes a list or Sequence of (x, y) "
                                     "batches, read again every epoch")
        raise ChainruleTypeError(f"{name} must be a numeric array; got a {type(v).__name__} ({v!r:.60})")
    flat = arr.reshape(-1)
    for k, v in enumerate(flat):
        if isinstance(v, numbers.Real) and not isinstance(v, np.datetime64 | np.timedelta64):
            continue
        where = f"index {label(_at(arr, k))}"
        if isinstance(v, decimal.Decimal):            # a number (scikit-learn's check_array converts it) unless NaN
            if not v.is_nan():
                continue
            raise ValidationError(f"{name} has a missing value ({v!r} at {where}); impute it "
                                  "(e.g. sklearn.impute.SimpleImputer) or drop that sample")
        if isinstance(v, (str, bytes)):
            raise ChainruleTypeError(f"{name} must be a numeric array; it holds text ({shown(v)} at {where}): "
                                     f"{text_hint}")
        if v is None or type(v).__name__ in ("NAType", "NaTType"):
            raise ValidationError(f"{name} has a missing value ({v!r} at {where}); impute it "
                                  "(e.g. sklearn.impute.SimpleImputer) or drop that sample")
        if isinstance(v, DATE_OBJECTS):
            raise ChainruleTypeError(date_object(v, name, where))
        if isinstance(v, numbers.Complex):
            raise ChainruleTypeError(f"{name} must be real; got complex values ({v!r} at {where})")
        raise ChainruleTypeError(f"{name} must be a numeric array; it holds a {type(v).__name__} at {where} "
                                 f"({v!r:.60}): every value must be a number")
    return arr.astype(np.float64)


def dates(dtype: Any, column: str) -> str:
    """What to do with a column of dates (or time spans), which a network cannot read as numbers
    (nor can scikit-learn: NumPy's "DateTime64DType could not be promoted by Float64DType"). `dtype` may be
    NumPy's or pandas' (pyarrow's timestamp and duration too, which NumPy cannot interpret)."""
    if getattr(dtype, "kind", None) == "m":
        return (f"is a column of time spans (pandas dtype {dtype}), not numbers: convert it to numbers first "
                f"({column}.dt.total_seconds()), or drop it")
    return (f"is a date/time column (pandas dtype {dtype}), not numbers: convert it to numbers first (e.g. "
            f"{column}.dt.day_of_year, or ({column} - {column}.min()).dt.total_seconds(); {column}.astype('int64') "
            "counts from 1970 in the column's unit), or drop it")


def array_of_dates(dtype: Any, name: str) -> str:
    """What to do with a NumPy array of dates or time spans, which a network cannot read as numbers
    (scikit-learn's MLP fails in NumPy's matmul; read as days since 1970, or as the span's ticks, often
    nanoseconds, it would train on the wrong scale silently)."""
    what = "time spans" if np.dtype(dtype).kind == "m" else "dates"
    return f"{name} is an array of {what} (dtype {dtype}), not numbers: {_convert_dates(dtype, name)}"


def _convert_dates(dtype: Any, name: str) -> str:
    """The conversion that makes numbers of an array of dates or time spans of `dtype`."""
    if np.dtype(dtype).kind == "m":
        unit = np.datetime_data(np.dtype(dtype))[0]
        ticks = f": {unit}" if unit != "generic" else ""
        return (f"convert it to numbers first, e.g. {name} / np.timedelta64(1, 's') for seconds or "
                f"{name} / np.timedelta64(1, 'h') for hours ({name}.astype('int64') counts its unit{ticks})")
    return (f"convert it to numbers first, e.g. ({name} - {name}.min()) / np.timedelta64(1, 'D') for days since the "
            f"earliest, or {name}.astype('int64'), which counts from 1970 in its unit")


#: the objects that are dates or time spans (pandas' Timestamp and Timedelta are datetime's)
DATE_OBJECTS = (np.datetime64, np.timedelta64, datetime.date, datetime.timedelta)


def date_object(v: Any, name: str, where: str) -> str:
    """What to do with a date or time span `v` at `where` of an object array (a list of datetime.timedelta):
    NumPy reads np.timedelta64 objects as their ticks, silently."""
    kind = "timedelta64[us]" if isinstance(v, np.timedelta64 | datetime.timedelta) else "datetime64[us]"
    return (f"{name} holds {'time spans' if kind[0] == 't' else 'dates'} ({v!r:.60} at {where}), not numbers: make "
            f"it an array of them, A = np.asarray({name}, dtype='{kind}'), then {_convert_dates(np.dtype(kind), 'A')}")


def first_date_object(arr: np.ndarray, name: str) -> str | None:
    """`date_object`'s message for the first date or time span in an object array; None when it has none."""
    flat = arr.reshape(-1)
    if not any(issubclass(t, DATE_OBJECTS) for t in set(map(type, flat))):   # the types once (C speed), not each value
        return None
    k = next((i for i, v in enumerate(flat) if isinstance(v, DATE_OBJECTS) and v == v), None)   # NaT: missing
    return None if k is None else date_object(flat[k], name, f"index {label(_at(arr, k))}")


def _sparse_as_dense(X, name: str, dtype: np.dtype | None) -> np.ndarray:
    shape = tuple(int(s) for s in X.shape)
    itemsize = np.dtype(dtype or np.float64).itemsize
    need = int(np.prod(shape, dtype=np.float64)) * itemsize
    if need > MAX_SPARSE_AS_DENSE_BYTES:
        raise ValidationError(f"{name} is a scipy.sparse {type(X).__name__} of shape {shape}; the network needs it "
                              f"dense, which takes {need / 2**30:.1f} GiB, more than the limit of "
                              f"{MAX_SPARSE_AS_DENSE_BYTES / 2**30:.0f} GiB: reduce the features "
                              "(e.g. sklearn.decomposition.TruncatedSVD) or pass fewer samples at a time")
    return X.toarray()


def _pandas_as_numpy(X, name: str, text_hint: str, dtype: np.dtype | None = None) -> np.ndarray:
    """A DataFrame or Series as a NumPy array of its columns' common numeric dtype; pandas'
    nullable types (Int64, Float32, boolean), pyarrow's, sparse columns and object columns of numbers
    (Decimal too, as scikit-learn's check_array reads them) become their NumPy types. Given the network's
    `dtype`, a frame is read column by column into a C-order array of it (a value beyond float32 named by column):
    pandas' own copy was column-major and in the common dtype (float64 for int and float columns), copied
    again to float32 and to C order, four times the float32 array's memory at a moment."""
    frame = hasattr(X, "columns")
    columns = list(X.items()) if frame else [(getattr(X, "name", None), X)]     # a pd.Categorical has no name
    dtypes = []
    for col, series in columns:
        dt = series.dtype
        np_dt = getattr(dt, "numpy_dtype", dt)          # Int64 -> int64, boolean -> bool, Float32 -> float32
        if hasattr(dt, "categories") and hasattr(dt.categories, "dtype"):
            np_dt = dt.categories.dtype                 # categories that are numbers: read as their values
        elif type(dt).__name__ == "SparseDtype":
            np_dt = dt.subtype
        where = f" column {col!r}" if frame else ""
        if getattr(dt, "kind", None) in ("M", "m"):     # NumPy's, pandas' and pyarrow's dates and time spans
            raise ChainruleTypeError(f"{name}{where} {dates(dt, f'{name}[{col!r}]' if frame else name)}")
        missing = np.asarray(series.isna())
        if not isinstance(np_dt, np.dtype) or not (np.issubdtype(np_dt, np.number) or np_dt.kind == "b"):
            np_dt = _objects_column(series, missing, f"{name}[{col!r}]" if frame else name,
                                    f"{name}{where} must be numeric; got pandas dtype {dt}", text_hint)
        if missing.any():
            k = int(missing.sum())
            row = getattr(X, "index", range(missing.size))[int(np.argmax(missing))]
            raise ValidationError(f"{name}{where} has {k} missing value{'s' * (k != 1)} (first in row {label(row)}); "
                                  "impute them or drop those rows")
        dtypes.append(np_dt)
    common = np.result_type(*dtypes) if dtypes else np.dtype(np.float64)
    if frame and common.kind in "fiub" and dtype is not None:
        out = np.empty(X.shape, dtype=dtype)    # C order: pandas' to_numpy is column-major, which a copy then fixed
        for j, ((col, series), dt) in enumerate(zip(columns, dtypes)):
            values = series.to_numpy(dtype=dt)
            _within(values, out.dtype, f"{name} column {col!r}", X.index)
            out[:, j] = values
        return out
    return X.to_numpy(dtype=common)


def _within(values: np.ndarray, dtype: np.dtype, column: str, index: Any) -> None:
    """Refuse a column with a finite value beyond `dtype`'s range (float32's), naming the column and the row:
    cast, it would be infinity."""
    if values.dtype.kind != "f" or values.dtype.itemsize <= dtype.itemsize:
        return                              # integers and bools: at most 2^64, far inside float32's 3.4e38
    top = np.finfo(dtype).max
    if -top <= np.min(values, initial=0.0) and np.max(values, initial=0.0) <= top:
        return                              # one pass each, no temporary: the common case
    with np.errstate(invalid="ignore"):
        beyond = np.isfinite(values) & (np.abs(values) > top)
    if beyond.any():
        from .checks import too_large  # local: checks imports this module
        at = int(np.argmax(beyond))
        raise too_large(column, values[at], f"row {label(index[at])}", dtype)


def _objects_column(series, missing: np.ndarray, column: str, refused: str, text_hint: str) -> np.dtype:
    """float64 for a column of real numbers held as objects (Python's, Decimal: pyarrow's decimals too);
    else `refused`, saying what the first other value is: text (numbers written as text in X are named with
    the conversion: the network reads no text), or a value of another kind (a Period, an Interval)."""
    categories = hasattr(series.dtype, "categories")              # a Series' or a bare pd.Categorical's
    values = np.asarray(series.dtype.categories if categories else series[~missing], dtype=object)
    at = np.flatnonzero(~missing)

    def row(k: int) -> str:
        return "" if categories else f" in row {label(getattr(series, 'index', range(len(series)))[at[k]])}"
    written = None                                   # the first number written as text
    for k, v in enumerate(values):
        if isinstance(v, numbers.Real | decimal.Decimal) and not isinstance(v, np.datetime64 | np.timedelta64):
            continue
        if not isinstance(v, (str, bytes)):
            raise ChainruleTypeError(f"{refused}: it holds a value of type {type(v).__name__} ({v!r:.60}{row(k)}), "
                                     "not a number: convert it to numbers first, or drop it")
        try:
            float(v)
            written = k if written is None else written
        except ValueError:
            raise ChainruleTypeError(f"{refused}: it holds text ({shown(v)}{row(k)}): {text_hint}") from None
    if written is not None:                          # targets: the caller's advice (class labels, perhaps)
        advice = f"; convert them first: {column}.astype(float)" if text_hint == ENCODE_FEATURES else f": {text_hint}"
        raise ChainruleTypeError(f"{refused}: it holds numbers written as text ({shown(values[written])}"
                                 f"{row(written)}){advice}")
    return np.dtype(np.float64)


#: a whole number as typed: ASCII digits, perhaps signed; Python's int() also reads '1_000' and other scripts'
#: digits ('٣' is 3), which no other tool's option takes
WHOLE = re.compile(r"\s*[+-]?[0-9]+\s*")


def as_whole(text: str) -> int | None:
    """`text` as a whole number (WHOLE), else None: the one reading of every whole-number option and value."""
    return int(text) if WHOLE.fullmatch(text) else None


def number_or_text(text: str) -> Any:
    """A command-line value: an int where it is whole-written (`as_whole`), else a float where it is a number in
    ASCII without '_' (float() also reads '1_0.5' and other scripts' digits, as int() does), else the text (a
    sweep's grid values, a --schedule's keys: monitor=loss)."""
    if (value := as_whole(text)) is not None:
        return value
    if text.isascii() and "_" not in text:
        try:
            return float(text)
        except ValueError:
            pass
    return text
