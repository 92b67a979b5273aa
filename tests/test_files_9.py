"""A refused file's advice, followed by whoever reads it until the file is read: a decimal comma in a comma-separated
file (which no reader here takes as decimal=','), a decimal mark equal to the separator, CsvStream's own reads and
the memory refusal, each in its caller's words (Preprocessing.fit and read_csv's arguments, CsvStream's, run_sweep's,
the command's options)."""
import shlex
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import cmd

from chainrule.data.csvfile import read_csv
from chainrule.data.stream import CsvStream
from chainrule.data.tabular import Preprocessing
from chainrule.errors import ValidationError

RESAVE = ("save it with ';' between fields (pandas.read_csv(path, dtype=str, keep_default_na=False).to_csv(new_path, "
          "sep=';', index=False))")


def said_to(path):
    """The command's way to save `path` with ';' between its fields: a line to run (with this interpreter, the code
    in the shell's single quotes), then the file to read."""
    new = path.stem + "-semicolon.csv"                  # written in the folder the line is run in
    return (f"save it with ';' between fields: {shlex.quote(sys.executable)} -c 'import pandas as pd; "
            f"pd.read_csv(\"{path}\", dtype=str, keep_default_na=False).to_csv(\"{new}\", sep=\";\", index=False)', "
            f"then read {new} with ")


# (file, its column a's numbers as written, the advice's end for fit, stream, sweep, command; the reading that works)
COMMA_FILES = [
    ('a,y\n5,2\n"1,5",3\n"7,25",2\n8,3\n"6,5",2\n9,3\n', ["5", "1.5", "7.25", "8", "6.5", "9"],
     {"fit": "then read it with sep=';', decimal=',' (read_csv, chainrule's or pandas')",
      "stream": "then read it with CsvStream(new_path, sep=';', decimal=',')",
      "sweep": "then read it with read={'sep': ';', 'decimal': ','}",
      "command": "--sep ';' --decimal ','"}, {"sep": ";", "decimal": ","}),
    ('a,y\n7,2\n"1.234,5",2\n"12.500,25",3\n8,3\n"2,5",2\n9,3\n', ["7", "1234.5", "12500.25", "8", "2.5", "9"],
     {"fit": "then read it with sep=';', decimal=',', thousands='.' (read_csv, chainrule's or pandas')",
      "stream": "then read it with CsvStream(new_path, sep=';', decimal=',', thousands='.')",
      "sweep": "then read it with read={'sep': ';', 'decimal': ',', 'thousands': '.'}",
      "command": "--sep ';' --decimal ',' --thousands '.'"}, {"sep": ";", "decimal": ",", "thousands": "."}),
]


def _resaved(path, tmp_path):
    """The file saved with ';' between its fields, as the advice says (its own example)."""
    new_path = tmp_path / "resaved.csv"
    pd.read_csv(path, dtype=str, keep_default_na=False).to_csv(new_path, sep=";", index=False)
    return new_path


def _mean(cells):
    return float(sum(Fraction(c) for c in cells) / len(cells))


def _options(reading):
    return [x for k, v in reading.items() for x in (f"--{k}", v)]


