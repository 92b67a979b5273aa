"""Keras parity of the callbacks, against Keras 3 itself (KERAS_BACKEND=torch): a callback written for Keras
run unchanged (each hook's arguments, self.params, self.model), ReduceLROnPlateau's printed rate, progress lines
holding a callback's text."""
import os
import re

import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
pytest.importorskip("sklearn.datasets")

from keras_twins import digits, fit, twins  # noqa: E402


def recorder(base):
    """One callback body, as a Keras user writes it, on Keras' base or chainrule's."""
    class Recorder(base):
        def __init__(self):
            super().__init__()
            self.seen = []

        def on_train_begin(self, logs=None):
            self.seen.append(("train_begin", logs, dict(self.params), self.model is not None))

        def on_epoch_begin(self, epoch, logs=None):
            self.seen.append(("epoch_begin", epoch, logs))

        def on_epoch_end(self, epoch, logs=None):
            self.seen.append(("epoch_end", epoch, sorted(logs)))

        def on_train_end(self, logs=None):
            self.seen.append(("train_end", sorted(logs)))
    return Recorder()


def test_a_callback_written_for_keras_gets_keras_arguments_in_each_hook():
    """Keras gives on_train_begin(logs) {} (self.params set before) and on_epoch_begin(epoch, logs) {};
    chainrule gave on_train_begin fit's params as its logs, and on_epoch_begin no logs (None)."""
    X, y = digits(64)
    net, model = twins()
    ours, theirs = recorder(cr.callbacks.Callback), recorder(keras.callbacks.Callback)
    fit(net, X, y, [ours], 2)
    fit(model, X, y, [theirs], 2)
    assert ours.seen == theirs.seen
    assert ours.seen[0] == ("train_begin", {}, {"verbose": 0, "epochs": 2, "steps": 2}, True)


def test_chainrules_own_on_train_begin_still_gets_fits_params():
    """The documented `on_train_begin(self, params)` and `on_epoch_begin(self, epoch)` keep working."""
    seen = []

    class Own(cr.callbacks.Callback):
        def on_train_begin(self, params):
            seen.append(params["epochs"])

        def on_epoch_begin(self, epoch):
            seen.append(epoch)

    X, y = digits(64)
    fit(twins()[0], X, y, [Own()], 2)
    assert seen == [2, 0, 1]


def plateau_lines(model, module, capsys, **kw):
    X, y = digits(64)
    callback = module.ReduceLROnPlateau(monitor="loss", patience=1, min_delta=10, verbose=1, **kw)
    fit(model, X, y, [callback], 4)
    return [line for line in capsys.readouterr().out.splitlines() if "ReduceLROnPlateau" in line]


def test_reduce_lr_on_plateau_prints_keras_rate_for_a_float32_network(capsys):
    """Keras reduces its float32 rate: 0.01 reads 0.009999999776482582, times 0.1 printed 0.0009999999776482583,
    then 9.999999310821295e-05; chainrule printed 0.001, 0.0001 (the float64 rate)."""
    net, model = twins(lr=0.01)
    ours = plateau_lines(net, cr.callbacks, capsys)
    theirs = plateau_lines(model, keras.callbacks, capsys)
    assert len(theirs) == 3 and ours == theirs
    assert net.optimizer.lr == pytest.approx(float(model.optimizer.learning_rate), rel=1e-6)


def test_reduce_lr_on_plateau_prints_a_float64_networks_rate_exactly(capsys):
    net = cr.Network([cr.Dense(64, 8, "relu"), cr.Dense(8, 10, "softmax")], loss="categorical_crossentropy",
                     seed=0, dtype="float64")
    net.optimizer = cr.optim.SGD(lr=0.01).bind(net)
    lines = plateau_lines(net, cr.callbacks, capsys)
    rates = [0.01 * 0.1, 0.01 * 0.1 * 0.1, 0.01 * 0.1 * 0.1 * 0.1]
    assert lines == [f"Epoch {e}: ReduceLROnPlateau reducing learning rate to {r}." for e, r in zip((2, 3, 4), rates)]


class Noted:
    """Puts a text and a number in the epoch's logs, after the metrics, as a user's callback may."""
    def __init__(self, text):
        super().__init__()
        self.text = text

    def on_epoch_end(self, epoch, logs=None):
        if self.text:
            logs["note"] = "ok"
        logs["count"] = 3


def fields(out):
    """A progress line's fields after the step time: (name, value) pairs in order."""
    line = [row for row in out.splitlines() if "/step" in row][-1]
    return re.findall(r" - ([a-z]+): (\S+)", line)


@pytest.mark.parametrize("verbose", [1, 2])
def test_progress_lines_show_a_callbacks_text_among_keras_fields(verbose, capsys):
    """Keras' bar fails on a string in the logs (NumPy's mean of it); its line of numbers is the truth of the
    fields' order; chainrule raised ValueError (float('ok')) and now shows the text in its place."""
    X, y = digits(64)
    net, model = twins()
    keras_cb = type("KerasNoted", (Noted, keras.callbacks.Callback), {})
    fit(model, X, y, [keras_cb(False)], 2, verbose=verbose)
    theirs = fields(capsys.readouterr().out)
    with pytest.raises(TypeError):
        fit(model, X, y, [keras_cb(True)], 1, verbose=verbose)
    capsys.readouterr()
    fit(net, X, y, [type("Ours", (Noted, cr.callbacks.Callback), {})(True)], 2, verbose=verbose)
    ours = fields(capsys.readouterr().out)
    names = [name for name, _ in theirs]
    assert [name for name, _ in ours] == names[:2] + ["note"] + names[2:]
    assert ("note", "ok") in ours and ours[-1] == theirs[-1] == ("count", "3.0000")
