"""The chain rule through each activation where the upstream gradient is infinite or huge and the
unit saturated or off: the same numbers as PyTorch's autograd, in the NumPy reference, the Dense
layer's buffered and fused ReLU passes and the compiled loops' per-unit formulas. An "off" ReLU
passes no gradient, not even an infinite one (PyTorch's backward is a where(), not a product:
0 * inf would be NaN)."""
import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.backend import kernels, units
from chainrule.nn.activations import get_activation

INF = np.inf
NETS = np.array([-1e300, -800.0, -40.0, -1.0, -0.0, 0.0, 1e-300, 1.0, 40.0, 800.0, 1e300, -INF, INF, np.nan])
DOUTS = [INF, -INF, 1e308, -3.0, np.nan]
TORCH = {"relu": torch.relu, "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, 0.01),
         "sigmoid": torch.sigmoid, "tanh": torch.tanh, "linear": lambda t: t}


def torch_grad(fn, net, dout):
    t = torch.tensor(net, dtype=torch.float64, requires_grad=True)
    out = fn(t)
    out.backward(torch.tensor(dout, dtype=torch.float64))
    return out.detach().numpy(), t.grad.numpy()


@pytest.mark.parametrize("name", sorted(TORCH))
@pytest.mark.parametrize("dout", DOUTS)
def test_elementwise_backward_equals_torch(name, dout):
    act = get_activation({"name": name, "alpha": 0.01} if name == "leaky_relu" else name)
    want_out, want = torch_grad(TORCH[name], NETS, np.full_like(NETS, dout))
    with np.errstate(all="ignore"):
        out = act(NETS.copy())
        got = act.backward(np.full_like(NETS, dout), out, NETS)
    np.testing.assert_allclose(out, want_out, rtol=1e-12, atol=0)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0, err_msg=f"{name}, dout={dout}")


@pytest.mark.parametrize("dout", DOUTS)
def test_softmax_backward_equals_torch(dout):
    net = np.array([[-1000.0, 0.0, 1000.0], [1.0, 2.0, 3.0], [-INF, 0.0, 1.0]])
    grad_out = np.array([[dout, 1.0, 1.0], [1.0, dout, -2.0], [dout, 1.0, 0.5]])
    want_out, want = torch_grad(lambda t: torch.softmax(t, 1), net, grad_out)
    act = get_activation("softmax")
    with np.errstate(all="ignore"):
        out = act(net.copy())
        got = act.backward(grad_out, out, net)
    np.testing.assert_allclose(out, want_out, rtol=1e-12, atol=0)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


@pytest.mark.parametrize("fused", [False, True])
def test_dense_relu_backward_passes_nothing_through_an_off_unit(fused, monkeypatch):
    """The Dense layer's own ReLU passes (into its training buffer; fused with the bias gradient in Numba)."""
    if fused and not kernels.AVAILABLE:
        pytest.skip("the fused pass needs Numba (the [fast] extra)")
    monkeypatch.setattr(kernels, "ENABLED", fused)
    net = cr.Network([cr.Dense(2, 8, "relu")], loss="mse", seed=0)
    layer = net.layers[0]
    x = np.array([[1.0, -2.0], [-3.0, 0.5], [0.25, 4.0]])
    layer.forward(x, training=True)
    dout = np.where(np.arange(24).reshape(3, 8) % 3 == 0, INF, -1e308)
    with np.errstate(all="ignore"):
        layer.backward(dout.copy())
    _, want = torch_grad(torch.relu, layer.net.copy(), dout)
    np.testing.assert_array_equal(layer.delta, want)
    assert not np.isnan(layer.db).any()


@pytest.mark.skipif(not kernels.AVAILABLE, reason="needs Numba (the [fast] extra)")
def test_compiled_units_equal_torch():
    """The compiled loops' formulas of one unit (backend/units.py) and the fused ReLU kernel."""
    kernels.load(force=True)
    units.load()
    f, df, relu_backward = units.f_jit, units.df_jit, kernels._relu_backward_jit
    ids = {"linear": 0, "sigmoid": 1, "tanh": 2, "relu": 3, "leaky_relu": 4}
    for name, act_id in ids.items():
        alpha = 0.01 if name == "leaky_relu" else 0.0
        for dout in DOUTS:
            want_out, want = torch_grad(TORCH[name], NETS, np.full_like(NETS, dout))
            with np.errstate(all="ignore"):
                out = np.array([f(z, act_id, alpha) for z in NETS])
                got = np.array([df(dout, o, z, act_id, alpha) for o, z in zip(want_out, NETS)])
            np.testing.assert_allclose(out, want_out, rtol=1e-12, atol=0, err_msg=f"{name} forward")
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=0, err_msg=f"{name}, dout={dout}")
    out = np.maximum(NETS, 0.0)[None, :]
    dout = np.full_like(out, INF)
    delta, db = np.empty_like(out), np.empty(out.shape[1])
    with np.errstate(all="ignore"):
        relu_backward(dout, out, delta, db, 0.0, 0.0)
    np.testing.assert_array_equal(delta, torch_grad(torch.relu, NETS[None, :], dout)[1])
