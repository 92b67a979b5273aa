"""SklearnSolver's rate set after it is made (a callback such as ReduceLROnPlateau, or `net.optimizer.lr = ...`)
is the rate of its next steps: it replays scikit-learn's update through an inner optimizer, which kept the rate
it was made with. Truth: MLP's own optimizer given the same rate before its next partial_fit."""
import copy

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.neural_network import MLPClassifier  # noqa: E402

import chainrule as cr  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _flat(est):
    return np.concatenate([np.ravel(a) for W, b in zip(est.coefs_, est.intercepts_) for a in (W, b)])


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("attribute", ["lr", "learning_rate"])
def test_a_rate_set_on_the_solver_is_the_rate_of_its_steps(solver, attribute):
    rng = np.random.RandomState(0)
    X = rng.randn(30, 4)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    est = MLPClassifier(hidden_layer_sizes=(4,), solver=solver, learning_rate_init=0.1, momentum=0.5, alpha=0.01,
                        batch_size=len(X), shuffle=False, max_iter=3, random_state=0).fit(X, y)
    net = cr.from_sklearn(est)
    replay = cr.saving.interop.SklearnSolver(net, copy.deepcopy(est))
    setattr(replay, attribute, 0.02)
    net.fit(X, y.reshape(-1, 1).astype(float), epochs=1, batch_size=len(X), shuffle=False, verbose=0,
            optimizer=replay)
    if solver == "sgd":
        est._optimizer.learning_rate = 0.02            # SGDOptimizer steps by its learning_rate
    else:
        est._optimizer.learning_rate_init = 0.02       # AdamOptimizer derives each step's rate from it
    est.partial_fit(X, y)
    assert replay.lr == 0.02
    np.testing.assert_allclose(net.params, _flat(est), rtol=1e-11, atol=1e-13)
