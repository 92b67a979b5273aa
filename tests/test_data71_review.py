"""An empty column under --impute says why imputing cannot fill it; a '?' among class labels is warned with its
--na-values; columns named True, False, 1 or nan are names in a file, and a DataFrame's boolean or twin labels
are refused before pandas takes them for a mask."""
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import cmd

from chainrule.data.columns import ColumnWarning
from chainrule.data.stream import CsvStream
from chainrule.data.tabular import Preprocessing
from chainrule.errors import ValidationError

EMPTY = "a,b,y\n" + "".join(f"{i * 0.5},,{i % 2}\n" for i in range(12))


@pytest.mark.parametrize("stream", [False, True])
def test_an_empty_column_under_impute_says_imputing_has_nothing_to_fill_from(tmp_path, stream):
    (tmp_path / "e.csv").write_text(EMPTY)
    assert pd.read_csv(tmp_path / "e.csv")["b"].isna().all()              # pandas: a column of NaN only
    out = cmd("train", "e.csv", "--target", "y", "--impute", "median", "--epochs", "1", "--out", "m.npz",
              *(["--stream"] if stream else []), cwd=tmp_path)
    assert out.returncode != 0
    assert ("column 'b' has no values at all; --impute median cannot fill it: a column's gaps are filled from its "
            "own values, and it has none; leave it out (chainrule train --drop 'b'") in out.stderr
    assert cmd("train", "e.csv", "--target", "y", "--impute", "median", "--epochs", "1", "--out", "m.npz",
               "--drop", "b", *(["--stream"] if stream else []), cwd=tmp_path).returncode == 0


def test_an_empty_column_under_impute_in_python_names_the_argument(tmp_path):
    (tmp_path / "e.csv").write_text(EMPTY)
    with pytest.raises(ValidationError, match=r"impute='mean' cannot fill it: .*df\.drop\(columns=\['b'\]\)"):
        Preprocessing.fit(pd.read_csv(tmp_path / "e.csv"), "y", impute="mean")
    with pytest.raises(ValidationError, match=r"impute='mean' cannot fill it: .*fit\(columns=\[\.\.\.\]\) without"):
        CsvStream(tmp_path / "e.csv").fit(target="y", impute="mean")


def uci(tmp_path):
    rows = "".join(f"{i * 0.1:.1f},{'?' if i in (5, 17) else ('yes', 'no')[i % 2]}\n" for i in range(40))
    (tmp_path / "q.csv").write_text("a,y\n" + rows)
    return tmp_path / "q.csv"


@pytest.mark.parametrize("stream", [False, True])
def test_a_question_mark_among_class_labels_is_warned_with_na_values(tmp_path, stream):
    path = uci(tmp_path)
    assert "?" in set(pd.read_csv(path)["y"])                       # pandas keeps it: a third class
    out = cmd("train", "q.csv", "--target", "y", "--epochs", "1", "--out", "m.npz",
              *(["--stream"] if stream else []), cwd=tmp_path)
    assert out.returncode == 0
    assert ("target column 'y' has '?' among its labels, a common marker of a missing value (as in UCI's data sets), "
            "learnt as a class of its own: if it marks an unknown label, give --na-values '?'") in out.stderr
    followed = cmd("train", "q.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--na-values", "?",
                   *(["--stream"] if stream else []), cwd=tmp_path)
    assert "has missing values on lines 7 and 19" in followed.stderr     # the rows it names, as the warning said


def test_a_question_mark_label_in_python_names_read_csvs_argument(tmp_path):
    df = pd.read_csv(uci(tmp_path))
    with pytest.warns(ColumnWarning, match=r"read the file with na_values=\['\?'\] \(read_csv"):
        Preprocessing.fit(df, "y")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Preprocessing.fit(df[df["y"] != "?"], "y")                    # no '?': nothing said


NAMES = ["True", "False", "1", "nan", "NA", "None"]


def named(tmp_path):
    rows = "".join(f"{i * 0.1:.1f},{i % 5},{i % 3},{i * 0.5},{i % 4},{i % 7},{('a', 'b')[i % 2]}\n" for i in range(30))
    (tmp_path / "h.csv").write_text(",".join(NAMES) + ",y\n" + rows)
    return tmp_path / "h.csv"


