"""Building blocks of the importers: a Network assembled from another library's dense layers.

Each importer reads the layers in order into [(layer, (W, b) or None)]: a Dense layer per
matrix product, its activation attached by the next element, Dropout as it is. The weights are
copied in after the Network has made its flat parameter buffer.
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..errors import ValidationError
from ..nn.activations import LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from ..nn.dropout import Dropout
from ..nn.layers import Dense
from ..nn.network import Network
from .npz import non_finite

#: the exact class of each built-in activation (a subclass may compute something else)
BUILTIN_ACTIVATIONS: dict[str, type] = {cls.name: cls for cls in (Sigmoid, Tanh, ReLU, LeakyReLU, Softmax, Linear)}
SUPPORTED = "sigmoid, tanh, relu, leaky_relu, softmax, linear"
#: what to do with a network of NaN or infinite weights given to an exporter
DAMAGED = "its export would give NaN for every row; set them again, or load the model file again"


def dense_layer(W: np.ndarray, b: np.ndarray | None, activation: Any, trainable: dict | None = None):
    """A Dense layer holding W (n_in, n_out) and b (zeros, frozen, when the source has no bias)."""
    W = np.asarray(W)
    layer = Dense(W.shape[0], W.shape[1], activation, weight_init="zeros")
    if b is None:
        trainable = {**(trainable or {}), "b": False}
        layer._no_bias = True          # none in the source: none in to_torch's either (saved with the layer's config)
    if trainable:
        layer.trainable = trainable
    return layer, (W, np.zeros(W.shape[1]) if b is None else np.asarray(b).reshape(-1))


#: what to do with a model that is not chainrule's where a Network is taken (to_onnx, to_torch, the state conversions)
IMPORT_FIRST = (" (a model of another framework: import it first with cr.from_torch, from_keras, from_sklearn, "
                "from_onnx)")


def import_first(model: Any, call: str) -> str:
    """What to give `call` (e.g. "to_torch({net})") instead of `model`: its file loaded, another framework's
    model imported."""
    if isinstance(model, (str, os.PathLike)):
        loaded = call.format(net=f"cr.load({str(model)!r})")
        return f" {str(model)!r}: it takes the network, not its file; load it first, {loaded}"
    return IMPORT_FIRST


def dropout_layer(rate: float, where: str) -> tuple[Dropout, None]:
    """A source's Dropout as chainrule's, one that drops every unit (rate 1, which torch and Keras build: their
    training then gives zeros) refused naming the layer, where Dropout's own words would not say which."""
    if not 0.0 <= rate < 1.0:
        raise ValidationError(f"{where} drops a fraction {rate!r} of the units; chainrule's Dropout takes a rate in "
                              "[0, 1) (1 drops every unit: the layers after it learn from zeros)")
    return Dropout(rate), None


def build_network(items: list, loss: str | None, dtype) -> Network:
    """A Network from [(layer, arrays or None)], the arrays copied in after the buffers exist."""
    layers = [layer for layer, _ in items]
    dense = [layer for layer in layers if isinstance(layer, Dense)]
    if not dense:
        raise ValidationError("the model has no dense (Linear/Dense/Gemm) layer to import")
    if loss is None:
        loss = "categorical_crossentropy" if dense[-1].activation.name == "softmax" else "mse"
    net = Network(layers, loss=loss, dtype=np.dtype(dtype).name)
    for layer, arrays in items:
        if arrays is not None:
            layer.W[...], layer.b[...] = arrays
    refuse_non_finite(net, "a network with such weights predicts nothing (did training diverge?)")
    return net


def refuse_non_finite(net: Network, fix: str) -> None:
    """Refuse NaN or infinite weights where they come in or go out, in the words and place `cr.load` gives a
    model file's (npz.non_finite): such a network predicts nothing, refused otherwise only at the first predict."""
    where = non_finite(net, net.params)
    if where is not None:
        raise ValidationError(f"the weights contain NaN or infinity, first in {where}; {fix}")


def not_computable(what: str, dtype: object, fix: str) -> str:
    """The words refusing weights of a dtype chainrule does not compute in (float16, bfloat16, integers):
    `what` names them where they are read, `fix` says how their library converts them."""
    return f"{what} is {dtype}; chainrule computes in float32 or float64: {fix}"


def weights_dtype(arrays: list[np.ndarray], what: str, fix: str = "") -> np.dtype:
    """The one dtype (float32 or float64) of all the weights; `fix`: how the source library converts them."""
    kinds = {np.dtype(a.dtype) for a in arrays}
    if len(kinds) != 1 or next(iter(kinds)) not in (np.float32, np.float64):
        raise ValidationError(f"{what}: the weights must all be float32 or all float64; got "
                              f"{sorted(k.name for k in kinds)}{f': {fix}' if fix else ''}")
    return next(iter(kinds))


def stored_scalar(value) -> float:
    """A stored slope or rate as a Python float; a float32 one as the shortest decimal that is
    the same float32 (0.01, not 0.009999999776), which chainrule rounds back to the same value."""
    value = np.asarray(value).reshape(-1)[0]
    return float(str(value)) if value.dtype == np.float32 else float(value)


def attach_activation(items: list, activation, where: str) -> None:
    """Give the Dense layer just read its activation (a lone activation has no chainrule form)."""
    if not items or not isinstance(items[-1][0], Dense) or items[-1][0].activation.name != "linear":
        raise ValidationError(f"{where} does not follow a dense layer directly: chainrule puts each activation "
                              "inside a Dense layer")
    old = items[-1][0]
    new = Dense(old.W.shape[0], old.W.shape[1], activation, trainable=old.trainable_params, weight_init="zeros")
    new._no_bias = old._no_bias
    items[-1] = (new, items[-1][1])


