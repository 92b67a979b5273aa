"""What BackpropClassifier and BackpropRegressor share (`_Backprop`): the parameters, the network, the
optimizer, the fitted attributes; the training's run is fitting.py's (`_Fitting`); estimators.py holds each."""
from __future__ import annotations

import copy
import math

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.validation import check_is_fitted, validate_data

from ..errors import ValidationError
from ..nn.layers import Dense, Layer
from ..nn.network import Network
from ..training.optim import Optimizer, get_optimizer
from .fitting import _Fitting
from .inputs import no_missing_y, no_text, where_not_finite, x_check
from .params import (
    check_params,
    clipping,
    estimator_name,
    hidden_activation,
    rebuilt_with,
    takes_mlp_names,
    unknown_parameter,
)
from .weights import _Weights

#: the output activations as MLPClassifier's out_activation_ names them
_MLP_OUTPUT = {"sigmoid": "logistic", "softmax": "softmax", "linear": "identity"}


def _widths(net: Network) -> tuple[int, ...]:
    """The network's hidden layers' widths."""
    return tuple(layer.n_out for layer in net.dense_layers[:-1])


def _but_activation(layer: Layer, hidden: bool) -> dict:
    """A layer's config, without its activation for a hidden layer (which a warm start changes in place)."""
    return {**layer.config(), "activation": None} if hidden else layer.config()


