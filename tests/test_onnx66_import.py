"""Hand-built ONNX graphs that onnx.helper writes as often as exporters do: a Constant given as a list of
floats (value_floats, value_float) and a Gemm without its C followed by an Add of the bias. Truth: onnxruntime."""
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402

RNG = np.random.default_rng(66)
W = RNG.normal(size=(3, 2))
B = RNG.normal(size=2)


def graph(nodes, initializers, dtype=np.float32, opset=17):
    elem = TensorProto.FLOAT if dtype == np.float32 else TensorProto.DOUBLE
    g = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", elem, ["N", 3])],
                          [helper.make_tensor_value_info("y", elem, ["N", 2])],
                          [numpy_helper.from_array(np.asarray(v, dtype), k) for k, v in initializers.items()])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def documented(case):
    """The message docs/errors.md shows for the case: the whole of it, as raised."""
    doc = (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
    row = next(line for line in doc.splitlines() if line.startswith(f"| {case} | `ValidationError` | "))
    return row.split(" | ")[2]


def same_as_onnxruntime(model, dtype=np.float32):
    X = RNG.normal(size=(6, 3)).astype(dtype)
    want = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": X})[0]
    net = cr.from_onnx(model)
    got = net.predict(X)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6 if dtype == np.float32 else 1e-12, atol=0)
    return net


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_constant_of_value_floats_is_read_as_its_tensor(dtype):
    """Constant(value_floats=[...]) is float32 by ONNX's definition: a float32 bias (a float64 graph casts it)."""
    bias = helper.make_node("Constant", [], ["b"], value_floats=[float(v) for v in B])
    nodes = [bias, helper.make_node("Gemm", ["x", "W", "b"], ["t"]), helper.make_node("Tanh", ["t"], ["y"])]
    if dtype == np.float32:
        same_as_onnxruntime(graph(nodes, {"W": W}), dtype)
    else:
        cast = helper.make_node("Cast", ["b"], ["b64"], to=TensorProto.DOUBLE)
        nodes[1] = helper.make_node("Gemm", ["x", "W", "b64"], ["t"])
        same_as_onnxruntime(graph([bias, cast, *nodes[1:]], {"W": W}, dtype), dtype)


def test_a_constant_of_one_value_float_is_a_scalar_bias():
    nodes = [helper.make_node("Constant", [], ["b"], value_float=0.25),
             helper.make_node("MatMul", ["x", "W"], ["t"]), helper.make_node("Add", ["t", "b"], ["y"])]
    net = same_as_onnxruntime(graph(nodes, {"W": W}))
    np.testing.assert_array_equal(net.layers[0].b, np.float32([0.25, 0.25]))


def test_a_constant_of_strings_is_refused_by_name():
    nodes = [helper.make_node("Constant", [], ["s"], value_strings=["a"]),
             helper.make_node("Gemm", ["x", "W", "b"], ["y"])]
    model = graph(nodes, {"W": W, "b": B})
    with pytest.raises(ValidationError, match=r"node 0 '' \(Constant\).*value_strings") as info:
        cr.from_onnx(model)
    assert str(info.value) == documented("from_onnx a Constant of strings")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("trans_b", [0, 1])
def test_a_gemm_without_c_then_an_add_is_one_dense_layer(dtype, trans_b):
    """Gemm(x, W) with no C, then Add(bias): as MatMul + Add, the Add is the layer's bias (alpha applied to W only)."""
    w = W.T if trans_b else W
    nodes = [helper.make_node("Gemm", ["x", "W"], ["t"], transB=trans_b, alpha=0.5),
             helper.make_node("Add", ["b", "t"], ["u"]), helper.make_node("Sigmoid", ["u"], ["y"])]
    net = same_as_onnxruntime(graph(nodes, {"W": w, "b": B}, dtype), dtype)
    assert len(net.layers) == 1 and net.layers[0].activation.name == "sigmoid"


def test_an_add_after_a_gemm_with_its_c_is_refused_naming_the_node():
    nodes = [helper.make_node("Gemm", ["x", "W", "c"], ["t"]), helper.make_node("Add", ["t", "b"], ["y"])]
    with pytest.raises(ValidationError, match=r"node 1 '' \(Add\).*MatMul or a Gemm without its bias") as info:
        cr.from_onnx(graph(nodes, {"W": W, "c": B, "b": B}))
    assert str(info.value) == documented("from_onnx an Add that is no bias")


@pytest.mark.parametrize("c", ["constant", "initializer"])
def test_a_float32_c_of_a_float64_gemm_is_refused_as_onnxruntime_refuses_it(c):
    """value_floats is float32: as the C of a float64 Gemm (no Cast) the graph is ill-typed, not a float64 bias."""
    nodes = [helper.make_node("Gemm", ["x", "W", "b"], ["y"], beta=1.0)]
    if c == "constant":
        model = graph([helper.make_node("Constant", [], ["b"], value_floats=[float(v) for v in B]), *nodes],
                      {"W": W}, np.float64)
    else:
        model = graph(nodes, {"W": W, "b": B}, np.float64)
        model.graph.initializer[1].CopyFrom(numpy_helper.from_array(B.astype(np.float32), "b"))
    with pytest.raises(Exception, match="bound to different types"):       # onnxruntime refuses the graph
        ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    with pytest.raises(ValidationError, match=r"float32 or all float64; got \['float32', 'float64'\]"):
        cr.from_onnx(model)


@pytest.mark.parametrize("op", ["PRelu", "Dropout"])
def test_an_integer_slope_or_ratio_is_refused_naming_the_node(op):
    """Constant(value_int=...) is int64: PRelu's slope and Dropout's ratio are floats in ONNX (onnxruntime
    refuses the graph); it was read as a float silently."""
    nodes = [helper.make_node("Constant", [], ["s"], value_int=0 if op == "Dropout" else 1),
             helper.make_node("Gemm", ["x", "W", "b"], ["t"]), helper.make_node(op, ["t", "s"], ["y"])]
    model = graph(nodes, {"W": W, "b": B})
    with pytest.raises(Exception, match="Type"):        # onnxruntime refuses the graph
        ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    with pytest.raises(ValidationError, match=rf"node 2 '' \({op}\) reads 's' of int64; expected a float"):
        cr.from_onnx(model)


def test_a_bias_of_a_column_names_the_shapes_it_takes():
    """A bias (2, 1) adds one value per sample, not per output (onnxruntime gives rows of equal values);
    the refusal names every shape a bias may have."""
    nodes = [helper.make_node("Gemm", ["x", "W"], ["t"]), helper.make_node("Add", ["t", "b"], ["y"])]
    with pytest.raises(ValidationError, match=r"bias of shape \(2, 1\) to 2 outputs; expected \(2,\), \(1, 2\) "
                                              r"or one value"):
        cr.from_onnx(graph(nodes, {"W": W, "b": B.reshape(2, 1)}))
