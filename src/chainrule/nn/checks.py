"""Input checks shared by every public entry point: fail early, name the argument."""
from __future__ import annotations

import math
import numbers
import os
from typing import Any

import numpy as np

from ..errors import ChainruleTypeError, ValidationError, counted, refusal
from ..errors import label as label_words
from . import sparse
from .numeric import pairs, to_numeric


def as_dtype(dtype: Any) -> np.dtype:
    """np.dtype('float64') or np.dtype('float32'), or a clear error."""
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):     # NumPy's words ("data type 'x' not understood") name no argument
        dt = None
    if dt is None or dt.name not in ("float64", "float32"):
        raise ValidationError(f"dtype must be 'float64' or 'float32'; got {dtype!r}")
    return dt


def as_2d_array(X, name: str, dtype: np.dtype, n_features: int | None = None) -> np.ndarray:
    """X as a finite, C-contiguous 2-D array of `dtype` with `n_features` columns, or a clear error.

    C order in the network's dtype is what the compiled kernels were compiled for: another layout
    would compile them again (seconds) or copy the data every epoch. A SciPy sparse matrix stays
    sparse (as CSR; its structure and stored values checked: `sparse.check`)."""
    if sparse.is_sparse(X):
        return sparse.check(X, name, dtype, n_features)
    if type(X) is np.ndarray and X.dtype == dtype and X.ndim == 2 and X.flags.c_contiguous:
        arr = X
    else:
        arr = to_numeric(X, name, dtype)
        if arr.ndim == 1:
            raise ValidationError(f"{name} must be 2-D (n_samples, n_features); got a 1-D array of shape {arr.shape}. "
                                  f"Use {reshaped(X, name, '-1, 1')} for one feature or {reshaped(X, name, '1, -1')} "
                                  "for one sample.")
        if arr.ndim != 2:
            why = pairs(X, name)        # (x, y) pairs whose x and y are alike read as one array: not flattened
            if why:
                raise ChainruleTypeError(f"{name} must be a numeric array; {why}")
            raise not_2d(name, arr.shape, n_features, X)
        arr = cast(arr, dtype, name)
    if arr.shape[0] == 0:
        raise ValidationError(f"{name} is empty: expected at least one sample, got shape {arr.shape}")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValidationError(f"{name} has {arr.shape[1]} features per sample; the network expects {n_features}")
    check_finite(arr, name)
    return arr


def reshaped(X: Any, name: str, args: str) -> str:
    """The reshape of `X` that works on it: X.reshape(...) for NumPy's arrays and torch's; np.reshape(X, (...)) for
    what has no reshape method (a list, a pandas Series, an HDF5 dataset: it reads one whole)."""
    if isinstance(X, np.ndarray) or (X is not None and hasattr(X, "reshape") and not hasattr(X, "iloc")):
        return f"{name}.reshape({args})"
    return f"np.reshape({name}, ({args}))"


def not_2d(name: str, shape: tuple, n_features: int | None = None, X: Any = None) -> ValidationError:
    """The error for an X of 0 or 3+ dimensions (images not flattened, Keras' Flatten habit), with the reshape
    that fixes it (`reshaped`: one that X has): a network's first layer is Dense, taking one row of features per
    sample."""
    shape = tuple(int(n) for n in shape)
    if len(shape) < 2:
        return ValidationError(f"{name} must be 2-D (n_samples, n_features); got {len(shape)}-D shape {shape}")
    per_sample = math.prod(shape[1:])
    fix = (f"flatten each sample first: {reshaped(X, name, f'len({name}), -1')} gives shape ({shape[0]}, "
           f"{per_sample})")
    if X is not None and out_of_core(X) and not isinstance(X, np.ndarray):
        fix += (f", reading all of it into memory (as does {name}[...]); to read it a batch at a time, store it 2-D "
                f"({shape[0]}, {per_sample}) in the file")
    if n_features is not None and per_sample != n_features:
        fix += f", but the network expects {n_features} features per sample, not {per_sample}"
    fix += " (chainrule has no Flatten layer: a network takes one row of features per sample)"
    return ValidationError(f"{name} must be 2-D (n_samples, n_features); got {len(shape)}-D shape {shape}: {fix}")


