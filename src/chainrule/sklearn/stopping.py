"""Early stopping of the estimators, as MLPClassifier's: the held-out rows (`hold_out`) and the
rule that stops training, on their score or on the training loss (`MLPStopping`), that loss in MLP's units
(`mlp_loss`); and their verbose lines, in MLPClassifier's words (`MLPProgress`)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn import config_context
from sklearn.model_selection import train_test_split

from ..errors import ValidationError
from ..training.callback import Callback
from .params import estimator_name


def hold_out(est: Any, X: Any, y: Any, Y: Any, sample_weight: Any, seed: int,
             scored: Any = None) -> tuple[tuple, tuple, Any]:
    """The estimator `est`'s split, as MLPClassifier's: train_test_split with test_size=validation_fraction,
    stratified by class for a single-label classifier (`est._stratify`); (X, y, Y, sample_weight) of the
    rows trained on and of the rows held out (sample_weight None for both when it is None), and `scored` (the
    held-out score's weights: sample_weight without class_weight's) of the rows held out, or None. Three or more
    classes that cannot be held out in proportion (a class of one row, fewer rows than classes in a part) are held
    out at random, as MLPClassifier holds them out always (it stratifies two classes only), which runs on such data."""
    stratify = est._stratify(Y)
    counts = None if stratify is None else np.bincount(stratify.astype(np.int64))
    if counts is not None and len(counts) == 2 and counts.min() < 2:
        rare = int(np.argmin(counts))
        raise ValidationError(f"{estimator_name(est)}: early_stopping holds out a stratified validation_fraction="
                              f"{est.validation_fraction} of the rows, which needs at least 2 rows of each class; "
                              f"class {est.classes_[rare:rare + 1].tolist()[0]!r} has {counts[rare]}: give more rows "
                              "or set early_stopping=False")
    extra = [a for a in (sample_weight, scored) if a is not None]

    def split(stratify: Any) -> list:
        # validation_fraction as given (np.float32(0.2): 16 of 80 rows, not 17), checked by check_params:
        with config_context(skip_parameter_validation=True):           # as MLP's fit, which skips the nested check
            return train_test_split(X, y, Y, *extra, test_size=est.validation_fraction, random_state=seed,
                                    stratify=stratify)
    try:
        try:
            parts = split(stratify)
        except ValueError:
            if counts is None or len(counts) == 2:
                raise
            parts, counts = split(None), None          # 3+ classes: at random, as MLPClassifier
    except ValueError as exc:
        how, fix = "a random", ""
        if counts is not None:                  # two classes, stratified: each part needs a row of each
            how, n = "a stratified", X.shape[0]
            if n < 4:
                fix = "; 2 classes need 2 rows in each part, 4 in all: "
            elif math.ceil(est.validation_fraction * n) < 2:
                fix = f"; 2 classes need validation_fraction >= {math.ceil(200 / n) / 100:g} of {n} rows: raise it, "
            else:
                fix = (f"; 2 classes need 2 rows left to train on, validation_fraction <= "
                       f"{math.floor(100 * (n - 2) / n) / 100:g} of {n} rows: lower it, ")
            fix += "give more rows or set early_stopping=False"
        raise ValidationError(f"{estimator_name(est)}: early_stopping holds out {how} validation_fraction="
                              f"{est.validation_fraction} of the {X.shape[0]} rows: {exc}{fix}") from exc
    weighed = sample_weight is not None
    train, held = [*parts[0:6:2], parts[6] if weighed else None], [*parts[1:6:2], parts[7] if weighed else None]
    if held[0].shape[0] < 2:                   # as MLPClassifier: a score of one row means little (R2: none)
        raise ValidationError(f"{estimator_name(est)}: early_stopping holds out validation_fraction="
                              f"{est.validation_fraction} of the {X.shape[0]} rows: {held[0].shape[0]}; "
                              "it needs at least 2: raise validation_fraction or give more rows")
    if sample_weight is not None and not (train[3].any() and held[3].any()):
        raise ValidationError(f"{estimator_name(est)}: early stopping held out {held[0].shape[0]} rows "
                              f"(validation_fraction={est.validation_fraction}); the held-out or the "
                              "other rows all have sample_weight 0")
    return tuple(train), tuple(held), parts[-1] if scored is not None else None


class MLPStopping(Callback):
    """MLPClassifier's stopping rule (its `_update_no_improvement_count`), each epoch: with held-out rows
    (`held_out`), their score by the estimator's own `score` (logged as "val_score"), which does not improve
    when below the best + tol (the best, and its weights, kept when above it: restored at the end); else the
    training loss, which does not improve when above the lowest - tol. After more than `patience` epochs in
    a row without improvement, training stops. `state`: that of the fit a warm start goes on from; with held-out
    rows, not once the weights were set since it ended (`coefs_ = ...`, an edit in place): its best weights would
    replace those set at the end of this fit, as MLPClassifier's do (the training loss's count goes on, as MLP's)."""

    def __init__(self, estimator: Any, held_out: tuple | None, tol: float, patience: int, state: dict | None = None):
        super().__init__()
        self.estimator, self.held_out, self.tol, self.patience = estimator, held_out, float(tol), patience
        self.scores = held_out is not None
        self.state = state if state is not None and state.get("scores") == self.scores else None

    def on_train_begin(self, params: dict) -> None:
        state = self.state or {}
        weights = state.get("weights") if self.scores else None
        if weights is not None and not np.array_equal(self.network.params, weights, equal_nan=True):
            state = {}                  # weights set since the last fit: their best is looked for anew
        self.best: float = state.get("best", -math.inf if self.scores else math.inf)
        self.count: int = state.get("count", 0)
        self.best_params: np.ndarray | None = state.get("best_params")
        self.stopped = False         # whether the rule ended this fit (else it ran all its epochs)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        if self.held_out is not None:
            score = logs["val_score"] = self.estimator._held_out_score(*self.held_out)
            self.count = self.count + 1 if score < self.best + self.tol else 0
            if score > self.best:
                self.best, self.best_params = score, self.network.params.copy()
        else:
            loss = logs["loss"]
            self.count = self.count + 1 if loss > self.best - self.tol else 0
            self.best = min(self.best, loss)
        if self.count > self.patience:
            self.network.stop_training = self.stopped = True

    def on_train_end(self) -> None:
        if self.scores and self.best_params is not None:     # as MLPClassifier: the best score's weights
            self.network.params[...] = self.best_params

    def get_state(self) -> dict:
        return {"scores": self.scores, "best": self.best, "count": self.count, "best_params": self.best_params,
                "weights": self.network.params.copy() if self.scores else None}   # the fit's last: a set is seen


