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
