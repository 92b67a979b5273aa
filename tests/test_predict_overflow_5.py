"""predict where a layer's net input overflows the network's dtype but its activation saturates to a
finite number: the truth is the same network computed in float64 by NumPy (each layer's output
rounded to the network's dtype, as a float32 network keeps them), never the plain pass's saturated
value."""
import numpy as np
import pytest

import chainrule as cr


def float64_truth(net, X, round_to=None):
    """The network in float64 with NumPy; each layer's output rounded to `round_to` (None: kept)."""
    a = np.asarray(X, dtype=np.float64)
    for layer in net.layers:
        z = a @ layer.W.astype(np.float64) + layer.b.astype(np.float64)
        if layer.activation.name == "softmax":
            z = z - z.max(axis=1, keepdims=True)
        a = np.asarray(layer.activation(z), dtype=np.float64)
        if round_to is not None:
            a = a.astype(round_to).astype(np.float64)
    return a


def sign_flip_case(activation: str, rows: int, dtype: str = "float32"):
    """A one-unit layer of `dtype` and X = ones whose net input sums 128 terms of +p, then 129 of -p (p near the
    dtype's largest number): exactly -p, but the plain pass overflows to +inf (or NaN) wherever BLAS adds two of
    the first half's terms before a second-half one: in order, in strided lanes (up to 64 wide: each lane meets
    two +p first), or as a tree of halves (+inf + -inf: NaN). No search, no skip: the same case on every BLAS."""
    p = 2e38 if dtype == "float32" else 1e308
    w = np.concatenate([np.full(128, p), np.full(129, -p)]).astype(dtype)
    X = np.ones((rows, w.size), dtype=dtype)
    net = cr.Network([cr.Dense(w.size, 1, activation), cr.Dense(1, 2, "linear")], seed=1, dtype=dtype)
    net.layers[0].W[:, 0] = w
    net.layers[0].b[...] = 0
    return net, X


def sign_flip_truth(net, X):
    """The case's outputs from the exact net input (the terms summed as fractions, then rounded) in float64."""
    from fractions import Fraction
    w, b = net.layers[0].W[:, 0].astype(np.float64), float(net.layers[0].b[0])
    exact = np.array([[float(sum(map(Fraction, x * w), Fraction(b)))] for x in X.astype(np.float64)])
    with np.errstate(over="ignore"):                 # exp(1e308): inf, so the sigmoid is 0
        hidden = 1 / (1 + np.exp(-exact)) if net.layers[0].activation.name == "sigmoid" else np.tanh(exact)
    return hidden.astype(net.dtype).astype(np.float64) @ net.layers[1].W.astype(np.float64) + net.layers[1].b


