"""Inference that leaves the training caches alone, so `predict` and `evaluate` may run while
`fit` trains the same network in another thread.

The fit loop's forward pass caches each layer's input, net input and output, and its backward
pass reads them (and reuses scratch buffers) a moment later. `outputs` computes the same numbers
with each layer's `infer`, which writes nothing to the layer; `Network.forward` and `backprop`,
which do fill the caches (for `explain`), refuse to run from another thread while a fit runs.
Weights are read as they are: a prediction during training sees the latest update.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..errors import ValidationError


def outputs(net: Any, X: Any, with_net: bool = False) -> Any:
    """The network's outputs for the checked inputs X (dropout off); with `with_net`, also the
    output layer's net input (the fused losses compute their value from it)."""
    a, last_net = X, None
    for i, layer in enumerate(net.layers):
        if with_net and i == len(net.layers) - 1 and hasattr(layer, "activation"):
            last_net, a = layer.infer(a, with_net=True)
        else:
            a = layer.infer(a)
    return (a, last_net) if with_net else a


@contextmanager
def fitting(net: Any, what: str = "fit") -> Iterator[None]:
    """Mark `net` as trained by the calling thread for the duration of a fit (or of train_steps)."""
    refuse_rebound(net)
    owner, holder = net._fit_thread, getattr(net, "_fit_what", "fit")
    if owner is not None and owner != threading.get_ident():
        raise ValidationError(f"{what} cannot start: this network is being trained by {holder} in another thread; "
                              f"train a copy (copy.deepcopy(net)) or wait for that {holder} to return")
    net._fit_thread, net._fit_what = threading.get_ident(), what
    try:
        yield
    finally:
        net._fit_thread, net._fit_what = owner, holder


def refuse_rebound(net: Any) -> None:
    """The layers' parameters must still be views of `net.params`: building a second Network from
    the same layer objects binds them to its buffers, and this one would train and save parameters
    that its layers no longer use (its fit changed nothing, its predict gave the other's outputs)."""
    for i, layer in enumerate(net.layers):
        for name, _ in layer.param_shapes():
            value = getattr(layer, name, None)          # a user's layer may keep its parameters otherwise
            if isinstance(value, np.ndarray) and value.base is not net.params:
                raise ValidationError(f"layer {i} ({layer!r}) now belongs to another Network built from the same "
                                      "layer objects, so this network's parameters no longer reach it. Build each "
                                      "network from layers of its own (copy.deepcopy(layers))")


def refuse_other_thread(net: Any) -> None:
    """A pass that fills the layers' caches must not run beside a fit in another thread (nor on
    layers another network took over: `refuse_rebound`, tested when this thread's fit or train_steps
    began, `fitting`, not again at each of its batches: the training step is the hot path)."""
    owner = net._fit_thread
    if owner == threading.get_ident():
        return
    refuse_rebound(net)
    if owner is not None:
        holder = getattr(net, "_fit_what", "fit")
        raise ValidationError(f"this network is being trained by {holder} in another thread, whose forward and "
                              "backward passes use the layers' caches; net.predict and net.evaluate are safe during "
                              f"training, forward, backprop, loss and gradients wait until {holder} returns")


def fresh(out: np.ndarray, net: Any) -> np.ndarray:
    """`out` itself when every layer's `infer` returns a new array, else a copy."""
    from .layers import Layer
    return out if all(type(layer).infer is not Layer.infer for layer in net.layers) else out.copy()
