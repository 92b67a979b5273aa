"""ReduceLROnPlateau and CSVLogger: Keras' counts, the rates fit trains with, checkpoints and resume."""
import csv
import os
import types

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ValidationError

VALUES = [1.0, 0.9, 0.95, 0.96, 0.97, 0.899, 0.98, 0.99, 1.0, 1.01, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2]


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int)
    return X, y


def _net():
    return cr.Network([cr.Dense(3, 6, "tanh"), cr.Dense(6, 2, "softmax")], loss="categorical_crossentropy", seed=1)


@pytest.mark.parametrize("kwargs", [dict(patience=2), dict(patience=0), dict(patience=1, cooldown=2),
                                    dict(patience=1, min_delta=0.05), dict(patience=1, min_lr=0.004, factor=0.5),
                                    dict(patience=2, monitor="val_accuracy", mode="max"),
                                    dict(patience=3, cooldown=1, factor=0.2),
                                    dict(patience=1, factor=0.0), dict(patience=1, factor=0, min_lr=0.004)])
def test_the_rates_are_keras_for_one_sequence_of_values(kwargs):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    monitor = kwargs.get("monitor", "val_loss")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    theirs = keras.callbacks.ReduceLROnPlateau(**kwargs)
    theirs.set_model(model)
    theirs.on_train_begin()
    ours = cr.ReduceLROnPlateau(**kwargs)
    ours.network = types.SimpleNamespace(optimizer=cr.optim.SGD(lr=0.1))
    ours.on_train_begin({})
    for epoch, value in enumerate(VALUES):
        theirs.on_epoch_end(epoch, {monitor: value})
        logs = {monitor: value}
        ours.on_epoch_end(epoch, logs)
        assert ours.network.optimizer.lr == pytest.approx(float(model.optimizer.learning_rate), rel=1e-6), epoch
    assert ours.network.optimizer.lr < 0.1            # each case does reduce


