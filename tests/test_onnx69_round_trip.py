"""A graph of to_onnx(input_type=...) read back: from_onnx (and load_foreign, `chainrule info`) reads its input's
Cast as predict's own conversion; the declared type's odd spellings and a float64 input too large for float32."""
import numpy as np
import pytest
from conftest import cmd

import chainrule as cr

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

X = np.arange(-9, 15).reshape(8, 3)


def _run(model, X):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": X})


@pytest.mark.parametrize("checks", [True, False])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("fed", ["int64", "bool", "float16", "uint64"])
def test_from_onnx_reads_back_a_graph_with_an_input_type(dtype, fed, checks):
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dropout(0.2), cr.Dense(4, 2, "softmax")], dtype=dtype, seed=3)
    model = cr.to_onnx(net, input_type=fed, checks=checks)
    back = cr.from_onnx(model)
    assert back.dtype == dtype and [type(a).__name__ for a in back.layers] == ["Dense", "Dropout", "Dense"]
    rows = X.astype(fed)
    np.testing.assert_array_equal(back.predict(rows), net.predict(rows))
    np.testing.assert_allclose(back.predict(rows), _run(model, rows)[0], rtol=1e-12 if dtype == "float64" else 2e-6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")     # three epochs
def test_from_onnx_reads_back_an_estimators_graph_with_an_input_type():
    cs = pytest.importorskip("chainrule.sklearn")
    Xi = np.random.default_rng(0).integers(0, 5, size=(40, 3))
    clf = cs.BackpropClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0).fit(Xi, Xi.sum(axis=1) > 6)
    back = cr.from_onnx(cr.to_onnx(clf, input_type="int64"))
    np.testing.assert_array_equal(back.predict(Xi), clf.network_.predict(Xi))


def test_info_describes_the_declared_input_and_its_network(tmp_path):
    net = cr.Network([cr.Dense(3, 2, "relu")], dtype="float32", seed=0)
    cr.to_onnx(net, tmp_path / "m.onnx", input_type="int32")
    done = cmd("info", tmp_path / "m.onnx")
    assert done.returncode == 0, done.stderr
    assert "Dense(3, 2, activation='relu')" in done.stdout and "int32" in done.stdout
    assert "X.astype(np.int32)" in done.stdout


def test_from_onnx_refuses_an_input_cast_to_another_dtype_than_the_weights():
    net = cr.Network([cr.Dense(3, 2)], seed=0)
    model = cr.to_onnx(net, input_type="int64", checks=False)
    model.graph.node[0].attribute[0].i = onnx.TensorProto.FLOAT       # a float32 input into float64 weights
    with pytest.raises(cr.errors.ValidationError, match="cast to float32, but the layers' weights are float64"):
        cr.from_onnx(model)


@pytest.mark.parametrize("spelling", [">i8", np.dtype(">i8"), "i8", np.int64])
def test_an_input_type_of_another_byte_order_or_spelling_is_its_onnx_type(spelling):
    net = cr.Network([cr.Dense(3, 2, "tanh")], seed=0)
    model = cr.to_onnx(net, input_type=spelling)
    np.testing.assert_allclose(_run(model, X.astype(np.int64))[0], net.predict(X), rtol=1e-12)


def test_a_float64_input_beyond_a_float32_networks_range_is_named_as_such():
    net = cr.Network([cr.Dense(3, 2)], dtype="float32", seed=0)
    rows = np.array([[1e300, 1.0, 1.0], [1.0, 2.0, 3.0]])
    with pytest.raises(cr.errors.ValidationError, match="too large for float32"):
        net.predict(rows)
    with pytest.raises(Exception, match="beyond float32.s range"):
        _run(cr.to_onnx(net, input_type="float64"), rows)
