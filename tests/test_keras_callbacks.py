"""EarlyStopping, ModelCheckpoint and ReduceLROnPlateau against Keras 3's own callbacks: the same
arguments (names and order), and one monitored sequence through both gives the same stop epoch, best
epoch, restored weights, saved files and printed lines."""
import inspect
import os
import re
import types

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ValidationError

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

VALUES = [0.9, 0.8, 0.85, 0.7, 0.72, 0.71, 0.69, 0.75, 0.74, 0.76, 0.73, 0.77, 0.78, 0.8]


def _keras_model():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    return model


def _net():
    return cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)


def _lines(text):
    """The printed lines, without the blank line Keras writes before each (after its progress bar)."""
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("name", ["EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau", "CSVLogger"])
def test_the_arguments_are_keras_in_keras_order(name):
    """Keras code passing any of Keras' arguments, by name or by position, means the same here."""
    theirs = [p.name for p in inspect.signature(getattr(keras.callbacks, name)).parameters.values()
              if p.kind is not p.VAR_KEYWORD]
    ours = list(inspect.signature(getattr(cr.callbacks, name)).parameters)
    assert ours[:len(theirs)] == theirs


def _early_run(callback, model, set_weights, capsys, values):
    """Drive one callback by a sequence of values, the weights of epoch e filled with e; the stop
    epoch and the epoch whose weights the network ends with."""
    callback.on_train_begin() if isinstance(callback, keras.callbacks.Callback) else callback.on_train_begin({})
    stopped = None
    for epoch, value in enumerate(values):
        set_weights(float(epoch))
        callback.on_epoch_end(epoch, {"val_loss": value, "val_accuracy": 1 - value})
        if model.stop_training:
            stopped = epoch
            break
    callback.on_train_end()
    return stopped, callback.best_epoch, _lines(capsys.readouterr().out)


@pytest.mark.parametrize("kwargs", [
    dict(patience=2), dict(patience=0), dict(patience=3, min_delta=0.02),
    dict(patience=2, baseline=0.75), dict(patience=2, baseline=0.75, restore_best_weights=True),
    dict(patience=3, baseline=0.5, restore_best_weights=True), dict(patience=0, baseline=0.5),
    dict(patience=1, start_from_epoch=4), dict(patience=2, start_from_epoch=3, restore_best_weights=True),
    dict(patience=2, restore_best_weights=True), dict(patience=20, restore_best_weights=True),
    dict(patience=2, monitor="val_accuracy", mode="max", baseline=0.27, restore_best_weights=True),
    dict(patience=2, monitor="val_accuracy", baseline=0.2, start_from_epoch=2, min_delta=0.01)])
@pytest.mark.parametrize("verbose", [0, 1])
def test_early_stopping_stops_restores_and_prints_as_keras(kwargs, verbose, capsys):
    model = _keras_model()
    theirs = keras.callbacks.EarlyStopping(**kwargs, verbose=verbose)
    theirs.set_model(model)
    if kwargs.get("monitor") == "val_accuracy":            # Keras' "auto" for accuracy needs compiled metrics
        theirs.mode = "max"
    keras_result = _early_run(theirs, model, lambda v: model.set_weights([np.full((2, 1), v), np.full(1, v)]),
                              capsys, VALUES)
    net = _net()
    ours = cr.EarlyStopping(**kwargs, verbose=verbose)
    ours.set_network(net)
    net.stop_training = False
    our_result = _early_run(ours, net, lambda v: net.params.fill(v), capsys, VALUES)
    assert our_result[0] == keras_result[0]                          # the stop epoch (None: never stopped)
    assert our_result[1] == keras_result[1]                          # the best epoch
    assert our_result[2] == keras_result[2]                          # the printed lines
    np.testing.assert_array_equal(net.params, model.get_weights()[0][0, 0])     # the weights it ends with
    if verbose:
        assert bool(our_result[2]) == (keras_result[0] is not None or bool(kwargs.get("restore_best_weights")))