def plain_net_input(net, X):
    """Layer 0's net input as the plain pass sums it (this BLAS's order)."""
    with np.errstate(all="ignore"):
        return X @ net.layers[0].W + net.layers[0].b


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
@pytest.mark.parametrize("rows", [1, 64])
def test_a_saturated_hidden_unit_whose_net_input_overflowed_gives_the_float64_truth(activation, rows, dtype):
    """The plain pass summed the terms of the net input to +inf (or -inf) where its exact value is
    finite and of the other sign: sigmoid/tanh gave 1 where the truth is 0 (or -1), a wrong finite
    output that predict returned as it was (only NaN or infinite outputs were computed again)."""
    net, X = sign_flip_case(activation, rows, dtype)
    assert not np.isfinite(plain_net_input(net, X)).any()     # the case does overflow here: the careful path runs
    truth = sign_flip_truth(net, X)
    assert (truth[:, :1] != net.layers[1].W[0, 0] + net.layers[1].b[0]).all()   # not the saturated +1's output
    np.testing.assert_allclose(net.predict(X, batch_size=rows), truth, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("hidden", ["relu", "linear"])
def test_a_hidden_layer_beyond_float32_saturating_the_next_is_refused_not_returned(hidden):
    """A ReLU (or linear) unit's net input 3e38 + 3e38 overflows float32 (in any order of summing): the
    next layer's sigmoid of inf gave exactly 1, where the float64 truth is sigmoid(6e38 * 1e-38) = 0.9975.
    float32 cannot hold the hidden unit: refused naming layer 0, as when the output itself overflows."""
    net = cr.Network([cr.Dense(2, 1, hidden), cr.Dense(1, 1, "sigmoid")], seed=0, dtype="float32")
    net.layers[0].W[:, 0] = [3e38, 3e38]
    net.layers[0].b[...] = 0
    net.layers[1].W[...] = 1e-38
    net.layers[1].b[...] = 0
    X = np.array([[1, 1], [1e-3, 1e-3]], dtype=np.float32)
    truth = float64_truth(net, X)
    assert truth[0, 0] < 0.998                         # what the plain pass's 1.0 hid
    with pytest.raises(cr.errors.ValidationError, match=r"1 of the 2 rows of X \(first: row 0\).*Layer 0"):
        net.predict(X)
    np.testing.assert_allclose(net.predict(X[1:]), truth[1:], rtol=1e-6)
    # the float64 network holds the hidden unit: its predict gives the truth
    net64 = cr.Network([cr.Dense(2, 1, hidden), cr.Dense(1, 1, "sigmoid")], seed=0, dtype="float64")
    net64.params[...] = net.params
    np.testing.assert_allclose(net64.predict(X.astype(np.float64)), float64_truth(net64, X), rtol=1e-12)


def test_finite_false_marks_a_row_that_came_through_an_overflow_as_nan():
    """`chainrule predict` and `evaluate` call predict(finite=False) and name the NaN or infinite rows'
    lines: a row whose finite output came through an overflow must be among them, not printed as 1.0."""
    from chainrule.nn.predict import predict
    net = cr.Network([cr.Dense(2, 1, "relu"), cr.Dense(1, 1, "sigmoid")], seed=0, dtype="float32")
    net.layers[0].W[:, 0] = [3e38, 3e38]
    net.layers[0].b[...] = 0
    net.layers[1].W[...] = 1e-38
    X = np.array([[1, 1], [1e-3, 1e-3]], dtype=np.float32)
    out = predict(net, X, finite=False)
    assert np.isnan(out[0]).all()
    np.testing.assert_allclose(out[1], float64_truth(net, X[1:])[0], rtol=1e-6)


def test_overflowing_rows_in_two_chunks_are_refused_naming_the_layer():
    """Two chunks each with a row that overflows: the refusal named the layer by the loop's variable,
    which the next chunk had rebound to a Layer object (TypeError: list indices must be integers)."""
    net = cr.Network([cr.Dense(2, 3, "linear")], seed=0, dtype="float32")
    X = np.array([[3e38, 3e38], [1, 1], [3e38, 3e38]], dtype=np.float32)
    net.layers[0].W[...] = 10.0
    with pytest.raises(cr.errors.ValidationError, match=r"2 of the 3 rows of X \(first: row 0\).*Layer 0"):
        net.predict(X, batch_size=1)


def test_float32_inputs_to_a_float64_network_are_computed_in_float64():
    """A float32 X is converted (exactly) chunk by chunk before the products: a net input beyond float32
    but within float64 gives the float64 truth, not a float32 overflow."""
    net = cr.Network([cr.Dense(2, 2, "tanh"), cr.Dense(2, 1, "linear")], seed=0, dtype="float64")
    net.layers[0].W[...] = [[3e38, -3e38], [3e38, -2.9e38]]
    X = np.array([[1.0, 1.0], [1.0, -1.5]], dtype=np.float32)
    np.testing.assert_allclose(net.predict(X), float64_truth(net, X), rtol=1e-12)
    np.testing.assert_array_equal(net.predict(X), net.predict(X.astype(np.float64)))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_forward_gives_the_float64_truth_where_a_hidden_net_input_overflowed(activation, dtype):
    """Network.forward (explain's pass, which caches every layer) checked only its outputs, as predict did."""
    net, X = sign_flip_case(activation, 64, dtype)
    assert not np.isfinite(plain_net_input(net, X)).any()
    np.testing.assert_allclose(net.forward(X), sign_flip_truth(net, X), rtol=1e-6, atol=1e-6)
