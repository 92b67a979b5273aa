"""A CSV file looked at once for Excel's 'sep=;' line per read: its bytes read once, not its first 64 KiB again to
look for the line (nor, in the row check of a file of one block, its last 64 KiB again for empty rows at its end)."""
import io
import os

import pandas as pd
import pytest

from chainrule.data import csvfile, rowcheck
from chainrule.data import opening as data_opening
from chainrule.data.chunks import iter_chunks
from chainrule.data.rowcheck import check_csv
from chainrule.errors import ValidationError

ROWS = "".join(f"{i},{'ab'[i % 2]},{i % 2}\n" for i in range(20000))


def _counted(monkeypatch, path):
    """The list of byte counts read from `path` through open() in opening.py (every reader opens a file there)."""
    read: list[int] = []

    class Counting(io.FileIO):
        def readinto(self, buffer):
            n = super().readinto(buffer)
            read.append(n or 0)
            return n

        def readall(self):
            data = super().readall()
            read.append(len(data))
            return data

    def opening(file, mode="r", *args, **kwargs):
        assert mode == "rb" and os.path.abspath(file) == os.path.abspath(path)
        return io.BufferedReader(Counting(file, "r"))
    monkeypatch.setattr(data_opening, "open", opening, raising=False)
    return read


@pytest.mark.parametrize("read", [csvfile.read_csv, check_csv], ids=["read_csv", "check_csv"])
def test_a_files_bytes_are_read_once(tmp_path, monkeypatch, read):
    """The look for Excel's line read the file's first 64 KiB again (a seek to its start) before the reader read
    them; its bytes are read once now."""
    path = tmp_path / "d.csv"
    path.write_text("x,c,y\n" + ROWS)
    size = path.stat().st_size
    assert size > 1 << 17
    counts = _counted(monkeypatch, path)
    read(path)
    assert sum(counts) <= size + 8192, (sum(counts), size)


def test_a_chunked_reads_first_lines_are_read_once(tmp_path, monkeypatch):
    """iter_chunks sniffs its first lines (256 KiB); the look for Excel's line read 64 KiB more before them."""
    path = tmp_path / "d.csv"
    path.write_text("x,c,y\n" + ROWS * 4)
    counts = _counted(monkeypatch, path)
    sizes = []
    real = pd.read_csv

    def sized(f, *args, **kwargs):               # pandas reads the whole file after: counted apart
        sizes.append(sum(counts))
        return real(f, *args, **kwargs)
    monkeypatch.setattr(pd, "read_csv", sized)
    next(iter_chunks(path, rows=10))
    assert sizes and sizes[0] <= (1 << 18) + 8192, sizes


@pytest.mark.parametrize("bad", [b"\xe8", b"\x00"])
def test_excels_line_is_named_before_a_bad_byte_by_every_reader(tmp_path, bad):
    """Excel's line is named first, before a byte that is not UTF-8 text, by read_csv and the row check alike."""
    path = tmp_path / "x.csv"
    path.write_bytes(b"sep=;\nx;y\n1;2\n" + bad + b";3\n")
    assert list(pd.read_csv(path, sep=";", nrows=0, encoding="latin-1").columns) == ["sep=", "Unnamed: 1"]
    for read in (csvfile.read_csv, check_csv):
        with pytest.raises(ValidationError, match=r"its first line \('sep=;'\) is the line Excel writes"):
            read(path)


def test_excels_line_past_blank_blocks_is_named_by_the_row_check(tmp_path, monkeypatch):
    """The row check reads a file in blocks: Excel's line after a block of blank lines is looked for in the next
    block, not missed (pandas skips the blank lines and reads the line as the header)."""
    monkeypatch.setattr(rowcheck, "BLOCK", 1024)
    path = tmp_path / "far.csv"
    path.write_text("\n" * 5000 + "sep=,\nx,y\n1,2\n3,4\n")
    assert list(pd.read_csv(path, nrows=0).columns) == ["sep=", "Unnamed: 1"]
    with pytest.raises(ValidationError, match=r"its first line \('sep=,'\) is the line Excel writes"):
        check_csv(path)
