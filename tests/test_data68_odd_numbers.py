"""A column of numbers made text by one cell that Python reads as a number but pandas.read_csv keeps as text (a
whole number past 64 bits, a Unicode minus, full-width digits, 1_000, 0x1F, a no-break space): refused naming
that cell and its line, with how to write it, in memory, streamed and through Preprocessing.fit, never the
column's first, ordinary cell."""
import io
import re

import pandas as pd
import pytest
from conftest import cmd

from chainrule.data.tabular import Preprocessing, read_csv
from chainrule.errors import ValidationError

CELLS = {str(2 ** 70): "too big for 64-bit", "1234567890123456789012345": "too big for 64-bit",
         str(-2 ** 70): "too big for 64-bit", "\u22123": "Unicode minus", "\uff11\uff12": "full-width",
         "1_000": "'_' between its digits", "0x1F": "hexadecimal", "\u00a07": "no-break space"}


def file_text(cell):
    """30 rows whose column x counts 0 to 29, but for `cell` on line 14."""
    return "x,y\n" + "".join(f"{cell if i == 12 else i},{i * 0.5 + i % 3}\n" for i in range(30))


def meant(cell):
    """The number the cell's writer meant, by Python's own reading (not chainrule's)."""
    text = cell.replace("\u2212", "-").replace("\u00a0", "")
    return float(int(text, 16)) if "x" in text else float(text)


@pytest.mark.parametrize("cell", list(CELLS))
def test_cell_pandas_keeps_as_text_is_the_one_named(tmp_path, cell):
    assert not pd.api.types.is_numeric_dtype(pd.read_csv(io.StringIO(file_text(cell)))["x"])   # pandas: text
    as_float = pd.read_csv(io.StringIO(file_text(repr(meant(cell)))))["x"]           # ... of a number: written
    assert pd.api.types.is_float_dtype(as_float) and as_float[12] == meant(cell)      # plainly, pandas reads it
    (tmp_path / "d.csv").write_text(file_text(cell), encoding="utf-8")
    for extra in ([], ["--stream"]):
        out = cmd("train", tmp_path / "d.csv", "--target", "y", "--task", "regression", "--epochs", "1",
                  "--out", tmp_path / "m.npz", *extra)
        assert out.returncode != 0
        assert f"{cell!r} on line 14" in out.stderr and CELLS[cell] in out.stderr, (extra, out.stderr)
        assert "on line 2" not in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("cell", list(CELLS))
def test_preprocessing_fit_names_the_cell(tmp_path, cell):
    (tmp_path / "d.csv").write_text(file_text(cell), encoding="utf-8")
    df = read_csv(tmp_path / "d.csv")
    with pytest.raises(ValidationError, match=re.escape(f"{cell!r} on line 14")):
        Preprocessing.fit(df, "y", task="regression")


def test_big_whole_number_advice_reads_as_pandas_floats(tmp_path):
    cell = str(2 ** 70)
    (tmp_path / "d.csv").write_text(file_text(cell))
    out = cmd("train", tmp_path / "d.csv", "--target", "y", "--task", "regression", "--epochs", "1",
              "--out", tmp_path / "m.npz")
    assert "--drop 'x'" in out.stderr, out.stderr
    written = re.search(r"as a float in the file \(e\.g\. (\S+)\)", out.stderr).group(1)
    df = pd.read_csv(io.StringIO(file_text(written)))
    assert df["x"].dtype == float and df["x"][12] == float(2 ** 70)


@pytest.mark.parametrize("stream", [False, True])
def test_regression_target_with_a_whole_number_past_64_bits_names_it(tmp_path, stream):
    rows = "x,y\n" + "".join(f"{i},{2 ** 70 if i == 12 else i * 7}\n" for i in range(60))
    assert not pd.api.types.is_numeric_dtype(pd.read_csv(io.StringIO(rows))["y"])      # pandas: text
    (tmp_path / "d.csv").write_text(rows)
    out = cmd("train", tmp_path / "d.csv", "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz",
              *(["--stream"] if stream else []))
    assert out.returncode != 0
    assert f"target column 'y' holds a whole number too big for 64-bit integers ('{2 ** 70}' on line 14)" in out.stderr
    assert "--drop" not in out.stderr and "--task classification" in out.stderr, out.stderr


@pytest.mark.parametrize("cells", [["0x1F", "0xFF", "0x10"], ["\u22123", "abc", "?"]])
def test_hex_codes_alone_stay_text_and_other_text_still_named_as_before(tmp_path, cells):
    """A column of 0x codes alone is text (codes, as pandas reads it); a Unicode minus beside 'abc' and '?' does not
    hide them: the Unicode minus is named as such (not advised as a missing marker), and the others after it."""
    rows = "x,y\n" + "".join(f"{cells[i % 3] if i % 2 or len(cells[1]) == 4 else i},{i % 2}\n" for i in range(30))
    (tmp_path / "d.csv").write_text(rows, encoding="utf-8")
    out = cmd("train", tmp_path / "d.csv", "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz")
    if cells[0] == "0x1F":
        assert out.returncode == 0, out.stderr
    else:
        assert "Unicode minus" in out.stderr and "('\u22123' on line 5)" in out.stderr, out.stderr
        assert "holds 'abc', '?' too" in out.stderr and "--na-values 'abc,?' to read" in out.stderr, out.stderr
