"""A fit's last epoch whose updates leave finite weights whose outputs overflow (a rate of 1e300): its val_loss inf,
and no later step to find it. Python's fit returned that history silently; it raises TrainingDiverged now, as for
weights the last update made infinite, where the training rows' own outputs overflow too (NumPy's forward pass on
the fitted weights is the truth). A validation row of its own far outside the training rows (1e300) makes the
val_loss inf from the first epoch while training goes well: warned, not refused as divergence."""
import math
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import TrainingDiverged


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    return X, X @ np.array([[2.0], [-1.0]])


def _net():
    return cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)


def test_a_last_epoch_whose_outputs_overflow_raises():
    X, y = _data()
    with pytest.raises(TrainingDiverged, match=r"in its last epoch \(epoch 1\): the val_loss became inf"):
        _net().fit(X, y, epochs=1, batch_size=40, optimizer=cr.optim.SGD(lr=1e300), validation_split=0.25, verbose=0)


def test_a_validation_row_far_outside_the_training_rows_is_warned_not_divergence():
    X, y = _data()
    Xv, yv = X[:5].copy(), y[:5]
    Xv[0, 0] = 1e300
    net = _net()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        history = net.fit(X, y, epochs=3, batch_size=8, optimizer=cr.optim.SGD(lr=0.01), validation_data=(Xv, yv),
                          verbose=0)
    with np.errstate(over="ignore", invalid="ignore"):
        outputs = Xv @ net.layers[0].W + net.layers[0].b
        assert np.isfinite(net.predict(X)).all() and not np.isfinite(np.mean((outputs - yv) ** 2))    # numpy's
    assert not math.isfinite(history.history["val_loss"][-1]) and history.history["loss"][-1] < history.history[
        "loss"][0]
    said = [str(w.message) for w in seen if "val_loss" in str(w.message)]
    assert len(said) == 1 and "validation rows" in said[0] and "training rows' outputs are finite" in said[0], said