class MLPProgress(Callback):
    """verbose=True: MLPClassifier's lines on stdout, "Iteration 3, loss = 0.69314718" each epoch (counted
    from 1 in each call of fit, as MLPClassifier's n_iter_), "Validation score: 0.950000" after it with early
    stopping, and its message when `stopper` ends the fit."""

    def __init__(self, stopper: MLPStopping):
        super().__init__()
        self.done, self.stopper = 0, stopper

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        self.done += 1
        print(f"Iteration {self.done}, loss = {logs['loss']:.8f}")
        stopper = self.stopper
        if stopper.scores:
            print(f"Validation score: {logs['val_score']:f}")
        if self.network.stop_training:
            what = "Validation score" if stopper.scores else "Training loss"
            print(f"{what} did not improve more than tol={stopper.tol:f} for {stopper.patience} consecutive "
                  "epochs. Stopping.")


class MLPLoss(Callback):
    """Each epoch's training loss in the logs as MLP reports it, before the stopping rule, the verbose lines and
    the history read it. Ours is `units` times MLP's data term plus `steps` times its penalty (`_Backprop._loss_units`):
    MLP's is (ours - penalty) / units + penalty / steps, the penalty being ours; equal units and steps (every
    network but a regressor's of several outputs, with alpha) scale the whole loss. The held-out loss (early stopping's
    "val_loss", validation_loss_curve_) is the network's data term alone (evaluate's: no penalty): MLP's is it / units,
    so that the two curves are in the same units (a regressor's held-out loss was twice its training loss's units)."""

    def __init__(self, units: float, steps: float):
        super().__init__()
        self.units, self.steps = units, steps

    def shares(self) -> tuple[float, float]:
        """The epoch's penalty in our loss, and the share of its rows in batches that weigh more than 0."""
        return 0.0, 1.0

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        penalty, kept = self.shares()
        logs["loss"] = ((logs["loss"] - penalty) / self.units + penalty / self.steps) / kept
        if "val_loss" in logs:
            logs["val_loss"] /= self.units


class _MLPLossByBatch(MLPLoss):
    """MLPLoss read batch by batch, where the penalty's share differs from the data's or a batch may weigh nothing.
    The epoch's penalty summed as the engine adds it to each batch's loss (`Network.last_penalty`: 0.5 *
    weight_penalty * sum(W**2) over the batch's rows or weight, the weights before its step), weighed as the epoch's
    loss weighs the batches, by their rows, over the epoch's `n` rows (it was summed over the epoch's weight: off with
    batches of unequal weight). A batch whose weights are all 0 (`Network.last_weight` 0: no step, no loss) is left
    out, as the same rows left out of MLP's fit (whose fit on such a batch divides by 0); its rows counted, and its
    penalty with alpha, loss_curve_ was not MLP's."""

    def __init__(self, units: float, steps: float, n: float):
        super().__init__(units, steps)
        self.n, self.total, self.empty = n, 0.0, 0

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        net = self.network
        rows = 0 if net.last_output is None else net.last_output.shape[0]
        self.total += net.last_penalty * rows
        self.empty += 0 if net.last_weight else rows

    def shares(self) -> tuple[float, float]:
        (total, empty), self.total, self.empty = (self.total, self.empty), 0.0, 0
        return total / self.n, (self.n - empty) / self.n


def mlp_loss(units: float, steps: float, alpha: float, n: float, sample_weight: Any = None) -> MLPLoss:
    """The callback that logs each epoch's loss in MLP's units (`MLPLoss`): one that reads each batch only where it
    is needed (a batch hook costs a call per batch): alpha's penalty in other units than the data's, a weight of 0."""
    by_batch = alpha and units != steps or sample_weight is not None and not np.all(sample_weight)
    return _MLPLossByBatch(units, steps, n) if by_batch else MLPLoss(units, steps)
