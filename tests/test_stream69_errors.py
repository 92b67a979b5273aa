"""docs/errors.md's "Streaming a CSV file from Python" rows: each call run, its message compared whole with the row's,
and every row of that table run here."""
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chainrule.data.stream import CsvStream
from chainrule.errors import ValidationError

DOC = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
TABLE = DOC.split("## Streaming a CSV file from Python", 1)[1].split("\n## ", 1)[0]
ROWS = {m[1]: m[2] for m in re.finditer(r"^\| ([^|]+?) \| `ValidationError` \| (.+?) \| ", TABLE, re.M)}


def fitted(path="t.csv"):
    stream = CsvStream(path)
    stream.fit("y")
    return stream


def closed():
    stream = fitted()
    stream.close()
    stream.encode(None)


CASES = {
    "stream chunk size": lambda: CsvStream("t.csv", rows=0),
    "stream train mask shape": lambda: CsvStream("t.csv").fit("y", train=np.ones(3, dtype=bool)),
    "stream train mask empty": lambda: CsvStream("t.csv").fit("y", train=np.zeros(4, dtype=bool)),
    "stream kept column an input": lambda: CsvStream("t.csv").fit(
        "y", columns=["a", "w", "y"], keep=("w", lambda cells, line: cells.to_numpy(float))),
    "encode before fit": lambda: CsvStream("t.csv").encode(None),
    "encode after close": closed,
    "encode rows of another length": lambda: fitted().encode(np.array([0, 1, 2])),
    "encode rows past the file": lambda: fitted().encode(np.array([0, 1, 2, 7])),
    "encode rows repeated": lambda: fitted().encode(np.array([0, 1, 1, 2])),
    "encode dtype": lambda: fitted().encode(None, dtype="int8"),
}


def test_every_row_of_the_table_is_run_here():
    assert set(ROWS) == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_row_is_what_the_call_raises(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"a": [1.5, 2.0, 3.25, 4.0], "w": [1, 1, 2, 1], "y": list("pqpq")}).to_csv("t.csv", index=False)
    with pytest.raises(ValidationError) as info:
        CASES[case]()
    assert str(info.value) == ROWS[case].replace("\\|", "|")
