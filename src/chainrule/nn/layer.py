"""What the Network asks of a layer (`Layer`), and the registry by which a saved file names each layer's
class: the contract apart from Dense's formulas, so that Dropout and a user's layer build on it alone.
"""
from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

from ..errors import ValidationError

_C = TypeVar("_C", bound="type[Layer]")


LAYERS: dict[str, type[Layer]] = {}


def register_layer(cls: _C) -> _C:
    """Class decorator: make a Layer subclass savable and loadable by its class name. A built-in
    name (Dense, Dropout) cannot be taken over: every saved network would load with the new class.

    Examples
    --------
    A layer without parameters that squares its inputs: its `backward` gives dE/dx = dout * 2x, and gradcheck
    compares the first Dense's backpropagated gradients, which pass through it, with central differences:

    >>> import numpy as np, chainrule as cr
    >>> @cr.register_layer
    ... class Square(cr.Layer):
    ...     def forward(self, x, training=False):
    ...         self.x = x
    ...         self.n_in = self.n_out = x.shape[1]
    ...         return x * x
    ...     def backward(self, dout, need_input_grad=True):
    ...         return dout * 2.0 * self.x if need_input_grad else None
    ...     def config(self):
    ...         return {"type": "Square"}
    >>> net = cr.Network([cr.Dense(3, 4, seed=0), Square(), cr.Dense(4, 1, seed=1)], loss="mse")
    >>> X, Y = np.random.default_rng(0).normal(size=(5, 3)), np.ones((5, 1))
    >>> cr.gradcheck(net, X, Y) < 1e-6
    True
    """
    old = LAYERS.get(cls.__name__)
    if old is not None and old is not cls and old.__module__.startswith("chainrule.nn."):
        raise ValidationError(f"layer name {cls.__name__!r} belongs to the built-in {old.__name__}; give your class "
                              "another name")
    LAYERS[cls.__name__] = cls
    return cls


class Layer:
    """What the Network asks of a layer.

    forward(x, training) -> out, caching what backward needs; backward(dout, need_input_grad)
    -> dE/dx (None when not needed), writing the parameters' gradients into `grads_of(name)`.
    Parameters are declared by `param_shapes()`; the Network allocates one flat buffer and hands
    each layer views of it with `bind`. `config()` gives the constructor arguments that rebuild the
    layer with `from_config` (the saved architecture); a subclass registered with `register_layer`
    saves and loads like a built-in one.
    """

    n_in: int | None = None
    n_out: int | None = None

    # caches of the last pass, read by explain and the diagnostics (None before a pass)
    x: Any = None
    net: Any = None
    out: Any = None
    dout: Any = None
    delta: Any = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def infer(self, x: np.ndarray) -> np.ndarray:
        """The output for x with dropout off, writing nothing to the layer (no cache, no buffer), so
        that predict may run while fit trains in another thread. A layer that does not override
        it runs `forward(x, False)`, which fills its caches."""
        return self.forward(x, False)

    def backward(self, dout: Any, need_input_grad: bool = True) -> np.ndarray | None:
        raise NotImplementedError

    def param_shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        """[(name, shape), ...] of the parameter arrays, in the order of the flat buffer."""
        return []

    def get_weights(self) -> list[np.ndarray]:
        """Copies of this layer's parameter arrays (Keras' Layer.get_weights: a Dense's W (in, out), then b)."""
        return [np.array(getattr(self, name)) for name, _ in self.param_shapes()]

    def set_weights(self, weights: Any) -> None:
        """Set this layer's parameter arrays from a list like `get_weights()` returns (Keras' Layer.set_weights),
        all checked before any is set; in a network, its weights change with them."""
        from .checks import weight_arrays
        names = [name for name, _ in self.param_shapes()]
        shapes = [(f"{name} of {self!r}", tuple(shape)) for name, shape in self.param_shapes()]
        dtype = getattr(self, names[0]).dtype if names else np.dtype(np.float64)
        owner = f"set_weights of {self!r}"      # the count's message names the layer, as Keras' does
        for name, w in zip(names, weight_arrays(weights, shapes, dtype, owner)):
            getattr(self, name)[...] = w

    @property
    def trainable_params(self) -> dict[str, bool]:
        """{name: learns?} for each parameter."""
        return {}

    def bind(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Make the parameters and their gradients views of the network's flat buffers (the
        current values are copied in first)."""

    def initialize(self, rng: np.random.Generator) -> None:
        """Draw fresh starting values (a layer without parameters has nothing to draw)."""

    def config(self) -> dict:
        """The arguments that rebuild this layer (without its parameter values), plus "type"."""
        raise NotImplementedError

    @classmethod
    def from_config(cls, cfg: dict) -> Layer:
        return cls(**cfg)

    @classmethod
    def n_params_of(cls, cfg: dict) -> int:
        """How many parameters a layer of this config holds, computed without building it (so
        that a crafted file is refused before any allocation)."""
        return 0


def layer_from_config(cfg: dict) -> Layer:
    """Rebuild a layer from `config()` through the registry of layer classes."""
    if not isinstance(cfg, dict):
        raise ValidationError(f"a layer description must be a dict; got {type(cfg).__name__}")
    cfg = dict(cfg)
    kind = cfg.pop("type", None)
    if kind not in LAYERS:
        raise ValidationError(f"layer type {kind!r} is not known; expected one of {sorted(LAYERS)}")
    try:
        return LAYERS[kind].from_config(cfg)
    except TypeError as exc:
        raise ValidationError(f"layer type {kind!r}: invalid arguments {sorted(cfg)}: {exc}") from None