def cast(arr: np.ndarray, dtype: np.dtype, name: str) -> np.ndarray:
    """`arr` as a C-order array of `dtype` (one copy at most: a column-major float64 array was cast, then copied
    again to C order); a finite value too large for float32 is named as such (not as infinity)."""
    with np.errstate(over="ignore", invalid="ignore"):   # an overflowing cast is reported below
        out = arr.astype(dtype, order="C", copy=False)
    if out is not arr and out.dtype.kind == "f" and arr.dtype.kind == "f" and out.dtype.itemsize < arr.dtype.itemsize:
        with np.errstate(over="ignore", invalid="ignore"):
            overflow = np.isinf(out) & np.isfinite(arr)
        if overflow.any():
            at = tuple(int(i) for i in np.argwhere(overflow)[0])
            raise too_large(name, arr[at], f"index {label_words(at)}", dtype)
    return out


def out_of_core(X: Any) -> bool:
    """True for inputs read a batch or chunk at a time instead of converted whole: a NumPy memmap,
    or an array-like with `shape`, a NumPy `dtype` and row indexing (an HDF5 or Zarr dataset)."""
    if isinstance(X, np.memmap):
        return True
    if sparse.is_sparse(X) or isinstance(X, np.ndarray) or hasattr(X, "iloc") or not all(
            hasattr(X, a) for a in ("shape", "dtype", "__getitem__")):
        return False                 # sparse matrices, arrays, lists, pandas: converted in memory
    try:
        np.dtype(X.dtype)            # a NumPy dtype (h5py, zarr), not e.g. a torch dtype
    except TypeError:
        return False
    return True


def converted(block: np.ndarray, dtype: np.dtype, out: np.ndarray | None = None, rows: Any = 0,
              name: str = "X") -> np.ndarray:
    """Rows of X read a chunk or batch at a time, in `dtype` (into `out` when given) and checked:
    NaN, infinity, and finite values too large for float32, named by their row in X. `rows`: the
    first row's number in X (a chunk in order), or each row's (a batch in any order)."""
    out_ = block
    with np.errstate(over="ignore", invalid="ignore"):         # an overflowing cast is reported below
        if out is not None:
            np.copyto(out, block, casting="unsafe")
            out_ = out
        elif block.dtype != dtype:
            out_ = block.astype(dtype)
        if np.isfinite(np.add.reduce(out_, axis=None)):
            return out_
    bad = ~np.isfinite(out_)
    if bad.any():
        r, c = (int(i) for i in np.argwhere(bad)[0])
        if isinstance(rows, (int, np.integer)):
            where, first = f"index {(int(rows) + r, c)}", "first "
        else:
            where, first = f"row {int(np.asarray(rows)[r])}, column {c}", ""
        if np.isfinite(block[r, c]):
            raise too_large(name, block[r, c], where, dtype, first)
        raise ValidationError(f"{name} contains NaN or infinity ({first and 'first at '}{where})")
    return out_


def too_large(name: str, value: Any, where: str, dtype: np.dtype, first: str = "first ") -> ValidationError:
    """The error for a finite value that `dtype` (float32) cannot hold: named as such, not as infinity."""
    kind = np.dtype(dtype).name
    return ValidationError(f"{name} has values too large for {kind} ({first}{float(value):g} at {where}; {kind} holds "
                           f"up to {np.finfo(dtype).max:.3g}): scale them or use dtype='float64'")


def check_finite(arr: np.ndarray, name: str) -> None:
    # one pass without a temporary: NaN and infinity survive a sum (an overflowing sum of
    # finite values, e.g. two inputs of 1e308, only costs the exact check below and no warning)
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.add.reduce(arr, axis=None)):
            return
    if not np.isfinite(arr).all():
        bad = label_words(tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0]))
        raise ValidationError(f"{name} contains NaN or infinity (first at index {bad})")


def same_length(X: np.ndarray, Y: np.ndarray, x_name: str = "X", y_name: str = "Y") -> None:
    if X.shape[0] != Y.shape[0]:
        raise ValidationError(f"{x_name} and {y_name} have different numbers of samples: {X.shape[0]} and {Y.shape[0]}")


def one_sample_row(n_rows: int, Y: Any, k: int) -> None:
    """A 1-D Y of k values beside an X of one row is one sample's target row, which a 1-D Y would be
    read as k samples' labels: say so, where "different numbers of samples" alone would puzzle."""
    if n_rows != 1 or k < 2 or sparse.is_sparse(Y) or not isinstance(Y, (list, tuple, np.ndarray)) \
            and not hasattr(Y, "to_numpy"):
        return
    try:
        row = np.asarray(Y)
    except (TypeError, ValueError):
        return
    if row.ndim == 1 and row.shape[0] == k:
        shown = str([row.tolist()])
        raise ValidationError(f"X and Y have different numbers of samples: 1 and {k}: a 1-D Y holds one target per "
                              "sample; a single sample's target row must be 2-D "
                              f"({shown if len(shown) <= 60 else shown[:56] + ' ...'}, or np.reshape(Y, (1, -1)))")


