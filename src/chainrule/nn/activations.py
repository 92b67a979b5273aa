"""Activation functions: the value, and the derivative read from the cached values.

Each activation turns a layer's net input `net` into its output `out`. Backpropagation
needs dout/dnet; for the sigmoid it is out * (1 - out) (the seeds' result (A)), so the
derivative is computed from the cached output and never re-evaluates the exponential.
"""
from __future__ import annotations

import inspect
import math
from typing import TypeVar

import numpy as np

from ..errors import UnknownNameError, ValidationError, unknown_name
from .checks import number

_C = TypeVar("_C", bound="type[Activation]")


class Activation:
    """Base class: `__call__` gives out = f(net); `derivative` gives f'(net) elementwise.

    A Dense takes one by name: "sigmoid", "tanh", "relu", "leaky_relu", "softmax", "linear" (torch.nn's class names
    too: "ReLU", "LeakyReLU", "Identity"), or a subclass's instance.

    Examples
    --------
    >>> import numpy as np, chainrule as cr
    >>> softmax = cr.Dense(2, 2, "softmax").activation
    >>> softmax(np.array([[0.0, np.log(3.0)]]))
    array([[0.25, 0.75]])
    >>> cr.Dense(2, 2, "LeakyReLU").activation                  # torch's slope
    LeakyReLU(alpha=0.01)
    """

    name = "activation"
    #: True when f'(net) is a diagonal (elementwise) Jacobian; softmax is the exception.
    elementwise = True

    def __call__(self, net: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, out: np.ndarray, net: np.ndarray) -> np.ndarray:
        """dout/dnet for each element, from the cached output (and net input where needed)."""
        raise NotImplementedError

    def backward(self, dout: np.ndarray, out: np.ndarray, net: np.ndarray) -> np.ndarray:
        """delta = dE/dnet from dE/dout: the chain rule through this activation."""
        return dout * self.derivative(out, net)

    def config(self) -> dict:
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sigmoid(Activation):
    """The logistic function 1 / (1 + e^-net), computed so: accurate to the last bits for every
    net (0.5 * (1 + tanh(net / 2)), used before, lost the small outputs: at net = -30 it was off
    by 1.7e-4 of the value, at -37 by 35%, in float64), and as fast (faster in float64). Below
    net = -709 (float32: -88) e^-net is infinite and the output 0, as it should be."""

    name = "sigmoid"

    def __call__(self, net):
        with np.errstate(over="ignore"):
            out = np.exp(-net)
        if not isinstance(out, np.ndarray) or out.ndim == 0:      # one number (a scalar, a 0-d array)
            return 1.0 / (1.0 + out)
        out += 1.0
        return np.reciprocal(out, out=out)

    def derivative(self, out, net):
        return out * (1.0 - out)


class Tanh(Activation):
    name = "tanh"

    def __call__(self, net):
        return np.tanh(net)

    def derivative(self, out, net):
        return 1.0 - out * out


def relu_backward(dout: np.ndarray, out: np.ndarray, into: np.ndarray | None = None) -> np.ndarray:
    """dout where the unit is on (out > 0, or NaN) and 0 where it is off, PyTorch's where(out <= 0, 0, dout):
    an off unit passes nothing, not even an infinite gradient. Computed as the product by the mask, its -0 made 0,
    5x faster than a masked copy; only where dout holds inf or NaN (0 * inf is NaN; a finite sum rules both out)
    are the off units set after."""
    on = np.less_equal(out, 0)
    np.logical_not(on, out=on)
    delta = np.multiply(dout, on, out=into)
    if np.isfinite(np.add.reduce(dout, axis=None)):
        return np.add(delta, 0, out=delta)         # -0.0 + 0 is 0
    np.copyto(delta, 0, where=~on)
    return delta


class ReLU(Activation):
    """max(net, 0); its backward is `relu_backward`. Its derivative is 1 where out > 0 or NaN, else 0 (at 0 too)."""

    name = "relu"

    def __call__(self, net):
        return np.maximum(net, 0.0)

    def derivative(self, out, net):
        # as relu_backward and torch: a NaN unit is on (1), so NaN reaches the gradient rather than a silent 0
        return np.logical_not(out <= 0).astype(out.dtype)

    def backward(self, dout, out, net):
        return relu_backward(dout, out)


class LeakyReLU(Activation):
    """max(net, alpha * net); the derivative is 1 for net > 0 and alpha otherwise.

    alpha is torch.nn.LeakyReLU's 0.01 unless given; Keras' activation='leaky_relu' slopes 0.2 and its LeakyReLU layer
    0.3 (Keras 3): a Keras user gives its slope, activation={'name': 'leaky_relu', 'alpha': 0.2}."""

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01):
        # a finite real number: NaN (from a damaged model file too) made every negative input NaN
        self.alpha = number(alpha, "leaky_relu alpha", low=-math.inf)

    def __call__(self, net):
        return np.where(net > 0, net, net * self.alpha)

    def derivative(self, out, net):
        return np.where(net > 0, 1.0, self.alpha).astype(out.dtype)

    def config(self):
        return {"name": self.name, "alpha": self.alpha}

    def __repr__(self):
        return f"LeakyReLU(alpha={self.alpha})"


class Linear(Activation):
    name = "linear"

    def __call__(self, net):
        return net

    def derivative(self, out, net):
        return np.ones_like(out)

    def backward(self, dout, out, net):
        return dout


