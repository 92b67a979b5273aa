"""The refusal of a number column made text by one cell pandas keeps as text: a whole number past float64 too
(hundreds or thousands of digits) is named, not an internal error; the sed line given removes the very character
the cell has (a narrow no-break space, an en dash), and the decimal number given for 0xff or 1_000 is the cell's.
Checked by doing what the message says and reading the result with pandas."""
import io
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import cmd

from chainrule.data import oddnumbers
from chainrule.data.columns import check_text_column

ROOT = Path(__file__).resolve().parents[1]


def file_text(cell):
    """30 rows whose column x counts 0 to 29, but for `cell` on line 14."""
    return "x,y\n" + "".join(f"{cell if i == 12 else i},{i * 0.5 + i % 3}\n" for i in range(30))


def train(tmp_path, text, *extra):
    (tmp_path / "d.csv").write_text(text, encoding="utf-8")
    return cmd("train", tmp_path / "d.csv", "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz", *extra)


@pytest.mark.parametrize("cell", ["9" * 400, "-" + "7" * 400, "1" * 5000])
@pytest.mark.parametrize("stream", [[], ["--stream"]])
def test_a_whole_number_past_float64_is_named_not_an_internal_error(tmp_path, cell, stream):
    assert float(cell) in (float("inf"), -float("inf"))                       # past float64, by Python
    assert not pd.api.types.is_numeric_dtype(pd.read_csv(io.StringIO(file_text(cell)))["x"])
    out = train(tmp_path, file_text(cell), "--task", "regression", *stream)
    assert out.returncode != 0, out.stderr
    assert "on line 14" in out.stderr and "--drop 'x'" in out.stderr, out.stderr
    assert "internal error" not in out.stderr and "digits" not in out.stderr.split("on line 14")[1], out.stderr


def test_a_target_past_float64_is_told_classification_not_a_float(tmp_path):
    rows = "x,y\n" + "".join(f"{i},{'9' * 400 if i == 12 else i * 7}\n" for i in range(60))
    out = train(tmp_path, rows)
    assert out.returncode != 0 and "'y'" in out.stderr and "on line 14" in out.stderr, out.stderr
    assert "--task classification" in out.stderr and "--drop" not in out.stderr and "inf" not in out.stderr


@pytest.mark.parametrize("cell, number", [("\u00a07", 7), ("\u202f7", 7), ("7\u2007", 7), ("\u22123", -3),
                                          ("\u20133", -3), ("\uff0d3", -3), ("\u20123", -3)])
def test_the_sed_line_given_makes_the_column_numbers(tmp_path, cell, number):
    out = train(tmp_path, file_text(cell), "--task", "regression")
    assert out.returncode != 0, out.stderr
    found, into = re.search(r"sed 's/((?:\\x[0-9a-f]{2})+)/(-?)/g'", out.stderr).groups()
    written = file_text(cell).encode("utf-8").replace(bytes.fromhex(found.replace("\\x", "")), into.encode())
    x = pd.read_csv(io.BytesIO(written))["x"]
    assert pd.api.types.is_numeric_dtype(x), (out.stderr, x[12])
    assert x[12] == number


@pytest.mark.parametrize("cell, number", [("0xff", 255), ("0X1a", 26), ("1_000_000", 1000000), ("2_5.5", 25.5)])
def test_the_number_given_for_hex_or_underscores_is_the_cells(tmp_path, cell, number):
    out = train(tmp_path, file_text(cell), "--task", "regression")
    assert out.returncode != 0, out.stderr
    said = re.search(rf"\({re.escape(cell)} as (\S+)\)", out.stderr)
    python = int(cell, 16) if "x" in cell.lower() else float(cell)          # Python's own reading of the cell
    assert said and float(said.group(1)) == number == python, out.stderr


def test_a_column_of_text_is_not_read_value_by_value_for_odd_numbers(monkeypatch):
    """A text column of many distinct values (names, comments) costs the check nothing per value."""
    calls = []
    monkeypatch.setattr(oddnumbers, "odd_kind", lambda cell: calls.append(cell))
    check_text_column(pd.Series([f"user{i}" for i in range(2000)], dtype=object), "u")
    assert len(calls) == 0, len(calls)


def test_the_repository_root_holds_no_scratch_data():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    top = [f for f in tracked.stdout.split() if "/" not in f and f.endswith((".csv", ".npz", ".onnx", ".jsonl"))]
    assert top == [], top


@pytest.mark.parametrize("stream", [[], ["--stream"]])
def test_a_whole_number_past_int64_beside_negatives_is_the_one_named(tmp_path, stream):
    """2**63 + 5 alone is uint64 to pandas, beside -3 text: that cell is to blame, not the first, '-3'."""
    rows = "x,y\n" + "".join(f"{2 ** 63 + 5 if i == 12 else i - 3},{i * 0.5}\n" for i in range(30))
    assert not pd.api.types.is_numeric_dtype(pd.read_csv(io.StringIO(rows))["x"])
    out = train(tmp_path, rows, "--task", "regression", *stream)
    assert out.returncode != 0 and f"'{2 ** 63 + 5}' on line 14" in out.stderr, out.stderr
    assert "on line 2" not in out.stderr and "--drop 'x'" in out.stderr, out.stderr
    written = re.search(r"as a float in the file \(e\.g\. (\S+)\)", out.stderr).group(1)
    x = pd.read_csv(io.StringIO(rows.replace(str(2 ** 63 + 5), written)))["x"]
    assert pd.api.types.is_float_dtype(x) and x[12] == float(2 ** 63 + 5)
