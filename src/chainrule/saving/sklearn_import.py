"""`from_sklearn`: a Network from a fitted MLPClassifier/MLPRegressor, and `SklearnSolver`, which
carries on scikit-learn's own update (L2 term, SGD or Adam, the estimator's state)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import ChainruleTypeError, ValidationError
from ..nn.network import Network
from ..training.optim import SGD, Adam, Optimizer
from .mlp import build_network, dense_layer, weights_dtype

SKLEARN_ACTIVATIONS = {"identity": "linear", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu",
                       "softmax": "softmax"}


def from_sklearn(estimator) -> Network:
    """A Network from a fitted scikit-learn MLPClassifier or MLPRegressor.

    The forward pass equals `predict_proba` (multiclass), its second column (binary: one
    sigmoid output) or `predict` (regression). The loss is sklearn's: categorical cross-entropy
    after softmax, binary cross-entropy after the logistic output, "sse" for squared_error
    (whose gradient, out - y, is sklearn's). For the sgd and adam solvers the network's
    optimizer is an `SklearnSolver` that carries on the estimator's own update, state included:
    one chainrule training step on a batch equals `partial_fit` on it.
    """
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    if not isinstance(estimator, (MLPClassifier, MLPRegressor)):
        raise ChainruleTypeError(f"estimator must be a scikit-learn MLPClassifier or MLPRegressor; "
                                 f"got {type(estimator).__name__}")
    if not hasattr(estimator, "coefs_"):
        raise ValidationError(f"the {type(estimator).__name__} is not fitted: call fit or partial_fit first")
    hidden = estimator.activation
    out_act = estimator.out_activation_
    for what, name in (("activation", hidden), ("output activation", out_act)):
        if name not in SKLEARN_ACTIVATIONS:
            raise ValidationError(f"the estimator's {what} {name!r} has no chainrule form; supported: "
                                  f"{', '.join(SKLEARN_ACTIVATIONS)}")
    if isinstance(estimator, MLPRegressor):
        if estimator.loss != "squared_error":
            raise ValidationError(f"MLPRegressor(loss={estimator.loss!r}) has no chainrule loss; supported: "
                                  "'squared_error'")
        loss = "sse"
    else:
        loss = "categorical_crossentropy" if out_act == "softmax" else "binary_crossentropy"
    n = len(estimator.coefs_)
    items = [dense_layer(W, b, SKLEARN_ACTIVATIONS[hidden if i < n - 1 else out_act])
             for i, (W, b) in enumerate(zip(estimator.coefs_, estimator.intercepts_))]
    net = build_network(items, loss, weights_dtype(list(estimator.coefs_) + list(estimator.intercepts_), "estimator"))
    if estimator.solver in ("sgd", "adam"):
        net.optimizer = SklearnSolver(net, estimator)
    return net


def _sklearn_flat(net, per_param: list[np.ndarray]) -> np.ndarray:
    """sklearn's [coefs..., intercepts...] arrays as chainrule's flat vector (W, b per layer)."""
    n = len(net.dense_layers)
    return np.concatenate([np.ravel(a) for i in range(n) for a in (per_param[i], per_param[n + i])]) \
        .astype(net.dtype)


class SklearnSolver(Optimizer):
    """scikit-learn's MLP update, carried on by chainrule: for each batch of n samples,
    sklearn's L2 term alpha * W / n is added to the weights' gradients (not the biases'), then
    chainrule's SGD (sklearn's momentum and Nesterov, at its current learning rate) or Adam
    (sklearn's betas; its epsilon, which sklearn adds before the bias correction, moved to
    chainrule's place) takes the step from the estimator's state. A multilabel classifier's
    gradient is scaled by the number of labels (sklearn sums the log-loss over labels, chainrule's
    binary cross-entropy averages it). sklearn's invscaling/adaptive schedules are not
    continued. Saved with the network, it is stored as the SGD or Adam inside (without L2).
    """

    def __init__(self, net: Network, estimator: Any) -> None:
        est = estimator
        sk = getattr(est, "_optimizer", None)
        if est.solver == "sgd":
            lr = float(sk.learning_rate) if sk is not None else float(est.learning_rate_init)
            inner: Optimizer = SGD(lr, momentum=est.momentum,
                                                     nesterov=bool(est.nesterovs_momentum and est.momentum > 0))
            if sk is not None and est.momentum > 0:
                velocity = _sklearn_flat(net, sk.velocities)
                if np.any(velocity):
                    inner.state["momentum_buffer"] = -velocity / lr
                    inner.t = 1
        else:
            inner = Adam(float(est.learning_rate_init), betas=(est.beta_1, est.beta_2), eps=est.epsilon)
            if sk is not None and sk.t > 0:
                inner.state = {"exp_avg": _sklearn_flat(net, sk.ms), "exp_avg_sq": _sklearn_flat(net, sk.vs)}
                inner.t = int(sk.t)
        super().__init__(inner.lr)
        self.inner, self.net, self.alpha = inner, net, float(est.alpha)
        self.epsilon = float(getattr(est, "epsilon", 0.0))
        self.scale = float(net.n_outputs) if net.loss_function.name == "binary_crossentropy" else 1.0
        self.state, self.t = inner.state, inner.t
        offsets = np.cumsum([0] + [s for layer in net.dense_layers for s in (layer.W.size, layer.b.size)])
        self.weights = [slice(int(offsets[2 * i]), int(offsets[2 * i + 1])) for i in range(len(net.dense_layers))]

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        self.inner.set_epoch(epoch)

    def step(self, params: np.ndarray, grads: np.ndarray, slices: list[slice] | None = None) -> None:
        x = self.net.layers[0].x           # the batch of this step (cached by the forward pass)
        if x is None:
            raise ValidationError("SklearnSolver.step follows a forward pass of its network on the batch")
        g = grads * self.scale if self.scale != 1.0 else grads.copy()
        for s in self.weights:
            g[s] += (self.alpha / x.shape[0]) * params[s]
        if isinstance(self.inner, Adam):
            self.inner.eps = self.epsilon / math.sqrt(1.0 - self.inner.betas[1] ** (self.inner.t + 1))
        self.inner.step(params, g, slices)
        self.state, self.t = self.inner.state, self.inner.t

    def config(self) -> dict:
        return self.inner.config()

    def __repr__(self) -> str:
        return f"SklearnSolver({self.inner!r}, alpha={self.alpha})"