class Softmax(Activation):
    """exp(net_k) / sum_j exp(net_j) over each row, shifted by the row maximum for stability.

    Its Jacobian is not diagonal: dE/dnet_k = out_k * (dE/dout_k - sum_j dE/dout_j * out_j).
    With categorical cross-entropy the network uses the fused delta (out - target) instead.
    """

    name = "softmax"
    elementwise = False

    def __call__(self, net):
        z = net - np.maximum.reduce(net, axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= np.add.reduce(z, axis=1, keepdims=True)
        return z

    def derivative(self, out, net):
        """The diagonal of the Jacobian, out_k * (1 - out_k) (the off-diagonal is -out_j * out_k)."""
        return out * (1.0 - out)

    def backward(self, dout, out, net):
        return out * (dout - (dout * out).sum(axis=1, keepdims=True))


ACTIVATIONS: dict[str, type[Activation]] = {cls.name: cls for cls in (Sigmoid, Tanh, ReLU, LeakyReLU, Softmax, Linear)}
#: the names of chainrule's own, before any register_activation
BUILT_IN = tuple(ACTIVATIONS)


def register_activation(cls: _C) -> _C:
    """Class decorator: make an Activation subclass known by its `name`, so that a network using
    it can be built by name, saved and loaded. A built-in name cannot be taken over.

    Examples
    --------
    softplus, log(1 + e^net), whose derivative is the sigmoid; gradcheck compares the gradients backpropagated
    through `derivative` with central differences of the loss (a wrong derivative gives 1e-2 or more):

    >>> import numpy as np, chainrule as cr
    >>> @cr.register_activation
    ... class SmoothReLU(cr.Activation):
    ...     name = "smooth_relu"
    ...     def __call__(self, net):
    ...         return np.logaddexp(0.0, net)
    ...     def derivative(self, out, net):
    ...         return 1.0 / (1.0 + np.exp(-net))
    >>> net = cr.Network([cr.Dense(3, 4, "smooth_relu", seed=0), cr.Dense(4, 1, seed=1)], loss="mse")
    >>> X, Y = np.random.default_rng(0).normal(size=(5, 3)), np.ones((5, 1))
    >>> cr.gradcheck(net, X, Y) < 1e-6
    True
    """
    if cls.name in ACTIVATIONS and ACTIVATIONS[cls.name] is not cls and ACTIVATIONS[cls.name].__module__ == __name__:
        raise ValidationError(f"activation name {cls.name!r} belongs to the built-in {ACTIVATIONS[cls.name].__name__}; "
                              "give your class another name")
    ACTIVATIONS[cls.name] = cls
    return cls


def get_activation(activation: str | Activation | dict | None) -> Activation:
    """An Activation from a name ("sigmoid", ...), a config dict, an instance, or None (linear)."""
    if activation is None:
        return Linear()
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, dict):
        params = dict(activation)
        name = params.pop("name", None)
        return _from_name(name, params)
    return _from_name(activation, {})


#: torch.nn's class names that are chainrule's activations under another name (LeakyReLU's slope 0.01 is alpha's)
ALIASES = {"leakyrelu": "leaky_relu", "identity": "linear"}
#: other frameworks' activations chainrule lacks: told so, not "did you mean" a different function
OTHER_FUNCTIONS = ("elu", "selu", "celu", "gelu", "silu", "swish", "mish", "softplus", "softsign", "relu6", "prelu",
                   "hard_tanh", "hard_sigmoid", "hard_swish", "exponential", "log_sigmoid", "softmin", "tanh_shrink",
                   "glu", "rrelu", "softmax2d", "hard_shrink", "soft_shrink", "threshold", "hard_silu", "sparsemax",
                   "squareplus", "sparse_plus")


def bare(name: str) -> str:
    """A name as torch's class, Keras' function and Keras' class all spell it: 'HardTanh', 'hard_tanh', 'hardtanh'."""
    return name.lower().replace("_", "")


#: OTHER_FUNCTIONS in every spelling: one table, matched with `bare`
OTHER_BARE = frozenset(bare(name) for name in OTHER_FUNCTIONS)


def _unknown(name: object) -> UnknownNameError:
    key = name.lower() if isinstance(name, str) else ""
    known = f"activation={name!r} is not known; expected one of {', '.join(sorted(ACTIVATIONS))}"
    if key in ("logsoftmax", "log_softmax"):
        return UnknownNameError(f"{known}. No layer outputs log-probabilities: torch's "
                                "LogSoftmax followed by NLLLoss is here activation='softmax' on the output layer with "
                                "loss='categorical_crossentropy' (the same numbers)")
    if bare(key) in OTHER_BARE:
        return UnknownNameError(f"{known}. {name!r} is another function than these: write it as "
                                "an Activation subclass and give it to cr.register_activation")
    return unknown_name("activation", name, sorted(ACTIVATIONS))


def _from_name(name, params) -> Activation:
    if isinstance(name, str) and name not in ACTIVATIONS and name.lower() == "linear" and name != "linear":
        raise UnknownNameError(f"activation={name!r} is not known; expected one of {', '.join(sorted(ACTIVATIONS))}. "
                               "torch's nn.Linear is a layer (chainrule's Dense itself), not an activation: for none "
                               "(the identity) give 'linear', Keras' name and a Dense's default")
    # a registered name as written ('MyAct'), then a built-in in any case ('ReLU'), then another framework's name (a
    # registered "identity" is the user's own)
    key = None if not isinstance(name, str) else name if name in ACTIVATIONS else \
        name.lower() if name.lower() in ACTIVATIONS else ALIASES.get(name.lower())
    if key not in ACTIVATIONS:
        raise _unknown(name)
    cls = ACTIVATIONS[key]
    try:
        inspect.signature(cls).bind(**params)
    except TypeError:
        accepted = [p for p in inspect.signature(cls).parameters if p not in ("args", "kwargs")]
        takes = f"the parameters {accepted}" if accepted else "no parameters"
        raise ValidationError(f"activation {name!r} takes {takes}; got {sorted(params)}") from None
    return cls(**params)
