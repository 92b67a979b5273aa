"""`chainrule train` learns its preprocessing from the training rows alone: the rows held out for
validation (--val-split) must not shape the inputs they are scored on (scikit-learn fits its
scaler and imputer on the training rows). The oracles: scikit-learn's StandardScaler,
SimpleImputer and OneHotEncoder fitted on exactly the training rows, which conftest.training_rows
draws with NumPy as train documents them; the validation rows hold extreme values, so that a
preprocessing that saw them is far off. The same with --stream, and through the library's API
(`Preprocessing.fit(train=...)`, `CsvStream.fit(train=...)`)."""
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cli, cmd, training_rows  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.data.stream import CsvStream  # noqa: E402
from chainrule.data.tabular import Preprocessing, read_csv  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402

N = 200
STREAM = ["--stream", "--chunk-rows", "7"]



def table(n=N, seed=0, regression=False):
    """Numeric columns (gaps in 'b'), a text column, a 3-class target; the validation rows of
    --seed 0 hold values 1e4 times larger, a category and a class of their own."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(5, 2, size=n),
                       "c": rng.choice(["red", "green", "blue"], size=n)})
    val = np.setdiff1d(np.arange(n), training_rows(n))
    df.loc[val, "a"] = rng.normal(size=val.size) * 1e4 + 1e5
    df.loc[val, "b"] = 1e6
    df.loc[[3, n // 4, 3 * n // 5], "b"] = np.nan
    df.loc[val[:3], "b"] = np.nan                      # gaps in training and in validation rows
    df.loc[val[3], "c"] = "violet"                     # a category seen only in a validation row
    if regression:
        df["y"] = np.where(np.isin(np.arange(n), val), 1e7, 3 * df["a"] + rng.normal(size=n))
    else:
        df["y"] = rng.choice(["p", "q", "r"], size=n)
        df.loc[val[4], "y"] = "s"                      # a class seen only in a validation row
    return df


def trained(tmp_path, df, *more):
    path, model = tmp_path / "d.csv", tmp_path / "m.npz"
    df.to_csv(path, index=False)
    r = cmd("train", path, "--target", "y", "--hidden", "4", "--epochs", "2", "--impute", "median",
            "--out", model, *more)
    assert r.returncode == 0, r.stderr
    return cr.load(model, with_extra=True)[1]["tabular"], r


def oracles(df, rows):
    """SimpleImputer (median, most frequent), StandardScaler and OneHotEncoder fitted on df's `rows`."""
    train = df.iloc[rows]
    imputer = SimpleImputer(strategy="median").fit(train[["a", "b"]])
    scaler = StandardScaler().fit(imputer.transform(train[["a", "b"]]))
    text = SimpleImputer(strategy="most_frequent").fit(train[["c"]].astype(object))
    onehot = OneHotEncoder().fit(text.transform(train[["c"]].astype(object)))
    return imputer, scaler, text, onehot


@pytest.mark.parametrize("stream", [[], STREAM], ids=["memory", "stream"])
def test_statistics_come_from_the_training_rows(tmp_path, stream):
    df = table()
    pre, r = trained(tmp_path, df, *stream)
    imputer, scaler, text, onehot = oracles(df, training_rows(N))
    np.testing.assert_allclose(pre["means"], scaler.mean_, rtol=1e-12)
    np.testing.assert_allclose(pre["scales"], scaler.scale_, rtol=1e-12)
    np.testing.assert_allclose([pre["fill"]["a"], pre["fill"]["b"]], imputer.statistics_, rtol=1e-12)
    assert pre["fill"]["c"] == text.statistics_[0]
    assert pre["categories"]["c"] == list(onehot.categories_[0])          # no 'violet'
    assert abs(pre["means"][0]) < 1 and pre["scales"][1] < 10             # the extreme values left no trace
    # the class seen only in a validation row has its output; its category is said to be unseen
    assert pre["classes"] == ["p", "q", "r", "s"]
    assert "column 'c' has 1 value unseen in training, encoded as all zeros: ['violet']" in r.stderr
    assert "160 training and 40 validation rows" in r.stderr


