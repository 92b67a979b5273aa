"""The review of data71: CsvStream.fit compares its column names as sets, a wide block is standardised by
statistics.standardised (the one reading of a column's scale), and a '?' label's advice is one that reads it."""
import numpy as np
import pandas as pd
import pytest
from conftest import cmd

from chainrule.data.columns import ColumnWarning
from chainrule.data.stream import CsvStream
from chainrule.data.tabular import Preprocessing
from chainrule.errors import ValidationError


class Scanned(list):
    """A header that counts the names looked up in it one by one (a wide file's list scanned once a column)."""
    looked = 0

    def __contains__(self, item):
        Scanned.looked += 1
        return super().__contains__(item)

    def __getitem__(self, at):
        if isinstance(at, slice):
            Scanned.looked += 1
        return super().__getitem__(at)


def test_csvstream_fit_does_not_scan_a_wide_header_once_a_column(tmp_path, monkeypatch):
    p = 400
    df = pd.DataFrame((np.arange(20.0) % 5)[:, None] * np.arange(1, p + 1), columns=[f"c{i}" for i in range(p)])
    df["y"] = np.arange(20) % 2
    df.to_csv(tmp_path / "w.csv", index=False)
    stream = CsvStream(tmp_path / "w.csv")
    header = Scanned(stream.header())
    monkeypatch.setattr(CsvStream, "header", lambda self: Scanned(header))
    Scanned.looked = 0
    stream.fit(target="y")
    assert Scanned.looked < 10, Scanned.looked          # 10,000 columns scanned so took seconds (twice)
    assert stream.pre.numeric == list(df.columns[:p])
    with pytest.raises(ValidationError, match=r"columns= names 'c1' 2 times; give each column once \(got \['c0', "):
        CsvStream(tmp_path / "w.csv").fit(target="y", columns=["c0", "c1", "y", "c1"])
    stream.close()


def test_a_wide_block_standardises_as_the_column_alone_where_the_difference_overflows(monkeypatch):
    import chainrule.data.encode as encode
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.normal(size=(30, 200)), columns=[f"c{i}" for i in range(200)])
    df["c5"] = 1e308 + 1e307 * rng.normal(size=30)                 # a mean near float64's largest
    df["y"] = np.arange(30) % 2
    pre = Preprocessing.fit(df, "y", warn=False)
    later = df.copy()
    later.loc[4, "c5"] = -1.7e308                   # less the mean: past float64; standardised: about -27
    read = []
    alone = encode.as_numbers
    monkeypatch.setattr(encode, "as_numbers", lambda raw, how=None: read.append(raw.name) or alone(raw, how))
    X = pre.transform(later, sparse=False)
    assert read == []                               # the block holds it: statistics.standardised, as alone
    j = pre.numeric.index("c5")
    assert np.isfinite(X[:, j]).all() and -30 < X[4, j] < -20
    truth = [float(v) / pre.scales[j] - pre.means[j] / pre.scales[j] for v in later["c5"]]    # the rows one by one
    np.testing.assert_allclose(X[:, j], truth, rtol=1e-12)
    np.testing.assert_allclose(X[:, j], encode.numeric_column(pre, later, "c5"), rtol=1e-15)


@pytest.mark.parametrize("stream", [False, True])
def test_a_spaced_question_mark_label_is_not_advised_a_marker_that_cannot_read_it(tmp_path, stream):
    rows = "".join(f"{i * 0.1:.1f}, {'?' if i in (5, 17) else ('yes', 'no')[i % 2]}\n" for i in range(40))
    (tmp_path / "q.csv").write_text("a,y\n" + rows)                 # UCI's adult.data: ', ?' after each comma
    assert " ?" in set(pd.read_csv(tmp_path / "q.csv", na_values=["?"])["y"])    # a marker '?' leaves ' ?' as it is
    more = ["--stream"] if stream else []
    out = cmd("train", "q.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", *more, cwd=tmp_path)
    assert "has ' ?' among its labels" in out.stderr
    assert "--na-values" not in out.stderr and "leave those rows out (the spaces around it" in out.stderr
    followed = cmd("train", "q.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--na-values", "?", *more,
                   cwd=tmp_path)
    assert "has ' ?' among its labels" in followed.stderr           # the marker the old advice gave read nothing


def test_a_spaced_question_mark_label_in_python_is_warned_with_the_rows_to_leave_out():
    df = pd.DataFrame({"a": np.arange(40) * 0.1, "y": [" ?" if i in (5, 17) else ("yes", "no")[i % 2]
                                                       for i in range(40)]})
    with pytest.warns(ColumnWarning, match=r"has ' \?' among its labels.*leave those rows out") as seen:
        Preprocessing.fit(df, "y")
    assert not any("na_values" in str(w.message) for w in seen)


@pytest.mark.parametrize("stream", [False, True])
def test_a_question_mark_labels_advice_keeps_the_markers_already_given(tmp_path, stream):
    rows = "".join(f"{'n/a' if i == 3 else i * 0.1},{'?' if i in (5, 17) else ('yes', 'no')[i % 2]}\n"
                   for i in range(40))
    (tmp_path / "q.csv").write_text("a,y\n" + rows)
    more = ["--impute", "mean", *(["--stream"] if stream else [])]
    out = cmd("train", "q.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--na-values", "n/a", *more,
              cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "give --na-values 'n/a,?' to read it as missing" in out.stderr      # '?' alone would drop 'n/a'
    followed = cmd("train", "q.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--na-values", "n/a,?",
                   *more, cwd=tmp_path)
    assert "has missing values on lines 7 and 19" in followed.stderr        # both read, as pandas reads them:
    table = pd.read_csv(tmp_path / "q.csv", na_values=["n/a", "?"], keep_default_na=False)
    assert table["a"].isna().sum() == 1 and list(np.flatnonzero(table["y"].isna()) + 2) == [7, 19]


def test_a_question_mark_labels_advice_in_python_keeps_read_csvs_markers(tmp_path):
    from chainrule.data.csvfile import read_csv
    (tmp_path / "q.csv").write_text("a,y\n" + "".join(f"{'n/a' if i == 3 else i * 0.1},"
                                                      f"{'?' if i in (5, 17) else ('yes', 'no')[i % 2]}\n"
                                                      for i in range(40)))
    df = read_csv(tmp_path / "q.csv", na_values=["n/a"])
    with pytest.warns(ColumnWarning, match=r"na_values=\['n/a', '\?'\]"):
        Preprocessing.fit(df, "y", impute="mean")