@pytest.mark.parametrize("stream", [False, True])
def test_columns_named_like_values_are_names_everywhere(tmp_path, stream):
    path = named(tmp_path)
    assert list(pd.read_csv(path).columns) == [*NAMES, "y"]               # pandas: the header is names, as text
    more = ["--stream"] if stream else []
    assert cmd("train", "h.csv", "--target", "nan", "--features", "True,1,None", "--epochs", "1", "--out", "m.npz",
               *more, cwd=tmp_path).returncode == 0
    out = cmd("info", "m.npz", cwd=tmp_path)
    assert "'nan'" in out.stdout and "['True', '1', 'None']" in out.stdout, out.stdout
    pred = cmd("predict", "m.npz", "h.csv", "--id", "False", "--out", "p.csv", cwd=tmp_path)
    assert pred.returncode == 0, pred.stderr
    written = pd.read_csv(tmp_path / "p.csv", keep_default_na=False)
    assert list(written.columns) == ["False", "prediction"]
    assert written["False"].tolist() == pd.read_csv(tmp_path / "h.csv")["False"].tolist()


@pytest.mark.parametrize("labels, said", [
    ([True, 1, "y"], "column label True is a boolean, which pandas takes as a mask"),
    ([True, False, "y"], "column labels True, False are booleans"),
    ([1.0, 1, "y"], "column labels 1.0 and 1 are one value to Python"),
])
def test_a_dataframes_boolean_or_twin_labels_are_refused(labels, said):
    df = pd.DataFrame(np.c_[np.arange(10.0), np.arange(10.0) % 3, np.arange(10) % 2], columns=labels)
    with pytest.raises(ValidationError, match=said + r".*df\.columns = df\.columns\.map\(str\)"):
        Preprocessing.fit(df, "y")
    df.columns = df.columns.map(str)                          # the advice followed: both columns are inputs
    assert Preprocessing.fit(df, "y").numeric == [str(c) for c in labels[:2]]


def test_integer_labels_still_fit():
    df = pd.DataFrame(np.c_[np.arange(10.0), np.arange(10.0) % 3, np.arange(10) % 2])    # pd.DataFrame(X)'s 0, 1, 2
    assert Preprocessing.fit(df, 2).numeric == [0, 1]


def wide(n=60, p=2000, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, p)) * 10 + 3, columns=[f"c{i}" for i in range(p)])
    df["c7"] = rng.integers(0, 5, n)                                     # int64 and bool columns too
    df["c8"] = rng.integers(0, 2, n).astype(bool)
    df["y"] = np.arange(n) % 2
    return df


def test_a_wide_transform_reads_the_columns_as_a_block_and_equals_sklearn(monkeypatch):
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import StandardScaler

    import chainrule.data.encode as encode
    df = wide()
    df.loc[3, "c11"] = np.nan                                         # a gap: filled, read alone
    pre = Preprocessing.fit(df, "y", impute="mean", warn=False)
    read = []
    alone = encode.as_numbers
    monkeypatch.setattr(encode, "as_numbers", lambda raw, how=None: read.append(raw.name) or alone(raw, how))
    X = pre.transform(df, sparse=False)
    assert read == ["c11"]                            # not one pandas reading a column: 2000 cost seconds
    features = df[pre.numeric].astype(float)
    truth = StandardScaler().fit_transform(SimpleImputer(strategy="mean").fit_transform(features))
    np.testing.assert_allclose(X[:, :len(pre.numeric)], truth, rtol=1e-12, atol=1e-12)
    rows = np.array([5, 0, 59])
    np.testing.assert_array_equal(pre.transform(df, sparse=False, rows=rows), X[rows])


