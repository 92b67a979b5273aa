"""ONNX files written by torch.onnx.export's dynamo exporter (the default of recent torch; it needs onnxscript, so
the files were written once, by torch 2.13, and are kept in tests/data): opset 20, Gemm with transB, a Linear without
bias, initializers named after the module's parameters, one of them in an external data file, a fixed batch of 2.
Each is checked against onnxruntime running the same file. Also: an opset newer than the onnx package knows."""
import shutil
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

DATA = Path(__file__).parent / "data"
# The files are remade (other weights: the tests compare with onnxruntime, not with stored numbers) in tests/data by
# torch 2.13 with onnxscript installed:
#   mlp = nn.Sequential(nn.Linear(4, 6), nn.LeakyReLU(0.2), nn.Dropout(0.5), nn.Linear(6, 3, bias=False),
#                       nn.Softmax(dim=1))
#   torch.onnx.export(mlp.eval(), (torch.zeros(2, 4),), "torch-dynamo-mlp.onnx", dynamo=True,
#                     input_names=["input"], dynamic_shapes=({0: torch.export.Dim("N")},))
#   big = nn.Sequential(nn.Linear(40, 16), nn.Tanh(), nn.Linear(16, 1), nn.Sigmoid()).double()
#   torch.onnx.export(big.eval(), (torch.zeros(2, 40, dtype=torch.float64),), "torch-dynamo-external.onnx",
#                     dynamo=True, input_names=["input"])
# (the exporter writes an empty torch-dynamo-mlp.onnx.data beside the first: not kept)
#: Linear(4, 6), LeakyReLU(0.2), Dropout, Linear(6, 3, bias=False), Softmax; float32, batch "N"
MLP = DATA / "torch-dynamo-mlp.onnx"
#: Linear(40, 16), Tanh, Linear(16, 1), Sigmoid; float64, batch 2, the first weight in the .onnx.data file
EXTERNAL = DATA / "torch-dynamo-external.onnx"


def runtime(path, X):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: X})[0]


def test_a_dynamo_export_of_a_float32_mlp_imports_with_its_weights_and_outputs():
    net = cr.from_onnx(MLP)
    X = np.random.default_rng(0).normal(size=(7, 4)).astype(np.float32)
    assert np.abs(net.predict(X) - runtime(MLP, X)).max() < 1e-6
    assert net.dtype == np.float32 and "loss='categorical_crossentropy'" in repr(net)
    acts = [layer.activation.config() for layer in net.dense_layers]
    assert np.float32(acts[0]["alpha"]) == np.float32(0.2) and acts[1]["name"] == "softmax"
    model = onnx.load(MLP)
    weights = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    first, second = net.dense_layers
    assert np.array_equal(first.W, weights["0.weight"].T) and np.array_equal(first.b, weights["0.bias"])
    assert np.array_equal(second.W, weights["3.weight"].T)
    assert not second.b.any() and second.trainable_params["b"] is False    # the Linear had no bias


def test_a_dynamo_export_with_external_data_and_a_fixed_batch_imports_in_float64(tmp_path):
    X = np.random.default_rng(1).normal(size=(2, 40))
    expected = runtime(EXTERNAL, X)
    for source in (EXTERNAL, onnx.load(EXTERNAL)):            # the path, and the model loaded with its data
        net = cr.from_onnx(source)
        assert net.dtype == np.float64
        assert np.abs(net.predict(X) - expected).max() < 1e-12
        assert np.abs(net.predict(np.tile(X, (3, 1))) - np.tile(expected, (3, 1))).max() < 1e-12
    shutil.copy(EXTERNAL, tmp_path / EXTERNAL.name)                  # the data file left behind
    with pytest.raises(Exception, match="torch-dynamo-external.onnx.data"):
        cr.from_onnx(tmp_path / EXTERNAL.name)


def test_an_operator_of_a_dynamo_export_with_no_chainrule_form_is_named():
    model = onnx.load(MLP)
    node = next(n for n in model.graph.node if n.op_type == "LeakyRelu")
    node.op_type, node.name = "Gelu", "node_gelu"
    del node.attribute[:]
    with pytest.raises(ValidationError, match=r"'node_gelu' \(Gelu\) has no chainrule form"):
        cr.from_onnx(model)


def test_an_opset_newer_than_the_onnx_package_knows_is_refused_naming_it():
    model = onnx.load(MLP)
    known = onnx.defs.onnx_opset_version()
    model.opset_import[0].version = known + 2
    with pytest.raises(ValidationError, match=rf"opset {known + 2}, newer than .* \(opset {known} at most\)"):
        cr.from_onnx(model)
    model.opset_import[0].version = known                          # the newest it knows is read
    X = np.random.default_rng(2).normal(size=(3, 4)).astype(np.float32)
    assert np.abs(cr.from_onnx(model).predict(X) - runtime(MLP, X)).max() < 1e-6
