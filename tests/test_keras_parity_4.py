"""Keras parity, fourth round: what fit prints (verbose 0, 1 and 2) against Keras 3's own output
(KERAS_BACKEND=torch) from the same weights, the logs' order, stopping after a batch (one process, a
sequence of batches, MPI), and what a Keras user does with fit and its callbacks."""
import os
import re

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)).astype(np.float32)
    return X, (X[:, :1] - 0.5 * X[:, 1:] + 0.25).astype(np.float32)


def _twins(lr=0.3, classes=0):
    """A chainrule network and a Keras model with the same weights (regression, or `classes` softmax outputs)."""
    units = classes or 1
    net = cr.Network([cr.Dense(2, units, "softmax" if classes else "linear")],
                     loss="categorical_crossentropy" if classes else "mse", seed=0, dtype="float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(units, activation="softmax" if classes else None)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr),
                  loss="sparse_categorical_crossentropy" if classes else "mse",
                  metrics=["accuracy"] if classes else None)
    model.set_weights([net.layers[0].W.astype(np.float32), net.layers[0].b.astype(np.float32)])
    net.optimizer = cr.optim.SGD(lr=lr).bind(net)
    return net, model


def _printed(capsys, stream="out"):
    """The lines printed, each as Keras' bar leaves it on a terminal (after its last carriage return), its
    colours removed and its timings made patterns."""
    text = getattr(capsys.readouterr(), stream)
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line.split("\r")[-1]).rstrip() for line in text.split("\n")]
    lines = [line for line in lines if line and not line.startswith("Epoch ") or re.fullmatch(r"Epoch \d+/\d+", line)]
    timing = re.compile(r"^(\d+/\d+(?: ━{20})?) (- )?\d+s (- )?\d+(us|ms|s)/step( - |$)")
    for line in lines:
        if "/step" in line:
            assert timing.search(line), line
    return [timing.sub(lambda m: f"{m.group(1)} {m.group(2) or ''}Ts {m.group(3) or ''}T/step{m.group(5)}", line)
            for line in lines]


NUMBER = re.compile(r"\d+\.\d+(?:e[-+]\d+)?")


def _assert_same_lines(ours, theirs, rtol=2e-4):
    """Keras' lines exactly but for the numbers' digits (each number's shape kept: 0.0119, 2.4517e-06), and the
    numbers within `rtol`: a float32 regression whose loss ends near 1e-6 (residuals of 1e-3 left of values near 1)
    holds 4 or 5 digits, so the last printed one moves with BLAS kernels and Keras' or torch's release."""
    def shape(line):
        return NUMBER.sub(lambda number: re.sub(r"\d", "9", number.group()), line)
    assert [shape(line) for line in ours] == [shape(line) for line in theirs]
    for mine, keras_line in zip(ours, theirs):
        np.testing.assert_allclose([float(n) for n in NUMBER.findall(mine)],
                                   [float(n) for n in NUMBER.findall(keras_line)], rtol=rtol, err_msg=mine)


def _fit_both(capsys, verbose, classes=0, stream="out", **kwargs):
    X, y = _data()
    if classes:
        y = (X[:, 0] > X[:, 1]).astype(int) + (X[:, 0] > 1)
    net, model = _twins(classes=classes)
    model.fit(X, y, batch_size=16, shuffle=False, verbose=verbose, **kwargs)
    theirs = _printed(capsys)
    net.fit(X, y, batch_size=16, shuffle=False, verbose=verbose, **kwargs)
    return _printed(capsys, stream), theirs


@pytest.mark.parametrize("kwargs", [{"epochs": 3}, {"epochs": 12, "validation_split": 0.25}, {"epochs": 1},
                                    {"epochs": 4, "initial_epoch": 2}])
@pytest.mark.parametrize("classes", [0, 3])
def test_verbose_2_prints_keras_lines(kwargs, classes, capsys):
    """Keras 3's verbose=2: "Epoch 2/3", then "3/3 - 0s - 4ms/step - accuracy: ... - loss: ... - val_...", values
    at most 1e-3 in .4e (the regression's loss reaches them), no header when there is one epoch."""
    ours, theirs = _fit_both(capsys, 2, classes, **kwargs)
    _assert_same_lines(ours, theirs)
    if kwargs["epochs"] == 12 and not classes:
        assert any(re.search(r"loss: \d\.\d{4}e-0\d", line) for line in ours)


