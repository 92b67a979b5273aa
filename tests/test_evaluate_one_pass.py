"""evaluate with Keras' batch hooks: one pass over the rows (its results the last batch's logs, the numbers of
evaluate without hooks), and a pass stopped where every row so far weighs 0 gives Keras' 0, not a refusal."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.nn import evaluation
from chainrule.training.callback import Callback


class StopAfter(Callback):
    """Keras' stop_evaluating set after batch `last`; every batch's logs kept."""

    def __init__(self, last=None):
        super().__init__()
        self.last, self.logs = last, []

    def on_test_batch_end(self, batch, logs=None):
        self.logs.append(dict(logs))
        if batch == self.last:
            self.model.stop_evaluating = True


def data(n=100):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 0] + 0.3 * X[:, 1] > 0).astype(float)


def test_batch_hooks_make_one_pass_with_the_numbers_of_evaluate(monkeypatch):
    X, y = data()
    w = np.random.default_rng(1).uniform(0, 2, len(y))
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    plain = net.evaluate(X, y, sample_weight=w, batch_size=32, metrics=["accuracy"], weighted_metrics=["accuracy"])
    seen = []
    real = evaluation.checked_outputs
    monkeypatch.setattr(evaluation, "checked_outputs", lambda net, xb: seen.append(len(xb)) or real(net, xb))
    hook = StopAfter()
    got = net.evaluate(X, y, sample_weight=w, batch_size=32, metrics=["accuracy"], weighted_metrics=["accuracy"],
                       callbacks=[hook])
    assert sum(seen) == len(X)                  # each row through the network once (it was twice)
    assert got == hook.logs[-1]                 # Keras': the results are the last batch's logs
    assert got.keys() == plain.keys()
    for k in plain:
        assert got[k] == pytest.approx(plain[k], rel=1e-12), k


def test_a_stop_where_the_rows_so_far_weigh_nothing_gives_keras_zero():
    """Keras 3 (3.15.1, torch) gives loss 0 and weighted accuracy 0 (its divide_no_nan) and the plain accuracy of
    the rows seen; chainrule raised ZeroDivisionError."""
    X, y = data()
    w = np.ones(len(y))
    w[:64] = 0
    net = cr.Network([cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    right = (net.predict(X[:64])[:, 0] > 0.5) == (y[:64] > 0.5)
    got = net.evaluate(X, y, sample_weight=w, batch_size=32, metrics=["accuracy"], weighted_metrics=["accuracy"],
                       callbacks=[StopAfter(1)])
    assert got == {"loss": 0.0, "weighted_accuracy": 0.0, "accuracy": pytest.approx(right.mean(), abs=1e-12)}

    class StopAtBegin(Callback):           # only begin and end hooks: Keras still computes the first batch
        def on_test_begin(self, logs=None):
            self.model.stop_evaluating = True

        def on_test_end(self, logs=None):
            self.logs = dict(logs)
    hook = StopAtBegin()
    got = net.evaluate(X, y, sample_weight=w, batch_size=32, metrics=["accuracy"], weighted_metrics=["accuracy"],
                       callbacks=[hook])
    assert got == hook.logs == {"loss": 0.0, "weighted_accuracy": 0.0,
                                "accuracy": pytest.approx(right[:32].mean(), abs=1e-12)}


def test_a_sequences_validation_stopped_where_its_batches_so_far_weigh_nothing_gives_zero():
    """fit's validation on a sequence of (x, y, w) batches: a hook's stop after batches all weighted 0 logs Keras' 0
    (val_loss 0.0), as on arrays; a sequence wholly weighted 0 is still refused."""
    X, y = data()
    w = np.ones(len(y))
    w[:64] = 0
    batches = [(X[a:a + 32], y[a:a + 32], w[a:a + 32]) for a in range(0, len(X), 32)]
    net = cr.Network([cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    history = net.fit(X, y, epochs=1, verbose=0, validation_data=batches, callbacks=[StopAfter(1)])
    assert history.history["val_loss"] == [0.0]
    from chainrule.errors import ValidationError
    with pytest.raises(ValidationError, match="sample weight is zero for all 32 samples"):
        net.fit(X, y, epochs=1, verbose=0, validation_data=[(X[:32], y[:32], np.zeros(32))])
