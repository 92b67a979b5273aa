"""A CSV file's two ends as spreadsheets and shells leave them: Excel's 'sep=;' first line read where every reader
reads a file's first bytes (a stream's header opens the file once), the empty rows of separators a sheet saves
below its data, and standard input named '-'."""
import builtins
import os

import pandas as pd
import pytest
from conftest import cli, cmd

from chainrule.data.csvfile import read_csv
from chainrule.data.rowcheck import check_csv
from chainrule.data.stream import CsvStream
from chainrule.errors import ValidationError

ROWS = "".join(f"{i},{'ab'[i % 2]},{i % 2}\n" for i in range(20))


def _opens(monkeypatch, path):
    """The list that grows by one each time `path` is opened through open() (pandas opens a path so too)."""
    seen: list[str] = []
    real = builtins.open

    def counting(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.path.abspath(file) == os.path.abspath(path):
            seen.append(str(file))
        return real(file, *args, **kwargs)
    monkeypatch.setattr(builtins, "open", counting)
    return seen


@pytest.mark.parametrize("text", ["x,c,y\n" + ROWS, "\ufeffsep=,\nx,c,y\n" + ROWS])
def test_a_streams_header_opens_the_file_once(tmp_path, monkeypatch, text):
    """train --stream asks for the header 3-4 times; each call opened the file three times (the look for Excel's
    line, the sniffing of its first lines, then pandas by its name)."""
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    truth = list(pd.read_csv(path).columns)
    seen = _opens(monkeypatch, path)
    if "sep=" in text:                 # with a BOM first too: pandas takes the line for the header
        assert truth == ["sep=", "Unnamed: 1"]
        with pytest.raises(ValidationError, match=r"its first line \('sep=,'\) is the line Excel writes"):
            CsvStream(path).header()
    else:
        assert CsvStream(path).header() == truth
    assert len(seen) == 1, seen


@pytest.mark.parametrize("end", [",,\n,,\n", ",,\r\n\r\n,,\r\n", ",,\n,,", "\r,,\r,,\r"])
def test_empty_rows_of_separators_at_the_end_are_named(tmp_path, end):
    """A sheet saved with empty rows below its data ends in ',,' lines: pandas reads them as rows of missing values,
    and every reader refused them as "missing values on lines 22 and 23" (or, filling gaps, would have used them)."""
    path = tmp_path / "sheet.csv"
    text = "x,c,y\n" + ROWS
    path.write_bytes((text.replace("\n", "\r") if end[0] == "\r" else text).encode() + end[end[0] == "\r":].encode())
                                                                    # an old Mac file's lone \r ends its lines
    df = pd.read_csv(path)
    assert len(df) == 22 and df.tail(2).isna().all(axis=None)        # two rows of nothing, as pandas reads them
    last = 24 if "\r\n\r\n" in end else 23                                  # a blank line between: skipped
    said = (f"CSV file '{path}': its last 2 rows (on lines 22 and {last}) are empty rows of separators only (',,'), "
            "as a spreadsheet saves the empty rows below its data; pandas reads them as rows of missing values. "
            "Delete those lines from the file (or the empty rows from the sheet before saving it as CSV)")
    model = tmp_path / "m.npz"
    plain = tmp_path / "plain.csv"
    plain.write_text("x,c,y\n" + ROWS)
    assert cmd("train", plain, "--target", "y", "--out", model, "--epochs", "1", "--quiet",
               "--impute", "mean").returncode == 0
    for args in (("train", path, "--target", "y", "--out", tmp_path / "o.npz", "--impute", "mean"),
                 ("train", path, "--target", "y", "--out", tmp_path / "o.npz", "--stream"),
                 ("predict", model, path), ("evaluate", model, path)):
        r = cmd(*args)
        assert r.returncode == 2 and r.stderr.endswith(f"chainrule: error: {said}\n"), (args, r.stderr)
    for read in (read_csv, check_csv):
        with pytest.raises(ValidationError) as e:
            read(path)
        assert str(e.value) == said
    path.write_text("x,c,y\n" + ROWS + ",,\n" + ROWS)       # inside the data: a row of missing values, as pandas
    assert read_csv(path).equals(pd.read_csv(path)) and read_csv(path).iloc[20].isna().all()
    path.write_text("x\tc\ty\n" + ROWS.replace(",", "\t") + "\t\t\n")    # tabs: whitespace, but a row to pandas
    assert pd.read_csv(path, sep="\t").iloc[-1].isna().all()
    with pytest.raises(ValidationError, match=r"its last row \(on line 22\) is an empty row of separators only "
                       r"\('\\t\\t'\), as a spreadsheet saves the empty rows below its data; pandas reads it as a row "
                       "of missing values. Delete that line from the file"):
        read_csv(path)


def test_standard_input_as_a_dash_names_what_works(tmp_path):
    """'-' (pandas' and many tools' name for standard input) was "CSV file '-' does not exist"."""
    said = ("CSV file '-' does not exist: standard input is not read as '-'; give /dev/stdin to train (it reads a "
            "pipe once, whole), or save the data to a file and give that (predict, evaluate and train --stream read "
            "a file more than once)")
    model = tmp_path / "m.npz"
    for args in (("train", "-", "--target", "y", "--out", model), ("train", "-", "--target", "y", "--out", model,
                                                                      "--stream")):
        r = cmd(*args)
        assert r.returncode == 2 and r.stderr == f"chainrule: error: {said}\n", r.stderr
    r = cli("train", "/dev/stdin", "--target", "y", "--out", model, "--epochs", "1", "--quiet",
            stdin="x,c,y\n" + ROWS)                         # what the message advises works, from a real pipe
    assert r.returncode == 0 and model.exists(), r.stderr
    for args in (("predict", model, "-"), ("evaluate", model, "-")):
        r = cmd(*args)
        assert r.returncode == 2 and r.stderr == f"chainrule: error: {said}\n", r.stderr


def test_a_separator_ending_every_line_is_named_by_the_empty_column_it_makes(tmp_path):
    """'x,c,y,\\r\\n' on every line: pandas reads a fourth column 'Unnamed: 3' without a value; train said only that
    'Unnamed: 3' has no values, a name that is nowhere in the file."""
    path = tmp_path / "ends.csv"
    path.write_bytes(("x,c,y,\r\n" + ROWS.replace("\n", ",\r\n")).encode())
    df = pd.read_csv(path)
    assert list(df.columns) == ["x", "c", "y", "Unnamed: 3"] and df["Unnamed: 3"].isna().all()
    said = ("column 'Unnamed: 3' has no values at all (nor a name in the header: pandas names it so; a separator ends "
            "every line, or the sheet had an empty column); leave it out (chainrule train --drop 'Unnamed: 3', or "
            "remove it from the file)")
    for stream in ((), ("--stream",)):
        r = cmd("train", path, "--target", "y", "--out", tmp_path / "m.npz", *stream)
        assert r.returncode == 2 and r.stderr.endswith(f"chainrule: error: {said}\n"), r.stderr
    r = cmd("train", path, "--target", "y", "--out", tmp_path / "m.npz", "--drop", "Unnamed: 3", "--epochs", "1")
    assert r.returncode == 0, r.stderr                           # the advice works


@pytest.mark.parametrize("blank", [5000, 70000])
@pytest.mark.parametrize("body", ["x,c,y\n" + ROWS, "x,y\n1,2\n3,4\n"])
def test_excels_line_after_many_blank_lines_is_named(tmp_path, blank, body):
    """Blank lines before 'sep=,' put it past the first 4 KiB that were read for it: the file was refused as
    ragged ("the header (line 5001: 'sep=,') has 2"), read with the header 'sep=,' when every row has two fields,
    and a stream's header was ['sep=', 'Unnamed: 1'] without a word."""
    path = tmp_path / "far.csv"
    path.write_text("\n" * blank + "sep=,\n" + body)
    assert list(pd.read_csv(path, nrows=0).columns) == ["sep=", "Unnamed: 1"]    # pandas skips the blank lines
    said = r"its first line \('sep=,'\) is the line Excel writes to name the separator, not the header"
    for read in (read_csv, check_csv, lambda p: CsvStream(p).header()):
        with pytest.raises(ValidationError, match=said):
            read(path)
    r = cmd("train", path, "--target", "y", "--out", tmp_path / "m.npz", "--stream")
    assert r.returncode == 2 and "its first line ('sep=,') is the line Excel writes" in r.stderr, r.stderr


def test_a_quote_never_closed_is_named_not_the_rows_it_swallowed(tmp_path):
    """'1,"abc' then ',,': the quote runs to the end, so ',,' is inside a cell (pandas: "unexpected end of data");
    the file was refused as ending in an empty row, and deleting that line left the quote."""
    path = tmp_path / "open.csv"
    path.write_text("x,c,y\n" + ROWS + '1,"abc\n,,\n')
    with pytest.raises(pd.errors.ParserError, match="EOF inside string"):
        pd.read_csv(path)
    for read in (read_csv, check_csv):
        with pytest.raises(ValidationError, match=r"line 22 opens a quote \(\"\) that is never closed"):
            read(path)


def test_empty_rows_of_quoted_cells_at_the_end_are_named(tmp_path):
    """'"","",""' (every cell quoted, as pandas' QUOTE_ALL writes a row of missing values) ends the file: pandas
    reads it as missing values, as ',,'; it was read as rows and, with --impute or a model that fills gaps, learnt
    from or predicted."""
    path = tmp_path / "quoted.csv"
    path.write_text("x,c,y\n" + ROWS + '"","",""\n"","",""\n')
    df = pd.read_csv(path)
    assert len(df) == 22 and df.tail(2).isna().all(axis=None)
    said = (f"CSV file '{path}': its last 2 rows (on lines 22 and 23) are empty rows of empty quoted cells only "
            "('\"\",\"\",\"\"'), as a program that quotes every cell saves the empty rows below its data; pandas reads "
            "them as rows of missing values. Delete those lines from the file")
    model = tmp_path / "m.npz"
    plain = tmp_path / "plain.csv"
    plain.write_text("x,c\n" + "".join(f"{i},{'ab'[i % 2]}\n" for i in range(20)))
    for args in (("train", path, "--target", "y", "--out", tmp_path / "o.npz", "--impute", "mean", "--epochs", "1"),
                 ("train", path, "--target", "y", "--out", tmp_path / "o.npz", "--stream")):
        r = cmd(*args)
        assert r.returncode == 2 and said in r.stderr, (args, r.stderr)
    assert cmd("train", plain, "--target", "c", "--out", model, "--epochs", "1", "--quiet", "--impute",
               "mean").returncode == 0                          # a model that fills gaps: it predicted 22 rows
    r = cmd("predict", model, path)
    assert r.returncode == 2 and said in r.stderr, r.stderr
    path.write_text("x\n" + "".join(f"{i}\n" for i in range(20)) + '""\n')     # one column: a missing value
    assert read_csv(path).equals(pd.read_csv(path)) and len(read_csv(path)) == 21


@pytest.mark.parametrize("codec", ["utf-16-be", "utf-16-le", "utf-8"])
def test_empty_rows_at_the_end_of_a_large_file_in_any_byte_order(tmp_path, codec):
    """A file larger than the tail read for its last lines: that tail was decoded without the file's byte order mark,
    so a big-endian UTF-16 file's was read as little-endian, and its ';;' rows passed (and were learnt from)."""
    path = tmp_path / "big.csv"
    bom = {"utf-16-be": b"\xfe\xff", "utf-16-le": b"\xff\xfe", "utf-8": b"\xef\xbb\xbf"}[codec]
    path.write_bytes(bom + ("x;c;y\n" + ROWS.replace(",", ";") * 2000 + ";;\n;;\n").encode(codec))
    assert path.stat().st_size > 1 << 17
    df = pd.read_csv(path, sep=";", encoding="utf-16" if "16" in codec else "utf-8-sig")
    assert len(df) == 40002 and df.tail(2).isna().all(axis=None) and df.iloc[-3].notna().all()
    for read in (read_csv, check_csv):
        with pytest.raises(ValidationError, match=r"its last 2 rows \(on lines 40002 and 40003\) are empty rows of "
                           r"separators only \(';;'\)"):
            read(path)


def test_a_long_empty_row_is_shown_cut_as_cut(tmp_path):
    """A 30-column sheet's empty row was shown as (',,,,,,,,,,,,,,,,,,,) — 19 commas, no closing quote — a row
    that is not the file's."""
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(30)) + "\n" + ",".join("1" * 30) + "\n" + "," * 29 + "\n")
    assert pd.read_csv(path).iloc[-1].isna().all()
    with pytest.raises(ValidationError, match=r"its last row \(on line 3\) is an empty row of separators only "
                       r"\(',,,,,,,,,,,,,,,,\.\.\.\), as a spreadsheet saves"):
        read_csv(path)


