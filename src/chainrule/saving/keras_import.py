"""`from_keras`: a Network from a built Keras 3 Sequential of Dense layers, its weights as Keras computes them
(a LoRA update merged, a quantized layer refused) and its activations found among Keras' own."""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..errors import ValidationError
from ..nn.network import Network
from .mlp import SUPPORTED, attach_activation, build_network, dense_layer, dropout_layer, weights_dtype
from .sklearn_import import not_importable

KERAS_CONVERT = ("build the same model with dtype='float32' layers and copy the weights in: "
                 "new.set_weights([w.astype('float32') for w in model.get_weights()])")
KERAS_ACTIVATIONS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "softmax": "softmax",
                     "linear": "linear"}


def _keras_activation(fn, where: str):
    """chainrule's activation for a Keras activation function, found by identity among Keras' own: a
    user's function (named `sigmoid`, registered, a lambda, a NumPy ufunc, a callable object) is refused."""
    import keras
    if fn is None:
        return "linear"
    builtins = {name: obj for name, obj in vars(keras.activations).items()
                if callable(obj) and not name.startswith("_") and name not in ("get", "serialize", "deserialize")}
    name = next((n for n, obj in builtins.items() if obj is fn), None)
    if name is None:
        label = getattr(fn, "__name__", None)
        label = label if isinstance(label, str) and label else type(fn).__name__
        same = f", not Keras' {label!r}" if label in builtins else ""
        raise ValidationError(f"{where} uses its own activation function {label!r}{same}: chainrule cannot know "
                              f"its formula; supported: {SUPPORTED}")
    if name == "leaky_relu":                         # Keras' leaky_relu function: negative_slope=0.2
        return {"name": "leaky_relu", "alpha": 0.2}
    if name not in KERAS_ACTIVATIONS:
        raise ValidationError(f"{where} uses the activation {name!r}, which has no chainrule form; supported: "
                              f"{SUPPORTED}")
    return KERAS_ACTIVATIONS[name]


# the package each of Keras' backends is installed as (numpy's comes with NumPy)
KERAS_BACKEND_PACKAGES = {"torch": "torch", "jax": "jax", "tensorflow": "tensorflow", "numpy": ""}


def _keras_dense_weights(layer: Any, where: str) -> tuple[np.ndarray, np.ndarray | None]:
    """W and b of a Keras Dense layer as it computes: a LoRA update merged into W as Keras' `kernel`
    property does; a quantized layer (integer or float8 numbers) is refused."""
    mode = getattr(layer, "quantization_mode", None) or getattr(layer.dtype_policy, "quantization_mode", None)
    if mode:
        raise ValidationError(f"{where} is quantized ({mode}): Keras computes it with numbers rounded to {mode}, "
                              "not the float kernel, which chainrule cannot reproduce; import the model as it was "
                              "before model.quantize()")
    with warnings.catch_warnings():      # Keras' own np.array(variable) under NumPy 2, shown as chainrule's by the CLI
        warnings.filterwarnings("ignore", "__array__ implementation doesn't accept a copy", DeprecationWarning)
        named = {v.name: np.asarray(a) for v, a in zip(layer.weights, layer.get_weights())}
    W, b = named["kernel"], (named["bias"] if layer.use_bias else None)
    if getattr(layer, "lora_enabled", False):        # kernel + lora_alpha / lora_rank * lora_kernel_a @ lora_kernel_b
        rank = layer.lora_rank
        scale = (getattr(layer, "lora_alpha", None) or rank) / rank
        W = W + (np.matmul(named["lora_kernel_a"], named["lora_kernel_b"]) * scale).astype(W.dtype)
    return W, b


def _not_keras(model: Any) -> None:
    """The refusal of anything but a keras.Sequential, a chainrule estimator's telling what to give instead."""
    raise not_importable("model must be a keras.Sequential of Dense layers", model)


