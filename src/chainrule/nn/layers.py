"""Layers: Dense (the seeds' neurons, vectorized) and Dropout.

A Dense layer with input a_prev (n_samples x n_in), weights W (n_in x n_out) and bias b (n_out,):

    net = a_prev @ W + b            out = f(net)
    delta = dE/dnet = dE/dout * f'(net)
    dE/dW = a_prev.T @ delta        dE/db = delta summed over samples
    dE/da_prev = delta @ W.T        (what the layer below receives)

The 1/n_samples of the batch mean is already inside delta (the loss puts it there once).
Entries of delta too small to matter are set to zero (`flush_small`): kept, they would slow
every product they enter.
Forward caches a_prev, net and out; backward caches dE/dout and delta. The explanation
and the diagnostics read these caches: they never recompute the math.
"""
from __future__ import annotations

import functools
import numbers
from typing import Any

import numpy as np

from ..backend import kernels
from ..errors import ChainruleTypeError, ValidationError
from . import initializers, sparse
from .activations import Activation, ReLU, get_activation, relu_backward
from .layer import LAYERS, Layer, layer_from_config, register_layer  # noqa: F401 (nn.layers' names)
from .other_frameworks import instead_of, keras_dense  # noqa: F401 (instead_of: nn.layers' name)
from .predict import in_place


def flush_small(delta: np.ndarray) -> np.ndarray:
    """delta with its entries under `kernels.flush_below` set to zero, in place (a negative one to
    -0, as d * 0 gives; NaN and infinity stay): such an entry is 1e-24 of a typical one, too small
    to change any sum it enters, and kept it would slow every product it enters (`kernels.FLUSH_BINADES`)."""
    # d * (|d| >= tau): d, or d * 0 (a NaN stays NaN); 14x faster than a masked multiply (where=)
    np.multiply(delta, np.abs(delta) >= kernels.flush_below(delta.dtype), out=delta)
    return delta


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ChainruleTypeError(f"Dense: {name} must be a positive integer; got {value!r} ({type(value).__name__})")
    if value < 1:
        raise ValidationError(f"Dense: {name} must be a positive integer; got {value}")
    return int(value)


