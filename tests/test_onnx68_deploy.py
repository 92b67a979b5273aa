"""A `chainrule train` model exported as a deployer runs it: onnxruntime fed the CSV's raw columns."""
import numpy as np
import pytest
from conftest import cmd

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pd = pytest.importorskip("pandas")


def _table(tmp_path):
    """Numbers on very different scales (one with a gap), text, a yes/no column and codes kept as text."""
    r = np.random.default_rng(0)
    n = 150
    df = pd.DataFrame({"age": r.integers(18, 80, n).astype(float), "income": r.normal(5e4, 2e4, n).round(2),
                       "city": r.choice(["Paris", "Lyon", "Nice"], n), "member": r.choice(["yes", "no"], n),
                       "code": r.choice(["007", "7", "12"], n)})
    df["band"] = np.where(df.income / 1e4 + 2 * (df.city == "Paris") + r.normal(0, 1, n) > 6, "high", "low")
    df["spend"] = df.income / 1000 + 0.3 * df.age + r.normal(0, 1, n)
    df.loc[3, "age"] = np.nan
    path = tmp_path / "d.csv"
    df.to_csv(path, index=False)
    return path


def _feed(session, df):
    """Each input its column, as its type says: text as str objects, numbers as float64, shape (N, 1)."""
    return {i.name: (df[i.name].astype(str).to_numpy(object) if i.type == "tensor(string)"
                     else df[i.name].to_numpy(np.float64)).reshape(-1, 1) for i in session.get_inputs()}


@pytest.mark.parametrize("target, drop, dtype", [("band", "spend", "float64"), ("spend", "band", "float32")])
def test_the_exported_graph_takes_the_raw_columns_and_predicts_as_chainrule_predict(tmp_path, target, drop, dtype):
    data = _table(tmp_path)
    model, out, preds = tmp_path / "m.npz", tmp_path / "m.onnx", tmp_path / "p.csv"
    trained = cmd("train", data, "--target", target, "--drop", drop, "--text", "code", "--impute", "median",
                  "--epochs", 5, "--dtype", dtype, "--seed", 1, "--out", model, "--quiet")
    assert trained.returncode == 0, trained.stderr
    assert cmd("export", model, out).returncode == 0
    assert cmd("predict", model, data, "--out", preds, *(["--proba"] if target == "band" else [])).returncode == 0
    session = ort.InferenceSession(str(out))
    df = pd.read_csv(data, dtype={"code": str})
    assert [(i.name, i.type, i.shape) for i in session.get_inputs()] == [
        ("age", "tensor(double)", ["N", 1]), ("income", "tensor(double)", ["N", 1]),
        ("city", "tensor(string)", ["N", 1]), ("member", "tensor(string)", ["N", 1]),
        ("code", "tensor(string)", ["N", 1])]
    got = session.run(None, _feed(session, df))
    expected = pd.read_csv(preds)
    if target == "band":
        assert (got[0] == expected["prediction"].to_numpy()).all()
        np.testing.assert_allclose(got[1], expected[["proba_high", "proba_low"]].to_numpy(), rtol=1e-12)
    else:             # predict writes a float32 model's values with the digits float32 carries
        np.testing.assert_allclose(got[0], expected["prediction"].to_numpy(), rtol=1e-6)
    meta = session.get_modelmeta()
    assert meta.producer_name == "chainrule" and target in meta.description
    assert meta.custom_metadata_map["chainrule.target"] == target


def test_an_empty_batch_gives_no_predictions_where_a_column_holds_yes_no_words(tmp_path):
    """The batch dimension is symbolic: 0 rows (a service's empty request) give empty outputs, as a graph with
    no yes/no column gives them; the words' StringNormalizer failed there ('Single dimension value must be
    greater than 0')."""
    data = _table(tmp_path)
    model, out = tmp_path / "m.npz", tmp_path / "m.onnx"
    assert cmd("train", data, "--target", "band", "--drop", "spend", "--impute", "median", "--epochs", 2,
               "--out", model, "--quiet").returncode == 0
    assert cmd("export", model, out).returncode == 0
    session = ort.InferenceSession(str(out))
    df = pd.read_csv(data)
    label, proba = session.run(None, _feed(session, df.iloc[:0]))
    assert label.shape == (0,) and proba.shape == (0, 2)
    one = session.run(None, _feed(session, df.iloc[:1]))        # and a batch of rows, as before
    assert one[0].shape == (1,)
