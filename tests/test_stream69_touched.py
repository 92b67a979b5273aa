"""A file whose time of last change moved but whose bytes did not (`touch`, `cp` of the same bytes over it) is read on
by CsvStream, its run not lost; the same size with other bytes is still refused as a changed file."""
import os
import shutil

import numpy as np
import pandas as pd
import pytest

from chainrule.data.stream import CsvStream
from chainrule.data.tabular import Preprocessing
from chainrule.errors import ValidationError


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"a": rng.normal(size=250).round(3), "b": rng.integers(0, 5, size=250)})
    df["y"] = np.where(df.a > 0, "p", "q")
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    return path, df


def later(path):
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 10**9))     # a later time, on coarse clocks too


@pytest.mark.parametrize("how", ["touch", "copied over"])
@pytest.mark.parametrize("rows", [60, 1000])
def test_a_file_touched_between_the_passes_is_read_on(table, tmp_path, how, rows):
    path, df = table
    with CsvStream(path, rows=rows) as stream:
        stream.fit("y")
        if how == "touch":
            later(path)
        else:
            copy = tmp_path / "copy.csv"
            shutil.copyfile(path, copy)
            later(copy)
            os.replace(copy, path)                # another file (inode), the same bytes
        X, _ = stream.encode(None)
        np.testing.assert_allclose(np.asarray(X), Preprocessing.fit(df, "y").transform(df), rtol=0, atol=1e-12)
        later(path)                               # and again before the next pass
        np.testing.assert_allclose(np.asarray(stream.encode(None)[0]), np.asarray(X), rtol=0, atol=0)


def test_a_file_touched_between_the_count_and_the_first_pass_is_read_on(table):
    path, df = table
    with CsvStream(path, rows=60) as stream:
        n = stream.count_rows()
        later(path)
        pre = stream.fit("y", train=np.ones(n, dtype=bool))
        assert pre.classes == ["p", "q"]


def test_the_same_size_with_other_bytes_is_refused(table):
    """A digit changed in place keeps the size: its bytes tell it."""
    path, df = table
    with CsvStream(path, rows=60) as stream:
        stream.fit("y")
        text = path.read_text()
        at = text.index("\n") + 1 + text[text.index("\n") + 1:].index(".") + 1     # a decimal of the first row
        digit = "1" if text[at] != "1" else "2"
        path.write_text(text[:at] + digit + text[at + 1:])
        later(path)
        assert len(path.read_text()) == len(text)
        with pytest.raises(ValidationError, match=r"t\.csv.*its size or its bytes.*was it changed while being read\?"):
            stream.encode(None)


@pytest.mark.parametrize("how", ["written in place", "copied over"])
def test_other_bytes_of_the_same_size_given_the_first_time_of_last_change_are_refused(table, tmp_path, how):
    """`cp -p`, `rsync -t`, `touch -r`: another table of as many bytes, its time of last change set back to that of
    the file first read. Its size and that time are those of the check, but not its bytes: never encoded."""
    path, df = table
    with CsvStream(path, rows=60) as stream:
        stream.fit("y")
        first = path.stat().st_mtime_ns
        text = path.read_text()
        other = text.replace("p\n", "x\n").replace("q\n", "p\n").replace("x\n", "q\n")    # the labels swapped
        assert other != text and len(other) == len(text)
        target = path if how == "written in place" else tmp_path / "copy.csv"
        target.write_text(other)
        os.utime(target, ns=(first, first))      # the time of last change the file had (cp -p keeps it)
        if how == "copied over":
            os.replace(target, path)
        assert (path.stat().st_size, path.stat().st_mtime_ns) == (len(text), first)
        with pytest.raises(ValidationError, match=r"t\.csv.*its size or its bytes.*was it changed while being read\?"):
            stream.encode(None)
