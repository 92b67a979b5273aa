"""from_onnx refuses an input declared with more than 2 axes: ONNX's MatMul of an (N, 2, 3) input multiplies each of
its N * 2 rows of 3 (onnxruntime gives (N, 2, 1)), which was read as N rows of 3; a 1-D input (a model exported from
one sample) is read as rows. A 2-D input of unnamed sizes is still read."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


def one_layer(op, shape, out_shape):
    from onnx import TensorProto as T
    from onnx import helper as h
    from onnx import numpy_helper as nh
    graph = h.make_graph([h.make_node(op, ["x", "W"], ["y"], name="layer")], "g",
                         [h.make_tensor_value_info("x", T.DOUBLE, shape)],
                         [h.make_tensor_value_info("y", T.DOUBLE, out_shape)],
                         initializer=[nh.from_array(np.arange(3.0).reshape(3, 1), "W")])
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])


def run(model, x):
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]


def test_a_matmul_of_a_3d_input_is_refused_naming_the_input_and_its_shape():
    model = one_layer("MatMul", ["N", 2, 3], ["N", 2, 1])
    assert run(model, np.ones((4, 2, 3))).shape == (4, 2, 1)      # not rows of 3: each sample's 2 rows
    with pytest.raises(ValidationError, match=r"the input 'x' has shape \('N', 2, 3\), 3-D; chainrule's layers take "
                                              r"rows, \(N, features\)"):
        cr.from_onnx(model)


def test_a_gemm_of_a_3d_input_is_refused_too():
    with pytest.raises(ValidationError, match=r"the input 'x' has shape \('N', 2, 3\), 3-D"):
        cr.from_onnx(one_layer("Gemm", ["N", 2, 3], ["N", 1]))


@pytest.mark.parametrize("opset", [13, 17])
def test_a_model_exported_from_one_sample_is_read_as_rows(opset):
    """torch.onnx.export(model, torch.randn(4)): a 1-D input is one sample, computed as each row of a 2-D one (torch
    applied to rows is the truth; a 1-D input was refused for a while, where it had been read right)."""
    import io

    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3),
                                torch.nn.Softmax(dim=-1)).double().eval()
    f = io.BytesIO()
    torch.onnx.export(model, (torch.randn(4, dtype=torch.float64),), f, input_names=["x"], output_names=["y"],
                      dynamo=False, opset_version=opset)
    x = torch.randn(6, 4, dtype=torch.float64)
    with torch.no_grad():
        expected = model(x).numpy()
    np.testing.assert_allclose(cr.from_onnx(onnx.load_from_string(f.getvalue())).predict(x.numpy()), expected,
                               rtol=1e-12)


@pytest.mark.parametrize("shape", [["N", 3], ["N", "features"], [None, None]])
def test_a_2d_input_is_read_whatever_its_sizes_are_named(shape):
    model = one_layer("MatMul", shape, ["N", 1])
    x = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_allclose(cr.from_onnx(model).predict(x), run(model, x), rtol=1e-12)


def test_the_advice_for_a_3d_input_when_followed_exports_a_model_that_is_read():
    """torch's Linear on (N, T, 4) acts on each row of 4; the refusal told x.reshape(len(x), -1), rows of 8 that the
    Linear refuses (torch cannot export it): the advice given is run here, its export read and compared with torch."""
    import io
    import re

    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)).double().eval()
    x = torch.randn(3, 2, 4, dtype=torch.float64)

    def exported(inp):
        f = io.BytesIO()
        torch.onnx.export(model, (inp,), f, input_names=["x"], output_names=["y"], dynamo=False,
                          dynamic_axes={"x": {0: "N"}, "y": {0: "N"}})
        return onnx.load_from_string(f.getvalue())

    with pytest.raises(ValidationError, match=r"has shape \('N', 2, 4\), 3-D") as refused:
        cr.from_onnx(exported(x))
    advice = re.search(r"(x\.reshape\(.*\))\)$", str(refused.value)).group(1)    # the message's last words
    rows = eval(advice, {"x": x, "len": len})          # the advice, as the user would run it
    net = cr.from_onnx(exported(rows))
    with torch.no_grad():
        expected = model(x).reshape(-1, 2).numpy()
    np.testing.assert_allclose(net.predict(x.reshape(-1, 4).numpy()), expected, rtol=1e-12)


@pytest.mark.parametrize("opset", [11, 12, 13])
def test_a_softmax_over_axis_0_of_one_sample_is_its_last_axis(opset):
    """torch.onnx.export(model, torch.randn(4)) of a Softmax(dim=0) writes axis=0, which was refused ("chainrule's
    softmax is over the last axis"): of a 1-D input axis 0 is the last. onnxruntime, fed each sample, is the truth."""
    import io

    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3),
                                torch.nn.Softmax(dim=0)).double().eval()
    f = io.BytesIO()
    torch.onnx.export(model, (torch.randn(4, dtype=torch.float64),), f, input_names=["x"], output_names=["y"],
                      dynamo=False, opset_version=opset)
    exported = onnx.load_from_string(f.getvalue())
    assert [a.i for n in exported.graph.node if n.op_type == "Softmax" for a in n.attribute] == [0]
    x = np.random.default_rng(0).normal(size=(6, 4))
    expected = np.stack([run(exported, row) for row in x])
    np.testing.assert_allclose(cr.from_onnx(exported).predict(x), expected, rtol=1e-12)


def test_a_softmax_over_the_first_of_two_axes_is_still_refused():
    """Of rows, axis 0 is over the samples (onnxruntime mixes them), which chainrule's softmax never is."""
    from onnx import TensorProto as T
    from onnx import helper as h
    from onnx import numpy_helper as nh
    graph = h.make_graph([h.make_node("MatMul", ["x", "W"], ["z"], name="layer"),
                          h.make_node("Softmax", ["z"], ["y"], name="soft", axis=0)], "g",
                         [h.make_tensor_value_info("x", T.DOUBLE, ["N", 3])],
                         [h.make_tensor_value_info("y", T.DOUBLE, ["N", 2])],
                         initializer=[nh.from_array(np.arange(6.0).reshape(3, 2), "W")])
    with pytest.raises(ValidationError, match=r"has axis=0; chainrule's softmax is over the last axis"):
        cr.from_onnx(h.make_model(graph, opset_imports=[h.make_opsetid("", 17)]))
