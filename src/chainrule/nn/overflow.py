"""Rows whose forward pass gave NaN or infinity in an output or in some layer's net input (predict
and forward check each), computed again with care: their exact outputs when they are finite, else the
error that names the layer that overflows.

A net input can overflow its dtype while the layer's output is finite and exact: a softmax over
logits beyond 3.4e38 in float32 (inf - inf is NaN in the plain pass, the exact output is 0 or 1),
a ReLU of a net input below the dtype's range (0); or finite and wrong: a sigmoid of a net input
whose terms summed to +inf where the exact sum is negative (1 for 0). `recompute` takes each layer's net input in
float64 scaled by a power of two, per row (x 2^-s @ W + b 2^-s: no product or sum overflows, and the
scaling is exact but for terms under 2^-1074 * 2^s, which no sum of the row's magnitudes notices), applies the
activation to the value it stands for, and keeps the output when the dtype holds it. An output the
dtype cannot hold (a ReLU or linear unit beyond its largest number) is the layer overflowing,
refused in words: which rows, which layer, the dtype's limit and what to do. Only the rows that
failed take this path; the others keep the plain pass's numbers.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ValidationError
from .activations import Softmax
from .sparse import is_sparse


def recompute(net: Any, x: Any, where: np.ndarray) -> tuple[np.ndarray, tuple[int, np.ndarray] | None]:
    """The outputs of the rows `where` (indices into x, a block of checked inputs) in the network's
    dtype, computed with care; and None, or (k, the indices among `where` whose outputs layer k
    cannot give: beyond the dtype, or NaN) for `refusal`."""
    a = x[where]
    a = np.asarray(a.toarray() if is_sparse(a) else a, dtype=net.dtype)
    with np.errstate(all="ignore"):
        for k, layer in enumerate(net.layers):
            plain = getattr(type(layer), "_plain_infer", None) is type(layer).infer     # Dense's own (predict's test)
            out = dense_exactly(layer, a) if plain else layer.infer(a)
            out = np.asarray(out).astype(net.dtype, copy=False)
            wrong = ~np.isfinite(out).all(axis=1)
            if wrong.any():
                return out, (k, np.flatnonzero(wrong))
            a = out
    return a, None


def dense_exactly(layer: Any, a: np.ndarray) -> np.ndarray:
    """f(a @ W + b) in float64, each row's net input scaled by 2^-s (s from the row's largest number and
    the layer's) so that nothing overflows before f, nor a row's small numbers underflow for another's
    large ones (saving/onnx_checks computes the same)."""
    a64, W, b = a.astype(np.float64), layer.W.astype(np.float64), layer.b.astype(np.float64)
    if not (np.isfinite(W).all() and np.isfinite(b).all()):
        return np.full((a.shape[0], W.shape[1]), np.nan)
    e_a = np.frexp(np.max(np.abs(a64), axis=1, keepdims=True, initial=0.0))[1]          # (rows, 1)
    e_W, e_b = (int(np.frexp(np.max(np.abs(v), initial=0.0))[1]) for v in (W, b))
    s = np.maximum(e_a + max(e_W, 0) + int(W.shape[0]).bit_length() + 1, max(e_b + 1, 0)) - 1000
    scaled = np.ldexp(a64, -s) @ W + np.ldexp(b, -s)
    if isinstance(layer.activation, Softmax):        # shifted by the row maximum, as softmax itself does
        scaled -= scaled.max(axis=1, keepdims=True)
    return np.asarray(layer.activation(np.ldexp(scaled, s)))


def refusal(net: Any, k: int, count: int, first: int, n: int) -> ValidationError:
    """The words for `count` rows of X's `n` (the first: row `first`) whose outputs layer k cannot give."""
    layer, dtype = net.layers[k], net.dtype.name
    params = [getattr(layer, name) for name, _ in layer.param_shapes()]
    if not all(np.isfinite(p).all() for p in params):
        why = "has NaN or infinite weights (damaged: set them again, or load the model file again)"
    else:
        why = (f"overflows there: its outputs go beyond {dtype}'s largest number (about {np.finfo(net.dtype).max:.2g});"
               " scale the inputs as they were scaled for training"
               + (", or use dtype='float64' (numbers up to about 1.8e+308)" if net.dtype == np.float32 else ""))
    rows = f"{count} of the {n} rows of X (first: row {first})" if n > 1 else "the one row of X"
    return ValidationError(f"the network's outputs are NaN or infinite for {rows}: its weights are damaged, or "
                           f"those inputs are far outside the range it was trained on. Layer {k} ({layer!r}) {why}")


def finite_outputs(net: Any, X: Any, out: np.ndarray) -> np.ndarray:
    """`out`, the plain pass's outputs for the checked inputs X (the layers' caches hold its net inputs),
    with its rows whose output or some layer's net input is NaN or infinite computed again (`recompute`)
    in place (so a layer's cache that is `out` holds them too); refused in words where a layer overflows."""
    nets = [z for z in (getattr(layer, "net", None) for layer in net.layers)
            if isinstance(z, np.ndarray) and z.ndim == 2 and z.shape[0] == out.shape[0]]
    with np.errstate(over="ignore", invalid="ignore"):     # large finite outputs may overflow the sum
        if all(np.isfinite(np.add.reduce(v, axis=None)) or np.isfinite(v).all() for v in (*nets, out)):
            return out
    bad = ~np.isfinite(out).all(axis=1)
    for z in nets:
        bad |= ~np.isfinite(z).all(axis=1)
    wrong = np.flatnonzero(bad)
    if not len(wrong):
        return out
    careful, failed = recompute(net, X, wrong)
    if failed is not None:
        raise refusal(net, failed[0], len(failed[1]), int(wrong[failed[1][0]]), X.shape[0])
    out[wrong] = careful
    return out


def plain_pass_overflows(net: Any, X: Any, chunk: int) -> tuple[int, int]:
    """(rows, the first) of checked X whose plain pass gives NaN or infinite outputs or, where the loss
    reads it (the fused cross-entropies), output net input: rows whose outputs only `recompute` finds
    finite, and whose loss and gradient the engine's pass (which takes no such care) cannot compute."""
    from .inference import outputs
    from .sparse import rows
    count, first = 0, -1
    with np.errstate(all="ignore"):
        for i in range(0, X.shape[0], chunk):
            block = rows(X, i, i + chunk)
            out, last = outputs(net, block if is_sparse(block) else np.asarray(block, dtype=net.dtype), with_net=True)
            wrong = ~np.isfinite(out).all(axis=1)
            if net.fused_output and last is not None:
                wrong |= ~np.isfinite(last).all(axis=1)
            first = first if count or not wrong.any() else i + int(np.argmax(wrong))
            count += int(wrong.sum())
    return count, first
