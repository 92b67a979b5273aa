"""Keras parity, third round: fit's params, the per-batch hooks reached through super(), the learning
rate ReduceLROnPlateau logs, CSVLogger appending, and fit's other arguments, each against Keras 3
itself (KERAS_BACKEND=torch) on the same small problem."""
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)).astype(np.float32)
    return X, (X[:, :1] - 0.5 * X[:, 1:]).astype(np.float32)


def _keras_model(lr=0.1):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    return model


def _net():
    return cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)


# 1. History.params: Keras 3's whole dict

@pytest.mark.parametrize("kwargs", [{}, {"verbose": "auto"}, {"verbose": 0}, {"verbose": 1}, {"verbose": 2},
                                    {"verbose": 0, "validation_split": 0.25, "initial_epoch": 1}])
def test_history_params_are_keras_whole_dict(kwargs, capsys):
    X, y = _data()
    theirs = _keras_model().fit(X, y, epochs=3, batch_size=16, **kwargs)
    ours = _net().fit(X, y, epochs=3, batch_size=16, **kwargs)
    assert ours.params == theirs.params
    assert ours.epoch == theirs.epoch


def test_a_callbacks_params_are_keras(capsys):
    """Keras code reading self.params in a callback (set before on_train_begin) finds Keras' dict."""
    X, y = _data()
    seen = {}

    def recorder(base, who):
        def on_train_begin(self, logs=None):
            seen[who, "begin"] = dict(self.params)

        def on_epoch_end(self, epoch, logs=None):
            seen[who, "end"] = dict(self.params)
        return type("Record", (base,), {"on_train_begin": on_train_begin, "on_epoch_end": on_epoch_end})()

    _keras_model().fit(X, y, epochs=2, batch_size=16, verbose=0, callbacks=[recorder(keras.callbacks.Callback, "k")])
    _net().fit(X, y, epochs=2, batch_size=16, verbose=0, callbacks=[recorder(cr.callbacks.Callback, "c")])
    assert seen["c", "begin"] == seen["k", "begin"] and seen["c", "end"] == seen["k", "end"]


# 2. ReduceLROnPlateau: the rate logged as Keras logs it (float32), reduced as Keras reduces it

def _plateau_both(values, capsys, lr=0.1, **kwargs):
    model = _keras_model(lr)
    theirs = keras.callbacks.ReduceLROnPlateau(**kwargs)
    theirs.set_model(model)
    theirs.on_train_begin()
    net = _net()
    net.optimizer = cr.optim.SGD(lr=lr)
    ours = cr.ReduceLROnPlateau(**kwargs)
    ours.set_network(net)
    ours.on_train_begin({})
    logged = {"keras": [], "ours": []}
    printed = {}
    for who, cb in (("keras", theirs), ("ours", ours)):
        for epoch, value in enumerate(values):
            logs = {"val_loss": value}
            cb.on_epoch_end(epoch, logs)
            logged[who].append(logs["learning_rate"])
        printed[who] = [line.split(" to ")[0] for line in capsys.readouterr().out.splitlines() if line.strip()]
    return logged, printed, net


def test_reduce_lr_logs_keras_float32_rate(capsys):
    values = [1.0, 0.9, 0.95, 0.96, 0.97, 0.5, 0.6, 0.7, 0.8]
    logged, _, net = _plateau_both(values, capsys, lr=0.1, patience=1, factor=0.5)
    assert logged["ours"] == logged["keras"]                 # exactly: 0.1 in float32 is 0.10000000149011612
    assert all(type(v) is float for v in logged["ours"])
    assert net.optimizer.lr in {0.1 * 0.5 ** k for k in range(1, 10)}   # the rate trained with: chainrule's own


def test_reduce_lr_stops_at_min_lr_as_keras(capsys):
    """0.01 * 0.1 is 0.0010000000000000002 in float64, above min_lr=0.001: chainrule reduced it again (to
    0.001) every `patience` epochs, printing a line each time; Keras compares its float32 rate and stops."""
    values = [1.0] * 8
    logged, printed, net = _plateau_both(values, capsys, lr=0.01, patience=1, factor=0.1, min_lr=0.001, verbose=1)
    assert printed["ours"] == printed["keras"] and len(printed["keras"]) == 1
    assert logged["ours"] == logged["keras"]


