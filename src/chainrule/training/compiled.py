"""Which parts of training run compiled: a table from exact built-in classes to kernel ids.

The compiled epoch (`backend.kernels.epoch`) implements the built-in Dense layer, activations,
losses and the SGD/Adam updates. It is chosen only when every class in the network and the
optimizer is exactly one of those in the tables below: never by name, never by isinstance, so a
user's subclass (or a new activation, loss, layer or optimizer) always runs its own Python code
on the NumPy path, which is the reference the kernels are tested against.
"""
from __future__ import annotations

import numpy as np

from ..backend import kernels
from ..nn.activations import Linear, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from ..nn.layers import Dense
from ..nn.losses import MSE, SSE, BinaryCrossentropy, CategoricalCrossentropy
from .optim import SGD, Adam, AdamW

ACTIVATION_KERNELS = {Linear: 0, Sigmoid: 1, Tanh: 2, ReLU: 3, LeakyReLU: 4, Softmax: 5}
LOSS_KERNELS = {SSE: 0, MSE: 1, BinaryCrossentropy: 2, CategoricalCrossentropy: 3}
OPTIMIZER_KERNELS = {SGD: 0, Adam: 1, AdamW: 1}
LAYER_KERNELS = {Dense}


def epoch_plan(net, optimizer) -> tuple | None:
    """The static arguments of the compiled epoch for `net` and `optimizer`, or None where it does
    not apply (then the fit loop runs its NumPy code, the reference)."""
    if not kernels.ENABLED or net.n_params > kernels.MAX_EPOCH_PARAMS:
        return None
    layers = net.layers
    if not all(type(layer) in LAYER_KERNELS for layer in layers):
        return None
    acts = [ACTIVATION_KERNELS.get(type(layer.activation)) for layer in layers]
    loss_id = LOSS_KERNELS.get(type(net.loss_function))
    opt_id = OPTIMIZER_KERNELS.get(type(optimizer))
    if None in acts or loss_id is None or opt_id is None or 5 in acts[:-1]:
        return None
    fused = net.fused_output
    if (loss_id in (2, 3) or acts[-1] == 5) and not fused:
        return None                    # the kernel has these losses and the softmax only in fused form
    if optimizer.clip_norm is not None or getattr(optimizer, "amsgrad", False):
        return None
    if not kernels.load():
        return None
    w_offsets = [start for layer, name, start, _ in net.segments if name == "W"]
    layout = np.array([[layer.n_in, layer.n_out, a, a + layer.n_in * layer.n_out]
                       for layer, a in zip(layers, w_offsets)], dtype=np.int64)
    alpha = np.array([getattr(layer.activation, "alpha", 0.0) for layer in layers], dtype=net.dtype)
    return layout, np.array(acts, dtype=np.int64), alpha, loss_id, fused, opt_id


def run_epoch(net, optimizer, plan: tuple, X: np.ndarray, Y: np.ndarray, order: np.ndarray, batch_size: int,
              labels: np.ndarray | None, slices: list[slice]) -> tuple[np.ndarray, float, int]:
    """One compiled epoch over the batches of `order`, updating only inside `slices`: returns
    (per-batch errors, correct predictions, index of a diverging batch or -1)."""
    layout, acts, alpha, loss_id, fused, opt_id = plan
    optimizer._ensure_state(net.params)
    state = optimizer.state
    s1 = state.get("momentum_buffer", state.get("exp_avg", net.params[:0]))
    s2 = state.get("exp_avg_sq", net.params[:0])
    bounds = np.array([s.indices(net.n_params)[:2] for s in slices], dtype=np.int64).reshape(-1, 2)
    b1, b2 = getattr(optimizer, "betas", (0.0, 0.0))
    X = np.ascontiguousarray(X, dtype=net.dtype)   # the dtype and layout the kernel was compiled for
    Y = np.ascontiguousarray(Y, dtype=net.dtype)
    losses, correct, bad = kernels.epoch(
        net.params, net.grads, layout, acts, alpha, loss_id, fused, X, Y, order, batch_size,
        labels if labels is not None else np.zeros(1, np.int64),
        opt_id=opt_id, lr=optimizer.lr, momentum=getattr(optimizer, "momentum", 0.0),
        dampening=getattr(optimizer, "dampening", 0.0), nesterov=getattr(optimizer, "nesterov", False),
        wd=optimizer.weight_decay, b1=b1, b2=b2, eps=getattr(optimizer, "eps", 0.0),
        decoupled=bool(getattr(optimizer, "decoupled", False)), t=optimizer.t, s1=s1, s2=s2, bounds=bounds)
    optimizer.t += len(losses)
    return losses, correct, bad
