"""--impute learns a fill value for every feature column, as scikit-learn's SimpleImputer does: a gap
at predict time in a column that had none in training is filled (in memory, with --stream, in the
exported ONNX graph), not refused with the advice to train with --impute."""
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cli, cmd, iris_table, training_rows  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.data.stream import CsvStream  # noqa: E402
from chainrule.data.tabular import Preprocessing, read_csv  # noqa: E402

NUMERIC = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]



@pytest.fixture(scope="module")
def iris_csv(tmp_path_factory):
    """Iris with a text column; gaps only in 'petal width (cm)'."""
    d = iris_table()
    d["size"] = np.where(d["sepal length (cm)"] > 5.8, "large", "small")
    d.loc[[3, 40], "petal width (cm)"] = np.nan
    path = tmp_path_factory.mktemp("data") / "iris.csv"
    d.to_csv(path, index=False)
    return path


def with_gaps(iris_csv, path):
    """Rows of the file with a gap in each column, most of them columns without gaps in training."""
    df = pd.read_csv(iris_csv).drop(columns="species").head(8)
    for i, c in enumerate(NUMERIC + ["size"]):
        df.loc[i, c] = np.nan
    df.to_csv(path, index=False)
    return df


def imputers(train, strategy):
    numeric = SimpleImputer(strategy=strategy).fit(train[NUMERIC])
    text = SimpleImputer(strategy="most_frequent").fit(train[["size"]].astype(object))
    return numeric, text


@pytest.mark.parametrize("strategy", ["mean", "median", "most_frequent"])
def test_every_column_gets_simpleimputers_fill_in_memory_and_streamed(iris_csv, tmp_path, strategy):
    train = read_csv(iris_csv)
    numeric, text = imputers(train, strategy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pre = Preprocessing.fit(train, "species", impute=strategy)
        with CsvStream(iris_csv, rows=40) as stream:
            streamed = stream.fit("species", impute=strategy)
    for got in (pre, streamed):
        assert list(got.fill) == NUMERIC + ["size"]
        np.testing.assert_allclose([got.fill[c] for c in NUMERIC], numeric.statistics_, rtol=1e-12)
        assert got.fill["size"] == text.statistics_[0]
    new = with_gaps(iris_csv, tmp_path / "new.csv")
    filled = new.copy()
    filled[NUMERIC] = numeric.transform(new[NUMERIC])
    filled["size"] = text.transform(new[["size"]].astype(object))[:, 0]
    np.testing.assert_array_equal(pre.transform(new, sparse=False), pre.transform(filled, sparse=False))


@pytest.mark.parametrize("stream", [False, True])
def test_predict_and_evaluate_fill_a_gap_in_a_column_without_gaps_in_training(iris_csv, tmp_path, stream):
    model = tmp_path / "m.npz"
    r = cli("train", iris_csv, "--target", "species", "--hidden", "8", "--epochs", "20", "--impute", "median",
            "--out", model, "--quiet", *(["--stream", "--chunk-rows", "40"] if stream else []))
    assert r.returncode == 0, r.stderr
    new = with_gaps(iris_csv, tmp_path / "new.csv")
    table = read_csv(iris_csv)                       # train learns the fill values from its training rows
    numeric, text = imputers(table.iloc[training_rows(len(table))], "median")
    filled = new.copy()
    filled[NUMERIC] = numeric.transform(new[NUMERIC])
    filled["size"] = text.transform(new[["size"]].astype(object))[:, 0]
    filled.to_csv(tmp_path / "filled.csv", index=False)
    got = cli("predict", model, tmp_path / "new.csv", "--proba")
    assert got.returncode == 0, got.stderr
    want = cli("predict", model, tmp_path / "filled.csv", "--proba")
    assert want.returncode == 0, want.stderr
    assert got.stdout == want.stdout
    labelled = pd.read_csv(iris_csv).head(8)
    new.assign(species=labelled["species"]).to_csv(tmp_path / "labelled.csv", index=False)
    r = cli("evaluate", model, tmp_path / "labelled.csv")
    assert r.returncode == 0 and "accuracy:" in r.stdout, r.stderr


def test_the_exported_graph_fills_such_a_gap_as_predict_does(iris_csv, tmp_path):
    onnx = pytest.importorskip("onnxruntime")
    model, graph, preds = tmp_path / "m.npz", tmp_path / "m.onnx", tmp_path / "p.csv"
    assert cmd("train", iris_csv, "--target", "species", "--hidden", "8", "--epochs", "20", "--impute", "mean",
               "--out", model, "--quiet").returncode == 0
    assert cmd("export", model, graph).returncode == 0
    new = with_gaps(iris_csv, tmp_path / "new.csv")
    r = cmd("predict", model, tmp_path / "new.csv", "--proba", "--out", preds)
    assert r.returncode == 0, r.stderr
    want = pd.read_csv(preds)
    s = onnx.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
    feeds = {c: new[c].to_numpy(dtype=np.float64).reshape(-1, 1) for c in NUMERIC}
    feeds["size"] = new["size"].astype("string").fillna("").to_numpy(dtype=object).reshape(-1, 1)
    label, proba = s.run(None, feeds)
    assert not np.isnan(proba).any()
    assert list(label) == list(want["prediction"])
    np.testing.assert_allclose(proba, want.filter(like="proba_").to_numpy(), rtol=1e-12, atol=1e-12)


def test_without_impute_the_refusal_stays_and_an_older_file_behaves_as_before(tmp_path):
    csv, plain, model, old = (tmp_path / n for n in ("t.csv", "plain.npz", "m.npz", "old.npz"))
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60), "c": rng.choice(["u", "v"], size=60)})
    d["y"] = np.where(d["a"] + d["b"] > 0, "x", "z")
    d.to_csv(csv, index=False)
    assert cmd("train", csv, "--target", "y", "--epochs", "2", "--out", plain, "--quiet").returncode == 0
    pd.DataFrame({"a": [np.nan], "c": ["u"], "b": [1.0]}).to_csv(tmp_path / "gap_a.csv", index=False)
    r = cmd("predict", plain, tmp_path / "gap_a.csv")
    assert r.returncode == 2 and "a missing value in 'a' on line 2" in r.stderr and "train with --impute" in r.stderr
    d.loc[5, "b"] = np.nan
    d.to_csv(csv, index=False)
    assert cmd("train", csv, "--target", "y", "--epochs", "2", "--impute", "median", "--out", model,
               "--quiet").returncode == 0
    net, extra = cr.load(model, with_extra=True)
    tabular = extra["tabular"]
    assert set(tabular["fill"]) == {"a", "b", "c"}
    from chainrule.saving.npz import save

    # as an older chainrule wrote it: a fill for "b" alone
    save(net, old, extra={**extra, "tabular": {**tabular, "fill": {"b": tabular["fill"]["b"]}}})
    pd.DataFrame({"a": [0.5], "c": ["u"], "b": [np.nan]}).to_csv(tmp_path / "gap_b.csv", index=False)
    assert cmd("predict", old, tmp_path / "gap_b.csv").stdout == cmd("predict", model, tmp_path / "gap_b.csv").stdout
    for column, gap in (("a", "gap_a.csv"), ("c", "gap_c.csv")):
        pd.DataFrame({"a": [0.5], "c": ["u"], "b": [1.0]}).assign(**{column: [np.nan]}).to_csv(tmp_path / gap,
                                                                                              index=False)
        assert cmd("predict", model, tmp_path / gap).returncode == 0
        r = cmd("predict", old, tmp_path / gap)
        assert r.returncode == 2 and f"a missing value in {column!r} on line 2" in r.stderr
        assert "trained with --impute median" in r.stderr and "train with --impute" not in r.stderr


