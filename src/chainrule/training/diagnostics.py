"""Gradient-flow diagnostics: is every layer still learning?

The first seed names backpropagation's known trouble, vanishing and exploding gradients: the
hidden-layer delta is a product of f'(net) factors and weights, one per layer above, and the
sigmoid's f' = out(1 - out) is at most 1/4, so deep sigmoid networks pass almost nothing down to
their first layers. `GradientDiagnostics` watches this during `fit`, from the engine's own caches.

Per Dense layer and epoch (means over the batches), added to the History:
  grad_norm/<l>     ||dE/dW|| of the layer
  update_ratio/<l>  ||W_after - W_before|| / ||W_before|| of each update
  saturation/<l>    fraction of saturated units: sigmoid out < 0.01 or > 0.99, tanh |out| > 0.99,
                    ReLU units that output 0 for every sample of the batch (dead); under MPI the
                    global batch's, its counts summed over the ranks (`share`, set by `MPITrainer`)
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..callers import caller_level
from ..errors import TrainingDiverged
from ..nn import checks as check
from ..nn import divergence
from ..nn.layers import Dense
from ..nn.loss_outputs import output_mismatch
from .callbacks import Callback, GradientWarning
from .model_checkpoint import ModelCheckpoint
from .streaming import validation

REMEDIES = ("ReLU activations with He initialisation (weight_init='he_normal'), a smaller learning rate, "
            "or gradient clipping (clip_norm=...)")


def saturation(layer: Dense) -> float:
    """Fraction of saturated (or dead) units in the layer's cached output."""
    return saturation_of(layer, saturation_counts(layer))


def saturation_counts(layer: Dense) -> np.ndarray:
    """What the saturation is read from, as counts that add up over parts of a batch (MPI ranks' shards):
    sigmoid and tanh [saturated outputs, outputs]; ReLU, per unit, 1 where a sample of the batch gives it a
    positive input (it is not dead); another activation none."""
    out, name = layer.out, layer.activation.name
    assert out is not None and layer.net is not None, "saturation reads the caches of a forward pass"
    if name == "sigmoid":
        return np.array([np.count_nonzero((out < 0.01) | (out > 0.99)), out.size], dtype=np.float64)
    if name == "tanh":
        return np.array([np.count_nonzero(np.abs(out) > 0.99), out.size], dtype=np.float64)
    if name in ("relu", "leaky_relu"):
        return (~np.all(layer.net <= 0, axis=0)).astype(np.float64)
    return np.zeros(0)


def saturation_of(layer: Dense, counts: np.ndarray) -> float:
    """The saturation from `saturation_counts` (of a batch, or summed over its parts)."""
    name = layer.activation.name
    if name in ("sigmoid", "tanh"):
        return float(counts[0] / counts[1]) if counts[1] else 0.0
    if name in ("relu", "leaky_relu"):
        return float(np.mean(counts == 0))
    return 0.0


