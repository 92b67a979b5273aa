"""Keras reads a sample_weight of shape (n, 1) as a column of one weight per sample: fit, evaluate, validation_data's
third item and a sequence's (x, y, w) batches take it as the (n,) weights (the same numbers as Keras 3's,
KERAS_BACKEND=torch); other 2-D shapes are refused naming the shapes expected."""
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")


def _data(n=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 0] > X[:, 1]).astype(int) + (X[:, 2] > 0.5), rng.uniform(0.2, 3.0, n)


def _net():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 3, "softmax")], loss="categorical_crossentropy", seed=3)


def test_a_column_of_weights_trains_and_evaluates_as_the_row():
    X, y, w = _data()
    Xv, yv, wv = _data(7, seed=1)
    results = []
    for shape in ((-1,), (-1, 1)):
        net = _net()
        history = net.fit(X, y, epochs=3, batch_size=5, shuffle=False, verbose=0, sample_weight=w.reshape(shape),
                          validation_data=(Xv, yv, wv.reshape(shape)), metrics=["accuracy"],
                          weighted_metrics=["accuracy"])
        results.append((net.params.copy(), history.history,
                        net.evaluate(Xv, yv, sample_weight=wv.reshape(shape), weighted_metrics=["accuracy"])))
    assert np.array_equal(results[0][0], results[1][0])
    assert results[0][1] == results[1][1]
    assert results[0][2] == results[1][2]


def test_a_column_of_weights_evaluates_as_keras():
    keras = pytest.importorskip("keras")
    X, y, w = _data()
    net = _net()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", weighted_metrics=["accuracy"])
    model.set_weights([a for layer in net.layers for a in (layer.W, layer.b)])
    theirs = model.evaluate(X, y, sample_weight=w[:, None], verbose=0, return_dict=True)
    ours = net.evaluate(X, y, sample_weight=w[:, None], weighted_metrics=["accuracy"])
    assert list(ours) == list(theirs)
    np.testing.assert_allclose(list(ours.values()), list(theirs.values()), rtol=1e-6)


def test_a_sequence_batch_with_a_column_of_weights():
    X, y, w = _data()
    nets = [_net(), _net()]
    for net, shape in zip(nets, ((-1,), (-1, 1))):
        batches = [(X[a:a + 4], y[a:a + 4], w[a:a + 4].reshape(shape)) for a in range(0, 12, 4)]
        net.fit(batches, epochs=2, verbose=0, validation_data=(X, y, w.reshape(shape)))
    assert np.array_equal(nets[0].params, nets[1].params)


@pytest.mark.parametrize("shape", [(12, 2), (1, 12), (12, 1, 1)])
def test_other_shapes_are_refused_naming_the_shapes_expected(shape):
    X, y, w = _data()
    bad = np.ones(shape)
    net = _net()
    before = net.params.copy()
    message = (r"sample_weight must be one weight per sample: shape \(12,\) or a column \(12, 1\); got shape "
               + str(shape).replace("(", r"\(").replace(")", r"\)"))
    for call in (lambda: net.fit(X, y, epochs=1, verbose=0, sample_weight=bad),
                 lambda: net.evaluate(X, y, sample_weight=bad)):
        with pytest.raises(cr.errors.ValidationError, match=message):
            call()
    with pytest.raises(cr.errors.ValidationError, match=r"validation_data's sample weight must be one weight per "
                                                        r"sample: shape \(12,\) or a column \(12, 1\)"):
        net.fit(X, y, epochs=1, verbose=0, validation_data=(X, y, bad))
    assert np.array_equal(net.params, before)
