"""Dropout: in training, zero each input with probability `rate` and scale the rest by
1 / (1 - rate) (inverted dropout), so that prediction needs no change: there it is the identity."""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..errors import ValidationError
from . import sparse
from .layers import Layer, register_layer


@register_layer
class Dropout(Layer):
    """Inverted dropout: in training, zero each input with probability `rate` and scale the
    rest by 1 / (1 - rate), so nothing changes at prediction time (where it is the identity).

    Examples
    --------
    >>> import numpy as np, chainrule as cr
    >>> drop = cr.Dropout(0.25)
    >>> drop.forward(np.ones((1, 4)))                            # predicting: the identity
    array([[1., 1., 1., 1.]])
    >>> sorted(set(drop.forward(np.ones((50, 4)), training=True).ravel().tolist()))    # training: 0 or 4/3
    [0.0, 1.3333333333333333]
    >>> net = cr.Network([cr.Dense(4, 8, "relu"), cr.Dropout(0.25), cr.Dense(8, 1)], loss="mse")
    """

    def __init__(self, rate: float) -> None:
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0.0 <= rate < 1.0:
            raise ValidationError(f"rate must be a number in [0, 1); got {rate!r}")
        self.rate: float = float(rate)
        self.rng: np.random.Generator = np.random.default_rng()
        self.mask: np.ndarray | None = None

    def forward(self, x: Any, training: bool = False) -> Any:
        if not training or self.rate == 0.0:
            self.mask = None
            return x
        keep = 1.0 - self.rate
        self.mask = (self.rng.random(x.shape) < keep).astype(x.dtype)
        self.mask *= 1.0 / keep
        return sparse.multiply(x, self.mask) if sparse.is_sparse(x) else x * self.mask

    def __getstate__(self) -> dict:
        """Pickle the rate and generator, not the last batch's mask (a cache of its size)."""
        return {**self.__dict__, "mask": None}

    def infer(self, x: Any) -> Any:
        return x

    def backward(self, dout: Any, need_input_grad: bool = True) -> Any:
        if dout is None or not need_input_grad:     # dropout on the inputs: nothing below it learns
            return None
        return dout if self.mask is None else dout * self.mask

    def config(self) -> dict:
        return {"type": "Dropout", "rate": self.rate}

    @property
    def trainable_params(self) -> dict[str, bool]:
        return {}

    def __repr__(self) -> str:
        return f"Dropout({self.rate})"
