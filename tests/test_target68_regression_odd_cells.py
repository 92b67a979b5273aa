"""train --task regression of a CSV whose target holds one odd cell among numbers: the refusal names that cell, its
line and what to do (in predict's and evaluate's words), in memory and with --stream alike, not the column's first,
ordinary value ("is not numeric (e.g. 0)")."""
import numpy as np
import pandas as pd
import pytest
from conftest import cmd

from chainrule.data.advice import words
from chainrule.data.csvfile import read_csv
from chainrule.data.oddnumbers import odd_hint
from chainrule.data.tabular import Preprocessing

ODD = {
    "a 400-digit whole number": "1" + "0" * 399,
    "full-width digits": "\uff11\uff12",
    "a Unicode minus": "\u22123",
    "an underscore": "1_000",
    "hexadecimal": "0x1F",
    "a no-break space": "3\u00a0",
}
LINE = 7          # the header is line 1, the odd cell's row the 6th


def _file(tmp_path, cell):
    rng = np.random.default_rng(0)
    rows = [f"{x:.3f},{int(v)}" for x, v in zip(rng.normal(size=14), rng.integers(0, 40, size=14))]
    rows[LINE - 2] = f"0.5,{cell}"
    path = tmp_path / "t.csv"
    path.write_text("x,y\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert not pd.api.types.is_numeric_dtype(pd.read_csv(path)["y"])     # that one cell: the column read as text
    return path


def _train(tmp_path, path, stream):
    r = cmd("train", path, "--target", "y", "--task", "regression", "--epochs", 1, "--out", tmp_path / "m.npz",
            *stream)
    assert r.returncode == 2, r.stderr
    return r.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("stream", [(), ("--stream",)], ids=["memory", "stream"])
@pytest.mark.parametrize("kind", list(ODD))
def test_regression_target_names_the_odd_cell_and_what_to_do(tmp_path, kind, stream):
    cell = ODD[kind]
    said = _train(tmp_path, _file(tmp_path, cell), stream)
    with words("command"):                       # the command's words (a shell's sed), as train says them
        hint = odd_hint("y", cell)
    assert hint, kind                            # predict's and evaluate's words for this cell
    assert f"on line {LINE}" in said or f"line {LINE} has" in said, said
    assert hint in said, said
    assert "(e.g. 0)" not in said and "(e.g. '0')" not in said, said


@pytest.mark.parametrize("stream", [(), ("--stream",)], ids=["memory", "stream"])
@pytest.mark.parametrize("cell", ["True", "abc"])
def test_regression_target_names_a_word_among_numbers(tmp_path, cell, stream):
    """'True' or a word among numbers: named with its line, and the advice to correct it or to classify."""
    said = _train(tmp_path, _file(tmp_path, cell), stream)
    assert f"line {LINE} has {cell!r}" in said, said
    assert "correct the cell or leave its row out" in said and "--task classification" in said, said


@pytest.mark.parametrize("stream", [(), ("--stream",)], ids=["memory", "stream"])
def test_memory_and_stream_say_the_same(tmp_path, stream):
    """One file, one refusal, naming the cell (both named the column's first value, '0')."""
    path = _file(tmp_path, ODD["full-width digits"])
    said = _train(tmp_path, path, stream)
    assert said == _train(tmp_path, path, ()) and "'\uff11\uff12'" in said, said


def test_fit_counts_every_odd_cell(tmp_path):
    """Preprocessing.fit on the read table: the first odd cell's line, and how many cells are not numbers."""
    path = _file(tmp_path, "1_000")
    text = path.read_text(encoding="utf-8") + "0.7,2_000\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception, match=r"line 7 has '1_000' \(2 such cells\): a number with '_'"):
        Preprocessing.fit(read_csv(path), target="y", task="regression")


@pytest.mark.parametrize("stream", [(), ("--stream",)], ids=["memory", "stream"])
def test_a_column_of_labels_still_told_to_classify(tmp_path, stream):
    path = tmp_path / "l.csv"
    path.write_text("x,y\n" + "".join(f"{i},{'ab'[i % 2]}\n" for i in range(12)))
    said = _train(tmp_path, path, stream)
    assert "target column 'y' is not numeric (e.g. 'a'); regression needs numbers" in said, said


def test_errors_md_shows_the_message_as_raised(tmp_path):
    from pathlib import Path
    said = _train(tmp_path, _file(tmp_path, "0x1F"), ())
    doc = (Path(__file__).parent.parent / "docs" / "errors.md").read_text(encoding="utf-8")
    row = next(line for line in doc.splitlines() if line.startswith("| a number pandas keeps as text, in a regression"))
    assert said == f"chainrule: error: {row.split(' | ')[1]}", said


@pytest.mark.parametrize("stream", [(), ("--stream",)], ids=["memory", "stream"])
def test_a_thousands_separator_in_the_target_asks_for_the_option(tmp_path, stream):
    said = _train(tmp_path, _file(tmp_path, '"1,234.5"'), stream)
    assert "line 7 has '1,234.5'" in said and "give --thousands ','" in said, said


@pytest.mark.parametrize("stream", [(), ("--stream",)], ids=["memory", "stream"])
@pytest.mark.parametrize("cells, said_to", [
    (['"1,234.5"', '"2,345.25"'], "give --thousands ','"),
    (["1_000", "2_500"], odd_hint("y", "1_000")),
    (["\uff11", "\uff12"], odd_hint("y", "\uff11")),
], ids=["thousands", "underscores", "full-width"])
def test_a_target_of_numbers_all_written_oddly_is_told_how_not_to_classify(tmp_path, cells, said_to, stream):
    """Every cell a number pandas keeps as text (a spreadsheet's '1,234.5' throughout): the first cell named with
    how to read or write it, as where one such cell is among numbers, not told to use a classifier for labels."""
    path = tmp_path / "all.csv"
    path.write_text("x,y\n" + "".join(f"{i},{cells[i % 2]}\n" for i in range(12)), encoding="utf-8")
    said = _train(tmp_path, path, stream)
    assert said_to and said_to in said and "line 2 has" in said and "(12 such cells)" in said, said
    assert "--task classification" not in said, said
    if said_to == "give --thousands ','":        # the option it names reads the file's numbers: training starts
        r = cmd("train", path, "--target", "y", "--task", "regression", "--epochs", 1, "--out", tmp_path / "m.npz",
                "--thousands", ",", *stream)
        assert r.returncode == 0, r.stderr