def test_excels_line_in_a_utf16_file_without_its_mark_is_named_by_a_streams_header(tmp_path):
    """UTF-16 without a byte order mark, read with encoding='utf-16-le': the first bytes are not text as UTF-8, so
    the line was missed there and a stream's header was ['sep=', 'Unnamed: 1'], as pandas reads it."""
    path = tmp_path / "u16.csv"
    path.write_bytes(("sep=;\nx;c;y\n" + ROWS.replace(",", ";")).encode("utf-16-le"))
    assert list(pd.read_csv(path, sep=";", encoding="utf-16-le", nrows=0).columns) == ["sep=", "Unnamed: 1"]
    for read in (lambda p: CsvStream(p, encoding="utf-16-le").header(), lambda p: read_csv(p, encoding="utf-16-le")):
        with pytest.raises(ValidationError, match=r"its first line \('sep=;'\) is the line Excel writes"):
            read(path)


def test_a_long_run_of_empty_rows_is_named_from_its_first_line_in_a_short_message(tmp_path):
    """40,000 ',,' rows: only the last 64 KiB was read and its first full row taken for the header, so a
    153,212-character message named lines 18178..40021 one by one (the run starts on line 22)."""
    path = tmp_path / "sheet.csv"
    text = "x,c,y\n" + ROWS + ",,\n" * 40000
    path.write_text(text)
    df = pd.read_csv(path)
    assert len(df) == 40020 and df.tail(40000).isna().all(axis=None) and df.iloc[19].notna().all()
    last = text.count("\n")                                         # each row a line: the file's last line
    for read in (read_csv, check_csv):
        with pytest.raises(ValidationError) as e:
            read(path)
        assert f"its last 40000 rows (on lines 22-{last}) are empty rows of separators only" in str(e.value)
        assert len(str(e.value)) < 400, len(str(e.value))


