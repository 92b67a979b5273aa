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


def sign_flip_net(dtype="float32"):
    """A hidden sigmoid unit whose net input sums 128 terms of +p, then 129 of -p (exactly -p; the plain pass
    gives +inf: in order, in lanes up to 64 wide), under a linear output: the plain sigmoid is 1, the truth 0."""
    p = 2e38 if dtype == "float32" else 1e308
    w = np.concatenate([np.full(128, p), np.full(129, -p)]).astype(dtype)
    net = cr.Network([cr.Dense(w.size, 1, "sigmoid"), cr.Dense(1, 1, "linear")], loss="mse", seed=1, dtype=dtype)
    net.layers[0].W[:, 0] = w
    net.layers[0].b[...] = 0
    net.layers[1].W[...] = 1.0
    net.layers[1].b[...] = 0.0
    X = np.vstack([np.ones((1, w.size)), np.zeros((3, w.size))]).astype(dtype)
    return net, X


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("what", ["loss", "gradients"])
def test_the_training_side_refuses_a_loss_that_came_through_an_overflow(dtype, what):
    """loss and gradients read the engine's plain pass: row 0's hidden sigmoid was 1 (its net input summed to
    +inf), the truth 0 (exact net input -p), so the loss was finite and silently wrong (evaluate computes such rows
    with care: test_evaluate_overflow.py)."""
    net, X = sign_flip_net(dtype)
    Y = np.zeros((4, 1), dtype=dtype)                  # the true outputs: sigmoid 0 for row 0, 0.5 for the others
    with np.errstate(all="ignore"):
        plain = 1 / (1 + np.exp(-(X @ net.layers[0].W + net.layers[0].b)))
    assert plain[0, 0] == 1.0                          # this BLAS's sum overflowed to +inf (the case's premise)
    truth = np.array([[0.0], [0.5], [0.5], [0.5]])     # sigmoid of the exact net inputs (-p, 0, 0, 0)
    np.testing.assert_allclose(net.predict(X), truth, atol=1e-7)        # predict computes row 0 again with care
    call = {"loss": lambda: net.loss(X, Y), "gradients": lambda: net.gradients(X, Y)}[what]
    with pytest.raises(cr.errors.ValidationError, match=(
            rf"^the loss \(\S+\) is not the network's: a layer's net input overflows {dtype} for 1 of the 4 rows of X "
            r"\(first: row 0\)")):
        call()


def test_a_relu_below_the_dtype_is_exact_and_not_refused():
    """A ReLU of a net input that overflowed to -inf is 0, as the exact one: evaluate and loss keep their value."""
    net = cr.Network([cr.Dense(2, 1, "relu"), cr.Dense(1, 1, "linear")], loss="mse", seed=0, dtype="float32")
    net.layers[0].W[:, 0] = [-3e38, -3e38]
    net.layers[0].b[...] = 0
    X, Y = np.array([[1, 1], [0, 0]], dtype=np.float32), np.array([[1.0], [2.0]], dtype=np.float32)
    b = float(net.layers[1].b[0])
    truth = ((b - 1.0) ** 2 + (b - 2.0) ** 2) / 2     # both hidden outputs 0: the output is the bias
    assert net.evaluate(X, Y)["loss"] == pytest.approx(truth, rel=1e-6)
    assert net.loss(X, Y) == pytest.approx(truth, rel=1e-6)


def test_gradients_of_a_network_whose_first_layer_is_a_dropout_through_an_overflow():
    """The overflow check read the first layer's cached input as "X as checked"; a Dropout caches none, so
    gradients raised a TypeError where loss worked. Row 0's hidden sigmoid sums 3e38 + 3e38 (beyond float32, +inf):
    its output is 1 either way, so the gradients are those of float64 autograd, which does not overflow."""
    torch = pytest.importorskip("torch")
    net = cr.Network([cr.Dropout(0.2), cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 1, "linear")], loss="mse", seed=0,
                     dtype="float32")
    net.dense_layers[0].W[...] = [[3e38, 0], [3e38, 0]]
    X, Y = np.array([[1, 1], [0.1, 0.2]], dtype=np.float32), np.array([[0.0], [1.0]])
    with np.errstate(over="ignore"):
        assert np.isinf(X @ net.dense_layers[0].W)[0, 0]                # the premise: row 0's net input overflows
    params = [(torch.tensor(d.W, dtype=torch.float64, requires_grad=True),
               torch.tensor(d.b, dtype=torch.float64, requires_grad=True)) for d in net.dense_layers]
    hidden = torch.sigmoid(torch.tensor(X, dtype=torch.float64) @ params[0][0] + params[0][1])
    E = torch.nn.functional.mse_loss(hidden @ params[1][0] + params[1][1], torch.tensor(Y))
    E.backward()
    assert net.loss(X, Y) == pytest.approx(E.item(), rel=1e-6)
    for how in (X, X.tolist()):
        got = net.gradients(how, Y)
        for (dW, db), (W, b) in zip(got, params):
            np.testing.assert_allclose(dW, W.grad.numpy(), rtol=1e-5, atol=1e-7)
            np.testing.assert_allclose(db, b.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_gradients_of_a_list_through_an_overflow_are_refused_in_words():
    """gradients passed X unchecked to the refusal, which read X.shape: an AttributeError for a list of rows."""
    net, X = sign_flip_net()
    Y = np.zeros((4, 1))
    for call in (net.loss, net.gradients):
        with pytest.raises(cr.errors.ValidationError, match=(
                r"^the loss \(\S+\) is not the network's: a layer's net input overflows float32 for 1 of the 4 rows "
                r"of X \(first: row 0\)")):
            call(X.tolist(), Y)
