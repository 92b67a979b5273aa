"""One fit's run of an estimator (`_Fitting`, which `_Backprop` inherits): early stopping's hold-out, the batch
size, the engine's fit with MLP's loss and stopping rule, the fitted curves it leaves (loss_curve_, n_iter_,
best_loss_, validation_scores_), and MLPClassifier's warnings after it."""
from __future__ import annotations

import math
import warnings
from contextlib import nullcontext
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..callers import caller_level
from ..errors import ValidationError
from ..nn.metrics import unrounded
from ..nn.sample_weight import ratios
from ..training import schedules
from ..training.callbacks import History
from .inputs import sample_weights
from .params import estimator_name
from .stopping import MLPProgress, MLPStopping, hold_out, mlp_loss

#: `_train`'s held-out score weighed as the loss (no class_weight)
_AS_TRAINED: Any = object()
#: the batch size of batch_size=None, the default: clipped to the rows without a warning (as MLPClassifier's
#: default, 'auto'); an explicit batch_size above the rows warns, 32 too
DEFAULT_BATCH_SIZE = 32
#: MLPClassifier's words for a batch_size clipped to the rows, ours' start: a warnings filter of them catches both
MLP_CLIPPED = "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped"


class _Fitting:
    """The training of `_Backprop` (backprop.py), which gives it the network (`network_`), the parameters and
    `_loss_units`."""

    # what `_Backprop` and its subclasses set (the parameters, the fitted attributes, the flags)
    network_: Any
    _rng: Any
    _loss_units: Any
    _warns_unconverged: bool
    _keeps_an_interrupted_fit: bool
    alpha: Any
    batch_size: Any
    early_stopping: Any
    epochs: Any
    n_iter_no_change: Any
    shuffle: Any
    tol: Any
    verbose: Any
    t_: int
    loss_curve_: list[float]
    validation_scores_: list[float] | None
    validation_loss_curve_: list[float] | None
    best_validation_score_: float | None
    best_loss_: float | None
    _split_seed: int | None
    _stopped: dict | None

    def _no_early_stopping(self) -> None:
        """partial_fit holds nothing out: early stopping would leave 10% of every batch untrained, and
        compare held-out losses of different rows call by call (MLPClassifier refuses it too). Nor does it go on
        from a fit that held rows out: its validation_scores_ would miss partial_fit's epochs (MLPClassifier's
        partial_fit fails in its own code there, comparing a loss with best_loss_ None)."""
        if self.early_stopping:
            raise ValidationError(f"{estimator_name(self)}.partial_fit does not support early_stopping=True; use fit, "
                                  "or set early_stopping=False")
        if "network_" in self.__dict__ and self.validation_scores_ is not None:
            raise ValidationError(f"{estimator_name(self)}.partial_fit goes on training the fitted network, which fit "
                                  "trained with early_stopping=True: its validation_scores_ and best_validation_score_ "
                                  "would not describe partial_fit's epochs. Call fit with early_stopping=False first "
                                  "to build a network that partial_fit goes on with")

    def _train(self, X, y, Y, epochs: int, sample_weight=None, fresh: bool = True, scored: Any = _AS_TRAINED,
               partial: bool = False) -> None:
        """Train on X and Y (y encoded) for `epochs` epochs; with early stopping, on the rows not held out.
        `fresh`: the network was just built (else its shuffling, and the stopping rule's state, go on). `scored`: the
        held-out score's weights where sample_weight holds class_weight's too (the user's sample_weight, or None): the
        score is `score`'s, as SGDClassifier's validation score, which its class weights do not weigh. `partial`:
        partial_fit's one epoch, which a schedule's later milestone does not make a mistake (no ScheduleWarning)."""
        net, rng = self.network_, self._rng
        held: tuple | None = None
        validation: tuple | None = None
        if sample_weight is not None:        # scikit-learn's checks (and messages), then the engine's
            sample_weight = sample_weights(sample_weight, X)
            self._no_negative_weight(sample_weight)
            sample_weight = ratios(sample_weight)    # MLP's weighted mean: weights summing past float64 train
        if self.early_stopping:
            if self._split_seed is None:
                self._split_seed = int(rng.randint(2**31 - 1))
            own = scored is not _AS_TRAINED
            given = ratios(sample_weights(scored, X)) if own and scored is not None else None
            (X, y, Y, sample_weight), (X_val, y_val, Y_val, w_val), s_val = hold_out(
                self, X, y, Y, sample_weight, self._split_seed, given)
            validation = (X_val, Y_val) if w_val is None else (X_val, Y_val, w_val)     # its loss: val_loss
            held = (X_val, y_val, s_val if own else w_val)
        if fresh:                            # the shuffling's generator, which warm starts and partial_fit go on with
            net.rng = np.random.default_rng(int(rng.randint(2**31 - 1)))
        batch_size = self._batch_size(X.shape[0])
        steps, losses = self._loss_units(net.n_outputs)
        net.weight_penalty = float(self.alpha) * steps     # MLP's 0.5 * alpha * sum(W**2) / batch rows
        # as MLPClassifier: stopped by the held-out score or the training loss, in MLP's units (its state goes on in
        # a warm start)
        stopper = MLPStopping(self, held, self.tol, self.n_iter_no_change, None if fresh else self._stopped)
        callbacks: list = [mlp_loss(losses, steps, self.alpha, X.shape[0], sample_weight), stopper]
        if self.verbose:                     # after the stopper: its score and its decision are in the logs
            callbacks.append(MLPProgress(stopper))
        history = History()                  # last: the epochs finished, read too when the user interrupts the fit
        interrupted = False
        try:
            # MLP's float64 losses, not Keras' float32 logs; partial_fit's one epoch: no ScheduleWarning
            with unrounded(), (schedules.partial() if partial else nullcontext()):
                net.fit(X, Y, epochs=epochs, batch_size=batch_size, shuffle=bool(self.shuffle),
                        validation_data=validation, callbacks=[*callbacks, history], seed=None, verbose=0,
                        sample_weight=sample_weight, weight_reduction="mean_with_sample_weight")   # MLP's
        except KeyboardInterrupt:            # as MLPClassifier: fitted with the epochs finished (the best, with early
            if not self._keeps_an_interrupted_fit or not hasattr(stopper, "count"):    # stopping), and a warning;
                raise                                                                   # before training: raised
            interrupted = True               # warned once the estimator holds the epochs (`_warn_if_interrupted`)
            stopper.on_train_end()
        finally:                  # network_ outside the estimator trains, and derives, without alpha's penalty
            net.weight_penalty = 0.0
        finished = history.history.get("loss", [])      # none where the first epoch was interrupted (as MLP: n_iter_ 0)
        self.loss_curve_.extend(finished)
        self._stopped = stopper.get_state()
        if stopper.scores and self.validation_scores_ is not None and self.validation_loss_curve_ is not None:
            self.validation_scores_.extend(history.history.get("val_score", []))
            self.validation_loss_curve_.extend(history.history.get("val_loss", []))
            self.best_validation_score_ = stopper.best
        self.n_iter_ = len(finished)        # this call's epochs, as MLPClassifier's (loss_curve_ has them all)
        self._ran_out = self.n_iter_ == epochs and not (stopper.stopped or interrupted)
        self._interrupted = interrupted
        self.t_ += X.shape[0] * self.n_iter_
        # as MLPClassifier's: the last epoch's (before an epoch: not set, as MLP's); the lowest without early stopping
        # (before an epoch: inf, as MLP's), None with it
        if self.loss_curve_:
            self.loss_ = self.loss_curve_[-1]
        self.best_loss_ = None if self.early_stopping else min(self.loss_curve_, default=math.inf)

    def _warn_if_interrupted(self) -> None:
        """MLPClassifier's "Training interrupted by user." after a fit the user interrupted, warned once the fit is
        done (outside `as_before_if_refused`): raised as an error (python -W error) it leaves the estimator fitted
        with the epochs it finished, as MLPClassifier's, not rolled back to before them while a warm start's
        network kept their steps."""
        if getattr(self, "_interrupted", False):
            warnings.warn("Training interrupted by user.", UserWarning, stacklevel=caller_level())

    def _warn_if_ran_out(self) -> None:
        """fit's (not partial_fit's, as MLPClassifier's): every epoch ran and the stopping rule (tol,
        n_iter_no_change) did not end the fit: MLPClassifier's ConvergenceWarning, in its words (max_iter is
        epochs here). An interrupted fit's warning first (`_warn_if_interrupted`)."""
        self._warn_if_interrupted()
        if self._ran_out and self._warns_unconverged:
            warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.epochs}) reached and the optimization "
                          "hasn't converged yet.", ConvergenceWarning, stacklevel=caller_level())

    def _batch_size(self, n: int) -> int:
        """The batch size for n training rows: 'auto' is min(200, n), as MLPClassifier's; None, the default,
        32; a larger size than n is clipped to n, with MLPClassifier's warning unless it is the default
        (which a small data set does not make the user's mistake)."""
        if self.batch_size == "auto":
            return min(200, n)
        if self.batch_size is None:
            return min(DEFAULT_BATCH_SIZE, n)
        if self.batch_size > n:
            held = " (early stopping holds out the rest)" if self.early_stopping else ""
            warnings.warn(f"{MLP_CLIPPED} to {n}: batch_size={self.batch_size}, {n} training rows{held}",
                          UserWarning, stacklevel=caller_level())
        return min(int(self.batch_size), n)

    def _no_negative_weight(self, w: np.ndarray) -> None:
        """Weights >= 0: a sample weighted below 0 counts its loss negatively, so training would make that
        prediction as wrong as it can (the loss then falls without bound), and a batch whose weights sum to
        0 or less has no weighted mean. MLPClassifier and MLPRegressor (scikit-learn 1.9) take such weights
        and divide each batch by that sum all the same; here they are refused, naming the first."""
        bad = np.flatnonzero(w < 0)
        if bad.size:
            raise ValidationError(
                f"{estimator_name(self)}: sample_weight must be >= 0; weight {bad[0]} is {w[bad[0]]:g} ({bad.size} of "
                f"{w.size} are negative). A negative weight makes training push that sample's prediction away from "
                "its target without bound; give samples to leave out weight 0")
