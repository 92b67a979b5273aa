"""Gradient-flow diagnostics flag a deep sigmoid network and not the same depth with ReLU and He."""
import warnings

import numpy as np
import pytest

import chainrule as cr

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402


def deep(activation, init, depth=8):
    widths = [64] + [32] * (depth - 1)
    layers = [cr.Dense(a, b, activation, weight_init=init) for a, b in zip(widths, widths[1:])]
    return cr.Network(layers + [cr.Dense(32, 10, "softmax")], loss="categorical_crossentropy", seed=0)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def train(net, digits):
    diag = cr.GradientDiagnostics()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = net.fit(*digits, epochs=5, batch_size=32, optimizer=cr.optim.SGD(0.1), callbacks=[diag],
                          seed=0, verbose=0)
    return history, diag, [w for w in caught if issubclass(w.category, cr.GradientWarning)]


def test_deep_sigmoid_network_is_flagged(digits):
    history, diag, caught = train(deep("sigmoid", "glorot_uniform"), digits)
    assert 0 in diag.flagged and "vanish" in diag.flagged[0]
    assert caught and "layer 0" in str(caught[0].message) and "he_normal" in str(caught[0].message)
    norms = [history.history[f"grad_norm/{l}"][-1] for l in range(8)]
    assert norms[0] < 1e-3 * norms[-1]                  # the first layer gets almost nothing
    assert history.accuracy[-1] < 0.5                     # and the network does not learn


def test_same_depth_relu_he_is_not_flagged(digits):
    history, diag, caught = train(deep("relu", "he_normal"), digits)
    assert diag.flagged == {} and caught == []
    assert history.accuracy[-1] > 0.9


def test_history_has_every_layer_metric(digits):
    history, _, _ = train(deep("tanh", "glorot_uniform", depth=3), digits)
    for l in range(3):
        for key in ("grad_norm", "update_ratio", "saturation"):
            values = history.history[f"{key}/{l}"]
            assert len(values) == 5 and all(np.isfinite(values))
    assert 0 <= history.history["saturation/0"][-1] <= 1


def test_exploding_gradients_are_flagged():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(64, 4)) * 30, rng.normal(size=(64, 1)) * 30
    net = cr.Network([cr.Dense(4, 16, "relu"), cr.Dense(16, 1)], loss="mse", seed=0)
    diag = cr.GradientDiagnostics(warn=False)
    with pytest.raises(cr.errors.TrainingDiverged):
        net.fit(X, Y, epochs=20, optimizer=cr.optim.SGD(0.5), callbacks=[diag], verbose=0)
    net = cr.Network([cr.Dense(4, 16, "relu"), cr.Dense(16, 1)], loss="mse", seed=0)
    net.fit(X, Y, epochs=1, optimizer=cr.optim.SGD(0.01), callbacks=[diag], verbose=0)
    assert any("explode" in m for m in diag.flagged.values())


def test_saturation_measures():
    from chainrule.training.diagnostics import saturation
    layer = cr.Dense(2, 3, "sigmoid")
    layer.forward(np.array([[100.0, 0.0], [-100.0, 0.0]]))
    layer.W[...] = [[1, 0, 0], [0, 0, 0]]
    layer.forward(np.array([[100.0, 0.0], [-100.0, 0.0]]))
    assert saturation(layer) == pytest.approx(2 / 6)
    relu = cr.Dense(1, 2, "relu", weight_init=np.array([[1.0, -1.0]]))
    relu.forward(np.array([[1.0], [2.0]]))
    assert saturation(relu) == 0.5                     # the second unit is dead on the whole batch