class _Backprop(_Fitting, _Weights, BaseEstimator):
    """What the classifier and the regressor share: the network, the optimizer, the training."""

    @takes_mlp_names
    def __init__(self, hidden_layer_sizes=(64,), activation="relu", optimizer="adam", learning_rate=1e-3,
                 momentum=0.9, batch_size=None, epochs=200, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, alpha=0.0, random_state=None, dtype="float64", verbose=0, warm_start=False,
                 shuffle=True, tol=1e-4, clip_norm=None, clip_value=None):
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
        self.shuffle = shuffle
        self.clip_norm = clip_norm          # the optimizer's (train's --clip-norm, --clip-value), sweepable in a grid
        self.clip_value = clip_value
        self.tol = tol

    _mlp = "MLPClassifier"      # scikit-learn's estimator of the same kind (the regressor's: MLPRegressor)
    #: whether fit warns, as MLPClassifier, when it ran every epoch without the stopping rule ending it; the
    #: sweep's classes do not (a warning per fit): the sweep counts such fits and says it once (`_ran_out`)
    _warns_unconverged = True
    #: whether a fit interrupted by the user (Ctrl-C: KeyboardInterrupt) keeps the epochs it finished and warns, as
    #: MLPClassifier's ("Training interrupted by user."); the sweep's classes let it through to end the sweep
    _keeps_an_interrupted_fit = True

    def set_params(self, **params):
        """As BaseEstimator's; an MLPClassifier's name for one of ours is an error naming ours. optimizer__lr=0.1 (or
        a schedule's argument, optimizer__lr__gamma; learning_rate__gamma) sets an optimizer instance's or a schedule's
        argument in a copy (`rebuilt_with`), checked before anything is set."""
        for key, value in params.items():
            if "__" not in key and key not in self._get_param_names():
                raise ValidationError(unknown_parameter(type(self), key, value, params.get("dtype", self.dtype)))
        for param in ("optimizer", "learning_rate"):    # an instance's arguments (a grid's optimizer__lr): a copy
            inner = {k.split("__", 1)[1]: v for k, v in params.items() if k.startswith(param + "__")}
            if inner:
                params = {k: v for k, v in params.items() if not k.startswith(param + "__")}
                params[param] = rebuilt_with(self, param, params.get(param, getattr(self, param)), inner)
        return super().set_params(**params)

    # the output layer and loss for the targets; set by the subclass
    def _output(self, n_outputs: int) -> tuple[str, str]:
        raise NotImplementedError

    def _make_optimizer(self):
        """The optimizer named, with learning_rate; one given as an instance is copied (with its own
        arguments): fit changes no parameter of the estimator, and each fit starts from its state. alpha is
        the loss's (`_penalty`), not the optimizer's."""
        if isinstance(self.optimizer, Optimizer):
            return copy.deepcopy(self.optimizer)
        kwargs = {"lr": copy.deepcopy(self.learning_rate)}      # a number, or a schedule (StepLR(0.01, 10), ...)
        kwargs.update(clipping(self))
        if str(self.optimizer).lower() == "sgd":       # as MLPClassifier: momentum is SGD's
            kwargs["momentum"] = self.momentum
        return get_optimizer(self.optimizer, **kwargs)

    def _loss_units(self, n_out: int) -> tuple[float, float]:
        """Our loss's gradient over MLPClassifier's, and our loss over the loss MLP reports, for the same
        network: alpha's penalty is scaled by the first (so the steps are MLP's, at a step size divided by
        it); the loss logged (loss_curve_, the stopping rule's, verbose's) is taken to MLP's by both (`MLPLoss`).
        A multi-label network's cross-entropy is the mean over its labels, MLP's their sum (both 1 / labels). The
        regressor's mean squared error is twice MLPRegressor's reported loss, half the squared error averaged over
        the outputs; but MLPRegressor's gradient, out - y, is that of half the squared error summed over them,
        which ours is 2 / outputs times."""
        if not is_classifier(self):
            return 2.0 / n_out, 2.0
        units = 1.0 / n_out if self._kind == "multilabel-indicator" else 1.0
        return units, units

    def _layers(self, n_in: int, n_out: int) -> list[Dense]:
        """The network's layers for the parameters (not initialised)."""
        sizes = check_params(self)
        widths = (n_in, *sizes, n_out)
        hidden = hidden_activation(self.activation)         # MLPClassifier's names taken too
        return [Dense(a, b, hidden if i < len(sizes) else self._output(n_out)[0])
                for i, (a, b) in enumerate(zip(widths, widths[1:]))]

    def _continues(self) -> bool:
        """warm_start: whether fit goes on with the current network, which it does when the parameters
        still describe it (the same layers and loss; another hidden activation too, which `_go_on`
        puts in, as MLPClassifier keeps its weights and computes with the new one). Other hidden_layer_sizes or
        dtype are refused, naming both: a new network would quietly drop the weights and loss_curve_ trained
        (MLPClassifier never builds one anew under warm_start; its weights keep their dtype)."""
        sizes = check_params(self)
        if not (self.warm_start and hasattr(self, "network_")):
            return False
        net = self.network_
        widths = _widths(net)
        if widths != sizes:          # MLPClassifier keeps the old weights (or fails in NumPy): refused, named
            raise ValidationError(f"{estimator_name(self)}: warm_start=True goes on training the fitted network, "
                                  f"whose hidden layers are {widths}; hidden_layer_sizes is now {sizes}. Set "
                                  "warm_start=False to build a new network, or hidden_layer_sizes back")
        if np.dtype(self.dtype) != net.dtype:
            raise ValidationError(f"{estimator_name(self)}: warm_start=True goes on training the fitted network, "
                                  f"whose dtype is {str(net.dtype)!r}; dtype is now {str(np.dtype(self.dtype))!r}. "
                                  f"Set warm_start=False to build a new network, or dtype back to {str(net.dtype)!r}")
        hidden, layers = len(net.layers) - 1, self._layers(net.n_inputs, net.n_outputs)
        same = ([_but_activation(layer, i < hidden) for i, layer in enumerate(layers)]
                == [_but_activation(layer, i < hidden) for i, layer in enumerate(net.layers)]
                and self._output(net.n_outputs)[1] == net.loss_function.name)
        held, now = self.validation_scores_ is not None, bool(self.early_stopping)    # held: its fits held rows out
        if same and held != now:                           # MLPClassifier fails in its own code (AttributeError)
            raise ValidationError(f"{estimator_name(self)}: warm_start=True goes on training the fitted network, "
                                  f"fitted with early_stopping={held}; early_stopping is now {now}, "
                                  "whose validation_scores_ and best_validation_score_ would not describe its fits "
                                  f"(MLP's are None without early stopping, one score an epoch with it). Set "
                                  f"early_stopping back to {held}, or warm_start=False to build a new network")
        return same

    def _go_on(self) -> None:
        """A warm start: the hidden layers take the activation now set (`_new_activation`); the optimizer's state
        goes on too, unless its parameters changed."""
        net = self._new_activation()
        optimizer = self._make_optimizer()
        if optimizer.config() != net.optimizer.config():
            net.optimizer = optimizer

    def _same_network(self) -> None:
        """partial_fit goes on training the fitted network, which it cannot rebuild: hidden_layer_sizes or dtype
        changed since it was built is refused, naming the parameter, the network's and the new value
        (MLPClassifier's partial_fit goes on with its old layers, or fails in NumPy, with more of them)."""
        net, sizes = self.network_, check_params(self)
        for param, old, new in (("hidden_layer_sizes", _widths(net), sizes),
                                ("dtype", str(net.dtype), str(np.dtype(self.dtype)))):
            if old != new:
                raise ValidationError(f"{estimator_name(self)}.partial_fit goes on training the fitted network, whose "
                                      f"{param} is {old!r}; {param} is now {new!r}. Set {param} back to {old!r}, or "
                                      "call fit to build a new network")

    def _new_activation(self):
        """The network with the hidden activation now set, its weights kept, as MLPClassifier's warm start and
        partial_fit compute with `activation` as it is at each call. The network changed is a copy, so that a
        fit refused later (its sample weights, say) leaves the fitted one as it was."""
        net = self._fitted_network("network_")
        new = self._layers(net.n_inputs, net.n_outputs)[:-1]
        if any(a.activation.config() != b.activation.config() for a, b in zip(net.dense_layers[:-1], new, strict=True)):
            net = copy.deepcopy(net)
            self.network_ = net
            for layer, fresh in zip(net.dense_layers[:-1], new, strict=True):
                layer.activation = fresh.activation
        return net

    def _build(self, n_in: int, n_out: int, rng) -> None:
        self.network_ = Network(self._layers(n_in, n_out), loss=self._output(n_out)[1], dtype=self.dtype,
                                seed=int(rng.randint(2**31 - 1)))
        self.network_.optimizer = self._make_optimizer()
        self._split_seed: int | None = None      # early stopping's, drawn once: a warm start holds out the same rows
        self._stopped: dict | None = None        # early stopping's state, which a warm start goes on with
        self.loss_curve_: list[float] = []
        self.__dict__.pop("loss_", None)          # set by an epoch of this network (MLP: the last fit's)
        # as MLPClassifier's: the held-out scores (accuracy, R2) and the best of them with early stopping, else None;
        # the held-out losses beside them
        self.validation_scores_: list[float] | None = [] if self.early_stopping else None
        self.validation_loss_curve_: list[float] | None = [] if self.early_stopping else None
        self.best_validation_score_: float | None = -math.inf if self.early_stopping else None     # MLP's, as the
        self.best_loss_: float | None = None if self.early_stopping else math.inf                 # lowest of none
        # as MLPClassifier's: the layers counted with the input's, the outputs, their activation in its words,
        # the samples trained on since the network was built (t_, each epoch's training rows)
        self.n_layers_, self.n_outputs_ = len(self.network_.layers) + 1, n_out
        self.out_activation_ = _MLP_OUTPUT[self._output(n_out)[0]]
        self.t_ = 0


    def _stratify(self, Y):
        """The labels early stopping's hold-out keeps in proportion, or None (set by the classifier)."""
        return None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True          # X may be a SciPy sparse matrix (inputs.x_check keeps it as CSR)
        return tags

    def _validated(self, X, y, reset: bool, **kwargs):
        """X and y as scikit-learn's validate_data gives them (as MLPClassifier's), y dense: a sparse y (a
        multi-label indicator matrix, several regression targets) becomes its dense array, as the network's
        targets are anyway; held-out scores need it so (r2_score refuses a sparse y). A sparse column stays
        sparse, for column_or_1d's TypeError, as MLPClassifier's."""
        given, target = no_text(X), no_missing_y(y)
        try:
            X, y = validate_data(self, given, target, multi_output=True, reset=reset, **x_check(self.dtype), **kwargs)
        except ValueError as exc:           # "Input X contains NaN" names no cell: the engine's words, which do
            named = where_not_finite(exc, given)                             # (y's infinity too)
            raise (where_not_finite(exc, target, "y") if named is exc else named) from None
        if reset:
            self._fit_dtype = X.dtype              # the outputs' dtype follows it (`_forward`)
        return X, (y.toarray() if hasattr(y, "toarray") and y.shape[1] > 1 else y)

    def _forward(self, X):
        """The network's outputs for X, in the outputs' dtype (`_outputs`)."""
        check_is_fitted(self, "network_")
        given = no_text(X)
        try:
            X = validate_data(self, given, reset=False, **x_check(self.network_.dtype))
        except ValueError as exc:
            raise where_not_finite(exc, given) from None
        return self._outputs(X)

    def _outputs(self, X):
        """The network's outputs for X (checked), in the outputs' dtype: float32 with dtype='float32'; else,
        as MLPClassifier's (whose weights have the dtype of the X it was trained on), float32 when X and
        the X trained on are both float32, float64 otherwise."""
        out = self.network_.predict(X)
        dtype = np.float32 if self.network_.dtype == np.float32 else \
            np.result_type(X.dtype, getattr(self, "_fit_dtype", np.float64))
        return out.astype(dtype, copy=False)

    def _predicted(self, out):
        """`predict`'s answer from the network's outputs (set by the subclass)."""
        raise NotImplementedError

    def _held_out_score(self, X, y, sample_weight) -> float:
        """`score` of rows already checked by fit (as MLPClassifier's `_score`: not checked again each epoch)."""
        metric = accuracy_score if is_classifier(self) else r2_score
        return float(metric(y, self._predicted(self._outputs(X)), sample_weight=sample_weight))
