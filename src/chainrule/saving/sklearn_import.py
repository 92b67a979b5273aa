"""`from_sklearn`: a Network from a fitted MLPClassifier/MLPRegressor, and `SklearnSolver`, which
carries on scikit-learn's own update (L2 term, SGD or Adam, the estimator's state)."""
from __future__ import annotations

import math
import re
import sys
from typing import Any

import numpy as np

from ..errors import ChainruleTypeError, ValidationError
from ..nn.checks import learning_rate
from ..nn.network import Network
from ..training.optim import SGD, Adam, Optimizer
from .mlp import build_network, dense_layer, weights_dtype

SKLEARN_ACTIVATIONS = {"identity": "linear", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu",
                       "softmax": "softmax"}


def _inside(obj: Any) -> tuple[Any, str, bool, str]:
    """The model a Pipeline (its last step) or a search (its best_estimator_) holds, found through them: the model,
    the expression reaching it from the outer object, whether a Pipeline was passed through, and why it is not
    there yet ('' when it is)."""
    from sklearn.model_selection._search import BaseSearchCV
    from sklearn.pipeline import Pipeline
    path = "pipe" if isinstance(obj, Pipeline) else "search" if isinstance(obj, BaseSearchCV) else "model"
    piped, missing = False, ""
    while True:
        if isinstance(obj, Pipeline) and obj.steps:
            obj, path, piped = obj.steps[-1][1], path + "[-1]", True
        elif isinstance(obj, BaseSearchCV):
            if not hasattr(obj, "best_estimator_"):
                missing = missing or (" once the search is fitted (fit it first)" if obj.refit else
                                      " once the search keeps it: refit=False kept no best_estimator_ (fit it "
                                      "again with refit=True)")
            obj, path = getattr(obj, "best_estimator_", obj.estimator), path + ".best_estimator_"
        else:
            return obj, path, piped, missing


def _reached(path: str) -> str:
    """The words of the steps in `path` after its root: 'last step' for [-1], 'best estimator' for .best_estimator_
    (a search over a Pipeline: its best estimator's last step)."""
    steps = re.findall(r"\[-1\]|\.best_estimator_", path)
    return "'s ".join("last step" if step == "[-1]" else "best estimator" for step in steps)


