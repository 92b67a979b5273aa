"""Keras 3's habits of evaluate's, predict's and fit's validation's callbacks, checked against Keras' own run of the
same twin network: each batch computed between its on_*_batch_begin and _end hooks, a hook's stop_evaluating
(stop_predicting) ending the pass after its batch, and validation on a sequence of batches calling the on_test_*
hooks."""
import numpy as np
import pytest
from keras_twins import digits, keras, twins
from test_keras_fit_validation_hooks import fit_recorder
from test_keras_stage_callbacks import same_calls

import chainrule as cr


def stopper(base, name, at, flag):
    """A callback of `base` whose hook `name` sets the model's `flag` at batch `at` (None: in on_*_begin)."""
    def hook(self, *args, logs=None):
        if at is None or args[0] == at:
            setattr(self.model, flag, True)
    return type("Stop", (base,), {name: hook})()


@pytest.mark.parametrize("at", [1, None])
def test_evaluate_and_predict_stop_where_a_hook_says_as_keras(at):
    X, y = digits(70)
    net, model = twins()
    names = ("on_test_batch_end", "on_predict_batch_end") if at is not None else ("on_test_begin", "on_predict_begin")
    flags = ("stop_evaluating", "stop_predicting")
    ours = [stopper(cr.callbacks.Callback, n, at, f) for n, f in zip(names, flags)]
    theirs = [stopper(keras.callbacks.Callback, n, at, f) for n, f in zip(names, flags)]
    got = net.evaluate(X, y, batch_size=16, callbacks=[ours[0]], metrics=["accuracy"])
    want = model.evaluate(X, y, batch_size=16, callbacks=[theirs[0]], verbose=0, return_dict=True)
    assert sorted(got) == sorted(want)
    for key in want:
        assert got[key] == pytest.approx(want[key], rel=2e-5, abs=1e-6)
    out = net.predict(X, batch_size=16, callbacks=[ours[1]])
    expected = model.predict(X, batch_size=16, callbacks=[theirs[1]], verbose=0)
    assert out.shape == expected.shape == ((32 if at == 1 else 16), 10)
    np.testing.assert_allclose(out, expected, rtol=2e-5, atol=1e-6)
    assert net.evaluate(X, y, batch_size=16)["loss"] != pytest.approx(got["loss"])  # a later pass starts unstopped


def test_each_batch_is_computed_between_its_hooks_as_keras():
    """A callback changing the weights before each batch: every batch's outputs and logs are those of the weights
    its on_*_batch_begin left, as in Keras (the batches were once all computed before any hook ran)."""
    X, y = digits(70)
    net, model = twins()

    def shrinking(base):
        def shrink(self, batch, logs=None):
            self.model.set_weights([w * np.float32(0.8) for w in self.model.get_weights()])

        def record(self, batch, logs=None):
            self.seen.append({k: np.array(v) for k, v in logs.items()})
        return type("Shrink", (base,), {"on_test_batch_begin": shrink, "on_predict_batch_begin": shrink,
                                        "on_test_batch_end": record, "on_predict_batch_end": record, "seen": None})

    ours, theirs = shrinking(cr.callbacks.Callback)(), shrinking(keras.callbacks.Callback)()
    ours.seen, theirs.seen = [], []
    start = [w.copy() for w in net.get_weights()]
    np.testing.assert_allclose(net.predict(X, batch_size=16, callbacks=[ours]),
                               model.predict(X, batch_size=16, callbacks=[theirs], verbose=0), rtol=2e-5, atol=1e-6)
    net.set_weights(start)
    model.set_weights(start)
    net.evaluate(X, y, batch_size=16, callbacks=[ours], metrics=["accuracy"])
    model.evaluate(X, y, batch_size=16, callbacks=[theirs], verbose=0)
    assert len(ours.seen) == len(theirs.seen) == 10
    for a, b in zip(ours.seen, theirs.seen):
        assert sorted(a) == sorted(b)
        for key in a:
            np.testing.assert_allclose(a[key], b[key], rtol=2e-5, atol=1e-6)


