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
