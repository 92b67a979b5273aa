"""validation_data of 4 (or 1) items holding lists, (X_val.tolist(), y_val.tolist(), None, None), was read as a
sequence of batches ("validation batch 0 must be a pair", naming batches nobody gave); Keras refuses it as data of
the wrong form, as ours does for arrays. A list of (x, y) batches still validates."""
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")

X = np.random.default_rng(0).normal(size=(20, 3))
y = (X[:, 0] > 0).astype(int)


def _net():
    return cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=0)


@pytest.mark.parametrize("given", [(X[:5].tolist(), y[:5].tolist(), None, None),
                                   [X[:5].tolist(), y[:5].tolist(), [1.0] * 5, None],
                                   (X[:5], y[:5].tolist(), np.ones(5), None)])
def test_four_items_holding_lists_are_refused_as_keras_refuses_them(given):
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="Data is expected to be in format"):
        model.fit(X, y, epochs=1, validation_data=given, verbose=0)
    with pytest.raises(cr.errors.ValidationError, match=r"validation_data must be a pair \(X_val, Y_val\) or a triple "
                                                        rf".*; got a {type(given).__name__} of 4 items$"):
        _net().fit(X, y, epochs=1, validation_data=given, verbose=0)


def test_x_val_alone_as_a_list_is_named():
    with pytest.raises(cr.errors.ValidationError, match=r"got a tuple of 1 item \(X_val alone"):
        _net().fit(X, y, epochs=1, validation_data=(X[:5].tolist(),), verbose=0)


def test_a_list_of_four_batches_still_validates():
    batches = [(X[i:i + 5], y[i:i + 5]) for i in range(0, 20, 5)]
    history = _net().fit(X, y, epochs=1, validation_data=batches, verbose=0)
    expected = _net().fit(X, y, epochs=1, validation_data=(X, y), verbose=0)
    assert history.history["val_loss"] == pytest.approx(expected.history["val_loss"])