def test_a_separator_row_longer_than_the_header_is_an_uneven_row(tmp_path):
    """',,,,' under 'x,c,y' was called an empty row pandas reads as missing values; pandas refuses it (5 fields in
    line 22 where 3 are expected), as the uneven-rows check did before."""
    path = tmp_path / "long.csv"
    path.write_text("x,c,y\n" + ROWS + ",,,,\n")
    with pytest.raises(pd.errors.ParserError, match="Expected 3 fields in line 22, saw 5"):
        pd.read_csv(path)
    for read in (read_csv, check_csv):
        with pytest.raises(ValidationError, match="line 22 has 5 fields but the header") as e:
            read(path)
        assert "empty row" not in str(e.value)


def test_empty_rows_after_a_long_quoted_cell_are_named(tmp_path):
    """A tail starting inside a quoted cell of 30,000 lines read its quotes the wrong way round: nothing was refused
    and the last row, all missing in pandas, was learnt from."""
    path = tmp_path / "quoted.csv"
    text = 'x,c,y\n1,"' + ",,\n" * 30000 + '",0\n2,b,1\n,,\n'
    path.write_text(text)
    df = pd.read_csv(path)
    assert len(df) == 3 and df.iloc[-1].isna().all() and df.iloc[1].notna().all()
    for read in (read_csv, check_csv):
        with pytest.raises(ValidationError, match=rf"its last row \(on line {text.count(chr(10))}\) is an empty row "
                           r"of separators only"):
            read(path)


