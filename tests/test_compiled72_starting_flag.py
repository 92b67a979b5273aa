"""The compiled loop left the optimizer's per-step flag `starting` (whether a state array is made afresh at this
step) as it was before its first step, True, where the NumPy steps leave it False after their second: two fits of
the same numbers, one compiled and one on NumPy (CHAINRULE_NUMBA's auto choice, which depends on the kernels being
cached yet), held unequal optimizer states, and a test comparing a restored fit with its twin failed by the order
the suite ran in. The state after 1, 2 and 7 steps is NumPy's on either path."""
import copy

import numpy as np
import pytest
from epoch_undo_twin import net_with_adam, problem

import chainrule as cr
from chainrule.backend import kernels as _kernels


@pytest.mark.parametrize("make", [lambda: cr.optim.Adam(0.05), lambda: cr.optim.SGD(0.1, momentum=0.9)])
@pytest.mark.parametrize("epochs, batch_size", [(1, 6), (1, 3), (7, 6)])
def test_the_optimizers_state_after_a_fit_is_numpys(monkeypatch, make, epochs, batch_size):
    if not _kernels.AVAILABLE:
        pytest.skip("numba is not installed")
    X, y = problem()
    states = []
    for compiled in (False, True):
        monkeypatch.setattr(_kernels, "ENABLED", compiled)
        monkeypatch.setenv("CHAINRULE_NUMBA", "1" if compiled else "0")
        net = net_with_adam()
        net.fit(X[:6], y[:6], batch_size=batch_size, epochs=epochs, optimizer=make(), verbose=0, shuffle=False)
        states.append(copy.deepcopy(net.optimizer.__getstate__()))
    numpy_state, compiled_state = states
    assert compiled_state["starting"] == numpy_state["starting"]
    assert compiled_state["t"] == numpy_state["t"]
    for key, value in numpy_state["state"].items():
        np.testing.assert_allclose(compiled_state["state"][key], value, rtol=1e-10, atol=1e-14)
