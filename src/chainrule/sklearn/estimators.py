"""The estimators: what BackpropClassifier and BackpropRegressor share (`_Backprop`), and each."""
from __future__ import annotations

import copy

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, column_or_1d, validate_data

from ..errors import ValidationError
from ..nn.layers import Dense
from ..nn.network import Network
from ..training.optim import Optimizer, get_optimizer
from .params import (
    MLP_ACTIVATIONS,
    as_before_if_refused,
    check_params,
    checked_classes,
    estimator_name,
    no_text,
    numeric_y,
    one_column,
    one_type,
    takes_mlp_names,
    unknown_parameter,
)
from .stopping import ScoreStopping, hold_out

#: how X is validated: float64 or float32 kept, a sparse matrix kept sparse as CSR
_X_CHECK: dict = {"dtype": [np.float64, np.float32], "accept_sparse": "csr"}


class _Backprop(BaseEstimator):
    """What the classifier and the regressor share: the network, the optimizer, the training."""

    @takes_mlp_names
    def __init__(self, hidden_layer_sizes=(64,), activation="relu", optimizer="adam", learning_rate=1e-3,
                 momentum=0.9, batch_size=32, epochs=200, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, alpha=0.0, random_state=None, dtype="float64", verbose=0, warm_start=False):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.alpha = alpha
        self.random_state = random_state
        self.dtype = dtype
        self.verbose = verbose
        self.warm_start = warm_start

    _mlp = "MLPClassifier"      # scikit-learn's estimator of the same kind (the regressor's: MLPRegressor)

    def set_params(self, **params):
        """As BaseEstimator's; an MLPClassifier's name for one of ours is an error naming ours."""
        for key, value in params.items():
            if "__" not in key and key not in self._get_param_names():
                raise ValidationError(unknown_parameter(type(self), key, value))
        return super().set_params(**params)

    # the output layer and loss for the targets; set by the subclass
    def _output(self, n_outputs: int) -> tuple[str, str]:
        raise NotImplementedError

    def _make_optimizer(self):
        """The optimizer named, with learning_rate and alpha; one given as an instance is copied (with its
        own arguments): fit changes no parameter of the estimator, and each fit starts from its state."""
        if isinstance(self.optimizer, Optimizer):
            return copy.deepcopy(self.optimizer)
        kwargs = {"lr": self.learning_rate, "weight_decay": self.alpha}
        if str(self.optimizer).lower() == "sgd":       # as MLPClassifier: momentum is SGD's
            kwargs["momentum"] = self.momentum
        return get_optimizer(self.optimizer, **kwargs)

    def _layers(self, n_in: int, n_out: int) -> list[Dense]:
        """The network's layers for the parameters (not initialised)."""
        sizes = check_params(self)
        widths = (n_in, *sizes, n_out)
        hidden = MLP_ACTIVATIONS.get(self.activation, self.activation) if isinstance(self.activation, str) \
            else self.activation                             # MLPClassifier's names taken too
        return [Dense(a, b, hidden if i < len(sizes) else self._output(n_out)[0])
                for i, (a, b) in enumerate(zip(widths, widths[1:]))]

    def _continues(self) -> bool:
        """warm_start: whether fit goes on with the current network, which it does when the parameters
        still describe it (the same layers, loss and dtype); else it builds one anew."""
        check_params(self)
        if not (self.warm_start and hasattr(self, "network_")):
            return False
        net = self.network_
        return ([layer.config() for layer in self._layers(net.n_inputs, net.n_outputs)]
                == [layer.config() for layer in net.layers] and np.dtype(self.dtype) == net.dtype
                and self._output(net.n_outputs)[1] == net.loss_function.name)

    def _go_on(self) -> None:
        """A warm start: the optimizer's state goes on too, unless its parameters changed."""
        optimizer = self._make_optimizer()
        if optimizer.config() != self.network_.optimizer.config():
            self.network_.optimizer = optimizer

    def _build(self, n_in: int, n_out: int, rng) -> None:
        self.network_ = Network(self._layers(n_in, n_out), loss=self._output(n_out)[1], dtype=self.dtype,
                                seed=int(rng.randint(2**31 - 1)))
        self.network_.optimizer = self._make_optimizer()
        self._split_seed: int | None = None      # early stopping's, drawn once: a warm start holds out the same rows
        self._stopped: dict | None = None        # early stopping's state, which a warm start goes on with
        self.loss_curve_: list[float] = []
        # as MLPClassifier's: the held-out scores (accuracy, R2) and the best of them with early stopping, else None;
        # the held-out losses beside them
        self.validation_scores_: list[float] | None = [] if self.early_stopping else None
        self.validation_loss_curve_: list[float] | None = [] if self.early_stopping else None
        self.best_validation_score_: float | None = None

    def _no_early_stopping(self) -> None:
        """partial_fit holds nothing out: early stopping would leave 10% of every batch untrained, and
        compare held-out losses of different rows call by call (MLPClassifier refuses it too)."""
        if self.early_stopping:
            raise ValidationError(f"{estimator_name(self)}.partial_fit does not support early_stopping=True; use fit, "
                                  "or set early_stopping=False")

    def _train(self, X, y, Y, epochs: int, sample_weight=None, fresh: bool = True) -> None:
        """Train on X and Y (y encoded) for `epochs` epochs; with early stopping, on the rows not held out.
        `fresh`: the network was just built (else its shuffling, and early stopping's state, go on)."""
        net, rng = self.network_, self._rng
        stopper: ScoreStopping | None = None
        validation: tuple | None = None
        if sample_weight is not None:        # scikit-learn's checks (and messages), then the engine's
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        if self.early_stopping:
            if self._split_seed is None:
                self._split_seed = int(rng.randint(2**31 - 1))
            (X, y, Y, sample_weight), (X_val, y_val, Y_val, w_val) = hold_out(self, X, y, Y, sample_weight,
                                                                              self._split_seed)
            validation = (X_val, Y_val) if w_val is None else (X_val, Y_val, w_val)     # its loss: val_loss
            stopper = ScoreStopping(self, (X_val, y_val, w_val), self.n_iter_no_change,
                                    None if fresh else self._stopped)
        if fresh:                            # the shuffling's generator, which warm starts and partial_fit go on with
            net.rng = np.random.default_rng(int(rng.randint(2**31 - 1)))
        batch_size = min(200 if self.batch_size == "auto" else self.batch_size, X.shape[0])   # 'auto' as MLPClassifier
        history = net.fit(X, Y, epochs=epochs, batch_size=batch_size, shuffle=True, validation_data=validation,
                          callbacks=[] if stopper is None else [stopper], seed=None, verbose=min(int(self.verbose), 2),
                          sample_weight=sample_weight)
        self.loss_curve_.extend(history.loss)
        if stopper is not None:
            if self.validation_scores_ is None or self.validation_loss_curve_ is None:   # early stopping from now on
                self.validation_scores_, self.validation_loss_curve_ = [], []
            self.validation_scores_.extend(history.val_score)
            self.validation_loss_curve_.extend(history.val_loss)
            self.best_validation_score_ = stopper.best
            self._stopped = stopper.get_state()
        self.n_iter_ = len(history.loss)        # this call's epochs, as MLPClassifier's (loss_curve_ has them all)

    def _stratify(self, Y):
        """The labels early stopping's hold-out keeps in proportion, or None (set by the classifier)."""
        return None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True          # X may be a SciPy sparse matrix (_X_CHECK keeps it as CSR)
        return tags

    def _forward(self, X):
        check_is_fitted(self, "network_")
        X = validate_data(self, no_text(X), reset=False, **_X_CHECK)
        return self.network_.predict(X)

    def _predicted(self, out):
        """`predict`'s answer from the network's outputs (set by the subclass)."""
        raise NotImplementedError

    def _held_out_score(self, X, y, sample_weight) -> float:
        """`score` of rows already checked by fit (as MLPClassifier's `_score`: not checked again each epoch)."""
        metric = accuracy_score if is_classifier(self) else r2_score
        return float(metric(y, self._predicted(self.network_.predict(X)), sample_weight=sample_weight))


