"""from_keras on a model whose samples have more than one axis: Keras' Dense multiplies the last axis of each (an
input (None, 2, 4) gives (None, 2, 3)), which was imported as a network of rows of 4 without a word, where from_onnx
refuses such an input. Refused now, naming the shape; a Flatten first says how to import it; a Flatten of rows (the
identity) is read past. Truth: Keras' own predict."""
import os

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")


def test_a_dense_on_samples_of_two_axes_is_refused_naming_the_input_shape():
    model = keras.Sequential([keras.Input(shape=(2, 4)), keras.layers.Dense(3)])
    assert model.output_shape == (None, 2, 3)
    with pytest.raises(ValidationError, match=r"input is \(None, 2, 4\): .*one row of numbers per sample"):
        cr.from_keras(model)


def test_a_flatten_of_samples_of_two_axes_is_refused_saying_how_to_import_it():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(2, 2)), keras.layers.Flatten(), keras.layers.Dense(3, "tanh")])
    with pytest.raises(ValidationError, match=r"Flatten makes rows of 4.*keras.Input\(shape=\(4,\)\)"):
        cr.from_keras(model)
    rows = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, "tanh")])
    rows.set_weights(model.get_weights())                   # the way the message gives
    X = np.random.default_rng(0).normal(size=(5, 2, 2)).astype(np.float32)
    ours = cr.from_keras(rows).predict(X.reshape(len(X), -1))
    assert np.abs(ours - model.predict(X, verbose=0)).max() < 1e-6


def test_a_flatten_of_samples_of_an_unknown_axis_is_refused_naming_the_input_shape():
    model = keras.Sequential([keras.Input(shape=(None, 4)), keras.layers.Flatten()])
    assert model.output_shape == (None, None)                 # rows of no one width: no network of rows computes it
    with pytest.raises(ValidationError, match=r"input is \(None, None, 4\): .*one row of numbers per sample"):
        cr.from_keras(model)


def test_a_flatten_of_rows_is_read_past():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Flatten(), keras.layers.Dense(2, "sigmoid")])
    X = np.random.default_rng(1).normal(size=(5, 4)).astype(np.float32)
    net = cr.from_keras(model)
    assert repr(net).startswith("Network([Dense(4, 2, activation='sigmoid')]")
    assert np.abs(net.predict(X) - model.predict(X, verbose=0)).max() < 1e-6
