"""Early stopping of the estimators, as MLPClassifier's: the held-out rows (`hold_out`) and the
callback that scores them each epoch with the estimator's own score (`ScoreStopping`); and their
verbose lines, in MLPClassifier's words (`MLPProgress`)."""
from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from ..errors import ValidationError
from ..training.callback import Callback
from ..training.callbacks import EarlyStopping
from .params import estimator_name


def hold_out(est: Any, X: Any, y: Any, Y: Any, sample_weight: Any, seed: int) -> tuple[tuple, tuple]:
    """The estimator `est`'s split, as MLPClassifier's: train_test_split with test_size=validation_fraction,
    stratified by class for a single-label classifier (`est._stratify`); (X, y, Y, sample_weight) of the
    rows trained on and of the rows held out (sample_weight None for both when it is None)."""
    stratify = est._stratify(Y)
    counts = None if stratify is None else np.bincount(stratify.astype(np.int64))
    if counts is not None and counts.min() < 2:
        rare = int(np.argmin(counts))
        raise ValidationError(f"{estimator_name(est)}: early_stopping holds out a stratified validation_fraction="
                              f"{est.validation_fraction} of the rows, which needs at least 2 rows of each class; "
                              f"class {est.classes_[rare:rare + 1].tolist()[0]!r} has {counts[rare]}")
    arrays = (X, y, Y) if sample_weight is None else (X, y, Y, sample_weight)
    try:
        parts = train_test_split(*arrays, test_size=est.validation_fraction, random_state=seed,
                                 stratify=stratify)
    except ValueError as exc:
        how = "a stratified" if stratify is not None else "a random"
        raise ValidationError(f"{estimator_name(est)}: early_stopping holds out {how} validation_fraction="
                              f"{est.validation_fraction} of the {X.shape[0]} rows: {exc}") from exc
    train, held = [*parts[0::2], None][:4], [*parts[1::2], None][:4]
    if held[0].shape[0] < 2:                   # as MLPClassifier: a score of one row means little (R2: none)
        raise ValidationError(f"{estimator_name(est)}: early_stopping holds out validation_fraction="
                              f"{est.validation_fraction} of the {X.shape[0]} rows: {held[0].shape[0]}; "
                              "it needs at least 2: raise validation_fraction or give more rows")
    if sample_weight is not None and not (train[3].any() and held[3].any()):
        raise ValidationError(f"{estimator_name(est)}: early stopping held out {held[0].shape[0]} rows "
                              f"(validation_fraction={est.validation_fraction}); the held-out or the "
                              "other rows all have sample_weight 0")
    return tuple(train), tuple(held)


class ScoreStopping(EarlyStopping):
    """Early stopping on the estimator's score of the held-out rows (accuracy, or R2 for a regressor),
    as MLPClassifier's: logged each epoch as "val_score"; training stops when it has not improved for
    more than `patience` epochs, and the weights of the best one are kept. `state`: that of the fit a
    warm start goes on from (`get_state`)."""

    def __init__(self, estimator: Any, held_out: tuple, patience: int, state: dict | None = None):
        # MLPClassifier stops after more than n_iter_no_change epochs without improvement; EarlyStopping,
        # as Keras', after `patience` of them
        super().__init__("val_score", patience=patience + 1, mode="max", restore_best_weights=True)
        self.estimator, self.held_out, self.state = estimator, held_out, state

    def on_train_begin(self, params: dict) -> None:
        super().on_train_begin(params)
        if self.state is not None:         # a warm start: the best score, its weights and the count go on
            self.set_state(self.state)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        logs["val_score"] = self.estimator._held_out_score(*self.held_out)
        super().on_epoch_end(epoch, logs)


class MLPProgress(Callback):
    """verbose=True: MLPClassifier's lines on stdout, "Iteration 3, loss = 0.69314718" each epoch (counted
    from 1 in each call of fit, as MLPClassifier's n_iter_), "Validation score: 0.950000" after it with early
    stopping, and its message when early stopping ends the fit. An improvement of any size counts here
    (MLPClassifier's tol=0), and ties do not, so the message says tol=0.000000."""

    def __init__(self, patience: int, stopper: ScoreStopping | None):
        super().__init__()
        self.done, self.patience, self.stopper = 0, patience, stopper

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        self.done += 1
        print(f"Iteration {self.done}, loss = {logs['loss']:.8f}")
        if self.stopper is None:
            return
        print(f"Validation score: {logs['val_score']:f}")
        if self.network.stop_training:
            print(f"Validation score did not improve more than tol={0.0:f} for {self.patience} consecutive "
                  "epochs. Stopping.")
