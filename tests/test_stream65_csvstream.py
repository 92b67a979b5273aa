"""CsvStream in Python: a bad cell in a later chunk is refused naming the file, its line and its column."""
import numpy as np
import pandas as pd
import pytest

from chainrule.data.stream import CsvStream
from chainrule.errors import ValidationError


def table(n=300):
    rng = np.random.default_rng(0)
    t = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n), "shop": rng.choice(["a", "b"], size=n)})
    t["y"] = np.where(t.x1 > 0, "hi", "lo")
    return t


@pytest.mark.parametrize("cell, words", [("inf", "infinite value"), ("", "missing value"), ("abc", "'abc'")])
def test_bad_cell_in_a_later_chunk_names_the_file_line_and_column(tmp_path, cell, words):
    t = table()
    t["x2"] = t["x2"].astype(object)
    t.loc[250, "x2"] = cell                   # row 250: file line 252 (the header is line 1), in the 7th chunk of 40
    for name in ("first.csv", "second.csv"):  # a loop over files: the error must say which one
        (tmp_path / name).write_text(table().to_csv(index=False) if name == "first.csv" else t.to_csv(index=False))
    for name in ("first.csv", "second.csv"):
        with CsvStream(tmp_path / name, rows=40) as stream:
            if name == "first.csv":
                stream.fit("y")
                continue
            with pytest.raises(ValidationError) as info:
                stream.fit("y")
    message = str(info.value)
    assert "second.csv" in message and "first.csv" not in message
    assert "line 252" in message and "'x2'" in message and words in message


def test_the_file_is_named_once_where_the_message_names_it_already(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("x1,y\n")
    with CsvStream(path, rows=40) as stream, pytest.raises(ValidationError) as info:
        stream.fit("y")
    assert str(info.value).count("empty.csv") == 1


def test_command_line_message_unchanged(tmp_path):
    from conftest import cmd
    t = table()
    t["x2"] = t["x2"].astype(object)
    t.loc[250, "x2"] = "inf"
    t.to_csv(tmp_path / "d.csv", index=False)
    stream = cmd("train", str(tmp_path / "d.csv"), "--target", "y", "--stream", "--chunk-rows", "40", "--out",
                 str(tmp_path / "m.npz"), "--quiet")
    plain = cmd("train", str(tmp_path / "d.csv"), "--target", "y", "--out", str(tmp_path / "m.npz"), "--quiet")
    assert stream.returncode == plain.returncode == 2
    assert "column 'x2' has an infinite value on line 252" in stream.stderr
    assert stream.stderr == plain.stderr


def test_a_path_given_as_bytes_is_named_as_its_text(tmp_path):
    t = table()
    t["x2"] = t["x2"].astype(object)
    t.loc[250, "x2"] = "inf"
    path = tmp_path / "d.csv"
    t.to_csv(path, index=False)
    with CsvStream(bytes(path), rows=40) as stream, pytest.raises(ValidationError) as info:
        stream.fit("y")
    assert str(info.value).startswith(f"CSV file '{path}': column 'x2' has an infinite value on line 252")