def our_estimator(obj: Any, use: str, also: str = "", importing: bool = False, whole: bool = False) -> str | None:
    """For chainrule's own estimator (BackpropClassifier, BackpropRegressor, a sweep's), alone or as a Pipeline's
    last step or a search's best_estimator_, given where a Network goes: what to give instead, its network (`use`
    shows the call, '{net}' where the network goes; `also`: a sentence after, '{model}' the object given, '{whole}'
    what it is), and what that network's outputs are. A scikit-learn model chainrule does not import (no MLP) says
    so (`importing`: from_sklearn's message, which named the MLPs already); None for anything else (another
    framework's model). The estimator is no model of another framework to import, as save's and to_torch's messages
    said, and from_sklearn refuses a Pipeline or a search. The text follows the caller's 'got {type}' (the type
    named once): ', a chainrule estimator, ...' for the object itself, ': its last step, X, is ...' for one in it.
    `whole`: the caller takes a fitted estimator itself (to_onnx, which keeps a classifier's classes_, a regressor's
    predict's shape), named for one in it, fitted or not.
    A chainrule Network given to an import (the network_ those words name) is one already: nothing to import."""
    if importing and isinstance(obj, Network):
        return ", a chainrule Network already: nothing to import, use it as it is (cr.save(net, path) writes it)"
    if "sklearn" not in sys.modules:           # neither scikit-learn's objects nor the estimators exist
        return None
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    est, path, piped, missing = _inside(obj)
    root = path.split("[")[0].split(".")[0]
    steps = (f"; the pipeline's other steps (its preprocessing) are not in the network: give it rows as they come "
             f"out of them, or joblib.dump({root}, path) (pickle) to keep them") if piped else ""
    if (isinstance(est, str) or est is None) and piped:    # a Pipeline ending in "passthrough" (or None): no model
        return (f": its {_reached(path)} is {est!r}, no model (the pipeline ends in its transformers)"
                + (f"; give one{missing}" if missing else ""))     # an unfitted search's: its estimator's last step
    kind = type(est).__dict__.get("shown_as") or type(est).__name__

    found = est

    def said(what: str) -> str:
        if found is not obj:
            return f": its {_reached(path)}, {kind}, is {what}"
        return (f" ({kind})" if kind != type(found).__name__ else "") + f", {what}"     # a sweep's: the public name
    backprop = sys.modules.get("chainrule.sklearn.backprop")     # saving sits below the estimators: never imported
    wrapped = getattr(est, "regressor_", getattr(est, "regressor", None))      # a TransformedTargetRegressor's
    if backprop is not None and type(est).__name__ == "TransformedTargetRegressor" and \
            isinstance(wrapped, backprop._Backprop):
        fit = missing and f"{missing}," or ("" if "network_" in vars(wrapped) else " not yet fitted: fit it first;")
        if whole:
            return said(f"a chainrule regressor in a TransformedTargetRegressor (its target rescaled){fit or ':'} "
                        f"{use.format(net=path)} {'then ' if fit else ''}exports it whole, the target's rescaling "
                        f"after the network{steps}")
        est, network = wrapped, ".regressor_.network_"     # its network learnt the rescaled target
    else:
        network = ".network_"
    if backprop is not None and isinstance(est, backprop._Backprop):    # here (no estimator exists before it is)
        from .onnx_estimator import fitted_estimator
        fit = missing or ("" if "network_" in vars(est) else " once it is fitted (fit it first)")
        if whole and (fit or fitted_estimator(est) is not None):     # unfitted too: the call that then exports it
            classifier = hasattr(est, "predict_proba")
            kept = ("its predict and predict_proba as the outputs 'label' and 'probabilities' and its classes_ in "
                    "the metadata (its network_ has none)") if classifier else \
                "its predict as the output 'variable', its shape kept (its network_'s output is (N, targets))"
            fit = missing and f"{missing}," or ("" if "network_" in vars(est) else " not yet fitted: fit it first;")
            return said(f"a{'' if fit else ' fitted'} chainrule {'classifier' if classifier else 'regressor'}"
                        f"{fit or ':'} {use.format(net=path)} {'then ' if fit else ''}exports it whole, {kept}{steps}")
        what = ("the output its one class was trained towards 1 with, no probability: predict_proba gives 1.0"
                if getattr(est, "_kind", None) == "unary" else
                "predict_proba's probabilities, a binary classifier's in one column, that of classes_[1]"
                if hasattr(est, "predict_proba") else "the estimator's predictions, one column per target"
                if est is found else "the predictions in the rescaled target's units, one column per target: "
                "its transformer_.inverse_transform gives the wrapper's predict (to_onnx of the wrapper keeps it)")
        opener = "a chainrule estimator" if est is found else \
            "a chainrule regressor in a TransformedTargetRegressor (its target rescaled)"
        return said(f"{opener}, not a model to import: give its network{fit}, "
                    f"{use.format(net=path + network)} (a chainrule Network, whose predict gives {what})"
                    + (steps or also.format(model=root, whole='search' if root == 'search' else 'estimator')))
    if isinstance(est, (MLPClassifier, MLPRegressor)):       # alone too: from_sklearn takes it
        return said(f"scikit-learn's MLP: import it with cr.from_sklearn({path}){missing}{steps}")
    if type(est).__module__.split(".")[0] == "sklearn":
        return said("a scikit-learn model that chainrule does not import" +
                    ("" if importing else " (from_sklearn takes MLPClassifier and MLPRegressor)"))
    return said("no chainrule estimator or scikit-learn MLP") if est is not obj else None


def not_importable(expected: str, obj: Any) -> ChainruleTypeError:
    """An importer's refusal of `obj`: what it takes (`expected`), what it got, and for a chainrule estimator or
    another scikit-learn model what to give instead (`our_estimator`)."""
    ours = our_estimator(obj, "{net}", importing=True)
    return ChainruleTypeError(f"{expected}; got {type(obj).__name__}{ours or ''}")


