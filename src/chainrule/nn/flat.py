"""The network's one flat parameter vector and its gradient twin: every layer's W and b are views
into them (so an optimizer updates the whole network in a few vectorized calls, and saving, loading
and checkpointing copy one array), and the parts of them that learn."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .layers import Dense, Layer
from .losses import fuses

if TYPE_CHECKING:
    from .network import Network


def build_buffers(net: Network) -> None:
    """Allocate `params` and `grads` for the network's layers and bind each layer's arrays to views of them."""
    shapes = [(layer, name, shape) for layer in net.layers for name, shape in layer.param_shapes()]
    total = sum(int(np.prod(shape)) for _, _, shape in shapes)
    net.params = np.empty(total, dtype=net.dtype)
    net.grads = np.zeros(total, dtype=net.dtype)
    #: (layer, parameter name, start, stop) of every parameter array in the flat vectors
    net.segments = []
    offset = 0
    views: dict[int, tuple[dict, dict]] = {}
    for layer, name, shape in shapes:
        size = int(np.prod(shape))
        p, g = views.setdefault(id(layer), ({}, {}))
        p[name] = net.params[offset:offset + size].reshape(shape)
        g[name] = net.grads[offset:offset + size].reshape(shape)
        net.segments.append((layer, name, offset, offset + size))
        offset += size
    for layer in net.layers:
        if id(layer) in views:
            layer.bind(*views[id(layer)])
    # a layer needs dE/d(input) only when some layer below it has parameters
    below, net._need_input_grad = False, []
    for layer in net.layers:
        net._need_input_grad.append(below)
        below = below or bool(layer.param_shapes())
    last = net.layers[-1]
    #: True when the output layer's activation and the loss give delta = (out - target) / n directly
    net.fused_output = isinstance(last, Dense) and fuses(net.loss_function, last.activation)


def trainable_slices(segments: list[tuple[Layer, str, int, int]], size: int) -> list[slice]:
    """The parts of the flat vector (`size` numbers) that learn (frozen parameters left out), merged if adjacent."""
    slices: list[list[int]] = []
    for layer, name, start, stop in segments:
        if layer.trainable_params.get(name, True):
            if slices and slices[-1][1] == start:
                slices[-1][1] = stop
            else:
                slices.append([start, stop])
    if slices == [[0, size]]:
        return [slice(None)]          # everything learns: the optimizer updates the whole vector
    return [slice(a, b) for a, b in slices]


def bias_free(layer: Dense) -> bool:
    """Whether the layer was built without a bias, so that an exporter writes it without one again: its bias frozen
    and zero, and either the bias alone frozen (Dense's form of a layer without one) or the layer read from a source
    without one (`dense_layer` marks torch's `Linear(bias=False)`, Keras' `use_bias=False`). A layer frozen whole
    whose bias is zero keeps its bias: unfrozen, it learns one."""
    frozen = layer.trainable_params
    return not frozen["b"] and not np.any(layer.b) and (frozen["W"] or layer._no_bias)


def torch_order(net: Network) -> list[int]:
    """chainrule's index (W, b, W, b, ... as `get_weights`) of each parameter of `to_torch(net)`, in torch's
    order: a bias-free layer's Linear has its weight alone."""
    order: list[int] = []
    for k, layer in enumerate(net.dense_layers):
        order.extend([2 * k] if bias_free(layer) else [2 * k, 2 * k + 1])
    return order
