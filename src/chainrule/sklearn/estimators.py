"""The estimators: BackpropClassifier and BackpropRegressor (what they share: backprop.py; the classifier's y and
class_weight: targets.py)."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import column_or_1d

from ..errors import ChainruleTypeError, ValidationError
from .backprop import _Backprop
from .inputs import checked_classes, numeric_y, y_fits
from .params import (
    as_before_if_refused,
    check_params,
    estimator_name,
    takes_mlp_names,
)
from .targets import _ClassTargets


class BackpropClassifier(ClassifierMixin, _ClassTargets, _Backprop):
    """A multilayer perceptron classifier trained by backpropagation (chainrule's engine).

    Binary targets: one sigmoid output and binary cross-entropy. Several classes: softmax and
    categorical cross-entropy. Multi-label (a 2-D 0/1 target, scikit-learn's multilabel-indicator; of
    two other values, -1 and 1 say, refused, naming them): one sigmoid output per label. A
    single class (as MLPClassifier, which fits it): one sigmoid output trained towards 1; predict
    gives that class and predict_proba one column of 1.0, as many columns as classes_ (MLPClassifier's
    has two, for one class; DummyClassifier's and DecisionTreeClassifier's have one).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, the hidden layers' widths.
    activation : hidden activation ("relu", "tanh", "sigmoid", "leaky_relu", "linear"; MLPClassifier's
        "logistic" and "identity" too; None is linear; "softmax" too, the engine's, which MLPClassifier refuses).
    optimizer : "adam", "sgd", "rmsprop", "adagrad" or "adamw", with learning_rate (a number, or a
        chainrule.optim schedule: StepLR(0.01, 10), ...); momentum is used by "sgd" only. Or a
        `chainrule.optim` optimizer, copied by each fit, with its own arguments (learning_rate and
        momentum are then not used; set_params' optimizer__lr sets one in a copy).
    clip_norm, clip_value : gradient clipping, the optimizer's (None: none; give one): the gradients' global L2
        norm at most clip_norm, or each element in [-clip_value, clip_value], as train's --clip-norm and
        --clip-value; a grid may sweep them. Not with an optimizer instance (give it its own).
    batch_size, epochs : mini-batch size (None, the default: 32; 'auto': min(200, n_samples), as
        MLPClassifier) and the most passes over the data (see tol). A batch_size above the training rows
        is clipped, with MLPClassifier's warning unless it is the default (an explicit 32 warns).
    shuffle : shuffle the rows each epoch (as MLPClassifier).
    early_stopping : hold out validation_fraction of the data (each class in proportion for
        single-label targets; MLPClassifier's for two classes only, at random for more, as here where 3+ classes
        are too few to hold out in proportion) and stop when its
        score (`score`: accuracy, R2 for the regressor) has not risen above the best by tol for more than
        n_iter_no_change epochs; the weights of the best
        score are kept. Without it, training stops when the loss has not fallen below the lowest by tol for
        more than n_iter_no_change epochs. As MLPClassifier (epochs is its max_iter), fit warns with its
        ConvergenceWarning, in its words, when it ran every epoch without that rule ending it (partial_fit,
        one epoch, does not).
    alpha : L2 penalty, MLPClassifier's: 0.5 * alpha * sum(W**2) / m added to each batch's loss (m its
        rows, or its sample weights' sum), on the weights, not the biases (the network's weight_penalty;
        the regressor's 2 / outputs times, as its loss's gradient; a multi-label one's over the labels' count).
    random_state : seed of the initial weights, the shuffling and the validation split.
    dtype : "float64" or "float32": the network's, which X and sample_weight are taken in (float64 weights do not
        widen a float32 network, nor float32 X narrow a float64 one). The outputs (predict_proba, the regressor's
        predict) are float32 with "float32"; else, as MLPClassifier's, float32 when X and the X
        trained on are both float32.
    verbose : 0 or False silent; else MLPClassifier's lines ("Iteration 1, loss = 0.69314718", with early
        stopping "Validation score: 0.950000", and its message when it stops).
    warm_start : fit goes on training the current network (its optimizer's state and shuffling
        too, which MLPClassifier's fit starts anew); it never builds one anew, which would drop the trained weights
        (other hidden_layer_sizes: an error, where MLPClassifier goes on with the old layers; another dtype: an error,
        where MLPClassifier's weights keep theirs; early_stopping turned on or off: an error, where MLPClassifier fails
        in its own code).
        Another activation keeps the weights and computes with the new one, as MLPClassifier. partial_fit
        refuses other hidden_layer_sizes or dtype (it cannot build a new network), naming both, and a network fit
        trained with early stopping (as MLPClassifier's fails to go on from it); both refuse y of another
        kind than the network's (multi-label after single labels, or another number of labels), as MLPClassifier's.
    class_weight : None, {label: weight} (a label left out weighs 1; one y lacks ignored where each class of y has
        its weight, as compute_class_weight, so a CV fold may lack a rare class) or "balanced" (n_samples / (n_classes *
        the class's rows), counted on fit's y; with sample_weight, their sums for the counts, as scikit-learn's
        compute_class_weight): each row's loss weighs its class's weight, times sample_weight,
        as scikit-learn's classifiers' class_weight (LogisticRegression's, which counts 'balanced' with
        sample_weight too, so that a weight of 2 fits as a row repeated; MLPClassifier has none), so that
        GridSearchCV can search it. Single-label targets only; partial_fit takes a dict only.

    Attributes
    ----------
    loss_curve_ : the training loss of each epoch (of every fit since the network was built, with
        warm_start and partial_fit) with the alpha term, as MLPClassifier's and MLPRegressor's report it (the
        network's own is another multiple: the regressor's mean squared error, a multi-label network's mean
        over its labels; `MLPLoss`). With sample_weight, each batch's loss is its weighted mean, and the
        batches' are averaged by their rows, as MLP's; a batch whose weights are all 0 (no step) is left out, as
        its rows left out of MLP's fit (MLP's own fit divides by its weight, 0).
    n_iter_ : the epochs of the last call of fit or partial_fit (partial_fit: 1), as MLPClassifier's.
    validation_scores_, best_validation_score_ : with early_stopping, the held-out score of each
        epoch and the best one (as MLPClassifier's): `score`'s, weighted by sample_weight, not by class_weight (as
        SGDClassifier's validation score); None without it.
    validation_loss_curve_ : with early_stopping, the held-out loss of each epoch in loss_curve_'s units (MLP's:
        the regressor's half mean squared error), without alpha's penalty; None without it.
    loss_, best_loss_, t_, n_layers_, n_outputs_, out_activation_, coefs_, intercepts_ : as
        MLPClassifier's (loss_: the last epoch's, not set before an epoch; best_loss_: the lowest of loss_curve_,
        inf before an epoch, None with early_stopping, whose best_validation_score_ is -inf before an epoch; coefs_ and
        intercepts_: the network's own weight arrays; set them, as MLPClassifier's, to copy arrays in, checked first:
        a warm fit with early stopping then looks for its best anew, where MLPClassifier's may put its old best back).
    network_ : the trained `chainrule.Network`.
    """

    @takes_mlp_names
    def __init__(self, hidden_layer_sizes=(64,), activation="relu", optimizer="adam", learning_rate=1e-3,
                 momentum=0.9, batch_size=None, epochs=200, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, alpha=0.0, random_state=None, dtype="float64", verbose=0, warm_start=False,
                 shuffle=True, tol=1e-4, class_weight=None, clip_norm=None, clip_value=None):
        super().__init__(hidden_layer_sizes, activation, optimizer, learning_rate, momentum, batch_size, epochs,
                         early_stopping, validation_fraction, n_iter_no_change, alpha, random_state, dtype, verbose,
                         warm_start, shuffle, tol, clip_norm=clip_norm, clip_value=clip_value)
        self.class_weight = class_weight

    def _output(self, n_outputs):
        if self._kind == "multiclass":
            return "softmax", "categorical_crossentropy"
        return "sigmoid", "binary_crossentropy"

    def _stratify(self, Y):
        """The class indices of single-label targets (three or more that cannot be held out in proportion: at
        random, as MLPClassifier's; `hold_out`)."""
        return None if self._kind in ("multilabel-indicator", "unary") else Y.ravel()

    @as_before_if_refused(then="_warn_if_ran_out")
    def fit(self, X, y, sample_weight=None):
        """Train from scratch for `epochs` epochs; `sample_weight`: one weight >= 0 per sample (each
        batch's loss is the weighted mean of its samples' losses, as in MLPClassifier)."""
        warm = self._continues()
        sparse = sp.issparse(y)
        X, y = self._validated(X, y, reset=not warm)
        y = self._labels(y)
        if warm:
            self._same_kind(y, "warm_start")
            self._go_on()
            Y = self._encode(y)
        else:
            Y, n_out = self._setup(y, sparse=sparse)
            self._rng = check_random_state(self.random_state)
            self._build(X.shape[1], n_out, self._rng)
        weights = self._class_weighted(X, y, sample_weight)
        self._train(X, y, Y, self.epochs, weights, fresh=not warm, scored=sample_weight)   # held out: no class's weight
        return self

    @as_before_if_refused(then="_warn_if_interrupted")
    def partial_fit(self, X, y, *more, classes=None, sample_weight=None):
        """One epoch more; `classes` (all the labels; for a multi-label y its columns' indices) is needed
        on the first call, as MLPClassifier's. classes and sample_weight by keyword: MLPClassifier's third
        argument is sample_weight, SGDClassifier's classes (a third given, `more`, is refused naming both)."""
        if more:
            raise ChainruleTypeError(f"{estimator_name(self)}.partial_fit takes classes and sample_weight by keyword "
                                     "(SGDClassifier's third argument is classes, MLPClassifier's sample_weight): "
                                     f"partial_fit(X, y, classes=...); got {len(more)} more positional argument"
                                     f"{'s' * (len(more) > 1)}: {more[0]!r:.80}")
        self._no_early_stopping()
        check_params(self)
        first = not hasattr(self, "network_")
        sparse = sp.issparse(y)
        X, y = self._validated(X, y, reset=first)
        y = self._labels(y)
        if first:
            if classes is None:           # as MLPClassifier, for multi-label targets too
                multilabel = type_of_target(y) == "multilabel-indicator"
                raise ValidationError("classes must be given on the first call to partial_fit (all the labels"
                                      + (f"; for a multi-label y, its columns' indices: classes=np.arange({y.shape[1]})"
                                         if multilabel else "") + ")")
            Y, n_out = self._setup(y, classes, sparse)
            self._rng = check_random_state(self.random_state)
            self._build(X.shape[1], n_out, self._rng)
        elif classes is not None and not np.array_equal(labels := checked_classes(classes), self.classes_):
            raise ValidationError(f"classes={labels.tolist()!r} is not the same as on the first call to partial_fit "
                                  f"or fit: {self.classes_.tolist()}")
        else:
            self._same_kind(y, "partial_fit")
            Y = self._encode(y)
            self._same_network()
            self._new_activation()                  # as MLPClassifier's partial_fit: the activation now set
        sample_weight = self._class_weighted(X, y, sample_weight, partial=True)
        self._train(X, y, Y, 1, sample_weight, fresh=first, partial=True)
        return self

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes) (per label for multi-label)."""
        p = self._forward(X)
        if self._kind == "unary":           # the only class is certain (as DummyClassifier's, a tree's)
            return np.ones_like(p)
        if self._kind == "binary":
            return np.hstack([1.0 - p, p])
        return p

    def predict_log_proba(self, X):
        """The log of predict_proba (as MLPClassifier's)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """The labels; for a multi-label y given sparse to the first fit, a sparse matrix (as MLPClassifier's)."""
        labels = self._predicted(self._forward(X))
        return sp.csr_matrix(labels) if getattr(self, "_sparse_y", False) else labels

    def _predicted(self, p):
        if self._kind == "multilabel-indicator":
            return (p > 0.5).astype(np.int64)
        if self._kind == "unary":
            return np.repeat(self.classes_, p.shape[0])
        if self._kind == "binary":
            return self.classes_[(p[:, 0] > 0.5).astype(np.int64)]
        return self.classes_[np.argmax(p, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class BackpropRegressor(RegressorMixin, _Backprop):
    """A multilayer perceptron regressor trained by backpropagation: linear outputs, mean squared
    error; one output per target column (multi-output). Parameters as BackpropClassifier."""

    _mlp = "MLPRegressor"

    def _output(self, n_outputs):
        return "linear", "mse"

    @as_before_if_refused(then="_warn_if_ran_out")
    def fit(self, X, y, sample_weight=None):
        """Train from scratch for `epochs` epochs; `sample_weight`: one weight >= 0 per sample."""
        warm = self._continues()
        X, y = self._validated(X, numeric_y(y), reset=not warm, y_numeric=True)
        y = column_or_1d(y, warn=True) if y.ndim == 2 and y.shape[1] == 1 else y    # as MLPRegressor, warning
        y_fits(y, self.dtype)
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if warm:
            self._same_outputs(Y, "warm_start")
        self._y_1d = y.ndim == 1
        if warm:
            self._go_on()
        else:
            self._rng = check_random_state(self.random_state)
            self._build(X.shape[1], Y.shape[1], self._rng)
        self._train(X, y, Y, self.epochs, sample_weight, fresh=not warm)
        return self

    @as_before_if_refused(then="_warn_if_interrupted")
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch more (the network is built on the first call)."""
        self._no_early_stopping()
        check_params(self)
        first = not hasattr(self, "network_")
        X, y = self._validated(X, numeric_y(y), reset=first, y_numeric=True)
        y = column_or_1d(y, warn=True) if y.ndim == 2 and y.shape[1] == 1 else y
        y_fits(y, self.dtype)
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if first:
            self._y_1d = y.ndim == 1
            self._rng = check_random_state(self.random_state)
            self._build(X.shape[1], Y.shape[1], self._rng)
        else:
            self._same_outputs(Y, "partial_fit")
            self._same_network()
            self._new_activation()                  # as MLPRegressor's partial_fit: the activation now set
        self._train(X, y, Y, 1, sample_weight, fresh=first, partial=True)
        return self

    def _same_outputs(self, Y, call: str) -> None:
        """A warm start or partial_fit trains the network's outputs: y with another number of columns is refused."""
        if Y.shape[1] != self.network_.n_outputs:
            calls = "fit or partial_fit" if call == "partial_fit" else "fit"    # partial_fit follows either
            raise ValidationError(f"{estimator_name(self)}: {call} can only be used where `y` has as many columns as "
                                  f"in the previous call to {calls}. Previously got {self.network_.n_outputs}, `y` has "
                                  f"{Y.shape[1]}")

    def predict(self, X):
        return self._predicted(self._forward(X))

    def _predicted(self, out):
        return out[:, 0] if self._y_1d else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

