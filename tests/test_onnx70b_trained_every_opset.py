"""Networks trained for real (iris softmax + cross-entropy with relu, a tanh regression with a linear output, a binary
sigmoid with leaky_relu, a multi-label sigmoid, a float32 network), the scikit-learn estimators and a `chainrule train`
CSV model with its preprocessing, exported at every opset chainrule accepts (17 to the newest this onnx knows) and run
by onnxruntime on a batch of 1 and of 1000 through the graph's dynamic batch dimension: its outputs are predict's."""
import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pd = pytest.importorskip("pandas")
from conftest import cmd, iris_table  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, make_multilabel_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.saving.onnx import MIN_OPSET, to_onnx  # noqa: E402
from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

OPSETS = range(MIN_OPSET, onnx.defs.onnx_opset_version() + 1)
CASES = ["iris", "regression", "binary", "multilabel", "float32", "classifier", "regressor", "csv"]


def _standard(X):
    return (X - X.mean(0)) / X.std(0)


def _net(widths, acts, loss, X, Y, dtype="float64"):
    layers = [cr.Dense(a, b, act) for a, b, act in zip(widths, widths[1:], acts)]
    net = cr.Network(layers, loss=loss, dtype=dtype, seed=70)
    net.fit(X.astype(dtype), Y.astype(dtype), epochs=15, verbose=0, seed=70)
    return net


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Each case: (what to_onnx exports, or the .npz `chainrule export` reads; its rows; predict's outputs by name)."""
    Xi, yi = load_iris(return_X_y=True)
    Xi = _standard(Xi)
    Xd, yd = load_diabetes(return_X_y=True)
    Xb, yb = load_breast_cancer(return_X_y=True)
    Xb = _standard(Xb)
    Xm, Ym = make_multilabel_classification(200, 8, n_classes=4, random_state=70)
    nets = {"iris": (_net([4, 8, 3], ["relu", "softmax"], "categorical_crossentropy", Xi, np.eye(3)[yi]), Xi),
            "regression": (_net([10, 6, 1], ["tanh", "linear"], "mse", Xd, (yd[:, None] - 150) / 80), Xd),
            "binary": (_net([30, 5, 1], [{"name": "leaky_relu", "alpha": 0.2}, "sigmoid"], "binary_crossentropy",
                            Xb, yb[:, None]), Xb),
            "multilabel": (_net([8, 7, 4], ["relu", "sigmoid"], "binary_crossentropy", Xm, Ym), Xm),
            "float32": (_net([4, 6, 3], ["tanh", "softmax"], "categorical_crossentropy", Xi, np.eye(3)[yi], "float32"),
                        Xi.astype("float32"))}
    out = {k: (net, X, {"output": net.predict}) for k, (net, X) in nets.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)         # a short training, on purpose
        clf = BackpropClassifier(hidden_layer_sizes=(8,), epochs=30, random_state=70).fit(Xi, np.array(list("abc"))[yi])
        reg = BackpropRegressor(hidden_layer_sizes=(8,), epochs=30, random_state=70).fit(Xd, yd)
    out["classifier"] = (clf, Xi, {"label": clf.predict, "probabilities": clf.predict_proba})
    out["regressor"] = (reg, Xd, {"variable": reg.predict})
    folder = tmp_path_factory.mktemp("csv")
    table = iris_table()
    table["size"] = np.where(table["sepal length (cm)"] > 5.8, "large", "small")       # a text column, one-hot
    table.loc[[3, 40], "petal width (cm)"] = np.nan                                     # imputed
    table.to_csv(folder / "iris.csv", index=False)
    model = folder / "iris.npz"
    r = cmd("train", folder / "iris.csv", "--target", "species", "--hidden", "6", "--epochs", "10", "--impute", "mean",
            "--out", model, "--quiet")
    assert r.returncode == 0, r.stderr
    out["csv"] = (model, table.drop(columns="species"), None)
    return out


def _predicted(model, rows, tmp_path):
    """`chainrule predict --proba` of the raw rows: its labels and probabilities."""
    rows.to_csv(tmp_path / "rows.csv", index=False)
    r = cmd("predict", model, tmp_path / "rows.csv", "--proba", "--out", tmp_path / "preds.csv")
    assert r.returncode == 0, r.stderr
    want = pd.read_csv(tmp_path / "preds.csv")
    return {"prediction": want["prediction"].to_numpy(), "probabilities": want.filter(like="proba_").to_numpy()}


@pytest.mark.parametrize("opset", OPSETS)
@pytest.mark.parametrize("case", CASES)
def test_trained_models_equal_predict_at_every_opset(trained, case, opset, tmp_path):
    model, X, outputs = trained[case]
    if case == "csv":
        assert cmd("export", model, tmp_path / "m.onnx", "--opset", str(opset)).returncode == 0
        proto = onnx.load(tmp_path / "m.onnx")
    else:
        proto = to_onnx(model, opset=opset)
    assert [(o.domain, o.version) for o in proto.opset_import if o.domain == ""] == [("", opset)]
    s = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    assert all(i.shape[0] == "N" for i in s.get_inputs())                   # the batch dimension is dynamic
    tol = 2e-6 if case == "float32" else 1e-12
    for n in (1, 1000):
        rng = np.random.default_rng(n)
        if case == "csv":
            rows = X.sample(n, replace=True, random_state=n)
            feeds = {i.name: (rows[i.name].astype("string").fillna("").to_numpy(dtype=object)
                              if i.type == "tensor(string)" else rows[i.name].to_numpy(dtype=np.float64)).reshape(-1, 1)
                     for i in s.get_inputs()}
            want = _predicted(model, rows, tmp_path)
        else:
            rows = (rng.choice(X, n) + rng.normal(scale=0.1, size=(n, X.shape[1]))).astype(X.dtype)
            feeds = {"input": rows}
            want = {name: f(rows) for name, f in outputs.items()}
        got = dict(zip([o.name for o in s.get_outputs()], s.run(None, feeds)))
        for name, w in want.items():
            if w.dtype.kind in "OUSb" or name in ("label", "prediction"):
                np.testing.assert_array_equal(np.ravel(got[name]), np.ravel(w).astype(got[name].dtype), err_msg=name)
            else:
                np.testing.assert_allclose(got[name], w, rtol=tol, atol=tol, err_msg=name)
