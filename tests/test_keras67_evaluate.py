"""evaluate(return_dict=False) as Keras 3 lists it, side by side with Keras (KERAS_BACKEND=torch) on the same
weights."""
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")


@pytest.mark.parametrize("metrics, weighted", [
    (["accuracy"], ["accuracy"]), (["acc"], ["acc"]), (["accuracy", "accuracy"], None),
    (["binary_accuracy", "accuracy"], ["accuracy"]), (["accuracy"], ["binary_accuracy"]),
    (["binary_accuracy"], ["accuracy"]), (None, ["accuracy", "binary_accuracy"])])
def test_evaluates_list_repeats_a_name_given_twice_as_keras(metrics, weighted):
    """Keras' list holds the loss, the log of each name as given (as often as given), then the other logs by sorted
    key; chainrule's named each log once: [loss, acc, weighted_acc] where Keras gives [loss, acc, acc, weighted_acc]."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3)).astype("float32")
    y, w = (X[:, 0] > 0).astype(int), rng.uniform(0.1, 2, 40)
    net = cr.Network([cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=0, dtype="float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.set_weights(net.get_weights())
    model.compile(loss="binary_crossentropy", metrics=metrics, weighted_metrics=weighted)
    theirs = model.evaluate(X, y, sample_weight=w, verbose=0, return_dict=False)
    ours = net.evaluate(X, y, sample_weight=w, return_dict=False, metrics=metrics, weighted_metrics=weighted)
    assert len(ours) == len(theirs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
