"""A float32 regression model of a target far from 0 (1e8 + 5x, float32 steps of 8 there): its
predictions, metrics and ONNX graph are un-scaled in float64, as scikit-learn's
TransformedTargetRegressor does, so they match numpy's float64 arithmetic on the network's raw
(float32) outputs instead of being rounded to float32 in the target's units."""

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cli, cmd  # noqa: E402
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.cli import weights  # noqa: E402
from chainrule.data.tabular import Preprocessing  # noqa: E402

EPS32 = float(np.finfo(np.float32).eps)



def price_table(n=400, unit_weights=False):
    rng = np.random.default_rng(0)
    x = rng.normal(size=n)
    w = np.ones(n) if unit_weights else rng.integers(1, 4, size=n).astype(float)
    return pd.DataFrame({"x": x, "y": 1e8 + 5 * x + 0.1 * rng.normal(size=n), "w": w})


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(folder, table, model path): a float32 model trained with --weight on the price table."""
    tmp = tmp_path_factory.mktemp("price")
    df = price_table()
    df.to_csv(tmp / "price.csv", index=False)
    r = cli("train", tmp / "price.csv", "--target", "y", "--weight", "w", "--dtype", "float32", "--hidden", "8",
            "--epochs", "30", "--seed", "0", "--out", tmp / "m.npz", "--quiet")
    assert r.returncode == 0, r.stderr
    return tmp, df, tmp / "m.npz"


def float64_truth(model, df):
    """numpy's float64 un-scaling of the float32 network's raw outputs, and the tolerance of a few
    float32 steps of those outputs (another run of the same network may round them otherwise)."""
    net, extra = cr.load(model, with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    raw = net.predict(pre.transform(df[pre.columns], dtype=net.dtype))
    assert raw.dtype == np.float32
    want = raw[:, 0].astype(np.float64) * np.float64(pre.y_scale) + np.float64(pre.y_mean)
    return want, 8 * EPS32 * float(np.abs(raw).max()) * pre.y_scale


def test_decode_is_float64():
    pre = Preprocessing(target="y", task="regression", y_mean=1e8 + 0.25, y_scale=5.0)
    out = np.array([[0.1], [-0.3], [1.7]], dtype=np.float32)
    got = pre.decode(out)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, out[:, 0].astype(np.float64) * 5.0 + (1e8 + 0.25))


def test_predict_writes_float64_predictions(trained):
    tmp, df, model = trained
    r = cmd("predict", model, tmp / "price.csv", "--out", tmp / "p.csv")
    assert r.returncode == 0, r.stderr
    lines = (tmp / "p.csv").read_text().splitlines()
    assert lines[0] == "prediction"
    got = np.array([float(v) for v in lines[1:]])          # the file's own text, read as Python floats
    want, tol = float64_truth(model, df)
    np.testing.assert_allclose(got, want, rtol=0, atol=tol)
    assert len(np.unique(got)) > len(got) // 2              # not a few float32 steps of 8


def test_evaluate_weighted_metrics_in_float64(trained):
    tmp, df, model = trained
    r = cmd("evaluate", model, tmp / "price.csv", "--weight", "w")
    assert r.returncode == 0, r.stderr
    printed = {k: float(v) for k, v in (line.split(": ") for line in r.stdout.splitlines() if ": " in line)}
    pred, _ = float64_truth(model, df)
    mse = mean_squared_error(df["y"], pred, sample_weight=df["w"])
    want = {"mse": mse, "rmse": np.sqrt(mse), "mae": mean_absolute_error(df["y"], pred, sample_weight=df["w"]),
            "r2": r2_score(df["y"], pred, sample_weight=df["w"])}
    for k, v in want.items():
        assert printed[k] == pytest.approx(v, rel=1e-4), k


def test_weighted_regression_metrics_of_float32_outputs():
    """`train --weight`'s validation metrics: scikit-learn's, in float64, of float32 outputs."""
    rng = np.random.default_rng(1)
    pre = Preprocessing(target="y", task="regression", y_mean=1e8 + 0.3, y_scale=4.0)
    y = rng.normal(size=(300, 1))
    out = (y + 0.02 * rng.normal(size=(300, 1))).astype(np.float32)
    w = rng.uniform(0.5, 3.0, size=300)
    truth = y[:, 0] * 4.0 + (1e8 + 0.3)
    pred = out[:, 0].astype(np.float64) * 4.0 + (1e8 + 0.3)
    got = weights.regression(pre, out, y, w)
    mse = mean_squared_error(truth, pred, sample_weight=w)
    assert got["mse"] == pytest.approx(mse, rel=1e-6)
    assert got["rmse"] == pytest.approx(np.sqrt(mse), rel=1e-6)
    assert got["mae"] == pytest.approx(mean_absolute_error(truth, pred, sample_weight=w), rel=1e-6)
    assert got["r2"] == pytest.approx(r2_score(truth, pred, sample_weight=w), rel=1e-6)


def test_train_weighted_validation_as_unweighted(tmp_path):
    """Weights that are all 1 give the validation metrics of the same training without them."""
    price_table(unit_weights=True).to_csv(tmp_path / "price.csv", index=False)
    common = ("--target", "y", "--dtype", "float32", "--hidden", "8", "--epochs", "20", "--seed", "0")
    weighted = cmd("train", tmp_path / "price.csv", *common, "--weight", "w", "--out", tmp_path / "a.npz")
    plain = cmd("train", tmp_path / "price.csv", *common, "--drop", "w", "--out", tmp_path / "b.npz")
    assert weighted.returncode == 0 and plain.returncode == 0, weighted.stderr + plain.stderr

    def shown(r):
        line = [x for x in r.stdout.splitlines() if x.startswith("validation")][-1]
        return line.split(": ", 1)[1]
    assert shown(weighted) == shown(plain)


def test_onnx_prediction_is_double(trained):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    tmp, df, model = trained
    assert cmd("export", model, tmp / "m.onnx").returncode == 0
    assert cmd("predict", model, tmp / "price.csv", "--out", tmp / "p.csv").returncode == 0
    graph = onnx.load(tmp / "m.onnx")
    assert graph.graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
    s = ort.InferenceSession(str(tmp / "m.onnx"), providers=["CPUExecutionProvider"])
    assert s.get_outputs()[0].type == "tensor(double)"
    (got,) = s.run(None, {"x": df[["x"]].to_numpy(dtype=np.float64)})
    assert got.dtype == np.float64
    _, tol = float64_truth(model, df)
    lines = (tmp / "p.csv").read_text().splitlines()[1:]
    np.testing.assert_allclose(got, [float(v) for v in lines], rtol=0, atol=tol)
