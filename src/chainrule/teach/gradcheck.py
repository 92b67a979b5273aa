"""Numerical gradients: the independent check of backpropagation.

dE/dw ~ (E(w + eps) - E(w - eps)) / (2 eps) for every parameter, compared with the
analytic gradients the engine computes.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ..errors import ChainruleTypeError
from ..nn.checks import number

if TYPE_CHECKING:
    from ..nn.network import Network


def _network(net) -> None:
    from ..nn.network import Network
    if not isinstance(net, Network):
        raise ChainruleTypeError(f"net must be a chainrule Network; got {type(net).__name__}")


def numerical_gradients(net: Network, X: ArrayLike, Y: ArrayLike, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the loss with respect to every parameter (flat, like `net.params`)."""
    _network(net)
    eps = number(eps, "eps", low_inclusive=False)
    X, Y = net.check_data(X, Y)
    grads = np.zeros(net.n_params)
    saved = net.params.copy()
    try:
        for i in range(net.n_params):
            net.params[i] = saved[i] + eps
            plus = net.loss_value(net.run_forward(X), Y)
            net.params[i] = saved[i] - eps
            minus = net.loss_value(net.run_forward(X), Y)
            net.params[i] = saved[i]
            grads[i] = (plus - minus) / (2 * eps)
    finally:
        net.params[...] = saved
    return grads


def gradcheck(net: Network, X: ArrayLike, Y: ArrayLike, eps: float = 1e-6, floor: float = 1e-5) -> float:
    """Max relative error between analytic and central-difference gradients.

    Relative error |a - n| / max(|a| + |n|, floor): 1e-5 or less means backpropagation is
    right; a wrong derivative gives 1e-2 or more. Central differences carry a rounding error of
    about 1e-16 * E / eps = 1e-10, so gradients smaller than `floor` (1e-5) are compared relative
    to `floor`. float32 networks are checked in float64 copies of themselves.

    Examples
    --------
    >>> import chainrule as cr
    >>> net, X, Y, lr = cr.examples.seed_network()
    >>> cr.gradcheck(net, X, Y) < 1e-7
    True
    """
    _network(net)
    eps = number(eps, "eps", low_inclusive=False)
    floor = number(floor, "floor", low_inclusive=False)
    if net.dtype != np.float64:
        from ..nn.layers import layer_from_config
        from ..nn.network import Network
        copy = Network([layer_from_config(c) for c in net.config()["layers"]], loss=net.loss_function,
                       dtype="float64")
        copy.params[...] = net.params
        net = copy
    net.backprop(X, Y)
    analytic = net.grads.copy()
    numeric = numerical_gradients(net, X, Y, eps)
    denom = np.maximum(np.abs(analytic) + np.abs(numeric), floor)
    return float(np.max(np.abs(analytic - numeric) / denom))
