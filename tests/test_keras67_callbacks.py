"""Keras parity of TerminateOnNaN's stop, side by side with Keras 3 (KERAS_BACKEND=torch) on the same weights."""
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

from keras_twins import divergent as _divergent  # noqa: E402
from test_keras_parity_7 import _dataset  # noqa: E402  (a PyDataset of (x, y) batches)


@pytest.mark.parametrize("sequence", [False, True], ids=["arrays", "PyDataset"])
@pytest.mark.parametrize("lr", [0.2, 1.0])
def test_terminate_on_nan_stops_at_the_batch_keras_stops_at(lr, sequence, capsys):
    """A batch whose loss was finite but whose gradient overflowed stopped the run there; Keras' fit makes that
    update, logs the finite loss and stops at the next batch (inf): the same batches, the same line, the same epoch
    loss. chainrule keeps the weights of the last finite step."""
    def run(m, module):
        seen = []
        cb = module.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append((batch, float(logs["loss"]))))
        data = dict(x=_dataset(X, Y, 4)) if sequence else dict(x=X, y=Y, batch_size=4)
        m.fit(**data, epochs=3, shuffle=False, verbose=0, callbacks=[module.TerminateOnNaN(), cb])
        return [b for b, _ in seen], seen[-1][1], m.history.history["loss"], capsys.readouterr().out.strip()

    X, Y, net, model = _divergent(lr)
    theirs, ours = run(model, keras.callbacks), run(net, cr.callbacks)
    assert ours == theirs and ours[1] == np.inf
    assert np.isfinite(net.params).all()
    # the same run stopped one batch before the overflow: its weights. On the same path: a per-batch callback as
    # TerminateOnNaN, so the NumPy loop, not the compiled epoch (CHAINRULE_NUMBA=1), which agrees to the last bits
    # only; the compiled loop's own stop: tests/test_numba67_diverged_compiled.py
    X2, Y2, again, _ = _divergent(lr)
    batches = cr.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: None)
    again.fit(X2[:4 * (ours[0][-1] - 1)], Y2[:4 * (ours[0][-1] - 1)], batch_size=4, epochs=1, shuffle=False,
              verbose=0, callbacks=[batches])
    np.testing.assert_array_equal(net.params, again.params)


def _twin(metrics):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3)).astype("float32")
    y = (X[:, 0] > 0).astype(int)
    net = cr.Network([cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=0, dtype="float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.set_weights(net.get_weights())
    model.compile(loss="binary_crossentropy", metrics=metrics, optimizer="sgd")
    return X, y, net, model


@pytest.mark.parametrize("owner", ["EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint"])
def test_auto_mode_for_an_accuracy_no_metric_is_named_is_keras_error(owner, tmp_path):
    """monitor='val_accuracy', mode='auto' where the fit compiles no metric named 'accuracy' (metrics=
    ['binary_accuracy']): Keras cannot tell whether it rises or falls and raises at the first epoch's end; chainrule
    read it as 'max' and warned each epoch that the monitor was missing. Where 'accuracy' is compiled, both train."""
    def callback(module, file):
        extra = {"filepath": str(tmp_path / file), "save_best_only": True} if owner == "ModelCheckpoint" else {}
        return getattr(module, owner)(monitor="val_accuracy", mode="auto", **extra)

    for metrics, refused in ((["binary_accuracy"], True), (["accuracy"], False)):
        X, y, net, model = _twin(metrics)
        runs = ((model, keras.callbacks, "m.keras", {}, ValueError),
                (net, cr.callbacks, "m.npz", {"metrics": metrics}, cr.errors.ValidationError))
        for m, module, file, extra, error in runs:
            args = dict(epochs=2, verbose=0, validation_split=0.25, callbacks=[callback(module, file)], **extra)
            if refused:
                with pytest.raises(error, match="maximized or minimized"):
                    m.fit(X, y, **args)
            else:
                m.fit(X, y, **args)
        if refused:
            assert len(net.history.epoch) == len(model.history.epoch) == 0    # the first epoch's end, before History


@pytest.mark.parametrize("sequence", [False, True], ids=["arrays", "PyDataset"])
def test_terminate_on_nan_keeps_the_training_after_a_finite_overflowing_step(sequence):
    """Gradients whose squares overflow float32 (|dE/dw| ~ 1e20) but whose loss and SGD update (lr=1e-22) stay finite:
    Keras' fit trains on, no loss invalid; chainrule trained on too, logging Keras' losses, but then put back the
    weights from before the first such batch, silently returning the untrained network."""
    rng = np.random.default_rng(0)
    X, Y = (rng.normal(size=(32, 2)) * 1e10).astype(np.float32), rng.normal(size=(32, 1)).astype(np.float32)
    net = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0, dtype="float32")
    net.optimizer = cr.optim.SGD(lr=1e-22).bind(net)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e-22), loss="mse")
    model.set_weights([w.copy() for w in net.get_weights()])
    for m, module in ((net, cr.callbacks), (model, keras.callbacks)):
        data = dict(x=_dataset(X, Y, 8)) if sequence else dict(x=X, y=Y, batch_size=8)
        m.fit(**data, epochs=2, shuffle=False, verbose=0, callbacks=[module.TerminateOnNaN()])
    np.testing.assert_allclose(net.history.history["loss"], model.history.history["loss"], rtol=1e-6)
    theirs = np.concatenate([w.ravel() for w in model.get_weights()])
    np.testing.assert_allclose(net.params, theirs, rtol=1e-5)
