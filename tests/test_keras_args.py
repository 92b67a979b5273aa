"""Keras' arguments of fit, predict and evaluate that Keras code passes: initial_epoch, verbose
(0, 1, 2, 'auto') and evaluate's batch_size."""
import csv
import os
import re

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 3))
    return X, (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int)


def _net():
    return cr.Network([cr.Dense(3, 5, "tanh"), cr.Dense(5, 2, "softmax")], loss="categorical_crossentropy", seed=3)


def test_initial_epoch_numbers_the_epochs_as_keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    X, y = _problem()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    theirs = model.fit(X, y, epochs=5, initial_epoch=2, batch_size=8, verbose=0)
    ours = _net().fit(X, y, epochs=5, initial_epoch=2, batch_size=8, verbose=0)
    assert ours.epoch == theirs.epoch == [2, 3, 4]
    assert len(ours["loss"]) == len(theirs.history["loss"]) == 3


def test_initial_epoch_trains_the_epochs_left_and_prints_their_numbers(capsys):
    X, y = _problem()
    a, b = _net(), _net()
    a.fit(X, y, epochs=3, batch_size=8, seed=0, verbose=0)
    b.fit(X, y, epochs=7, initial_epoch=4, batch_size=8, seed=0, verbose=2)
    np.testing.assert_array_equal(a.params, b.params)       # three epochs, the same draws
    assert a.epochs_trained == b.epochs_trained == 3
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if line.startswith("Epoch")] == ["Epoch 5/7", "Epoch 6/7", "Epoch 7/7"]


@pytest.mark.parametrize("bad", [-1, 1.0, True, "2", None])
def test_an_initial_epoch_that_is_no_epoch_index_is_named(bad):
    X, y = _problem()
    with pytest.raises(ValidationError, match=r"initial_epoch must be an integer >= 0.*got"):
        _net().fit(X, y, epochs=5, initial_epoch=bad, verbose=0)
    with pytest.raises(ValidationError, match="initial_epoch"):          # a sequence of batches too
        _net().fit([(X[:20], y[:20]), (X[20:], y[20:])], epochs=5, initial_epoch=bad, verbose=0)


def test_initial_epoch_with_checkpoints_and_a_csv_log(tmp_path):
    """A new run starts at initial_epoch (its log a new file of those epochs); resuming from the checkpoint
    goes on where the checkpoint is, as Keras' BackupAndRestore overrides initial_epoch."""
    X, y = _problem()
    log = tmp_path / "log.csv"
    log.write_text("epoch,loss\n0,9\n")                  # a previous run's log: replaced (append=False)

    class Stop(cr.callbacks.Callback):
        def on_epoch_end(self, epoch, logs):
            if epoch == 3:
                raise KeyboardInterrupt

    net = _net()
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, y, epochs=6, initial_epoch=2, batch_size=8, seed=0, verbose=0, checkpoint_dir=tmp_path / "ck",
                callbacks=[Stop(), cr.CSVLogger(str(log))])
    with open(log, newline="") as f:
        assert [r[0] for r in csv.reader(f)] == ["epoch", "2"]       # stopped before epoch 3's row and checkpoint
    resumed = _net()
    h = resumed.fit(X, y, epochs=6, initial_epoch=2, batch_size=8, seed=0, verbose=0, resume=True,
                    checkpoint_dir=tmp_path / "ck", callbacks=[cr.CSVLogger(str(log))])
    assert h.epoch == [2, 3, 4, 5]                        # the checkpoint's history, then the epochs left
    with open(log, newline="") as f:
        assert [r[0] for r in csv.reader(f)] == ["epoch", "2", "3", "4", "5"]
    whole = _net()
    whole.fit(X, y, epochs=4, batch_size=8, seed=0, verbose=0)
    np.testing.assert_array_equal(resumed.params, whole.params)


@pytest.mark.parametrize("verbose", [1, 2, "auto"])
def test_predict_and_evaluate_say_one_line_when_verbose(capsys, verbose):
    X, y = _problem()
    net = _net()
    out = net.predict(X, verbose=verbose)
    np.testing.assert_array_equal(out, net.predict(X))
    result = net.evaluate(X, y, verbose=verbose)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"2/2 (━{20} \d+s|- \d+s -) \d+(us|ms|s)/step", lines[0])     # Keras' (32 rows a step)
    assert re.match(r"2/2 (━{20} \d+s|- \d+s -) \d+(us|ms|s)/step - ", lines[1])
    assert lines[1].endswith(f" - accuracy: {result['accuracy']:.4f} - loss: {result['loss']:.4f}")


