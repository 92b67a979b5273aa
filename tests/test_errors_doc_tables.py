"""docs/errors.md's tables read against what the code says now: each row below is run (the command through
`conftest.cmd`, the call in Python) and its message compared with the row's, whole; a row's "..." stands for the
words left out, so only the words around it must be there, in their order. Rows other tests compare whole are left
to them (tests/test_errors.py, test_errors_catalogue_30.py, test_first_look_16.py, test_file_names.py)."""
import builtins
import gzip
import os
import random
import re
import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import cmd

import chainrule as cr

DOC = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()


def table(start: str, end: str) -> dict[str, str]:
    """{case: message} of the first table after `start`, to `end`: the message is the cell after the case and its class
    (a Python row) or after the case alone (a command's row); Markdown's escaped | is the | printed."""
    rows = {}
    for line in ("\n|" + DOC.split(start, 1)[1].split("\n|", 1)[1]).split(end, 1)[0].splitlines():
        cells = [c.strip().replace("\\|", "|") for c in line.strip().strip("|").split(" | ")]
        if len(cells) >= 2 and not set(cells[0]) <= set("-") and cells[0] != "case":
            rows[cells[0]] = cells[2] if cells[1].startswith("`") else cells[1]
    return rows


def as_documented(documented: str, said: str) -> bool:
    """Whether `said` is the row's message: the same words, where the row writes "..." any words."""
    parts = documented.split("...")
    if len(parts) == 1:
        return said == documented
    if not (said.startswith(parts[0]) and said.endswith(parts[-1])):
        return False
    at = len(parts[0])
    for part in parts[1:-1]:
        at = said.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return len(said) - len(parts[-1]) >= at


def test_the_matcher_takes_the_left_out_words_only():
    assert as_documented("a ... c", "a b c") and as_documented("a b", "a b") and as_documented("x ...", "x y")
    assert not as_documented("a ... c", "a b d") and not as_documented("a b", "a b c")
    assert not as_documented("ab ... ba", "aba")


CSV_ROWS = table("Reading a CSV file (", "\n\n")


def _lines(n: int) -> str:
    return "".join(f"{i},{'pq'[i % 2]}\n" for i in range(n))