@pytest.mark.parametrize("sparse", [False, True])
def test_a_wide_transforms_messages_name_the_first_column_in_order(sparse):
    df = wide()
    df["t"] = ["a", "b"] * 30                                          # a text column: the CSR path
    pre = Preprocessing.fit(df, "y", warn=False)
    bad = df.copy()
    bad.loc[9, "c900"], bad.loc[4, "c1500"] = np.inf, np.nan
    with pytest.raises(ValidationError, match=r"column 'c900' has an infinite value on row 9"):
        pre.transform(bad, sparse=sparse)
    bad.loc[9, "c900"] = 1.0
    with pytest.raises(ValidationError, match=r"missing value in 'c1500'"):
        pre.transform(bad, sparse=sparse)
    bad.loc[4, "c1500"], bad.loc[2, "c1999"] = 1.0, 1e300
    with pytest.raises(ValidationError, match=r"column 'c1999' has a value too large for the model's float32"):
        pre.transform(bad, dtype="float32", sparse=sparse)
    got = pre.transform(df, sparse=sparse)
    dense = got.toarray() if sparse else got
    numbers = df[pre.numeric].astype(float)
    np.testing.assert_allclose(dense[:, :len(pre.numeric)], (numbers - numbers.mean()) / numbers.std(ddof=0),
                               rtol=1e-10)


def test_a_column_name_given_twice_is_refused_in_fit_and_transform():
    df = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0) % 3, "y": np.arange(10) % 2})
    twice = pd.concat([df, df[["a"]] * 2], axis=1)
    assert list(twice.columns) == ["a", "b", "y", "a"]                 # pandas keeps both
    said = r"the table has 2 columns named 'a'.*df = df\.loc\[:, ~df\.columns\.duplicated\(\)\]"
    with pytest.raises(ValidationError, match="Preprocessing.fit: " + said):
        Preprocessing.fit(twice, "y", warn=False)
    pre = Preprocessing.fit(df, "y", warn=False)
    with pytest.raises(ValidationError, match="transform: " + said):
        pre.transform(twice)
    kept = twice.loc[:, ~twice.columns.duplicated()]                   # the advice followed
    np.testing.assert_array_equal(pre.transform(kept), pre.transform(df))


def test_a_streamed_wide_file_is_encoded_a_block_at_a_time_as_transform(tmp_path, monkeypatch):
    import chainrule.data.encode as encode
    df = wide(n=40, p=300)
    df = df.drop(columns="c8")                                       # numbers only: the dense memmap
    df.loc[3, "c11"] = np.nan
    df.to_csv(tmp_path / "w.csv", index=False)
    stream = CsvStream(tmp_path / "w.csv", rows=16)
    stream.fit(target="y", impute="median")
    read = []
    alone = encode.as_numbers
    monkeypatch.setattr(encode, "as_numbers", lambda raw, how=None: read.append(raw.name) or alone(raw, how))
    X = stream.encode()
    X = np.asarray(X[0] if isinstance(X, tuple) else X)
    assert read == ["c11"]                          # the chunk with its gap alone: not 300 columns a chunk
    table = pd.read_csv(tmp_path / "w.csv")
    pre = Preprocessing.fit(table, "y", impute="median", warn=False)
    np.testing.assert_allclose(X, pre.transform(table), rtol=1e-12, atol=1e-12)
    stream.close()


@pytest.mark.parametrize("kw, said", [
    (dict(columns=["a"]), r"target column 'y' is in the file but not in columns= \(the target and the feature "
                          r"columns, \['a'\]\): add it"),
    (dict(columns=["a", "y"], text_columns=["b"]), r"text column 'b' is in the file but not in columns="),
    (dict(columns=["a", "a", "y"]), r"columns= names 'a' 2 times; give each column once"),
    (dict(columns="ay"), r"columns must be a list of column names, e.g. \['ay'\]"),
])
def test_csvstream_columns_that_leave_out_or_repeat_a_column_say_so(tmp_path, kw, said):
    (tmp_path / "s.csv").write_text("a,b,y\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(20)))
    assert {"a", "b", "y"} <= set(pd.read_csv(tmp_path / "s.csv").columns)        # each in the file
    with pytest.raises((ValidationError, TypeError), match=said):
        CsvStream(tmp_path / "s.csv").fit(target="y", **kw)
