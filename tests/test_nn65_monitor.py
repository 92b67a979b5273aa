"""fit logs an accuracy under each of Keras' names ('acc', 'sparse_categorical_accuracy'); a
callback watching it with mode='auto' maximizes it, as Keras 3's does (the direction of the compiled metric of that
name), rather than refusing a name fit itself logs."""
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")


@pytest.mark.parametrize("monitor,metrics", [
    ("val_acc", {"metrics": ["acc"]}), ("acc", {"weighted_metrics": ["acc"]}),
    ("val_sparse_categorical_accuracy", {"metrics": ["sparse_categorical_accuracy"]})])
@pytest.mark.parametrize("callback", ["EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint"])
def test_auto_mode_maximizes_every_accuracy_fit_logs(tmp_path, monitor, metrics, callback):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 2)).astype(np.float32)
    y, w = (X[:, 0] > X[:, 1]).astype(int) + (X[:, 0] > 0.8), rng.uniform(0.5, 2.0, 12).astype(np.float32)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", **metrics)
    extra = {"filepath": str(tmp_path / "k.keras")} if callback == "ModelCheckpoint" else {}
    theirs = getattr(keras.callbacks, callback)(monitor=monitor, **extra)
    history = model.fit(X, y, sample_weight=w, validation_data=(X, y, w), epochs=1, verbose=0, callbacks=[theirs])
    assert monitor in history.history
    extra = {"filepath": str(tmp_path / "m.npz")} if callback == "ModelCheckpoint" else {}
    ours = getattr(cr.callbacks, callback)(monitor=monitor, **extra)
    net = cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy", seed=0, dtype="float32")
    logged = net.fit(X, y, sample_weight=w, validation_data=(X, y, w), epochs=1, verbose=0, callbacks=[ours],
                     **metrics).history
    assert sorted(logged) == sorted(history.history)
    assert ours.mode == ("max" if theirs.monitor_op(1.0, 0.0) else "min") == "max"


@pytest.mark.parametrize("monitor", ["val_weighted_accuracy", "weighted_acc"])
def test_a_weighted_accuracy_needs_a_mode_as_in_keras(monitor):
    """Keras' weighted metric is named 'accuracy' and logged 'weighted_accuracy': its 'auto' cannot tell either."""
    with pytest.raises(cr.errors.ValidationError, match=rf"mode='auto' cannot tell whether monitor='{monitor}'"):
        cr.callbacks.EarlyStopping(monitor=monitor)
    assert cr.callbacks.EarlyStopping(monitor=monitor, mode="max").mode == "max"