@pytest.mark.parametrize("factor", [0.5, 0.1])
def test_a_fits_logged_rate_is_keras(factor):
    """The same fit in both, the rate reduced every epoch: each epoch's learning_rate is the number Keras'
    history holds; by a factor that is not a power of 2, within one float32 step (Keras rounds its rate
    to float32 at each reduction, chainrule once, from its float64 rate: docs/guide.md)."""
    X, y = _data()
    kwargs = dict(epochs=6, batch_size=40, shuffle=False, verbose=0, validation_data=(X, y))
    theirs = _keras_model(0.2).fit(X, y, callbacks=[keras.callbacks.ReduceLROnPlateau(factor=factor, patience=0,
                                                                                        min_delta=10)], **kwargs)
    ours = _net().fit(X, y, optimizer=cr.optim.SGD(0.2),
                      callbacks=[cr.ReduceLROnPlateau(factor=factor, patience=0, min_delta=10)], **kwargs)
    if factor == 0.5:
        assert ours.history["learning_rate"] == theirs.history["learning_rate"]
    np.testing.assert_array_max_ulp(np.float32(ours.history["learning_rate"]),
                                    np.float32(theirs.history["learning_rate"]), maxulp=1)
    assert "lr" not in ours.history


# 3. The per-batch hooks: which of a callback's methods fit calls, through super() too

def _calls(base, methods):
    calls = []

    def hook(name, call_super):
        def method(self, batch, logs=None):
            calls.append((name, batch, None if logs is None else sorted(logs)))
            if call_super:
                getattr(super(cls, self), name)(batch, logs)
        return method
    cls = type("Record", (base,), {name: hook(name, sup) for name, sup in methods.items()})
    return cls(), calls


@pytest.mark.parametrize("methods", [
    {"on_train_batch_end": True, "on_batch_end": False},
    {"on_train_batch_begin": True, "on_batch_begin": False},
    {"on_train_batch_end": False, "on_batch_end": False},
    {"on_train_batch_begin": False, "on_batch_begin": False, "on_train_batch_end": True, "on_batch_end": False},
    {"on_train_batch_end": True},
    {"on_batch_begin": True, "on_batch_end": True}])
def test_per_batch_hooks_reached_as_keras(methods):
    X, y = _data(20)
    theirs, keras_calls = _calls(keras.callbacks.Callback, methods)
    _keras_model().fit(X, y, epochs=1, batch_size=10, verbose=0, callbacks=[theirs])
    ours, our_calls = _calls(cr.callbacks.Callback, methods)
    _net().fit(X, y, epochs=1, batch_size=10, verbose=0, callbacks=[ours])
    assert our_calls == keras_calls


def test_a_subclass_of_a_subclass_is_called_as_keras():
    """A's on_train_batch_end passes on through super(); B, a subclass of A, adds on_batch_end."""
    X, y = _data(20)

    def make(base):
        calls = []

        class A(base):
            def on_train_batch_end(self, batch, logs=None):
                calls.append("A.on_train_batch_end")
                super().on_train_batch_end(batch, logs)

        class B(A):
            def on_batch_end(self, batch, logs=None):
                calls.append(("B.on_batch_end", sorted(logs)))
        return B(), calls

    theirs, keras_calls = make(keras.callbacks.Callback)
    _keras_model().fit(X, y, epochs=1, batch_size=10, verbose=0, callbacks=[theirs])
    ours, our_calls = make(cr.callbacks.Callback)
    _net().fit(X, y, epochs=1, batch_size=10, verbose=0, callbacks=[ours])
    assert our_calls == keras_calls and len(our_calls) == 4


# 4. CSVLogger(append=True) to a file written before

def _append_both(tmp_path, prepared):
    logs = [{"loss": 0.5, "val_loss": 0.75}, {"loss": 0.25, "val_loss": 0.375}]
    out = []
    for who, make in (("keras", keras.callbacks.CSVLogger), ("ours", cr.CSVLogger)):
        path = tmp_path / f"{who}.csv"
        path.write_bytes(prepared)
        cb = make(str(path), append=True)
        cb.on_train_begin() if who == "keras" else cb.on_train_begin({})
        for epoch, epoch_logs in enumerate(logs):
            cb.on_epoch_end(epoch, dict(epoch_logs))
        cb.on_train_end()
        out.append(path.read_bytes())
    return out