def positive_int(value, name: str) -> int:
    """`value` as an int of at least 1, or an error naming `name`; a 0-d integer array or tensor is its number."""
    value = _zero_d(value, name, "a positive integer")
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise refusal(ChainruleTypeError(f"{name} must be a positive integer; got {value!r}"), name,
                      "a positive integer")
    if value < 1:
        raise refusal(ValidationError(f"{name} must be a positive integer; got {value}"), name, "a positive integer")
    return int(value)


def _zero_d(value: Any, name: str, expected: str = "a number") -> Any:
    """A 0-d array or tensor as its Python number (np.float64 stays as it is); an array of more dimensions refused."""
    if isinstance(value, numbers.Number) or not hasattr(value, "__array__") or not hasattr(value, "shape"):
        return value
    shape = tuple(value.shape)
    if shape:
        hint = f"; give {name}.item() for its one element" if math.prod(shape) == 1 else ""
        raise refusal(ChainruleTypeError(f"{name} must be {expected} (a 0-d array or tensor is taken as one); got "
                                         f"an array of shape {shape} ({type(value).__name__}){hint}"), name, expected)
    return value.item()


def number(value, name: str, *, low: float = 0.0, low_inclusive: bool = True,
            high: float | None = None, high_inclusive: bool = True) -> float:
    """`value` as a float in the given range, or an error naming `name`. A 0-d NumPy array or tensor is its number, as
    torch.optim takes one; an array of any other shape, a 1-element one included, is refused naming its shape (torch
    takes a 1-element one and fails at its first step, or steps with a tensor of another shape, by the argument)."""
    value = _zero_d(value, name)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise refusal(ChainruleTypeError(f"{name} must be a number; got {value!r} ({type(value).__name__})"), name,
                      "a number")
    v = float(value)
    if not math.isfinite(v):
        raise refusal(ValidationError(f"{name} must be finite; got {value!r}"), name, "finite")
    bad_low = v < low if low_inclusive else v <= low
    bad_high = high is not None and (v > high if high_inclusive else v >= high)
    if bad_low or bad_high:
        lo = "[" if low_inclusive else "("
        hi = ("]" if high_inclusive else ")") if high is not None else ")"
        expected = f"in {lo}{low}, {high if high is not None else 'inf'}{hi}"
        raise refusal(ValidationError(f"{name} must be {expected}; got {value!r}"), name, expected)
    return v