def test_a_row_of_some_quoted_empty_cells_is_not_said_quoted_by_a_program_quoting_every_cell(tmp_path):
    """'"",,' was said saved by "a program that quotes every cell": only one of its cells is quoted."""
    path = tmp_path / "mixed.csv"
    path.write_text("x,c,y\n" + ROWS + '"",,\n')
    assert pd.read_csv(path).iloc[-1].isna().all()
    with pytest.raises(ValidationError, match=r"its last row \(on line 22\) is an empty row of empty cells only "
                       r"\('\"\",,'\), as a program saves") as e:
        read_csv(path)
    assert "quotes every cell" not in str(e.value)


def test_a_text_buffer_is_read_as_pandas_reads_it():
    """read_csv(io.StringIO(...)) ended in "TypeError: startswith first arg must be str ... not bytes"."""
    import io
    text = "x,c,y\n" + ROWS + "0,é,1\n"
    df = read_csv(io.StringIO(text))
    assert df.equals(pd.read_csv(io.StringIO(text)))


def test_a_source_whose_read_gives_neither_bytes_nor_text_is_named():
    class Rows:
        name = "rows"

        def read(self):
            return [["x", "y"], [1, 2]]
    with pytest.raises(ValidationError, match=r"CSV file 'rows': read\(\) gave list, not bytes or str"):
        read_csv(Rows())
