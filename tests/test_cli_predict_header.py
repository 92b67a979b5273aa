"""A file's header at predict and evaluate time: a name twice among columns the model does not read is read as
pandas reads it (it was refused), one among those it reads is still refused; train says a saved pandas index
('Unnamed: 0') is one."""
import numpy as np
import pandas as pd
import pytest
from conftest import cmd


@pytest.fixture()
def model(tmp_path):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(40, 2)), columns=["a", "b"])
    frame["y"] = (frame["a"] > 0).astype(int)
    path, model = tmp_path / "train.csv", tmp_path / "m.npz"
    frame.to_csv(path, index=False)
    assert cmd("train", path, "--target", "y", "--out", model, "--epochs", "1", "--quiet").returncode == 0
    return frame, model


def _write(path, header, frame, extra):
    lines = [",".join(header)] + [",".join([*map(str, row), *extra]) for row in frame.itertuples(index=False)]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_a_name_twice_among_unused_columns_is_read_as_pandas_reads_it(tmp_path, model, command):
    frame, m = model
    plain, dup = tmp_path / "plain.csv", tmp_path / "dup.csv"
    frame.to_csv(plain, index=False)
    _write(dup, ["a", "b", "y", "note", "note"], frame, ["x", "y"])
    assert list(pd.read_csv(dup).columns) == ["a", "b", "y", "note", "note.1"]
    r, truth = cmd(command, m, dup), cmd(command, m, plain)
    assert r.returncode == 0 and r.stdout == truth.stdout, r.stderr


@pytest.mark.parametrize("header", [["a", "b", "y", "a"], ["a", "b", "y", "b", "b.1"]])
def test_a_name_twice_among_used_columns_is_still_refused(tmp_path, model, header):
    frame, m = model
    path = tmp_path / "dup.csv"
    _write(path, header, frame, ["1"] * (len(header) - 3))
    r = cmd("predict", m, path)
    assert r.returncode == 2 and "appears twice in the header" in r.stderr, r.stderr


def test_a_saved_pandas_index_is_said_to_be_one(tmp_path, model):
    frame, _ = model
    path = tmp_path / "indexed.csv"
    frame.to_csv(path)                                     # pandas' default: index=True
    assert pd.read_csv(path).columns[0] == "Unnamed: 0"
    r = cmd("train", path, "--target", "y", "--out", tmp_path / "o.npz", "--epochs", "1")
    assert r.returncode == 0 and "it looks like a pandas index, which DataFrame.to_csv writes unless given " \
                                 "index=False" in r.stderr and "--drop 'Unnamed: 0'" in r.stderr, r.stderr


def test_explain_data_reads_a_name_twice_among_unused_columns_as_predict_does(tmp_path, model):
    frame, m = model
    plain, dup = tmp_path / "plain.csv", tmp_path / "dup.csv"
    frame.to_csv(plain, index=False)
    _write(dup, ["a", "b", "y", "note", "note"], frame, ["x", "y"])
    args = ("--row", "3", "--layer", "1", "--neuron", "0")
    r, truth = cmd("explain", m, "--data", dup, *args), cmd("explain", m, "--data", plain, *args)
    assert truth.returncode == 0 and r.returncode == 0, r.stderr
    assert r.stdout.replace(str(dup), "F") == truth.stdout.replace(str(plain), "F"), r.stdout


def test_a_name_twice_that_only_begins_a_used_name_is_read_as_pandas_reads_it(tmp_path):
    """A model's column 'a.b' is not what pandas renames a second 'a' to ('a.1'): the file was refused."""
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(rng.normal(size=(40, 2)), columns=["a.b", "c"])
    frame["y"] = (frame["c"] > 0).astype(int)
    plain, dup, m = tmp_path / "plain.csv", tmp_path / "dup.csv", tmp_path / "m.npz"
    frame.to_csv(plain, index=False)
    assert cmd("train", plain, "--target", "y", "--out", m, "--epochs", "1", "--quiet").returncode == 0
    _write(dup, ["a.b", "c", "y", "a", "a"], frame, ["1", "2"])
    read = pd.read_csv(dup)
    assert list(read.columns) == ["a.b", "c", "y", "a", "a.1"] and read["a.b"].equals(frame["a.b"])
    r, truth = cmd("predict", m, dup), cmd("predict", m, plain)
    assert r.returncode == 0 and r.stdout == truth.stdout, r.stderr
