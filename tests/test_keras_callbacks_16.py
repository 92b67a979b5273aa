"""Keras parity of the callbacks, against Keras 3 itself (KERAS_BACKEND=torch) fitting digits from the same
weights: a float32 network's logged values, LambdaCallback's calls, the callbacks' printed lines."""
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
datasets = pytest.importorskip("sklearn.datasets")

from keras_twins import digits as _digits  # noqa: E402
from keras_twins import divergent as _divergent  # noqa: E402
from keras_twins import fit  # noqa: E402
from keras_twins import twins as _twins  # noqa: E402


def _fit(model, X, y, callbacks, epochs=2, **kw):
    return fit(model, X, y, callbacks, epochs, **kw)


def test_a_float32_networks_logs_hold_float32_values_as_keras(tmp_path):
    """Keras' metrics are float32: it logs 0.15 accuracy as 0.15000000596046448, in History, in the logs
    callbacks get and in CSVLogger's file; chainrule logged float64 means (0.15) of a float32 network."""
    X, y = _digits()
    net, model = _twins()
    seen = {"cr": [], "keras": []}
    runs = [(net, cr.callbacks, "cr"), (model, keras.callbacks, "keras")]
    for m, module, name in runs:
        batch = module.LambdaCallback(on_train_batch_end=lambda batch, logs, name=name: seen[name].append(dict(logs)))
        _fit(m, X, y, [batch, module.CSVLogger(str(tmp_path / f"{name}.csv"))], validation_data=(X[:50], y[:50]))
    ours, theirs = net.history.history, model.history.history
    assert sorted(ours) == sorted(theirs)
    for key in ours:
        assert all(v == float(np.float32(v)) for v in ours[key]), (key, ours[key])
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-5)
    for key in ("accuracy", "val_accuracy"):        # counts over the same rows: the same float32 values
        assert ours[key] == theirs[key]
    assert [b["accuracy"] for b in seen["cr"]] == [b["accuracy"] for b in seen["keras"]]
    assert all(v == float(np.float32(v)) for b in seen["cr"] for v in b.values())
    rows = {name: (tmp_path / f"{name}.csv").read_text().splitlines() for name in seen}
    assert rows["cr"][0] == rows["keras"][0]
    for a, b in zip(rows["cr"][1:], rows["keras"][1:]):     # epoch, accuracy written alike: 0.15000000596046448
        assert a.split(",")[:2] == b.split(",")[:2]
        assert a.split(",")[3] == b.split(",")[3]        # val_accuracy


def test_lambda_callback_gets_keras_arguments_as_keras_passes_them():
    """Keras' fit passes a batch hook's logs by keyword (on_train_batch_end(batch, logs=logs)) and the epoch's and
    the run's by position; chainrule passed every one by position, so a lambda written for Keras with **kw, or
    with a keyword-only logs, failed."""
    X, y = _digits(64)
    net, model = _twins()
    calls = {}
    for m, module, name in ((net, cr.callbacks, "cr"), (model, keras.callbacks, "keras")):
        got = calls[name] = []

        def record(hook, got=got):
            return lambda *a, **k: got.append((hook, a, {key: dict(v) for key, v in k.items()}))
        hooks = ("on_train_begin", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin", "on_train_batch_end",
                 "on_train_end")
        keyword_only = module.LambdaCallback(on_batch_end=lambda batch, *, logs, got=got: got.append(("kw", batch)))
        _fit(m, X, y, [module.LambdaCallback(**{h: record(h) for h in hooks}), keyword_only], epochs=1)
    assert [(c[0], len(c[1]), sorted(c[2])) for c in calls["cr"] if c[0] != "kw"] == \
        [(c[0], len(c[1]), sorted(c[2])) for c in calls["keras"] if c[0] != "kw"]
    assert [c for c in calls["cr"] if c[0] == "kw"] == [c for c in calls["keras"] if c[0] == "kw"] == \
        [("kw", 0), ("kw", 1)]


def test_the_callbacks_lines_are_keras_own(tmp_path, capsys):
    """ModelCheckpoint, LearningRateScheduler and ReduceLROnPlateau print their lines after a blank one, as
    Keras' (print_msg("\\nEpoch 1: ...")); chainrule printed them without it."""
    X, y = _digits(64)
    net, model = _twins()
    out = {}
    for m, module, name in ((net, cr.callbacks, "cr"), (model, keras.callbacks, "keras")):
        path = str(tmp_path / f"m.{'npz' if name == 'cr' else 'keras'}")
        capsys.readouterr()
        _fit(m, X, y, [module.ModelCheckpoint(path, monitor="loss", save_best_only=True, verbose=1),
                       module.LearningRateScheduler(lambda epoch, lr: 0.25, verbose=1),
                       module.ReduceLROnPlateau(monitor="accuracy", mode="min", patience=0, factor=0.5, verbose=1)])
        out[name] = capsys.readouterr().out.replace(path, "PATH")
    assert out["cr"].count("\n\nEpoch") >= 6
    lines = {name: [line.split(" to ")[0] for line in text.split("\n")] for name, text in out.items()}
    assert lines["cr"] == lines["keras"]


