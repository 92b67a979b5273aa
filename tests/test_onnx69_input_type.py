"""The dtype onnxruntime is fed: the graph declares one and refuses every other, where predict converts them all.
to_onnx(input_type=...) (`chainrule export --input-type`) declares the one fed, cast in the graph."""
import numpy as np
import pytest
from conftest import cmd

import chainrule as cr

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

X = np.arange(-9, 15).reshape(8, 3)          # small integers: exact in every type below (bool: zero or not)


def _run(model, X):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session, session.run(None, {"input": X})


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_the_graph_takes_only_the_networks_dtype_by_default(dtype):
    """What a deployer meets with no input_type: onnxruntime's refusal of int64 rows, which predict takes."""
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2)], dtype=dtype, seed=0)
    model = cr.to_onnx(net)
    assert net.predict(X.astype(np.int64)).dtype == dtype
    with pytest.raises(Exception, match="Unexpected input data type"):
        _run(model, X.astype(np.int64))
    assert f"X.astype(np.{dtype})" in model.graph.input[0].doc_string


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("fed", ["int64", "int32", "bool", "float16", "float32", "float64", "uint8"])
def test_input_type_casts_in_the_graph_as_predict_converts(dtype, fed):
    net = cr.Network([cr.Dense(3, 5, "sigmoid"), cr.Dropout(0.3), cr.Dense(5, 2, "softmax")], dtype=dtype, seed=1)
    model = cr.to_onnx(net, input_type=fed)
    session, (out,) = _run(model, X.astype(fed))
    assert session.get_inputs()[0].type == {"float32": "tensor(float)", "float64": "tensor(double)"}.get(
        fed, f"tensor({fed})")
    assert session.get_inputs()[0].shape == ["N", 3] and out.dtype == dtype
    np.testing.assert_allclose(out, net.predict(X.astype(fed)), rtol=1e-12 if dtype == "float64" else 2e-6,
                               atol=1e-15 if dtype == "float64" else 1e-7)
    assert f"X.astype(np.{fed})" in model.graph.input[0].doc_string


def test_a_cast_input_with_nan_is_refused_naming_the_input_not_an_inner_tensor():
    net = cr.Network([cr.Dense(3, 2, "relu")], dtype="float32", seed=0)
    bad = np.ones((2, 3), dtype=np.float16)
    bad[1, 1] = np.nan
    with pytest.raises(Exception, match="input 'input' has NaN") as caught:
        _run(cr.to_onnx(net, input_type="float16"), bad)
    assert "cast" not in str(caught.value).split("has NaN")[0]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")     # three epochs
def test_an_estimator_fed_integers_gives_its_predict_and_predict_proba():
    cs = pytest.importorskip("chainrule.sklearn")
    r = np.random.default_rng(0)
    Xi = r.integers(0, 5, size=(60, 3))
    y = np.where(Xi.sum(axis=1) > 6, "big", "small")
    clf = cs.BackpropClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0).fit(Xi, y)
    _, (_, label, proba) = _run(cr.to_onnx(clf, input_type=Xi.dtype), Xi)
    assert (label == clf.predict(Xi)).all()
    np.testing.assert_allclose(proba, clf.predict_proba(Xi), rtol=1e-12)


@pytest.mark.parametrize("bad", ["float128", "complex128", "str", 3, "U8"])
def test_an_input_type_onnx_cannot_cast_from_is_refused_naming_the_choices(bad):
    net = cr.Network([cr.Dense(3, 2)], seed=0)
    with pytest.raises(cr.errors.ValidationError, match=r"input_type must be one of float64, .*int64.*; got"):
        cr.to_onnx(net, input_type=bad)


def test_input_type_with_a_csv_preprocessing_is_refused_saying_the_columns_types(tmp_path):
    pd = pytest.importorskip("pandas")
    data, model = tmp_path / "d.csv", tmp_path / "m.npz"
    pd.DataFrame({"a": np.arange(20.0), "y": np.arange(20.0) % 3}).to_csv(data, index=False)
    assert cmd("train", data, "--target", "y", "--epochs", 1, "--out", model, "--quiet").returncode == 0
    net, extra = cr.load(model, with_extra=True)
    with pytest.raises(cr.errors.ValidationError, match="numbers as double"):
        cr.to_onnx(net, preprocessing=extra["tabular"], input_type="int64")
    done = cmd("export", model, tmp_path / "m.onnx", "--input-type", "int64")
    assert done.returncode != 0 and "numbers as double" in done.stderr and not (tmp_path / "m.onnx").exists()


def test_export_input_type_writes_a_graph_fed_int64(tmp_path):
    net = cr.Network([cr.Dense(3, 4, "leaky_relu"), cr.Dense(4, 1)], dtype="float32", seed=2)
    net.save(tmp_path / "m.npz")
    done = cmd("export", tmp_path / "m.npz", tmp_path / "m.onnx", "--input-type", "int64")
    assert done.returncode == 0, done.stderr
    assert "input int64" in done.stdout
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    (out,) = session.run(None, {"input": X.astype(np.int64)})
    np.testing.assert_allclose(out, cr.load(tmp_path / "m.npz").predict(X), rtol=2e-6, atol=1e-7)
    refused = cmd("export", tmp_path / "m.npz", tmp_path / "n.onnx", "--input-type", "int")
    assert refused.returncode == 2 and "--input-type" in refused.stderr and "int64" in refused.stderr

