"""Keras parity of the last change's habits, mended: batch logs by keyword under MPI too, save_weights' and
load_weights' refusals, the estimators' unrounded losses, evaluate's float32 values, weights checkpoints' names and
files in the way, a callback's non-numeric logs. Truth: Keras 3 (KERAS_BACKEND=torch) and scikit-learn."""
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")


def _divergent(lr):
    """A 2-4-2 float32 regression net and Keras' twin, from the same weights, with a learning rate that diverges."""
    rng = np.random.default_rng(0)
    X, Y = (rng.normal(size=(64, 2)) * 3).astype(np.float32), (rng.normal(size=(64, 2)) * 3).astype(np.float32)
    net = cr.Network([cr.Dense(2, 4, "relu"), cr.Dense(4, 2, "linear")], loss="mse", seed=0, dtype="float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    model.set_weights([w.copy() for w in net.get_weights()])
    net.optimizer = cr.optim.SGD(lr=lr).bind(net)
    return X, Y, net, model


def test_an_mpi_fit_gives_batch_hooks_their_logs_by_keyword_and_logs_inf_as_keras():
    """Under MPI (one rank here) the batch hooks got their logs by position: a hook taking **kw raised TypeError;
    TerminateOnNaN's batch logged NaN where Keras (and one process) log inf."""
    MPI = pytest.importorskip("mpi4py.MPI")

    def run(m, module, **kw):
        class Seen(module.Callback):
            def __init__(self):
                super().__init__()
                self.seen = []

            def on_train_batch_begin(self, batch, **kw):
                assert kw["logs"] == {}

            def on_train_batch_end(self, batch, **kw):
                self.seen.append((batch, kw["logs"]["loss"]))
        seen = Seen()
        m.fit(X, Y, batch_size=4, epochs=3, shuffle=False, verbose=0, callbacks=[module.TerminateOnNaN(), seen], **kw)
        return seen.seen[-1], m.history.history["loss"]

    X, Y, net, model = _divergent(0.5)
    theirs = run(model, keras.callbacks)
    ours = run(net, cr.callbacks, comm=MPI.COMM_WORLD)
    assert ours == theirs and ours[0][1] == np.inf and ours[1] == [np.inf]