class Batches(keras.utils.PyDataset):
    """Rows in batches of 20, a PyDataset both fits read."""

    def __init__(self, X, y):
        super().__init__()
        self.X, self.y = X, y

    def __len__(self):
        return -(-len(self.X) // 20)

    def __getitem__(self, i):
        return self.X[i * 20:(i + 1) * 20], self.y[i * 20:(i + 1) * 20]


@pytest.mark.parametrize("train_on_batches", [False, True])
def test_fit_validation_on_batches_calls_the_test_hooks_as_keras(train_on_batches):
    X, y = digits(130)
    net, model = twins()
    ours, theirs = fit_recorder(cr.callbacks.Callback)(), fit_recorder(keras.callbacks.Callback)()
    ours.calls, theirs.calls = [], []
    data = (Batches(X[:80], y[:80]),) if train_on_batches else (X[:80], y[:80])
    net.fit(*data, epochs=2, shuffle=False, verbose=0, callbacks=[ours], validation_data=Batches(X[80:], y[80:]),
            metrics=["accuracy"], **({} if train_on_batches else {"batch_size": 20}))
    model.fit(*data, epochs=2, shuffle=False, verbose=0, callbacks=[theirs], validation_data=Batches(X[80:], y[80:]),
              **({} if train_on_batches else {"batch_size": 20}))
    assert [n for n, _, _ in theirs.calls].count("on_test_batch_end") == 6
    same_calls(ours.calls, theirs.calls)


@pytest.mark.parametrize("batches", [False, True])
def test_fit_validation_stops_where_a_hook_says_as_keras(batches):
    X, y = digits(120)
    net, model = twins()
    ours, theirs = (stopper(base, "on_test_batch_end", 0, "stop_evaluating")
                    for base in (cr.callbacks.Callback, keras.callbacks.Callback))
    val = Batches(X[80:], y[80:]) if batches else (X[80:], y[80:])
    got = net.fit(X[:80], y[:80], batch_size=16, epochs=2, shuffle=False, verbose=0, callbacks=[ours],
                  validation_data=val, validation_batch_size=None if batches else 16, metrics=["accuracy"]).history
    want = model.fit(X[:80], y[:80], batch_size=16, epochs=2, shuffle=False, verbose=0, callbacks=[theirs],
                     validation_data=val, validation_batch_size=None if batches else 16).history
    for key in ("val_loss", "val_accuracy"):
        np.testing.assert_allclose(got[key], want[key], rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("checkpoint", [False, True])
def test_mpi_checks_the_last_update_as_one_process(tmp_path, checkpoint):
    """Under MPI the last update whose outputs overflow (no validation) went unchecked: the fit returned weights whose
    outputs are inf (a ModelCheckpoint on rank 0 alone kept them). Now every rank raises one process's error."""
    import os
    import subprocess
    import sys

    from mpi_env import HERE, MPIEXEC
    from mpi_last_update import fit_one
    one = fit_one(tmp_path, checkpoint)
    assert one.startswith("training diverged in") and "loss became inf" in one, one
    r = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, "-m", "mpi4py", str(HERE / "mpi_last_update.py"),
                        str(tmp_path), *(["checkpoint"] if checkpoint else [])], capture_output=True, text=True,
                       timeout=120, check=False, env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "20"})
    assert r.returncode == 0, r.stderr[-1500:]
    assert [(tmp_path / f"diverged{rank}.txt").read_text() for rank in range(2)] == [one, one]
    assert not (tmp_path / "best.npz").exists()


def test_evaluate_and_predict_give_their_callbacks_keras_params():
    """Keras' evaluate and predict tell their callbacks params {verbose, epochs: 1, steps: their batches}, which a
    callback written for Keras reads in on_test_begin (a progress display); fit's validation leaves fit's."""
    X, y = digits(70)
    net, model = twins()

    def reader(base):
        def read(self, logs=None):
            self.seen.append(dict(self.params))
        return type("Params", (base,), {"on_test_begin": read, "on_predict_begin": read, "seen": None})

    ours, theirs = reader(cr.callbacks.Callback)(), reader(keras.callbacks.Callback)()
    ours.seen, theirs.seen = [], []
    for batch_size in (16, None):
        net.evaluate(X, y, batch_size=batch_size, callbacks=[ours])
        model.evaluate(X, y, batch_size=batch_size, callbacks=[theirs], verbose=0)
        net.predict(X, batch_size=batch_size, callbacks=[ours])
        model.predict(X, batch_size=batch_size, callbacks=[theirs], verbose=0)
    net.fit(X, y, batch_size=16, epochs=1, verbose=0, callbacks=[ours], validation_data=(X, y))
    model.fit(X, y, batch_size=16, epochs=1, verbose=0, callbacks=[theirs], validation_data=(X, y))
    assert [{k: p[k] for k in ("verbose", "epochs", "steps")} for p in ours.seen] == theirs.seen


def test_refused_rows_are_named_in_x_with_callbacks_too():
    """Rows 40 and 45 (of 70) are refused: with a callback's batches of 16 the error counted and named them as rows of
    the batch ("2 of the 16 rows", "row 8", "index (8, 1)"), not of X."""
    class Hooks(cr.callbacks.Callback):
        def on_predict_batch_end(self, batch, logs=None):
            pass

        def on_test_batch_end(self, batch, logs=None):
            pass

    net = cr.Network([cr.Dense(3, 4, "relu"), cr.Dense(4, 1, "linear")], loss="mse", seed=0)
    net.set_weights([w if w.ndim == 1 else np.abs(w) * 1e300 for w in net.get_weights()])
    X = -np.ones((70, 3))
    X[[40, 45]] = 1.0                               # relu passes these rows alone: their outputs overflow float64
    for call in (lambda cbs: net.predict(X, batch_size=16, callbacks=cbs),
                 lambda cbs: net.evaluate(X, X[:, :1], batch_size=16, callbacks=cbs)):
        with pytest.raises(cr.errors.ValidationError, match=r"2 of the 70 rows of X \(first: row 40\)"):
            call([Hooks()])
    X = np.zeros((70, 3))
    X[40, 1] = np.nan
    with pytest.raises(cr.errors.ValidationError, match=r"first at index \(40, 1\)"):
        net.predict(X, batch_size=16, callbacks=[Hooks()])


def test_validation_arrays_given_as_lists_of_rows_are_not_taken_for_batches():
    """(X_val, Y_val, w_val) as Python lists of 20 rows each was read as three batches and refused ("validation batch
    0 must be a pair"); it is the arrays' triple, as Keras unpacks it."""
    rng = np.random.default_rng(0)
    X, w = rng.normal(size=(40, 3)), rng.uniform(0.5, 2, size=20)
    y = X[:, :1] * 2

    def val_loss(given):
        net = cr.Network([cr.Dense(3, 1, "linear")], loss="mse", seed=0)
        return net.fit(X[:20], y[:20], epochs=1, verbose=0, validation_data=given).history["val_loss"]
    assert val_loss((X[20:].tolist(), y[20:].tolist(), w.tolist())) == val_loss((X[20:], y[20:], w))