def test_a_fill_value_past_max_categories_is_other_in_predict_and_in_the_graph(tmp_path):
    """Three values tied as most frequent, two kept: the fill value (the first of the tie, as
    SimpleImputer takes it) counts as 'other', all zeros; the export used to look it up among the kept."""
    onnx = pytest.importorskip("onnxruntime")
    csv, model, graph, new = (tmp_path / n for n in ("t.csv", "m.npz", "m.onnx", "new.csv"))
    csv.write_text("a,c,y\n1,w,x\n2,v,y\n3,u,x\n4,w,y\n5,v,x\n6,u,y\n")
    assert cmd("train", csv, "--target", "y", "--epochs", "1", "--impute", "median", "--max-categories", "2",
               "--val-split", "0", "--out", model, "--quiet").returncode == 0          # the tie: every row
    text = SimpleImputer(strategy="most_frequent").fit(pd.read_csv(csv)[["c"]].astype(object))
    assert cr.load(model, with_extra=True)[1]["tabular"]["fill"]["c"] == text.statistics_[0]
    r = cmd("export", model, graph)
    assert r.returncode == 0, r.stderr
    new.write_text("a,c\n1,\n1,u\n")
    r = cmd("predict", model, new, "--proba", "--out", tmp_path / "p.csv")
    assert r.returncode == 0, r.stderr
    want = pd.read_csv(tmp_path / "p.csv").filter(like="proba_").to_numpy()
    np.testing.assert_array_equal(want[0], want[1])
    s = onnx.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
    _, proba = s.run(None, {"a": np.array([[1.0], [1.0]]), "c": np.array([[""], ["u"]], dtype=object)})
    np.testing.assert_allclose(proba, want, rtol=1e-12, atol=1e-12)
