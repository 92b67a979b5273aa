"""Numbers a float type cannot hold are refused in words, never returned as inf or NaN beside a
NumPy RuntimeWarning; and where the exact result is finite (a saturated sigmoid, tanh or softmax)
it is returned, finite, with no warning. References: float64 NumPy, mpmath, onnx's own arrays."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError


# -- from_onnx: float16 weights -------------------------------------------------------------------
def float16_model():
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(0)
    W = numpy_helper.from_array(rng.normal(size=(3, 2)).astype(np.float16), "W16")
    b = numpy_helper.from_array(np.zeros(2, np.float16), "b16")
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "W16", "b16"], ["net"], name="dense"),
         helper.make_node("Sigmoid", ["net"], ["y"], name="act")], "half",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT16, [None, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT16, [None, 2])], initializer=[W, b])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model


def test_from_onnx_names_the_float16_initializer_and_the_fix():
    model = float16_model()
    with pytest.raises(ValidationError) as info:
        cr.from_onnx(model)
    message = str(info.value)
    assert "'W16'" in message and "float16" in message and "initializer" in message
    assert "float32" in message and "astype('float32')" in message
    assert "all float32 or all float64" not in message


def test_the_float16_fix_in_the_message_works():
    """The cast the message shows gives a model chainrule reads, with the same weights (as float32)."""
    onnx = pytest.importorskip("onnx")
    model = float16_model()
    half = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    for t in model.graph.initializer:
        t.CopyFrom(onnx.numpy_helper.from_array(onnx.numpy_helper.to_array(t).astype('float32'), t.name))
    net = cr.from_onnx(model)
    assert net.dtype == np.float32
    np.testing.assert_array_equal(net.layers[0].W, half["W16"].astype(np.float32))


# -- gradcheck: targets whose loss overflows -------------------------------------------------------
def seed_loss64(net, X, Y):
    """The seeds' E in float64 NumPy, from the network's own outputs (which are finite here)."""
    with np.errstate(over="ignore"):
        return float(np.mean(0.5 * np.sum((net.predict(X) - Y) ** 2, axis=1)))


@pytest.mark.parametrize("target", [1e155, 1e200])
def test_gradcheck_refuses_targets_whose_loss_is_not_finite(target):
    net, X, Y, _ = cr.examples.seed_network()
    Y = np.full_like(Y, target)
    assert not np.isfinite(seed_loss64(net, X, Y))           # the truth: E overflows float64
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValidationError, match=r"gradcheck: the loss is inf at these inputs and targets .*Scale "
                                                  r"the targets"):
            cr.gradcheck(net, X, Y)
        with pytest.raises(ValidationError, match=r"numerical_gradients: the loss is inf"):
            cr.teach.gradcheck.numerical_gradients(net, X, Y)


def test_gradcheck_refuses_a_loss_whose_rounding_swamps_every_gradient():
    """E = 1e60 (targets 1e30): rounding E alone moves a central difference by about 1e-16 * E / eps =
    1e50, far above any gradient (about 1e30): the ratio it would return measures rounding."""
    net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "sigmoid")], loss="sse", dtype="float32", seed=0)
    X, Y = np.array([[0.05, 0.10]]), np.full((1, 2), 1e30)
    E = seed_loss64(net, X, Y)
    assert np.finfo(np.float64).eps * E / 1e-6 > 1e40        # the truth: rounding E is far above 1e30
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValidationError, match=r"rounding error .* exceeds every gradient"):
            cr.gradcheck(net, X, Y)


def test_gradcheck_still_checks_the_seed():
    net, X, Y, _ = cr.examples.seed_network()
    assert cr.gradcheck(net, X, Y) < 1e-7


# -- forward and predict: a layer that overflows, and saturations whose exact result is finite ------
BIG = {"float64": 1e200, "float32": 1e30}          # inputs, and weights, whose products overflow the dtype


def network(dtype, hidden, output, W1, W2=None, loss="mse"):
    layers = [cr.Dense(len(W1), len(W1[0]), hidden)]
    if W2 is not None:
        layers.append(cr.Dense(len(W2), len(W2[0]), output))
    net = cr.Network(layers, loss=loss, dtype=dtype)
    net.layers[0].W[...] = W1
    net.layers[0].b[...] = 0.0
    if W2 is not None:
        net.layers[1].W[...] = W2
        net.layers[1].b[...] = 0.0
    return net


def exact(X, layers):
    """The pass in mpmath (no overflow at any size): [(W, activation), ...] -> rows of mpf outputs."""
    import mpmath
    out = [[mpmath.mpf(float(v)) for v in row] for row in np.asarray(X)]
    for W, act in layers:
        W = np.asarray(W, dtype=np.float64)
        net = [[sum((x * mpmath.mpf(float(W[i, j])) for i, x in enumerate(row)), mpmath.mpf(0))
                for j in range(W.shape[1])] for row in out]
        if act == "relu":
            out = [[max(v, mpmath.mpf(0)) for v in row] for row in net]
        elif act == "linear":
            out = net
        elif act == "sigmoid":
            out = [[1 / (1 + mpmath.exp(-v)) for v in row] for row in net]
        elif act == "tanh":
            out = [[mpmath.tanh(v) for v in row] for row in net]
        elif act == "softmax":
            out = [[mpmath.exp(v - max(row)) / sum(mpmath.exp(u - max(row)) for u in row) for v in row] for row in net]
    return out


def as_dtype(rows, dtype):
    """mpf rows rounded to the dtype (inf where it cannot hold them), as the truth to compare with."""
    with np.errstate(over="ignore"):
        return np.array([[float(v) if abs(v) < 1e308 else float(np.sign(float(v)) * np.inf) for v in row]
                         for row in rows]).astype(dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("call", ["forward", "predict"])
def test_a_layer_that_overflows_is_named_without_numpy_warnings(dtype, call):
    big = BIG[dtype]
    W1, W2 = [[1.0, 0.5, 0.0], [2.0, 1.0, 1.0]], [[big], [1.0], [1.0]]
    net = network(dtype, "relu", "linear", W1, W2)
    X = np.array([[1.0, 2.0], [big, big], [3.0, -1.0], [big, 0.0]])
    truth = as_dtype(exact(X, [(W1, "relu"), (W2, "linear")]), dtype)
    assert list(np.flatnonzero(~np.isfinite(truth).all(axis=1))) == [1, 3]      # rows 1 and 3 overflow the dtype
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValidationError) as info:
            getattr(net, call)(X)
    message = str(info.value)
    assert "for 2 of the 4 rows of X (first: row 1)" in message
    assert "Layer 1 (Dense(3, 1, activation='linear')) overflows there" in message
    assert f"{dtype}'s largest number (about {np.finfo(dtype).max:.2g})" in message
    assert "scale the inputs" in message
    assert ("dtype='float64'" in message) == (dtype == "float32")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("call", ["forward", "predict"])
def test_a_softmax_over_logits_beyond_the_dtype_gives_its_exact_probabilities(dtype, call):
    """Logits of 1e40 in float32 (1e400 in float64) overflow to inf, and inf - inf is NaN in the plain
    pass; the exact softmax is finite: 1/2, 1/2, 0 for two equal largest logits."""
    big = BIG[dtype]
    W1 = [[big, big, -big, 1.0], [0.0, 0.0, 0.0, 1.0]]
    net = network(dtype, "softmax", None, W1, loss="categorical_crossentropy")
    X = np.array([[big, 1.0], [0.5, -0.5], [-big, 2.0]])
    truth = as_dtype(exact(X, [(W1, "softmax")]), dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = getattr(net, call)(X)
    assert out.dtype == np.dtype(dtype) and np.isfinite(out).all()
    np.testing.assert_allclose(out, truth, rtol=2e-7 if dtype == "float32" else 1e-15, atol=0)
    np.testing.assert_array_equal(out[0], [0.5, 0.5, 0.0, 0.0])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_a_hidden_layer_that_saturates_gives_finite_outputs_without_warnings(dtype, hidden):
    """A net input beyond the dtype (1e400, 1e40) into a sigmoid, tanh or ReLU: the layer's output is
    finite (0, 1, -1), and so are the network's, exactly; forward warned of the overflow in matmul."""
    big = BIG[dtype]
    W1, W2 = [[big, -big] if hidden != "relu" else [-big, -big], [1.0, 1.0]], [[1.0], [0.5]]
    net = network(dtype, hidden, "linear", W1, W2)
    X = np.array([[big, 0.0], [-big if hidden != "relu" else big, 3.0], [0.1, 0.2]])
    truth = as_dtype(exact(X, [(W1, hidden), (W2, "linear")]), dtype)
    assert np.isfinite(truth).all()
    for call in (net.forward, net.predict):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = call(X)
        np.testing.assert_allclose(out, truth, rtol=2e-7 if dtype == "float32" else 1e-15, atol=0)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_sparse_rows_and_dropout_take_the_careful_path_too(dtype):
    sparse = pytest.importorskip("scipy.sparse")
    big = BIG[dtype]
    net = cr.Network([cr.Dense(2, 3, "relu"), cr.Dropout(0.2), cr.Dense(3, 3, "softmax")],
                     loss="categorical_crossentropy", dtype=dtype, seed=0)
    net.layers[0].W[...] = [[1.0, 0.5, 0.0], [0.0, 0.0, 1.0]]
    net.layers[0].b[...] = 0.0
    net.layers[2].W[...] = [[big, big, -big]] * 3
    net.layers[2].b[...] = 0.0
    X = np.array([[big, 1.0], [0.5, 0.2]])
    truth = as_dtype(exact(X, [(net.layers[0].W, "relu"), (net.layers[2].W, "softmax")]), dtype)
    for Xin in (X, sparse.csr_matrix(X)):
        for call in (net.forward, net.predict):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                out = call(Xin)
            np.testing.assert_allclose(out, truth, rtol=2e-7 if dtype == "float32" else 1e-15, atol=0)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_the_estimators_name_the_layer_that_overflows():
    from chainrule.sklearn import BackpropClassifier
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4)).astype(np.float32)
    y = np.where(X[:, 0] > 0, "dog", "cat")
    clf = BackpropClassifier(hidden_layer_sizes=(8,), epochs=5, random_state=0, dtype="float32").fit(X, y)
    far = np.vstack([X[:2], np.full((2, 4), 3e38, dtype=np.float32)])
    with np.errstate(over="ignore"):       # the truth in float64: the hidden layer's outputs pass float32's limit
        hidden = np.maximum(far.astype(np.float64) @ clf.network_.layers[0].W + clf.network_.layers[0].b, 0)
    bad = np.flatnonzero((hidden > np.finfo(np.float32).max).any(axis=1))
    assert list(bad) == [2, 3]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for call in (clf.predict, clf.predict_proba, lambda X: clf.score(X, ["dog"] * len(X))):
            with pytest.raises(ValidationError, match=r"for 2 of the 4 rows of X \(first: row 2\).* Layer 0 \(Dense"
                                                      r"\(4, 8, activation='relu'\)\) overflows there"):
                call(far)


