"""gradcheck's verdict on a wrong gradient: it says so, naming the layer and the parameters that disagree
with both numbers (torch's gradcheck raises naming the mismatch; a bare 1.0 left a learner to guess what)."""
import re
import warnings

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.nn.activations import Activation
from chainrule.teach.gradcheck import GradcheckWarning


class HalfTanh(Activation):
    """tanh with a wrong derivative, 1 - out (the right one is 1 - out^2)."""
    name = "halftanh_teach70"

    def __call__(self, net):
        return np.tanh(net)

    def derivative(self, out, net):
        return 1.0 - out


class Scale(cr.Layer):
    """out = x * s, one learnt scale per unit; its backward doubles dE/ds (wrong), dE/dx is right."""

    def __init__(self, n):
        self.n_in = self.n_out = n
        self.s = np.linspace(0.5, 1.5, n)

    def param_shapes(self):
        return [("s", (self.n_in,))]

    def bind(self, params, grads):
        params["s"][...] = self.s
        self.s, self.ds = params["s"], grads["s"]

    def forward(self, x, training=False):
        self.x = x
        return x * self.s

    def backward(self, dout, need_input_grad=True):
        self.ds[...] = 2.0 * (dout * self.x).sum(axis=0)
        return dout * self.s

    def config(self):
        return {"type": "Scale", "n": self.n_in}


def test_a_wrong_activation_derivative_is_named_with_both_numbers():
    net = cr.Network([cr.Dense(3, 4, HalfTanh()), cr.Dense(4, 2, "sigmoid")], seed=0)
    X = np.random.default_rng(0).normal(size=(3, 3))
    Y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    with pytest.warns(GradcheckWarning) as caught:
        assert cr.gradcheck(net, X, Y) > 1e-2
    text = str(caught[0].message)
    assert "backpropagation and central differences disagree" in text
    # the hidden layer's parameters are wrong (its activation's derivative); the output layer's are right
    assert "layer 0 (Dense, activation halftanh_teach70)" in text and "layer 1" not in text
    # the worst one named as explain names it, its numerical value the true gradient (torch autograd)
    W = [torch.tensor(d.W, requires_grad=True) for d in net.dense_layers]
    b = [torch.tensor(d.b, requires_grad=True) for d in net.dense_layers]
    out = torch.sigmoid(torch.tanh(torch.tensor(X) @ W[0] + b[0]) @ W[1] + b[1])
    (0.5 * ((torch.tensor(Y) - out) ** 2).sum() / len(X)).backward()
    name, backprop, numeric = re.search(r"worst dE/d(\w+): ([-\d.e+]+) by backpropagation, ([-\d.e+]+) numerically",
                                        text).groups()
    if name.startswith("w"):                   # w<k>: numbered neuron by neuron, as the seed's w1..w8
        k = int(name[1:]) - 1
        truth = W[0].grad[k % 3, k // 3].item()
    else:                                      # b_h<j>
        truth = b[0].grad[int(name[3:]) - 1].item()
    assert float(numeric) == pytest.approx(truth, rel=1e-6, abs=1e-9)
    assert abs(float(backprop) - truth) > 1e-3 * abs(truth)


def test_a_custom_layers_wrong_backward_is_named():
    net = cr.Network([Scale(3), cr.Dense(3, 2, "sigmoid")], seed=0)
    X = np.random.default_rng(1).normal(size=(4, 3))
    Y = np.array([[1.0, 0.0]] * 4)
    said = r"layer 0 \(Scale\): 3 of its 3 parameters \(s\[0\], s\[1\], s\[2\]\), the worst dE/ds\[0\]: .* by backprop"
    with pytest.warns(GradcheckWarning, match=said):
        assert cr.gradcheck(net, X, Y) > 1e-2


def test_a_right_gradient_says_nothing():
    net, X, Y, _ = cr.examples.seed_network()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cr.gradcheck(net, X, Y) < 1e-7


def _torch_gradients(net, X, Y, act):
    """dE/dW, dE/db of a two-layer mse network by torch autograd, flat in net.params' order."""
    W = [torch.tensor(d.W, requires_grad=True) for d in net.dense_layers]
    b = [torch.tensor(d.b, requires_grad=True) for d in net.dense_layers]
    out = act(torch.tensor(X) @ W[0] + b[0]) @ W[1] + b[1]
    ((torch.tensor(Y) - out) ** 2).mean().backward()
    return np.concatenate([t.grad.numpy().ravel() for pair in zip(W, b) for t in pair])


def test_a_right_network_with_a_large_loss_is_not_accused():
    # targets of 1e5 (a loss near 1e10): a central difference's rounding, 2.2e-16 * E / eps, is about 3 and makes
    # the relative error pass 1e-3 though backpropagation is right, as torch autograd says
    net = cr.Network([cr.Dense(4, 8, "sigmoid"), cr.Dense(8, 1)], loss="mse", seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(20, 4)), rng.normal(size=(20, 1)) * 1e5
    ours = np.concatenate([g.ravel() for pair in net.gradients(X, Y) for g in pair])
    np.testing.assert_allclose(ours, _torch_gradients(net, X, Y, torch.sigmoid), rtol=1e-9)
    with pytest.warns(GradcheckWarning) as caught:
        assert cr.gradcheck(net, X, Y) > 1e-3
    text = str(caught[0].message)
    assert "central differences disagree" not in text and "derivative there is wrong" not in text
    assert "is the central differences' rounding, not a wrong derivative" in text and "Scale the targets" in text
    assert caught[0].filename == __file__          # the warning points at the caller's line


def test_a_wrong_derivative_under_a_large_loss_is_still_named():
    net = cr.Network([cr.Dense(3, 4, HalfTanh()), cr.Dense(4, 2)], loss="mse", seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2)) * 1e4
    with pytest.warns(GradcheckWarning, match=r"disagree .* layer 0 \(Dense, activation halftanh_teach70\)"):
        cr.gradcheck(net, X, Y)


