"""Advice that works as given: the --na-values line pasted as it is reads the file; a column that only looks like
dates (versions 1.2.10) is told how to stay text, and that way, taken, ends the warning."""
import ast
import re
import shlex
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import cmd

from chainrule.data.columns import ColumnWarning
from chainrule.data.tabular import Preprocessing, read_csv
from chainrule.errors import ValidationError

MARKERS = ["missing", "unknown", "not recorded", "absent", "no reading", "tbd", "pending", "void", "blank", "n'a",
           "$HOME"]


def markers_file(path, markers):
    rng = np.random.default_rng(1)
    values = [f"{v:.3f}" for v in rng.normal(size=60)] + markers
    pd.DataFrame({"a": values, "y": rng.normal(size=len(values))}).to_csv(path, index=False)
    return path


def test_na_values_advice_pasted_as_it_is_reads_the_file(tmp_path):
    path = markers_file(tmp_path / "t.csv", MARKERS)
    r = cmd("train", str(path), "--target", "y", "--out", str(tmp_path / "m.npz"))
    assert r.returncode != 0
    given = re.search(r"Give (--na-values .*?) to read such cells as missing", r.stderr)
    assert given and "..." not in given[1], r.stderr
    words = shlex.split(given[1])                     # as the shell splits the pasted line
    assert words[0] == "--na-values" and words[1].split(",") == MARKERS
    r = cmd("train", str(path), "--target", "y", "--out", str(tmp_path / "m.npz"), "--epochs", "1", *words,
            "--impute", "mean")
    assert r.returncode == 0, r.stderr


def test_na_values_advice_in_pythons_words_is_the_whole_list(tmp_path):
    path = markers_file(tmp_path / "t.csv", MARKERS)
    with pytest.raises(ValidationError) as caught:
        Preprocessing.fit(read_csv(path), "y")
    given = re.search(r"na_values=(\[.*?\])", str(caught.value))
    assert given, caught.value
    listed = ast.literal_eval(given[1])
    assert listed == MARKERS
    pre = Preprocessing.fit(read_csv(path, na_values=listed), "y", impute="mean")
    assert pre.numeric == ["a"]


def test_markers_too_many_to_paste_get_no_cut_short_advice(tmp_path):
    markers = [f"no value given by the lab {k}" for k in range(12)]     # far past one line's worth
    path = markers_file(tmp_path / "t.csv", markers)
    r = cmd("train", str(path), "--target", "y", "--out", str(tmp_path / "m.npz"))
    assert r.returncode != 0 and "column 'a' is numbers except 12 of 72 cells" in r.stderr, r.stderr
    assert "..." not in r.stderr and "--na-values" not in r.stderr and "--text 'a'" in r.stderr, r.stderr


def versions(n=60):
    return pd.DataFrame({"v": ["1.2.10", "3.11.20", "2.4.18"] * (n // 3), "x": np.random.default_rng(0).normal(size=n),
                         "y": np.arange(float(n)) % 2})


def test_version_column_warned_as_dates_says_how_to_keep_it_text(tmp_path):
    versions().to_csv(tmp_path / "t.csv", index=False)
    r = cmd("train", str(tmp_path / "t.csv"), "--target", "y", "--out", str(tmp_path / "m.npz"), "--epochs", "1")
    assert r.returncode == 0 and "holds dates" in r.stderr, r.stderr
    assert "--text 'v'" in r.stderr, r.stderr
    for stream in ((), ("--stream",)):
        r = cmd("train", str(tmp_path / "t.csv"), "--target", "y", "--out", str(tmp_path / "m.npz"), "--epochs", "1",
                "--text", "v", *stream)
        assert r.returncode == 0 and "dates" not in r.stderr, r.stderr


def test_version_column_in_python_words_and_text_columns_silence_it():
    df = versions()
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        Preprocessing.fit(df, "y")
    dated = [str(w.message) for w in said if issubclass(w.category, ColumnWarning) and "dates" in str(w.message)]
    assert len(dated) == 1 and "text_columns=['v']" in dated[0], dated
    with warnings.catch_warnings():
        warnings.simplefilter("error", ColumnWarning)
        pre = Preprocessing.fit(df, "y", text_columns=["v"])
    assert sorted(pre.categories["v"]) == ["1.2.10", "2.4.18", "3.11.20"]


def test_dates_one_a_row_named_as_text_get_no_dates_wording():
    df = pd.DataFrame({"v": [f"{1 + i % 28}.{1 + i // 28}.20" for i in range(300)], "y": np.arange(300.0) % 2})
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        Preprocessing.fit(df, "y")
    assert any("text_columns=['v']" in str(w.message) for w in said if "dates" in str(w.message))
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        Preprocessing.fit(df, "y", text_columns=["v"])
    assert not any("dates" in str(w.message) for w in said), [str(w.message) for w in said]
