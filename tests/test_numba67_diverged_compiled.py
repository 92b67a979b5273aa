"""A fit whose gradient overflows stops with the weights of the last finite step, on each path on its own: the NumPy
loop, the tiny networks' compiled loop and the general one (their numbers agree with the NumPy loop's to the last bits
only, docs/architecture.md, so each path's stop is compared with the same path's run one batch shorter, bit for bit).
TerminateOnNaN, a per-batch callback, trains on the NumPy loop alone (tests/test_keras67_callbacks.py)."""
import re

import numpy as np
import pytest

import chainrule as cr
from chainrule.training import trainer


def _divergent(hidden, lr):
    """A 2-hidden-2 float32 regression net with a learning rate that diverges (tests/keras_twins.py's, wider too)."""
    rng = np.random.default_rng(0)
    X, Y = (rng.normal(size=(64, 2)) * 3).astype(np.float32), (rng.normal(size=(64, 2)) * 3).astype(np.float32)
    net = cr.Network([cr.Dense(2, hidden, "relu"), cr.Dense(hidden, 2, "linear")], loss="mse", seed=0,
                     dtype="float32")
    net.optimizer = cr.optim.SGD(lr=lr).bind(net)
    return X, Y, net


@pytest.mark.parametrize("hidden, path", [(4, "tiny"), (8, "kernels")])
@pytest.mark.parametrize("lr", [0.2, 1.0])
def test_a_diverged_fit_keeps_the_weights_of_its_own_path_one_batch_shorter(kernels, hidden, path, lr, monkeypatch):
    paths: list[str] = []
    taking = trainer.Trainer.taking
    monkeypatch.setattr(trainer.Trainer, "taking", lambda self, p: (paths.append(p), taking(self, p))[1])
    X, Y, net = _divergent(hidden, lr)
    with pytest.raises(cr.errors.TrainingDiverged, match="the weights are those of the last finite step") as info:
        net.fit(X, Y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    assert set(paths) == {path if kernels == "numba" else "numpy"}
    epoch, batch = map(int, re.search(r"epoch (\d+), batch (\d+)", str(info.value)).groups())
    assert np.isfinite(net.params).all()
    done = (epoch - 1) * 16 + batch - 1        # the batches trained before the overflowing one (16 an epoch)
    X2, Y2, again = _divergent(hidden, lr)
    rows = np.arange(4 * done) % 64
    paths.clear()
    again.fit(X2[rows], Y2[rows], batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert set(paths) == {path if kernels == "numba" else "numpy"}
    np.testing.assert_array_equal(net.params, again.params)