def test_early_stopping_with_a_baseline_in_a_real_fit(capsys):
    """A baseline the run never beats: the count is never restarted, so the first epoch without
    improvement after `patience` epochs stops it (earlier than without the baseline), with the weights
    of its best epoch, where Keras' callback stops on the same losses."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    y = X @ np.array([[1.0], [-2.0]]) + rng.normal(size=(64, 1))

    def run(**kwargs):
        net, seen = _net(), []

        class Keep(cr.callbacks.Callback):
            def on_epoch_end(self, epoch, logs):
                seen.append((logs["loss"], net.params.copy()))

        stop = cr.EarlyStopping(monitor="loss", patience=2, restore_best_weights=True, **kwargs)
        net.fit(X, y, epochs=40, batch_size=8, callbacks=[Keep(), stop], seed=0, verbose=0,
                optimizer=cr.optim.SGD(0.05))
        return net, stop, seen

    _, _, unbounded = run()
    net, stop, seen = run(baseline=1e-9, verbose=1)
    assert len(seen) < len(unbounded) < 40
    our_lines = _lines(capsys.readouterr().out)
    best = int(np.argmin([loss for loss, _ in seen]))
    assert stop.best_epoch == best
    np.testing.assert_array_equal(net.params, seen[best][1])
    model = _keras_model()
    theirs = keras.callbacks.EarlyStopping(monitor="loss", patience=2, baseline=1e-9, restore_best_weights=True,
                                           verbose=1)
    theirs.set_model(model)
    values = [loss for loss, _ in seen]
    model.stop_training = False
    theirs.on_train_begin()
    for epoch, value in enumerate(values):
        theirs.on_epoch_end(epoch, {"loss": value})
        if model.stop_training:
            break
    theirs.on_train_end()
    assert (theirs.stopped_epoch, theirs.best_epoch) == (len(seen) - 1, best)
    assert _lines(capsys.readouterr().out) == our_lines == [f"Epoch {len(seen)}: early stopping",
                                                           f"Restoring model weights from the end of the best epoch: "
                                                           f"{best + 1}."]


def _checkpoint_run(callback, values, capsys, monitor="val_loss"):
    callback.on_train_begin() if isinstance(callback, keras.callbacks.Callback) else callback.on_train_begin({})
    for epoch, value in enumerate(values):
        callback.on_epoch_begin(epoch)
        callback.on_epoch_end(epoch, {monitor: value})
    return _lines(capsys.readouterr().out)


@pytest.mark.parametrize("kwargs", [dict(), dict(save_best_only=True), dict(save_best_only=True, mode="max"),
                                    dict(save_best_only=True, initial_value_threshold=0.75),
                                    dict(save_best_only=True, initial_value_threshold=0.8, mode="max")])
def test_model_checkpoint_saves_and_prints_as_keras(kwargs, tmp_path, capsys):
    model = _keras_model()
    (tmp_path / "k").mkdir()
    (tmp_path / "c").mkdir()
    theirs = keras.callbacks.ModelCheckpoint(str(tmp_path / "k" / "m-{epoch:02d}.keras"), verbose=1, **kwargs)
    theirs.set_model(model)
    keras_lines = _checkpoint_run(theirs, VALUES, capsys)
    net = _net()
    ours = cr.ModelCheckpoint(str(tmp_path / "c" / "m-{epoch:02d}.npz"), verbose=1, **kwargs)
    ours.set_network(net)
    our_lines = _checkpoint_run(ours, VALUES, capsys)
    assert sorted(p.stem for p in (tmp_path / "c").iterdir()) == sorted(p.stem for p in (tmp_path / "k").iterdir())
    assert our_lines == [line.replace("/k/", "/c/").replace(".keras", ".npz") for line in keras_lines]


def test_model_checkpoint_every_few_batches_as_keras_fit(tmp_path):
    """save_freq=3 with 5 batches an epoch: the files of a real Keras fit, {epoch} and {batch} filled alike."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)), rng.normal(size=(20, 1))
    (tmp_path / "k").mkdir()
    (tmp_path / "c").mkdir()
    model = _keras_model()
    model.fit(X, y, epochs=3, batch_size=4, verbose=0, callbacks=[
        keras.callbacks.ModelCheckpoint(str(tmp_path / "k" / "m-{epoch}-{batch}.keras"), save_freq=3)])
    _net().fit(X, y, epochs=3, batch_size=4, verbose=0, callbacks=[
        cr.ModelCheckpoint(str(tmp_path / "c" / "m-{epoch}-{batch}.npz"), save_freq=3)])
    saved = sorted(p.stem for p in (tmp_path / "c").iterdir())
    assert saved == sorted(p.stem for p in (tmp_path / "k").iterdir())
    assert saved == ["m-1-3", "m-2-1", "m-2-4", "m-3-2", "m-3-5"]


