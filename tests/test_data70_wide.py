"""A wide file (10,000 columns where it mattered; a few hundred here) is read without a pandas Series per column
name (the repeated-header check took seconds on one), and its numbers are scaled as scikit-learn's StandardScaler
scales them; Unicode headers too."""
import numpy as np
import pandas as pd
import pytest

from chainrule.data.tabular import Preprocessing, read_csv


def wide_file(path, columns, rows=12, names=None):
    rng = np.random.default_rng(0)
    values = rng.normal(size=(rows, columns)).round(3)
    names = names or [f"c{i}" for i in range(columns)]
    frame = pd.DataFrame(values, columns=names).assign(y=np.arange(rows) % 2)
    frame.to_csv(path, index=False)
    return frame


def test_a_wide_file_is_checked_for_a_repeated_header_in_one_pass(tmp_path, monkeypatch):
    wide_file(tmp_path / "w.csv", 300)
    calls = []
    real = pd.to_numeric
    monkeypatch.setattr(pd, "to_numeric", lambda *a, **k: calls.append(1) or real(*a, **k))
    df = read_csv(tmp_path / "w.csv")
    assert df.shape == (12, 301)
    assert len(calls) < 10              # was one a column: 301


def test_a_wide_file_still_refuses_its_repeated_header(tmp_path):
    frame = wide_file(tmp_path / "w.csv", 300)
    with open(tmp_path / "w.csv", "a") as f:
        f.write(",".join(frame.columns) + "\n" + ",".join(["1"] * 301) + "\n")
    with pytest.raises(Exception, match="repeats its header on line 14"):
        read_csv(tmp_path / "w.csv")


@pytest.mark.parametrize("names", [None, ["température", "名前", "Größe (cm)", "ц"]])
def test_a_wide_or_unicode_file_scales_as_standard_scaler(tmp_path, names):
    from sklearn.preprocessing import StandardScaler
    columns = 4 if names else 300
    frame = wide_file(tmp_path / "w.csv", columns, names=names)
    df = read_csv(tmp_path / "w.csv", encoding="utf-8")
    assert list(df.columns) == list(frame.columns)
    pre = Preprocessing.fit(df, "y", task="classification")
    X = pre.transform(df)
    X = X.toarray() if hasattr(X, "toarray") else np.asarray(X)
    expected = StandardScaler().fit_transform(frame.drop(columns="y").to_numpy())
    np.testing.assert_allclose(X, expected, rtol=1e-12, atol=1e-12)
