"""PRelu's slope (and to_onnx's float64 leaky_relu alpha) as from_onnx reads it, against onnxruntime."""
import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402


def _graph(slope, dtype=np.float32, op="PRelu"):
    """Gemm(3 -> 4) then PRelu(slope), or to_onnx's Where(x > 0, x, x * slope)."""
    W = np.random.default_rng(0).normal(size=(3, 4)).astype(dtype)
    elem = TensorProto.FLOAT if dtype == np.float32 else TensorProto.DOUBLE
    inits = [numpy_helper.from_array(W, "W"), numpy_helper.from_array(np.zeros(4, dtype), "b"),
             numpy_helper.from_array(slope, "s")]
    nodes = [helper.make_node("Gemm", ["x", "W", "b"], ["h"])]
    if op == "PRelu":
        nodes.append(helper.make_node("PRelu", ["h", "s"], ["y"]))
    else:
        inits.append(numpy_helper.from_array(np.zeros((), dtype), "zero"))
        nodes += [helper.make_node("Greater", ["h", "zero"], ["pos"]), helper.make_node("Mul", ["h", "s"], ["neg"]),
                  helper.make_node("Where", ["pos", "h", "neg"], ["y"])]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", elem, ["N", 3])],
                              [helper.make_tensor_value_info("y", elem, ["N", 4])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _ort(model, X):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": X})[0]


@pytest.mark.parametrize("shape", [(4,), (1, 4), (1,)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_equal_slopes_as_an_array_are_one_leaky_relu(shape, dtype):
    """torch's nn.PReLU(num_parameters=4) before training holds 4 equal slopes: the same leaky_relu."""
    model = _graph(np.full(shape, 0.25, dtype), dtype)
    net = cr.from_onnx(model)
    assert net.layers[0].activation.name == "leaky_relu" and net.layers[0].activation.alpha == 0.25
    X = np.random.default_rng(1).normal(size=(7, 3)).astype(dtype)
    expected = _ort(model, X)
    # a few ulps of the largest output (Gemm and NumPy sum 3 products in their own orders); a slope read wrong
    # (0.01, leaky_relu's default, for 0.25) is off by 0.24 times a negative unit, up to 0.23 here
    np.testing.assert_allclose(net.predict(X), expected, rtol=0,
                               atol=8 * np.finfo(dtype).eps * np.abs(expected).max())


def test_different_slopes_are_refused_naming_them():
    with pytest.raises(ValidationError, match=r"4 different slopes \(from 0.1 to 0.4\).*has one"):
        cr.from_onnx(_graph(np.array([0.1, 0.2, 0.3, 0.4], np.float32)))


@pytest.mark.parametrize("shape", [(3,), (2, 4), (4, 1), (1, 1, 4)])
def test_a_slope_that_does_not_broadcast_along_rows_is_refused(shape):
    """onnxruntime fails on running (3 against 4 units), or gives another shape than the rows' (a slope per row of
    a fixed batch, a third axis): not one leaky_relu."""
    model = _graph(np.full(shape, 0.25, np.float32))
    with pytest.raises(ValidationError, match=rf"slope 's' of shape \({shape[0]},.*rows of the layer's 4 units"):
        cr.from_onnx(model)
    X = np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32)
    try:
        out = _ort(model, X)
    except Exception:  # noqa: BLE001  (onnxruntime refuses it too)
        return
    assert out.shape != (5, 4)


@pytest.mark.parametrize("op", ["PRelu", "Where"])
@pytest.mark.parametrize("graph_dtype, slope_dtype", [(np.float32, np.float64), (np.float64, np.float32)])
def test_a_slope_of_another_dtype_than_the_graph_is_refused(op, graph_dtype, slope_dtype):
    """onnxruntime refuses the graph (PRelu's and Mul's T bound to two types); chainrule read it silently before."""
    model = _graph(np.array([0.25], slope_dtype), graph_dtype, op)
    with pytest.raises(Exception, match="bound to different types|Type Error"):
        ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    with pytest.raises(ValidationError, match=rf"slope 's' of {np.dtype(slope_dtype).name} after a "
                                                 rf"{np.dtype(graph_dtype).name} layer"):
        cr.from_onnx(model)


def test_to_onnx_leaky_relu_of_float64_comes_back():
    net = cr.Network([cr.Dense(3, 4, {"name": "leaky_relu", "alpha": 0.3}), cr.Dense(4, 1)], seed=0)
    again = cr.from_onnx(cr.to_onnx(net))
    assert again.layers[0].activation.alpha == 0.3


def _documented(case):
    """docs/errors.md's message of the row `case`, whole."""
    from pathlib import Path
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    return doc.split(f"| {case} | `ValidationError` | ", 1)[1].split(" | ", 1)[0]


@pytest.mark.parametrize("case, slope", [
    ("from_onnx PRelu slopes that differ", np.array([0.1, 0.2, 0.3, 0.4], np.float32)),
    ("from_onnx PRelu slope of another dtype", np.array([0.25]))])
def test_the_errors_doc_shows_the_messages_as_raised(case, slope):
    with pytest.raises(ValidationError) as info:
        cr.from_onnx(_graph(slope))
    assert str(info.value) == _documented(case)