def _pair(dtype, widths=(2, 4, 2), seed=0):
    return cr.Network([cr.Dense(widths[0], widths[1], "tanh"), cr.Dense(widths[1], widths[2], "sigmoid")], loss="mse",
                      seed=seed, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_save_weights_and_load_weights_round_trip_exactly(dtype, tmp_path):
    """Keras' save_weights / load_weights: chainrule had neither (ModelCheckpoint(save_weights_only=True) was
    refused). The weights come back bit for bit, into a network of the same layers and dtype."""
    net, other = _pair(dtype), _pair(dtype, seed=1)
    path = tmp_path / "digits.weights.npz"
    net.save_weights(path)
    other.load_weights(str(path))
    for a, b in zip(net.get_weights(), other.get_weights()):
        assert a.dtype == b.dtype == np.dtype(dtype) and a.shape == b.shape and np.array_equal(a, b)
    x = np.array([[0.3, -0.7]])
    assert np.array_equal(net.predict(x, verbose=0), other.predict(x, verbose=0))
    with np.load(path, allow_pickle=False) as data:        # plain arrays, readable without pickle
        assert [np.array_equal(data[k], w) for k, w in zip(("0.W", "0.b", "1.W", "1.b"), net.get_weights())] == \
            [True] * 4


def test_load_weights_refuses_another_shape_before_changing_anything(tmp_path, monkeypatch):
    """A file of other layers is refused, naming the layer and both shapes, and the network keeps every weight
    (the first layer matches here: it is not set either)."""
    monkeypatch.chdir(tmp_path)
    _pair("float64", (2, 4, 3)).save_weights("w.npz")
    net = _pair("float64")
    before = net.get_weights()
    with pytest.raises(cr.errors.ValidationError) as info:
        net.load_weights("w.npz")
    assert str(info.value) == "load_weights: layer 1 (Dense(4, 2, activation='sigmoid')): W has shape (4, 3) in " \
        "'w.npz', the network's is (4, 2)"
    doc = (os.path.dirname(__file__) + "/../docs/errors.md")
    with open(doc, encoding="utf-8") as f:
        row = next(line for line in f if line.startswith("| load_weights shape mismatch | `ValidationError` | "))
    assert row.split(" | ")[2] == str(info.value)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.get_weights()))


def test_load_weights_never_unpickles_and_save_weights_keeps_the_old_file(tmp_path, monkeypatch):
    """A crafted file holding a pickled object is refused (np.load without pickle), and a failed write leaves the
    previous weights file whole (a temporary file renamed over it, as save writes models)."""
    net = _pair("float64")
    crafted = tmp_path / "crafted.npz"
    net.save_weights(crafted)
    with np.load(crafted) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["0.W"] = np.array([object()], dtype=object)          # np.savez pickles it
    np.savez(crafted, **arrays)
    with pytest.raises(cr.errors.ModelFileError, match="holds Python objects .*never unpickled"):
        net.load_weights(crafted)
    path = tmp_path / "w.npz"
    net.save_weights(path)
    kept = path.read_bytes()

    def broken(f, **arrays):
        f.write(b"half")
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError):
        _pair("float64", seed=3).save_weights(path)
    assert path.read_bytes() == kept and sorted(os.listdir(tmp_path)) == ["crafted.npz", "w.npz"]


def test_model_checkpoint_saves_weights_only_as_keras(tmp_path):
    """ModelCheckpoint(save_weights_only=True), Keras' common habit, was refused; it now writes the weights of the
    best epoch, which load_weights reads back: the same weights Keras' checkpoint holds, fitted side by side."""
    X, y = _digits()
    net, model = _twins()
    _fit(net, X, y, [cr.callbacks.ModelCheckpoint(str(tmp_path / "best.npz"), monitor="val_accuracy",
                                                  save_best_only=True, save_weights_only=True)],
         epochs=4, validation_data=(X[:50], y[:50]))
    _fit(model, X, y, [keras.callbacks.ModelCheckpoint(str(tmp_path / "best.weights.h5"), monitor="val_accuracy",
                                                       save_best_only=True, save_weights_only=True)],
         epochs=4, validation_data=(X[:50], y[:50]))
    fresh, again = _twins()
    fresh.load_weights(tmp_path / "best.npz")
    again.load_weights(str(tmp_path / "best.weights.h5"))
    for a, b in zip(fresh.get_weights(), again.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert not all(np.array_equal(a, b) for a, b in zip(fresh.get_weights(), _twins()[0].get_weights()))


def _stops(m, module, X, Y, capsys, tmp_path):
    seen = []
    capsys.readouterr()
    m.fit(X, Y, batch_size=4, epochs=3, shuffle=False, verbose=0, callbacks=[
        module.TerminateOnNaN(), module.CSVLogger(str(tmp_path / "log.csv")),
        module.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append((batch, logs["loss"])))])
    return capsys.readouterr().out, seen[-1], m.history.history["loss"], (tmp_path / "log.csv").read_text()