@pytest.mark.parametrize("text, numbers, advice, reading", COMMA_FILES)
def test_a_decimal_comma_in_a_comma_file_is_advised_a_reading_that_works(tmp_path, monkeypatch, text, numbers, advice,
                                                                         reading):
    monkeypatch.chdir(tmp_path)                         # the file named as a user names it, in the line to run
    path = Path("comma.csv")
    path.write_text(text)
    said = "its fields are separated by ',' too: " + RESAVE + ", "
    with pytest.raises(ValidationError) as e:
        Preprocessing.fit(read_csv(path), "y")
    assert str(e.value).endswith(said + advice["fit"]), str(e.value)
    with pytest.raises(ValidationError) as e:
        CsvStream(path).fit("y")
    assert str(e.value).endswith(said + advice["stream"]), str(e.value)
    r = cmd("train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz")
    assert r.returncode == 2 and r.stderr.rstrip().endswith(
        "its fields are separated by ',' too: " + said_to(path) + advice["command"]), r.stderr
    new_path = _resaved(path, tmp_path)                          # followed: the numbers are read as written
    pre = Preprocessing.fit(read_csv(new_path, **reading), "y")
    assert pre.numeric == ["a"] and pre.means[0] == pytest.approx(_mean(numbers))
    stream = CsvStream(new_path, **reading)
    assert stream.fit("y").means[0] == pytest.approx(_mean(numbers))
    stream.close()
    r = cmd("train", new_path, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz", *_options(reading))
    assert r.returncode == 0 and "numeric columns (1, standardised): ['a']" in r.stderr, r.stderr


def test_the_sweeps_decimal_comma_advice_in_a_comma_file_is_followed(tmp_path):
    from chainrule.sweep import run_sweep
    text, numbers, advice, reading = COMMA_FILES[0]
    path = tmp_path / "comma.csv"
    path.write_text(text)
    with pytest.raises(ValidationError) as e:
        run_sweep(path, "y", "hidden=2", out_dir=tmp_path / "s", epochs=1, cv=2)
    assert str(e.value).endswith(RESAVE + ", " + advice["sweep"]), str(e.value)
    result = run_sweep(_resaved(path, tmp_path), "y", "hidden=2", out_dir=tmp_path / "s", epochs=1, cv=2, read=reading)
    assert len(result.table) == 1


def test_a_decimal_mark_equal_to_the_separator_is_refused_with_a_way_that_works(tmp_path, monkeypatch):
    text, numbers, advice, reading = COMMA_FILES[0]
    monkeypatch.chdir(tmp_path)
    path = Path("comma.csv")
    path.write_text(text)
    mark = "the decimal mark ',' is also the separator (an unquoted 1,5 would be two fields): "
    said = mark + RESAVE + ", "
    with pytest.raises(ValidationError) as e:
        read_csv(path, decimal=",")
    assert str(e.value) == said + advice["fit"]
    for call in ("header", "count_rows"):                 # CsvStream's own reads, called directly: its words
        with pytest.raises(ValidationError) as e:
            getattr(CsvStream(path, decimal=","), call)()
        assert str(e.value) == said + advice["stream"]
    r = cmd("train", path, "--target", "y", "--decimal", ",", "--out", tmp_path / "m.npz")
    assert r.returncode == 2 and r.stderr.rstrip().endswith(mark + said_to(path) + advice["command"]), r.stderr
    # a file given sep='.' is refused the default decimal mark '.', and told to give another: followed
    dotted = tmp_path / "dotted.csv"
    dotted.write_text("a.y\n1,5.2\n2,25.3\n0,5.2\n3.3\n")
    with pytest.raises(ValidationError) as e:
        read_csv(dotted, sep=".")
    assert str(e.value).endswith("is also the separator (an unquoted 1.5 would be two fields): give another with "
                                 "decimal= (e.g. decimal=',')")
    assert Preprocessing.fit(read_csv(dotted, sep=".", decimal=","), "y").means[0] == pytest.approx(_mean(
        ["1.5", "2.25", "0.5", "3"]))
    r = cmd("train", dotted, "--target", "y", "--sep", ".", "--out", tmp_path / "m.npz")
    assert r.returncode == 2 and r.stderr.rstrip().endswith("give another with --decimal (e.g. --decimal ',')")
    r = cmd("train", dotted, "--target", "y", "--sep", ".", "--decimal", ",", "--epochs", "1", "--out", tmp_path / "m")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("text, option, value", [
    ('a,y\n7,2\n"1,234",2\n"12,500",3\n8,3\n', "thousands", ","),    # thousands ',' beside the separator ','
    ("a;y\n5;2\n1,5;3\n7;2\n8;3\n", "decimal", ","),
    ("a\ty\n5\t2\n1,5\t3\n7\t2\n8\t3\n", "decimal", ","),
    ("a;y\n7;2\n1,234;2\n12,500;3\n8;3\n", "thousands", ","),
])
def test_the_other_comma_advice_is_followed_as_given(tmp_path, text, option, value):
    path = tmp_path / "f.csv"
    path.write_text(text)
    with pytest.raises(ValidationError, match=f"read the file with {option}='{value}' "):
        Preprocessing.fit(read_csv(path), "y")
    with pytest.raises(ValidationError, match=fr"read the file with CsvStream\(path, {option}='{value}'\)$"):
        CsvStream(path).fit("y")
    r = cmd("train", path, "--target", "y", "--out", tmp_path / "m.npz")
    assert r.returncode == 2 and r.stderr.rstrip().endswith(f"give --{option} '{value}'"), r.stderr
    assert Preprocessing.fit(read_csv(path, **{option: value}), "y").numeric == ["a"]
    assert CsvStream(path, **{option: value}).fit("y").numeric == ["a"]
    r = cmd("train", path, "--target", "y", f"--{option}", value, "--epochs", "1", "--out", tmp_path / "m.npz")
    assert r.returncode == 0, r.stderr


def test_predicts_decimal_comma_hint_in_a_comma_file_is_followed(tmp_path, monkeypatch):
    train = tmp_path / "t.csv"
    train.write_text("a,b,y\n" + "".join(f"{i % 5}.5,{i % 3},{'pq'[i % 2]}\n" for i in range(20)))
    assert cmd("train", train, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz").returncode == 0
    monkeypatch.chdir(tmp_path)
    new = Path("new.csv")
    new.write_text('a,b\n"1,5",2\n"3,5",1\n')
    r = cmd("predict", tmp_path / "m.npz", new)
    assert r.returncode == 2 and r.stderr.rstrip().endswith(
        f"the file seems to write decimals with a comma: its fields are separated by ',' too: {said_to(new)}--sep ';' "
        "--decimal ','"), r.stderr
    r = cmd("predict", tmp_path / "m.npz", _resaved(new, tmp_path), "--sep", ";", "--decimal", ",")
    assert r.returncode == 0 and len(r.stdout.split()) == 3, r.stderr      # a header and two predictions


def test_csvstreams_own_reads_speak_its_words_and_are_followed(tmp_path):
    path = tmp_path / "amb.csv"
    path.write_text("a,b;c\n1,2;3\n4,5;6\n")
    for call in ("header", "count_rows"):
        with pytest.raises(ValidationError, match=r"give it with CsvStream\(path, sep=\.\.\.\)$"):
            getattr(CsvStream(path), call)()
    with pytest.raises(ValidationError, match=r"give it with CsvStream\(path, sep=\.\.\.\)$"):
        next(CsvStream(path).chunks())
    from chainrule.data.advice import give
    assert give("drop any") == "df.drop(columns=...)"          # the caller's words again after them
    stream = CsvStream(path, sep=";")
    assert stream.header() == ["a,b", "c"] and stream.count_rows() == 2


def test_the_memory_refusal_names_what_each_caller_can_give(tmp_path, monkeypatch):
    from chainrule.data import memory
    from chainrule.sweep import run_sweep
    path = tmp_path / "m.csv"
    path.write_text("a,b,y\n" + "".join(f"{i * 0.5},{'xyz'[i % 3]},{i % 2}\n" for i in range(30)))
    monkeypatch.setattr(memory, "available_bytes", lambda: 10)
    pre = Preprocessing.fit(read_csv(path), "y")
    with pytest.raises(MemoryError) as e:
        pre.transform(read_csv(path), sparse=False)
    assert ("leave columns out (df.drop(columns=[...])); keep fewer categories (max_categories=, e.g. 50); use "
            "float32, half the memory (dtype='float32'); or keep the inputs on disk (chainrule.data.stream.CsvStream)"
            ) in str(e.value)
    with pytest.raises(MemoryError) as e:
        run_sweep(path, "y", "hidden=2", out_dir=tmp_path / "s", epochs=1, cv=2)
    assert str(e.value).endswith("To fit: leave columns out (drop=[...]); or use float32, half the memory "
                                 "(dtype='float32')"), str(e.value)      # run_sweep reads no stream
    r = cmd("train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz")
    assert r.returncode == 4 and r.stderr.rstrip().endswith(
        "To fit: leave columns out (--drop COLUMN); use float32, half the memory (--dtype float32); or keep the "
        "inputs on disk (chainrule train --stream)"), r.stderr
    monkeypatch.setattr(memory, "available_bytes", lambda: 1200)      # 1,084 bytes of float32 fit, 1,324 of float64 not
    r = cmd("train", path, "--target", "y", "--epochs", "1", "--dtype", "float32", "--out", tmp_path / "m.npz")
    assert r.returncode == 0, r.stderr
    assert run_sweep(path, "y", "hidden=2", out_dir=tmp_path / "s", epochs=1, cv=2, dtype="float32").table is not None
    assert np.asarray(pre.transform(read_csv(path), dtype="float32").todense()).dtype == np.float32
    r = cmd("train", path, "--target", "y", "--epochs", "1", "--stream", "--out", tmp_path / "m.npz")
    assert r.returncode == 0, r.stderr


def test_docs_errors_rows_show_the_messages_as_said(tmp_path, monkeypatch):
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    monkeypatch.chdir(tmp_path)                                     # the file as the row names it: eu.csv
    Path("eu.csv").write_text('x,y\n"0,5",p\n"1,5",q\n"2,25",p\n')
    for title, given in (("decimal comma in a comma-separated file", ()),
                         ("decimal mark equal to the separator", ("--decimal", ","))):
        r = cmd("train", "eu.csv", "--target", "y", *given, "--out", tmp_path / "m.npz")
        said = r.stderr.splitlines()[-1].removeprefix("chainrule: error: ")
        said = said.replace(shlex.quote(sys.executable) + " -c ", "/path/to/python -c ")    # where it is here
        assert f"| {title} | {said} |" in doc, said


def test_predicts_memory_refusal_says_its_own_option_and_is_followed(tmp_path, monkeypatch):
    from chainrule.data import memory
    path = tmp_path / "m.csv"
    path.write_text("a,b,y\n" + "".join(f"{i * 0.5},{'xyz'[i % 3]},{i % 2}\n" for i in range(30)))
    assert cmd("train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz").returncode == 0
    monkeypatch.setattr(memory, "available_bytes", lambda: 500)    # 30 rows' CSR inputs need 1,324 bytes, 5 rows' 224
    for command in ("predict", "evaluate"):      # neither takes --drop, --dtype nor --stream: the model fixes them
        r = cmd(command, tmp_path / "m.npz", path)
        assert r.returncode == 4 and r.stderr.rstrip().endswith(
            "To fit: read fewer rows at a time (--chunk-rows 8)"), r.stderr
        r = cmd(command, tmp_path / "m.npz", path, "--chunk-rows", "8")
        assert r.returncode == 0, r.stderr
    r = cmd("predict", tmp_path / "m.npz", path, "--chunk-rows", "8")
    assert len(r.stdout.split()) == 31                                    # a header and every row's prediction


def test_the_streams_separator_and_encoding_advice_is_its_own_and_followed(tmp_path):
    semi = tmp_path / "semi.csv"
    semi.write_text("a,b,note,y\n1,2,x,p\n3,4,y,q\n5,6,x;z,p\n")      # a comma file read with sep=';'
    with pytest.raises(ValidationError, match=r"is the separator ','\? \(read it with CsvStream\(path, sep=','\)\)$"):
        CsvStream(semi, sep=";").fit("y")
    assert CsvStream(semi, sep=",").fit("y").numeric == ["a", "b"]
    latin = tmp_path / "l1.csv"
    latin.write_bytes("a,b,y\n\u00e9t\u00e9,1,p\nhiver,2,q\n".encode("latin-1"))
    for call in (lambda s: s.header(), lambda s: s.fit("y")):
        with pytest.raises(ValidationError, match=r"read it with its encoding, e.g. CsvStream\(path, "
                                                  r"encoding='latin-1'\) \(or 'cp1252'\)$"):
            call(CsvStream(latin))
    assert CsvStream(latin, encoding="latin-1").fit("y").categories["a"] == ["hiver", "\u00e9t\u00e9"]