@pytest.mark.parametrize("make", [
    lambda: cr.Network([cr.Dense(4, 8, "tanh"), cr.Dense(8, 2)], loss="mse", seed=0, dtype="float32"),
    lambda: cr.Network([cr.Dense(4, 8, "relu"), cr.Dense(8, 8, "relu"), cr.Dense(8, 2)], loss="mse", seed=1,
                       dtype="float32")], ids=["float32 tanh", "float32 relu"])
def test_a_right_float32_network_says_nothing(make):
    rng = np.random.default_rng(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cr.gradcheck(make(), rng.normal(size=(20, 4)), rng.normal(size=(20, 2))) < 1e-5


def test_relu_units_just_off_their_kink_say_nothing():
    net = cr.Network([cr.Dense(4, 16, "relu"), cr.Dense(16, 2)], loss="mse", seed=1)
    net.dense_layers[0].b[...] = 0.0
    rng = np.random.default_rng(3)
    with warnings.catch_warnings():                # nets of 1e-4: no step of 1e-6 crosses 0, none is a kink
        warnings.simplefilter("error")
        assert cr.gradcheck(net, rng.normal(size=(20, 4)) * 1e-4, rng.normal(size=(20, 2))) < 1e-3


def test_the_documented_warning_is_what_gradcheck_says():
    from test_errors import _documented_messages

    class Named(HalfTanh):
        name = "halftanh"

    net = cr.Network([cr.Dense(3, 4, Named()), cr.Dense(4, 2, "sigmoid")], seed=0)
    X = np.random.default_rng(0).normal(size=(3, 3))
    with pytest.warns(GradcheckWarning) as caught:
        cr.gradcheck(net, X, np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]))
    assert str(caught[0].message) == _documented_messages()["gradcheck finds a wrong gradient"]


def test_the_documented_rounding_warning_is_what_gradcheck_says():
    from test_errors import _documented_messages
    net = cr.Network([cr.Dense(4, 8, "sigmoid"), cr.Dense(8, 1)], loss="mse", seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(20, 4)), rng.normal(size=(20, 1)) * 1e5
    with pytest.warns(GradcheckWarning) as caught:
        cr.gradcheck(net, X, Y)
    assert str(caught[0].message) == _documented_messages()["gradcheck's disagreement is rounding"]
