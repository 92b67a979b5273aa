"""The History's warning of a loss that exploded (still finite) pointed at chainrule's own line (stacklevel=2 names
the training loop's frame, or the compiled run's replay of its epochs), not the user's fit: it points at the line
of the user's code that called fit, on the NumPy loop and the compiled one alike, as the reading warnings do."""
import warnings

import numpy as np
import pytest

import chainrule as cr


class Norms(cr.callbacks.Callback):        # a callback of one's own: the NumPy loop, epoch by epoch
    def on_epoch_end(self, epoch, logs):
        pass


@pytest.mark.parametrize("callbacks", [[], [Norms()]], ids=["one compiled call", "numpy loop"])
def test_the_explosion_warning_points_at_the_users_fit(callbacks):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    net = cr.Network([cr.Dense(3, 8, "tanh"), cr.Dense(8, 1)], loss="mse", seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net.fit(X, X @ np.array([[1.0], [-2.0], [0.5]]), epochs=12, batch_size=64, optimizer=cr.optim.SGD(1.6),
                verbose=0, callbacks=callbacks)
    found = [w for w in caught if issubclass(w.category, cr.GradientWarning)]
    assert len(found) == 1
    assert found[0].filename == __file__, (found[0].filename, found[0].lineno)