# each case: the files to write (name: text or bytes), then the command's words
CSV_CASES = {
    "ragged row over several lines": (
        {"bad.csv": 'a,b,note,y\n1,2,x,p\n3,4,"oops,5\n6,7,z,q\n8,9,w,p\n10,11,v,q\n12,13,t",p,x\n14,15,u,q\n'},
        ["train", "bad.csv", "--target", "y"]),
    "wrong separator in the cells": ({"semi.csv": "a,b,note,y\n1,2,x,p\n3,4,w,q\n5,6,x;z,p\n7,8,w,q\n"},
                                     ["train", "semi.csv", "--target", "y", "--sep", ";"]),
    "not UTF-8": ({"l1.csv": "a,y\ncaf\xe8,p\nb,q\n".encode("latin-1")}, ["train", "l1.csv", "--target", "y"]),
    "quote never closed": ({"q.csv": 'a,y\n1,p\n2,q\n3,p\n4,q\n5,p\n"6,q\n7,p\n8,q\n'},
                           ["train", "q.csv", "--target", "y"]),
    "binary": ({"x.csv": b"a,y\n1,p\n" + b"\x00" * 100 + b"2,q\n"}, ["train", "x.csv", "--target", "y"]),
    "UTF-16 without its mark": ({"x.csv": "a,y\n1,p\n2,q\n".encode("utf-16-le")}, ["train", "x.csv", "--target", "y"]),
    "NUL bytes later on": ({"x.csv": ("a,y\n" + _lines(9999)).encode() + b"\x00" * 100},
                           ["train", "x.csv", "--target", "y"]),
    "compressed": ({"x.csv.zst": b"\x28\xb5\x2f\xfd" + b"\x00" * 40}, ["train", "x.csv.zst", "--target", "y"]),
    "an empty zip": ({"x.zip": b"PK\x05\x06" + b"\x00" * 18}, ["train", "x.zip", "--target", "y"]),
    "compressed, cut short": (
        {"x.csv.gz": gzip.compress(("a,y\n" + random.Random(0).randbytes(4000).hex()).encode())[:-20]},
        ["train", "x.csv.gz", "--target", "y"]),
    "ambiguous separator": ({"amb.csv": "a,b;c\n1,2;3\n4,5;6\n"}, ["train", "amb.csv", "--target", "c"]),
    "wrong separator": ({"x.csv": "a,b,note,y\n1,2,x,p\n3,4,w,q\n"}, ["train", "x.csv", "--target", "y", "--sep", ";"]),
    "missing columns": ({"two.csv": "sepal_length,petal_length\n1,2\n"}, ["predict", "iris.npz", "two.csv"]),
    "none of the model's columns": ({}, ["predict", "iris.npz", "diabetes.csv"]),
    "a model given as the data": ({}, ["predict", "iris.npz", "iris.npz"]),
    "Excel's separator line": ({"x.csv": "sep=;\na;y\n1;p\n2;q\n"}, ["train", "x.csv", "--target", "y"]),
    "empty rows at the end": ({"x.csv": "a,b,y\n" + _lines(20).replace(",", ",1,") + ",,\n,,\n"},
                              ["train", "x.csv", "--target", "y"]),
    "standard input as '-'": ({}, ["train", "-", "--target", "y"]),
    "duplicate column": ({"x.csv": "a,a,y\n1,2,p\n3,4,q\n"}, ["train", "x.csv", "--target", "y"]),
    "placeholder in a numeric column": (
        {"x.csv": "hp,y\n" + "".join(f"{'?' if i in (5, 30) else i},{'ab'[i % 2]}\n" for i in range(90))},
        ["train", "x.csv", "--target", "y"]),
    "decimal comma": ({"x.csv": "x;y\n0,5;p\n1,5;q\n"}, ["train", "x.csv", "--target", "y"]),
    "thousands separators": ({"x.csv": 'income,y\n"1,234",a\n"2,500",b\n"12,500.5",a\n'},
                             ["train", "x.csv", "--target", "y"]),
    "time spans": ({"x.csv": "span,y\n1 days 02:00:00,p\n2 days 03:00:00,q\n3 days,p\n"},
                   ["train", "x.csv", "--target", "y"]),
    "percentages": ({"x.csv": "p,y\n12%,a\n15%,b\n20%,a\n"}, ["train", "x.csv", "--target", "y"]),
    "missing values": ({"x.csv": "a,b,y\n1,2,p\n3,,q\n5,6,p\n7,,q\n9,10,p\n11,12,q\n13,14,p\n15,,q\n"},
                       ["train", "x.csv", "--target", "y"]),
    "unknown column in an option": ({"x.csv": "id,sepal_length,y\n1,2,a\n2,3,b\n"},
                                    ["train", "x.csv", "--target", "y", "--drop", "idd"]),
    "an empty list in an option": ({"x.csv": "id,sepal_length,y\n1,2,a\n2,3,b\n"},
                                   ["train", "x.csv", "--target", "y", "--drop", ""]),
    "an empty column name in an option": ({"x.csv": "a,b,y\n1,2,p\n3,4,q\n"},
                                          ["train", "x.csv", "--target", "y", "--weight", ""]),
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    where = tmp_path_factory.mktemp("rows")
    for name in ("iris.csv", "diabetes.csv"):
        assert cmd("data", name, cwd=where).returncode == 0
    trained = cmd("train", "iris.csv", "--target", "species", "--epochs", "1", "--out", "iris.npz", cwd=where)
    assert trained.returncode == 0, trained.stderr
    return where


def test_every_case_here_is_a_row_of_the_csv_table():
    assert set(CSV_CASES) <= set(CSV_ROWS), set(CSV_CASES) - set(CSV_ROWS)


@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_each_csv_row_is_what_the_command_prints(case, folder, tmp_path):
    files, words = CSV_CASES[case]
    for name, content in files.items():
        (tmp_path / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    for name in ("iris.csv", "diabetes.csv", "iris.npz"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    out = ["--out", "m.npz"] if words[0] == "train" else []
    r = cmd(*words, *out, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    said = r.stderr.strip().splitlines()[-1].removeprefix("chainrule: error: ").removeprefix("chainrule train: error: ")
    if case in ("an empty list in an option", "an empty column name in an option"):
        said = "chainrule train: error: " + said
    assert as_documented(CSV_ROWS[case], said), said
    assert not (tmp_path / "m.npz").exists()


def test_a_class_unseen_in_training_as_the_row_says(tmp_path):
    rows = ["a,churn"] + [f"{i},{'leave' if i % 2 else 'stay'}" for i in range(40)]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    assert cmd("train", "t.csv", "--target", "churn", "--epochs", "1", "--out", "m.npz", cwd=tmp_path).returncode == 0
    new = ["a,churn"] + [f"{i},{'leave' if i % 2 else 'stay'}" for i in range(130)]
    new[5], new[61], new[120] = "5,maybe", "61,unknown", "120,maybe"    # lines 6, 62 and 121
    (tmp_path / "new.csv").write_text("\n".join(new) + "\n")
    r = cmd("evaluate", "m.npz", "new.csv", cwd=tmp_path)
    assert r.returncode == 2
    said = r.stderr.strip().splitlines()[-1].removeprefix("chainrule: error: ")
    assert as_documented(CSV_ROWS["a class unseen in training"], said), said


# -- the Python API's rows: "Model files" and "Inputs, model files and resumed runs", DIR the folder they run in
FILE_ROWS = table("## Model files", "\n## ")
INPUT_ROWS = table("## Inputs, model files and resumed runs", "\n## ")


def _net(n_in: int = 2) -> cr.Network:
    return cr.Network([cr.Dense(n_in, 4, "tanh"), cr.Dense(4, 3, "softmax")], loss="categorical_crossentropy", seed=0)


def _nan_weights():
    net = _net()
    net.layers[1].W[2, 1] = np.nan
    net.save("m.npz")


def _resume(first: dict, then: dict, folder: str):
    X, Y = np.zeros((4, 2)), np.array([0, 1, 2, 0])
    _net().fit(X, Y, epochs=1, verbose=0, checkpoint_dir=folder, **first)
    _net().fit(X, Y, epochs=2, verbose=0, checkpoint_dir=folder, resume=True, **then)


def _write(name: str, content: str) -> str:
    Path(name).write_text(content)
    return name


def _folder_of_a_model() -> str:
    os.mkdir("models")
    _net().save("models/iris.npz")
    return "models"


PY_CASES = {
    "save over the user's CSV": lambda d: _net().save(d / _write("data.csv", "a,b\n1,2\n")),
    "save over an np.savez file": lambda d: (np.savez(d / "mydata.npz", a=np.zeros(3)), _net().save(d / "mydata.npz")),
    "save under another format's name": lambda d: _net().save(d / "m.keras"),
    "save a key that is not text": lambda d: cr.save(_net(), d / "k.npz", extra={1: 2}),
    "save a dict of the reserved key __float__": lambda d: cr.save(_net(), d / "k.npz",
                                                                   extra={"x": {"__float__": "NaN"}}),
    "load a CSV file": lambda d: cr.load(d / _write("data.csv", "a,b\n1,2\n")),
    "load an empty file": lambda d: cr.load(d / _write("m.npz", "")),
    "load a folder": lambda d: cr.load(d / _folder_of_a_model()),
    "pandas missing value": lambda d: _net().predict(
        pd.DataFrame({"age": pd.array([1, None], dtype="Int64"), "b": [1.0, 2.0]})),
    "pandas text column": lambda d: _net().predict(
        pd.DataFrame({"city": pd.array(["Oslo", "Rome"], dtype="string"), "b": [1.0, 2.0]})),
    "uint64 labels out of range": lambda d: _net().fit(np.zeros((2, 2)), np.array([0, 2**63], dtype=np.uint64),
                                                       epochs=1, verbose=0),
    "cross-entropy after relu": lambda d: cr.Network([cr.Dense(2, 3, "relu")], loss="categorical_crossentropy"),
    "cross-entropy after linear": lambda d: cr.Network([cr.Dense(2, 1, "linear")], loss="binary_crossentropy"),
    "save non-finite weights": lambda d: _nan_weights(),
    "save in a missing folder": lambda d: _net().save(d / "nope" / "m.npz"),
    "checkpoint_dir not creatable": lambda d: _net().fit(np.zeros((4, 2)), np.array([0, 1, 2, 0]), epochs=1,
                                                         verbose=0, checkpoint_dir=d / _write("f", "x")),
    "resume another run": lambda d: _resume({"optimizer": cr.optim.SGD(0.01)}, {"optimizer": cr.optim.SGD(0.001)},
                                            str(d / "ck")),
    "resume with other callbacks": lambda d: _resume({"callbacks": [cr.callbacks.EarlyStopping(monitor="loss")]}, {},
                                                     "ck"),
    "masked values": lambda d: _net().predict(np.ma.array([[1.0, 2.0]], mask=[[0, 1]])),
    "ExponentialLR gamma above 1": lambda d: cr.optim.ExponentialLR(0.1, gamma=1.5),
}


@pytest.mark.parametrize("case", sorted(PY_CASES))
def test_each_python_row_is_what_the_call_raises(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = {**FILE_ROWS, **INPUT_ROWS}
    kind = re.search(rf"\| {re.escape(case)} \| `(\w+)` \|", DOC)     # the row's class, as `except` would name it
    assert kind, f"the class of the row {case!r}"
    with pytest.raises(getattr(cr.errors, kind[1], None) or getattr(builtins, kind[1])) as info:
        PY_CASES[case](tmp_path)
    said = str(info.value).replace(str(tmp_path), "DIR")
    assert as_documented(rows[case], said), said


# -- the prose's quotes of the command line
def test_an_empty_data_out_is_told_as_the_doc_quotes_it(tmp_path):
    """The doc's `chainrule data --out ''` listed the data sets and exited 0 (the check then came after the names)."""
    found = re.search(r"`chainrule data([^`]*--out '')` is told \"([^\"]*)\"", DOC)
    assert found, "the row of an empty --out of chainrule data"
    quote, told = found.groups()
    r = cmd("data", *shlex.split(quote), cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.splitlines()[-1] == told, r.stderr


def test_the_warning_of_too_many_categories_is_quoted_with_its_limit(tmp_path):
    """The quote kept 20 categories of 1040 beside a limit of 1,000 by default: it names the limit its run had."""
    before, quote = DOC.split("values in the training rows (", 1)[1].split("`column 'code'", 1)
    quote = " ".join(("column 'code'" + quote.split("`)", 1)[0]).split())
    assert "--max-categories 20 --val-split 0" in before     # 20 kept, of every row: the run the quote came from
    # 1040 values: 20 of 3 rows each, 381 of 2, 639 of 1, so the other 1020 fill 381 * 2 + 639 = 1401 rows
    column = [f"c{i}" for i in range(20) for _ in range(3)] + [f"d{i}" for i in range(381) for _ in range(2)] + \
        [f"e{i}" for i in range(639)]
    pd.DataFrame({"code": column, "y": np.arange(len(column)) % 2}).to_csv(tmp_path / "codes.csv", index=False)
    r = cmd("train", "codes.csv", "--target", "y", "--epochs", "1", "--val-split", "0", "--max-categories", "20",
            "--out", "m.npz", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    said = next(line for line in r.stderr.splitlines() if "different values" in line)
    assert as_documented(quote, said.removeprefix("chainrule: warning: ")), said
