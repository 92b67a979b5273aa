"""EarlyStopping where the watched value is NaN or infinite at the first epoch, with patience=0, start_from_epoch and
initial_epoch: the epochs trained, the History and the weights restored are Keras 3's (KERAS_BACKEND=torch), in real
fits of both on the same weights. Keras stops only at an epoch > 0: a state set before epoch 0 does not stop it."""
import math
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

nan, inf = math.nan, math.inf
X = np.random.default_rng(69).normal(size=(16, 2)).astype(np.float32)
Y = X[:, :1] * 0.5 - X[:, 1:]


class KerasScore(keras.callbacks.Callback):
    """Logs `score` (the epoch's value of a sequence) before EarlyStopping reads it, as a user's callback may."""

    def __init__(self, values):
        super().__init__()
        self.values = values

    def on_epoch_end(self, epoch, logs=None):
        logs["score"] = self.values[epoch]


class Score(cr.callbacks.Callback):
    def __init__(self, values):
        self.values = values

    def on_epoch_end(self, epoch, logs):
        logs["score"] = self.values[epoch]


@pytest.mark.parametrize("values", [[nan, 1.0, 2.0, 3.0, 0.5], [inf, 1.0, 2.0, 3.0, 4.0], [nan, nan, nan, 1.0, 1.0],
                                    [-inf, 1.0, 0.5, 0.2, 0.1]], ids=["nan", "inf", "nans", "-inf"])
@pytest.mark.parametrize("kwargs", [dict(patience=0), dict(patience=0, start_from_epoch=2), dict(patience=1),
                                    dict(patience=0, baseline=0.1)], ids=["p0", "p0-start2", "p1", "p0-baseline"])
@pytest.mark.parametrize("initial_epoch", [0, 1])
def test_a_nan_or_infinite_first_value_trains_the_epochs_keras_does(values, kwargs, initial_epoch):
    net = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0, dtype="float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    model.set_weights(net.get_weights())
    fit = dict(epochs=len(values), initial_epoch=initial_epoch, batch_size=len(X), shuffle=False, verbose=0)
    theirs = keras.callbacks.EarlyStopping(monitor="score", mode="min", restore_best_weights=True, **kwargs)
    ours = cr.EarlyStopping(monitor="score", mode="min", restore_best_weights=True, **kwargs)
    want = model.fit(X, Y, callbacks=[KerasScore(values), theirs], **fit)
    got = net.fit(X, Y, optimizer=cr.optim.SGD(lr=0.1), callbacks=[Score(values), ours], **fit)
    assert got.epoch == want.epoch
    np.testing.assert_array_equal(got.history["score"], np.array(want.history["score"], dtype=float))
    assert (ours.stopped_epoch, ours.best_epoch, ours.wait) == (theirs.stopped_epoch, theirs.best_epoch, theirs.wait)
    assert str(ours.best) == str(None if theirs.best is None else float(theirs.best))
    for mine, keras_w in zip(net.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_allclose(mine, keras_w, rtol=0, atol=1e-6)


@pytest.mark.parametrize("values", [[0.9, 0.95, 0.8], [nan, 0.95, 0.8]])
def test_a_state_set_before_epoch_0_stops_only_after_it_as_keras(values):
    """Keras asks epoch > 0 before stopping; chainrule, given a best by set_state, stopped at epoch 0."""
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    net = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)
    net.stop_training = False
    theirs, ours = keras.callbacks.EarlyStopping(patience=0), cr.EarlyStopping(patience=0)
    theirs.set_model(model)
    ours.set_network(net)
    theirs.on_train_begin()
    ours.on_train_begin({})
    theirs.best = 0.5
    ours.set_state({"best_value": 0.5, "best_epoch": 0, "wait": 0, "stopped_epoch": 0, "best_params": None})
    stops = []
    for owner, cb in ((model, theirs), (net, ours)):
        for epoch, value in enumerate(values):
            cb.on_epoch_end(epoch, {"val_loss": value})
            if owner.stop_training:
                break
        stops.append((epoch, cb.stopped_epoch, cb.wait))
    assert stops[1] == stops[0]
