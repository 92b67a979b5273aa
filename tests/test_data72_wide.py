"""Wide CSV files read in chunks (`CsvStream.fit`'s first pass reads a chunk's numeric columns as one block,
`scanblock.scan_chunk`): the statistics and the encoded inputs are pandas' on the whole table, and a column is
read alone (a Series, its own isna and to_numpy) only where it must be: the target, a text column, a column with
an infinite value (its message). The oracle is pandas: its mean and population std, and (x - mean) / std."""
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from chainrule.data import scan as scan_module  # noqa: E402
from chainrule.data.stream import CsvStream  # noqa: E402
from chainrule.data.tabular import Preprocessing  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402


def wide_table(n=240, m=300, seed=0):
    """m numeric columns on scales from 1e-3 to 1e3 (some of whole numbers, some with gaps, one whose gaps fill a
    whole chunk), a text column in the middle, a numeric target."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, m)) * 10.0 ** rng.integers(-3, 4, size=m) + rng.integers(-5, 5, size=m),
                      columns=[f"x{j}" for j in range(m)])
    for j in range(0, m, 7):
        df[f"x{j}"] = rng.integers(-20, 20, size=n)
    for j in range(3, m, 11):
        df.loc[rng.choice(n, 4, replace=False), f"x{j}"] = np.nan
    df.loc[:40, "x5"] = np.nan                      # a chunk of 37 rows with no value at all
    df.insert(m // 2, "colour", rng.choice(["red", "green", "blue"], size=n))
    df["y"] = rng.normal(size=n)
    return df


@pytest.fixture(scope="module")
def wide_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("data72") / "wide.csv"
    wide_table().to_csv(path, index=False)
    return path


def streamed(path, rows, **kwargs):
    with CsvStream(path, rows=rows) as stream:
        pre = stream.fit("y", task="regression", impute="mean", **kwargs)
        X, y = stream.encode()
        X = X.toarray() if hasattr(X, "toarray") else np.array(X)
        return pre, X, np.array(y).ravel()


@pytest.mark.parametrize("rows", [37, 100, 10_000])
def test_wide_file_means_stds_and_inputs_are_pandas(wide_csv, rows):
    """Guards what already worked (the columns were read one at a time): the means and stds of every numeric column,
    in the file's order, are pandas' over the whole table (population std, gaps left out as pandas leaves them),
    and the encoded inputs are (x - mean) / std with the gaps at the mean, then the text column's one-hot codes."""
    df = pd.read_csv(wide_csv)
    pre, X, y = streamed(wide_csv, rows)
    numeric = [c for c in df.columns if c not in ("colour", "y")]
    assert pre.numeric == numeric and pre.text == ["colour"]
    filled = df[numeric].fillna(df[numeric].mean())          # impute='mean': the gaps at the mean, then the std
    np.testing.assert_allclose(pre.means, df[numeric].mean().to_numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(pre.scales, filled.std(ddof=0).to_numpy(), rtol=1e-12)
    want = ((filled - filled.mean()) / filled.std(ddof=0)).to_numpy()
    np.testing.assert_allclose(X[:, :len(numeric)], want, rtol=1e-9, atol=1e-12)
    colours = df["colour"].to_numpy()
    np.testing.assert_array_equal(X[:, len(numeric):], colours[:, None] == np.array(pre.categories["colour"]))
    np.testing.assert_allclose(y, ((df["y"] - df["y"].mean()) / df["y"].std(ddof=0)).to_numpy(), rtol=1e-9,
                               atol=1e-12)


def test_wide_file_streamed_equals_the_table_in_memory(wide_csv):
    """Guards what already worked: one chunk holding the whole file gives the preprocessing that
    `Preprocessing.fit` learns from the table in memory (its means and spreads to rounding: pandas sums otherwise)."""
    df = pd.read_csv(wide_csv)
    pre, X, _ = streamed(wide_csv, 10_000)
    whole = Preprocessing.fit(df, "y", task="regression", impute="mean")
    assert pre.numeric == whole.numeric and pre.categories == whole.categories and pre.fill.keys() == whole.fill.keys()
    np.testing.assert_allclose(pre.means, whole.means, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(pre.scales, whole.scales, rtol=1e-13)


def test_training_rows_and_weights_are_numpys_weighted_statistics(wide_csv):
    """Guards what already worked: with a mask of training rows and a weight column, each numeric column's mean is
    NumPy's weighted one over its training rows of weight above 0, its gaps left out, and its std that of those rows
    with the gaps at the mean (impute='mean')."""
    df = pd.read_csv(wide_csv)
    rng = np.random.default_rng(4)
    w = rng.integers(0, 4, size=len(df)).astype(float)
    path = wide_csv.parent / "weighted.csv"
    df.assign(w=w).to_csv(path, index=False)
    train = np.arange(len(df)) % 4 != 1
    numeric = [c for c in df.columns if c not in ("colour", "y")]
    with CsvStream(path, rows=29) as stream:
        pre = stream.fit("y", task="regression", impute="mean", train=train,
                         keep=("w", lambda cells, line: pd.to_numeric(cells).to_numpy(np.float64)))
    for j, c in enumerate(numeric):
        x = df[c].to_numpy()
        use = train & (w > 0) & ~np.isnan(x)
        mean = np.average(x[use], weights=w[use])
        assert pre.means[j] == pytest.approx(mean, rel=1e-11, abs=1e-12), c
        rows = train & (w > 0)
        filled = np.where(np.isnan(x), mean, x)[rows]
        assert pre.scales[j] == pytest.approx(np.sqrt(np.average((filled - mean) ** 2, weights=w[rows])), rel=1e-11), c


def test_a_column_is_read_alone_only_where_it_must_be(wide_csv, monkeypatch):
    """Fails before: every column of every chunk was read alone (`ColumnScan.update`: a Series, its isna, its
    to_numpy), 302 reads a chunk for 300 numeric columns; now the numeric columns are read as one block, and alone
    only the target (its values counted: the task is left to tell) and the text column."""
    reads: list[str] = []
    update = scan_module.ColumnScan.update

    def counted(self, col, *args, **kwargs):
        reads.append(self.name)
        return update(self, col, *args, **kwargs)
    monkeypatch.setattr(scan_module.ColumnScan, "update", counted)
    with CsvStream(wide_csv, rows=100) as stream:
        stream.fit("y", impute="mean")
    chunks = 3                                   # 240 rows in chunks of 100
    assert sorted(set(reads)) == ["colour", "y"]
    assert len(reads) == 2 * chunks


def mixed_table(n=90):
    """Columns whose chunks differ: whole numbers then a decimal late, numbers then text late (read again as text,
    as pandas reads the whole column), booleans, a column of consecutive integers (an ID)."""
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"a": rng.normal(size=n), "late_decimal": rng.integers(0, 9, size=n).astype(object),
                       "late_text": rng.integers(0, 5, size=n).astype(object), "flag": rng.random(n) < 0.5,
                       "row": np.arange(n) + 100, "b": rng.normal(size=n) * 1e3})
    df.loc[n - 4, "late_decimal"] = 2.5
    df.loc[20:, "late_text"] = rng.choice(["low", "mid", "high"], size=n - 20)
    df["y"] = np.where(df["a"] > 0, "up", "down")
    return df


