"""Network.evaluate and fit's validation where a row's plain pass overflows the network's dtype: the rows are
measured as predict gives them (the hidden layers computed again with care, the logits and the loss in float64),
not refused (evaluate) nor measured through the overflow (validation). The truth: the same weights run forward by
NumPy in float64 (a hidden net input summed exactly as fractions where the plain sum is the point), the loss from
the float64 logits (log-sum-exp), never our own loss."""
from fractions import Fraction

import numpy as np
import pytest
from scipy.special import logsumexp

import chainrule as cr
from chainrule.errors import ValidationError


def sign_flip_net(dtype, out="linear", loss="mse", k=1):
    """A hidden sigmoid unit whose net input on row 0 sums 128 terms of +p, then 129 of -p (exactly -p; the plain
    pass gives +inf in order, or in lanes up to 64 wide: its sigmoid 1, the truth 0), under a `k`-output layer."""
    p = 2e38 if dtype == "float32" else 1e308
    w = np.concatenate([np.full(128, p), np.full(129, -p)]).astype(dtype)
    net = cr.Network([cr.Dense(w.size, 1, "sigmoid"), cr.Dense(1, k, out)], loss=loss, seed=1, dtype=dtype)
    net.layers[0].W[:, 0] = w
    net.layers[0].b[...] = 0
    net.layers[1].W[...] = np.linspace(1.0, 3.0, k)
    net.layers[1].b[...] = np.linspace(-1.0, 0.5, k)
    X = np.vstack([np.ones((1, w.size)), np.zeros((3, w.size))]).astype(dtype)
    with np.errstate(all="ignore"):
        assert 1 / (1 + np.exp(-(X[0] @ w))) == 1.0          # the premise: this BLAS's plain sum overflows
    return net, X


def logits_truth(net, X):
    """Layer 0's net input summed exactly (fractions), its sigmoid rounded to the dtype, then float64 logits."""
    w, b = net.layers[0].W[:, 0].astype(np.float64), float(net.layers[0].b[0])
    exact = np.array([[float(sum(map(Fraction, x * w), Fraction(b)))] for x in X.astype(np.float64)])
    with np.errstate(over="ignore"):
        hidden = (1 / (1 + np.exp(-exact))).astype(net.dtype).astype(np.float64)
    return hidden @ net.layers[1].W.astype(np.float64) + net.layers[1].b.astype(np.float64)


def per_row_loss(kind, z, Y):
    """Each row's loss from float64 logits z: mse, softmax cross-entropy, or sigmoid cross-entropy per output."""
    if kind == "mse":
        return ((z - Y) ** 2).mean(axis=1)
    if kind == "categorical_crossentropy":
        return logsumexp(z, axis=1) - (Y * z).sum(axis=1)
    return (np.logaddexp(0, z) - Y * z).mean(axis=1)


