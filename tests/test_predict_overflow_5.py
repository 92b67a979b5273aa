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


def sign_flip_case(activation: str, rows: int, seed: int = 0):
    """A float32 one-unit layer and X = ones whose float32 product (NumPy's, at this shape) overflows to
    +-inf where the exact net input is finite and of the other sign; None if this BLAS sums no candidate so."""
    rng = np.random.default_rng(seed)
    for _ in range(400):
        k = int(rng.integers(8, 40))
        w = (rng.choice([-1, 1], size=k) * rng.uniform(1e37, 3.3e38, size=k)).astype(np.float32)
        X = np.ones((rows, k), dtype=np.float32)
        with np.errstate(all="ignore"):
            plain = (X @ w[:, None])[0, 0]
        exact = float(w.astype(np.float64).sum())
        if np.isinf(plain) and np.sign(plain) != np.sign(exact) and abs(exact) > 1e30:
            net = cr.Network([cr.Dense(k, 1, activation), cr.Dense(1, 2, "linear")], seed=1, dtype="float32")
            net.layers[0].W[:, 0] = w
            net.layers[0].b[...] = 0
            return net, X
    return None


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
@pytest.mark.parametrize("rows", [1, 64])
def test_a_saturated_hidden_unit_whose_net_input_overflowed_gives_the_float64_truth(activation, rows):
    """The plain float32 pass summed the terms of the net input to +inf (or -inf) where its exact value
    is finite and of the other sign: sigmoid/tanh gave 1 where the truth is 0 (or -1), a wrong finite
    output that predict returned as it was (only NaN or infinite outputs were computed again)."""
    case = sign_flip_case(activation, rows)
    if case is None:
        pytest.skip("this BLAS sums none of the candidates to an infinity of the wrong sign")
    net, X = case
    truth = float64_truth(net, X, round_to=np.float32)
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
def test_forward_gives_the_float64_truth_where_a_hidden_net_input_overflowed(activation):
    """Network.forward (explain's pass, which caches every layer) checked only its outputs, as predict did."""
    case = sign_flip_case(activation, 64)
    if case is None:
        pytest.skip("this BLAS sums none of the candidates to an infinity of the wrong sign")
    net, X = case
    np.testing.assert_allclose(net.forward(X), float64_truth(net, X, round_to=np.float32), rtol=1e-6, atol=1e-6)
