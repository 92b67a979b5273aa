"""Real files as practitioners have them: the habits of files met in the wild,
read as pandas reads them or refused with words that say what the file is (docs/errors.md)."""
import io
import warnings
import zipfile

import pandas as pd
import pytest
from conftest import cli, cmd

from chainrule.data.csvfile import read_csv
from chainrule.errors import ValidationError

TEXT = "x,c,y\n" + "".join(f"{i / 10},{'ab'[i % 2]},{i % 3 == 0}\n" for i in range(30))


def _zip(data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("x.csv", data)
    return buf.getvalue()




def test_a_header_that_starts_as_bzip2_does_is_text(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("BZh9,y\n1,2\n3,4\n")
    assert read_csv(path).equals(pd.read_csv(path))


@pytest.mark.parametrize("text", ["sep=;\nx;c;y\n1;a;2\n3;b;4\n",           # rows ragged against the 'header'
                                  "sep=;\nx;y\n1;2\n3;4\n",                  # every line split evenly by ';'
                                  "sep=,\r\nx,c,y\r\n1,a,2\r\n3,b,4\r\n"])
def test_excels_separator_line_is_named(tmp_path, text):
    path = tmp_path / "excel.csv"
    path.write_bytes(text.encode())
    sep = text[4]
    assert pd.read_csv(path).columns[0].startswith("sep=")       # pandas takes Excel's line for the header
    said = (f"CSV file '{path}': its first line ('sep={sep}') is the line Excel writes to name the separator, not "
            f"the header: remove that line and give --sep '{sep}'")
    model = tmp_path / "m.npz"
    plain = tmp_path / "plain.csv"
    plain.write_text("x,c,y\n" + "".join(f"{i},{'ab'[i % 2]},{i % 2}\n" for i in range(20)))
    assert cmd("train", plain, "--target", "y", "--out", model, "--epochs", "1", "--quiet").returncode == 0
    for args in (("train", path, "--target", "y", "--out", tmp_path / "o.npz"),
                 ("train", path, "--target", "y", "--out", tmp_path / "o.npz", "--stream"),
                 ("predict", model, path), ("evaluate", model, path), ("explain", model, "--data", path)):
        r = cmd(*args)                    # the whole of stderr: no pandas warning before it (train --stream had two)
        assert r.returncode == 2 and r.stderr == f"chainrule: error: {said}\n", (args, r.stderr)
    with pytest.raises(ValidationError, match="the line Excel writes to name the separator"):
        read_csv(path)
    from chainrule.data.stream import CsvStream
    with warnings.catch_warnings():
        warnings.simplefilter("error")                      # pandas' ParserWarning was given, then ['sep=', ...]
        with pytest.raises(ValidationError, match="the line Excel writes to name the separator"):
            CsvStream(path).header()
    path.write_text(text[6:] if text[5] == "\n" else text[7:])     # without it: read as pandas reads it
    assert read_csv(path).equals(pd.read_csv(path, sep=sep))


@pytest.mark.parametrize("end", ["", ","])
def test_a_column_without_a_name_is_named_as_pandas_names_it(tmp_path, end):
    """A header ",c," or "x,,y" (a spreadsheet's unnamed column, a separator at each line's end): train named the
    column 'Unnamed: 1' (pandas' name) but predict's line check named it '', so the model could not predict the very
    file it was trained on ("column 'Unnamed: 1' is missing")."""
    import chainrule as cr
    from chainrule.data.tabular import Preprocessing
    path = tmp_path / "unnamed.csv"
    path.write_text(f"x,,y{end}\n" + "".join(f"{i / 10},{'abc'[i % 3]},{'yn'[i % 2]}{end}\n" for i in range(30)))
    df = pd.read_csv(path)
    assert list(df.columns) == ["x", "Unnamed: 1", "y"] + ["Unnamed: 3"] * len(end)
    leave = ("--drop", "Unnamed: 3") if end else ()
    keep = ("--id", "Unnamed: 3") if end else ()
    model = tmp_path / "m.npz"
    for stream in ((), ("--stream",)):
        r = cmd("train", path, "--target", "y", *leave, "--out", model, "--epochs", "2", "--quiet", *stream)
        assert r.returncode == 0, r.stderr
        r = cmd("predict", model, path, *keep)
        assert r.returncode == 0, r.stderr
        net, extra = cr.load(model, with_extra=True)
        pre = Preprocessing.from_json(extra["tabular"])
        assert pre.columns == ["x", "Unnamed: 1"]
        expected = pre.decode(net.predict(pre.transform(df[pre.columns])))
        got = pd.read_csv(io.StringIO(r.stdout))
        assert list(got.columns) == list(keep[1:]) + ["prediction"] and list(got["prediction"]) == list(expected)
        assert cmd("evaluate", model, path).returncode == 0


def test_a_missing_column_names_the_files_column_it_likely_is(tmp_path):
    """A header "x, c" (a space after the comma, kept by pandas: ' c') or another case: the model's 'c' is
    missing, and the error says which of the file's columns it likely is, in predict, evaluate and transform."""
    import chainrule as cr
    from chainrule.data.tabular import Preprocessing
    train = tmp_path / "train.csv"
    train.write_text("x,c,y\n" + "".join(f"{i},{'ab'[i % 2]},{i % 2}\n" for i in range(20)))
    model = tmp_path / "m.npz"
    assert cmd("train", train, "--target", "y", "--out", model, "--epochs", "1", "--quiet").returncode == 0
    spaced = tmp_path / "spaced.csv"
    spaced.write_text(train.read_text().replace("x,c,y", "X, c,y", 1))
    assert list(pd.read_csv(spaced).columns) == ["X", " c", "y"]
    said = ("columns ['x', 'c'] are missing (the file's 'X' is likely 'x'; the file's ' c' is likely 'c'): the model "
            "was trained on columns ['x', 'c']")
    for command in ("predict", "evaluate"):
        r = cmd(command, model, spaced)
        assert r.returncode == 2 and r.stderr.strip().endswith(said), r.stderr
    _, extra = cr.load(model, with_extra=True)
    with pytest.raises(ValidationError, match=r"\(the file's ' c' is likely 'c'\)"):
        Preprocessing.from_json(extra["tabular"]).transform(pd.read_csv(spaced).rename(columns={"X": "x"}))


@pytest.mark.parametrize("saved", ["utf-8", "utf-8-sig", "utf-16"])
def test_a_file_saved_again_in_utf8_is_not_read_with_the_models_latin1(tmp_path, saved):
    """A model trained on a Latin-1 file (--encoding latin-1) reads predict's file as Latin-1 when not told; the
    same file saved again as UTF-8 (with or without its mark) or UTF-16 was read so too: its names were others
    ('grÃ¶ÃŸe'), missing, and its cells unseen categories."""
    import chainrule as cr
    from chainrule.data.tabular import Preprocessing
    text = "größe,farbe,y\n" + "".join(f"{i / 10},{['grün', 'weiß', 'rot'][i % 3]},{i % 2}\n" for i in range(30))
    train, again = tmp_path / "latin1.csv", tmp_path / "again.csv"
    train.write_bytes(text.encode("latin-1"))
    again.write_bytes(text.encode(saved))
    model = tmp_path / "m.npz"
    r = cmd("train", train, "--target", "y", "--encoding", "latin-1", "--out", model, "--epochs", "2", "--quiet")
    assert r.returncode == 0, r.stderr
    net, extra = cr.load(model, with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    df = pd.read_csv(again, encoding=saved)
    expected = [str(v) for v in pre.decode(net.predict(pre.transform(df[pre.columns])))]
    for path in (again, train):                    # the Latin-1 file itself: read as the model's, as before
        r = cmd("predict", model, path)
        assert r.returncode == 0 and "UnseenCategory" not in r.stderr, r.stderr
        assert [str(v) for v in pd.read_csv(io.StringIO(r.stdout))["prediction"]] == expected
    assert "encoding latin-1 (the model's)" in r.stderr


def _workbook(kind: str) -> bytes:
    """A workbook's zip as Excel (.xlsx: an xl/ folder, docProps first as openpyxl writes it) or LibreOffice (.ods:
    its mimetype entry first) lay it out."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        if kind == "xlsx":
            for entry in ("docProps/app.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "[Content_Types].xml"):
                z.writestr(entry, "<x/>")
        else:
            z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            z.writestr("content.xml", "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize("ext", ["xlsx", "ods", "xls", "parquet"])
def test_a_workbook_or_parquet_file_is_named_so(tmp_path, ext):
    path = tmp_path / f"data.{ext}"
    if ext == "parquet":
        pd.read_csv(io.StringIO(TEXT)).to_parquet(path)          # pandas' own Parquet file
    elif ext == "xls":
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000))   # the OLE2 mark of Excel 97-2003
    else:
        path.write_bytes(_workbook(ext))
    said = "is a Parquet file, not CSV text" if ext == "parquet" else "is a spreadsheet workbook (Excel or LibreOffice)"
    needs = {"xlsx": "openpyxl", "xls": "xlrd", "ods": "odfpy"}.get(ext, "")     # what pandas.read_excel asks for
    model = tmp_path / "m.npz"
    (tmp_path / "plain.csv").write_text(TEXT)
    assert cmd("train", tmp_path / "plain.csv", "--target", "y", "--out", model, "--epochs", "1").returncode == 0
    for args in (("train", path, "--target", "y", "--out", tmp_path / "o.npz"),
                 ("train", path, "--target", "y", "--out", tmp_path / "o.npz", "--stream"),
                 ("predict", model, path), ("evaluate", model, path), ("explain", model, "--data", path)):
        r = cmd(*args)
        assert r.returncode == 2 and f"'{path}' {said}" in r.stderr, r.stderr
        assert not needs or f"(which needs {needs}: pip install {needs})" in r.stderr, r.stderr
        # pandas.read_parquet names the engines it needs: "pyarrow or fastparquet is required"
        assert ext != "parquet" or "(which needs pyarrow or fastparquet: pip install pyarrow)" in r.stderr, r.stderr
    with pytest.raises(ValidationError, match=said.replace("(", r"\(").replace(")", r"\)")):
        read_csv(io.BytesIO(path.read_bytes()))


@pytest.mark.parametrize("quoted", [False, True])
@pytest.mark.parametrize("where", ["tail", "cell"])
def test_nul_bytes_after_the_first_64k_are_named_with_their_line(tmp_path, quoted, where):
    """A file cut short as it was written (a crash, a full disk) ends in NUL bytes: past the first 64 KiB they were
    said to be a row with one field where the header has 3 (advice: remove a line of counts), or read as a cell."""
    q = '"' if quoted else ""                      # quotes: the line check's csv-module path, else its byte count
    lines = ["x,c,y"] + [f"{i / 7:.6f},{q}c{i % 3}{q},{i % 2}" for i in range(6000)]
    if where == "cell":
        lines[4321] = lines[4321].replace("c", "c\x00", 1)
    data = ("\n".join(lines) + "\n").encode() + (b"\x00" * 3000 if where == "tail" else b"")
    first = data.find(b"\x00")
    assert first > 65536
    line = next(n for n, text in enumerate(data.split(b"\n"), 1) if b"\x00" in text)
    path = tmp_path / "cut.csv"
    path.write_bytes(data)
    said = f"CSV file '{path}': line {line} holds NUL bytes, which text never does"
    model = tmp_path / "m.npz"
    plain = tmp_path / "plain.csv"
    plain.write_text("\n".join(lines[:50]).replace("\x00", "") + "\n")
    assert cmd("train", plain, "--target", "y", "--out", model, "--epochs", "1", "--quiet").returncode == 0
    for args in (("train", path, "--target", "y", "--out", tmp_path / "o.npz"),
                 ("train", path, "--target", "y", "--out", tmp_path / "o.npz", "--stream"),
                 ("predict", model, path)):
        r = cmd(*args)
        assert r.returncode == 2 and said in r.stderr, (args, r.stderr)


def test_a_pipe_is_refused_by_the_readers_that_read_twice(tmp_path):
    """`predict m.npz /dev/stdin` (or <(zcat data.csv.gz)): the lines were checked, then the rows read from a pipe
    already read to its end: "CSV file '/dev/stdin' is empty" (train --stream: "No columns to parse")."""
    plain = tmp_path / "plain.csv"
    plain.write_text(TEXT)
    model = tmp_path / "m.npz"
    assert cmd("train", plain, "--target", "y", "--out", model, "--epochs", "1", "--quiet").returncode == 0
    said = ("CSV file '/dev/stdin' is a pipe (standard input, or <(...) in a shell), not a file: it is read more "
            "than once")
    for args in (("predict", model, "/dev/stdin"), ("explain", model, "--data", "/dev/stdin"),
                 ("train", "/dev/stdin", "--target", "y", "--out", tmp_path / "s.npz", "--stream")):
        r = cli(*args, stdin=TEXT)                 # a real process: its standard input a pipe
        assert r.returncode == 2 and said in r.stderr, (args, r.stderr)
    r = cli("train", "/dev/stdin", "--target", "y", "--out", tmp_path / "p.npz", "--epochs", "1", stdin=TEXT)
    assert r.returncode == 0 and (tmp_path / "p.npz").exists(), r.stderr     # read once, whole: as before


def test_train_keeps_a_piped_targets_leading_zeros(tmp_path):
    """`cat zl.csv | train /dev/stdin`: the target's leading zeros were looked for in the pipe read again, empty
    then: the classes were 3, 7, 10 where the file (and pandas reading it as text) gives '003', '007', '010'."""
    import chainrule as cr
    text = "x,y\n" + "".join(f"{i / 10},{['003', '007', '010'][i % 3]}\n" for i in range(30))
    r = cli("train", "/dev/stdin", "--target", "y", "--out", tmp_path / "p.npz", "--epochs", "1", stdin=text)
    assert r.returncode == 0, r.stderr
    _, extra = cr.load(tmp_path / "p.npz", with_extra=True)
    expected = sorted(pd.read_csv(io.StringIO(text), dtype={"y": str})["y"].unique())
    assert [str(c) for c in extra["tabular"]["classes"]] == expected


@pytest.mark.parametrize("choose", [("--drop", "c"), ("--features", "x")])
def test_the_reading_line_counts_the_files_columns_with_stream_too(tmp_path, choose):
    """`train --stream --drop c` said "2 columns" of a 3-column file (the columns kept), `train` the file's 3."""
    path = tmp_path / "f.csv"
    path.write_text(TEXT)
    n = len(pd.read_csv(path).columns)
    for stream in ((), ("--stream",)):
        r = cmd("train", path, "--target", "y", *choose, "--out", tmp_path / "m.npz", "--epochs", "1", *stream)
        line = next(t for t in r.stderr.splitlines() if t.startswith("read "))
        assert f"30 rows, {n} columns," in line, line


def _predict_as_pandas(model, path, encoding):
    """The model's predictions for the file read by pandas in `encoding`: the truth predict must give."""
    import chainrule as cr
    from chainrule.data.tabular import Preprocessing
    net, extra = cr.load(model, with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    df = pd.read_csv(path, encoding=encoding)
    return [str(v) for v in pre.decode(net.predict(pre.transform(df[pre.columns])))]


@pytest.mark.parametrize("case", ["moji", "late", "cut"])
def test_the_models_encoding_is_set_aside_by_the_whole_file(tmp_path, case):
    """A model trained with --encoding latin-1: its own file whose text is also UTF-8 ('Ã©' cells) is read as
    Latin-1 (it was read as UTF-8, its cells unseen); a UTF-8 copy whose first letter above 127 comes after 64 KiB,
    or whose long first line has a UTF-8 letter across 64 KiB, is read as UTF-8 (it was read as Latin-1), and the
    read line says the model's encoding was set aside."""
    cells = ["Ã©", "a"] if case == "moji" else ["é", "a"]
    pad = "p" * (70_000 if case == "cut" else 1)
    rows = [f"{i / 10},{cells[i % 2] if i >= (0 if case == 'moji' else 2500) else 'a'},{i % 2}\n"
            for i in range(3000)]
    train, other = tmp_path / "train.csv", tmp_path / "other.csv"
    train.write_bytes(("x,c,y\n" + "".join(f"{i / 10},{'éa'[i % 2]},{i % 2}\n" for i in range(40))).encode("latin-1")
                      if case != "moji" else ("x,c,y\n" + "".join(rows)).encode("latin-1"))
    head = "x,c,y" + ("," + pad[:65_529] + "é" if case == "cut" else "")
    text = head + "\n" + "".join(r[:-1] + ("," if case == "cut" else "") + "\n" for r in rows)
    other.write_bytes(text.encode("latin-1" if case == "moji" else "utf-8"))
    assert (case == "cut") == (other.read_bytes().find("é".encode()) == 65_535)
    model = tmp_path / "m.npz"
    r = cmd("train", train, "--target", "y", "--encoding", "latin-1", "--out", model, "--epochs", "3", "--quiet")
    assert r.returncode == 0, r.stderr
    encoding = "latin-1" if case == "moji" else "utf-8"
    r = cmd("predict", model, other)
    assert r.returncode == 0 and "UnseenCategory" not in r.stderr, r.stderr
    assert [str(v) for v in pd.read_csv(io.StringIO(r.stdout))["prediction"]] == \
        _predict_as_pandas(model, other, encoding)
    said = "encoding latin-1 (the model's)" if case == "moji" else \
        "encoding utf-8 (not the model's latin-1: the file is UTF-8)"
    assert said in r.stderr, r.stderr


def test_likely_claims_only_a_close_spelling_and_each_column_once():
    """A column holding the name was said to be it ('x_squared' is likely 'x'; 'account_id' likely 'c'; 'income'
    likely 'incomes_2019'), and one file column was said for two missing names."""
    from chainrule.data.csvfile import likely
    from chainrule.data.tabular import Preprocessing
    assert likely("x", ["x_squared"]) is None and likely("c", ["account_id"]) is None
    assert likely("income", ["incomes_2019", "outcome"]) is None
    assert likely("Income", [" income"]) == " income" and likely("incme", ["income"]) == "income"
    pre = Preprocessing.fit(pd.DataFrame({"age": [1.0, 2.0], "Age": [3.0, 4.0], "y": [0, 1]}), "y")
    said = str(pre.missing(["age", "Age"], ["AGE"]))
    assert said.count("is likely") == 1, said


def test_evaluate_names_the_files_column_its_missing_target_likely_is(tmp_path):
    """A header 'x, c, y' (spaces after the commas: pandas names the target ' y') lacked the target with no hint
    of the file's ' y', where the model's missing inputs get one."""
    plain, spaced, model = tmp_path / "plain.csv", tmp_path / "spaced.csv", tmp_path / "m.npz"
    plain.write_text(TEXT)
    spaced.write_text("x, c, y\n" + TEXT.split("\n", 1)[1])
    assert " y" in pd.read_csv(spaced).columns
    assert cmd("train", plain, "--target", "y", "--out", model, "--epochs", "1", "--quiet").returncode == 0
    r = cmd("evaluate", model, spaced)
    assert r.returncode == 2 and "target column 'y' is not in the file (the file's ' y' is likely 'y')" in r.stderr, \
        r.stderr


def test_a_small_file_ending_in_nul_bytes_is_cut_short_for_every_reader(tmp_path):
    """A file under 64 KiB cut short as it was written (text, then NUL bytes to its end) was "not a text file";
    it is named as cut short, with the line that removes the NUL bytes, by every reader alike."""
    import subprocess
    lines = ["x,c,y"] + [f"{i / 7:.6f},c{i % 3},{i % 2}" for i in range(40)]
    path, model, plain = tmp_path / "cut.csv", tmp_path / "m.npz", tmp_path / "plain.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode() + b"\x00" * 500)
    plain.write_text("\n".join(lines) + "\n")
    assert cmd("train", plain, "--target", "y", "--out", model, "--epochs", "1", "--quiet").returncode == 0
    said = (f"CSV file '{path}': line 42 holds NUL bytes, which text never does; a file that ends in them was cut "
            f"short as it was written (a crash, a full disk): remove them (the rows they stand for are lost: "
            f"tr -d '\\000' < {path} > {tmp_path / 'cut-fixed.csv'})")
    for args in (("train", path, "--target", "y", "--out", tmp_path / "o.npz"),
                 ("train", path, "--target", "y", "--out", tmp_path / "o.npz", "--stream"),
                 ("predict", model, path), ("evaluate", model, path), ("explain", model, "--data", path)):
        r = cmd(*args)
        assert r.returncode == 2 and r.stderr == f"chainrule: error: {said}\n", (args, r.stderr)
    subprocess.run(said.rsplit("lost: ", 1)[1][:-1], shell=True, check=True)       # the advice, as a shell runs it
    assert pd.read_csv(tmp_path / "cut-fixed.csv").equals(pd.read_csv(plain))
    (tmp_path / "bin.csv").write_bytes(b"x,c\x00\x01,y\n1,2,3\n" + b"\x00" * 10)
    assert "is not a text file (it holds NUL bytes)" in cmd("predict", model, tmp_path / "bin.csv").stderr


@pytest.mark.parametrize("kind", ["zstd", "xlsx"])
def test_a_piped_compressed_file_or_workbook_is_named_so(tmp_path, kind):
    """`zstdcat`-less `cat data.csv.zst | train /dev/stdin` was advised `unzstd '/dev/stdin'` (a pipe is no file to
    unpack in place), and a piped .xlsx was called zip-compressed (its zip listing, at its end, is not read)."""
    import subprocess
    import sys
    data = b"\x28\xb5\x2f\xfd" + bytes(range(200)) if kind == "zstd" else _workbook("xlsx")
    r = subprocess.run([sys.executable, "-m", "chainrule.cli", "train", "/dev/stdin", "--target", "y", "--out",
                        str(tmp_path / "o.npz")], input=data, capture_output=True, check=False, timeout=120)
    said = ("is zstd-compressed, not text: decompress it first (... | unzstd -c > data.csv) and give data.csv"
            if kind == "zstd" else "is a spreadsheet workbook (Excel or LibreOffice), not CSV text")
    assert r.returncode == 2 and said in r.stderr.decode(), r.stderr


def test_a_utf8_file_that_is_not_in_the_models_cp1252_is_read_as_utf8(tmp_path):
    """A UTF-8 file whose first letter above 127 ('Á': bytes c3 81, 0x81 not in cp1252) comes after 64 KiB was read
    with the model's cp1252 and refused as not cp1252 text."""
    train, other, model = tmp_path / "train.csv", tmp_path / "other.csv", tmp_path / "m.npz"
    train.write_bytes(("x,c,y\n" + "".join(f"{i / 10},{'éa'[i % 2]},{i % 2}\n" for i in range(40))).encode("cp1252"))
    rows = "".join(f"{i / 10},{'Á' if i >= 7900 else 'a'},{i % 2}\n" for i in range(8000))
    other.write_bytes(("x,c,y\n" + rows).encode())
    assert other.read_bytes().find(b"\xc3\x81") > 65536
    r = cmd("train", train, "--target", "y", "--encoding", "cp1252", "--out", model, "--epochs", "2", "--quiet")
    assert r.returncode == 0, r.stderr
    r = cmd("predict", model, other)
    assert r.returncode == 0 and "encoding utf-8 (not the model's cp1252: the file is UTF-8)" in r.stderr, r.stderr
    assert [str(v) for v in pd.read_csv(io.StringIO(r.stdout))["prediction"]] == \
        _predict_as_pandas(model, other, "utf-8")