def softmax_over_huge_logits(dtype="float32"):
    big = BIG[dtype]
    net = network(dtype, "softmax", None, [[big, big, -big], [0.0, 0.0, 0.0]], loss="categorical_crossentropy")
    return net, np.array([[big, 1.0], [0.5, 0.2]]), np.array([0, 2])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("call", ["loss", "gradients"])
def test_a_loss_that_reads_logits_beyond_the_dtype_says_so(dtype, call):
    """predict gives row 0's exact probabilities (1/2, 1/2, 0), but the loss reads the logits (1e40 in
    float32), which the dtype cannot hold: the error says that, not that the outputs are too far
    from the targets (row 0's exact loss is log 2) nor that they are NaN. (evaluate computes the logits in
    float64: test_evaluate_overflow.py.)"""
    net, X, y = softmax_over_huge_logits(dtype)
    with np.errstate(over="ignore"):
        logits = X.astype(np.float64) @ net.layers[0].W.astype(np.float64) if dtype == "float32" else None
    if logits is not None:
        assert np.abs(logits[0]).max() > np.finfo(np.float32).max and np.isfinite(logits[1]).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(net.predict(X)[0], [0.5, 0.5, 0.0])
        with pytest.raises(ValidationError) as info:
            getattr(net, call)(X, y)
    message = str(info.value)
    assert f"the network's pass overflows {dtype} for 1 of the 2 rows of X (first: row 0)" in message
    assert "too far from the targets" not in message and "Scale the inputs" in message


