"""fit(shuffle='batch'): Keras 3 takes it (rows shuffled only within batch-sized chunks); chainrule does not, and says
so, naming Keras' meaning and what to pass, before any update (the weights are left as they were)."""
import os

import numpy as np
import pytest
from sklearn.datasets import load_iris

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")


def _iris_net():
    X, y = load_iris(return_X_y=True)
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    net = cr.Network([cr.Dense(4, 8, "relu"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy", seed=0,
                     dtype="float32")
    return X, y, net


def test_keras_takes_shuffle_batch():
    """The habit is Keras' own: its fit trains with shuffle='batch' on arrays."""
    keras = pytest.importorskip("keras")
    X, y, _ = _iris_net()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    assert len(model.fit(X, y, epochs=1, verbose=0, shuffle="batch").history["loss"]) == 1


def test_shuffle_batch_refused_naming_keras_meaning():
    X, y, net = _iris_net()
    before = net.params.copy()
    with pytest.raises(cr.errors.ChainruleTypeError) as info:
        net.fit(X, y, epochs=1, verbose=0, shuffle="batch")
    message = str(info.value)
    assert message.startswith("shuffle must be True or False (or Keras' None: no shuffling, 1 or 0: True or "
                              "False); got 'batch' (str): Keras' shuffle='batch'")
    assert "batch-sized chunks" in message and "shuffle=True shuffles every row" in message
    np.testing.assert_array_equal(net.params, before)


@pytest.mark.parametrize("value", ["yes", "Batch", 2, 1.0])
def test_other_shuffle_values_refused_plainly(value):
    """The refusal names every value taken, Keras' None, 1 and 0 too (it said only True or False)."""
    X, y, net = _iris_net()
    takes = r"shuffle must be True or False \(or Keras' None: no shuffling, 1 or 0: True or False\)"
    with pytest.raises(cr.errors.ChainruleTypeError, match=takes + r"; got .*\)$"):
        net.fit(X, y, epochs=1, verbose=0, shuffle=value)