def _keras_rows(model: Any) -> None:
    """Refuse a model whose samples have more than one axis: Keras' Dense multiplies the last axis of each (an input
    (None, 2, 4) gives (None, 2, 3)), where chainrule's network takes each sample as one row."""
    from keras import layers as kl
    shape = tuple(model.input_shape)
    if len(shape) == 2:
        return
    flat = next((layer for layer in model.layers if type(layer) is not kl.InputLayer), None)
    if type(flat) is kl.Flatten and len(shape) > 2 and None not in shape[1:]:     # rows of a known width
        width = int(np.prod(shape[1:]))
        raise ValidationError(f"the model's input is {shape} and its Flatten makes rows of {width}, which chainrule "
                              f"takes as they are: build the layers after it on keras.Input(shape=({width},)), copy "
                              "the weights in (new.set_weights(model.get_weights())), import that, and give the "
                              "network X.reshape(len(X), -1)")
    raise ValidationError(f"the model's input is {shape}: chainrule's networks take one row of numbers per sample, "
                          "shape (None, features), where Keras' Dense multiplies the last axis of each")


def from_keras(model: Any, loss: str | None = None) -> Network:
    """A Network from a built Keras 3 `Sequential` of Dense layers.

    Accepted: Dense (with any supported activation), Dropout, Activation, ReLU (plain),
    LeakyReLU, Softmax (last axis), InputLayer, and Flatten of rows, on an input of rows (None, features).
    `loss` defaults as in `from_torch`.
    """
    import sys
    if "keras" not in sys.modules:      # no Keras model exists yet: importing Keras (its backend) is not asked for
        _not_keras(model)
    import keras
    from keras import layers as kl
    if not isinstance(model, keras.Sequential):
        _not_keras(model)
    if type(model).call is not keras.Sequential.call:
        raise ValidationError(f"the model is a {type(model).__name__}, a Sequential with its own call, which computes "
                              "something else than its layers in order; give a plain keras.Sequential")
    if not model.built:
        raise ValidationError("the Keras model is not built: give it an Input(shape=...) or call it on data first")
    _keras_rows(model)
    items: list = []
    weights: list[np.ndarray] = []
    seen: dict[int, str] = {}
    for i, layer in enumerate(model.layers):
        where = f"layer {i} ({type(layer).__name__} {layer.name!r})"
        if id(layer) in seen and type(layer) is kl.Dense:
            raise ValidationError(f"{where} is {seen[id(layer)]} again: its weights are shared, and chainrule's "
                                  "layers each own theirs (training would untie them); give each Dense its own")
        seen[id(layer)] = f"layer {i}"
        if type(layer) is kl.Dense:
            W, b = _keras_dense_weights(layer, where)
            weights.extend([W] + ([] if b is None else [b]))
            items.append(dense_layer(W, b, "linear", {"W": layer.trainable, "b": layer.trainable}))
            act = _keras_activation(layer.activation, where)
            if act != "linear":
                attach_activation(items, act, where)
        elif type(layer) is kl.Dropout:
            items.append(dropout_layer(float(layer.rate), where))
        elif type(layer) is kl.Activation:
            act = _keras_activation(layer.activation, where)
            if act != "linear":
                attach_activation(items, act, where)
        elif type(layer) is kl.ReLU:
            if layer.max_value is not None or float(layer.negative_slope) != 0.0 or float(layer.threshold) != 0.0:
                raise ValidationError(f"{where} has max_value, negative_slope or threshold set; chainrule's relu "
                                      "is max(x, 0)")
            attach_activation(items, "relu", where)
        elif type(layer) is kl.LeakyReLU:
            attach_activation(items, {"name": "leaky_relu", "alpha": float(layer.negative_slope)}, where)
        elif type(layer) is kl.Softmax:
            if layer.axis not in (-1, 1):
                raise ValidationError(f"{where} takes the softmax over axis={layer.axis}; chainrule's is over -1")
            attach_activation(items, "softmax", where)
        elif type(layer) is kl.InputLayer or type(layer) is kl.Flatten:     # a row's Flatten is the identity
            continue
        else:
            raise ValidationError(f"{where} has no chainrule form; supported: Dense, Dropout, Activation, ReLU, "
                                  "LeakyReLU, Softmax")
    return build_network(items, loss, weights_dtype(weights, "model", KERAS_CONVERT) if weights else np.float32)