def test_stream_gives_the_preprocessing_and_the_output_of_the_table_in_memory(tmp_path):
    df = table()
    memory, a = trained(tmp_path, df)
    streamed, b = trained(tmp_path, df, *STREAM)
    assert streamed.keys() == memory.keys()
    for key, value in memory.items():
        if key in ("means", "scales"):
            np.testing.assert_allclose(streamed[key], value, rtol=1e-13)
        else:
            assert streamed[key] == value, key
    assert b.stdout.replace("m.npz", "") == a.stdout.replace("m.npz", "")
    shown = [s for s in a.stderr.splitlines() if not s.startswith(("read ", "epoch "))]
    assert [s for s in b.stderr.splitlines() if not s.startswith(("read ", "epoch "))] == shown


@pytest.mark.parametrize("stream", [[], STREAM], ids=["memory", "stream"])
def test_regression_target_mean_and_scale_come_from_the_training_rows(tmp_path, stream):
    df = table(regression=True)
    pre, _ = trained(tmp_path, df, *stream)
    y = StandardScaler().fit(df[["y"]].iloc[training_rows(N)])
    assert pre["task"] == "regression"
    assert pre["y_mean"] == pytest.approx(y.mean_[0], rel=1e-12)
    assert pre["y_scale"] == pytest.approx(y.scale_[0], rel=1e-12)
    assert abs(pre["y_mean"]) < 1e3                    # not pulled towards the validation rows' 1e7


@pytest.mark.parametrize("seed", ["3", "11"])
def test_another_seed_draws_other_training_rows(tmp_path, seed):
    df = table()
    pre, _ = trained(tmp_path, df, "--seed", seed, "--val-split", "0.3")
    _, scaler, _, _ = oracles(df, training_rows(N, 0.3, int(seed)))
    np.testing.assert_allclose(pre["means"], scaler.mean_, rtol=1e-12)
    np.testing.assert_allclose(pre["scales"], scaler.scale_, rtol=1e-12)


@pytest.mark.parametrize("stream", [[], STREAM], ids=["memory", "stream"])
def test_val_split_0_learns_from_every_row(tmp_path, stream):
    df = table()
    pre, r = trained(tmp_path, df, "--val-split", "0", *stream)
    imputer, scaler, text, onehot = oracles(df, np.arange(N))
    np.testing.assert_allclose(pre["means"], scaler.mean_, rtol=1e-12)
    np.testing.assert_allclose(pre["scales"], scaler.scale_, rtol=1e-12)
    np.testing.assert_allclose([pre["fill"]["a"], pre["fill"]["b"]], imputer.statistics_, rtol=1e-12)
    assert pre["categories"]["c"] == list(onehot.categories_[0]) and "violet" in pre["categories"]["c"]
    assert "unseen" not in r.stderr


@pytest.mark.parametrize("stream", [[], STREAM], ids=["memory", "stream"])
def test_warnings_about_columns_still_look_at_every_row(tmp_path, stream):
    """A row number is consecutive over every row, not over the training rows: still warned; a
    capped text column's count is said to be the training rows'."""
    df = table()
    df.insert(0, "row", np.arange(N))
    df["code"] = [f"k{i % 37}" for i in range(N)]
    path = tmp_path / "d.csv"
    df.to_csv(path, index=False)
    r = cli("train", path, "--target", "y", "--impute", "median", "--epochs", "1", "--max-categories", "30",
            "--out", tmp_path / "m.npz", *stream)
    assert r.returncode == 0, r.stderr
    said = [s for s in r.stderr.splitlines() if s.startswith("chainrule: warning:")]
    assert said[0] == ("chainrule: warning: column 'row' has a different value on each of the 200 rows (an ID or "
                       "row number?); it is used as a feature, which cannot generalise: leave it out with --drop 'row'")
    codes = df["code"].iloc[training_rows(N)]
    counts = codes.value_counts()
    assert said[1].startswith(f"chainrule: warning: column 'code' has {codes.nunique()} different values in the "
                              f"training rows; the 30 most frequent are kept as categories and the other "
                              f"{codes.nunique() - 30} ({counts.iloc[30:].sum()} rows) count as 'other'")


