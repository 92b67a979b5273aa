"""A `chainrule train` model exported as a deployer runs it: onnxruntime fed the CSV's raw columns."""
import numpy as np
import pytest
from conftest import cmd

import chainrule as cr

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


@pytest.mark.parametrize("target, drop, dtype, epochs, seed", [
    ("band", "spend", "float64", 5, 1), ("spend", "band", "float32", 5, 1),
    ("spend", "band", "float32", 50, 5)])      # predictions near 9, where 1e-6 of the value is under a float32 step
def test_the_exported_graph_takes_the_raw_columns_and_predicts_as_chainrule_predict(tmp_path, target, drop, dtype,
                                                                                    epochs, seed):
    data = _table(tmp_path)
    model, out, preds = tmp_path / "m.npz", tmp_path / "m.onnx", tmp_path / "p.csv"
    trained = cmd("train", data, "--target", target, "--drop", drop, "--text", "code", "--impute", "median",
                  "--epochs", epochs, "--dtype", dtype, "--seed", seed, "--out", model, "--quiet")
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
    else:
        # a float32 network's output z differs between runtimes by a few of float32's steps, y_scale times that in
        # the target's units; predict writes each value with float32's digits, to within one such step
        pre = cr.load(model, with_extra=True)[1]["tabular"]
        z = (expected["prediction"].to_numpy() - pre["y_mean"]) / pre["y_scale"]
        step = pre["y_scale"] * np.finfo(np.float32).eps * np.maximum(np.abs(z), 1)
        assert (np.abs(got[0] - expected["prediction"].to_numpy()) <= 8 * step).all()
    meta = session.get_modelmeta()
    assert meta.producer_name == "chainrule" and target in meta.description
    assert meta.custom_metadata_map["chainrule.target"] == target


@pytest.mark.parametrize("target, drop, dtype", [("band", "spend", "float64"), ("spend", "band", "float32")])
def test_an_empty_batch_gives_no_predictions_where_a_column_holds_yes_no_words(tmp_path, target, drop, dtype):
    """The batch dimension is symbolic: 0 rows (a service's empty request) give empty outputs, as a graph with
    no yes/no column gives them; the words' StringNormalizer failed there ('Single dimension value must be
    greater than 0'). The cell added for it leaks into no other batch: each row predicts alone as in the whole
    batch, and a word in another case ('YES') as the word it means."""
    data = _table(tmp_path)
    model, out = tmp_path / "m.npz", tmp_path / "m.onnx"
    assert cmd("train", data, "--target", target, "--drop", drop, "--text", "code", "--impute", "median",
               "--epochs", 2, "--dtype", dtype, "--out", model, "--quiet").returncode == 0
    assert cmd("export", model, out).returncode == 0
    session = ort.InferenceSession(str(out))
    df = pd.read_csv(data, dtype={"code": str})
    empty = session.run(None, _feed(session, df.iloc[:0]))
    whole = session.run(None, _feed(session, df))
    assert [e.shape for e in empty] == [(0, *w.shape[1:]) for w in whole]
    for row in (0, 3, len(df) - 1):
        alone = session.run(None, _feed(session, df.iloc[row:row + 1]))
        assert all((a == w[row:row + 1]).all() for a, w in zip(alone, whole))
    shouted = df.assign(member=df.member.str.upper())
    assert all((s == w).all() for s, w in zip(session.run(None, _feed(session, shouted)), whole))