def test_csv_append_to_a_lf_file_keeps_its_line_ends(tmp_path):
    """Keras appends CRLF rows to a file of LF lines (pandas' to_csv, a text editor's): a file mixing
    both. chainrule writes Keras' rows (no second header) with the file's own line end."""
    prepared = b"epoch,loss,val_loss\n0,1.0,1.5\n"
    theirs, ours = _append_both(tmp_path, prepared)
    assert theirs.count(b"\r\n") == 2 and theirs.count(b"\n") == 4       # Keras mixes
    assert ours == theirs.replace(b"\r\n", b"\n")
    assert b"\r" not in ours


def test_csv_append_after_a_last_line_without_end(tmp_path):
    """Keras joins its first row to a last line that has no line end ("0,1.0,1.50,0.5,0.75")."""
    prepared = b"epoch,loss,val_loss\r\n0,1.0,1.5"
    theirs, ours = _append_both(tmp_path, prepared)
    assert ours == prepared + b"\r\n" + theirs[len(prepared):]
    with open(tmp_path / "ours.csv", newline="") as f:
        assert [len(line.split(",")) for line in f.read().split("\r\n")[:-1]] == [3, 3, 3, 3]


@pytest.mark.parametrize("prepared", [b"", b"epoch,loss,val_loss\r\n0,1.0,1.5\r\n"])
def test_csv_append_to_an_empty_or_crlf_file_is_keras(tmp_path, prepared):
    theirs, ours = _append_both(tmp_path, prepared)
    assert ours == theirs



# 5. fit's other arguments and callbacks, as a Keras user would try them

def _stopper(base, at):
    class Stop(base):
        def on_train_batch_end(self, batch, logs=None):
            if self.model.stop_training is False and batch == at[1] and len(self.seen) == at[0]:
                self.model.stop_training = True
            self.batches += 1
            self.last = dict(logs)

        def on_epoch_begin(self, epoch, logs=None):
            self.batches = 0

        def on_epoch_end(self, epoch, logs=None):
            self.seen.append((epoch, self.batches, dict(logs)))
    stop = Stop()
    stop.seen = []
    return stop


@pytest.mark.parametrize("weighted", [False, True])
def test_a_stop_asked_for_after_a_batch_ends_the_epoch_there_as_keras(weighted):
    """Keras' fit leaves the epoch after the batch whose callback set model.stop_training, and its
    logs are those of the batches trained; chainrule trained the rest of the epoch first."""
    X, y = _data()
    w = np.linspace(0.5, 2.0, 40) if weighted else None
    kwargs = dict(epochs=3, batch_size=8, shuffle=False, verbose=0, validation_data=(X, y), sample_weight=w)
    model = _keras_model(0.05)
    net = _net()
    model.set_weights([net.layers[0].W.astype(np.float32), net.layers[0].b.astype(np.float32)])
    theirs, ours = _stopper(keras.callbacks.Callback, (1, 1)), _stopper(cr.callbacks.Callback, (1, 1))
    model.fit(X, y, callbacks=[theirs], **kwargs)
    history = net.fit(X, y, optimizer=cr.optim.SGD(0.05), callbacks=[ours], **kwargs)
    assert [(e, b) for e, b, _ in ours.seen] == [(e, b) for e, b, _ in theirs.seen] == [(0, 5), (1, 2)]
    assert history.epoch == [0, 1]
    for ((_, _, logs), (_, _, keras_logs)) in zip(ours.seen, theirs.seen):
        assert set(logs) == set(keras_logs)
        if not weighted:  # Keras' weighted loss divides by the rows, not by the weights (docs/guide.md)
            assert logs["val_loss"] == pytest.approx(keras_logs["val_loss"], rel=1e-5)
    assert ours.seen[1][2]["loss"] == ours.last["loss"]          # the running mean of the 2 batches trained
    if not weighted:
        np.testing.assert_allclose(net.layers[0].W.ravel(), model.get_weights()[0].ravel(), rtol=1e-5)
        assert ours.seen[1][2]["loss"] == pytest.approx(theirs.seen[1][2]["loss"], rel=1e-5)


def test_a_stop_after_a_batch_ends_a_sequences_epoch_too():
    """The same with a sequence of (x, y) batches: the epoch ends after the batch, its logs those of the batches."""
    X, y = _data()
    batches = [(X[a:a + 8], y[a:a + 8]) for a in range(0, 40, 8)]
    ours = _stopper(cr.callbacks.Callback, (0, 2))
    history = _net().fit(batches, epochs=2, shuffle=False, verbose=0, optimizer=cr.optim.SGD(0.05), callbacks=[ours])
    assert [(e, b) for e, b, _ in ours.seen] == [(0, 3)] and history.epoch == [0]
    assert history["loss"] == [ours.last["loss"]]


