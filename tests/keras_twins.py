"""A chainrule network and its Keras 3 twin (KERAS_BACKEND=torch) from the same weights, for the callbacks'
parity tests: digits' first rows, a 64-8-10 classifier, a diverging 2-4-2 regressor, one fit for both."""
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
datasets = pytest.importorskip("sklearn.datasets")


def digits(n=120):
    d = datasets.load_digits()
    return (d.data[:n] / 16).astype(np.float32), d.target[:n]


def twins(lr=0.3):
    net = cr.Network([cr.Dense(64, 8, "relu"), cr.Dense(8, 10, "softmax")], loss="categorical_crossentropy",
                     seed=0, dtype="float32")
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.set_weights([w.copy() for w in net.get_weights()])
    net.optimizer = cr.optim.SGD(lr=lr).bind(net)
    return net, model


def fit(model, X, y, callbacks, epochs, **kw):
    args = {**dict(batch_size=32, epochs=epochs, shuffle=False, verbose=0, callbacks=callbacks), **kw}
    if isinstance(model, cr.Network):
        args["metrics"] = ["accuracy"]
    return model.fit(X, y, **args)


def divergent(lr):
    """A 2-4-2 float32 regression net and Keras' twin, from the same weights, with a learning rate that diverges."""
    rng = np.random.default_rng(0)
    X, Y = (rng.normal(size=(64, 2)) * 3).astype(np.float32), (rng.normal(size=(64, 2)) * 3).astype(np.float32)
    net = cr.Network([cr.Dense(2, 4, "relu"), cr.Dense(4, 2, "linear")], loss="mse", seed=0, dtype="float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    model.set_weights([w.copy() for w in net.get_weights()])
    net.optimizer = cr.optim.SGD(lr=lr).bind(net)
    return X, Y, net, model
