"""An epoch's last update is seen by no batch of that epoch: a rate of 1e300 leaves finite weights whose outputs
overflow. ModelCheckpoint (save_best_only or not) saved them, EarlyStopping(restore_best_weights) could keep them,
and a fit with neither validation nor callbacks returned them silently. Refused as divergence before any callback
sees the epoch now; NumPy's forward pass on each saved file's weights is the truth that nothing saved overflows."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import TrainingDiverged


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2))
    return X, X @ np.array([[1.0], [2.0]])


def _loss_of(path, X, y):
    """The mean squared error of a saved linear Dense(2, 1) on the training rows, by NumPy."""
    layer = cr.load(path).layers[0]
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.mean((X @ layer.W + layer.b - y) ** 2))


def _rate_from(epoch_of_1e300):
    return cr.callbacks.LearningRateScheduler(lambda epoch, lr: 1e300 if epoch == epoch_of_1e300 else 0.01)


@pytest.mark.parametrize("save_best_only", [False, True])
@pytest.mark.parametrize("monitor", ["loss", "val_loss"])
def test_no_checkpoint_file_holds_weights_that_overflow(tmp_path, save_best_only, monitor):
    X, y = _data()
    net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
    checkpoint = cr.ModelCheckpoint(str(tmp_path / "m{epoch}.npz"), monitor=monitor, save_best_only=save_best_only)
    with pytest.raises(TrainingDiverged, match=r"in epoch 2's last update: the training rows' loss became inf"):
        net.fit(X, y, epochs=3, batch_size=None, optimizer=cr.optim.SGD(0.01), verbose=0, callbacks=[
            _rate_from(1), checkpoint], validation_split=0.2 if monitor == "val_loss" else 0.0)
    saved = sorted(tmp_path.glob("m*.npz"))
    assert [p.name for p in saved] == ["m1.npz"]
    assert all(np.isfinite(_loss_of(p, X, y)) for p in saved)


def test_the_last_epochs_overflow_is_refused_before_the_checkpoint_and_early_stopping(tmp_path):
    X, y = _data()
    net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
    stopping = cr.EarlyStopping(monitor="loss", patience=5, restore_best_weights=True)
    with pytest.raises(TrainingDiverged, match=r"in its last epoch \(epoch 2\): the training rows' loss became inf"):
        net.fit(X, y, epochs=2, batch_size=None, optimizer=cr.optim.SGD(0.01), verbose=0,
                callbacks=[_rate_from(1), cr.ModelCheckpoint(str(tmp_path / "best.npz"), monitor="loss",
                                                             save_best_only=True), stopping])
    assert np.isfinite(_loss_of(tmp_path / "best.npz", X, y))
    assert stopping.best_epoch == 0                       # the overflowed epoch never reached it


def test_checkpoint_dir_keeps_the_last_good_epoch(tmp_path):
    X, y = _data()
    net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
    with pytest.raises(TrainingDiverged, match=r"epoch 2's last update: .*; the checkpoint of epoch 1 in .* is kept"):
        net.fit(X, y, epochs=3, batch_size=None, optimizer=cr.optim.SGD(0.01), verbose=0, callbacks=[_rate_from(1)],
                checkpoint_dir=tmp_path / "ck")
    assert np.isfinite(_loss_of(tmp_path / "ck" / "checkpoint.npz", X, y))


def test_a_last_epoch_that_overflows_without_validation_is_refused():
    """Without validation data nothing looked at the last update's outputs: fit returned weights whose predictions
    overflow on the rows it trained on."""
    X, y = _data()
    net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
    with pytest.raises(TrainingDiverged, match=r"in its last epoch \(epoch 1\): the training rows' loss became inf"):
        net.fit(X, y, epochs=1, batch_size=None, optimizer=cr.optim.SGD(1e300), verbose=0)
    layer = net.layers[0]
    with np.errstate(over="ignore", invalid="ignore"):
        assert not np.isfinite(np.mean((X @ layer.W + layer.b - y) ** 2))     # NumPy agrees it overflowed


def test_terminate_on_nan_still_returns_beside_a_checkpoint(tmp_path):
    """TerminateOnNaN asks fit to return at an invalid loss (Keras' callback): the check of the epoch's last update
    leaves that stop as it is, and the run without validation is not refused at its end either."""
    X, y = _data()
    for callbacks in ([cr.callbacks.TerminateOnNaN()],
                      [cr.callbacks.TerminateOnNaN(), cr.ModelCheckpoint(str(tmp_path / "m.npz"), monitor="loss")]):
        net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
        history = net.fit(X, y * 1e3, epochs=50, batch_size=4, shuffle=False, optimizer=cr.optim.SGD(5.0), verbose=0,
                          callbacks=callbacks)
        assert not np.isfinite(history.history["loss"][-1]) and len(history.epoch) < 50


def test_a_sequence_of_batches_keeps_no_checkpoint_that_overflows(tmp_path):
    """The same run given as a sequence of one (x, y) batch: ModelCheckpoint saved epoch 2's overflowing weights,
    and the fit stopped only at epoch 3's first batch."""
    X, y = _data()
    net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
    with pytest.raises(TrainingDiverged, match=r"in epoch 2's last update: the training rows' loss became inf"):
        net.fit([(X, y)], epochs=3, optimizer=cr.optim.SGD(0.01), verbose=0,
                callbacks=[_rate_from(1), cr.ModelCheckpoint(str(tmp_path / "m{epoch}.npz"), monitor="loss")])
    assert [p.name for p in sorted(tmp_path.glob("m*.npz"))] == ["m1.npz"]
    assert np.isfinite(_loss_of(tmp_path / "m1.npz", X, y))


def counted_inference(monkeypatch):
    """1,024 rows, a 2-8-1 network, and the list of the row counts its first layer's inference passes take."""
    X = np.random.default_rng(0).normal(size=(1024, 2))
    net = cr.Network([cr.Dense(2, 8, "tanh"), cr.Dense(8, 1)], loss="mse", seed=0)
    inferred: list[int] = []
    infer = cr.Dense.infer
    monkeypatch.setattr(cr.Dense, "infer", lambda self, a, *args, **kw: (
        inferred.append(a.shape[0]) if self is net.layers[0] else None, infer(self, a, *args, **kw))[1])
    return X, net, inferred


def test_the_check_of_each_epoch_costs_at_most_one_batchs_forward_pass(tmp_path, monkeypatch):
    """The check looked at 1,024 rows after every epoch: for 1,024 rows or fewer a forward pass of the whole set,
    a third of an epoch's work (forward and backward). One batch's rows at most, as one step of the epoch, read
    here from the rows every inference pass of the first layer takes (the run's end looks at up to 1,024)."""
    X, net, inferred = counted_inference(monkeypatch)
    epochs, batch_size = 4, 32
    net.fit(X, X[:, :1], epochs=epochs, batch_size=batch_size, verbose=0,
            callbacks=[cr.ModelCheckpoint(str(tmp_path / "m.npz"), monitor="loss")])
    assert sum(inferred) <= epochs * batch_size + 1024


@pytest.mark.parametrize("callbacks", [[], ["checkpoint"]])
def test_a_run_without_validation_ends_with_one_batchs_forward_pass_at_most(tmp_path, monkeypatch, callbacks):
    """The end of a run without validation looked at 1,024 training rows: a one-epoch fit (or partial_fit, one
    epoch a call) of 1,024 rows or fewer paid a forward pass of every row, which took longer than the epoch's
    compiled training. Its check, and that of every epoch beside a ModelCheckpoint, look at one batch's rows."""
    X, net, inferred = counted_inference(monkeypatch)
    given = [cr.ModelCheckpoint(str(tmp_path / "m.npz"), monitor="loss")] if callbacks else []
    net.fit(X, X[:, :1], epochs=1, batch_size=32, verbose=0, callbacks=given)
    assert 0 < sum(inferred) <= 32 * (1 + len(given))
