"""A newcomer's first mistakes with the CSV file given on the command line: the bundled example not yet written, its
name spelled otherwise, a typo of a file in the folder, a folder, a file they may not read, a JSON file. Each
refusal says what was meant and what to do, and the advice, followed, works."""
import difflib
import json
import os

import pandas as pd
import pytest
from conftest import cmd

TRAIN = ("--target", "species", "--out", "m.npz", "--epochs", "1", "--quiet")


def last_line(r) -> str:
    return r.stderr.strip().splitlines()[-1]


def test_bundled_example_not_written_yet_names_chainrule_data(tmp_path):
    r = cmd("train", "iris.csv", *TRAIN, cwd=tmp_path)
    assert r.returncode == 2
    assert "CSV file 'iris.csv' does not exist" in last_line(r)
    assert "`chainrule data iris.csv` writes it" in last_line(r)
    assert cmd("data", "iris.csv", cwd=tmp_path).returncode == 0          # the advice, followed
    assert cmd("train", "iris.csv", *TRAIN, cwd=tmp_path).returncode == 0


def test_bundled_example_in_another_folder_names_out(tmp_path):
    (tmp_path / "data").mkdir()
    r = cmd("train", "data/diabetes.csv", *TRAIN, cwd=tmp_path)
    assert "`chainrule data diabetes.csv --out data` writes it" in last_line(r)
    assert cmd("data", "diabetes.csv", "--out", "data", cwd=tmp_path).returncode == 0
    assert (tmp_path / "data" / "diabetes.csv").is_file()


@pytest.mark.parametrize("given", ["iris", "Iris", "IRIS.csv"])
def test_bundled_example_spelled_otherwise_names_it(tmp_path, given):
    listed = cmd("data", cwd=tmp_path).stdout.split()
    assert "iris.csv" in listed
    r = cmd("train", given, *TRAIN, cwd=tmp_path)
    assert "`chainrule data iris.csv` writes it, then give iris.csv" in last_line(r)
    cmd("data", "iris.csv", cwd=tmp_path)
    r = cmd("train", given, *TRAIN, cwd=tmp_path)         # written: the file of that name is meant
    assert last_line(r).endswith("does not exist (did you mean 'iris.csv'?)")


@pytest.mark.parametrize("given", ["iris", "Iris", "IRIS.csv", "DIABETES", "seed"])
def test_data_suggests_the_bundled_name(tmp_path, given):
    r = cmd("data", given, cwd=tmp_path)
    assert r.returncode == 2
    meant = next(n for n in cmd("data", cwd=tmp_path).stdout.split()
                 if os.path.splitext(n)[0] == os.path.splitext(given.lower())[0])
    assert f"no example file {given!r} (did you mean {meant!r}?)" in last_line(r)
    assert cmd("data", meant, cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("typo", ["irs.csv", "iris.cvs", "iris_.csv"])
def test_typo_of_a_file_in_the_folder(tmp_path, typo):
    cmd("data", "iris.csv", "diabetes.csv", cwd=tmp_path)
    (tmp_path / "notes.txt").write_text("x")
    expected = difflib.get_close_matches(typo, os.listdir(tmp_path), n=1)[0]
    r = cmd("train", typo, *TRAIN, cwd=tmp_path)
    assert last_line(r).endswith(f"CSV file {typo!r} does not exist (did you mean {expected!r}?)")


def test_typo_in_a_subfolder_names_its_path(tmp_path):
    (tmp_path / "d").mkdir()
    cmd("data", "iris.csv", "--out", "d", cwd=tmp_path)
    r = cmd("train", "d/irs.csv", *TRAIN, cwd=tmp_path)
    assert "(did you mean 'd/iris.csv'?)" in last_line(r)


def test_nothing_close_says_only_that_it_is_missing(tmp_path):
    (tmp_path / "iris.csv").write_text("a,species\n1,x\n")
    r = cmd("train", "sales_2024.csv", *TRAIN, cwd=tmp_path)
    assert last_line(r) == "chainrule: error: CSV file 'sales_2024.csv' does not exist"


def test_folder_given_names_the_csv_files_in_it(tmp_path):
    (tmp_path / "d.csv").mkdir()
    r = cmd("train", "d.csv", *TRAIN, cwd=tmp_path)
    assert last_line(r).endswith("'d.csv' is a folder, not a CSV file: give the path of a CSV file (this folder "
                                 "holds none)")
    cmd("data", "iris.csv", "--out", "d.csv", cwd=tmp_path)
    r = cmd("train", "d.csv", *TRAIN, cwd=tmp_path)
    assert last_line(r).endswith("give the path of a CSV file in it, e.g. 'd.csv/iris.csv'")
    assert cmd("train", "d.csv/iris.csv", *TRAIN, cwd=tmp_path).returncode == 0


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root reads a file without read permission, so the refusal cannot happen")
def test_unreadable_file_says_what_to_do(tmp_path):
    cmd("data", "iris.csv", cwd=tmp_path)
    (tmp_path / "iris.csv").chmod(0)
    try:
        r = cmd("train", "iris.csv", *TRAIN, cwd=tmp_path)
        assert "cannot be read (permission denied): give a file you may read" in last_line(r)
        assert "chmod u+r iris.csv" in last_line(r)
    finally:
        (tmp_path / "iris.csv").chmod(0o644)


def test_unreadable_hint_names_chmod():
    from chainrule.data.misnamed import unreadable_hint
    assert "chmod u+r 'my data.csv'" in unreadable_hint("my data.csv")       # quoted as the shell reads it


@pytest.mark.parametrize("name,lines", [("x.json", False), ("x.jsonl", True), ("X.JSON", False)])
def test_json_file_given_as_csv(tmp_path, name, lines):
    rows = [{"a": 1.5, "species": "x"}, {"a": 2.5, "species": "y"}]
    (tmp_path / name).write_text("\n".join(json.dumps(r) for r in rows) if lines else json.dumps(rows, indent=2))
    r = cmd("train", name, *TRAIN, cwd=tmp_path)
    assert r.returncode == 2
    assert f"{name!r} is a JSON file, not CSV text: write it as CSV with pandas" in last_line(r)
    assert ("pandas.read_json(path, lines=True)" if lines else "pandas.read_json(path)") in last_line(r)
    # the advice, followed, writes the rows as CSV
    pd.read_json(tmp_path / name, lines=lines).to_csv(tmp_path / "x.csv", index=False)
    assert pd.read_csv(tmp_path / "x.csv").to_dict("records") == rows


def test_csv_text_named_json_is_read(tmp_path):
    cmd("data", "iris.csv", cwd=tmp_path)
    os.replace(tmp_path / "iris.csv", tmp_path / "iris.json")         # CSV text, whatever its ending
    assert cmd("train", "iris.json", *TRAIN, cwd=tmp_path).returncode == 0
