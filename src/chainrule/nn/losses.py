"""Loss functions: the error E of a batch, and dE/dout (or the fused delta dE/dnet).

Every loss is averaged over the samples of a batch, so for one sample "sse" is exactly the
seeds' E_total = 1/2 * sum over outputs of (target - out)^2.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

import numpy as np

from ..errors import ParameterError, UnknownNameError, ValidationError, unknown_name
from .activations import Activation, Sigmoid, Softmax, bare

_C = TypeVar("_C", bound="type[Loss]")


class Loss:
    """Base class.

    `elementwise(out, Y)` gives each sample's and output's error term (the seeds' E_o1, E_o2),
    `value` their batch total, `grad` dE/dout. A loss that meets its natural output activation
    (`fused_with`, an activation class) gives dE/dnet directly with `fused_delta`:
    (out - target) / scale, stable and cheaper than the chain rule through the activation.

    A Network takes one by name: "sse", "mse", "binary_crossentropy", "categorical_crossentropy" (Keras' names and
    torch.nn's too: "mean_squared_error", "MSELoss", "BCELoss", "CrossEntropyLoss"), or a subclass's instance.

    Examples
    --------
    >>> import numpy as np, chainrule as cr
    >>> mse = cr.Network([cr.Dense(2, 1)], loss="MSELoss").loss_function
    >>> mse
    MSE()
    >>> mse.value(np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]]))      # (1 + 4) / 2, as torch's MSELoss
    2.5
    """

    name = "loss"
    fused_with: type[Activation] | None = None
    #: True for a loss computed from the output layer's raw scores (logits), not from probabilities:
    #: it may follow any output activation (a user's loss declares it; see `output_mismatch`)
    takes_logits = False
    #: Keras' and torch's constructor options this loss takes at the value that is its own behaviour
    #: (Keras' `BinaryCrossentropy(from_logits=False)`); any other value is refused saying what to do instead
    defaults: dict[str, tuple] = {}

    def __init__(self, **options: Any) -> None:
        refuse_options(type(self).__name__, type(self), options)

    def elementwise(self, out: np.ndarray, Y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def value(self, out: np.ndarray, Y: np.ndarray, net: np.ndarray | None = None) -> float:
        """The batch error; `net` (the output layer's net input) allows a stable fused form."""
        return float(self.elementwise(out, Y).sum() / self.scale(out))

    def terms(self, out: np.ndarray, Y: np.ndarray, net: np.ndarray | None = None) -> np.ndarray:
        """Each sample's and output's error term as `value` computes it (from `net` in the fused
        forms): the terms sum, divided by `scale`, to the value, also when outputs saturate."""
        return self.elementwise(out, Y)

    def grad(self, out: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """dE/dout for the batch."""
        raise NotImplementedError

    def fused_delta(self, out: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """dE/dnet when the output activation is `fused_with`."""
        return (out - Y) * (1.0 / self.scale(out))

    def scale(self, out: np.ndarray) -> int:
        """The number the summed error terms are divided by."""
        return out.shape[0]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class SSE(Loss):
    """The seeds' error: 1/2 * sum over outputs of (target - out)^2, averaged over samples."""

    name = "sse"

    def elementwise(self, out, Y):
        d = Y - out
        return 0.5 * d * d

    def grad(self, out, Y):
        return (out - Y) * (1.0 / out.shape[0])


class MSE(Loss):
    """Mean over all elements of (target - out)^2 (PyTorch's MSELoss, Keras' "mse")."""

    name = "mse"
    defaults = {"reduction": ("mean", "sum_over_batch_size", "auto")}    # tf.keras 2's 'auto' is the batch's mean

    def elementwise(self, out, Y):
        d = Y - out
        return d * d

    def grad(self, out, Y):
        return (out - Y) * (2.0 / out.size)

    def scale(self, out):
        return out.size


class BinaryCrossentropy(Loss):
    """-mean over all elements of y log p + (1 - y) log(1 - p) (PyTorch's BCELoss).

    After a sigmoid the value is computed from the net input (log-sum-exp form, exact and
    finite for any net input) and the delta is (p - y) / size.
    """

    name = "binary_crossentropy"
    fused_with = Sigmoid
    defaults = {"from_logits": (False,), "label_smoothing": (0, 0.0), "reduction": MSE.defaults["reduction"],
                "axis": (-1,)}
    smoothed = "s / 2"

    def elementwise(self, out, Y):
        # PyTorch's BCELoss clamps each log at -100 so that p = 0 or 1 stays finite, and takes log(1 - p)
        # as log1p(-p): 1 - p rounds away a small p (p = 1e-17 gave a loss of 0, 1e-10 one off by 8e-8)
        log_p = np.maximum(np.log(np.maximum(out, 0.0), where=out > 0, out=np.full_like(out, -np.inf)), -100.0)
        log_q = np.maximum(np.log1p(-np.minimum(out, 1.0), where=out < 1, out=np.full_like(out, -np.inf)), -100.0)
        return -(Y * log_p + (1.0 - Y) * log_q)

    def value(self, out, Y, net=None):
        if net is None:
            return super().value(out, Y)
        return float(self.terms(out, Y, net).sum() / out.size)

    def terms(self, out, Y, net=None):
        if net is None:
            return self.elementwise(out, Y)
        # -(y log s(z) + (1-y) log(1-s(z))) = max(z, 0) - z*y + log(1 + e^-|z|)
        return np.maximum(net, 0.0) - net * Y + np.log1p(np.exp(-np.abs(net)))

    def grad(self, out, Y):
        eps = np.finfo(out.dtype).eps
        p = np.clip(out, eps, 1.0 - eps)
        return (p - Y) / (p * (1.0 - p)) * (1.0 / out.size)

    def scale(self, out):
        return out.size


class CategoricalCrossentropy(Loss):
    """-sum over classes of y log p, averaged over samples.

    After a softmax the value is computed from the net input (log-softmax) and the delta is
    (p - y) / n_samples where each target row sums to 1 (one-hot rows, labels), and (p * sum(y) - y) /
    n_samples, the exact gradient (torch's, Keras'), for rows of probabilities that do not quite.
    """

    name = "categorical_crossentropy"
    fused_with = Softmax
    defaults = {**BinaryCrossentropy.defaults, "ignore_class": (None,)}     # Keras' sparse form's
    smoothed = "s / n_classes, Y one-hot rows"

    def elementwise(self, out, Y):
        log_p = np.maximum(np.log(np.maximum(out, 0.0), where=out > 0, out=np.full_like(out, -np.inf)), -100.0)
        return -(Y * log_p)

    def value(self, out, Y, net=None):
        if net is None:
            return super().value(out, Y)
        if np.minimum.reduce(out, axis=None) >= np.finfo(out.dtype).tiny:
            # every probability is a normal number: log(out) is log-softmax to the last bits (3 calls)
            return float(-np.vdot(Y, np.log(out)) / out.shape[0])
        # -sum_k y_k (z_k - lse) = sum(y) * lse - y . z, with z shifted by the row maximum
        z = net - np.maximum.reduce(net, axis=1, keepdims=True)
        lse = np.log(np.add.reduce(np.exp(z), axis=1))
        return float((np.dot(np.add.reduce(Y, axis=1), lse) - np.vdot(Y, z)) / out.shape[0])

    def terms(self, out, Y, net=None):
        if net is None:
            return self.elementwise(out, Y)
        if np.minimum.reduce(out, axis=None) >= np.finfo(out.dtype).tiny:
            return 0.0 - Y * np.log(out)             # as `value`: log(out) is log-softmax here (0.0 -: no -0)
        z = net - np.maximum.reduce(net, axis=1, keepdims=True)
        return 0.0 - Y * (z - np.log(np.add.reduce(np.exp(z), axis=1, keepdims=True)))

    def grad(self, out, Y):
        eps = np.finfo(out.dtype).tiny
        return -Y / np.maximum(out, eps) * (1.0 / out.shape[0])

    #: True while a fit or train_steps trains on targets whose rows were all found to sum to 1, once
    #: (`rows_sum_to_one`): its batches' deltas skip the per-batch test, three quarters of their time
    rows_checked = False

    def fused_delta(self, out, Y):
        if self.rows_checked:
            return super().fused_delta(out, Y)
        sums = np.add.reduce(Y, axis=1, keepdims=True)
        if (sums == 1.0).all():
            return super().fused_delta(out, Y)
        return (out * sums - Y) * (1.0 / self.scale(out))


_INSTEAD = {
    "from_logits": "the loss reads the logits already where the output layer's activation is its own (sigmoid for "
                   "binary, softmax for categorical cross-entropy: the value from the net input, exact for any logit, "
                   "the delta out - target); give the output layer that activation and leave from_logits out",
    "label_smoothing": "smooth the targets instead, as Keras (and torch) do inside the loss: Y * (1 - s) + {smoothed}; "
                       "the loss takes soft targets exactly",
    "axis": "the classes are the columns (Keras' axis=-1): give outputs and targets a row per sample",
    "ignore_class": "leave that class's samples out of the data (or give them sample_weight=0 in fit)",
    "weight": "chainrule's losses weigh no class; give fit sample_weight=, each sample the weight of its class",
    "reduction": "the loss is the mean over the batch (Keras' 'sum_over_batch_size', torch's 'mean'); weigh samples "
                 "with fit's sample_weight=, and for a sum scale the learning rate by the batch size",
}


def _label_or_dtype(what: str, key: str, value: Any) -> bool:
    """Keras' name= (a label for its logs) and dtype= (the network's here) taken: True; another value refused."""
    if key == "name" and not isinstance(value, str):
        raise ParameterError(f"{what}(name={value!r}) is not taken: name is a label (Keras' in its logs), a str")
    if key != "dtype" or value is None:
        return key in ("name", "dtype")
    # a str, NumPy type or dtype, Keras' DTypePolicy or its config dict ('mixed_float16' is no NumPy dtype)
    with suppress(TypeError, ValueError, KeyError, AttributeError):
        named = value["config"]["name"] if isinstance(value, dict) else \
            value if isinstance(value, (str, type, np.dtype)) else value.name
        if named is not None and np.dtype(named).name in ("float32", "float64"):
            return True
    raise ParameterError(f"{what}(dtype={value!r}) is not taken: the loss computes in the network's dtype, float32 or "
                         "float64; give the network dtype='float32' (or 'float64') and leave the loss's dtype out")


def refuse_options(what: str, cls: type[Loss], options: dict) -> None:
    """Keras' or torch's options of a loss taken at the values that are `cls`'s own behaviour, any other refused
    saying what to do instead (`what` names the loss as its user wrote it); Keras' name= and dtype= as above."""
    for key, value in options.items():
        value = value.item() if isinstance(value, np.generic) else value       # np.float64(0.0) is 0.0
        if _label_or_dtype(what, key, value):
            continue
        if key not in cls.defaults:
            takes = f"{sorted(cls.defaults)} at their default and " if cls.defaults else ""
            raise ParameterError(f"{what}() takes only {takes}Keras' name= and dtype=; got {key}={value!r}")
        if not any(value is v or (type(value) is type(v) and value == v) for v in cls.defaults[key]):
            raise ParameterError(f"{what}({key}={value!r}) is not taken: "
                                 + _INSTEAD[key].format(smoothed=getattr(cls, "smoothed", "")))


@contextmanager
def rows_known(loss: Loss, known: bool) -> Iterator[None]:
    """While training on targets `rows_sum_to_one` found summing to 1 (`known`): no per-batch test."""
    if not isinstance(loss, CategoricalCrossentropy) or not known:
        yield
        return
    before, loss.rows_checked = loss.rows_checked, True
    try:
        yield
    finally:
        loss.rows_checked = before


def rows_sum_to_one(loss: Loss, Y: object) -> bool:
    """Whether the fused delta of `loss` is (p - y) / n for these targets, the form the compiled loops
    compute: every loss but categorical cross-entropy, whose target rows must then sum to exactly 1."""
    if not isinstance(loss, CategoricalCrossentropy) or not isinstance(Y, np.ndarray):
        return True                 # another loss, or class labels (OneHotRows: rows of exactly one 1)
    return bool((np.add.reduce(Y, axis=1) == 1.0).all())


LOSSES: dict[str, type[Loss]] = {cls.name: cls for cls in (SSE, MSE, BinaryCrossentropy, CategoricalCrossentropy)}


def register_loss(cls: _C) -> _C:
    """Class decorator: make a Loss subclass known by its `name` (get_loss, saved files). A built-in
    name cannot be taken over: every network built or loaded with that name would get the new class.

    Examples
    --------
    The pseudo-Huber loss sqrt(1 + d^2) - 1 (d = out - target), averaged over the batch as the built-in losses
    are; gradcheck compares the gradients backpropagated from `grad` with central differences of `elementwise`:

    >>> import numpy as np, chainrule as cr
    >>> @cr.register_loss
    ... class PseudoHuber(cr.Loss):
    ...     name = "pseudo_huber"
    ...     def elementwise(self, out, Y):
    ...         return np.sqrt(1.0 + (out - Y) ** 2) - 1.0
    ...     def grad(self, out, Y):
    ...         return (out - Y) / np.sqrt(1.0 + (out - Y) ** 2) / self.scale(out)
    >>> net = cr.Network([cr.Dense(3, 4, "tanh", seed=0), cr.Dense(4, 2, seed=1)], loss="pseudo_huber")
    >>> X, Y = np.random.default_rng(0).normal(size=(5, 3)), np.full((5, 2), 3.0)
    >>> cr.gradcheck(net, X, Y) < 1e-6
    True
    """
    old = LOSSES.get(cls.name) or LOSSES.get(alias_of(str(cls.name)) or "")
    if old is not None and old is not cls and old.__module__ == __name__:
        raise ValidationError(f"loss name {cls.name!r} belongs to the built-in {old.__name__}; give your class "
                              "another name")
    LOSSES[cls.name] = cls
    return cls


def fuses(loss: Loss, activation: Activation) -> bool:
    """Whether the fused delta (out - target) / n replaces the chain rule through the output
    activation: only for the exact activation class the loss class itself declares. A subclass
    that inherits `fused_with` without declaring it again runs its own `grad` through its own
    activation (the chain rule in full), so it never gets a formula that is not its own."""
    declared = type(loss).__dict__.get("fused_with")
    return declared is not None and type(activation) is declared


#: other names of the losses: one row a name, matched in every spelling (`bare`: Keras' class MeanSquaredError is its
#: mean_squared_error, torch's MSELoss is F.mse_loss)
ALIASES = {"bce": "binary_crossentropy", "cce": "categorical_crossentropy", "crossentropy": "categorical_crossentropy",
           # Keras' names (its sparse form is ours with class labels as targets) and torch.nn's (after a
           # softmax output, CrossEntropyLoss of the logits is categorical cross-entropy of the probabilities)
           "mean_squared_error": "mse", "sparse_categorical_crossentropy": "categorical_crossentropy",
           "mseloss": "mse", "bceloss": "binary_crossentropy", "crossentropyloss": "categorical_crossentropy",
           # Keras' class name of ours, torch's F.binary_cross_entropy; BCEWithLogitsLoss of the net input is
           # binary cross-entropy after a sigmoid output, as CrossEntropyLoss is after a softmax
           "categoricalcrossentropy": "categorical_crossentropy", "binary_cross_entropy": "binary_crossentropy",
           "bcewithlogitsloss": "binary_crossentropy", "binary_cross_entropy_with_logits": "binary_crossentropy"}
ALIASES_BARE = {bare(name): native for name, native in ALIASES.items()}


def alias_of(name: str) -> str | None:
    return ALIASES_BARE.get(bare(name))        # the built-in loss `name` is another name of, in any spelling


#: Keras' and torch's losses chainrule lacks: told so, not "did you mean" a loss with other gradients ('mae', 'mse')
#: (one spelling each: Keras' class names and torch's, 'MeanAbsoluteError', 'L1Loss', are these without '_', see `bare`)
OTHER_LOSSES = ("mae", "mean_absolute_error", "l1_loss", "huber", "huber_loss", "smooth_l1_loss", "hinge",
                "squared_hinge", "hinge_embedding_loss", "kld", "kl_divergence", "kl_div_loss", "kl_div", "poisson",
                "poisson_nll_loss", "log_cosh", "cosine_similarity", "mape", "mean_absolute_percentage_error", "msle",
                "mean_squared_logarithmic_error", "categorical_hinge", "binary_focal_crossentropy",
                "categorical_focal_crossentropy", "soft_margin_loss", "multilabel_soft_margin_loss",
                "multi_margin_loss", "cosine_embedding_loss", "margin_ranking_loss", "gaussian_nll_loss",
                "triplet_margin_loss", "ctc_loss", "dice", "tversky")
OTHER_BARE = frozenset(bare(name) for name in OTHER_LOSSES)


#: names of losses of log-probabilities (torch's NLLLoss): no chainrule layer outputs them
LOG_PROBABILITY_LOSSES = ("nll_loss", "nll")
LOG_PROBABILITY_BARE = frozenset(bare(name) for name in LOG_PROBABILITY_LOSSES)


def get_loss(loss: str | Loss | dict) -> Loss:
    """A Loss from a name ("sse", "mse", "binary_crossentropy", "categorical_crossentropy"), an instance, or Keras'
    config dict ({'class_name': 'BinaryCrossentropy', 'config': {...}}, its options checked as the class's)."""
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, dict) and {"class_name", "config"} <= set(loss) <= {"class_name", "config", "module",
                                                                            "registered_name"} \
            and isinstance(loss["config"], dict):
        name = loss["class_name"]
        key = (alias_of(name) or name.lower()) if isinstance(name, str) else None
        if key not in LOSSES:
            raise unknown_name("loss", name, sorted(LOSSES))
        refuse_options(name, LOSSES[key], loss["config"])        # named as written: MeanSquaredError, not MSE
        return LOSSES[key]()
    kind = loss if isinstance(loss, type) else type(loss)
    named = loss if isinstance(loss, str) else kind.__name__
    if bare(named) in LOG_PROBABILITY_BARE:
        raise UnknownNameError(f"loss={loss!r} is not known: torch's NLLLoss reads log-probabilities (a LogSoftmax "
                               "output), which no chainrule layer gives; LogSoftmax followed by NLLLoss is "
                               "CrossEntropyLoss, here activation='softmax' on the output layer with "
                               "loss='categorical_crossentropy' (the same numbers)")
    if not isinstance(loss, str) and alias_of(named):
        # its options that change the numbers are refused as the class refuses them: the name alone would drop them
        cls = LOSSES[alias_of(named) or ""]
        for k in ("weight", "pos_weight"):
            if getattr(loss, k, None) is not None and not isinstance(loss, type):
                raise ParameterError(f"{named}({k}=...) is not taken: " + _INSTEAD["weight"])
        read = ("reduction", "label_smoothing", "from_logits", "axis", "dtype")           # Keras' dtype too
        refuse_options(named, cls, {k: getattr(loss, k) for k in read if kind is not loss and hasattr(loss, k)})
        raise ValidationError(f"loss={named}{'' if kind is loss else '()'} is {kind.__module__.split('.')[0]}'s "
                              f"loss {'class' if kind is loss else 'object'}; chainrule takes a loss by name or as a "
                              f"chainrule Loss: give loss={named!r} (the mean over the batch: torch's "
                              "reduction='mean', Keras' 'sum_over_batch_size')")
    key = None if not isinstance(loss, str) else loss if loss in LOSSES else \
        alias_of(loss) or loss.lower()
    if key not in LOSSES and isinstance(key, str) and bare(key) in OTHER_BARE:
        raise UnknownNameError(f"loss={loss!r} is not known; expected one of {', '.join(sorted(LOSSES))}. {loss!r} is "
                               "another loss than these: write it as a Loss subclass and give it to cr.register_loss")
    if key not in LOSSES:
        raise unknown_name("loss", loss, sorted(LOSSES))
    return LOSSES[key]()


def l2_penalty(layers: Any, alpha: float, m: float) -> float:
    """MLPClassifier's alpha: 0.5 * alpha * sum(W**2) / m on the weights (not the biases); its gradient
    alpha * W / m is added to each layer's dW. m: the batch's rows, or its sample weights' sum (a batch
    whose weights are all 0 adds nothing). Returns the term of the error."""
    if not m:
        return 0.0
    total = 0.0
    for layer in layers:
        layer.dW += (alpha / m) * layer.W
        total += float(np.dot(layer.W.ravel(), layer.W.ravel()))
    return 0.5 * alpha * total / m
