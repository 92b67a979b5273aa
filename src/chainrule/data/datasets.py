"""Data sets that exist offline: Fashion-MNIST from its IDX files.

Debian's `dataset-fashion-mnist` package installs the four gzipped IDX files into
/usr/share/datasets/fashion-mnist (`apt-get install dataset-fashion-mnist`); any folder with the
same four files works too (`path=`). Only local files are read: nothing is fetched.
"""
from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np

from ..errors import ValidationError
from ..nn import checks as check

__all__ = ["load_fashion_mnist", "read_idx", "CLASSES", "Bunch"]       # what `from chainrule.datasets import *` gives

DEFAULT_PATHS = ("/usr/share/datasets/fashion-mnist",)
FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
_DTYPES: dict[int, Any] = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class Bunch(dict):
    """A dict whose keys are attributes too (`data.target` or `data["target"]`), as scikit-learn's loaders return."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(f"this data set has no {key!r}; it has {', '.join(self)}") from None

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value            # `data.target = y2` changes data["target"] too, as scikit-learn's Bunch

    def __dir__(self) -> list[str]:
        return list(self)


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (gzipped or not): magic 0x0000TTDD, then DD big-endian uint32 sizes, then data."""
    path = Path(check.path_like(path, "read_idx: path"))
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as exc:
        raise ValidationError(f"{path} could not be read as an IDX file: {exc}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _DTYPES:
        raise ValidationError(f"{path} is not an IDX file (bad magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValidationError(f"{path} is truncated: its header is incomplete")
    shape = tuple(int.from_bytes(raw[4 + 4 * k: 8 + 4 * k], "big") for k in range(ndim))
    dtype = np.dtype(_DTYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValidationError(f"{path} holds {len(raw) - header} bytes of data; its header {shape} needs {expected}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


def _find(name: str, folder: Path) -> Path | None:
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.exists():
            return candidate
    return None


def _float_dtype(dtype: Any) -> np.dtype:
    """`dtype` as a NumPy floating type: the pixels scaled to [0, 1] need one (an integer type held only 0 and 1)."""
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):
        dt = None
    if dt is None or dt.kind != "f":
        raise ValidationError(f"load_fashion_mnist: dtype must be a floating type such as 'float32' or 'float64' "
                              f"(the pixels are scaled to [0, 1]); got {dtype!r}")
    return dt


@overload
def load_fashion_mnist(path: str | os.PathLike | None = None, kind: str = "train", flatten: bool = True,
                       dtype: str = "float32", return_X_y: Literal[True] = True) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def load_fashion_mnist(path: str | os.PathLike | None = None, kind: str = "train", flatten: bool = True,
                       dtype: str = "float32", *, return_X_y: Literal[False]) -> Bunch: ...
@overload
def load_fashion_mnist(path: str | os.PathLike | None, kind: str, flatten: bool, dtype: str,
                       return_X_y: Literal[False]) -> Bunch: ...
@overload       # a flag known only when run (return_X_y=args.bunch): either
def load_fashion_mnist(path: str | os.PathLike | None = None, kind: str = "train", flatten: bool = True,
                       dtype: str = "float32", return_X_y: bool = True) -> tuple[np.ndarray, np.ndarray] | Bunch: ...


def load_fashion_mnist(path: str | os.PathLike | None = None, kind: str = "train", flatten: bool = True,
                       dtype: str = "float32", return_X_y: bool = True) -> tuple[np.ndarray, np.ndarray] | Bunch:
    """Fashion-MNIST images and labels: X (n, 784) scaled to [0, 1] (or (n, 28, 28)), y (n,).

    Parameters
    ----------
    path : folder with the IDX files; default: where Debian's package puts them.
    kind : "train" (60,000 images) or "test" (10,000).
    flatten : True for rows of 784 pixels (a Dense network's input), False for 28 x 28 images.
    dtype : a floating type, since the pixels are scaled to [0, 1].
    return_X_y : True (the default, as Keras' load_data) for (X, y); False for scikit-learn's Bunch: data, target,
        target_names (`CLASSES`), DESCR.
    """
    if not isinstance(kind, str) or kind not in FILES:       # a list was "unhashable type", deep in a dict lookup
        raise ValidationError(f"load_fashion_mnist: kind must be 'train' or 'test'; got {kind!r}")
    flatten = check.flag(flatten, "load_fashion_mnist: flatten")
    return_X_y = check.flag(return_X_y, "load_fashion_mnist: return_X_y")
    float_type = _float_dtype(dtype)
    if path is not None and Path(check.path_like(path, "load_fashion_mnist: path")).is_file():
        raise ValidationError(f"load_fashion_mnist: path must be the folder holding the IDX files; got the file "
                              f"{os.fspath(path)!r}")
    folders = [Path(path)] if path is not None else [Path(p) for p in DEFAULT_PATHS]
    for folder in folders:
        images, labels = (_find(name, folder) for name in FILES[kind])
        if images and labels:
            X, y = read_idx(images), read_idx(labels)
            if X.shape[0] != y.shape[0]:
                raise ValidationError(f"{images} has {X.shape[0]} images but {labels} has {y.shape[0]} labels")
            X = X.astype(float_type)
            X /= 255.0
            X, y = (X.reshape(len(X), -1) if flatten else X), y.astype(np.int64)
            if return_X_y:
                return X, y
            return Bunch(data=X, target=y, target_names=np.array(CLASSES), DESCR=f"Fashion-MNIST {kind}: {len(y)} "
                         f"28 x 28 grey images of clothing in 10 classes, read from {folder}")
    where = ", ".join(str(f) for f in folders)
    names = ", ".join(n + ".gz" for n in FILES[kind])
    raise ValidationError(f"Fashion-MNIST {kind} files ({names}) are not in {where}. "
                          "Install them with `apt-get install dataset-fashion-mnist`, or pass path= to a folder "
                          "holding them.")