@pytest.mark.parametrize("stream", [[], STREAM], ids=["memory", "stream"])
def test_a_column_with_values_only_in_validation_rows_is_refused(tmp_path, stream):
    df = table()
    df["d"] = np.nan
    val = np.setdiff1d(np.arange(N), training_rows(N))
    df.loc[val, "d"] = 1.0
    path = tmp_path / "d.csv"
    df.to_csv(path, index=False)
    r = cmd("train", path, "--target", "y", "--impute", "mean", "--out", tmp_path / "m.npz", *stream)
    assert r.returncode != 0
    assert ("column 'd' has no values in the training rows (its values are all in the rows held out for validation); "
            "leave it out (chainrule train --drop 'd'), or fill it in") in r.stderr


def mask_of(n, rows):
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask


@pytest.mark.parametrize("impute", ["mean", "median", "most_frequent"])
def test_the_api_fits_on_a_mask_in_memory_and_streamed_alike(tmp_path, impute):
    """`Preprocessing.fit(df, train=mask)` equals fitting on df's training rows for the statistics;
    `CsvStream.fit(train=mask)` (the mask a memmap, as train --stream gives it) equals it."""
    df = table(300, seed=5)
    df.to_csv(tmp_path / "d.csv", index=False)
    rows = np.sort(np.random.default_rng(1).permutation(300)[:210])
    mask = mask_of(300, rows)
    on_disk = np.memmap(tmp_path / "mask.bin", dtype=bool, mode="w+", shape=(300,))
    on_disk[:] = mask
    table_read = read_csv(tmp_path / "d.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pre = Preprocessing.fit(table_read, "y", impute=impute, train=mask)
        alone = Preprocessing.fit(table_read.iloc[rows].reset_index(drop=True), "y", impute=impute)
        with CsvStream(tmp_path / "d.csv", rows=13) as stream:
            streamed = stream.fit("y", impute=impute, train=on_disk)
    for key in ("numeric", "text", "categories", "fill", "other"):
        assert pre.to_json()[key] == alone.to_json()[key], key
        if key != "fill":
            assert streamed.to_json()[key] == pre.to_json()[key], key
    assert streamed.fill.keys() == pre.fill.keys() and streamed.fill["c"] == pre.fill["c"]
    for c in ("a", "b"):                                 # a mean merged chunk by chunk: equal to rounding
        assert streamed.fill[c] == pytest.approx(pre.fill[c], rel=1e-13)
    np.testing.assert_allclose(pre.means, alone.means, rtol=1e-13)
    np.testing.assert_allclose(streamed.means, pre.means, rtol=1e-13)
    np.testing.assert_allclose(streamed.scales, pre.scales, rtol=1e-13)
    assert pre.classes == streamed.classes == ["p", "q", "r", "s"]      # every row's classes
    np.testing.assert_array_equal(pre.encode_target(table_read), np.searchsorted(pre.classes, table_read["y"]))


def test_a_mask_that_does_not_fit_the_table_is_refused(tmp_path):
    df = table(50)
    df.to_csv(tmp_path / "d.csv", index=False)
    with pytest.raises(ValidationError, match="train must be a boolean mask of the table's 50 rows; got shape"):
        Preprocessing.fit(read_csv(tmp_path / "d.csv"), "y", impute="mean", train=np.ones(49, dtype=bool))
    with pytest.raises(ValidationError, match="marks none of the table's 50 rows"):
        Preprocessing.fit(read_csv(tmp_path / "d.csv"), "y", impute="mean", train=np.zeros(50, dtype=bool))
    with CsvStream(tmp_path / "d.csv", rows=7) as stream:
        with pytest.raises(ValidationError, match="train must be a boolean mask of the file's 50 rows"):
            stream.fit("y", impute="mean", train=np.arange(50))
