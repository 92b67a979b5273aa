"""docs/errors.md's table of refusals added lately (columns given twice, a scorer for other classes, a resumed run on
another reading or file, a CSV file in the model's place): each command run as a user, its last line the table's."""
import shlex
from pathlib import Path

import pandas as pd
import pytest
from conftest import cmd

DOC = (Path(__file__).parent.parent / "docs" / "errors.md").read_text()


def documented() -> list[tuple[str, str, str]]:
    """(case, command, message) of the table that starts "Columns given twice"."""
    table = DOC.split("Columns given twice", 1)[1].split("\n\n", 2)[1]
    rows = [[c.strip() for c in line.strip().strip("|").split(" | ")] for line in table.splitlines()[2:]]
    return [(case, command.strip("`"), message) for case, command, message in rows]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    import os
    here, where = os.getcwd(), tmp_path_factory.mktemp("catalogue")
    os.chdir(where)
    try:
        assert cmd("data", "iris.csv").returncode == 0
        trained = cmd("train", "iris.csv", "--target", "species", "--epochs", "1", "--checkpoint-dir", "ck",
                      "--out", "m.npz")
        assert trained.returncode == 0, trained.stderr
        df = pd.read_csv("iris.csv")
        df.rename(columns={"sepal_length": "sepal_area"}).to_csv("other.csv", index=False)
    finally:
        os.chdir(here)
    return where


def test_the_table_has_the_refusals_added_lately():
    cases = [row[0] for row in documented()]
    for case in ("a column in both --features and --drop", "a scorer that cannot score the target's classes",
                 "resume with another way of reading", "resume on another file's columns",
                 "a CSV file where the model goes"):
        assert case in cases


@pytest.mark.parametrize("case, command, message", documented(), ids=[row[0] for row in documented()])
def test_each_refusal_is_documented_as_printed(case, command, message, folder, monkeypatch):
    monkeypatch.chdir(folder)
    before = (folder / "ck" / "checkpoint.npz").read_bytes()
    r = cmd(*shlex.split(command)[1:])
    assert r.returncode == 2, r.stderr
    assert r.stderr.splitlines()[-1] == message, r.stderr
    assert (folder / "ck" / "checkpoint.npz").read_bytes() == before and not (folder / "m2.npz").exists()