def from_sklearn(estimator: Any) -> Network:
    """A Network from a fitted scikit-learn MLPClassifier or MLPRegressor.

    The forward pass equals `predict_proba` (multiclass), its second column (binary: one
    sigmoid output) or `predict` (regression). The loss is sklearn's: categorical cross-entropy
    after softmax, binary cross-entropy after the logistic output, "sse" for squared_error
    (whose gradient, out - y, is sklearn's). For the sgd and adam solvers the network's
    optimizer is chainrule's SGD or Adam holding the estimator's state (`sklearn_optimizer`), so
    training carries on from where sklearn stopped. The estimator's alpha is the network's
    weight_penalty (`sklearn_penalty`): MLP's L2 term, on the weights, not the biases. `SklearnSolver`
    repeats sklearn's update exactly (its Adam epsilon, a multi-label network's gradient scale).
    """
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    if not isinstance(estimator, (MLPClassifier, MLPRegressor)):
        raise not_importable("estimator must be a scikit-learn MLPClassifier or MLPRegressor", estimator)
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
    net.weight_penalty = sklearn_penalty(net, estimator)
    net.optimizer = sklearn_optimizer(net, estimator)
    return net


def sklearn_penalty(net: Network, estimator: Any) -> float:
    """The estimator's alpha as the network's weight_penalty (the engine's `l2_penalty`, MLP's
    0.5 * alpha * sum(W**2) / m): in the loss's units, so that the gradients are MLP's. A multi-label
    network's binary cross-entropy is the mean over its labels, which MLP sums: alpha / labels."""
    scale = net.n_outputs if net.loss_function.name == "binary_crossentropy" else 1
    return float(estimator.alpha) / scale


def _flat(net: Network, per_param: list[np.ndarray]) -> np.ndarray:
    """sklearn's [coefs..., intercepts...] arrays as chainrule's flat vector (W, b per layer)."""
    n = len(net.dense_layers)
    sizes = [a.size for a in per_param]
    if len(per_param) != 2 * n or sum(sizes) != net.n_params:
        raise ValidationError(f"the estimator's {len(per_param) // 2} layers ({sum(sizes)} parameters) do not fit "
                              f"the network ({n} layers, {net.n_params} parameters)")
    return np.concatenate([np.ravel(a) for i in range(n) for a in (per_param[i], per_param[n + i])]).astype(net.dtype)


def sklearn_optimizer(net: Network, estimator: Any) -> Optimizer | None:
    """chainrule's SGD or Adam with the estimator's solver settings and state (None for lbfgs).

    SGD: sklearn's momentum and Nesterov at its current learning rate; its velocity v becomes
    chainrule's (PyTorch's) momentum buffer -v / lr, the same update. Adam: sklearn's rate, betas,
    epsilon, moments and step count; chainrule adds epsilon after the bias correction (as PyTorch
    does), sklearn before it, a difference of order epsilon in the step size. The L2 term (alpha) is
    the network's weight_penalty, not the optimizer's weight_decay (which would decay the biases too)."""
    est = estimator
    if est.solver not in ("sgd", "adam"):
        return None
    sk = getattr(est, "_optimizer", None)
    if est.solver == "sgd":
        lr = float(sk.learning_rate) if sk is not None else float(est.learning_rate_init)
        sgd = SGD(lr, momentum=est.momentum, nesterov=bool(est.nesterovs_momentum and est.momentum > 0))
        if sk is not None and est.momentum > 0:
            velocity = _flat(net, sk.velocities)
            if np.any(velocity):
                sgd.state["momentum_buffer"] = -velocity / lr
                sgd.t = 1                  # the buffer exists: the next step updates it
        return sgd
    adam = Adam(float(est.learning_rate_init), betas=(est.beta_1, est.beta_2), eps=est.epsilon)
    if sk is not None and sk.t > 0:
        adam.state = {"exp_avg": _flat(net, sk.ms), "exp_avg_sq": _flat(net, sk.vs)}
        adam.t = int(sk.t)
    return adam


