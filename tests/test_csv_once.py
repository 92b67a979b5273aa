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


@pytest.mark.parametrize("bad", [b"\xe8", b"\x00"])
def test_a_first_line_cut_by_a_bad_byte_is_not_named_as_excels(tmp_path, bad):
    """The look before a bad byte saw the first line up to it, 'sep=;', where the line is 'sep=;' and more: the
    bad byte is named, as it was before the look moved."""
    path = tmp_path / "x.csv"
    path.write_bytes(b"sep=;" + bad + b"\nx;y\n1;2\n")
    assert path.read_bytes().splitlines()[0] == b"sep=;" + bad           # the line is more than Excel's
    said = r"is not UTF-8 text: byte 0xe8 on line 1" if bad == b"\xe8" else r"is not a text file \(it holds NUL"
    for read in (csvfile.read_csv, check_csv):
        with pytest.raises(ValidationError, match=said):
            read(path)


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "cp1250"])
def test_excels_line_after_a_utf8_mark_read_in_another_encoding_is_named(tmp_path, encoding):
    """A UTF-8 file with its byte order mark read with encoding='latin-1' decodes the mark as 'ï»¿': Excel's line
    after it was read as a header 'ï»¿sep=' by every reader."""
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xef\xbb\xbfsep=;\nx;y\n1;2\n")
    assert pd.read_csv(path, sep=";", nrows=0, encoding=encoding).columns[0].endswith("sep=")
    for read in (csvfile.read_csv, check_csv, lambda p, encoding: next(iter_chunks(p, encoding=encoding))):
        with pytest.raises(ValidationError, match=r"its first line \('sep=;'\) is the line Excel writes"):
            read(path, encoding=encoding)


@pytest.mark.parametrize("line", ['"sep=;"', '"sep=,"'])
def test_excels_line_quoted_is_named_by_every_reader(tmp_path, line):
    """A program that quotes every cell writes Excel's line as '"sep=;"', which pandas reads as the header 'sep=;':
    read_csv and the row check read it as a table of one column 'sep=;' (or named it a ragged header)."""
    path = tmp_path / "x.csv"
    sep = line[5]
    path.write_text(f"{line}\nx{sep}y\n1{sep}2\n3{sep}4\n")
    assert list(pd.read_csv(path, sep="\t").columns) == [line[1:-1]]
    for read in (csvfile.read_csv, check_csv, lambda p: next(iter_chunks(p))):
        with pytest.raises(ValidationError, match=rf"its first line \('sep={sep}'\) is the line Excel writes"):
            read(path)


@pytest.mark.parametrize("end", ["\n", "\r"])
def test_the_separator_is_detected_past_many_blank_lines(tmp_path, end):
    """pandas skips the blank lines before the header, however many: the separator was detected from the first 100
    lines, blank here, and the file read with ',' as one column 'x;c;y'."""
    path = tmp_path / "far.csv"
    path.write_text(end * 150 + end.join(["x;c;y", "1;a;0", "2;b;1", "3;a;0"]) + end, newline="")
    truth = pd.read_csv(path, sep=";")
    assert list(truth.columns) == ["x", "c", "y"]
    for read in (csvfile.read_csv, lambda p: next(iter_chunks(p))):
        df = read(path)
        assert list(df.columns) == ["x", "c", "y"] and df.attrs["csv"]["sep"] == ";"
        pd.testing.assert_frame_equal(df.reset_index(drop=True), truth, check_dtype=False)
    assert check_csv(path)["sep"] == ";"


@pytest.mark.parametrize("start", ["sep=;\n", ""])
def test_a_streamed_file_after_more_blank_lines_than_its_sniff_is_read(tmp_path, start):
    """iter_chunks sniffs its first 256 KiB: blank lines only there, it said the file was empty (the Excel line
    after them was not seen, the rows under them not read)."""
    path = tmp_path / "far.csv"
    path.write_text("\n" * 300_000 + start + "x;c;y\n1;a;0\n2;b;1\n")
    if start:
        assert list(pd.read_csv(path, sep=";", nrows=0).columns) == ["sep=", "Unnamed: 1"]
        with pytest.raises(ValidationError, match=r"its first line \('sep=;'\) is the line Excel writes"):
            next(iter_chunks(path))
    else:
        truth = pd.read_csv(path, sep=";")
        pd.testing.assert_frame_equal(next(iter_chunks(path)), truth, check_dtype=False)