class GradientDiagnostics(Callback):
    """Record per-layer gradient norms, update ratios and saturation; warn when gradients vanish
    (a layer's gradient norm below `vanish` times the largest layer's) or explode (a gradient
    norm above `explode`, or updates larger than the weights).

    Examples
    --------
    >>> diag = GradientDiagnostics()
    >>> history = net.fit(X, y, epochs=5, callbacks=[diag])          # doctest: +SKIP
    >>> history.history["grad_norm/0"]                                 # doctest: +SKIP
    """

    def __init__(self, vanish: float = 1e-3, explode: float = 1e3, warn: bool = True):
        self.vanish = check.number(vanish, "GradientDiagnostics: vanish", low_inclusive=False)
        self.explode = check.number(explode, "GradientDiagnostics: explode", low=self.vanish, low_inclusive=False)
        self.warn = check.flag(warn, "GradientDiagnostics: warn")
        self.flagged: dict[int, str] = {}
        #: under MPI (set by `MPITrainer`): sums the layers' `saturation_counts` over the ranks' shards in place
        self.share: Any = None

    def on_train_begin(self, params: dict[str, Any]) -> None:
        self.layers = self.network.dense_layers
        self.flagged = {}

    def on_epoch_begin(self, epoch: int) -> None:
        n = len(self.layers)
        self._sums = {"grad_norm": np.zeros(n), "update_ratio": np.zeros(n), "saturation": np.zeros(n)}
        self._batches = 0

    def on_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        self._before = [layer.W.copy() for layer in self.layers]

    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        counts = [saturation_counts(layer) for layer in self.layers]
        if self.share is not None:          # the global batch's, not this rank's shard's
            counts = np.split(self.share(np.concatenate(counts)), np.cumsum([c.size for c in counts])[:-1])
        for l, (layer, before) in enumerate(zip(self.layers, self._before)):
            self._sums["grad_norm"][l] += np.linalg.norm(layer.dW)
            self._sums["update_ratio"][l] += np.linalg.norm(layer.W - before) / (np.linalg.norm(before) or 1.0)
            self._sums["saturation"][l] += saturation_of(layer, counts[l])
        self._batches += 1

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        means = {k: v / max(self._batches, 1) for k, v in self._sums.items()}
        for key, values in means.items():
            for l, v in enumerate(values):
                logs[f"{key}/{l}"] = float(v)
        top = float(means["grad_norm"].max())
        for l in range(len(self.layers)):
            g, r = means["grad_norm"][l], means["update_ratio"][l]
            if g < self.vanish * top:
                self._flag(l, f"gradients vanish in layer {l} ({self.layers[l]!r}): its gradient norm {g:.2e} is "
                              f"{g / top:.1e} of the largest layer's ({top:.2e}), so it barely learns "
                              f"(saturated units: {means['saturation'][l]:.0%})")
            elif g > self.explode or r > 1.0:
                self._flag(l, f"gradients explode in layer {l} ({self.layers[l]!r}): gradient norm {g:.2e}, "
                              f"updates {r:.1f} times the size of the weights")

    def _flag(self, layer: int, message: str) -> None:
        if layer in self.flagged:
            return
        self.flagged[layer] = message
        if self.warn:
            warnings.warn(f"{message}. Remedies: {REMEDIES}.", GradientWarning, stacklevel=caller_level())


def likely_cause(net, X: Any, Y: Any) -> str:
    """A sentence naming what most likely made training diverge, read from the run itself (empty
    when nothing stands out): unscaled inputs or targets, an unusual output for the loss, a large
    learning rate."""
    causes = []
    if isinstance(X, np.ndarray) and X.size and X.dtype.kind == "f":
        big = np.abs(X).max(axis=0)
        col = int(np.argmax(big))
        if big[col] > 1e3:
            causes.append(f"the inputs are not scaled: column {col} reaches {big[col]:.3g} (scale them, e.g. "
                          "sklearn.preprocessing.StandardScaler)")
    if net.task == "regression" and isinstance(Y, np.ndarray) and Y.size and float(np.abs(Y).max()) > 1e3:
        causes.append(f"the targets reach {float(np.abs(Y).max()):.3g} (scale them, and the predictions back)")
    last = net.dense_layers[-1]
    found = output_mismatch(net.loss_function, last.activation, last.n_out)
    if found is not None:
        causes.append(str(found) if isinstance(found, Exception) else found[1])
    opt = net.optimizer
    lr = getattr(opt, "lr", None)
    if isinstance(lr, float) and lr > (0.1 if hasattr(opt, "betas") else 1.0):
        causes.append(f"the learning rate {lr:g} is high for {type(opt).__name__}")
    return ("Likely cause: " + "; ".join(causes) + ".") if causes else ""


