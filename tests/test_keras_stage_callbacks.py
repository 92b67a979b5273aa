"""evaluate(callbacks=) and predict(callbacks=): the on_test_* and on_predict_* hooks a callback defines are called
as Keras 3 calls them (order, batch indices, logs), checked against Keras' own run of the same twin network."""
import numpy as np
import pytest
from keras_twins import digits, keras, twins

import chainrule as cr

HOOKS = ("on_test_begin", "on_test_batch_begin", "on_test_batch_end", "on_test_end",
         "on_predict_begin", "on_predict_batch_begin", "on_predict_batch_end", "on_predict_end")


def recorder(base):
    """A callback of `base` recording every stage hook's name, batch index and logs (copied)."""
    def hook(name):
        def record(self, *args, logs=None):
            batch, logs = (args[0], logs) if "batch" in name else (None, args[0])
            self.calls.append((name, batch, dict(logs)))
        return record
    return type("Recorder", (base,), {"calls": None, **{name: hook(name) for name in HOOKS}})


def same_calls(ours, theirs):
    assert [(n, b, sorted(logs)) for n, b, logs in ours] == [(n, b, sorted(logs)) for n, b, logs in theirs]
    for (_, _, a), (_, _, b) in zip(ours, theirs):
        for key in a:
            np.testing.assert_allclose(np.asarray(a[key], float), np.asarray(b[key], float), rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("batch_size", [16, None])
def test_evaluate_and_predict_call_the_hooks_as_keras(batch_size):
    X, y = digits(70)
    net, model = twins()
    ours, theirs = recorder(cr.callbacks.Callback)(), recorder(keras.callbacks.Callback)()
    ours.calls, theirs.calls = [], []
    net.evaluate(X, y, batch_size=batch_size, callbacks=[ours], metrics=["accuracy"])
    model.evaluate(X, y, batch_size=batch_size, callbacks=[theirs], verbose=0)
    net.predict(X, batch_size=batch_size, callbacks=[ours])
    model.predict(X, batch_size=batch_size, callbacks=[theirs], verbose=0)
    assert [n for n, _, _ in theirs.calls].count("on_test_batch_end") == -(-70 // (batch_size or 32))
    same_calls(ours.calls, theirs.calls)


def test_stage_callbacks_are_checked():
    net, _ = twins()
    X, y = digits(8)
    with pytest.raises(cr.errors.ChainruleTypeError, match="list"):
        net.evaluate(X, y, callbacks=cr.callbacks.Callback())
    with pytest.raises(cr.errors.ChainruleTypeError, match="Callback"):
        net.predict(X, callbacks=[print])


def test_evaluate_batch_logs_with_sample_weight_as_keras():
    """Keras' running results under sample weights, the first batches' weights all zero (its divide_no_nan: 0)."""
    X, y = digits(70)
    weight = np.ones(70, np.float32)
    weight[:40], weight[50] = 0.0, 3.0
    net, model = twins()
    ours, theirs = recorder(cr.callbacks.Callback)(), recorder(keras.callbacks.Callback)()
    ours.calls, theirs.calls = [], []
    net.evaluate(X, y, weight, batch_size=16, callbacks=[ours], metrics=["accuracy"])
    model.evaluate(X, y, sample_weight=weight, batch_size=16, callbacks=[theirs], verbose=0)
    same_calls(ours.calls, theirs.calls)


def test_evaluate_batch_logs_measure_each_row_once_more(monkeypatch):
    """The running results add each batch's sums: the rows so far are not measured again at every batch."""
    X, y = digits(320)
    net, _ = twins()
    measured = []
    value = net.loss_function.value
    monkeypatch.setattr(net.loss_function, "value", lambda out, *a: measured.append(len(out)) or value(out, *a))
    ends = recorder(cr.callbacks.Callback)()
    ends.calls = []
    net.evaluate(X, y, batch_size=8, callbacks=[ends])
    assert len([c for c in ends.calls if c[0] == "on_test_batch_end"]) == 40
    assert sum(measured) <= 2 * len(X)          # the pass of evaluate, and the one of the batches' logs
