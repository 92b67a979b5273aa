"""Rows whose forward pass gave NaN or infinity in an output or in some layer's net input (predict
and forward check each), computed again with care: their exact outputs when they are finite, else the
error that names the layer that overflows (`Failures`: and says
whether the plain pass's outputs there were NaN or infinite, or finite but came through an overflowed net input).

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

from typing import Any, NamedTuple

import numpy as np

from ..errors import ValidationError
from .activations import Softmax
from .sparse import is_sparse


def recompute(net: Any, x: Any, where: np.ndarray) -> tuple[np.ndarray, tuple[int, np.ndarray] | None]:
    """The outputs of the rows `where` (indices into x, a block of checked inputs) in the network's
    dtype, computed with care; and None, or (k, the indices among `where` whose outputs layer k
    cannot give: beyond the dtype, or NaN; the first such layer) for `refusal`."""
    out, first = careful_pass(net, x, where, net.layers)
    failed = first >= 0
    if not failed.any():
        return out, None
    k = int(first[failed].min())
    return out, (k, np.flatnonzero(first == k))


def careful_pass(net: Any, x: Any, where: np.ndarray, layers: list) -> tuple[np.ndarray, np.ndarray]:
    """The outputs of `layers` (the network's first ones) for the rows `where` of the block x, computed with care
    in the network's dtype, and per row the first of them whose outputs the dtype cannot hold there (-1: none):
    predict refuses those rows, and evaluate (`careful.careful_rows`, which takes the last layer's net input
    from here) has no loss for them. A row that fails goes on (NaN or infinite), so that the others are given."""
    a = x[where]
    a = np.asarray(a.toarray() if is_sparse(a) else a, dtype=net.dtype)
    first = np.full(a.shape[0], -1)
    with np.errstate(all="ignore"):
        for k, layer in enumerate(layers):
            plain = getattr(type(layer), "_plain_infer", None) is type(layer).infer     # Dense's own (predict's test)
            out = dense_exactly(layer, a) if plain else layer.infer(a)
            a = np.asarray(out).astype(net.dtype, copy=False)
            first[(first < 0) & ~np.isfinite(a).all(axis=1)] = k
    return a, first


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


def nonfinite_rows(v: np.ndarray) -> np.ndarray | None:
    """The mask of v's rows holding NaN or infinity, or None where none does: one sum first (the common
    case, no mask made); only where it is not finite (or finite numbers summed beyond the dtype) are rows looked at."""
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.add.reduce(v, axis=None)):
            return None
    mask = ~np.isfinite(v).all(axis=1)
    return mask if mask.any() else None


class Suspects(NamedTuple):
    """Rows of a plain pass to compute again (`recompute`), and per row the first layer whose net input
    is NaN or infinite there (-1: none, the output alone is)."""
    rows: np.ndarray
    layer: np.ndarray


def suspects(out: np.ndarray, net_inputs: list[np.ndarray | None]) -> Suspects | None:
    """The rows whose output or some layer's net input is NaN or infinite (`net_inputs`: each layer's
    `nonfinite_rows` mask of its net input, None where none is or it was not looked at); None: no row is.
    predict (a chunk's pass) and forward (the layers' caches) both ask it."""
    masks = [(k, m) for k, m in enumerate(net_inputs) if m is not None]
    bad = nonfinite_rows(out)
    if bad is None and not masks:
        return None
    bad = np.zeros(out.shape[0], dtype=bool) if bad is None else bad.copy()
    layer = np.full(out.shape[0], -1)
    for k, m in reversed(masks):             # the first layer's index written last
        bad |= m
        layer[m] = k
    rows = np.flatnonzero(bad)
    return Suspects(rows, layer[rows]) if len(rows) else None


class Failures:
    """The rows (over predict's chunks) whose outputs no layer can give (`recompute`'s failures), and the
    words that refuse them: the plain pass's outputs there NaN or infinite, or finite but come through an
    overflowed net input (a sigmoid's 1 of an infinite net input): then that is said, not "NaN or infinite"."""

    def __init__(self) -> None:
        self.layer = -1                      # the layer that cannot give them (for the first such row)
        self.nonfinite, self.first_nonfinite = 0, -1
        self.through, self.first_through, self.through_layer = 0, -1, -1

    def add(self, k: int, rows: np.ndarray, plain: np.ndarray, net_layer: np.ndarray) -> None:
        """Rows `rows` of X that layer k cannot give; `plain` their plain outputs, `net_layer` their first overflowed
        net input's layer (`Suspects.layer`). The first rows said are the lowest added."""
        self.layer = k if self.layer < 0 else self.layer
        finite = np.isfinite(plain).all(axis=1)
        if (~finite).any():
            low = int(rows[~finite].min())
            self.first_nonfinite = min(self.first_nonfinite, low) if self.nonfinite else low
            self.nonfinite += int((~finite).sum())
        if finite.any():
            at = int(np.argmin(rows[finite]))
            low = int(rows[finite][at])
            if not self.through or low < self.first_through:
                self.first_through, self.through_layer = low, int(net_layer[finite][at])
            self.through += int(finite.sum())

    def merge(self, other: Failures, name: Any) -> None:
        """`other`'s rows (a later chunk's) added, each first row renamed by `name` (a chunk's row: its file line)."""
        if not other:
            return
        self.layer = other.layer if self.layer < 0 else self.layer
        if other.nonfinite:
            self.first_nonfinite = self.first_nonfinite if self.nonfinite else int(name(other.first_nonfinite))
            self.nonfinite += other.nonfinite
        if other.through:
            if not self.through:
                self.first_through, self.through_layer = int(name(other.first_through)), other.through_layer
            self.through += other.through

    def __bool__(self) -> bool:
        return self.layer >= 0

    def error(self, net: Any, n: int, of: str = "X", unit: str = "row", advice: str | None = None) -> ValidationError:
        """The refusal of these rows of `n` (of X, or of a file whose rows are named by their lines: `of`, `unit`),
        naming layer `self.layer` and why it cannot give them; `advice`: the command line's shorter last words, what
        to do where the layer overflows (its line holds 400 characters)."""
        layer, dtype = net.layers[self.layer], net.dtype.name
        params = [getattr(layer, name) for name, _ in layer.param_shapes()]
        if not all(np.isfinite(p).all() for p in params):
            why = "has NaN or infinite weights (damaged: set them again, or load the model file again)"
        elif advice is not None:
            why = f"overflows {dtype} there: {advice}"
        else:
            why = (f"overflows there: its outputs go beyond {dtype}'s largest number (about "
                   f"{np.finfo(net.dtype).max:.2g}); scale the inputs as they were scaled for training"
                   + (", or use dtype='float64' (numbers up to about 1.8e+308)" if net.dtype == np.float32 else ""))

        def rows(count: int, first: int) -> str:
            return f"{count} of the {n} rows of {of} (first: {unit} {first})" if n > 1 else f"the one row of {of}"

        said = [f"the network's outputs are NaN or infinite for {rows(self.nonfinite, self.first_nonfinite)}"
                ] if self.nonfinite else []
        once = advice is not None and self.through_layer == self.layer and why.startswith("overflows")
        if self.through:                     # `once`: the layer named here alone (the command line's words)
            subject = "they are" if said else "the network's outputs are"
            named = f"layer {self.layer} ({layer!r})" if once else f"layer {self.through_layer}'s net input"
            said.append(f"{subject} finite but wrong for "
                        f"{rows(self.through, self.first_through)}: {named} overflows "
                        f"{dtype} there, and those outputs came through the overflow")
        if once and self.through:
            return ValidationError(f"{'; '.join(said)}: {advice}")
        if advice is not None:
            return ValidationError(f"{'; '.join(said)}. Layer {self.layer} ({layer!r}) {why}")
        return ValidationError(f"{'; '.join(said)}: its weights are damaged, or those inputs are far outside the range "
                               f"it was trained on. Layer {self.layer} ({layer!r}) {why}")


def finite_outputs(net: Any, X: Any, out: np.ndarray) -> np.ndarray:
    """`out`, the plain pass's outputs for the checked inputs X (the layers' caches hold its net inputs),
    with its rows whose output or some layer's net input is NaN or infinite (`suspects`) computed again
    (`recompute`) in place (so a layer's cache that is `out` holds them too); refused in words where a layer
    overflows."""
    nets = [getattr(layer, "net", None) for layer in net.layers]
    found = suspects(out, [nonfinite_rows(z) if isinstance(z, np.ndarray) and z.ndim == 2 and z.shape[0] == out.shape[0]
                           else None for z in nets])
    if found is None:
        return out
    careful, failed = recompute(net, X, found.rows)
    if failed is not None:
        failures = Failures()
        failures.add(failed[0], found.rows[failed[1]], out[found.rows[failed[1]]], found.layer[failed[1]])
        raise failures.error(net, X.shape[0])
    out[found.rows] = careful
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


def checked_outputs(net: Any, X: Any) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """`inference.outputs(net, X, with_net=True)` (the engine's pass that evaluate's loss reads), and the rows
    (indices) where that pass is not the network's: a layer's net input beyond the dtype there, and `recompute`
    gives other outputs (a sigmoid's 1 of a sum that overflowed to +inf, the exact net input negative) or none,
    or the output layer's net input, which a fused loss reads, is beyond it. One sum a layer where none is."""
    a, last, masks = X, None, []
    for k, layer in enumerate(net.layers):
        plain = getattr(type(layer), "_plain_infer", None) is type(layer).infer
        if hasattr(layer, "activation") and (k == len(net.layers) - 1 or plain):
            last, a = layer.infer(a, with_net=True)
            masks.append(nonfinite_rows(last))
        else:
            last, a = None, layer.infer(a)
            masks.append(None)
    return a, last, came_through(net, X, a, masks)


def cached_wrong(net: Any, X: Any, out: np.ndarray) -> np.ndarray:
    """`came_through` for the pass the layers' caches hold (loss and gradients: forward's `net` caches)."""
    return came_through(net, X, out, [nonfinite_rows(z) if isinstance(z, np.ndarray) and z.ndim == 2 else None
                                      for z in (getattr(layer, "net", None) for layer in net.layers)])


def came_through(net: Any, X: Any, out: np.ndarray, masks: list[np.ndarray | None]) -> np.ndarray:
    """The rows (indices) of a plain pass (`out`; `masks`: each layer's `nonfinite_rows` of its net input)
    that are not the network's: `recompute` gives other outputs there, or none, or the output layer's net
    input, which a fused loss reads, is beyond the dtype."""
    masks = [m if m is not None and m.shape[0] == out.shape[0] else None for m in masks]
    found = suspects(out, masks)
    if found is None:
        return np.zeros(0, dtype=np.intp)
    careful, first = careful_pass(net, X, found.rows, net.layers)
    plain = out[found.rows]                  # a row no layer gives, or one whose careful outputs differ
    wrong = (first >= 0) | ~((careful == plain) | (np.isnan(careful) & np.isnan(plain))).all(axis=1)
    if net.fused_output and masks[-1] is not None:
        wrong |= masks[-1][found.rows]
    return found.rows[wrong]
