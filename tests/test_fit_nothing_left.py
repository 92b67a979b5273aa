"""fit with nothing left to train: epochs=0, or initial_epoch at or past epochs (Keras' resume of a run already
finished: fit(epochs=N, initial_epoch=last)). Keras 3 trains nothing there, without a warning, and returns a History
with no epochs, its callbacks told on_train_begin({}) and on_train_end({}); chainrule refused those calls. Negative
epochs and initial_epoch stay refused."""
import os

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError

NOTHING = [(0, 0), (3, 3), (3, 5)]      # (epochs, initial_epoch)


def _problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3)).astype("float32")
    return X, (X[:, :1] - X[:, 1:2]).astype("float32")


def _net():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1, "linear")], loss="mse", seed=1)


class Calls(cr.callbacks.Callback):
    """The hooks fit calls, with Keras' logs."""

    def __init__(self):
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append(("train_begin", logs))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch))

    def on_train_end(self, logs=None):
        self.calls.append(("train_end", logs))


def _fit_ours(epochs, initial_epoch, batches=False, **kw):
    X, Y = _problem()
    net, calls = _net(), Calls()
    net.fit(X, Y, epochs=2, batch_size=5, verbose=0, seed=0)        # a run already trained
    before, trained = net.params.copy(), net.epochs_trained
    data = ([(X[:10], Y[:10]), (X[10:], Y[10:])],) if batches else (X, Y)
    history = net.fit(*data, epochs=epochs, initial_epoch=initial_epoch, callbacks=[calls], verbose=0, **kw)
    np.testing.assert_array_equal(net.params, before)
    assert net.epochs_trained == trained and net.history is history
    return history, calls.calls


@pytest.mark.parametrize("batches", [False, True], ids=["arrays", "batches"])
@pytest.mark.parametrize("epochs, initial_epoch", NOTHING)
def test_nothing_left_trains_nothing_and_returns_an_empty_history(epochs, initial_epoch, batches):
    X, Y = _problem()
    history, calls = _fit_ours(epochs, initial_epoch, batches, validation_data=(X[:5], Y[:5]))
    assert history.history == {} and history.epoch == []
    assert calls == [("train_begin", {}), ("train_end", {})]


@pytest.mark.parametrize("epochs, initial_epoch", NOTHING)
def test_nothing_left_as_keras(epochs, initial_epoch):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    X, Y = _problem()

    class KerasCalls(Calls, keras.callbacks.Callback):
        def __init__(self):
            keras.callbacks.Callback.__init__(self)
            Calls.__init__(self)

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    before, calls = [w.copy() for w in model.get_weights()], KerasCalls()
    theirs = model.fit(X, Y, epochs=epochs, initial_epoch=initial_epoch, callbacks=[calls], verbose=0)
    assert all((a == b).all() for a, b in zip(before, model.get_weights()))
    ours, our_calls = _fit_ours(epochs, initial_epoch)
    assert ours.history == theirs.history and ours.epoch == theirs.epoch
    assert our_calls == calls.calls


def test_the_builtin_callbacks_take_a_run_with_nothing_left(tmp_path):
    X, Y = _problem()
    cbs = [cr.EarlyStopping(restore_best_weights=True), cr.CSVLogger(str(tmp_path / "log.csv")),
           cr.ModelCheckpoint(str(tmp_path / "best.npz"))]
    net = _net()
    before = net.params.copy()
    history = net.fit(X, Y, epochs=0, callbacks=cbs, validation_data=(X, Y), verbose=2)
    np.testing.assert_array_equal(net.params, before)
    assert history.history == {} and not (tmp_path / "best.npz").exists()


@pytest.mark.parametrize("name", ["epochs", "initial_epoch"])
def test_negative_counts_stay_refused_naming_the_argument(name):
    X, Y = _problem()
    net = _net()
    before = net.params.copy()
    with pytest.raises(ValidationError, match=f"^{name} must be .*integer.*got -1"):
        net.fit(X, Y, **{"epochs": 3, name: -1}, verbose=0)
    np.testing.assert_array_equal(net.params, before)