# -- docs/errors.md shows each message as raised ------------------------------------------------
def documented(case: str) -> str:
    from pathlib import Path
    doc = (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
    table = doc.split("## Every case, with its message", 1)[1].split("\n## ", 1)[0]
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if cells[0] == case:
            return cells[2]
    raise AssertionError(f"docs/errors.md has no row {case!r}")


def seed_with_targets(value):
    net, X, Y, _ = cr.examples.seed_network()
    return net, X, np.full_like(Y, value)


DOCUMENTED = [
    ("loss reads logits beyond the dtype", lambda: (lambda net, X, y: net.loss(X, y))(*softmax_over_huge_logits())),
    ("evaluate reads logits beyond float64",
     lambda: (lambda net, X, y: net.evaluate(X, y))(*softmax_over_huge_logits("float64"))),
    ("from_onnx float16", lambda: cr.from_onnx(float16_model())),
    ("gradcheck loss overflows", lambda: cr.gradcheck(*seed_with_targets(1e200))),
    ("gradcheck rounding swamps the gradients", lambda: cr.gradcheck(
        cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "sigmoid")], loss="sse", dtype="float32", seed=0),
        np.array([[0.05, 0.10]]), np.full((1, 2), 1e30))),
]


@pytest.mark.parametrize("case", DOCUMENTED, ids=[c[0] for c in DOCUMENTED])
def test_docs_errors_show_each_new_message_as_raised(case):
    name, call = case
    with pytest.raises(ValidationError) as info:
        call()
    assert str(info.value) == documented(name)