def test_verbose_zero_is_silent_and_a_wrong_verbose_is_named(capsys):
    X, y = _problem()
    net = _net()
    net.predict(X, verbose=0)
    net.evaluate(X, y, verbose=0)
    net.fit(X, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""
    for bad in (3, 1.5, "loud", -1):
        with pytest.raises(ValidationError, match=r"predict: verbose must be 0, 1, 2 or 'auto'; got"):
            net.predict(X, verbose=bad)
        with pytest.raises(ValidationError, match=r"evaluate: verbose must be 0, 1, 2 or 'auto'; got"):
            net.evaluate(X, y, verbose=bad)
        with pytest.raises(ValidationError, match=r"verbose must be 0, 1, 2 or 'auto'; got"):
            net.fit(X, y, verbose=bad)


def test_fit_verbose_auto_is_the_bar(capsys):
    X, y = _problem()
    _net().fit(X, y, epochs=2, verbose="auto")
    out = capsys.readouterr().out                 # not a terminal: the bar's plain line an epoch, on stdout as Keras'
    assert "2/2" in out


@pytest.mark.parametrize("batch_size", [1, 7, 40, 1000])
def test_evaluate_batch_size_chunks_the_rows_not_the_result(batch_size):
    X, y = _problem()
    net = _net()
    w = np.linspace(0.5, 2.0, len(y))
    for kwargs in ({}, {"sample_weight": w}):
        whole = net.evaluate(X, y, **kwargs)
        chunked = net.evaluate(X, y, batch_size=batch_size, **kwargs)
        assert chunked["loss"] == pytest.approx(whole["loss"], rel=1e-12)
        assert chunked["accuracy"] == pytest.approx(whole["accuracy"], rel=1e-12)
    with pytest.raises(ValidationError, match="batch_size"):
        net.evaluate(X, y, batch_size=0)


def test_a_checkpoint_behind_initial_epoch_still_wins(tmp_path):
    """Resumed with an initial_epoch beyond the checkpoint's epoch, fit went on at initial_epoch and
    skipped the epochs between without a word; Keras' BackupAndRestore takes the checkpoint's."""
    X, y = _problem()

    class Stop(cr.callbacks.Callback):
        def on_epoch_end(self, epoch, logs):
            if epoch == 3:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _net().fit(X, y, epochs=8, batch_size=8, seed=0, verbose=0, checkpoint_dir=tmp_path, callbacks=[Stop()])
    resumed = _net()
    h = resumed.fit(X, y, epochs=8, initial_epoch=6, batch_size=8, seed=0, verbose=0, checkpoint_dir=tmp_path,
                    resume=True)
    assert h.epoch == list(range(8)) and resumed.epochs_trained == 8
    whole = _net()
    whole.fit(X, y, epochs=8, batch_size=8, seed=0, verbose=0)
    np.testing.assert_array_equal(resumed.params, whole.params)


@pytest.mark.parametrize("checkpoints", [False, True])
def test_a_last_update_that_diverges_is_named_by_its_epoch(tmp_path, checkpoints):
    """It said "epoch 1" for the third epoch of fit(epochs=3, initial_epoch=2) (the network's count), and
    with checkpoint_dir "the checkpoint of epoch 2 is kept" where this run had written none."""
    X, y = _problem()
    kwargs = {"checkpoint_dir": tmp_path / "ck"} if checkpoints else {}
    with pytest.raises(cr.errors.TrainingDiverged, match=r"in its last update \(epoch 3\)") as info:
        linear = cr.Network([cr.Dense(3, 1, "linear")], loss="mse", seed=0)
        linear.fit(X * 1e3, y.astype(float), epochs=3, initial_epoch=2, batch_size=None,
                   optimizer=cr.optim.SGD(1e307), verbose=0, **kwargs)
    if checkpoints:
        assert "; no checkpoint." in str(info.value)
        assert not (tmp_path / "ck" / "checkpoint.npz").exists()


def test_bools_are_zero_and_one_and_whole_floats_their_number(capsys):
    """False and True are 0 and 1, as in Keras and scikit-learn (refusing them broke the estimators'
    verbose=False); 1.0 and 2.0 are 1 and 2, as Keras 3's fit reads them (tests/test_keras69_verbose.py)."""
    X, y = _problem()
    net = _net()
    net.fit(X, y, epochs=1, verbose=False)
    net.predict(X, verbose=np.False_)
    assert capsys.readouterr().out == ""
    net.predict(X, verbose=True)
    net.evaluate(X, y, verbose=np.True_)
    net.predict(X, verbose=1.0)
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_return_dict_false_gives_keras_list_and_keras_scalar():
    """`loss, acc = model.evaluate(x, y)` is Keras' default form: with return_dict=False it is
    ours too (the dict's keys unpacked silently before); the loss alone for regression."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    X, y = _problem()
    net = _net()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(5, activation="tanh"),
                              keras.layers.Dense(2, activation="softmax")])
    model.set_weights([p for layer in net.layers for p in (layer.W, layer.b)])
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    theirs = model.evaluate(X, y, verbose=0)
    loss, acc = net.evaluate(X, y, return_dict=False)
    assert [loss, acc] == pytest.approx(theirs, rel=1e-5)
    assert net.evaluate(X, y) == {"loss": loss, "accuracy": acc}
    reg = cr.Network([cr.Dense(3, 1)], loss="mse", seed=0)
    target = X @ [1.0, -2.0, 0.5]
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.set_weights([reg.layers[0].W, reg.layers[0].b])
    model.compile(loss="mse")
    theirs = model.evaluate(X, target, verbose=0)
    ours = reg.evaluate(X, target, return_dict=False)
    assert isinstance(ours, float) and isinstance(theirs, float) and ours == pytest.approx(theirs, rel=1e-5)
    with pytest.raises(cr.errors.ChainruleTypeError, match="return_dict must be True or False; got 'no'"):
        net.evaluate(X, y, return_dict="no")
