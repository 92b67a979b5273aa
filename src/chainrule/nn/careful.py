"""The loss of rows whose plain pass overflowed the network's dtype (`overflow.checked_outputs`' rows), as
predict gives their outputs: the hidden layers computed again with care (`overflow.recompute`'s), then the
output layer's net input (the logits a fused loss reads) and the loss from it in float64, exact from the numbers
it comes from. `Network.evaluate`, fit's validation and `chainrule evaluate` all take a chunk's loss from here
where a row of it overflowed, so that the three give the same number; `Network.loss` and `gradients` refuse such
rows instead (their pass is the one training steps on).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .overflow import careful_pass


def careful_rows(net: Any, x: Any, where: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(each row's loss, its outputs in float64, the mask of rows no careful pass can give) of the rows `where`
    of the block `x`: a layer whose outputs go beyond the dtype there (predict refuses those rows too), an output
    beyond it, or logits beyond float64 (their loss is then NaN)."""
    last, rows = net.layers[-1], len(where)
    if not hasattr(last, "W"):               # an output layer without a net input: no logits to read
        return np.full(rows, np.nan), np.full((rows, net.n_outputs), np.nan), np.ones(rows, dtype=bool)
    a, first = careful_pass(net, x, where, net.layers[:-1])     # predict's pass: a hidden layer fails where it does
    with np.errstate(all="ignore"):
        z = a.astype(np.float64) @ last.W.astype(np.float64) + last.b.astype(np.float64)
        out = np.asarray(last.activation(z), dtype=np.float64)
        terms = net.loss_function.terms(out, np.asarray(Y[where], dtype=np.float64), z if net.fused_output else None)
        losses = np.add.reduce(terms, axis=1) / (net.loss_function.scale(out) / rows)    # its outputs, or 1
        failed = (first >= 0) | ~(np.isfinite(out.astype(net.dtype)).all(axis=1) & np.isfinite(losses))
    losses[failed] = np.nan
    return losses, out, failed


def mended(net: Any, xb: Any, yb: np.ndarray, wb: np.ndarray | None, mean: bool, out: np.ndarray,
           last_net: np.ndarray | None, lost: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """(the chunk's loss, its outputs in float64 as predict gives them (accuracy counts its hits there), the rows
    that no careful pass can give) of a chunk whose plain pass (`out`, `last_net`) overflowed on rows `lost`: those
    rows' losses and outputs from `careful_rows`, the others' from the plain pass, but where their loss alone is not
    finite there (logits whose spread overflows the dtype: 3e38 - -3e38 in float32). The loss is divided as the
    plain chunk's (by its rows, or by its weights' sum with `mean`); NaN where a row of `lost` cannot be given, not
    finite where a loss is not finite even so (targets too far from the outputs: said by `evaluation.finite_loss`)."""
    rows = out.shape[0]
    losses = np.empty(rows)
    kept = np.ones(rows, dtype=bool)
    kept[lost] = False
    with np.errstate(all="ignore"):
        if kept.any():
            terms = net.loss_function.terms(out[kept], yb[kept], last_net[kept] if net.fused_output
                                            and last_net is not None else None)
            losses[kept] = np.add.reduce(terms, axis=1) / (net.loss_function.scale(out[kept]) / int(kept.sum()))
    again = np.union1d(lost, np.flatnonzero(kept & ~np.isfinite(losses)))
    careful, outputs, failed = careful_rows(net, xb, again, yb)
    far = ~np.isin(again, lost)              # rows whose plain pass held, but not their loss
    keep = failed & far                      # their loss not finite in float64 either: the plain one stays
    losses[again] = np.where(keep, losses[again], careful)
    outs = out.astype(np.float64)
    outs[again] = np.where(keep[:, None], outs[again], outputs)
    w = np.ones(rows) if wb is None else np.asarray(wb, dtype=np.float64)
    total = float(np.add.reduce(w)) if mean and wb is not None else float(rows)
    with np.errstate(all="ignore"):
        loss = float(np.dot(w, losses)) / total if total else 0.0
    gone = again[failed & ~far]
    return (float("nan") if len(gone) else loss), outs, gone
