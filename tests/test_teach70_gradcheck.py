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
