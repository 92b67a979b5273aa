"""Data already in memory (a DataFrame, an array) given where a CSV file's path goes, and a path the system cannot
open, are refused saying what was expected and what was given: open() was handed the DataFrame's printed form and
answered 'File name too long' from deep inside."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris

from chainrule.data.csvfile import read_csv
from chainrule.data.stream import CsvStream
from chainrule.errors import ValidationError
from chainrule.sweep import run_sweep

READERS = {"read_csv": read_csv, "CsvStream": CsvStream,
           "run_sweep": lambda source: run_sweep(source, "target", "lr=0.01", epochs=1)}


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return load_iris(as_frame=True).frame


@pytest.mark.parametrize("reader", READERS)
def test_a_dataframe_is_refused_naming_it_and_where_it_goes(reader, frame):
    with pytest.raises(ValidationError) as e:
        READERS[reader](frame)
    text = str(e.value)
    assert "expected a CSV file: its path" in text and "got a pandas DataFrame" in text
    assert "BackpropClassifier" in text and "df.to_csv('data.csv', index=False)" in text


@pytest.mark.parametrize("reader", READERS)
def test_an_array_or_a_number_is_refused_naming_its_type(reader, frame):
    with pytest.raises(ValidationError, match="got a numpy ndarray. Data in memory goes to"):
        READERS[reader](frame.to_numpy())
    with pytest.raises(ValidationError, match=r"got a float\.$"):
        READERS[reader](3.5)


@pytest.mark.parametrize("reader", ["read_csv", "run_sweep"])
def test_a_name_the_system_cannot_open_is_named_with_its_reason(reader):
    with pytest.raises(ValidationError, match=r"^CSV file 'a{20}.*cannot be opened: File name too long$"):
        READERS[reader]("a" * 300)


def test_paths_as_bytes_and_pathlib_are_read_as_the_str(tmp_path, frame):
    path = tmp_path / "iris.csv"
    frame.to_csv(path, index=False)
    want = read_csv(str(path))
    for given in (path, bytes(path)):
        got = read_csv(given)
        assert got.columns.tolist() == want.columns.tolist()
        np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())