def last_outputs(trainer: Any) -> None:
    """The last epoch's updates can leave finite weights whose outputs overflow (a rate of 1e300): the val_loss inf
    (or no validation), and no later step to find it. Diverged where the first training rows' outputs overflow; else
    validation rows of their own far outside the training rows' overflow them: warned, as Keras would show that
    val_loss, not hidden. Without validation, one batch's rows (`sample_rows`): a one-epoch fit (partial_fit's)
    pays no forward pass of all its rows."""
    val = trainer.history.history.get("val_loss", [])
    if not trainer.history.epoch or val and math.isfinite(val[-1]):
        return
    n = min(trainer.X.shape[0], 1024)
    # without validation, not after TerminateOnNaN's stop (fit returns), nor under MPI (None: each rank's rows its own)
    rows = (trainer.X[:n], trainer.Y[:n]) if val else \
        trainer.sample_rows() if math.isfinite(trainer.last_logs.get("loss", 0.0)) else None
    if rows is None:
        return
    own = rows_loss(trainer, rows)
    epoch = trainer.history.epoch[-1] + 1
    if not math.isfinite(own):
        became = f"the val_loss became {val[-1]} and the training rows' loss" if val else \
            "the training rows' loss became"
        raise alike(trainer, TrainingDiverged(f"training diverged in its last epoch (epoch {epoch}): {became} {own} "
                                              "(its updates took the weights past what the outputs can hold); try "
                                              f"{divergence.REMEDIES}"))
    if not val:
        return
    warnings.warn(f"the val_loss of epoch {epoch} is {val[-1]}: the outputs of validation rows overflow, while the "
                  f"training rows' outputs are finite (loss {own:.6g}): those validation rows' inputs lie far outside "
                  "the training rows'", RuntimeWarning, stacklevel=caller_level())


def unseen_update(trainer: Any, epoch: int, logs: dict[str, float]) -> None:
    """No batch of an epoch sees its last update: weights it made NaN or infinite, or finite ones whose outputs
    overflow on a batch's training rows (a rate of 1e300), raise TrainingDiverged here, before the epoch's callbacks,
    so that none keeps them (a ModelCheckpoint's file, EarlyStopping's best weights, checkpoint_dir's checkpoint).
    Only where such a callback may keep them (a forward pass of one batch's rows at most; else the next batch finds
    them, or the run's end, `last_outputs`), on the rows `trainer.sample_rows()` gives (under MPI a rank's shard of
    them, every rank raising alike: `rows_loss`). Not after an epoch that TerminateOnNaN stopped at an invalid loss
    (its logged loss): fit returns then, as Keras'."""
    keeps = keeps_weights(trainer) or getattr(trainer, "others_keep", False)    # MPI: another rank's may (rank 0's)
    rows = trainer.sample_rows() if keeps and math.isfinite(logs.get("loss", 0.0)) else None
    if rows is None:
        return
    net = trainer.net
    said = getattr(trainer.backup, "kept", None)     # rank 0's under MPI: the folder is its alone
    kept = "" if said is None else f"; {said()}"
    if not np.isfinite(net.params).all():
        raise alike(trainer, TrainingDiverged(f"training diverged in its last update (epoch {epoch + 1}): "
                                              f"{divergence.nonfinite_update(net)}{kept}. Try {divergence.REMEDIES}"))
    own = rows_loss(trainer, rows)
    if not math.isfinite(own):
        where = f"its last epoch (epoch {epoch + 1})" if epoch == trainer.epochs - 1 else \
            f"epoch {epoch + 1}'s last update"
        raise alike(trainer, TrainingDiverged(f"training diverged in {where}: the training rows' loss became "
                                              f"{own} (its updates took the weights past what the outputs can "
                                              f"hold){kept}; try {divergence.REMEDIES}"))


def keeps_weights(trainer: Any) -> bool:
    """Whether a callback of this run may keep an epoch's weights (a checkpoint, a ModelCheckpoint, EarlyStopping's
    best weights): `unseen_update` checks them first."""
    return trainer.backup is not None or any(isinstance(cb, ModelCheckpoint) or getattr(
        cb, "restore_best_weights", False) is True for cb in trainer.callbacks)


def rows_loss(trainer: Any, rows: tuple[Any, Any]) -> float:
    """The loss of the training rows the checks above read. Under MPI (`trainer.worst`) each rank's shard of them
    (`sample_rows`; an empty one counts as finite) and every rank gets the worst, so that all raise alike."""
    own = validation(trainer.net, *rows)["loss"] if rows[0].shape[0] else 0.0
    worst = getattr(trainer, "worst", None)
    return own if worst is None else worst(own)


def alike(trainer: Any, exc: TrainingDiverged) -> TrainingDiverged:
    """`exc`, marked under MPI as raised by every rank alike (`trainer.everywhere`: the job ends by itself)."""
    return getattr(trainer, "everywhere", lambda e: e)(exc)