# 6. Keras' smaller callbacks: LearningRateScheduler, LambdaCallback, TerminateOnNaN

@pytest.mark.parametrize("schedule", [lambda epoch, lr: lr * 0.5 if epoch else lr, lambda epoch: 0.1 / (epoch + 1)])
def test_learning_rate_scheduler_as_keras(schedule, capsys):
    X, y = _data()
    kwargs = dict(epochs=4, batch_size=40, shuffle=False, verbose=0)
    model, net = _keras_model(0.1), _net()
    model.set_weights([net.layers[0].W.astype(np.float32), net.layers[0].b.astype(np.float32)])
    theirs = model.fit(X, y, callbacks=[keras.callbacks.LearningRateScheduler(schedule, verbose=1)], **kwargs)
    keras_lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    ours = net.fit(X, y, optimizer=cr.optim.SGD(0.1),
                   callbacks=[cr.callbacks.LearningRateScheduler(schedule, verbose=1)], **kwargs)
    our_lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert ours.history["learning_rate"] == theirs.history["learning_rate"]
    assert [line.rsplit(" ", 1)[0] for line in our_lines] == [line.rsplit(" ", 1)[0] for line in keras_lines]
    np.testing.assert_allclose([float(line.rsplit(" ", 1)[1][:-1]) for line in our_lines],
                               [float(line.rsplit(" ", 1)[1][:-1]) for line in keras_lines], rtol=1e-6)
    np.testing.assert_allclose(net.layers[0].W.ravel(), model.get_weights()[0].ravel(), rtol=1e-5)


@pytest.mark.parametrize("bad, error", [(lambda epoch: -0.1, cr.errors.ValidationError),
                                        (lambda epoch: "0.1", cr.errors.ValidationError)])
def test_a_schedule_giving_no_rate_is_named(bad, error):
    X, y = _data()
    with pytest.raises(error, match="LearningRateScheduler: the schedule gave .* for epoch 0"):
        _net().fit(X, y, verbose=0, callbacks=[cr.callbacks.LearningRateScheduler(bad)])


def test_a_scheduler_on_an_optimizer_that_follows_a_schedule_is_refused():
    """Both would set lr each epoch/step, one silently winning: refused, as ReduceLROnPlateau is."""
    X, y = _data()
    with pytest.raises(cr.errors.ValidationError, match=r"LearningRateScheduler sets the optimizer's lr, which "
                                                        r"follows a schedule \(StepLR\); use one or the other"):
        _net().fit(X, y, verbose=0, optimizer=cr.optim.SGD(cr.optim.StepLR(0.1, 1)),
                   callbacks=[cr.callbacks.LearningRateScheduler(lambda epoch: 0.1)])


def test_lambda_callback_is_called_as_keras():
    X, y = _data(20)
    calls = {"keras": [], "ours": []}

    def hooks(who):
        log = calls[who].append
        return dict(on_train_begin=lambda logs: log(("train_begin", logs)),
                    on_epoch_begin=lambda epoch, logs: log(("epoch_begin", epoch, logs)),
                    on_epoch_end=lambda epoch, logs: log(("epoch_end", epoch, sorted(logs))),
                    on_train_batch_end=lambda batch, logs: log(("batch_end", batch, sorted(logs))),
                    on_batch_begin=lambda batch, logs: log(("batch_begin", batch, logs)),
                    on_train_end=lambda logs: log(("train_end", sorted(logs))))
    kwargs = dict(epochs=2, batch_size=10, verbose=0, validation_split=0.5)
    _keras_model().fit(X, y, callbacks=[keras.callbacks.LambdaCallback(**hooks("keras"))], **kwargs)
    _net().fit(X, y, callbacks=[cr.callbacks.LambdaCallback(**hooks("ours"))], **kwargs)
    assert calls["ours"] == calls["keras"]


def test_lambda_callback_refuses_hooks_never_called():
    with pytest.raises(cr.errors.ValidationError, match="on_test_batch_ended is not a hook chainrule calls"):
        cr.callbacks.LambdaCallback(on_test_batch_ended=lambda batch, logs: None)


