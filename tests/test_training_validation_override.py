"""fit(validation_data=..., validation_split=...) together was refused; Keras 3's fit documents "validation_data will
override validation_split": every row trains and validation_data alone validates. Followed, with a warning naming
both (giving both is likely a slip)."""
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")


def steps_and_logs(fit, callback_class):
    """The run's params['steps'] and the validation rows' size, seen by a callback, as Keras' and ours give them."""
    seen = {}

    class Seen(callback_class):
        def on_train_begin(self, logs=None):
            seen["steps"] = self.params["steps"]

        def on_epoch_end(self, epoch, logs=None):
            seen["keys"] = sorted(logs)
    fit(Seen())
    return seen


def test_validation_data_overrides_validation_split_as_in_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    X, X_val = rng.normal(size=(10, 3)), rng.normal(size=(3, 3))
    y, y_val = X.sum(1, keepdims=True), X_val.sum(1, keepdims=True)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    theirs = steps_and_logs(lambda cb: model.fit(X.astype("float32"), y.astype("float32"), batch_size=2, verbose=0,
                                                 validation_split=0.5, validation_data=(X_val, y_val),
                                                 callbacks=[cb]), keras.callbacks.Callback)
    net = cr.Network([cr.Dense(3, 1)], loss="mse", seed=0)
    with pytest.warns(UserWarning, match=r"both validation_data and validation_split=0\.5.*overrides"):
        ours = steps_and_logs(lambda cb: net.fit(X, y, batch_size=2, verbose=0, validation_split=0.5,
                                                 validation_data=(X_val, y_val), callbacks=[cb]), cr.callbacks.Callback)
    assert ours == theirs == {"steps": 5, "keys": ["loss", "val_loss"]}        # all 10 rows trained, 2 a step


def test_the_validation_loss_is_validation_datas():
    rng = np.random.default_rng(1)
    X, X_val = rng.normal(size=(12, 3)), rng.normal(size=(4, 3))
    y, y_val = X.sum(1, keepdims=True), X_val.sum(1, keepdims=True)
    net = cr.Network([cr.Dense(3, 1)], loss="mse", seed=0)
    with pytest.warns(UserWarning, match="validation_split"):
        history = net.fit(X, y, validation_split=0.25, validation_data=(X_val, y_val), epochs=1, verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(net.evaluate(X_val, y_val)["loss"], rel=1e-12)


def test_a_bad_split_is_still_named_beside_validation_data():
    X = np.zeros((4, 2))
    with pytest.raises(cr.errors.ValidationError, match=r"validation_split must be a number in \[0, 1\); got 1\.5"):
        cr.Network([cr.Dense(2, 1)], loss="mse").fit(X, X[:, :1], validation_split=1.5, validation_data=(X, X[:, :1]))


def test_a_sequence_of_batches_takes_validation_data_beside_a_split():
    """A sequence of batches cannot be split; with validation_data given the split is overridden, not refused."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(6, 2))
    batches = [(X[:3], X[:3, :1]), (X[3:], X[3:, :1])]
    with pytest.warns(UserWarning, match="overrides validation_split"):
        history = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0).fit(batches, validation_split=0.2,
                                                                       validation_data=(X, X[:, :1]), verbose=0)
    assert sorted(history.history) == ["loss", "val_loss"]
