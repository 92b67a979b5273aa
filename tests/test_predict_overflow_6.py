"""What predict (and forward) say when they refuse rows whose plain pass overflowed a layer's net input:
the plain float32 pass computed here by NumPy tells which outputs were NaN or infinite and which were finite
but came through the overflow (a sigmoid's or tanh's 1 of an infinite net input)."""
import numpy as np
import pytest

import chainrule as cr


def plain_float32(net, X):
    """The plain pass in float32 with NumPy: each layer's net input and the outputs."""
    a, nets = np.asarray(X, dtype=np.float32), []
    with np.errstate(all="ignore"):
        for layer in net.layers:
            z = a @ layer.W + layer.b
            nets.append(z)
            a = np.asarray(layer.activation(z.copy()), dtype=np.float32)
    return nets, a


def through_net():
    """relu units of 3e38 + 3e38 (beyond float32) under a sigmoid: the output is 1.0, finite."""
    net = cr.Network([cr.Dense(2, 1, "relu"), cr.Dense(1, 1, "sigmoid")], seed=0, dtype="float32")
    net.layers[0].W[:, 0] = [3e38, 3e38]
    net.layers[0].b[...] = 0
    net.layers[1].W[...] = 1e-38
    net.layers[1].b[...] = 0
    return net, np.array([[1e-3, 1e-3], [1, 1]], dtype=np.float32)


@pytest.mark.parametrize("how", ["predict", "forward", "predict in chunks of 1"])
def test_a_finite_output_through_an_overflowed_net_input_is_refused_as_such(how):
    """The refusal said "the network's outputs are NaN or infinite" of a row whose output was 1.0."""
    net, X = through_net()
    nets, out = plain_float32(net, X)
    assert np.isinf(nets[0][1]).all() and np.isfinite(out).all()      # row 1: layer 0 overflows, its output is finite
    call = {"predict": lambda: net.predict(X), "forward": lambda: net.forward(X),
            "predict in chunks of 1": lambda: net.predict(X, batch_size=1)}[how]
    with pytest.raises(cr.errors.ValidationError) as info:
        call()
    message = str(info.value)
    assert "NaN or infinite" not in message
    assert message.startswith("the network's outputs are finite but wrong for 1 of the 2 rows of X (first: row 1): "
                              "layer 0's net input overflows float32 there, and those outputs came through the "
                              "overflow: its weights are damaged")
    assert "Layer 0 (Dense(2, 1, activation='relu')) overflows there" in message


def test_rows_of_both_kinds_are_each_counted():
    """One row's output is NaN (inf - inf below a tanh), another's finite (tanh of inf): each said as it is."""
    net = cr.Network([cr.Dense(2, 2, "relu"), cr.Dense(2, 1, "tanh")], seed=0, dtype="float32")
    net.layers[0].W[...] = [[3e38, 3e38], [3e38, 0]]
    net.layers[0].b[...] = 0
    net.layers[1].W[...] = [[1e-38], [-1e-38]]
    net.layers[1].b[...] = 0
    X = np.array([[1, 1], [2, 0], [1e-3, 1e-3], [1, 1]], dtype=np.float32)
    nets, out = plain_float32(net, X)
    assert np.isfinite(out[[0, 2, 3]]).all() and np.isnan(out[1]).all()
    assert not np.isfinite(nets[0][[0, 1, 3]]).all(axis=1).any()
    for batch_size in (None, 1, 3):
        with pytest.raises(cr.errors.ValidationError, match=(
                r"^the network's outputs are NaN or infinite for 1 of the 4 rows of X \(first: row 1\); they are "
                r"finite but wrong for 2 of the 4 rows of X \(first: row 0\): layer 0's net input overflows float32 "
                r"there, and those outputs came through the overflow: its weights are damaged.*Layer 0 ")):
            net.predict(X, batch_size=batch_size)


def test_outputs_that_overflow_keep_their_words():
    """A linear output beyond float32 is infinite: still "NaN or infinite", nothing about a finite output."""
    net = cr.Network([cr.Dense(2, 1, "linear")], seed=0, dtype="float32")
    net.layers[0].W[...] = 3e38
    X = np.array([[1, 1]], dtype=np.float32)
    assert np.isinf(plain_float32(net, X)[1]).all()
    with pytest.raises(cr.errors.ValidationError) as info:
        net.predict(X)
    assert str(info.value).startswith("the network's outputs are NaN or infinite for the one row of X: its weights")
    assert "finite but wrong" not in str(info.value)