CASES = {   # output activation, loss, outputs, targets of the 4 rows
    "regression": ("linear", "mse", 1, np.array([[0.5], [0.0], [1.0], [2.0]])),
    "multiclass": ("softmax", "categorical_crossentropy", 3, np.array([0, 2, 1, 2])),
    "multi-label": ("sigmoid", "binary_crossentropy", 2, np.array([[1, 0], [0, 1], [1, 1], [0, 0]])),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("weighted", [None, "sum_over_batch_size", "mean_with_sample_weight"])
@pytest.mark.parametrize("batch_size", [None, 1, 3])
def test_evaluate_measures_an_overflowed_row_as_predict_gives_it(dtype, case, weighted, batch_size):
    """evaluate refused the row (its loss read the plain pass's saturated sigmoid) though predict gave it."""
    out, loss, k, y = CASES[case]
    net, X = sign_flip_net(dtype, out, loss, k)
    z = logits_truth(net, X)
    Y = np.eye(k)[y] if case == "multiclass" else y.astype(np.float64)
    e = per_row_loss(loss, z, Y)
    w = np.array([2.0, 1.0, 0.5, 3.0])
    truth = e.mean() if weighted is None else (w @ e) / (w.sum() if weighted == "mean_with_sample_weight" else 4)
    kwargs = {} if weighted is None else {"sample_weight": w, "weight_reduction": weighted}
    got = net.evaluate(X, y, batch_size=batch_size, **kwargs)
    assert got["loss"] == pytest.approx(truth, rel=1e-6)
    if case != "regression":
        hit = (z.argmax(axis=1) == y) if case == "multiclass" else ((z > 0) == (Y > 0.5)).mean(axis=1)
        assert got["accuracy"] == pytest.approx(np.average(hit, weights=None if weighted is None else w))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_softmax_over_logits_beyond_the_dtype_is_measured_from_float64_logits(dtype):
    """Logits of 1e60 (float32) or 1e400 (float64): the float64 logits hold them in float32; a float64
    network's are beyond float64 too, and refused in words (predict gives the probabilities)."""
    big = 1e30 if dtype == "float32" else 1e200
    net = cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy", dtype=dtype)
    net.layers[0].W[...] = [[big, big, -big], [0.0, 0.0, 0.0]]
    net.layers[0].b[...] = 0.0
    X, y = np.array([[big, 1.0], [0.5, 0.2]]), np.array([0, 2])
    np.testing.assert_array_equal(net.predict(X)[0], [0.5, 0.5, 0.0])
    if dtype == "float32":
        z = X.astype(dtype).astype(np.float64) @ net.layers[0].W.astype(np.float64)
        assert np.abs(z[0]).max() > np.finfo(np.float32).max
        truth = (logsumexp(z, axis=1) - z[[0, 1], y]).mean()
        assert net.evaluate(X, y)["loss"] == pytest.approx(truth, rel=1e-6)
        return
    with pytest.raises(ValidationError, match=r"^no loss for 1 of the 2 rows of X \(first: row 0\): their outputs are "
                                              r"finite .* beyond float64 even computed again in float64"):
        net.evaluate(X, y)


def test_evaluate_refuses_what_predict_refuses():
    """A ReLU unit of 3e38 + 3e38 is beyond float32: predict refuses row 1, and so does evaluate, in its words."""
    net = cr.Network([cr.Dense(2, 1, "relu"), cr.Dense(1, 1, "sigmoid")], loss="binary_crossentropy", seed=0,
                     dtype="float32")
    net.layers[0].W[:, 0] = [3e38, 3e38]
    net.layers[0].b[...] = 0
    net.layers[1].W[...] = 1e-38
    X, y = np.array([[1e-3, 1e-3], [1, 1]], dtype=np.float32), np.array([[1.0], [0.0]])
    with pytest.raises(ValidationError) as predicted:
        net.predict(X)
    for weight in (None, np.ones(2)):
        with pytest.raises(ValidationError) as evaluated:
            net.evaluate(X, y, sample_weight=weight)
        assert str(evaluated.value) == str(predicted.value)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("on_disk", [False, True])
def test_fits_validation_measures_an_overflowed_row_as_evaluate_does(tmp_path, dtype, weighted, on_disk):
    """Weighted or not, in memory or read from a memmap: val_loss came through the overflow (row 0's
    sigmoid 1, not 0), a finite wrong number; now the float64 truth, evaluate's."""
    net, X = sign_flip_net(dtype)
    net.layers[0].trainable = False
    net.layers[1].trainable = False                      # the weights stay: val_loss is that of these
    y = CASES["regression"][3]
    w = np.array([2.0, 1.0, 0.5, 3.0])
    if on_disk:
        X = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype=dtype, shape=X.shape)
        X[0], X[1:] = 1, 0
    validation = (X, y, w) if weighted else (X, y)
    history = net.fit(np.zeros((4, X.shape[1]), dtype), np.zeros((4, 1)), epochs=1, verbose=0,
                      validation_data=validation, sample_weight=np.ones(4) if weighted else None,
                      weight_reduction="mean_with_sample_weight")
    e = per_row_loss("mse", logits_truth(net, np.asarray(X)), y)
    truth = np.average(e, weights=w if weighted else None)
    assert history.history["val_loss"][0] == pytest.approx(truth, rel=1e-6)
    assert history.history["val_loss"][0] == pytest.approx(
        net.evaluate(np.asarray(X), y, sample_weight=w if weighted else None,
                     weight_reduction="mean_with_sample_weight")["loss"], rel=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_fits_validation_of_a_row_no_layer_gives_is_nan_weighted_or_not(weighted):
    """The row predict refuses (a ReLU beyond float32 under a sigmoid): val_loss was the plain pass's finite number
    (the sigmoid's 1 of an infinite input), weighted or not; now NaN in both, as Keras' val_loss of such a set."""
    net = cr.Network([cr.Dense(2, 1, "relu"), cr.Dense(1, 1, "sigmoid")], loss="mse", seed=0, dtype="float32")
    net.layers[0].W[:, 0] = [3e38, 3e38]
    net.layers[0].b[...] = 0
    net.layers[1].W[...] = 1e-38
    for layer in net.layers:
        layer.trainable = False
    X, y = np.array([[1e-3, 1e-3], [1, 1]], dtype=np.float32), np.array([[1.0], [0.0]])
    with pytest.raises(ValidationError, match="Layer 0"):
        net.predict(X)
    history = net.fit(np.zeros((1, 2), np.float32), y[:1], epochs=1, verbose=0,
                      validation_data=(X, y, np.ones(2)) if weighted else (X, y),
                      sample_weight=np.ones(1) if weighted else None)
    assert np.isnan(history.history["val_loss"][0])


@pytest.mark.parametrize("weighted", [False, True])
def test_logits_whose_spread_overflows_the_dtype_are_measured_in_float64(weighted):
    """Finite float32 logits 2e38 and -2e38: their difference (the shift of log-softmax) overflows, so the plain
    loss was NaN (evaluate refused it as logits beyond the dtype; `chainrule evaluate` printed loss: nan)."""
    net = cr.Network([cr.Dense(2, 2, "softmax")], loss="categorical_crossentropy", dtype="float32")
    net.layers[0].W[...] = [[2e38, -2e38], [0.0, 0.0]]
    net.layers[0].b[...] = 0.0
    X, y = np.array([[1.0, 0.0], [0.5, 1.0], [1e-38, 0.0]], dtype=np.float32), np.array([1, 0, 1])
    z = X.astype(np.float64) @ net.layers[0].W.astype(np.float64)
    assert np.isfinite(X @ net.layers[0].W).all()        # no net input overflows: only the loss's shift does
    w = np.array([1.0, 2.0, 3.0]) if weighted else None
    truth = np.average(logsumexp(z, axis=1) - z[np.arange(3), y], weights=w)
    got = net.evaluate(X, y, sample_weight=w, weight_reduction="mean_with_sample_weight")
    assert got["loss"] == pytest.approx(truth, rel=1e-6)


def stacked(hidden, overflowing):
    """Dense layers of one unit (`hidden` activations, then a sigmoid out): layer `overflowing` sums 3e38 twice on
    row 1 (its inputs 1 and 1, or 2 from the layers before: beyond float32; 6e35 on row 0), every other weight 1
    (the last 1e-38), biases 0."""
    acts = [*hidden, "sigmoid"]
    net = cr.Network([cr.Dense(2 if k == 0 else 1, 1, a) for k, a in enumerate(acts)], loss="binary_crossentropy",
                     seed=0, dtype="float32")
    for k, layer in enumerate(net.layers):
        layer.W[...] = 1.0 if k < len(acts) - 1 else 1e-38
        layer.b[...] = 0
    net.layers[overflowing].W[...] = 3e38
    return net


def float64_pass(net, X):
    """Each layer's outputs, the weights and inputs in float64 (NumPy's own activations)."""
    f = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh, "linear": lambda z: z,
         "sigmoid": lambda z: 1 / (1 + np.exp(-z))}
    a, outs = X.astype(np.float64), []
    for layer in net.layers:
        a = f[layer.activation.name](a @ layer.W.astype(np.float64) + layer.b.astype(np.float64))
        outs.append(a)
    return outs