def seed(value, name: str = "seed") -> int | None:
    """None, or a non-negative integer seed for np.random.default_rng."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ChainruleTypeError(f"{name} must be a non-negative integer or None; got {value!r} "
                                 f"({type(value).__name__})")
    if value < 0:
        raise ValidationError(f"{name} must be a non-negative integer or None; got {value}")
    return int(value)


def flag(value, name: str) -> bool:
    """A bool (NumPy's included); a string such as "no" is refused rather than read as True."""
    if not isinstance(value, (bool, np.bool_)):
        raise ChainruleTypeError(f"{name} must be True or False; got {value!r} ({type(value).__name__})")
    return bool(value)


def verbosity(value: Any) -> bool:
    """Keras' verbose: 0, 1, 2 or 'auto', as Keras 3 reads them: False and True are 0 and 1, 1.0 is 1 and None
    is 0 (silent); 3, -1 and '2', which Keras takes without a bar or a line, are refused."""
    if isinstance(value, str):
        return value == "auto"
    return value is None or isinstance(value, (int, float, np.integer, np.floating, np.bool_)) and value in (0, 1, 2)


def path_like(value, name: str):
    """A str or os.PathLike (a folder or file name), or a ChainruleTypeError."""
    if not isinstance(value, (str, os.PathLike)):
        raise ChainruleTypeError(f"{name} must be a path (str or os.PathLike); got {value!r} ({type(value).__name__})")
    return value


def learning_rate(value, name: str = "lr") -> float:
    """A finite learning rate >= 0 (explain and step share this check with the optimizers): 0 is taken as torch.optim
    takes it (a warm-up from 0, a layer held by its rate), and the update leaves the weights as they are. -0.0 is
    taken as 0.0, so that no report or file writes a rate of "-0"."""
    return number(value, name) + 0.0      # -0.0 + 0.0 is 0.0


def weight_arrays(weights, shapes: list[tuple[str, tuple[int, ...]]], dtype: np.dtype,
                  owner: str = "weights") -> list[np.ndarray]:
    """`weights` (a sequence like Network.get_weights()) checked against `shapes`: the same count,
    each array numeric, finite and of exactly the expected shape. `owner` opens the count's message."""
    if isinstance(weights, (str, bytes)) or not hasattr(weights, "__len__"):
        raise ChainruleTypeError("weights must be a list of arrays like get_weights() returns; "
                                 f"got {type(weights).__name__}")
    if len(weights) != len(shapes):
        raise ValidationError(f"{owner}: expected {len(shapes)} arrays, got {len(weights)}")
    out = []
    for i, (w, (label, shape)) in enumerate(zip(weights, shapes)):
        try:
            arr = np.asarray(w)
        except (TypeError, ValueError) as exc:
            raise ChainruleTypeError(f"weights[{i}] ({label}) must be a numeric array; "
                                     f"could not convert it: {exc}") from None
        if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool) \
                or np.iscomplexobj(arr):
            raise ChainruleTypeError(f"weights[{i}] ({label}) must be a real numeric array; got dtype {arr.dtype}")
        if arr.shape != tuple(shape):
            raise ValidationError(f"weights[{i}] ({label}): expected shape {tuple(shape)}, got shape {arr.shape}")
        with np.errstate(over="ignore", invalid="ignore"):
            cast = arr.astype(dtype, copy=False)
        if not np.isfinite(cast).all():
            if np.isfinite(arr).all():           # finite, but past the network's dtype (1e300 into float32)
                raise ValidationError(f"weights[{i}] ({label}) has values too large for the network's {cast.dtype} "
                                      f"(largest {np.finfo(cast.dtype).max:.7g}): got {np.abs(arr).max():.7g}")
            raise ValidationError(f"weights[{i}] ({label}) contains NaN or infinity")
        arr = cast
        out.append(arr)
    return out


def layer_stack(layers: Any, layer_type: type, instead: Any = lambda layer: "") -> tuple[list, list]:
    """`layers` as a list of distinct `layer_type` instances whose sizes chain, and the sized ones
    (those with n_in, Dense); a clear error otherwise (`instead`: what to give instead of an item)."""
    if isinstance(layers, layer_type):
        layers = [layers]
    if not isinstance(layers, (list, tuple)) or not layers:
        raise ValidationError(f"layers must be a non-empty list of layers; got {layers!r}")
    for i, layer in enumerate(layers):
        if not isinstance(layer, layer_type):
            raise ChainruleTypeError(f"layers[{i}] must be a Layer such as Dense or Dropout; "
                                     f"got {type(layer).__name__}{instead(layer)}")
    if len({id(layer) for layer in layers}) != len(layers):
        raise ValidationError("layers contains the same layer object twice; create a new layer for each position")
    sized = [layer for layer in layers if layer.n_in is not None]
    if not sized:
        raise ValidationError("layers must contain at least one Dense layer")
    for a, b in zip(sized, sized[1:]):
        if a.n_out != b.n_in:
            at, before = list(layers).index(b), list(layers).index(a)      # by identity: a layer is no number
            raise ValidationError(f"{b!r} needs n_in={a.n_out}, the n_out of layer {before} {a!r}: layer {at} "
                                  f"expects {counted(b.n_in, 'input')} but the layer before it gives "
                                  f"{counted(a.n_out, 'output')}")
    return list(layers), sized


def keras_pass_steps(steps: Any, batch_size: Any, who: str) -> None:
    """Keras' `steps` of evaluate and predict, refused unless None (Keras' default), saying how to get the same
    pass: here X is read whole (it was Python's bare "unexpected keyword argument 'steps'")."""
    if steps is not None:
        whole = isinstance(steps, numbers.Integral) and isinstance(batch_size, numbers.Integral)
        rows = "steps * batch_size" + (f" = {int(steps) * int(batch_size)}" if whole else "")
        raise ValidationError(f"{who}'s steps is not supported (got {steps!r}): {who} reads all of X in chunks of "
                              f"batch_size rows; for part of it give its first {rows} rows (X[:k])")
