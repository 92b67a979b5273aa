"""Other frameworks' layers and Dense keywords (torch.nn, Keras): what a chainrule network takes instead.

A list item that is torch's Flatten or ReLU module, or Dense(units=10, input_dim=4) as Keras writes it, is refused
with the chainrule spelling of the same thing; `layers.Dense` and `network.Network` raise what these build.
"""
from __future__ import annotations

from typing import Any

from ..errors import ChainruleTypeError, did_you_mean
from . import activations, initializers
from .activations import bare

#: another framework's activation layers (and names), which a chainrule Dense holds as its own activation: the
#: built-in activations but the identity, under their names and torch's (activations.ALIASES): one row a name, as
#: `bare` spells it (LeakyReLU, leaky_relu and leakyrelu are one)
ACTIVATION_LAYERS = {bare(alias): name for alias, name in [*((name, name) for name in activations.BUILT_IN),
                                                           *activations.ALIASES.items()] if name != "linear"}


def instead_of(layer: Any) -> str:
    """What a Network takes instead of `layer` (torch's or Keras' Flatten, an activation module, another framework's
    layer), or '' where nothing particular is known: the end of the refusal of a list's item that is no Layer."""
    name = (layer if isinstance(layer, str) else type(layer).__name__).lower()
    framework = type(layer).__module__.split(".")[0]
    owner = {"torch": "torch's", "keras": "Keras'"}.get(framework)
    if name == "flatten":
        return ("; chainrule has no Flatten: a network takes one row of features per sample (a Flatten of rows is the "
                "identity), so remove it, and give the network X.reshape(len(X), -1) where samples have more axes")
    if isinstance(layer, str) and name == "linear" and layer != "linear":       # torch's Linear: an affine layer
        return ("; torch's Linear is chainrule's Dense(n_in, n_out): give a Dense ('linear', Keras' name of the "
                "identity, is a Dense's activation unless given)")
    if name == "identity" or (isinstance(layer, str) and name == "linear"):       # 'linear': Keras' identity
        return "; an identity computes nothing: remove it (a Dense's activation is 'linear' unless given)"
    rate = getattr(layer, "p", getattr(layer, "rate", None))
    if name == "dropout" and owner and isinstance(rate, (int, float)):
        return f"; give chainrule's own: Dropout({rate!r}) (cr.Dropout, the same rate)"
    if bare(name) in ACTIVATION_LAYERS:
        act: Any = ACTIVATION_LAYERS[bare(name)]
        slope = getattr(layer, "negative_slope", getattr(layer, "alpha", None))    # torch's, Keras 3's / Keras 2's
        if act == "leaky_relu" and isinstance(slope, (int, float)) and slope != 0.01:     # not chainrule's default
            act = {"name": "leaky_relu", "alpha": float(slope)}
        return f"; an activation belongs to the Dense before it: Dense(n_in, n_out, activation={act!r})"
    if owner:
        return (f"; it is {owner} layer: build the network of chainrule's (Dense, Dropout), or import the whole "
                f"model (cr.from_{framework}(model))")
    return ""


KERAS_DENSE = ("units", "input_dim", "input_shape")
DENSE_ARGUMENTS = ("n_in", "n_out", "activation", "trainable", "weight_init", "bias_init", "seed")
#: Keras' and torch.nn.Linear's names of what Dense takes under its own (no bias: a zero one that does not learn)
NO_BIAS = "bias_init=0, trainable={'W': True, 'b': False}"
OTHER_NAMES = {"kernel_initializer": "weight_init=", "bias_initializer": "bias_init=", "use_bias": NO_BIAS,
               "in_features": "n_in=", "out_features": "n_out=", "bias": NO_BIAS}
#: Keras' and torch's keywords for what a chainrule Dense does not hold, and where it lives here
ELSEWHERE = {"name": "a layer is named by its place in the network (layer 0, layer 1, ...)",
             "dtype": "the network holds the dtype: Network([...], dtype='float32')",
             "kernel_regularizer": "an L2 penalty is the optimizer's weight_decay=, torch's (biases too): "
                                   "Keras' l2(k) on the kernel alone is near weight_decay=2k",
             "bias_regularizer": "an L2 penalty is the optimizer's weight_decay=, on the weights and the biases "
                                 "together (torch's): there is none on the biases alone",
             "activity_regularizer": "not supported: no penalty on a layer's outputs (the loss is the network's "
                                     "loss= alone)",
             "kernel_constraint": "not supported: no constraint (Keras' max_norm, non_neg) is applied after a step",
             "bias_constraint": "not supported: no constraint (Keras' max_norm, non_neg) is applied after a step",
             "device": "chainrule computes on the CPU"}


def keras_dense(n_in: Any, n_out: Any, activation: Any, keras: dict) -> ChainruleTypeError:
    """The error for Keras' Dense(units, activation=..., input_dim=...): chainrule's Dense names its inputs too
    (n_in, n_out), where Keras infers them; the call that builds the layer meant, where the arguments tell it."""
    unknown = [k for k in keras if k not in KERAS_DENSE]
    if unknown:
        name = unknown[0]
        hint = (f" (Keras' or PyTorch's name; chainrule's Dense takes {OTHER_NAMES[name]})" if name in OTHER_NAMES
                else f" (Keras' or PyTorch's keyword; {ELSEWHERE[name]})" if name in ELSEWHERE
                else did_you_mean(name, DENSE_ARGUMENTS, " (did you mean {}=?)"))
        if name in ("kernel_initializer", "bias_initializer") and initializers.keras_draw(keras[name]):
            hint = f"{hint[:-1]}; {initializers.keras_draw(keras[name])})"
        if OTHER_NAMES.get(name) == NO_BIAS and keras[name] is not False:      # use_bias=True, bias=True: the default
            hint = f" (Keras' or PyTorch's name; chainrule's Dense has a learning bias unless told: leave {name}= out)"
        return ChainruleTypeError(f"Dense() got an unexpected keyword argument {name!r}{hint}")
    if "units" in keras:
        units, first = keras["units"], n_in
    else:
        units, first = (n_in, None) if n_out is None else (n_out, n_in)
    if units is None:
        return ChainruleTypeError("Dense takes (n_in, n_out, activation): the features into and out of the layer; "
                                  "got neither")
    shape = keras.get("input_shape")
    inputs = keras.get("input_dim", shape[-1] if isinstance(shape, (tuple, list)) and len(shape) == 1 else first)
    act = f", {activation!r}" if activation != "linear" else ""
    meant = f"Dense({inputs if inputs is not None else 'n_in'}, {units!r}{act})"
    given = ", ".join([repr(a) for a in (n_in, n_out) if a is not None]
                      + [f"{k}={v!r}" for k, v in keras.items()] + ([f"activation={activation!r}"] if act else []))
    return ChainruleTypeError(
        f"Dense takes (n_in, n_out, activation): the features into and out of the layer; got Dense({given}). "
        f"Keras' Dense(units) infers its inputs, chainrule's names them: {meant}"
        + ("" if inputs is not None else ", with n_in the previous layer's n_out, or for the first layer the "
           "features per sample (X.shape[1]; 64 for 8x8 images flattened)"))
