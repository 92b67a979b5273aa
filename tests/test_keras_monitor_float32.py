"""A float32 network's callbacks ask "did it improve by min_delta?" in float32, as Keras 3's ops ask it: 0.7 after
0.9 with min_delta=0.2 is no improvement there (float64's 0.7 + 0.2 is 0.8999999999999999 < 0.9)."""
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

VALUES = [0.9, 0.7, 0.6, 1.0, 0.3, 0.1, 0.6, 0.6, 0.5, 1.0]


def _pair(dtype="float32"):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    net = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0, dtype=dtype)
    net.optimizer = cr.optim.SGD(lr=0.1).bind(net)
    return model, net


def _drive(callback, owner, begin, lr):
    """The epoch each callback stops at (None: never) and the rate after each epoch."""
    begin()
    stopped, rates = None, []
    for epoch, value in enumerate(VALUES):
        callback.on_epoch_end(epoch, {"loss": value, "val_loss": value})
        rates.append(round(lr(), 7))
        if owner.stop_training and stopped is None:
            stopped = epoch
    return stopped, rates


def _early_stoppings(kwargs):
    """Keras' EarlyStopping and ours of `kwargs`, Keras' driven through the values (its stop), ours ready to drive."""
    model, net = _pair()
    theirs, ours = keras.callbacks.EarlyStopping(**kwargs), cr.EarlyStopping(**kwargs)
    theirs.set_model(model)
    ours.network = net
    return theirs, ours, net, _drive(theirs, model, theirs.on_train_begin, lambda: 0.0)


@pytest.mark.parametrize("kwargs", [dict(patience=2, min_delta=0.2, baseline=0.5),
                                    dict(patience=1, min_delta=0.2, baseline=0.9),
                                    dict(patience=2, min_delta=0.2)])
def test_early_stopping_stops_where_keras_does(kwargs):
    theirs, ours, net, want = _early_stoppings(kwargs)
    got = _drive(ours, net, lambda: ours.on_train_begin({}), lambda: 0.0)
    assert got == want
    assert (ours.best_epoch, ours.wait, ours.best) == (theirs.best_epoch, theirs.wait, theirs.best)


@pytest.mark.parametrize("kwargs", [dict(patience=2, min_delta=0.2, min_lr=0.01),
                                    dict(patience=1, min_delta=0.2, cooldown=1, min_lr=0.003)])
def test_plateau_reduces_where_keras_does(kwargs):
    model, net = _pair()
    theirs, ours = keras.callbacks.ReduceLROnPlateau(**kwargs), cr.ReduceLROnPlateau(**kwargs)
    theirs.set_model(model)
    ours.network = net
    want = _drive(theirs, model, theirs.on_train_begin, lambda: float(model.optimizer.learning_rate))
    got = _drive(ours, net, lambda: ours.on_train_begin({}), lambda: float(np.float32(net.optimizer.lr)))
    assert got == want


def test_a_float64_network_compares_exactly():
    """float64 logs are compared in float64: 0.7 improves on 0.9 by more than 0.2 there."""
    _, net = _pair("float64")
    ours = cr.EarlyStopping(patience=1, min_delta=0.2)
    ours.network = net
    ours.on_train_begin({})
    for epoch, value in enumerate([0.9, 0.7]):
        ours.on_epoch_end(epoch, {"val_loss": value})
    assert (ours.best, ours.best_epoch, net.stop_training) == (0.7, 1, False)


def test_model_checkpoint_threshold_compared_as_keras(tmp_path):
    """initial_value_threshold just above a float32 value: the same number in float32, so neither saves."""
    model, net = _pair()
    value = float(np.float32(0.3))
    threshold = float(np.nextafter(value, 1.0))
    theirs = keras.callbacks.ModelCheckpoint(str(tmp_path / "k.keras"), save_best_only=True,
                                             initial_value_threshold=threshold)
    ours = cr.ModelCheckpoint(tmp_path / "c.npz", save_best_only=True, initial_value_threshold=threshold)
    theirs.set_model(model)
    ours.network = net
    theirs.on_train_begin()
    ours.on_train_begin({})
    theirs.on_epoch_end(0, {"val_loss": value})
    ours.on_epoch_end(0, {"val_loss": value})
    assert sorted(os.listdir(tmp_path)) == []
    theirs.on_epoch_end(1, {"val_loss": 0.25})
    ours.on_epoch_end(1, {"val_loss": 0.25})
    assert sorted(os.listdir(tmp_path)) == ["c.npz", "k.keras"]


@pytest.mark.parametrize("make, owner", [(cr.EarlyStopping, "EarlyStopping"),
                                         (cr.ReduceLROnPlateau, "ReduceLROnPlateau"),
                                         (lambda mode: cr.ModelCheckpoint("m.npz", mode=mode), "ModelCheckpoint")])
def test_a_bad_mode_names_its_callback(make, owner):
    """mode's refusal named no callback, where patience's, factor's and the others' name theirs."""
    with pytest.raises(ValueError) as err:
        make(mode="best")
    assert str(err.value) == f"{owner}: mode must be 'auto', 'min' or 'max'; got 'best'"


@pytest.mark.parametrize("kwargs", [dict(patience=1, baseline=1e300), dict(patience=1, baseline=-1e300, mode="max")])
def test_a_baseline_beyond_float32_compares_as_keras_without_numpys_warning(kwargs):
    """A baseline past float32's range is its inf, as Keras casts it: compared, with no NumPy overflow warning."""
    import warnings
    theirs, ours, net, want = _early_stoppings(kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = _drive(ours, net, lambda: ours.on_train_begin({}), lambda: 0.0)
    assert got == want
