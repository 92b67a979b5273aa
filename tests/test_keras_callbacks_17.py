"""Keras parity of the callbacks, against Keras 3 itself (KERAS_BACKEND=torch): a callback written for Keras
run unchanged (each hook's arguments, self.params, self.model)."""
import os

import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
pytest.importorskip("sklearn.datasets")

from keras_twins import digits, fit, twins  # noqa: E402


def recorder(base):
    """One callback body, as a Keras user writes it, on Keras' base or chainrule's."""
    class Recorder(base):
        def __init__(self):
            super().__init__()
            self.seen = []

        def on_train_begin(self, logs=None):
            self.seen.append(("train_begin", logs, dict(self.params), self.model is not None))

        def on_epoch_begin(self, epoch, logs=None):
            self.seen.append(("epoch_begin", epoch, logs))

        def on_epoch_end(self, epoch, logs=None):
            self.seen.append(("epoch_end", epoch, sorted(logs)))

        def on_train_end(self, logs=None):
            self.seen.append(("train_end", sorted(logs)))
    return Recorder()


def test_a_callback_written_for_keras_gets_keras_arguments_in_each_hook():
    """Keras gives on_train_begin(logs) {} (self.params set before) and on_epoch_begin(epoch, logs) {};
    chainrule gave on_train_begin fit's params as its logs, and on_epoch_begin no logs (None)."""
    X, y = digits(64)
    net, model = twins()
    ours, theirs = recorder(cr.callbacks.Callback), recorder(keras.callbacks.Callback)
    fit(net, X, y, [ours], 2)
    fit(model, X, y, [theirs], 2)
    assert ours.seen == theirs.seen
    assert ours.seen[0] == ("train_begin", {}, {"verbose": 0, "epochs": 2, "steps": 2}, True)


def test_chainrules_own_on_train_begin_still_gets_fits_params():
    """The documented `on_train_begin(self, params)` and `on_epoch_begin(self, epoch)` keep working."""
    seen = []

    class Own(cr.callbacks.Callback):
        def on_train_begin(self, params):
            seen.append(params["epochs"])

        def on_epoch_begin(self, epoch):
            seen.append(epoch)

    X, y = digits(64)
    fit(twins()[0], X, y, [Own()], 2)
    assert seen == [2, 0, 1]