@pytest.mark.parametrize("hidden, overflowing", [(["relu", "tanh"], 0), (["linear", "relu", "tanh"], 1)])
@pytest.mark.parametrize("weighted", [False, True])
def test_evaluate_refuses_a_row_whose_earlier_hidden_layer_overflows(hidden, overflowing, weighted):
    """A ReLU beyond float32 under a tanh (tanh of inf is 1, finite): evaluate checked only the last hidden layer's
    outputs and gave a loss of 1.0091 where predict refuses; now the same refusal, and val_loss NaN."""
    net = stacked(hidden, overflowing)
    X, y = np.array([[1e-3, 1e-3], [1, 1]], dtype=np.float32), np.array([[1.0], [0.0]])
    truth = float64_pass(net, X)[overflowing]
    assert truth[0, 0] < np.finfo(np.float32).max < truth[1, 0]      # row 1 alone beyond float32 there
    w = np.array([2.0, 0.5]) if weighted else None
    with pytest.raises(ValidationError, match=f"Layer {overflowing} ") as predicted:
        net.predict(X)
    with pytest.raises(ValidationError) as evaluated:
        net.evaluate(X, y, sample_weight=w)
    assert str(evaluated.value) == str(predicted.value)
    for layer in net.layers:
        layer.trainable = False
    history = net.fit(np.zeros((1, 2), np.float32), y[:1], epochs=1, verbose=0,
                      validation_data=(X, y) if w is None else (X, y, w))
    assert np.isnan(history.history["val_loss"][0])
    z = float64_pass(net, X[:1])[-1]                                  # row 0 alone: its float64 truth
    assert net.evaluate(X[:1], y[:1])["loss"] == pytest.approx(-np.log(z[0, 0]), rel=1e-6)
