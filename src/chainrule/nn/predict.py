"""`Network.predict`: chunks of rows through buffers made for the call, in place, in the
network's dtype.

A whole-array forward pass allocates every hidden layer for all the rows (100,000 x 256 float32
is 100 MB a layer) and streams each through memory three times (product, bias, activation).
Chunks of 1,024 to 16,384 rows reuse one buffer per layer for every chunk and write the last layer
straight into the result; all of a chunk's buffers together take about 2 MB (CHUNK_BYTES; more
where 1,024 rows take more: wide layers, or an input converted from float64), less than JAX's
jitted forward pass adds (measured on 784-256-128-10 in float32, 100,000 rows: chunks of 1,024 to
4,096 rows take the same time within noise).
A float32 X for a float32 network is used as it is; an X of another type (the other precision,
integers: a uint8 image file; an HDF5 dataset) is read and converted one chunk at a time, never as
a whole; each chunk is checked for NaN and infinity once converted, and so is each layer's net input
(a finite input far outside the training range can overflow inside the network, and a sigmoid or tanh
of the overflow is finite but wrong: those rows are computed again with care, `overflow.py`; one sum a
layer, about 0.5% of the chunk's products on 784-256-128-10 in float32). No layer is written
to, so that predict may run while fit trains the network in another thread.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..backend.pages import Pages
from ..errors import ValidationError
from . import checks as check
from .activations import Linear, ReLU, Sigmoid, Softmax, Tanh
from .inference import refuse_rebound
from .numeric import whole_file
from .overflow import Failures, Suspects, nonfinite_rows, recompute, suspects
from .sparse import rows

CHUNK_BYTES = 2 << 20       # all the chunk buffers together (hidden layers, converted input): about 2 MB
MIN_ROWS, MAX_ROWS = 1024, 16384      # 512-row chunks: 5-15% slower on 1024-wide layers


def in_place(activation: Any, net: np.ndarray) -> np.ndarray:
    """f(net) written over net, by the same NumPy operations as the built-in activation's own
    (same values); any other activation (a subclass too) computes its own new array."""
    kind = type(activation)
    if kind is ReLU:
        return np.maximum(net, 0.0, out=net)
    if kind is Linear:
        return net
    if kind is Tanh:
        return np.tanh(net, out=net)
    if kind is Sigmoid:                   # 1 / (1 + exp(-net))
        np.negative(net, out=net)
        with np.errstate(over="ignore"):
            np.exp(net, out=net)
        net += 1.0
        return np.reciprocal(net, out=net)
    if kind is Softmax:
        net -= np.maximum.reduce(net, axis=1, keepdims=True)
        np.exp(net, out=net)
        net /= np.add.reduce(net, axis=1, keepdims=True)
        return net
    return activation(net)


def chunk_rows(net: Any, converted: bool = False) -> int:
    """Rows per chunk: the buffers of a chunk (every layer's output but the last, and the input
    when it is `converted` to the network's dtype) about CHUNK_BYTES together (a multiple of 64 rows)."""
    widths = [layer.n_out for layer in net.layers[:-1] if layer.n_out is not None]
    row_bytes = (sum(widths) + (net.n_inputs if converted else 0)) * net.dtype.itemsize
    rows_ = CHUNK_BYTES // max(row_bytes, 1)
    return int(min(MAX_ROWS, max(MIN_ROWS, rows_ // 64 * 64)))


def chunked(X: Any, net: Any) -> bool:
    """Whether X is read, converted to the network's dtype and checked a chunk at a time, never
    whole: a non-empty 2-D NumPy array or memmap of real numbers (an integer or float16 image file
    too) or an out-of-core array (HDF5, Zarr) of the network's width. Anything else (lists, pandas,
    masked arrays and other subclasses, sparse matrices) is checked whole by `as_2d_array`."""
    if type(X) not in (np.ndarray, np.memmap) and not check.out_of_core(X):
        return False
    shape = tuple(X.shape)
    return (len(shape) == 2 and np.dtype(X.dtype).kind in "fiub" and shape[0] > 0 and shape[1] == net.n_inputs)


def as_is(X: Any, dtype: np.dtype) -> bool:
    """An array (or memmap) whose chunks are used as they are, not copied into the network's dtype."""
    return isinstance(X, np.ndarray) and X.dtype == dtype


def predict(net: Any, X: Any, batch_size: int | None = None, finite: bool = True,
            failures: Failures | None = None) -> np.ndarray:
    """The network's outputs for X (dropout off), `batch_size` rows at a time (default: chunk_rows);
    rows that overflow are computed again with care; `finite`: rows that no layer can give are an error
    (False: NaN or infinite, as returned; `failures` gets them, for the command line to name their lines)."""
    refuse_rebound(net)
    refuse_csv_table(net, X)
    lazy = chunked(X, net)
    converted = lazy and not as_is(X, net.dtype)
    chunk = chunk_rows(net, converted) if batch_size is None else check.positive_int(batch_size, "batch_size")
    if not lazy:
        X = check.as_2d_array(X, "X", net.dtype, net.n_inputs)
    else:
        whole_file(X, "X")                                  # a memmap cut short: its missing rows, a bus error
    n = X.shape[0]
    chunk = min(chunk, n)
    out = np.empty((n, net.n_outputs), dtype=net.dtype)
    # one buffer per layer that writes in place (Dense, unless a subclass overrides infer), the last one: `out`
    inplace = [getattr(type(layer), "_plain_infer", None) is type(layer).infer for layer in net.layers]
    bufs = [np.empty((chunk, layer.n_out), dtype=net.dtype) if ok and i < len(net.layers) - 1 else None
            for i, (layer, ok) in enumerate(zip(net.layers, inplace))]
    xbuf = np.empty((chunk, net.n_inputs), dtype=net.dtype) if converted else None
    pages = Pages(X, in_order=True) if lazy else None      # a memmap's pages handed back as it is read
    refused = Failures()
    with np.errstate(over="ignore", invalid="ignore"):      # an overflow is an error below, not a NumPy warning
        for i in range(0, n, chunk):
            j = min(i + chunk, n)
            a = rows(X, i, j)
            if lazy:
                a = check.converted(np.asarray(a), net.dtype, None if xbuf is None else xbuf[:j - i], rows=i)
            x = a
            overflowed: list[np.ndarray | None] = [None] * len(net.layers)   # per layer: rows beyond the dtype
            for k, layer in enumerate(net.layers):
                if not inplace[k]:
                    a = layer.infer(a)
                    continue
                buf = out[i:j] if k == len(net.layers) - 1 else bufs[k]
                assert buf is not None                     # allocated for every in-place layer but the last
                z = layer.net_into(a, buf[:j - i])
                overflowed[k] = nonfinite_rows(z)          # such rows may saturate to a wrong finite output
                a = in_place(layer.activation, z)
            if not (a.base is out or a is out):
                out[i:j] = a
            found = suspects(out[i:j], overflowed)
            if found is not None:                          # computed again with care
                careful, failed = recompute(net, x, found.rows)     # none: a sum of finite numbers overflowed
                if failed is None:
                    out[i + found.rows] = careful
                elif not finite:               # the rows that can be computed; the others stay as they are
                    out[i:j] = carefully(net, x, found, out[i:j], failures, i)
                else:
                    lost = found.rows[failed[1]]
                    refused.add(failed[0], i + lost, out[i + lost], found.layer[failed[1]])
            if pages:
                pages.touched(j - i, X.shape[1] * np.dtype(X.dtype).itemsize, contiguous=True)
    if pages:
        pages.release()
    if refused:
        raise refused.error(net, n)
    return out


def carefully(net: Any, x: Any, found: Suspects, out: np.ndarray, failures: Failures | None = None,
              offset: int = 0) -> np.ndarray:
    """`out` with each of the rows `found` that the careful pass can give replaced by it; a row that no layer
    can give stays NaN or infinite (NaN where its output was finite) and goes into `failures` (its row: `offset`
    on), for a caller that names such rows itself."""
    wrong, layer = found.rows, found.layer
    while len(wrong):
        careful, failed = recompute(net, x, wrong)
        if failed is None:
            out[wrong] = careful
            break
        lost = wrong[failed[1]]            # a finite output there came through an overflow: not the network's
        if failures is not None:
            failures.add(failed[0], offset + lost, out[lost], layer[failed[1]])
        out[lost] = np.where(np.isfinite(out[lost]).all(axis=1, keepdims=True), np.nan, out[lost])
        wrong, layer = np.delete(wrong, failed[1]), np.delete(layer, failed[1])
    return out


def mark_tabular(net: Any, extra: dict | None) -> None:
    """On a network loaded from a `chainrule train` file, note the CSV columns its stored
    preprocessing reads (and the target), so that a DataFrame of them is refused, not taken as inputs."""
    tabular = (extra or {}).get("tabular")
    if isinstance(tabular, dict):
        names = [*(tabular.get("numeric") or []), *(tabular.get("text") or []), tabular.get("target")]
        net._csv_columns = [c for c in names if isinstance(c, str)]


def refuse_csv_table(net: Any, X: Any, name: str = "X") -> None:
    """A DataFrame holding columns of the CSV file the network was trained on (`mark_tabular`) is
    the raw table: the network reads its preprocessed form (standardised numbers, one-hot text)."""
    csv = getattr(net, "_csv_columns", None)
    shared = [c for c in getattr(X, "columns", ()) if c in csv] if csv and hasattr(X, "iloc") else []
    if shared:
        raise ValidationError(
            f"{name} is a table with the columns of the CSV file this network was trained on "
            f"({', '.join(map(repr, shared[:5]))}{', ...' if len(shared) > 5 else ''}), but the network reads them as "
            "`chainrule train` preprocessed them (numbers standardised, text one-hot); the model file keeps that "
            "preprocessing. Apply it first:\n"
            "    import chainrule\n"
            "    from chainrule.data.tabular import Preprocessing\n"
            "    net, extra = chainrule.load(path, with_extra=True)\n"
            "    pre = Preprocessing.from_json(extra['tabular'])\n"
            "    X = pre.transform(df[pre.columns])   # the model's columns: the file's others left out\n"
            "    labels = pre.decode(net.predict(X))   # what `chainrule predict` writes (docs/tabular.md)\n"
            "or use `chainrule predict` / `chainrule evaluate` on the CSV file")