@register_layer
class Dense(Layer):
    """A fully connected layer: out = f(a_prev @ W + b).

    Parameters
    ----------
    n_in, n_out : int
        Inputs and neurons. W has shape (n_in, n_out): W[i, j] connects input i to neuron j.
    activation : str or Activation
        "sigmoid", "tanh", "relu", "leaky_relu", "softmax" or "linear" (the default).
    trainable : bool or dict
        False freezes the layer; {"W": True, "b": False} freezes one parameter. Frozen
        parameters still get gradients (`Network.gradients`); updates skip them.
    weight_init, bias_init : str, number, function or array
        "auto" (He for ReLU-like, Glorot uniform otherwise), any name of `chainrule.init`,
        a constant, a function (shape, rng) -> array, or the values themselves.
    seed : int, optional
        Seed of the initial weights (a Network built with `seed=` redraws them from its own).

    Examples
    --------
    >>> import numpy as np
    >>> layer = Dense(2, 2, activation="sigmoid", bias_init=0.35)
    >>> layer.W[...] = [[0.15, 0.25], [0.20, 0.30]]
    >>> layer.forward(np.array([[0.05, 0.10]])).round(4)      # the seeds' hidden outputs
    array([[0.5933, 0.5969]])
    >>> Dense(2, 2, "ReLU")                                 # torch.nn's names of activations are taken
    Dense(2, 2, activation='relu')
    """

    param_names = ("W", "b")
    _no_bias = False        # read from a layer without a bias (mlp.dense_layer): to_torch gives none (flat.bias_free)
    config_only = ("no_bias",)          # a config key that is no argument: the mark, kept by save and load
    n_in: int
    n_out: int

    def __init__(self, n_in: int | None = None, n_out: int | None = None, activation: str | Activation = "linear",
                 *, trainable: bool | dict = True, weight_init: Any = "auto", bias_init: Any = "zeros",
                 seed: int | None = None, **keras: Any):
        if isinstance(n_out, str) and activation == "linear":        # Keras' Dense(10, "relu")
            n_out, activation = None, n_out
        if n_in is None or n_out is None or keras:
            raise keras_dense(n_in, n_out, activation, keras)
        self.n_in = _positive_int(n_in, "n_in")
        self.n_out = _positive_int(n_out, "n_out")
        self.activation = get_activation(activation)
        self._inits = {"W": initializers.resolve(weight_init, self.activation.name, "weight_init"),
                       "b": initializers.resolve(bias_init, self.activation.name, "bias_init")}
        self._trainable = {"W": True, "b": True}
        self.trainable = trainable
        try:
            self._W = np.zeros((self.n_in, self.n_out))
        except MemoryError:
            gib = self.n_in * self.n_out * 8 / 2**30
            raise ValidationError(f"Dense({self.n_in}, {self.n_out}) needs {gib:.1f} GiB "
                                  "for its weights, more memory than there is") from None
        self._b = np.zeros(self.n_out)
        self.dW = np.zeros_like(self._W)
        self.db = np.zeros_like(self._b)
        self.initialize(np.random.default_rng(seed))
        self.clear_cache()

    # -- parameters -------------------------------------------------------------------------
    @property
    def W(self) -> np.ndarray:
        """Weights, shape (n_in, n_out). Assign in place (`layer.W[...] = ...`) or with `layer.W = ...`."""
        return self._W

    @W.setter
    def W(self, value) -> None:
        self._set("W", self._W, value)

    @property
    def b(self) -> np.ndarray:
        """Biases, shape (n_out,)."""
        return self._b

    @b.setter
    def b(self, value) -> None:
        self._set("b", self._b, value)

    @staticmethod
    def _set(name, target, value):
        value = np.asarray(value)
        try:
            target[...] = value
        except ValueError:
            raise ValidationError(f"{name}: expected an array of shape {target.shape}, "
                                  f"got shape {value.shape}") from None

    @property
    def trainable(self) -> bool:
        """True when every parameter learns; see `trainable_params` for each one."""
        return all(self._trainable.values())

    @trainable.setter
    def trainable(self, value) -> None:
        if isinstance(value, dict):
            unknown = set(value) - set(self.param_names)
            if unknown:
                raise ValidationError(f"trainable: unknown parameter {sorted(unknown)}; "
                                      f"expected keys among {list(self.param_names)}")
            wrong = {k: v for k, v in value.items() if not isinstance(v, (bool, np.bool_))}
            if wrong:      # a string such as "no" must not read as True
                raise ChainruleTypeError(f"trainable: each value must be True or False; got {wrong}")
            self._trainable.update({k: bool(v) for k, v in value.items()})
        elif isinstance(value, (bool, np.bool_)):
            self._trainable = {k: bool(value) for k in self.param_names}
        else:
            raise ChainruleTypeError("trainable must be a bool or a dict like {'W': True, 'b': False}; "
                                     f"got {value!r}")

    @property
    def trainable_params(self) -> dict[str, bool]:
        return dict(self._trainable)

    def freeze(self, *names: str) -> Dense:
        """Exclude parameters ("W", "b"; all when none is named) from learning."""
        self.trainable = {n: False for n in (names or self.param_names)}
        return self

    def unfreeze(self, *names: str) -> Dense:
        self.trainable = {n: True for n in (names or self.param_names)}
        return self

    def param_shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        return [("W", (self.n_in, self.n_out)), ("b", (self.n_out,))]

    def initialize(self, rng: np.random.Generator) -> None:
        for name, shape in self.param_shapes():
            init = self._inits[name]
            if name == "b" and init is initializers.torch_default:      # torch's bias bound is its weight's
                init = functools.partial(initializers.torch_default, fan_in=self.n_in)
            getattr(self, name)[...] = initializers.initial_values(init, shape, rng, name)

    def bind(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        params["W"][...] = self._W
        params["b"][...] = self._b
        self._W, self._b, self.dW, self.db = params["W"], params["b"], grads["W"], grads["b"]

    # -- the pass ---------------------------------------------------------------------------
    def clear_cache(self) -> None:
        self.x = self.net = self.out = self.dout = self.delta = None

    def forward(self, x: Any, training: bool = False) -> np.ndarray:
        """out = f(x @ W + b); caches x, net and out. In training (`training=True`, the fit loop)
        net, a ReLU's out and the backward pass's arrays are written into buffers reused from
        batch to batch (same values, no allocation): they hold the latest training batch.
        A sparse (CSR) x, the first layer's input only, gives the same numbers (`nn.sparse`)."""
        is_sparse = sparse.is_sparse(x)
        if training:
            buf = self._training_buffers(x.shape[0], x.dtype)
            net = sparse.matmul(x, self._W, buf["net"]) if is_sparse else np.matmul(x, self._W, out=buf["net"])
            if type(self.activation) is not ReLU:    # the built-in ReLU only: a subclass runs its own code
                net += self._b
                out = self.activation(net)
            elif kernels.fused_ok(net):          # the same two passes fused into one (Numba)
                out = kernels.bias_relu(net, self._b, buf["out"])
            else:
                net += self._b
                out = np.maximum(net, 0.0, out=buf["out"])
        else:
            buf = None
            net = sparse.matmul(x, self._W) if is_sparse else x @ self._W
            net += self._b
            out = self.activation(net)
        self._buf = buf
        self.x, self.net, self.out = x, net, out
        return out

    def infer(self, x: Any, with_net: bool = False) -> Any:
        """out = f(x @ W + b) as `forward` computes it, without caching (`Layer.infer`); with
        `with_net`, (net, out)."""
        net = sparse.matmul(x, self._W) if sparse.is_sparse(x) else x @ self._W
        net += self._b
        out = self.activation(net)
        return (net, out) if with_net else out

    _plain_infer = infer        # predict calls infer_into only where infer is this one (not overridden)

    def infer_into(self, x: Any, out: np.ndarray) -> np.ndarray:
        """`infer` computed in `out` (a buffer of the output's shape), the built-in activations in place there."""
        return in_place(self.activation, self.net_into(x, out))

    def net_into(self, x: Any, out: np.ndarray) -> np.ndarray:
        """The net input x @ W + b computed in `out` (`predict` checks it before the activation)."""
        net = sparse.matmul(x, self._W, out) if sparse.is_sparse(x) else np.matmul(x, self._W, out=out)
        net += self._b
        return net

    def __getstate__(self) -> dict:
        """Pickle the parameters, not the caches and training buffers (views that would come back
        as unrelated copies)."""
        state = self.__dict__.copy()
        state.pop("_bufs", None)
        state.pop("_buf", None)
        state.update(x=None, net=None, out=None, dout=None, delta=None)
        return state

    def _training_buffers(self, m: int, dtype) -> dict:
        bufs = getattr(self, "_bufs", None)
        if bufs is None or bufs["net"].base.shape[0] < m or bufs["net"].dtype != dtype:
            full = {"net": (m, self.n_out), "out": (m, self.n_out), "delta": (m, self.n_out), "dx": (m, self.n_in)}
            bufs = {k: np.empty(shape, dtype=dtype)[:m] for k, shape in full.items()}
        elif bufs["net"].shape[0] != m:
            bufs = {k: v.base[:m] for k, v in bufs.items()}
        self._bufs = bufs
        return bufs

    def backward(self, dout: Any, need_input_grad: bool = True) -> np.ndarray | None:
        """From dE/dout to delta = dE/dnet (chain rule through f), then as `backward_delta`."""
        self.dout = dout
        buf = getattr(self, "_buf", None)
        if buf is not None and type(self.activation) is ReLU and buf["out"] is self.out:
            if kernels.fused_ok(dout) and dout.shape == self.out.shape:
                # = ReLU.backward and the bias gradient in one pass (Numba); then dW and dE/da_prev
                self.delta = delta = kernels.relu_backward(dout, self.out, buf["delta"], self.db,
                                                           kernels.flush_below(dout.dtype))
                self._weight_gradient(delta)
                if not need_input_grad:
                    return None
                return np.matmul(delta, self._W.T, out=buf["dx"])
            delta = relu_backward(dout, self.out, into=buf["delta"])
        else:
            delta = self.activation.backward(dout, self.out, self.net)
        return self.backward_delta(delta, need_input_grad)

    def backward_delta(self, delta: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """Given delta = dE/dnet: dE/dW, dE/db into the gradient buffers; return dE/da_prev.
        delta's entries too small to matter are set to zero first, in place (`flush_small`)."""
        self.delta = delta = flush_small(delta)
        self._weight_gradient(delta)
        np.add.reduce(delta, axis=0, out=self.db)
        if not need_input_grad:
            return None
        buf = getattr(self, "_buf", None)
        if buf is not None and buf["net"] is self.net and delta.shape[0] == buf["dx"].shape[0]:
            return np.matmul(delta, self._W.T, out=buf["dx"])
        return delta @ self._W.T

    def _weight_gradient(self, delta) -> None:
        """dE/dW = a_prev.T @ delta, into the gradient buffer."""
        if sparse.is_sparse(self.x):
            sparse.matmul_t(self.x, delta, self.dW)
        else:
            np.matmul(self.x.T, delta, out=self.dW)

    def config(self) -> dict:
        return {"type": "Dense", "n_in": self.n_in, "n_out": self.n_out,
                "activation": self.activation.config(), "trainable": self.trainable_params,
                **({"no_bias": True} if self._no_bias else {})}      # only then: older files and readers as they were

    @classmethod
    def from_config(cls, cfg: dict) -> Dense:
        cfg = dict(cfg)
        no_bias = cfg.pop("no_bias", False)
        if no_bias is not True and no_bias is not False:
            raise ValidationError(f"Dense config: no_bias must be true or false; got {no_bias!r}")
        layer = cls(cfg.pop("n_in"), cfg.pop("n_out"), activation=cfg.pop("activation"),
                    trainable=cfg.pop("trainable", True), weight_init="zeros", **cfg)
        layer._no_bias = no_bias
        return layer

    @classmethod
    def n_params_of(cls, cfg: dict) -> int:
        n_in, n_out = (_positive_int(cfg.get(k), k) for k in ("n_in", "n_out"))
        return n_in * n_out + n_out

    def __repr__(self):
        frozen = "" if self.trainable else f", trainable={self.trainable_params}"
        cfg = self.activation.config()     # with its parameters (leaky_relu's alpha), as Dense accepts it
        act = cfg if set(cfg) - {"name"} else self.activation.name
        return f"Dense({self.n_in}, {self.n_out}, activation={act!r}{frozen})"