def test_verbose_2_lines_show_what_other_callbacks_logged(capsys):
    """Keras prints the line after every other callback: ReduceLROnPlateau's learning_rate is in it."""
    X, y = _data()
    net, model = _twins()
    model.fit(X, y, epochs=2, batch_size=16, shuffle=False, verbose=2, validation_split=0.25,
              callbacks=[keras.callbacks.ReduceLROnPlateau()])
    theirs = _printed(capsys)
    net.fit(X, y, epochs=2, batch_size=16, shuffle=False, verbose=2, validation_split=0.25,
            callbacks=[cr.ReduceLROnPlateau()])
    _assert_same_lines(_printed(capsys), theirs)


@pytest.mark.parametrize("classes", [0, 3])
def test_verbose_1_ends_each_epoch_with_keras_last_bar(classes, capsys):
    """verbose=1 without a terminal: Keras' header and the last state of its bar, on stdout as Keras prints them
    (nothing on stderr)."""
    ours, theirs = _fit_both(capsys, 1, classes, epochs=3, validation_split=0.25)
    _assert_same_lines(ours, theirs)
    assert len(ours) == 6


def test_verbose_0_prints_nothing_as_keras(capsys):
    ours, theirs = _fit_both(capsys, 0, 3, epochs=2, validation_split=0.25)
    assert ours == theirs == []
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("classes", [0, 3])
def test_history_keys_in_keras_order(classes, capsys):
    """History.history's keys (pandas' columns) in Keras' order: sorted, validation's after."""
    X, y = _data()
    if classes:
        y = (X[:, 0] > X[:, 1]).astype(int)
    net, model = _twins(classes=classes)
    theirs = model.fit(X, y, epochs=2, batch_size=16, verbose=0, validation_split=0.25)
    ours = net.fit(X, y, epochs=2, batch_size=16, verbose=0, validation_split=0.25)
    assert list(ours.history) == list(theirs.history)


# 2. A stop after a batch: under MPI, on every rank after that batch, as in one process

def _mpi_against_one_process(n, opts, tmp_path):
    """Train under mpiexec with `n` ranks and in one process; every rank's parameters and history are
    one process's."""
    pytest.importorskip("mpi4py")
    import json
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent))
    import mpi_train
    from test_mpi import mpirun
    r, out = mpirun(n, opts, tmp_path)
    assert r.returncode == 0, r.stderr
    net, ref = mpi_train.train(opts)
    for rank in range(n):
        np.testing.assert_allclose(np.load(out / f"params{rank}.npy"), net.params, rtol=1e-12, atol=1e-12)
        history = json.loads((out / f"history{rank}.json").read_text())
        assert list(history) == list(ref.history)
        for key, values in ref.history.items():
            np.testing.assert_allclose(history[key], values, rtol=1e-12)
    return r, net, ref


@pytest.mark.parametrize("stop_rank", [None, 0, 1])
def test_a_stop_after_a_batch_stops_every_mpi_rank_there(stop_rank, tmp_path):
    """203 rows, batches of 32: a callback stops after the 10th batch (the 3rd of the 2nd epoch): every rank
    stops there, as one process, whichever rank's callback asked (before, every rank trained the epoch out)."""
    opts = {"stop_after": 10, "stop_rank": stop_rank, "epochs": 4, "validation_split": 0.2}
    _, net, ref = _mpi_against_one_process(2, opts, tmp_path)
    assert ref.epoch == [0, 1]
    assert net.optimizer.t == 10                     # the steps one process took: ten


def test_terminate_on_nan_stops_every_mpi_rank_as_one_process(tmp_path, capsys):
    """A step diverging on one rank's shard, with TerminateOnNaN: every rank stops with the epoch's loss NaN,
    the batch not trained, as one process (before: TrainingDiverged on every rank)."""
    r, net, ref = _mpi_against_one_process(2, {"diverge_call": 9, "diverge_rank": 1, "terminate": True,
                                               "epochs": 3}, tmp_path)
    assert ref.epoch == [1 - 1, 1] and np.isnan(ref.history["loss"][1])
    assert r.stdout.count("Invalid loss, terminating training") == 1      # rank 0's line only