class SklearnSolver(Optimizer):
    """scikit-learn's own MLP update, for a network made by `from_sklearn`: one chainrule
    training step with it on a batch equals `partial_fit` on that batch.

    sklearn's L2 term (alpha * W / n for a batch of n samples, or of weights summing to n) is the
    engine's: the network's weight_penalty, set to the estimator's alpha (`sklearn_penalty`). Then
    `sklearn_optimizer`'s SGD or Adam takes the step, Adam with epsilon moved to sklearn's place. A
    multilabel classifier's gradient is scaled by the number of labels (sklearn sums the log-loss over
    labels, chainrule's binary cross-entropy averages it). sklearn's invscaling/adaptive schedules are
    not continued. It moves Adam's epsilon step by step, which no saved optimizer does, so it is not
    saved with the network: before `save`, set `net.optimizer = solver.inner` (chainrule's SGD or Adam,
    with the state) or None. A rate set on it (`solver.lr = ...`, ReduceLROnPlateau) is the rate of its next
    steps, as MLP's adaptive schedule sets its optimizer's.
    """

    save_hint = ("it replays scikit-learn's update for its estimator and is not saved; set net.optimizer = "
                 "net.optimizer.inner (chainrule's SGD or Adam, with its state) or None before saving")

    def __init__(self, net: Network, estimator: Any) -> None:
        inner = sklearn_optimizer(net, estimator)
        if inner is None:
            raise ValidationError(f"solver={estimator.solver!r} has no partial_fit step to repeat; "
                                  "SklearnSolver follows 'sgd' and 'adam'")
        super().__init__(inner.lr)
        self.inner, self.alpha = inner, float(estimator.alpha)
        net.weight_penalty = sklearn_penalty(net, estimator)      # the engine adds MLP's L2 term to the gradients
        self.epsilon = float(estimator.epsilon)
        self.scale = float(net.n_outputs) if net.loss_function.name == "binary_crossentropy" else 1.0
        self.state, self.t = inner.state, inner.t

    def _set_lr(self, value: Any, name: str) -> None:
        # the inner optimizer takes the steps: a rate set here (ReduceLROnPlateau, optimizer.lr = ...) is its rate.
        # sklearn's SGD keeps its velocity v (the rate inside it), the inner SGD the buffer -v / lr: rescaled
        # to the new rate, it is still -v / lr, as sklearn's adaptive schedule dividing learning_rate has it
        # a rate of 0, which torch.optim takes, is refused: scikit-learn's never is 0 (learning_rate_init > 0), and
        # the SGD buffer -v / lr would lose the velocity v
        old = getattr(self, "_lr", None)
        if old is not None and learning_rate(value, name) == 0:
            raise ValidationError(f"{name} must be > 0 for SklearnSolver, which repeats scikit-learn's update: its "
                                  "rate is never 0 (learning_rate_init > 0), and its SGD's velocity is kept as the "
                                  f"buffer times the rate, lost at 0; got {value!r}")
        super()._set_lr(value, name)
        if hasattr(self, "inner"):
            buffer = self.inner.state.get("momentum_buffer")
            if buffer is not None and old is not None and self._lr != old:
                buffer *= old / self._lr
            self.inner.lr = self._lr

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        self.inner.set_epoch(epoch)
        self._lr = self.inner.lr

    def step(self, params: np.ndarray, grads: np.ndarray, slices: list[slice] | None = None) -> None:
        g = grads * self.scale if self.scale != 1.0 else grads
        if isinstance(self.inner, Adam):
            self.inner.eps = self.epsilon / math.sqrt(1.0 - self.inner.betas[1] ** (self.inner.t + 1))
        self.inner.step(params, g, slices)
        self.state, self.t = self.inner.state, self.inner.t

    def config(self) -> dict:
        return self.inner.config()

    def __repr__(self) -> str:
        return f"SklearnSolver({self.inner!r}, alpha={self.alpha})"
