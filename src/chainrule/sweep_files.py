"""The sweep's files: its folder checked before the fits (what writing would refuse after an hour of them), and
the best model written as `chainrule train` writes one (a binary classifier's network as a 2-way softmax)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import chainrule as cr
from chainrule.sweep_tasks import PARTIAL


def as_softmax(net) -> Any:
    """A binary classifier's network (one sigmoid output) as the same model with a 2-way softmax.

    softmax([0, z]) = [1 - sigmoid(z), sigmoid(z)]: the probabilities are equal, and the file has
    one output per class as `chainrule predict` reads it.
    """
    layers = []
    dense = [layer for layer in net.layers if isinstance(layer, cr.Dense)]
    for layer in dense:
        last = layer is dense[-1]
        new = cr.Dense(layer.W.shape[0], 2 if last else layer.W.shape[1],
                       "softmax" if last else layer.activation.name)
        layers.append(new)
    out = cr.Network(layers, loss="categorical_crossentropy", dtype=net.dtype)
    for old, new in zip(dense, layers):
        if new is layers[-1]:
            new.W[...] = np.hstack([np.zeros_like(old.W), old.W])
            new.b[...] = np.concatenate([np.zeros_like(old.b), old.b])
        else:
            new.W[...] = old.W
            new.b[...] = old.b
    return out


def can_write(out: Path, refit: bool, overwrite: bool = True) -> None:
    """Refuse before the fits what atomic_write would refuse after them (an hour of fits lost): a read-only
    sweep_results.csv, a best_model.npz that is not a model (the user's data), a folder that cannot be written
    or a quoted '~' that would be made a folder named '~';
    and with overwrite=False an earlier sweep's files there (FileExistsError, as `cr.save(overwrite=False)`): its
    table, its best model (where this one writes one) and an interrupted sweep's partial table (`finished`)."""
    import os
    import tempfile

    from chainrule.saving.files import replaceable, writable_target
    from chainrule.saving.npz import refuse_existing
    from chainrule.saving.runlock import refuse_unexpanded
    refuse_unexpanded(out, "out_dir")
    folder = out
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:          # a file made and removed: os.access says yes to root where the folder refuses (NFS, sysfs)
        fd, probe = tempfile.mkstemp(prefix=".chainrule-sweep.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise type(exc)(exc.errno, f"Cannot write the sweep's files: {str(folder)!r} is not writable "
                                   f"({exc.strerror})", str(out)) from None
    os.close(fd)
    os.unlink(probe)
    for name, kind in (("sweep_results.csv", None), ("best_model.npz", "model"), (PARTIAL, None)):
        path = out / name
        if out.is_dir() and (refit or kind is None):
            refuse_existing(path, overwrite, "run_sweep")
            if name != PARTIAL:      # only removed (`finished`), which its folder allows, read-only or not
                replaceable(writable_target(path), kind, str(path))


def finished(out: Path) -> list[Path]:
    """Remove an earlier interrupted sweep's partial table from the folder a sweep has just finished into (its
    finished table replaces it: left there, it read as this sweep's); the files removed, for the command to say."""
    partial = out / PARTIAL
    if not partial.is_file():
        return []
    partial.unlink()
    return [partial]


def of_class(positive: Any) -> str:
    """How a score of one class of two names it, after the scorer's name, as the CSV writes it: f1 of 'yes', f1 of 1
    (nothing for None, a scorer of both classes); the sweep's lines and `chainrule info`'s say it alike."""
    if positive is None:
        return ""
    value = getattr(positive, "item", lambda: positive)()        # a NumPy number as Python's
    return f" of {value!r}" if isinstance(value, str) else f" of {value}"


def save_best(path: Path, estimator, pre, classify: bool, score: tuple[str, float], weight: str | None,
              sweep: dict, class_weight: Any = None) -> None:
    """The refit best as a model file `chainrule predict` reads: its network (a binary classifier's as a 2-way
    softmax), the whole file's preprocessing, its epochs and cross-validated score, the weight column (evaluate's
    weights, as train's), the class weights every fit had (as train records them: `chainrule info` says them), and
    the sweep it came from (`chainrule info`: its best_params as the grid wrote them)."""
    from chainrule.saving.npz import save
    best = fitted(estimator)
    net = best.network_
    if classify and net.n_outputs == 1:
        net = as_softmax(net)
    history = {"epochs": int(best.n_iter_), f"cv_{score[0]}": score[1]}
    recorded: dict[str, Any] = {"weight": weight} if weight else {}
    if class_weight is not None:        # 'balanced', or {label: weight} / (label, weight) pairs as [label, weight]
        pairs = class_weight.items() if isinstance(class_weight, dict) else class_weight
        recorded["class_weight"] = class_weight if isinstance(class_weight, str) else \
            [[label.item() if isinstance(label, np.generic) else label, float(w)] for label, w in pairs]
    from chainrule.sweep_table import literal  # the CSV's params cell's form: the same in the model file's JSON
    sweep = {**sweep, "best_params": {k: literal(v) for k, v in sweep["best_params"].items()}}
    save(net, path, include_optimizer=False, extra={"tabular": pre.to_json(), "history": history, **recorded,
                                                     "sweep": sweep})


def fitted(estimator):
    """The chainrule estimator inside (a regression's TransformedTargetRegressor holds it)."""
    return getattr(estimator, "regressor_", estimator)
