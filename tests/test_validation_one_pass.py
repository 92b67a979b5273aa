"""fit's validation on arrays with Keras' on_test_* hooks, as evaluate's (tests/test_evaluate_one_pass.py): one
pass over the rows (each measured once; the results the last batch's logs, the numbers of fit without hooks), and a
stop where every row so far weighs 0 logs Keras 3's 0 (it raised ZeroDivisionError), checked against Keras itself."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.nn import evaluation
from chainrule.training.callback import Callback

METRICS = {"metrics": ["accuracy"], "weighted_metrics": ["accuracy"]}


class StopAfter(Callback):
    """Keras' stop_evaluating set after batch `last`; the batches' and the end's logs kept."""

    def __init__(self, last=None):
        super().__init__()
        self.last, self.logs, self.ended = last, [], None

    def on_test_batch_end(self, batch, logs=None):
        self.logs.append(dict(logs))
        if batch == self.last:
            self.model.stop_evaluating = True

    def on_test_end(self, logs=None):
        self.ended = dict(logs)


def data(n=100):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    w = np.ones(n)
    w[:64] = 0
    return X, (X[:, 0] + 0.3 * X[:, 1] > 0).astype(float), w


def network():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1, "sigmoid")], loss="binary_crossentropy", seed=0)


def test_validation_with_batch_hooks_makes_one_pass_with_the_numbers_of_fit(monkeypatch):
    X, y, _ = data()
    w = np.random.default_rng(1).uniform(0, 2, len(y))
    plain = network().fit(X[:20], y[:20], epochs=1, verbose=0, validation_data=(X, y, w), **METRICS).history
    seen = []
    real = evaluation.checked_outputs
    monkeypatch.setattr(evaluation, "checked_outputs", lambda net, xb: seen.append(len(xb)) or real(net, xb))
    hook = StopAfter()
    got = network().fit(X[:20], y[:20], epochs=1, verbose=0, validation_data=(X, y, w), validation_batch_size=32,
                        callbacks=[hook], **METRICS).history
    assert sum(seen) == len(X)                  # each row measured once (it was twice)
    assert hook.ended == hook.logs[-1]          # Keras': the results are the last batch's logs
    assert {f"val_{k}": [v] for k, v in hook.ended.items()} == {k: v for k, v in got.items() if k.startswith("val_")}
    for k in plain:
        assert got[k][0] == pytest.approx(plain[k][0], rel=1e-12), k


def keras_stopped(X, y, w):
    """Keras 3's val logs of the same stop: a linear model, one epoch, its plain accuracy of the 64 rows seen."""
    from keras_twins import keras

    class Stop(keras.callbacks.Callback):
        def on_test_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_evaluating = True
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", **METRICS)
    history = model.fit(X, y, epochs=1, verbose=0, batch_size=32, validation_data=(X, y, w), callbacks=[Stop()])
    right = (model.predict(X[:64], verbose=0)[:, 0] > 0.5) == (y[:64] > 0.5)
    return {k: v[0] for k, v in history.history.items() if k.startswith("val_")}, right.mean()


def test_a_stop_where_the_validation_rows_so_far_weigh_nothing_logs_keras_zero():
    X, y, w = data()
    theirs, their_right = keras_stopped(X, y, w)
    net = network()
    history = net.fit(X, y, epochs=1, verbose=0, batch_size=32, validation_data=(X, y, w), callbacks=[StopAfter(1)],
                      **METRICS).history
    right = (net.predict(X[:64])[:, 0] > 0.5) == (y[:64] > 0.5)
    ours = {k: v[0] for k, v in history.items() if k.startswith("val_")}
    assert ours.keys() == theirs.keys()
    assert ours["val_loss"] == theirs["val_loss"] == 0.0
    assert ours["val_weighted_accuracy"] == theirs["val_weighted_accuracy"] == 0.0
    assert theirs["val_accuracy"] == pytest.approx(their_right, abs=1e-6)
    assert ours["val_accuracy"] == pytest.approx(right.mean(), abs=1e-12)
