"""Keras' names of the accuracies in metrics= and weighted_metrics= ('acc', 'sparse_categorical_accuracy', metric
objects): logged under the name given, as Keras 3 (KERAS_BACKEND=torch) names them in History and evaluate, from the
same weights; names of metrics chainrule does not count refused, naming those it does."""
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

W = np.array([1.0, 2.0, 3.0, 0.5, 1.0, 4.0, 0.0, 2.0, 1.5, 1.0], dtype=np.float32)


def _data(n=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)).astype(np.float32)
    return X, (X[:, 0] > X[:, 1]).astype(int) + (X[:, 0] > 0.8)


def _twins(binary=False, **metrics):
    units, act = (1, "sigmoid") if binary else (3, "softmax")
    net = cr.Network([cr.Dense(2, units, act)], loss="binary_crossentropy" if binary else "categorical_crossentropy",
                     seed=0, dtype="float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(units, activation=act)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5),
                  loss="binary_crossentropy" if binary else "sparse_categorical_crossentropy", **metrics)
    model.set_weights([net.layers[0].W.copy(), net.layers[0].b.copy()])
    net.optimizer = cr.optim.SGD(lr=0.5).bind(net)
    return net, model


@pytest.mark.parametrize("metrics", [
    {"metrics": ["acc"]}, {"metrics": ["sparse_categorical_accuracy"]}, {"weighted_metrics": ["acc"]},
    {"metrics": ["acc"], "weighted_metrics": ["acc"]}, {"metrics": ["acc"], "weighted_metrics": ["accuracy"]},
    {"metrics": ["ACC"]}, {"metrics": ["sparse_categorical_accuracy"], "weighted_metrics": ["accuracy"]},
    "object", "object named", "function"])
def test_accuracy_names_log_as_keras(metrics):
    if metrics == "object":
        metrics = {"metrics": [keras.metrics.SparseCategoricalAccuracy()]}
    elif metrics == "object named":
        metrics = {"weighted_metrics": [keras.metrics.SparseCategoricalAccuracy(name="sca")]}
    elif metrics == "function":
        metrics = {"metrics": [keras.metrics.sparse_categorical_accuracy]}
    X, y = _data()
    Xv, yv = _data(7, seed=1)
    wv = np.linspace(0.5, 2.0, 7).astype(np.float32)
    net, model = _twins(**metrics)
    theirs = model.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=0, sample_weight=W,
                       validation_data=(Xv, yv, wv)).history
    ours = net.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=0, sample_weight=W,
                   validation_data=(Xv, yv, wv), **metrics).history
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=2e-5, atol=1e-6, err_msg=key)
    mine = net.evaluate(Xv, yv, sample_weight=wv, **metrics)
    their = model.evaluate(Xv, yv, sample_weight=wv, verbose=0, return_dict=True)
    assert list(mine) == list(their)
    np.testing.assert_allclose(list(mine.values()), list(their.values()), rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("metrics", [["binary_accuracy"], ["acc"], [keras.metrics.BinaryAccuracy()]])
def test_binary_accuracy_of_a_sigmoid_output_logs_as_keras(metrics):
    X, y = _data()
    y = (y > 0).astype(np.float32)
    net, model = _twins(binary=True, metrics=metrics)
    theirs = model.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    ours = net.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=0, metrics=metrics).history
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=2e-5, atol=1e-6, err_msg=key)


@pytest.mark.parametrize("binary,metrics,message", [
    (False, ["binary_accuracy"], r"metrics: 'binary_accuracy' is the accuracy of a binary classifier; this network's "
                                 r"task is multiclass: give one of 'accuracy', 'acc', 'categorical_accuracy'"),
    (True, ["sparse_categorical_accuracy"], r"'sparse_categorical_accuracy' is the accuracy of a multiclass classifier"
                                            r"; this network's task is binary: give one of 'accuracy', 'acc', "
                                            r"'binary_accuracy'"),
    (False, ["mae"], r"metrics: chainrule's metrics are the accuracies 'accuracy', .*'sparse_categorical_accuracy' "
                     r"\(the loss is always logged\); got 'mae'"),
    (True, [keras.metrics.BinaryAccuracy(threshold=0.7)], r"BinaryAccuracy\(threshold=0.7\) is not counted here"),
    (False, [keras.metrics.Accuracy()], r"chainrule's metrics are the accuracies .*got <Accuracy"),
])
def test_other_metrics_are_refused_naming_what_exists(binary, metrics, message):
    X, y = _data()
    net, _ = _twins(binary)
    y = (y > 0).astype(np.float32) if binary else y
    before = net.params.copy()
    for call in (lambda: net.fit(X, y, epochs=1, verbose=0, metrics=metrics),
                 lambda: net.evaluate(X, y, weighted_metrics=metrics)):
        with pytest.raises(cr.errors.ValidationError, match=message.replace("metrics: ", "")):
            call()
    assert np.array_equal(net.params, before)


@pytest.mark.parametrize("metrics,message", [
    (["mae"], r"metrics: chainrule's metrics are the accuracies .*got 'mae'"),
    (["mse"], r"metrics: chainrule's metrics are the accuracies .*got 'mse'"),
    (["acc"], r"metrics=\['acc'\] is for a classifier; this network regresses .*weighted_metrics=None"),
    (["sparse_categorical_accuracy"], r"metrics=\['sparse_categorical_accuracy'\] is for a classifier"),
])
def test_a_regressor_refuses_metrics_it_does_not_count(metrics, message):
    X, _ = _data()
    net = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)
    with pytest.raises(cr.errors.ValidationError, match=message):
        net.fit(X, X[:, :1], epochs=1, verbose=0, metrics=metrics)
