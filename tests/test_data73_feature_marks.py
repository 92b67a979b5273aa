"""A '?' (UCI's missing marker) among a text feature column's values is warned once for the column, with its count,
its first line and the --na-values that reads it (none for ' ?', which no marker reads), whole and streamed, in the
command's words and in Python's; followed, the cells are missing and filled as --impute fills any gap."""
import warnings

import pandas as pd
import pytest
from conftest import cmd

import chainrule as cr
from chainrule.data.columns import ColumnWarning
from chainrule.data.csvfile import read_csv
from chainrule.data.stream import CsvStream
from chainrule.data.tabular import Preprocessing

QUESTION = (3, 11, 20)        # data rows with '?' in column 'c': file lines 5, 13 and 22


def uci(tmp_path, spaced: bool = False):
    gap = ", " if spaced else ","
    rows = "".join(f"{i * 0.1:.1f}{gap}{'?' if i in QUESTION else ('red', 'blue', 'red', 'green')[i % 4]}{gap}"
                   f"{('yes', 'no')[i % 3 == 0]}\n" for i in range(40))
    (tmp_path / "q.csv").write_text("a,c,y\n" + rows)
    return tmp_path / "q.csv"


def train(tmp_path, *more, stream=False):
    return cmd("train", "q.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", *more,
               *(["--stream"] if stream else []), cwd=tmp_path)


@pytest.mark.parametrize("stream", [False, True])
def test_a_question_mark_in_a_text_column_is_warned_and_the_advice_reads_it_as_missing(tmp_path, stream):
    path = uci(tmp_path)
    assert "?" in set(pd.read_csv(path)["c"])                        # pandas keeps it: a category of its own
    out = train(tmp_path, stream=stream)
    assert out.returncode == 0, out.stderr
    said = ("column 'c' has '?' in 3 rows (first on line 5), a common marker of a missing value (as in UCI's data "
            "sets), learnt as a category of its own: if it marks an unknown value, give --na-values '?' to read it "
            "as missing")
    assert out.stderr.count(said) == 1
    assert out.stderr.split(said)[1].startswith(" (its cells are then gaps, which --impute fills)")
    # followed without --impute: the cells are gaps, named by the lines the warning counted
    gaps = train(tmp_path, "--na-values", "?", stream=stream)
    assert gaps.returncode != 0 and "missing values in 'c' on lines 5, 13 and 22" in gaps.stderr
    # and with --impute: no warning, the '?' no category, its cells filled as pandas' own reading of them fills
    filled = train(tmp_path, "--na-values", "?", "--impute", "most_frequent", stream=stream)
    assert filled.returncode == 0, filled.stderr
    assert "common marker of a missing value" not in filled.stderr
    _, extra = cr.load(tmp_path / "m.npz", with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    truth = pd.read_csv(path, na_values=["?"])["c"]
    assert truth.isna().sum() == len(QUESTION)
    assert pre.categories["c"] == sorted(truth.dropna().unique())
    assert pre.fill["c"] == truth.mode()[0]


@pytest.mark.parametrize("stream", [False, True])
def test_a_spaced_question_mark_as_in_adult_data_is_warned_without_an_option_that_cannot_read_it(tmp_path, stream):
    path = uci(tmp_path, spaced=True)
    assert " ?" in set(pd.read_csv(path, na_values=["?"])["c"])     # '?' does not read ' ?'
    out = train(tmp_path, stream=stream)
    assert out.returncode == 0, out.stderr
    assert ("column 'c' has ' ?' in 3 rows (first on line 5), a common marker of a missing value (as in UCI's data "
            "sets), learnt as a category of its own: if it marks an unknown value, correct those cells in the file "
            "(the spaces around it are kept as written, so no missing-value marker reads it)") in out.stderr
    assert "--na-values" not in out.stderr


def test_the_advice_keeps_the_markers_already_given(tmp_path):
    uci(tmp_path)
    out = train(tmp_path, "--na-values", "n/a")
    assert "give --na-values 'n/a,?' to read it as missing" in out.stderr


def test_a_question_mark_in_a_dataframe_is_warned_in_pythons_words(tmp_path):
    df = read_csv(uci(tmp_path))
    with pytest.warns(ColumnWarning, match=r"column 'c' has '\?' in 3 rows \(first on line 5\).*read the file with "
                                           r"na_values=\['\?'\] .*which impute= fills"):
        Preprocessing.fit(df, "y")
    plain = pd.read_csv(tmp_path / "q.csv")          # pandas' own reading: its rows named by label
    plain.index = [f"r{i}" for i in range(len(df))]
    with pytest.warns(ColumnWarning, match=r"column 'c' has '\?' in 3 rows \(first on row 'r3'\)"):
        Preprocessing.fit(plain, "y")
    with pytest.warns(ColumnWarning, match=r"column 'c' has '\?' in 3 rows \(first on line 5\).*CsvStream\(path, "
                                           r"na_values=\['\?'\]\)"):
        CsvStream(tmp_path / "q.csv").fit(target="y")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ColumnWarning)
        Preprocessing.fit(df, "y", warn=False)        # fit's warn=False says nothing
        Preprocessing.fit(read_csv(tmp_path / "q.csv", na_values=["?"]), "y", impute="most_frequent")