@pytest.mark.parametrize("lr", [0.5, 2.0])
def test_terminate_on_nan_logs_an_infinite_loss_as_keras(lr, capsys, tmp_path):
    """A batch whose loss overflows to inf: Keras stops there and logs inf (batch, epoch, CSVLogger); chainrule
    stopped at the same batch but logged NaN."""
    X, Y, net, model = _divergent(lr)
    ours, theirs = _stops(net, cr.callbacks, X, Y, capsys, tmp_path), _stops(model, keras.callbacks, X, Y, capsys,
                                                                               tmp_path)
    assert ours[0] == theirs[0] and "Invalid loss" in ours[0]          # "Batch 4: Invalid loss, terminating ..."
    assert ours[1] == theirs[1] and ours[1][1] == np.inf
    assert ours[2] == theirs[2] == [np.inf]
    assert ours[3].splitlines()[1].split(",")[:2] == theirs[3].splitlines()[1].split(",")[:2] == ["0", "inf"]


def test_terminate_on_nan_as_keras_where_the_gradient_overflows(capsys, tmp_path):
    """A finite loss whose gradient's squares overflow float32: Keras applies that update and stops at the next batch,
    its loss inf; chainrule stops there too (it stopped one batch earlier, logging NaN), its weights the last finite
    step's."""
    X, Y, net, model = _divergent(0.3)
    ours, theirs = _stops(net, cr.callbacks, X, Y, capsys, tmp_path), _stops(model, keras.callbacks, X, Y, capsys,
                                                                               tmp_path)
    assert ours[1][0] == theirs[1][0]
    assert ours[0] == f"Batch {ours[1][0]}: Invalid loss, terminating training\n"
    assert ours[1][1] == theirs[1][1] == np.inf and ours[2][0] == np.inf
    assert np.isfinite(net.params).all()


def test_csv_logger_writes_a_callbacks_own_logs_as_keras(tmp_path):
    """A callback before CSVLogger may add its own logs (an int count, a NumPy float32): Keras writes them as they
    are (3, 0.1); chainrule wrote each as a Python float's repr (3.0, 0.10000000149011612)."""
    X, y = _digits(64)
    net, model = _twins()
    for m, module, name in ((net, cr.callbacks, "cr"), (model, keras.callbacks, "keras")):
        def add(epoch, logs):
            logs.update(count=epoch + 3, share=np.float32(0.1))
        _fit(m, X, y, [module.LambdaCallback(on_epoch_end=add), module.CSVLogger(str(tmp_path / f"{name}.csv"),
                                                                                  separator=";")])
    ours, theirs = ((tmp_path / f"{name}.csv").read_text().splitlines() for name in ("cr", "keras"))
    assert ours[0] == theirs[0]
    for a, b in zip(ours[1:], theirs[1:]):
        a, b = a.split(";"), b.split(";")          # epoch;accuracy;count;loss;share;val_...: all but the loss alike
        assert a[:3] + a[4:] == b[:3] + b[4:]
    assert [row.split(";")[2] for row in ours[1:]] == ["3", "4"] and ours[1].split(";")[4] == "0.1"


def test_a_weights_checkpoint_of_another_name_is_refused_before_training(tmp_path):
    """save_weights writes .npz files; a weights checkpoint named otherwise is refused before the first epoch
    (as Keras refuses one not ending in .weights.h5 when it is made), not at its end."""
    net = _pair("float64")
    before = net.get_weights()
    path = str(tmp_path / "ckpt.weights")        # .h5 is refused as a Keras ending already
    with pytest.raises(cr.errors.ValidationError, match=r"\(save_weights_only=True\) must end in \.npz"):
        net.fit(np.ones((4, 2)), np.ones((4, 2)), verbose=0, callbacks=[
            cr.callbacks.ModelCheckpoint(path, save_weights_only=True, monitor="loss")])
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        keras.callbacks.ModelCheckpoint(str(tmp_path / "ckpt.npz"), save_weights_only=True)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.get_weights())) and not os.listdir(tmp_path)