def test_terminate_on_nan_stops_as_keras(capsys):
    """A rate that blows the loss up: Keras' TerminateOnNaN prints its line and fit returns with the
    epoch's NaN loss; chainrule did not know the callback, and without it fit raises TrainingDiverged,
    whose message names the batch the stop must come at."""
    X, y = _data()
    kwargs = dict(epochs=50, batch_size=8, shuffle=False, verbose=0)
    theirs = _keras_model(5.0).fit(X, y * 1e3, callbacks=[keras.callbacks.TerminateOnNaN()], **kwargs)
    keras_line = capsys.readouterr().out.strip().splitlines()[-1]
    with pytest.raises(cr.errors.TrainingDiverged) as info:
        _net().fit(X, y * 1e3, optimizer=cr.optim.SGD(5.0), **kwargs)
    epoch, batch = (int(v) for v in __import__("re").search(r"in epoch (\d+), batch (\d+)", str(info.value)).groups())
    net = _net()
    ours = net.fit(X, y * 1e3, optimizer=cr.optim.SGD(5.0), callbacks=[cr.callbacks.TerminateOnNaN()], **kwargs)
    our_line = capsys.readouterr().out.strip().splitlines()[-1]
    assert keras_line.startswith("Batch ") and keras_line.endswith(": Invalid loss, terminating training")
    assert our_line == f"Batch {batch - 1}: Invalid loss, terminating training"
    assert len(ours.epoch) == epoch and not np.isfinite(ours["loss"][-1])
    assert not np.isfinite(theirs.history["loss"][-1])
    assert np.isfinite(net.params).all()
    with pytest.raises(cr.errors.TrainingDiverged):
        _net().fit(X, y * 1e3, optimizer=cr.optim.SGD(5.0), callbacks=[cr.callbacks.TerminateOnNaN(True)], **kwargs)


def test_a_callback_setting_the_optimizers_learning_rate_as_keras():
    """Keras code sets the rate by its name in a callback: optimizer.learning_rate was an attribute nothing
    read here, the rate unchanged; the weights after the fit are Keras'."""
    X, y = _data()

    def halving(base):
        class Halve(base):
            def on_epoch_begin(self, epoch, logs=None):
                if epoch:
                    self.model.optimizer.learning_rate = float(self.model.optimizer.learning_rate) * 0.5
        return Halve()
    model, net = _keras_model(0.1), _net()
    model.set_weights([net.layers[0].W.astype(np.float32), net.layers[0].b.astype(np.float32)])
    kwargs = dict(epochs=4, batch_size=8, shuffle=False, verbose=0)
    model.fit(X, y, callbacks=[halving(keras.callbacks.Callback)], **kwargs)
    net.fit(X, y, optimizer=cr.optim.SGD(0.1), callbacks=[halving(cr.callbacks.Callback)], **kwargs)
    assert net.optimizer.lr == 0.1 * 0.5 ** 3
    np.testing.assert_allclose(net.layers[0].W.ravel(), model.get_weights()[0].ravel(), rtol=1e-5)
    with pytest.raises(cr.errors.ValidationError, match="optimizer.learning_rate"):
        net.optimizer.learning_rate = -1.0


def test_csv_append_under_a_header_without_this_runs_columns_warns(tmp_path):
    """Appending logs with columns the file's header lacks: Keras writes its rows of 5 fields under a
    header of 3; chainrule keeps the header's columns and names the ones it leaves out."""
    logs = [{"loss": 0.5, "val_loss": 0.75, "learning_rate": 0.25, "lr": 0.25}]
    prepared = b"epoch,loss,val_loss\r\n0,1.0,1.5\r\n"
    rows = {}
    for who, make in (("keras", keras.callbacks.CSVLogger), ("ours", cr.CSVLogger)):
        path = tmp_path / f"{who}.csv"
        path.write_bytes(prepared)
        cb = make(str(path), append=True)
        cb.on_train_begin() if who == "keras" else cb.on_train_begin({})
        with pytest.warns(UserWarning, match=r"\['learning_rate', 'lr'\] are not among them") if who == "ours" \
                else __import__("contextlib").nullcontext():
            cb.on_epoch_end(1, dict(logs[0]))
        cb.on_train_end()
        rows[who] = [line.split(",") for line in path.read_text().splitlines()]
    assert [len(r) for r in rows["keras"]] == [3, 3, 5]
    assert rows["ours"] == [["epoch", "loss", "val_loss"], ["0", "1.0", "1.5"], ["1", "0.5", "0.75"]]
