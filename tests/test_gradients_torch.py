"""Gradients against PyTorch autograd (float64) on 200+ random networks."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from conftest import LOSSES, random_network  # noqa: E402

TORCH_ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
             "leaky_relu": lambda z: F.leaky_relu(z, 0.01), "softmax": lambda z: torch.softmax(z, dim=1),
             "linear": lambda z: z}


def torch_loss(name, out, Y):
    n = out.shape[0]
    if name == "sse":
        return 0.5 * ((Y - out) ** 2).sum() / n
    if name == "mse":
        return F.mse_loss(out, Y)
    if name == "binary_crossentropy":
        return F.binary_cross_entropy(out, Y)
    return -(Y * torch.log(out)).sum() / n


def torch_gradients(net, X, Y):
    params = []
    a = torch.tensor(X, dtype=torch.float64)
    for layer in net.layers:
        W = torch.tensor(layer.W, requires_grad=True)
        b = torch.tensor(layer.b, requires_grad=True)
        params.append((W, b))
        a = TORCH_ACT[layer.activation.name](a @ W + b)
    E = torch_loss(net.loss_function.name, a, torch.tensor(Y, dtype=torch.float64))
    E.backward()
    return E.item(), [(W.grad.numpy(), b.grad.numpy()) for W, b in params]


def close(ours, theirs):
    return np.all(np.abs(ours - theirs) <= 1e-9 * np.abs(theirs) + 1e-12)


@pytest.mark.parametrize("case", range(240))
def test_gradients_match_pytorch_autograd(case):
    rng = np.random.default_rng(case)
    net, X, Y = random_network(rng, loss=LOSSES[case % len(LOSSES)])
    E_torch, expected = torch_gradients(net, X, Y)
    assert net.loss(X, Y) == pytest.approx(E_torch, rel=1e-9, abs=1e-12)
    got = net.gradients(X, Y)
    assert len(got) == len(expected)
    for (dW, db), (tW, tb) in zip(got, expected):
        assert dW.shape == tW.shape and db.shape == tb.shape
        assert close(dW, tW), np.max(np.abs(dW - tW))
        assert close(db, tb), np.max(np.abs(db - tb))


def test_every_activation_and_loss_is_covered():
    seen = set()
    for case in range(240):
        net, _, _ = random_network(np.random.default_rng(case), loss=LOSSES[case % len(LOSSES)])
        seen.add(net.loss_function.name)
        seen.update(layer.activation.name for layer in net.layers)
    assert seen >= set(TORCH_ACT) | set(LOSSES)


@pytest.mark.parametrize("compiled", [False, True])
def test_probability_targets_not_summing_to_one_get_torchs_gradient(compiled, monkeypatch):
    """Softmax with categorical cross-entropy takes rows of probabilities within 1e-3 of summing to 1;
    its fused delta (p - y) / n assumed an exact 1 (one sample, y = [0.333] * 3: db off by 8e-4). Now
    (p * sum(y) - y) / n, autograd's, in `gradients` and in training, compiled loops included (such
    targets train on the NumPy loop); rows summing to 1 keep (p - y) / n to the bit."""
    import chainrule as cr
    from chainrule.backend import kernels
    if compiled and not kernels.AVAILABLE:
        pytest.skip("needs Numba (the [fast] extra)")
    monkeypatch.setattr(kernels, "ENABLED", compiled)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(6, 2))
    Y = np.array([[0.333, 0.333, 0.333], [0.2, 0.3, 0.5004], [1.0, 0.0, 0.0], [0.0, 0.9995, 0.0],
                  [0.5, 0.5, 0.0], [0.1, 0.1, 0.8]])

    def network():
        return cr.Network([cr.Dense(2, 4, "tanh"), cr.Dense(4, 3, "softmax")], loss="categorical_crossentropy",
                          seed=0)
    net = network()
    E, expected = torch_gradients(net, X, Y)
    assert net.loss(X, Y) == pytest.approx(E, rel=1e-12)
    for (dW, db), (tW, tb) in zip(net.gradients(X, Y), expected):
        np.testing.assert_allclose(dW, tW, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(db, tb, rtol=1e-12, atol=1e-15)
    trained, reference = network(), network()
    trained.fit(X, Y, epochs=3, batch_size=6, shuffle=False, optimizer=cr.optim.SGD(0.5), verbose=0)
    trained.train_steps(X, Y, 2)
    for _ in range(5):                    # the same five steps from autograd's gradients
        grads = torch_gradients(reference, X, Y)[1]
        for layer, (tW, tb) in zip(reference.layers, grads):
            layer.W -= 0.5 * tW
            layer.b -= 0.5 * tb
    np.testing.assert_allclose(trained.params, reference.params, rtol=1e-12, atol=1e-14)
    one_hot = np.eye(3)[[0, 1, 2, 0, 1, 2]]
    p = net.predict(X)
    net.backprop(X, one_hot)
    np.testing.assert_array_equal(net.layers[-1].delta, (p - one_hot) * (1.0 / 6))
    if not compiled:                      # explain names the delta the engine computed for such rows
        one = cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy", seed=0)
        text = str(cr.explain(one, [[0.5, -1.0]], [[0.333, 0.333, 0.333]]))
        db = torch_gradients(one, np.array([[0.5, -1.0]]), np.array([[0.333, 0.333, 0.333]]))[1][0][1]
        assert f" = {db[0]:.9f} * 0.5 = " in text and "   (fused: out * sum(target) - target)\n" in text
        assert "(fused: out - target)" in str(cr.explain(one, [[0.5, -1.0]], [[0.0, 1.0, 0.0]]))
        ten = cr.Network([cr.Dense(2, 10, "softmax")], loss="categorical_crossentropy", seed=0)
        assert "(fused: out - target)" in str(cr.explain(ten, [[0.5, -1.0]], [[0.1] * 10]))   # NumPy's sum: 1