@pytest.mark.parametrize("rows", [11, 45, 1000])
def test_mixed_text_and_number_file_is_the_table_in_memory(tmp_path, rows):
    """Guards what already worked: a file of numbers, text and booleans whose chunks are typed differently gives
    the preprocessing and the inputs of the table read whole by pandas (the same columns in the same order, means
    and stds to rounding, the same categories, the ID column told)."""
    path = tmp_path / "mixed.csv"
    mixed_table().to_csv(path, index=False)
    df = pd.read_csv(path)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        whole = Preprocessing.fit(df, "y")
    with CsvStream(path, rows=rows) as stream:
        with warnings.catch_warnings(record=True) as streamed_said:
            warnings.simplefilter("always")
            pre = stream.fit("y")
        X, y = stream.encode()
        X = X.toarray() if hasattr(X, "toarray") else np.array(X)
    assert (pre.numeric, pre.text, pre.categories, pre.classes) == \
        (whole.numeric, whole.text, whole.categories, whole.classes)
    def told(caught):                                # the warnings up to their advice (a stream has no DataFrame)
        return [str(w.message).split(": leave it out")[0] for w in caught]
    assert told(streamed_said) == told(said) == ["column 'row' has a different value on each of the 90 rows (an ID "
                                                 "or row number?); it is used as a feature, which cannot generalise"]
    assert pre.numeric == ["a", "late_decimal", "row", "b"] and pre.text == ["late_text", "flag"]
    np.testing.assert_allclose(pre.means, df[pre.numeric].mean().to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(pre.scales, df[pre.numeric].std(ddof=0).to_numpy(), rtol=1e-12)
    want = whole.transform(df, sparse=False)
    np.testing.assert_allclose(X, want, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(np.ravel(y), (df["y"] == "up").to_numpy())     # classes ['down', 'up']


def test_infinite_values_in_two_columns_name_the_first_column(tmp_path):
    """Guards what already worked: the first column in the file's order with an infinite value is named, with its
    line and the cell as written, though the columns around it are read as one block."""
    df = wide_table(n=60, m=40)
    df = df.astype({"x9": object, "x30": object})
    df.loc[50, "x30"] = "inf"
    df.loc[55, "x9"] = "-Infinity"
    path = tmp_path / "inf.csv"
    df.to_csv(path, index=False)
    with CsvStream(path, rows=20) as stream:
        with pytest.raises(ValidationError, match=r"column 'x9' has an infinite value on line 57 \('-Infinity'\)"):
            stream.fit("y", task="regression", impute="mean")


def test_an_empty_chunk_is_counted_as_each_column_read_alone():
    """Fails before: a chunk of no row (its numeric columns a block of 0 rows) raised NumPy's 'zero-size array to
    reduction operation fmin which has no identity'; now each column is counted as `ColumnScan.update` counts it
    alone: no row, no gap, no type (pandas reads an empty chunk of any column as float)."""
    from chainrule.data.scan import ColumnScan
    from chainrule.data.scanblock import scan_chunk
    chunk = pd.DataFrame({"a": np.array([], np.float64), "b": np.array([], np.int64), "y": np.array([], np.float64)})
    blocked = [ColumnScan("y", count_values=True), ColumnScan("a"), ColumnScan("b")]
    scan_chunk(chunk, blocked, 2, None, None)
    alone = [ColumnScan("y", count_values=True), ColumnScan("a"), ColumnScan("b")]
    for scan in alone:
        scan.update(chunk[scan.name], 2)
    for got, want in zip(blocked, alone):
        assert (got.rows, got.missing, got.kinds, got.kind) == (want.rows, want.missing, want.kinds, want.kind) \
            == (0, 0, set(), "float")