def test_model_checkpoint_every_few_batches_saves_those_weights(tmp_path):
    """The file of batch 3 holds the weights after the third step (the compiled epoch, which skips
    the per-batch hook, is not used then)."""
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(20, 2)), rng.normal(size=(20, 1))
    after = []

    class Keep(cr.callbacks.Callback):
        def on_batch_end(self, batch, logs):
            after.append(self.network.params.copy())

    _net().fit(X, y, epochs=1, batch_size=4, verbose=0, shuffle=False, callbacks=[
        Keep(), cr.ModelCheckpoint(str(tmp_path / "m-{batch}.npz"), save_freq=3)])
    np.testing.assert_array_equal(cr.load(tmp_path / "m-3.npz").params, after[2])


def test_reduce_lr_on_plateau_prints_keras_line(capsys):
    model = _keras_model()
    theirs = keras.callbacks.ReduceLROnPlateau(patience=1, factor=0.5, verbose=1)
    theirs.set_model(model)
    keras_lines = _checkpoint_run(theirs, VALUES, capsys)
    ours = cr.ReduceLROnPlateau(patience=1, factor=0.5, verbose=1)
    ours.network = types.SimpleNamespace(optimizer=cr.optim.SGD(lr=0.1))
    our_lines = _checkpoint_run(ours, VALUES, capsys)
    pattern = re.compile(r"Epoch (\d+): ReduceLROnPlateau reducing learning rate to ([0-9.e-]+)\.")
    ks, cs = [pattern.fullmatch(line) for line in keras_lines], [pattern.fullmatch(line) for line in our_lines]
    assert len(cs) == len(ks) > 1 and all(ks) and all(cs)
    assert [m[1] for m in cs] == [m[1] for m in ks]
    np.testing.assert_allclose([float(m[2]) for m in cs], [float(m[2]) for m in ks], rtol=1e-6)  # Keras': float32


def test_keras_positional_order():
    """EarlyStopping("val_loss", 0, 3) is Keras' min_delta=0, patience=3 (it was patience=0, min_delta=3)."""
    theirs, ours = keras.callbacks.EarlyStopping("val_loss", 0.01, 3, 1), cr.EarlyStopping("val_loss", 0.01, 3, 1)
    assert (ours.min_delta, ours.patience, ours.verbose) == (abs(theirs.min_delta), theirs.patience, theirs.verbose)
    theirs = keras.callbacks.ModelCheckpoint("m.keras", "loss", 1, True)
    ours = cr.ModelCheckpoint("m.npz", "loss", 1, True)
    assert (ours.monitor, ours.verbose, ours.save_best_only) == (theirs.monitor, theirs.verbose, theirs.save_best_only)


