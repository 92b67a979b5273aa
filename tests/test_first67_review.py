"""The wrong-CSV-name hints in the words of who reads them (Python's caller gets the package's copy of a bundled
example, not a command), quoted for the shell, bounded in a huge folder, and JSON refused from an open file too."""
import json
import os
import shlex
from importlib import resources

import pandas as pd
import pytest
from conftest import cmd

import chainrule.data.misnamed as misnamed
from chainrule.data.csvfile import read_csv
from chainrule.errors import ValidationError

TRAIN = ("--target", "species", "--out", "m.npz", "--epochs", "1", "--quiet")
HUGE = 5000       # files in a folder: more than a hint should read to word a refusal


def test_python_caller_is_not_told_a_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValidationError) as e:
        read_csv("iris.csv")
    assert "chainrule data" not in str(e.value)
    assert "importlib.resources.files('chainrule.data') / 'examples' / 'iris.csv'" in str(e.value)
    # the advice, followed: the package's copy is the file `chainrule data iris.csv` writes
    shipped = read_csv(resources.files("chainrule.data") / "examples" / "iris.csv")
    cmd("data", "iris.csv", cwd=tmp_path)
    pd.testing.assert_frame_equal(shipped, pd.read_csv(tmp_path / "iris.csv"), check_dtype=False)


def test_out_folder_with_a_space_is_quoted_for_the_shell(tmp_path):
    (tmp_path / "my data").mkdir()
    r = cmd("train", "my data/iris", *TRAIN, cwd=tmp_path)
    line = r.stderr.strip().splitlines()[-1]
    command = line.split("`")[1]
    assert command == "chainrule data iris.csv --out 'my data'"
    assert cmd(*shlex.split(command)[1:], cwd=tmp_path).returncode == 0      # the advice, pasted
    given = line.rsplit("then give ", 1)[1]
    assert cmd("train", *shlex.split(given), *TRAIN, cwd=tmp_path).returncode == 0


def _counted(monkeypatch):
    """os.scandir as misnamed calls it, counting the entries read."""
    read = []
    real = os.scandir

    class Counting:
        def __init__(self, path):
            self.it = real(path)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.it.close()

        def __iter__(self):
            for entry in self.it:
                read.append(entry.name)
                yield entry

    monkeypatch.setattr(misnamed.os, "scandir", Counting)
    return read


def test_huge_folder_is_not_listed_whole(tmp_path, monkeypatch):
    for i in range(HUGE):
        (tmp_path / f"part_{i:05d}.csv").touch()
    read = _counted(monkeypatch)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValidationError) as e:
        read_csv("part_0001.csv")                   # a typo of one of them: no guess from a part of the names
    assert str(e.value) == "CSV file 'part_0001.csv' does not exist"
    assert len(read) < HUGE
    read.clear()
    with pytest.raises(ValidationError) as e:
        read_csv(str(tmp_path))
    assert "give the path of a CSV file in it" in str(e.value) and str(e.value).endswith(" ...")
    assert len(read) < HUGE


def test_huge_folder_of_other_files_is_not_said_to_hold_no_csv(tmp_path):
    for i in range(HUGE):
        (tmp_path / f"img_{i:05d}.png").touch()
    (tmp_path / "zz_data.csv").touch()              # maybe past the entries looked at: never said to be absent
    assert "holds none" not in misnamed.folder_hint(str(tmp_path))


def test_json_opened_as_a_file_is_refused_as_json(tmp_path):
    rows = [{"a": 1.5, "species": "x"}, {"a": 2.5, "species": "y"}]
    (tmp_path / "x.json").write_text(json.dumps(rows))
    with open(tmp_path / "x.json", "rb") as f, pytest.raises(ValidationError) as e:
        read_csv(f)
    assert "is a JSON file, not CSV text: write it as CSV with pandas" in str(e.value)
    with pytest.raises(ValidationError) as e2:
        read_csv(tmp_path / "x.json")                # the same refusal as its path's
    assert str(e.value) == str(e2.value)



def test_an_unknown_example_name_is_documented_as_printed(tmp_path):
    """docs/errors.md had `chainrule data iris` in the table of usage errors, whose test runs it and wants the
    usage first: it is bad input, said as `chainrule: error:` (tests/test_cli_csv.py holds that)."""
    from pathlib import Path
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    said = doc.split("`chainrule data iris` says\n\n", 1)[1].splitlines()[0].strip()
    r = cmd("data", "iris", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.strip().splitlines()[-1] == said
    assert "`chainrule data iris`" not in doc.split("Options that do not go together", 1)[1].split("\n\n", 2)[1]
