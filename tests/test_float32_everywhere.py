"""float32 networks end to end: the numbers a float32 network gives match float64 truth (PyTorch autograd)."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.teach.gradcheck import numerical_gradients

torch = pytest.importorskip("torch")


def torch_flat_gradient(net, X, Y):
    """dE/dparams of net's weights (taken as float64) by PyTorch autograd, in net.params' order."""
    a = torch.tensor(X, dtype=torch.float64)
    tensors = {}
    for layer in net.dense_layers:
        W = torch.tensor(layer.W.astype(np.float64), requires_grad=True)
        b = torch.tensor(layer.b.astype(np.float64), requires_grad=True)
        tensors[id(layer), "W"], tensors[id(layer), "b"] = W, b
        z = a @ W + b
        a = torch.tanh(z) if layer.activation.name == "tanh" else z
    torch.nn.functional.mse_loss(a, torch.tensor(Y, dtype=torch.float64)).backward()
    flat = np.zeros(net.n_params)
    for layer, name, start, stop in net.segments:
        flat[start:stop] = tensors[id(layer), name].grad.numpy().ravel()
    return flat


def test_numerical_gradients_of_a_float32_network_are_float64_exact():
    """Stepping float32 weights by 1e-6 moves the float32 loss by about its last digit: the central
    differences were wrong by percents. They are taken in a float64 copy, as gradcheck's are."""
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(8, 4)), rng.normal(size=(8, 1))
    net = cr.Network([cr.Dense(4, 5, "tanh"), cr.Dense(5, 1)], loss="mse", dtype="float32", seed=0)
    before = net.params.copy()
    numeric = numerical_gradients(net, X, Y)
    truth = torch_flat_gradient(net, X, Y)
    assert np.max(np.abs(numeric - truth)) <= 1e-8 * np.max(np.abs(truth))
    assert net.dtype == np.float32 and np.array_equal(net.params, before)     # the network itself untouched
