"""Keras users' habits with the callbacks, each against Keras 3's own callback: Keras 2's epsilon of
ReduceLROnPlateau, an empty file name refused when the callback is made, ModelCheckpoint's unread monitor."""
import os
import re
import types
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

VALUES = [0.9, 0.8, 0.85, 0.7, 0.72, 0.71, 0.69, 0.75, 0.74, 0.76, 0.73, 0.77, 0.78, 0.8]
REDUCED = re.compile(r"Epoch (\d+): ReduceLROnPlateau reducing learning rate to ([0-9.e-]+)\.")


def _drive(callback, capsys):
    callback.on_train_begin() if isinstance(callback, keras.callbacks.Callback) else callback.on_train_begin({})
    for epoch, value in enumerate(VALUES):
        callback.on_epoch_begin(epoch)
        callback.on_epoch_end(epoch, {"val_loss": value})
    return [m.groups() for m in map(REDUCED.search, capsys.readouterr().out.splitlines()) if m]


def test_plateau_epsilon_is_keras_2s_min_delta(capsys):
    """ReduceLROnPlateau(epsilon=0.05) (Keras 2 code) counts as min_delta=0.05, with a DeprecationWarning naming
    min_delta; it was a TypeError. Keras' own callback given min_delta=0.05 reduces at the same epochs."""
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    theirs = keras.callbacks.ReduceLROnPlateau(patience=1, factor=0.5, verbose=1, min_delta=0.05)
    theirs.set_model(model)
    keras_epochs = [epoch for epoch, _ in _drive(theirs, capsys)]
    with pytest.warns(DeprecationWarning, match="min_delta"):
        ours = cr.callbacks.ReduceLROnPlateau(patience=1, factor=0.5, verbose=1, epsilon=0.05)
    assert ours.min_delta == 0.05
    ours.network = types.SimpleNamespace(optimizer=cr.optim.SGD(lr=0.1))
    default = cr.callbacks.ReduceLROnPlateau(patience=1, factor=0.5, verbose=1)
    default.network = types.SimpleNamespace(optimizer=cr.optim.SGD(lr=0.1))
    our_epochs = [epoch for epoch, _ in _drive(ours, capsys)]
    assert our_epochs == keras_epochs
    assert [epoch for epoch, _ in _drive(default, capsys)] != keras_epochs      # epsilon changed the counts


def test_plateau_other_unknown_keyword_still_refused():
    with pytest.raises(TypeError, match="epsillon"):
        cr.callbacks.ReduceLROnPlateau(epsillon=0.05)


@pytest.mark.parametrize("make, argument, error", [
    (lambda: cr.callbacks.ModelCheckpoint(""), "ModelCheckpoint: filepath", FileNotFoundError),
    (lambda: cr.callbacks.CSVLogger(""), "CSVLogger: filename", FileNotFoundError),
    (lambda: cr.callbacks.BackupAndRestore(""), "BackupAndRestore: backup_dir", ValidationError)])
def test_empty_file_name_refused_when_made(make, argument, error):
    """An empty name is refused as the callback is made, naming the argument (it was refused only when fit
    started, after the network and data were built); Keras' ModelCheckpoint('') is refused when made too. A file's
    name in open()'s class, as save('') refuses it; the folder's as before."""
    with pytest.raises(ValueError, match="The filepath provided must end"):
        keras.callbacks.ModelCheckpoint("")
    with pytest.raises(error, match=f"^(\\[Errno 2\\] )?{argument} is empty"):
        make()


def _fit_both(tmp_path, **kwargs):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)), rng.normal(size=(20, 1))
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="mse")
    net = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)
    results = []
    for fit, folder, ending in ((model.fit, "k", "keras"), (net.fit, "c", "npz")):
        (tmp_path / folder).mkdir()
        try:
            callback = (keras.callbacks if folder == "k" else cr.callbacks).ModelCheckpoint(
                str(tmp_path / folder / f"m-{{epoch}}.{ending}"), **kwargs)
            fit(X, y, epochs=3, batch_size=10, verbose=0, callbacks=[callback])
        except ValueError as exc:       # Keras': "isn't able to automatically determine"; chainrule's "cannot tell"
            made = ["refused", bool(re.search("cannot tell|isn't able to automatically determine", str(exc)))]
        else:
            made = sorted(p.stem for p in (tmp_path / folder).iterdir())
        results.append(made)
    return results


def test_checkpoint_empty_monitor_unread_is_taken_as_keras(tmp_path):
    """ModelCheckpoint(monitor='', mode='min') saves every epoch, as Keras' (the monitor is read only with
    save_best_only); it was refused when made."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)     # the torch backend's own
        keras_made, ours = _fit_both(tmp_path, monitor="", mode="min")
    assert ours == keras_made == ["m-1", "m-2", "m-3"]


def test_checkpoint_empty_monitor_auto_mode_refused_as_keras(tmp_path):
    """mode='auto' cannot tell min from max for '' in Keras either: both refuse it (Keras as fit begins)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        keras_made, ours = _fit_both(tmp_path, monitor="")
    assert ours == keras_made == ["refused", True]


@pytest.mark.parametrize("schedule", [lambda epoch, lr: lr * 0.5, lambda epoch, lr: lr * 0.9 if epoch else lr])
def test_scheduler_compounds_a_float32_rate_as_keras(schedule, capsys):
    """LearningRateScheduler(lambda epoch, lr: lr * 0.5, verbose=1) on a float32 network: the rate handed to the
    schedule is Keras' float32 one, so the printed lines and the logged rates are Keras' (they printed 0.0375
    where Keras prints 0.03750000149011612)."""
    from keras_twins import digits, fit, twins
    X, y = digits()
    net, model = twins()
    lines = []
    for m, module in ((model, keras.callbacks), (net, cr.callbacks)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)     # the torch backend's own
            history = fit(m, X, y, [module.LearningRateScheduler(schedule, verbose=1)], 4)
        lines.append([line for line in capsys.readouterr().out.splitlines() if "LearningRateScheduler" in line])
        lines.append(history.history["learning_rate"])
    assert lines[2] == lines[0] and len(lines[0]) == 4
    assert lines[3] == lines[1]
