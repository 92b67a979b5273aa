"""Keras' loss options through every door that takes a loss: the loss classes, Keras' config dict in cr.Network,
save/load and ONNX export of such a network, Keras' loss objects, and the names `chainrule explain --loss` takes.
Keras' name= (a label) and dtype= (float32 or float64, the network's) are taken; the values are Keras' own."""
import os

import numpy as np
import pytest
from conftest import cmd

import chainrule as cr
from chainrule.errors import ParameterError
from chainrule.nn import losses

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

# Keras' class, ours, the output activation, and targets for 4 samples of 3 outputs
CASES = [("BinaryCrossentropy", "binary_crossentropy", "sigmoid"),
         ("CategoricalCrossentropy", "categorical_crossentropy", "softmax"),
         ("MeanSquaredError", "mse", "linear")]


def data(act):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 2))
    Y = np.eye(3)[[0, 2, 1, 2]] if act == "softmax" else rng.uniform(size=(4, 3))
    return X, Y


def keras_value(obj, net, X, Y):
    return float(obj(Y, net.predict(X)).detach().numpy())


@pytest.mark.parametrize("kname, ours, act", CASES)
def test_keras_name_and_dtype_are_taken_by_the_loss_class_and_the_config_dict(kname, ours, act):
    """BinaryCrossentropy(name='bce') was refused as an unknown option; Keras' own object at those options gives the
    same loss as the network built with them, and as the one built by the plain name."""
    X, Y = data(act)
    layers = [cr.Dense(2, 3, act)]
    obj = getattr(keras.losses, kname)(name="mine", dtype="float64")
    config = keras.losses.serialize(obj)
    config["config"]["dtype"] = "float64"
    plain = cr.Network(layers, loss=ours, seed=0)
    want = plain.loss(X, Y)
    assert want == pytest.approx(keras_value(obj, plain, X, Y), rel=1e-6)     # Keras' sum in float32
    for loss in (getattr(losses, {"mse": "MSE"}.get(ours, kname))(name="mine", dtype="float64"), config,
                 getattr(losses, {"mse": "MSE"}.get(ours, kname))(name="mine", dtype=np.float32),
                 getattr(losses, {"mse": "MSE"}.get(ours, kname))(dtype=keras.DTypePolicy("float32")),
                 getattr(losses, {"mse": "MSE"}.get(ours, kname))(
                     dtype=keras.saving.serialize_keras_object(keras.DTypePolicy("float64")))):
        net = cr.Network(layers, loss=loss, seed=0)
        assert net.loss(X, Y) == want


@pytest.mark.parametrize("dtype", ["float16", "mixed_float16", "int32", "bfloat16", "mixed_bfloat16"])
def test_a_dtype_other_than_float32_or_float64_is_refused_naming_the_networks(dtype):
    """Keras' config dict dropped every dtype without a word (a float16 loss taken as float64)."""
    config = keras.losses.serialize(keras.losses.BinaryCrossentropy())
    config["config"]["dtype"] = dtype
    policy = keras.DTypePolicy(dtype) if "float" in dtype else dtype
    for loss in (config, lambda: losses.BinaryCrossentropy(dtype=dtype),
                 lambda: losses.BinaryCrossentropy(dtype=policy)):
        with pytest.raises(ParameterError, match=r"dtype=.*not taken: the loss computes in the network's dtype.*"
                                                 r"give the network dtype='float32'"):
            cr.Network([cr.Dense(2, 1, "sigmoid")], loss=loss() if callable(loss) else loss)


def test_a_keras_loss_object_of_another_dtype_is_refused_for_its_dtype_not_told_its_name():
    """A float16 Keras object was told to give its name, which drops the dtype it asked for."""
    with pytest.raises(ParameterError, match=r"BinaryCrossentropy\(dtype='float16'\) is not taken"):
        cr.Network([cr.Dense(2, 1, "sigmoid")], loss=keras.losses.BinaryCrossentropy(dtype="float16"))
    with pytest.raises(cr.errors.ValidationError, match="give loss='BinaryCrossentropy'"):
        cr.Network([cr.Dense(2, 1, "sigmoid")], loss=keras.losses.BinaryCrossentropy(name="bce", dtype="float64"))


def test_a_name_that_is_no_str_is_refused_as_a_label():
    with pytest.raises(ParameterError, match=r"MSE\(name=3\) is not taken: name is a label"):
        losses.MSE(name=3)


def test_tf_keras_2_reduction_auto_is_the_batch_mean():
    """tf.keras 2's serialized losses carry reduction='auto' (its default, the batch's mean): refused before."""
    X, Y = data("sigmoid")
    config = {"class_name": "BinaryCrossentropy", "config": {"reduction": "auto", "name": "binary_crossentropy",
                                                             "from_logits": False, "label_smoothing": 0}}
    net = cr.Network([cr.Dense(2, 3, "sigmoid")], loss=config, seed=0)
    assert net.loss(X, Y) == cr.Network([cr.Dense(2, 3, "sigmoid")], loss="binary_crossentropy", seed=0).loss(X, Y)


@pytest.mark.parametrize("kname, ours, act", CASES)
def test_a_network_whose_loss_was_a_keras_config_saves_its_name_and_loads_back(kname, ours, act, tmp_path):
    import onnx
    X, Y = data(act)
    config = keras.losses.serialize(getattr(keras.losses, kname)(name="mine"))
    net = cr.Network([cr.Dense(2, 3, act)], loss=config, seed=0)
    cr.save(net, tmp_path / "m.npz")
    back = cr.load(tmp_path / "m.npz")
    assert back.loss_function.name == ours and back.loss(X, Y) == net.loss(X, Y)
    cr.to_onnx(net, tmp_path / "m.onnx")
    props = {p.key: p.value for p in onnx.load(tmp_path / "m.onnx").metadata_props}
    assert props["chainrule.loss"] == ours


@pytest.mark.parametrize("kname, option", [("BinaryCrossentropy", {"from_logits": True}),
                                           ("CategoricalCrossentropy", {"label_smoothing": 0.1}),
                                           ("MeanSquaredError", {"reduction": "sum"})])
def test_a_keras_config_at_another_option_is_refused_with_its_advice_by_the_network(kname, option):
    config = keras.losses.serialize(getattr(keras.losses, kname)(name="mine", **option))
    (key, value), = option.items()
    with pytest.raises(ParameterError, match=rf"{kname}\({key}={value!r}\) is not taken: "):
        cr.Network([cr.Dense(2, 3, "softmax" if "Categorical" in kname else "sigmoid")], loss=config)


@pytest.mark.parametrize("typed, ours, act", [("BCEWithLogitsLoss", "binary_crossentropy", "sigmoid"),
                                              ("CrossEntropyLoss", "categorical_crossentropy", "softmax"),
                                              ("mean_squared_error", "mse", "sigmoid"),
                                              ("sparse_categorical_crossentropy", "categorical_crossentropy",
                                               "softmax")])
def test_explain_takes_the_names_torch_and_keras_users_type_as_the_guide_says(typed, ours, act):
    args = ["--layers", "2,2", "--activation", act, "--inputs", "0.1,0.2", "--targets", "1,0", "--seed", "0"]
    got, want = cmd("explain", "--loss", typed, *args), cmd("explain", "--loss", ours, *args)
    assert got.returncode == 0, got.stderr
    assert f"Error ({ours})" in got.stdout and got.stdout == want.stdout
