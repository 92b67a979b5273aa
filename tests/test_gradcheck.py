"""gradcheck at the kinks of relu and leaky_relu: samples whose central difference straddles a kink
are left out with a warning naming them; a wrong derivative is still caught."""
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.nn.activations import Activation, LeakyReLU, ReLU
from chainrule.teach.gradcheck import GradcheckWarning, KinkWarning


def xor_net(act="relu"):
    X, y = cr.examples.xor()
    net = cr.Network([cr.Dense(2, 4, act), cr.Dense(4, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    return net, X, y


@pytest.mark.parametrize("act", ["relu", "leaky_relu"])
def test_a_sample_at_a_kink_is_left_out_and_named(act):
    net, X, y = xor_net(act)
    assert (X[0] == 0).all() and (net.dense_layers[0].b == 0).all()      # every hidden net input is exactly 0
    with pytest.warns(KinkWarning, match=rf"left out 1 of 4 samples: sample 0 puts h1, h2, h3, h4 at net = 0 .*"
                                         rf"a kink of {act}: the numerical gradient is not defined there"):
        err = cr.gradcheck(net, X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # the other samples have no kink: no warning
        rest = cr.gradcheck(net, X[1:], y[1:])
    assert err == rest and err < 1e-6


def test_a_wrong_derivative_is_still_caught_beside_a_kink(monkeypatch):
    monkeypatch.setattr(LeakyReLU, "derivative", lambda self, out, net: np.where(net > 0, 1.01, self.alpha))
    net, X, y = xor_net("leaky_relu")
    with pytest.warns(KinkWarning), pytest.warns(GradcheckWarning, match=r"layer 0 \(Dense, activation leaky_relu\)"):
        assert cr.gradcheck(net, X, y) > 1e-3
    monkeypatch.setattr(ReLU, "backward", lambda self, dout, out, net: dout * (out > 0) * 1.01)
    net, X, y = xor_net("relu")
    with pytest.warns(KinkWarning), pytest.warns(GradcheckWarning, match=r"layer 0 \(Dense, activation relu\)"):
        assert cr.gradcheck(net, X, y) > 1e-3


def test_every_sample_at_a_kink_is_refused():
    net, X, y = xor_net()
    with pytest.raises(cr.errors.ValidationError, match="Every sample is at a kink: nothing left to compare"):
        cr.gradcheck(net, np.zeros((3, 2)), [0, 1, 1])


def test_a_kink_in_a_deeper_layer_and_a_near_miss():
    net = cr.Network([cr.Dense(1, 2, "tanh"), cr.Dense(2, 3, "relu"), cr.Dense(3, 1)], seed=1)
    X, y = np.array([[0.3], [-0.7]]), np.array([[0.5], [0.1]])
    layer = net.dense_layers[1]
    layer.b[...] = 0.5
    h = np.tanh(X @ net.dense_layers[0].W + net.dense_layers[0].b)
    layer.b[1] = -(h[1] @ layer.W[:, 1])                          # h2_2 of sample 1 exactly at 0
    with pytest.warns(KinkWarning, match=r"left out 1 of 2 samples: sample 1 puts h2_2 at net = 0"):
        assert cr.gradcheck(net, X, y) < 1e-6
    layer.b[1] += 1e-3                                            # 1e-3 away: a step of 1e-6 does not cross it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cr.gradcheck(net, X, y) < 1e-6


class Floor1(Activation):
    """max(net, 1): a kink at net = 1, declared by the class."""
    name = "floor1_test"
    kinks = (1.0,)

    def __call__(self, net):
        return np.maximum(net, 1.0)

    def derivative(self, out, net):
        return (net > 1.0).astype(out.dtype)


def test_an_activation_declares_its_kinks(monkeypatch):
    net = cr.Network([cr.Dense(2, 3, Floor1()), cr.Dense(3, 1)], seed=0)
    net.dense_layers[0].b[...] = 1.0
    X, y = np.array([[0.0, 0.0], [1.0, -2.0], [2.0, 1.5]]), np.array([[1.0], [0.0], [0.5]])
    with pytest.warns(KinkWarning, match="sample 0 puts h1, h2, h3 at net = 1 .* a kink of floor1_test"):
        assert cr.gradcheck(net, X, y) < 1e-6
    monkeypatch.setattr(Floor1, "kinks", ())                      # undeclared: the straddled difference fails
    with pytest.warns(GradcheckWarning, match=r"layer 0 \(Dense, activation floor1_test\): .* does not declare"):
        assert cr.gradcheck(net, X, y) > 0.1