# 3. A sequence of batches: TerminateOnNaN stops it too

def test_terminate_on_nan_stops_a_sequence_of_batches(capsys):
    X, y = (a.astype(np.float64) for a in _data())
    batches = [(X[i:i + 8], y[i:i + 8]) for i in range(0, 40, 8)]
    huge = [(X[i:i + 8], y[i:i + 8] * (1e200 if i == 16 else 1)) for i in range(0, 40, 8)]
    net = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)
    history = net.fit(huge, epochs=3, shuffle=False, verbose=0, optimizer=cr.optim.SGD(0.01),
                      callbacks=[cr.callbacks.TerminateOnNaN()])
    assert history.epoch == [0] and not np.isfinite(history.history["loss"][0])
    assert "Batch 2: Invalid loss, terminating training" in capsys.readouterr().out
    ref = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)
    ref.fit(batches[:2], epochs=1, shuffle=False, verbose=0, optimizer=cr.optim.SGD(0.01))
    np.testing.assert_array_equal(net.params, ref.params)     # the two batches before it, trained


def test_callbacks_lines_and_the_epoch_line_in_keras_order(tmp_path, monkeypatch, capsys):
    """verbose=2 with LearningRateScheduler, ModelCheckpoint ("k-{epoch:02d}-{val_loss:.2f}") and EarlyStopping
    (restore_best_weights), all verbose: Keras' lines in Keras' order (the scheduler's before the header,
    the checkpoint's before the epoch's line, which shows learning_rate), the same files, the same weights
    restored. Keras' blank lines aside, and its rate read back as float32."""
    monkeypatch.chdir(tmp_path)
    X, y = _data(60)
    y = (X[:, 0] > X[:, 1]).astype(int)
    net, model = _twins(classes=2)
    kwargs = {"epochs": 4, "batch_size": 16, "shuffle": False, "verbose": 2, "validation_split": 0.2}
    model.fit(X, y, **kwargs, callbacks=[
        keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.9, verbose=1),
        keras.callbacks.ModelCheckpoint("k-{epoch:02d}-{val_loss:.2f}.keras", monitor="val_accuracy",
                                        save_best_only=True, verbose=1),
        keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=1, verbose=1, restore_best_weights=True)])
    theirs = _printed(capsys)
    net.fit(X, y, **kwargs, callbacks=[
        cr.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.9, verbose=1),
        cr.ModelCheckpoint("c-{epoch:02d}-{val_loss:.2f}.npz", monitor="val_accuracy", save_best_only=True,
                           verbose=1),
        cr.EarlyStopping(monitor="val_accuracy", patience=1, verbose=1, restore_best_weights=True)])
    ours = _printed(capsys)

    def same(line):
        line = re.sub(r"to (\d\.\d+)\.$", lambda m: f"to {float(np.float32(float(m.group(1)))):.6g}.", line)
        return re.sub(r"\b[kc](-\d\d-\d\.\d\d)\.(keras|npz)", r"file\1", line)     # (our extra `lr` key is gone)
    _assert_same_lines([same(line) for line in ours], [same(line) for line in theirs])
    assert any("learning_rate: 0.2430" in line for line in ours)
    assert sorted(p.name[1:-4] for p in tmp_path.glob("c-*")) == sorted(p.name[1:-6] for p in tmp_path.glob("k-*"))
    np.testing.assert_allclose(net.layers[0].W, model.get_weights()[0], atol=1e-6)


def test_mpi_batch_logs_are_one_process_logs(tmp_path):
    """Under MPI a per-batch callback gets Keras' logs of one process, accuracy too (before: the loss alone,
    so Keras code reading logs["accuracy"] failed)."""
    import json
    r, net, ref = _mpi_against_one_process(2, {"batch_logs": True, "epochs": 2}, tmp_path)
    out = tmp_path / "out2"
    for rank in range(2):
        logs = json.loads((out / f"batches{rank}.json").read_text())
        assert [list(entry) for entry in logs] == [list(entry) for entry in net.batch_logs]
        for key in ("accuracy", "loss"):
            np.testing.assert_allclose([e[key] for e in logs], [e[key] for e in net.batch_logs], rtol=1e-12)