@pytest.mark.parametrize("make, error, message", [
    (lambda: cr.ModelCheckpoint("m.npz", save_weights_only="yes"), ChainruleTypeError,
     "ModelCheckpoint: save_weights_only must be True or False"),
    (lambda: cr.ModelCheckpoint("m.npz", save_freq=0), ValidationError,
     r"ModelCheckpoint: save_freq must be 'epoch' or a number of batches \(an integer > 0\); got 0"),
    (lambda: cr.ModelCheckpoint("m.npz", save_freq="batch"), ValidationError, "save_freq must be 'epoch'"),
    (lambda: cr.ModelCheckpoint("m.npz", save_freq=2.0), ValidationError, "save_freq must be 'epoch'"),
    (lambda: cr.ModelCheckpoint("m.npz", initial_value_threshold=0.5), ValidationError,
     r"ModelCheckpoint: initial_value_threshold=0.5 applies only with save_best_only=True"),
    (lambda: cr.ModelCheckpoint("m.npz", save_best_only=True, initial_value_threshold="low"), ChainruleTypeError,
     "ModelCheckpoint: initial_value_threshold must be a number"),
    (lambda: cr.ModelCheckpoint("m.npz", verbose=2), ValidationError, "ModelCheckpoint: verbose must be 0 or 1; got 2"),
    (lambda: cr.EarlyStopping(verbose="1"), ValidationError, "EarlyStopping: verbose must be 0 or 1; got '1'"),
    (lambda: cr.EarlyStopping(baseline=float("nan")), ValidationError, "EarlyStopping: baseline must be finite"),
    (lambda: cr.EarlyStopping(baseline="0.5"), ChainruleTypeError, "EarlyStopping: baseline must be a number"),
    (lambda: cr.EarlyStopping(start_from_epoch=-1), ValidationError,
     "EarlyStopping: start_from_epoch must be a whole number of epochs, 0 or more; got -1"),
    (lambda: cr.EarlyStopping(start_from_epoch=1.5), ChainruleTypeError, "EarlyStopping: start_from_epoch must be"),
])
def test_arguments_that_cannot_work_are_named(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_a_batch_field_needs_a_batch_count(tmp_path):
    X, y = np.ones((8, 2)), np.ones((8, 1))
    with pytest.raises(ValidationError, match=r"has the field \{batch\}, which is filled only when save_freq is a "
                                              r"number of batches; got save_freq='epoch'"):
        _net().fit(X, y, epochs=1, verbose=0, callbacks=[cr.ModelCheckpoint(str(tmp_path / "m-{batch}.npz"))])
    assert not list(tmp_path.iterdir())
    with pytest.warns(UserWarning, match=r"^Can save best model only with val_loss available\.$"):    # Keras'
        _net().fit(X, y, epochs=1, batch_size=2, verbose=0, callbacks=[
            cr.ModelCheckpoint(str(tmp_path / "m.npz"), save_freq=2, save_best_only=True)])
    assert (tmp_path / "m.npz").exists()                    # saved, as without save_best_only


DOCUMENTED = {
    "ModelCheckpoint save_freq zero": lambda tmp: cr.ModelCheckpoint("m.npz", save_freq=0),
    "ModelCheckpoint threshold without save_best_only": lambda tmp: cr.ModelCheckpoint(
        "m.npz", initial_value_threshold=0.5),
    "ModelCheckpoint batch field each epoch": lambda tmp: _net().fit(
        np.ones((4, 2)), np.ones((4, 1)), verbose=0, callbacks=[cr.ModelCheckpoint("m-{batch}.npz")]),
    "EarlyStopping verbose 2": lambda tmp: cr.EarlyStopping(verbose=2),
    "EarlyStopping start_from_epoch negative": lambda tmp: cr.EarlyStopping(start_from_epoch=-1),
    "BackupAndRestore save_freq batches": lambda tmp: cr.callbacks.BackupAndRestore("b", save_freq=5),
    "BackupAndRestore backup_dir empty": lambda tmp: cr.callbacks.BackupAndRestore(""),
    "BackupAndRestore and checkpoint_dir": lambda tmp: _net().fit(
        np.ones((4, 2)), np.ones((4, 1)), verbose=0, callbacks=[cr.callbacks.BackupAndRestore("b")],
        checkpoint_dir="c"),
}


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_docs_errors_show_these_messages_as_raised(name, tmp_path):
    """docs/errors.md's rows of these errors: the whole message each call raises."""
    doc = (os.path.dirname(__file__) + "/../docs/errors.md")
    with open(doc, encoding="utf-8") as f:
        row = next(line for line in f if line.startswith(f"| {name} | `ValidationError` | "))
    with pytest.raises(ValidationError) as info:
        DOCUMENTED[name](tmp_path)
    assert row.split(" | ")[2] == str(info.value)


class _StopAt(cr.callbacks.Callback):
    """Ctrl-C at the end of an epoch, after the callbacks before it and before the checkpoint."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs):
        if epoch == self.epoch:
            raise KeyboardInterrupt


def test_a_resumed_run_counts_the_batches_on(tmp_path):
    """save_freq counts batches across epochs: a run resumed from its checkpoint_dir saves after the
    same batches, with the same weights, as the uninterrupted run."""
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(20, 2)), rng.normal(size=(20, 1))

    def run(folder, extra=(), resume=False):
        folder.mkdir(exist_ok=True)
        _net().fit(X, y, epochs=4, batch_size=4, seed=0, verbose=0, checkpoint_dir=folder / "ck", resume=resume,
                   callbacks=[cr.ModelCheckpoint(str(folder / "m-{epoch}-{batch}.npz"), save_freq=3), *extra])
        return sorted(p.name for p in folder.glob("m-*.npz"))

    whole = run(tmp_path / "whole")
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path / "cut", extra=[_StopAt(2)])
    assert run(tmp_path / "cut", resume=True) == whole == ["m-1-3.npz", "m-2-1.npz", "m-2-4.npz", "m-3-2.npz",
                                                           "m-3-5.npz", "m-4-3.npz"]
    for name in whole:
        np.testing.assert_array_equal(cr.load(tmp_path / "cut" / name).params,
                                      cr.load(tmp_path / "whole" / name).params)