class BackpropClassifier(ClassifierMixin, _Backprop):
    """A multilayer perceptron classifier trained by backpropagation (chainrule's engine).

    Binary targets: one sigmoid output and binary cross-entropy. Several classes: softmax and
    categorical cross-entropy. Multi-label (a 2-D 0/1 target): one sigmoid output per label.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, the hidden layers' widths.
    activation : hidden activation ("relu", "tanh", "sigmoid", "leaky_relu", "linear").
    optimizer : "adam", "sgd", "rmsprop", "adagrad" or "adamw", with learning_rate; momentum is
        used by "sgd" only. Or a `chainrule.optim` optimizer, copied by each fit, with its own
        arguments (learning_rate, momentum and alpha are then not used).
    batch_size, epochs : mini-batch size ('auto': min(200, n_samples), as MLPClassifier) and passes
        over the data.
    early_stopping : hold out validation_fraction of the data (each class in proportion for
        single-label targets) and stop when its score (`score`: accuracy, R2 for the regressor) has
        not improved for more than n_iter_no_change epochs; the weights of the best score are kept.
        As MLPClassifier.
    alpha : L2 penalty: the optimizer's weight_decay, alpha * w added to every parameter's gradient
        each step (MLPClassifier adds alpha * W / batch size to the weights' only).
    random_state : seed of the initial weights, the shuffling and the validation split.
    dtype : "float64" or "float32". verbose : 0 or False silent, 1 or True a progress bar, 2 and
        above a line an epoch.
    warm_start : fit goes on training the current network (its optimizer's state and shuffling
        too) when the parameters still describe it; else it builds one anew. As MLPClassifier.

    Attributes
    ----------
    loss_curve_ : the training loss of each epoch (of every fit since the network was built, with
        warm_start and partial_fit): the network's loss, without the alpha term (the regressor's:
        the mean squared error, twice MLPRegressor's half squared error).
    n_iter_ : the epochs of the last call of fit or partial_fit (partial_fit: 1), as MLPClassifier's.
    validation_scores_, best_validation_score_ : with early_stopping, the held-out score of each
        epoch and the best one (as MLPClassifier's); None without it.
    validation_loss_curve_ : with early_stopping, the held-out loss of each epoch; None without it.
    network_ : the trained `chainrule.Network`.
    """

    def _output(self, n_outputs):
        if self._kind == "multiclass":
            return "softmax", "categorical_crossentropy"
        return "sigmoid", "binary_crossentropy"

    def _stratify(self, Y):
        """The class indices of single-label targets (MLPClassifier stratifies those, not multi-label ones)."""
        return None if self._kind == "multilabel-indicator" else Y.ravel()

    def _encode(self, y, classes=None, kind=None, given: bool = False):
        """y as the network's targets, for `classes` and `kind` (default: the fitted ones); `given`: the
        classes are partial_fit's argument, named in the error."""
        classes = self.classes_ if classes is None else classes
        kind = self._kind if kind is None else kind
        if kind == "multilabel-indicator":
            return y.astype(np.float64)
        idx = np.searchsorted(classes, y)
        unknown = classes[np.minimum(idx, len(classes) - 1)] != y
        if np.any(unknown):
            where = (f"not in classes={classes.tolist()!r} given to partial_fit" if given else
                     f"not seen in the first fit: expected among {classes.tolist()}")
            raise ValidationError(f"y contains labels {np.unique(y[unknown]).tolist()[:10]} {where}")
        return idx if kind == "multiclass" else idx.reshape(-1, 1).astype(np.float64)

    def _setup(self, y, classes=None):
        """The targets encoded, and the network's outputs, for a new network: the classes and kind are
        checked before they are kept (a refused fit leaves the estimator as it was)."""
        one_type(y)
        kind = type_of_target(y)
        if kind == "multilabel-indicator":
            labels = np.arange(y.shape[1])
        else:
            check_classification_targets(y)
            labels = np.unique(y) if classes is None else checked_classes(classes)
            if len(labels) < 2:
                raise ValidationError(f"{'y' if classes is None else 'classes'} has only one class "
                                      f"({labels.tolist()}); a classifier needs at least two")
            kind = "binary" if len(labels) == 2 else "multiclass"
        Y = self._encode(y, labels, kind, given=classes is not None)
        self.classes_, self._kind = labels, kind
        return Y, len(labels) if kind != "binary" else 1

    @as_before_if_refused
    def fit(self, X, y, sample_weight=None):
        """Train from scratch for `epochs` epochs; `sample_weight`: one weight >= 0 per sample (each
        batch's loss is the weighted mean of its samples' losses, as in MLPClassifier)."""
        warm = self._continues()
        X, y = validate_data(self, no_text(X), y, multi_output=True, reset=not warm, **_X_CHECK)
        y = y if type_of_target(y) == "multilabel-indicator" else column_or_1d(one_column(y), warn=True)
        if warm:
            self._same_classes(y)
            self._go_on()
            Y = self._encode(y)
        else:
            Y, n_out = self._setup(y)
            self._rng = check_random_state(self.random_state)
            self._build(X.shape[1], n_out, self._rng)
        self._train(X, y, Y, self.epochs, sample_weight, fresh=not warm)
        return self

    def _same_classes(self, y) -> None:
        """A warm start needs the classes of the network's outputs (as MLPClassifier, in its words)."""
        multilabel = type_of_target(y) == "multilabel-indicator"
        labels = np.arange(y.shape[1]) if multilabel else np.unique(y)
        if multilabel != (self._kind == "multilabel-indicator") or not np.array_equal(labels, self.classes_):
            raise ValidationError(f"{estimator_name(self)}: warm_start can only be used where `y` has the same classes "
                                  f"as in the previous call to fit. Previously got {self.classes_}, `y` has {labels}")

    @as_before_if_refused
    def partial_fit(self, X, y, *, classes=None, sample_weight=None):
        """One epoch more; `classes` (all the labels) is needed on the first call. classes and
        sample_weight by keyword: MLPClassifier's third argument is sample_weight, SGDClassifier's classes."""
        self._no_early_stopping()
        check_params(self)
        first = not hasattr(self, "network_")
        X, y = validate_data(self, no_text(X), y, multi_output=True, reset=first, **_X_CHECK)
        y = y if type_of_target(y) == "multilabel-indicator" else column_or_1d(one_column(y), warn=True)
        if first:
            if classes is None and type_of_target(y) != "multilabel-indicator":
                raise ValidationError("classes must be given on the first call to partial_fit (all the labels)")
            Y, n_out = self._setup(y, classes)
            self._rng = check_random_state(self.random_state)
            self._build(X.shape[1], n_out, self._rng)
        elif classes is not None and not np.array_equal(labels := checked_classes(classes), self.classes_):
            raise ValidationError(f"classes={labels.tolist()!r} is not the same as on the first call to partial_fit "
                                  f"or fit: {self.classes_.tolist()}")
        else:
            Y = self._encode(y)
        self._train(X, y, Y, 1, sample_weight, fresh=first)
        return self

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes) (per label for multi-label)."""
        p = self._forward(X)
        if self._kind == "binary":
            return np.hstack([1.0 - p, p])
        return p

    def predict_log_proba(self, X):
        """The log of predict_proba (as MLPClassifier's)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        return self._predicted(self._forward(X))

    def _predicted(self, p):
        if self._kind == "multilabel-indicator":
            return (p > 0.5).astype(np.int64)
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

    @as_before_if_refused
    def fit(self, X, y, sample_weight=None):
        """Train from scratch for `epochs` epochs; `sample_weight`: one weight >= 0 per sample."""
        warm = self._continues()
        X, y = validate_data(self, no_text(X), numeric_y(y), multi_output=True, y_numeric=True, reset=not warm,
                             **_X_CHECK)
        y = column_or_1d(y, warn=True) if y.ndim == 2 and y.shape[1] == 1 else y    # as MLPRegressor, warning
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if warm and Y.shape[1] != self.network_.n_outputs:
            raise ValidationError(f"{estimator_name(self)}: warm_start can only be used where `y` has as many columns "
                                  f"as in the previous call to fit. Previously got {self.network_.n_outputs}, `y` has "
                                  f"{Y.shape[1]}")
        self._y_1d = y.ndim == 1
        if warm:
            self._go_on()
        else:
            self._rng = check_random_state(self.random_state)
            self._build(X.shape[1], Y.shape[1], self._rng)
        self._train(X, y, Y, self.epochs, sample_weight, fresh=not warm)
        return self

    @as_before_if_refused
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch more (the network is built on the first call)."""
        self._no_early_stopping()
        check_params(self)
        first = not hasattr(self, "network_")
        X, y = validate_data(self, no_text(X), numeric_y(y), multi_output=True, y_numeric=True, reset=first, **_X_CHECK)
        y = column_or_1d(y, warn=True) if y.ndim == 2 and y.shape[1] == 1 else y
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if first:
            self._y_1d = y.ndim == 1
            self._rng = check_random_state(self.random_state)
            self._build(X.shape[1], Y.shape[1], self._rng)
        self._train(X, y, Y, 1, sample_weight, fresh=first)
        return self

    def predict(self, X):
        return self._predicted(self._forward(X))

    def _predicted(self, out):
        return out[:, 0] if self._y_1d else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