def test_fit_trains_each_epoch_with_the_reduced_rate():
    """The same run, epoch by epoch, with the rates set by hand (the independent truth), and the logs
    (History's "learning_rate", Keras' float32 number) give the rate each epoch trained with."""
    X, y = _problem()
    Xv, yv = _problem(1)
    a = _net()
    plateau = cr.ReduceLROnPlateau(monitor="loss", patience=1, min_delta=10.0, factor=0.5)   # never improves
    history = a.fit(X, y, epochs=5, batch_size=16, shuffle=False, optimizer=cr.optim.SGD(0.2, momentum=0.9),
                    validation_data=(Xv, yv), callbacks=[plateau], verbose=0)
    rates = [0.2, 0.2, 0.1, 0.05, 0.025]
    assert history["learning_rate"] == [float(np.float32(rate)) for rate in rates] and "lr" not in history.history
    assert a.optimizer.lr == 0.0125
    b = _net()
    b.optimizer = cr.optim.SGD(0.2, momentum=0.9)
    for rate in rates:
        b.optimizer.lr = rate
        b.fit(X, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    np.testing.assert_array_equal(a.params, b.params)


class _StopAt(cr.callbacks.Callback):
    """Ctrl-C at the end of an epoch, after the callbacks before it and before the checkpoint."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs):
        if epoch == self.epoch:
            raise KeyboardInterrupt


def _run(folder, log, extra=(), resume=False):
    X, y = _problem()
    net = _net()
    plateau = cr.ReduceLROnPlateau(patience=1, factor=0.5, min_delta=0.02)
    history = net.fit(X, y, epochs=9, batch_size=16, optimizer=cr.optim.Adam(0.05), validation_split=0.25, seed=2,
                      callbacks=[plateau, cr.CSVLogger(log), *extra], verbose=0, checkpoint_dir=folder,
                      resume=resume)
    return net, history, plateau


def test_an_interrupted_run_resumes_with_its_rate_counts_and_log(tmp_path):
    """Interrupted after the log's row of epoch 6 but before its checkpoint: resumed, the rate, the
    callback's counts, the weights and the log (each epoch once) are the uninterrupted run's."""
    ref, ref_history, ref_plateau = _run(tmp_path / "ref", tmp_path / "ref.csv")
    assert len(set(ref_history["learning_rate"])) > 2                  # the rate does change, more than once
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path / "run", tmp_path / "run.csv", extra=[_StopAt(5)])
    with open(tmp_path / "run.csv") as f:
        assert [row[0] for row in csv.reader(f)][-1] == "5"  # written before the interruption
    net, history, plateau = _run(tmp_path / "run", tmp_path / "run.csv", resume=True)
    np.testing.assert_array_equal(net.params, ref.params)
    assert net.optimizer.lr == ref.optimizer.lr
    assert (plateau.best, plateau.wait, plateau.cooldown_counter) == (ref_plateau.best, ref_plateau.wait,
                                                                      ref_plateau.cooldown_counter)
    assert (tmp_path / "run.csv").read_text() == (tmp_path / "ref.csv").read_text()
    with open(tmp_path / "ref.csv") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == ref_history.epoch == list(range(9))
    for key, values in ref_history.history.items():
        assert [float(r[key]) for r in rows] == values       # every digit


def test_csv_logger_replaces_or_appends(tmp_path):
    X, y = _problem()
    log = tmp_path / "log.tsv"
    log.write_text("old contents\n")
    net = _net()
    net.fit(X, y, epochs=2, batch_size=16, callbacks=[cr.CSVLogger(log, separator="\t")], verbose=0)
    assert log.read_text().splitlines()[0] == "epoch\taccuracy\tloss\tval_accuracy\tval_loss"   # Keras' columns
    net.fit(X, y, epochs=3, batch_size=16, callbacks=[cr.CSVLogger(log, separator="\t", append=True)], verbose=0)
    lines = log.read_text().splitlines()
    assert len(lines) == 1 + 2 + 3 and [line.split("\t")[0] for line in lines[1:]] == ["0", "1", "0", "1", "2"]


def test_bad_arguments_and_uses_are_named():
    for kwargs, kind, words in [(dict(factor=1.0), ValidationError, r"factor must be in \[0.0, 1.0\); got 1.0"),
                                (dict(factor=-0.5), ValidationError, r"factor must be in \[0.0, 1.0\); got -0.5"),
                                (dict(factor="0.5"), ChainruleTypeError, "factor"),
                                (dict(patience=-1), ValidationError, "patience must be a whole number"),
                                (dict(patience=2.5), ChainruleTypeError, "patience must be a whole number"),
                                (dict(cooldown=True), ChainruleTypeError, "cooldown"),
                                (dict(verbose=2), ValidationError, "verbose must be 0 or 1"),
                                (dict(mode="up"), ValidationError, "mode must be"),
                                (dict(min_lr=-1.0), ValidationError, "min_lr")]:
        with pytest.raises(kind, match=words):
            cr.ReduceLROnPlateau(**kwargs)
    X, y = _problem()
    with pytest.raises(ValidationError, match="follows a schedule \\(StepLR\\); use one or the other"):
        _net().fit(X, y, epochs=2, optimizer=cr.optim.Adam(cr.optim.StepLR(0.01, 1)), verbose=0,
                   callbacks=[cr.ReduceLROnPlateau()])
    with pytest.warns(UserWarning, match="conditioned on metric `val_loss` which is not available"):   # Keras'
        _net().fit(X, y, epochs=2, verbose=0, callbacks=[cr.ReduceLROnPlateau()])
    with pytest.raises(ValidationError, match="separator must be one character"):
        cr.CSVLogger("log.csv", separator=", ")
    with pytest.raises(ValidationError, match="CSVLogger: cannot write '.*no-such-folder/log.csv'"):
        _net().fit(X, y, epochs=1, verbose=0, callbacks=[cr.CSVLogger("/no-such-folder/log.csv")])


def test_a_refused_or_stopped_fit_leaves_the_log_as_it_was_and_no_file_open(tmp_path):
    """The log was opened (and emptied) at the start: a fit refused by a later callback emptied the
    user's log, and one stopped by an exception left the file open."""
    import gc
    import warnings
    X, y = _problem()
    log = tmp_path / "log.csv"
    log.write_text("epoch,loss\n0,1.0\n")
    with pytest.raises(ValidationError, match="follows a schedule"):
        _net().fit(X, y, epochs=2, verbose=0, optimizer=cr.optim.SGD(cr.optim.StepLR(0.1, 1)),
                   callbacks=[cr.CSVLogger(log), cr.ReduceLROnPlateau(monitor="loss")])
    assert log.read_text() == "epoch,loss\n0,1.0\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        with pytest.raises(KeyboardInterrupt):
            _net().fit(X, y, epochs=3, verbose=0, callbacks=[cr.CSVLogger(log), _StopAt(1)])
        gc.collect()
    assert [line.split(",")[0] for line in log.read_text().splitlines()] == ["epoch", "0", "1"]
    with pytest.raises(ChainruleTypeError, match="EarlyStopping: patience must be a whole number of epochs"):
        cr.EarlyStopping(patience=1.5)
