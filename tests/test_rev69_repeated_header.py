"""A header repeated among the rows is the whole row, not one cell holding its column's name; a file cut short by
NUL bytes is told how to remove them in its reader's words (Python for read_csv, tr for the command)."""
import io
import re

import pandas as pd
import pytest
from conftest import cmd

from chainrule.data.stream import CsvStream
from chainrule.data.tabular import Preprocessing, read_csv
from chainrule.errors import ValidationError


def numbers(n=30):
    return "".join(f"{i * 0.5},{i % 7},{i * 1.5 + 1}\n" for i in range(n))


@pytest.mark.parametrize("stream", [False, True])
def test_one_cell_holding_its_column_name_is_not_called_a_repeated_header(tmp_path, stream):
    """Column 'a' of numbers but one cell 'a' (the other fields of its row numbers): no header is repeated, so the
    message must not tell to remove header lines of joined files; the cell is named as any other text cell."""
    lines = ("a,b,y\n" + numbers()).splitlines(keepends=True)
    lines[8] = "a,3,4\n"                                             # line 9
    text = "".join(lines)
    assert pd.read_csv(io.StringIO(text))["b"].dtype.kind == "i"   # pandas: b and y numbers, the row is data
    (tmp_path / "d.csv").write_text(text)
    extra = ["--stream"] if stream else []
    out = cmd("train", tmp_path / "d.csv", "--target", "y", "--task", "regression", "--epochs", "1",
              "--out", tmp_path / "m.npz", *extra)
    assert out.returncode != 0 and "'a'" in out.stderr and "line 9" in out.stderr, out.stderr
    assert "cat a.csv" not in out.stderr and "its own name" not in out.stderr, out.stderr


def test_a_row_repeating_only_the_named_columns_is_data(tmp_path):
    """Columns 'kind', 'label' and '2020': a row 'kind', 'label', 5 is not the header (its 2020 holds 5), so it is
    read as data, as pandas reads it; the whole header repeated ('2020' too) is refused."""
    rows = "".join(f"{'ab'[i % 2]},{'cd'[i % 2]},{i}\n" for i in range(20))
    text = "kind,label,2020\n" + rows + "kind,label,5\n"
    (tmp_path / "d.csv").write_text(text)
    pd.testing.assert_frame_equal(read_csv(tmp_path / "d.csv"), pd.read_csv(io.StringIO(text)), check_dtype=False)
    (tmp_path / "h.csv").write_text(text + "kind,label,2020\n" + rows)
    with pytest.raises(ValidationError, match="repeats its header on line 23"):
        read_csv(tmp_path / "h.csv")


def test_a_header_repeated_mid_file_is_refused_in_every_chunk_of_a_stream(tmp_path):
    """Streamed in chunks of 7 rows, the repeated header (line 22, the third chunk) is refused as read_csv refuses
    it, naming its line."""
    text = "a,b,y\n" + numbers(20) + "a,b,y\n" + numbers(20)
    (tmp_path / "d.csv").write_text(text)
    with pytest.raises(ValidationError, match="repeats its header on line 22 .*cat a.csv b.csv"):
        with CsvStream(tmp_path / "d.csv", rows=7) as s:
            s.fit("y", task="regression")


def test_nul_bytes_are_removed_in_python_for_python_readers(tmp_path):
    """read_csv's advice for a file cut short by NUL bytes is Python that does it (the command keeps tr): run as
    given, the file it writes reads as the rows before them."""
    path = tmp_path / "cut.csv"
    good = "a,b,y\n" + numbers(10)
    path.write_bytes(good.encode() + b"\x00" * 300)
    with pytest.raises(ValidationError, match="holds NUL bytes") as info:
        read_csv(path)
    message = str(info.value)
    assert "tr -d" not in message, message
    code = re.search(r"in Python: (.*)\)$", message).group(1)
    exec(code, {})
    fixed = tmp_path / "cut-fixed.csv"
    pd.testing.assert_frame_equal(read_csv(fixed), pd.read_csv(io.StringIO(good)), check_dtype=False)
    with pytest.raises(ValidationError, match="holds NUL bytes"):
        Preprocessing.fit(read_csv(path), "y")
    out = cmd("train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz")
    assert out.returncode != 0 and "tr -d '\\000' <" in out.stderr and "in Python" not in out.stderr, out.stderr
