"""What a Keras user reads from chainrule's callbacks is what Keras 3 gives: the attributes after fit
(`best`, `best_epoch`, `stopped_epoch`), CSVLogger's file byte for byte, the per-batch logs, the
learning rate's log name. Keras' own callbacks (KERAS_BACKEND=torch) are the truth, driven by the same
logs or run in a real Keras fit."""
import csv
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

VALUES = [0.9, 0.8, 0.85, 0.7, 0.72, 0.71, 0.69, 0.75, 0.74, 0.76, 0.73, 0.77, 0.78, 0.8]


def _keras_model(n_in=2):
    model = keras.Sequential([keras.Input((n_in,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    return model


def _net():
    return cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)


def _begin(callback):
    callback.on_train_begin() if isinstance(callback, keras.callbacks.Callback) else callback.on_train_begin({})


# 1. `best`, `best_epoch`, `stopped_epoch` as Keras keeps them

@pytest.mark.parametrize("kwargs", [dict(patience=3), dict(patience=3, monitor="val_accuracy", mode="max"),
                                    dict(patience=2, monitor="val_accuracy", mode="max", baseline=0.25),
                                    dict(patience=2, min_delta=0.02, restore_best_weights=True),
                                    dict(patience=30, monitor="val_accuracy", mode="max", start_from_epoch=2)])
def test_early_stopping_attributes_are_keras(kwargs):
    """Keras keeps the best value as logged (None before any); chainrule kept it negated in mode
    'max' and as inf before any."""
    model = _keras_model()
    theirs = keras.callbacks.EarlyStopping(**kwargs)
    theirs.set_model(model)
    net = _net()
    net.stop_training = False
    ours = cr.EarlyStopping(**kwargs)
    ours.set_network(net)
    for cb in (theirs, ours):
        assert cb.best is None
        _begin(cb)
    assert (ours.best, ours.best_epoch, ours.stopped_epoch) == (theirs.best, theirs.best_epoch, theirs.stopped_epoch)
    for epoch, value in enumerate(VALUES):
        logs = {"val_loss": value, "val_accuracy": 1 - value}
        theirs.on_epoch_end(epoch, dict(logs))
        ours.on_epoch_end(epoch, dict(logs))
        assert (ours.best, ours.best_epoch, ours.wait) == (theirs.best, theirs.best_epoch, theirs.wait), epoch
        if model.stop_training:
            break
    assert net.stop_training == model.stop_training
    assert ours.stopped_epoch == theirs.stopped_epoch


@pytest.mark.parametrize("kwargs", [dict(), dict(mode="max", monitor="val_accuracy"),
                                    dict(initial_value_threshold=0.75), dict(initial_value_threshold=0.2, mode="max"),
                                    dict(initial_value_threshold=0.26, monitor="val_accuracy", mode="max")])
def test_model_checkpoint_best_is_keras(kwargs, tmp_path):
    model = _keras_model()
    (tmp_path / "k").mkdir()
    (tmp_path / "c").mkdir()
    theirs = keras.callbacks.ModelCheckpoint(str(tmp_path / "k" / "m.keras"), save_best_only=True, **kwargs)
    theirs.set_model(model)
    ours = cr.ModelCheckpoint(str(tmp_path / "c" / "m.npz"), save_best_only=True, **kwargs)
    ours.set_network(_net())
    assert ours.best == theirs.best
    for cb in (theirs, ours):
        _begin(cb)
    assert ours.best == theirs.best
    for epoch, value in enumerate(VALUES):
        logs = {"val_loss": value, "val_accuracy": 1 - value}
        for cb in (theirs, ours):
            cb.on_epoch_begin(epoch)
            cb.on_epoch_end(epoch, dict(logs))
        assert ours.best == theirs.best, epoch


def test_best_after_fit_is_the_best_logged_value():
    """After a real fit, `best` is the best value of the history (mode 'max': the largest accuracy)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] - X[:, 1] > 0).astype(int)
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    stop = cr.EarlyStopping(monitor="val_accuracy", patience=50)
    history = net.fit(X[:60], y[:60], validation_data=(X[60:], y[60:]), epochs=8, batch_size=16, seed=0, verbose=0,
                      callbacks=[stop])
    assert stop.best == max(history["val_accuracy"])
    assert stop.best_epoch == history["val_accuracy"].index(max(history["val_accuracy"]))
    assert stop.stopped_epoch == 0                         # did not stop (Keras: 0, not None)


# 2. CSVLogger: the file Keras writes for the same logs

def _log_both(tmp_path, epochs_logs, prepared=None, **kwargs):
    """Each logger given the same logs; the bytes of the file each wrote."""
    files = []
    for who, make in (("keras", keras.callbacks.CSVLogger), ("ours", cr.CSVLogger)):
        path = tmp_path / f"{who}.csv"
        if prepared is not None:
            path.write_bytes(prepared)
        cb = make(str(path), **kwargs)
        if who == "ours":
            cb.set_network(_net())
        _begin(cb)
        for epoch, logs in enumerate(epochs_logs):
            cb.on_epoch_end(epoch, dict(logs))
        cb.on_train_end()
        files.append(path.read_bytes())
    return files


LOGS = [{"loss": 0.6931471805599453, "accuracy": 0.5, "val_loss": 0.7123, "val_accuracy": 0.4000000059604645},
        {"loss": 0.25, "accuracy": 0.875, "val_loss": 1e-07, "val_accuracy": 1.0}]


@pytest.mark.parametrize("logs, kwargs", [
    (LOGS, {}), (LOGS, {"separator": ";"}), (LOGS, {"separator": "\t"}),
    ([{"loss": 0.5}, {"loss": 0.25}], {}),                                      # no validation: val_ columns, NA
    ([{"loss": 0.5, "accuracy": 0.75}, {"loss": 0.25}], {}),                   # a value an epoch does not log
    ([{"loss": 0.5, "val_loss": 0.6, "lr": 0.01}, {"loss": 0.25, "val_loss": 0.3, "lr": 0.005}], {})])
def test_csv_logger_writes_the_file_keras_writes(tmp_path, logs, kwargs):
    theirs, ours = _log_both(tmp_path, logs, **kwargs)
    assert ours == theirs


@pytest.mark.parametrize("prepared", [b"", None, b"epoch,accuracy,loss,val_accuracy,val_loss\r\n0,0.5,1.0,0.5,1.0\r\n"])
def test_csv_logger_appends_as_keras(tmp_path, prepared):
    """append=True: the header only into an empty or new file, the rows after what the file holds."""
    theirs, ours = _log_both(tmp_path, LOGS, prepared=prepared, append=True)
    assert ours == theirs


def test_a_fits_log_is_what_keras_writes_for_its_history(tmp_path):
    """A real fit's file, against Keras' CSVLogger given the same epochs' logs (History's)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] > X[:, 1]).astype(int)
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    history = net.fit(X, y, epochs=3, batch_size=16, validation_split=0.25, seed=0, verbose=0,
                      callbacks=[cr.CSVLogger(tmp_path / "ours.csv")])
    theirs = keras.callbacks.CSVLogger(str(tmp_path / "keras.csv"))
    theirs.on_train_begin()
    for i, epoch in enumerate(history.epoch):
        theirs.on_epoch_end(epoch, {k: v[i] for k, v in history.history.items()})
    theirs.on_train_end()
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "keras.csv").read_bytes()
    with open(tmp_path / "ours.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [float(r["val_loss"]) for r in rows] == history["val_loss"]


# 4. ReduceLROnPlateau's rate in the logs: Keras 3's "learning_rate" (alone, as Keras)

def test_reduce_lr_logs_the_rate_under_keras_name():
    values = [1.0, 0.9, 0.95, 0.96, 0.97, 0.5, 0.6, 0.7]
    model = _keras_model()
    theirs = keras.callbacks.ReduceLROnPlateau(patience=1, factor=0.5)
    theirs.set_model(model)
    theirs.on_train_begin()
    ours = cr.ReduceLROnPlateau(patience=1, factor=0.5)
    net = _net()
    net.optimizer = cr.optim.SGD(lr=0.1)
    ours.set_network(net)
    ours.on_train_begin({})
    for epoch, value in enumerate(values):
        keras_logs, our_logs = {"val_loss": value}, {"val_loss": value}
        theirs.on_epoch_end(epoch, keras_logs)
        ours.on_epoch_end(epoch, our_logs)
        assert set(keras_logs) == set(our_logs)
        assert our_logs["learning_rate"] == keras_logs["learning_rate"]        # Keras': float32 (factor 0.5: exact)


def test_a_fits_history_has_the_keys_keras_history_has():
    """The same small fit in Keras and here, with ReduceLROnPlateau: History's keys are Keras'."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2)).astype(np.float32)
    y = (X[:, 0] > X[:, 1]).astype(int)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    theirs = model.fit(X, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0,
                       callbacks=[keras.callbacks.ReduceLROnPlateau(patience=0)])
    net = cr.Network([cr.Dense(2, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    ours = net.fit(X, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0, optimizer=cr.optim.SGD(0.1),
                   callbacks=[cr.ReduceLROnPlateau(patience=0)])
    assert set(ours.history) == set(theirs.history)


# 3. The per-batch logs: the epoch's means so far, under Keras' hook names too

def _batch_logs_both(loss, n_out, activation, metrics, y):
    """One epoch at learning rate 0 (1e-300 here: the weights stay, so each batch's own loss is known) in Keras and
    here, from the same weights, in order; the logs each on_train_batch_end got."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    net = cr.Network([cr.Dense(2, n_out, activation)], loss=loss, seed=0)
    net.layers[0].b[...] = np.linspace(0.25, -0.25, n_out)          # not 0, which a step of 1e-300 moves
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(n_out, activation=activation)])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse" if loss == "mse" else
                  "sparse_categorical_crossentropy", metrics=metrics)
    model.set_weights([net.layers[0].W.astype(np.float32), net.layers[0].b.astype(np.float32)])
    seen = {"keras": [], "ours": []}

    class KerasRecord(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen["keras"].append(dict(logs))

    class Record(cr.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen["ours"].append(dict(logs))

    model.fit(X.astype(np.float32), y, epochs=1, batch_size=16, shuffle=False, verbose=0, callbacks=[KerasRecord()])
    before = net.params.copy()
    net.fit(X, y, epochs=1, batch_size=16, shuffle=False, verbose=0, optimizer=cr.optim.SGD(1e-300),  # (0: refused)
            callbacks=[Record()])
    np.testing.assert_array_equal(net.params, before)
    return X, net, seen


def test_batch_logs_are_the_running_mean_as_keras():
    """Batches of 16, 16 and 8 rows: each batch's logs hold the mean loss over the rows so far (numpy,
    from each batch's own loss), as Keras' do; the last batch's are the epoch's."""
    y = np.random.default_rng(1).normal(size=(40, 1))
    X, net, seen = _batch_logs_both("mse", 1, "linear", [], y)
    own = [float(np.mean((net.predict(X[a:a + 16]) - y[a:a + 16]) ** 2)) for a in (0, 16, 32)]
    rows = np.array([16, 16, 8])
    want = np.cumsum(np.array(own) * rows) / np.cumsum(rows)
    assert [logs["loss"] for logs in seen["ours"]] == pytest.approx(want, rel=1e-12)
    assert [logs["loss"] for logs in seen["keras"]] == pytest.approx(want, rel=1e-5)
    assert [set(logs) for logs in seen["ours"]] == [set(logs) for logs in seen["keras"]]


def test_batch_logs_hold_the_running_accuracy_as_keras():
    y = np.random.default_rng(2).integers(0, 2, size=40)
    X, net, seen = _batch_logs_both("categorical_crossentropy", 2, "softmax", ["accuracy"], y)
    right = net.predict(X).argmax(axis=1) == y
    want = [right[:16].mean(), right[:32].mean(), right.mean()]
    assert [logs["accuracy"] for logs in seen["ours"]] == pytest.approx(want, rel=1e-12)
    assert [logs["accuracy"] for logs in seen["keras"]] == pytest.approx(want, rel=1e-6)
    assert [logs["loss"] for logs in seen["ours"]] == pytest.approx([logs["loss"] for logs in seen["keras"]],
                                                                     rel=1e-5)
    assert [set(logs) for logs in seen["ours"]] == [set(logs) for logs in seen["keras"]]


@pytest.mark.parametrize("hooks", [("on_batch_end",), ("on_train_batch_end",), ("on_batch_end", "on_train_batch_end"),
                                   ("on_train_batch_begin", "on_batch_begin")])
def test_the_per_batch_hooks_called_are_keras(hooks):
    """Which of a callback's per-batch methods fit calls, for each set a Keras user may define."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)), rng.normal(size=(20, 1))

    def recorder(base):
        calls = []
        methods = {name: (lambda self, batch, logs=None, name=name: calls.append(name)) for name in hooks}
        return type("Record", (base,), methods)(), calls

    theirs, keras_calls = recorder(keras.callbacks.Callback)
    model = _keras_model()
    model.fit(X.astype(np.float32), y.astype(np.float32), epochs=1, batch_size=10, verbose=0, callbacks=[theirs])
    ours, our_calls = recorder(cr.callbacks.Callback)
    _net().fit(X, y, epochs=1, batch_size=10, verbose=0, callbacks=[ours])
    assert our_calls == keras_calls and our_calls


# neighbours: History

def test_history_params_are_keras():
    """Keras code reading history.params (epochs, steps) found no metric 'params' here."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 2)), rng.normal(size=(40, 1))
    theirs = _keras_model().fit(X.astype(np.float32), y.astype(np.float32), epochs=2, batch_size=16, verbose=0)
    ours = _net().fit(X, y, epochs=2, batch_size=16, verbose=0)
    assert {k: ours.params[k] for k in ("epochs", "steps")} == {k: theirs.params[k] for k in ("epochs", "steps")}
    assert ours.epoch == theirs.epoch and set(ours.history) == set(theirs.history)


def test_a_checkpoint_written_before_keeps_its_best(tmp_path):
    """Checkpoints written before `best` was Keras' hold the score (negated in mode 'max', inf for none):
    a run resumed from one reads the value it stands for."""
    stop = cr.EarlyStopping(monitor="val_accuracy", mode="max")
    stop.set_network(_net())
    stop.set_state({"best": -0.75, "best_epoch": 3, "wait": 1, "stopped_epoch": None, "best_params": None})
    assert (stop.best, stop.best_epoch, stop.stopped_epoch) == (0.75, 3, 0)
    keep = cr.ModelCheckpoint(str(tmp_path / "m.npz"), save_best_only=True)
    keep.set_state({"best": float("inf"), "batches": 0})
    assert keep.best is None
    keep.set_state(keep.get_state())
    assert keep.best is None
