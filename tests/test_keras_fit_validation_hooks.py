"""fit's validation calls the on_test_* hooks its callbacks define, as Keras 3's fit does (its evaluate with the fit's
callbacks): checked against Keras' own recorded calls of the same twin network, validation_freq=2 included."""
import numpy as np
import pytest
from keras_twins import digits, keras, twins
from test_keras_stage_callbacks import recorder, same_calls

import chainrule as cr


def fit_recorder(base):
    """A recorder of the stage hooks that also records on_epoch_end: where validation falls between epochs."""
    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("on_epoch_end", epoch, {k: v for k, v in logs.items() if k.startswith("val_")}))
    return type("FitRecorder", (recorder(base),), {"on_epoch_end": on_epoch_end})


@pytest.mark.parametrize("kw", [dict(validation_freq=2), dict(validation_batch_size=16, weights=True)])
def test_fit_validation_calls_the_test_hooks_as_keras(kw):
    X, y = digits(120)
    weighted = kw.pop("weights", False)
    w = np.linspace(0.0, 2.0, 40).astype(np.float32)
    val = (X[80:], y[80:], w) if weighted else (X[80:], y[80:])
    net, model = twins()
    ours, theirs = fit_recorder(cr.callbacks.Callback)(), fit_recorder(keras.callbacks.Callback)()
    ours.calls, theirs.calls = [], []
    net.fit(X[:80], y[:80], batch_size=32, epochs=4, shuffle=False, verbose=0, callbacks=[ours],
            validation_data=val, metrics=["accuracy"], **kw)
    model.fit(X[:80], y[:80], batch_size=32, epochs=4, shuffle=False, verbose=0, callbacks=[theirs],
              validation_data=val, **kw)
    assert [n for n, _, _ in theirs.calls].count("on_test_begin") == (2 if "validation_freq" in kw else 4)
    same_calls(ours.calls, theirs.calls)


def test_fit_validation_with_only_an_end_hook():
    """A callback defining on_test_end alone gets the validation's results (no batch logs computed)."""
    X, y = digits(60)
    ends = []

    class End(cr.callbacks.Callback):
        def on_test_end(self, logs=None):
            ends.append(dict(logs))

    net, _ = twins()
    history = net.fit(X[:40], y[:40], epochs=2, verbose=0, validation_data=(X[40:], y[40:]), callbacks=[End()])
    assert ends == [{"accuracy": a, "loss": v} for a, v in
                    zip(history.history["val_accuracy"], history.history["val_loss"], strict=True)]
