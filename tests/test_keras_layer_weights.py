"""Layer.get_weights() and set_weights(), as Keras' layers have them (model.layers[0].get_weights(), a Keras user's
habit): Dense had neither (an AttributeError). The same arrays in Keras' order and shapes, and a network whose layer
was set predicts as Keras' model with those weights."""
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")


def test_a_layers_weights_are_keras_and_setting_them_sets_the_networks():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 3))
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dropout(0.5),
                              keras.layers.Dense(2)])
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dropout(0.5), cr.Dense(4, 2)], loss="mse", seed=0)
    assert [[w.shape for w in layer.get_weights()] for layer in net.layers] == \
        [[w.shape for w in layer.get_weights()] for layer in model.layers]
    for ours, theirs in zip(net.layers, model.layers):
        ours.set_weights(theirs.get_weights())          # float32 arrays, set into the float64 network
    np.testing.assert_allclose(net.predict(X), model.predict(X.astype("float32"), verbose=0), rtol=1e-5, atol=1e-6)
    assert all(np.array_equal(a, b) for a, b in zip(net.get_weights(), model.get_weights()))


def test_get_weights_are_copies_and_a_wrong_shape_is_named():
    net = cr.Network([cr.Dense(3, 2)], loss="mse", seed=0)
    W, b = net.layers[0].get_weights()
    W[...] = 7.0
    assert not np.any(net.layers[0].W == 7.0)
    before = net.params.copy()
    with pytest.raises(cr.errors.ValidationError, match=r"weights\[1\] \(b of Dense\(3, 2.*expected shape \(2,\), "
                                                         r"got shape \(3,\)"):
        net.layers[0].set_weights([W, np.zeros(3)])
    np.testing.assert_array_equal(net.params, before)     # all checked before any is set


def test_a_wrong_count_names_the_layer_as_keras_does():
    """A list of the wrong length said only "weights: expected 2 arrays, got 1", not which layer; Keras' message
    names the layer and both counts."""
    keras = pytest.importorskip("keras")
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    with pytest.raises(ValueError, match=r"on layer '.*dense.*' with a weight list of length 1.* expecting 2"):
        layer.set_weights([np.zeros((3, 2))])
    net = cr.Network([cr.Dense(3, 2), cr.Dropout(0.5)], loss="mse", seed=0)
    with pytest.raises(cr.errors.ValidationError, match=r"set_weights of Dense\(3, 2.*\): expected 2 arrays, got 1"):
        net.layers[0].set_weights([np.zeros((3, 2))])
    with pytest.raises(cr.errors.ValidationError, match=r"set_weights of Dropout\(0\.5\): expected 0 arrays, got 1"):
        net.layers[1].set_weights([np.zeros(2)])
