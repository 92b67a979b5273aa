"""The CSV preprocessing at the size practitioners have: one-hot columns as CSR, numbers in the
network's dtype, rows in any order without copies. The oracle is scikit-learn's pipeline
(SimpleImputer + StandardScaler, OneHotEncoder(handle_unknown="ignore")) on the same table.
Memory and time are measured by benchmarks/tabular.py, not here."""
import io
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
sp = pytest.importorskip("scipy.sparse")
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.data.progress import Progress  # noqa: E402
from chainrule.data.tabular import Preprocessing, UnseenCategoryWarning  # noqa: E402


def table(n=600, seed=0):
    """Covertype-like: numeric columns on mixed scales with gaps, text columns of 3 to 80 values."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({f"num{j}": rng.normal(size=n) * 10.0 ** (j - 2) + j for j in range(5)})
    for name, k in (("soil", 3), ("area", 12), ("zone", 80)):
        df[name] = rng.choice([f"{name}_{i}" for i in range(k)], size=n)
    df.loc[[4, 17, 90], "num1"] = np.nan
    df.loc[[8, 33], "area"] = None
    df["cover"] = np.where(df["num0"] > 0, "spruce", np.where(df["soil"] == "soil_1", "pine", "aspen"))
    return df


def oracle(pre, df):
    """scikit-learn's encoding of the same table with the preprocessing's own categories."""
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    text = make_pipeline(SimpleImputer(strategy="most_frequent"),
                         OneHotEncoder(categories=[pre.categories[c] for c in pre.text], handle_unknown="ignore"))
    ct = ColumnTransformer([("num", numeric, pre.numeric), ("text", text, pre.text)], sparse_threshold=1.0)
    fit_df = df.astype({c: object for c in pre.text})
    return ct.fit(fit_df).transform(fit_df)


@pytest.fixture(scope="module")
def fitted():
    df = table()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")            # the capped column's warning
        pre = Preprocessing.fit(df, "cover", impute="median", max_categories=50)
    return df, pre


def test_transform_is_csr_equal_to_scikit_learns_pipeline(fitted):
    df, pre = fitted
    X = pre.transform(df)
    assert sp.issparse(X) and X.format == "csr" and X.dtype == np.float64
    want = oracle(pre, df)
    assert sp.issparse(want)
    np.testing.assert_allclose(X.toarray(), want.toarray(), rtol=1e-12, atol=1e-12)
    # numeric values and one 1 per text column, but none for the capped column's 'other' rows
    codes_zone = df["zone"].isin(pre.categories["zone"]).to_numpy()
    assert pre.other == {"zone": 30}
    assert X.nnz == len(df) * (len(pre.numeric) + len(pre.text)) - int((~codes_zone).sum())
    assert X.has_sorted_indices and X.indices.dtype == np.int32


def test_dense_and_float32_and_row_order(fitted):
    df, pre = fitted
    X = pre.transform(df)
    dense = pre.transform(df, sparse=False)
    assert isinstance(dense, np.ndarray)
    np.testing.assert_array_equal(dense, X.toarray())
    X32 = pre.transform(df, dtype="float32")
    assert X32.dtype == np.float32
    np.testing.assert_array_equal(X32.toarray(), X.toarray().astype(np.float32))
    order = np.random.default_rng(1).permutation(len(df))
    np.testing.assert_array_equal(pre.transform(df, rows=order).toarray(), X.toarray()[order])
    np.testing.assert_array_equal(pre.transform(df, rows=order[:7], sparse=False), dense[order[:7]])
    with pytest.raises(cr.errors.ValidationError, match="rows must be row positions"):
        pre.transform(df, rows=np.array([0, len(df)]))
    with pytest.raises(cr.errors.ValidationError, match="dtype must be"):
        pre.transform(df, dtype="int8")


def test_numeric_only_table_stays_dense():
    df = table()[["num0", "num2", "cover"]]
    pre = Preprocessing.fit(df, "cover")
    X = pre.transform(df)
    assert isinstance(X, np.ndarray) and X.shape == (len(df), 2)
    np.testing.assert_allclose(X, StandardScaler().fit_transform(df[["num0", "num2"]]), rtol=1e-12, atol=1e-12)


def test_unseen_values_are_zeros_with_one_warning_and_gaps_named(fitted):
    df, pre = fitted
    new = df.head(20).copy()
    new.loc[[2, 5], "soil"] = ["peat", "clay"]
    with pytest.warns(UnseenCategoryWarning, match=r"column 'soil' has 2 values unseen in training.*'clay', 'peat'"):
        X = pre.transform(new)
    soil = slice(len(pre.numeric), len(pre.numeric) + len(pre.categories["soil"]))
    assert X.toarray()[[2, 5], soil].sum() == 0 and X.toarray()[0, soil].sum() == 1
    np.testing.assert_array_equal(np.delete(X.toarray(), [2, 5], axis=0),
                                  np.delete(pre.transform(df.head(20)).toarray(), [2, 5], axis=0))
    strict = Preprocessing.fit(df.dropna(), "cover", max_categories=None)
    gaps = df.dropna().head(10).reset_index(drop=True)
    gaps.loc[[3, 6], "num0"] = np.nan
    with pytest.raises(cr.errors.ValidationError, match=r"missing values in 'num0' on rows 3 and 6; the model was "):
        strict.transform(gaps)
    gaps = df.dropna().head(10).reset_index(drop=True).astype({"num2": object})
    gaps.loc[4, "num2"] = "lots"
    with pytest.raises(cr.errors.ValidationError, match="column 'num2' must be numeric; row 4 has 'lots'"):
        strict.transform(gaps)


def test_target_codes_vectorized_equal_the_classes_order(fitted):
    df, pre = fitted
    y = pre.encode_target(df)
    assert pre.classes == ["aspen", "pine", "spruce"]
    np.testing.assert_array_equal(y, [pre.classes.index(v) for v in df["cover"]])
    ints = pd.DataFrame({"x": np.linspace(0, 1, 30), "label": np.arange(30) % 3 + 5})
    p2 = Preprocessing.fit(ints, "label")
    np.testing.assert_array_equal(p2.encode_target(ints), np.arange(30) % 3)


def test_training_on_the_csr_equals_training_on_the_dense_table(fitted):
    df, pre = fitted
    y = pre.encode_target(df)
    order = np.random.default_rng(2).permutation(len(df))
    params = []
    for sparse in (True, False):
        X = pre.transform(df, sparse=sparse, rows=order)
        net = cr.Network([cr.Dense(pre.n_features, 16, "relu"), cr.Dense(16, 3, "softmax")],
                         loss="categorical_crossentropy", seed=0)
        h = net.fit(X, y[order], epochs=5, batch_size=32, validation_split=0.2, seed=4, verbose=0,
                    optimizer=cr.optim.Adam(0.01))
        params.append(net.params.copy())
        assert h.history["val_accuracy"][-1] > 0.8
    np.testing.assert_allclose(params[0], params[1], rtol=1e-12, atol=1e-12)


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_line_only_for_long_work():
    quiet = io.StringIO()
    with Progress("reading", stream=quiet, after=60) as p:
        p.update(1)
    assert quiet.getvalue() == ""
    assert not p._timer.is_alive()                 # no thread outlives the block (the command's quick exit)
    log = io.StringIO()
    with Progress("preprocessing", total=4, unit="columns", stream=log, after=0.0) as p:
        p._timer.join()                            # the timer has fired: the line is out
        p.update(2)
    lines = log.getvalue().splitlines()
    assert lines[0] == "preprocessing ..." and lines[1].startswith("preprocessing: done in ")
    term = FakeTerminal()
    with Progress("preprocessing", total=4, unit="columns", stream=term, after=0.0) as p:
        p._timer.join()
        p._last = 0.0
        p.update(3)
    assert "preprocessing: 3 of 4 columns (75%)" in term.getvalue() and term.getvalue().endswith(" s\n")


def test_chunks_of_a_file_encode_as_the_whole_file_and_name_the_files_lines(fitted, tmp_path):
    from chainrule.data.chunks import iter_chunks
    from chainrule.data.csvfile import read_csv
    df, pre = fitted
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False, sep=";")
    whole = pre.transform(read_csv(path))
    parts = list(iter_chunks(path, rows=250, text_columns=pre.text))
    assert [len(p) for p in parts] == [250, 250, 100] and parts[0].attrs["csv"]["sep"] == ";"
    np.testing.assert_array_equal(sp.vstack([pre.transform(p) for p in parts]).toarray(), whole.toarray())
    strict = Preprocessing.fit(df.dropna(), "cover", max_categories=None)
    bad = df.dropna().reset_index(drop=True)
    bad.loc[400, "num3"] = np.nan                       # file line 402, in the second chunk
    bad.to_csv(path, index=False)
    chunks = iter_chunks(path, rows=250, text_columns=pre.text)
    strict.transform(next(chunks))
    with pytest.raises(cr.errors.ValidationError, match="a missing value in 'num3' on line 402;"):
        strict.transform(next(chunks))
    with pytest.raises(cr.errors.ValidationError, match="does not exist"):
        next(iter_chunks(tmp_path / "nope.csv"))


@pytest.mark.parametrize("block", [7, 1 << 16])
def test_rows_left_short_are_closed_up_in_place(monkeypatch, block):
    """Values are written as a grid (one per column, a block of rows at a time, a few numeric
    columns at a time) and rows that leave a category out (unseen in training, or 'other' past the
    cap, in any text column, several in one row, the first and last rows too) are closed up in
    blocks of rows (encode._close_up), also across block borders: the same matrix as the dense
    encoding and as scikit-learn's, in each dtype and row order."""
    from chainrule.data import encode
    monkeypatch.setattr(encode, "CLOSE_UP_ROWS", block)
    monkeypatch.setattr(encode, "GRID_ROWS", 11 if block == 7 else 4096)
    monkeypatch.setattr(encode, "NUMERIC_AT_ONCE", 3 if block == 7 else 4)
    df = table(n=300, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")            # the capped column's warning
        capped = Preprocessing.fit(df, "cover", impute="median", max_categories=30)
    full = Preprocessing.fit(df, "cover", impute="median", max_categories=None)
    new = df.copy()
    new.loc[[0, 5, 6, 299], "soil"] = "peat"               # unseen: left out of these rows
    new.loc[[5, 150, 299], "area"] = "dune"
    order = np.random.default_rng(2).permutation(len(df))
    for pre, frame, short in ((full, df, 0), (capped, df, None), (capped, new, None), (full, new, 7)):
        for rows in (None, order):
            for dtype in ("float64", "float32"):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UnseenCategoryWarning)
                    X = pre.transform(frame, dtype=dtype, rows=rows)
                    dense = pre.transform(frame, dtype=dtype, rows=rows, sparse=False)
                per_row = len(pre.numeric) + len(pre.text)
                assert X.has_sorted_indices and X.dtype == np.dtype(dtype) and X.indices.dtype == np.int32
                assert (np.diff(X.indptr) <= per_row).all() and (short is None or X.nnz == len(df) * per_row - short)
                np.testing.assert_array_equal(X.toarray(), dense)
                want = oracle(pre, frame).toarray()
                tol = 1e-6 if dtype == "float32" else 1e-12
                np.testing.assert_allclose(X.toarray(), want if rows is None else want[rows], rtol=tol, atol=tol)
