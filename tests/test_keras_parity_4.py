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
    assert ours == theirs
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
    ours = [line.replace(" - lr: 0.3000", "") for line in _printed(capsys)]        # chainrule's own name too
    assert ours == theirs


@pytest.mark.parametrize("classes", [0, 3])
def test_verbose_1_ends_each_epoch_with_keras_last_bar(classes, capsys):
    """verbose=1 without a terminal: Keras' header and the last state of its bar, on stderr."""
    ours, theirs = _fit_both(capsys, 1, classes, stream="err", epochs=3, validation_split=0.25)
    assert ours == theirs


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
