"""A cell the file's marks do not read is named, never read another way: with --decimal ',' a '1.500' among
'168,52' is text to pandas' reader (a thousands mark it was not told of, or a dot for the comma), which the check
of text cells read as 1.5, blaming a good cell ("numbers stored as text, e.g. '6,10'") or predicting from 1.5."""
import io

import numpy as np
import pandas as pd
import pytest

from chainrule.data.textnumbers import as_read

CELLS = ["1.5", "1.500", "1,5", "-1,5", "1,5e3", "1.234,5", "1 234,5", "1,234.5", "1e3", " 2,5 ", "1.2.3"]


@pytest.mark.parametrize("decimal, thousands", [(",", None), (",", "."), (",", " "), (".", ",")])
def test_text_cells_are_numbers_as_read_csv_reads_them(decimal, thousands):
    for cell in CELLS:
        truth = pd.read_csv(io.StringIO(f"a\n{cell}\n"), sep=";", decimal=decimal, thousands=thousands)["a"].iloc[0]
        got = as_read(pd.Series([cell]), {"decimal": decimal, "thousands": thousands}).iloc[0]
        if isinstance(truth, str):
            assert pd.isna(got), (cell, got)
        else:
            assert got == truth, (cell, got, truth)


def _file(path, odd=None):
    """A ';' file of decimal-comma prices; `odd`: the price on file line 7."""
    rng = np.random.default_rng(3)
    lines = ["price;sold"]
    for i in range(40):
        price = odd if odd and i + 2 == 7 else f"{rng.uniform(100, 900):.2f}".replace(".", ",")
        lines.append(f"{price};{'yes' if i % 2 else 'no'}")
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("how", ["train", "train --stream", "predict", "evaluate"])
def test_a_dotted_number_among_decimal_commas_is_named(how, tmp_path, monkeypatch):
    from conftest import cmd
    monkeypatch.chdir(tmp_path)
    _file(tmp_path / "good.csv")
    _file(tmp_path / "bad.csv", odd="1.500")
    assert pd.read_csv("bad.csv", sep=";", decimal=",")["price"].dtype.kind not in "fiu"    # text
    train = ["train", "--target", "sold", "--decimal", ",", "--epochs", "1", "--out"]
    assert cmd(train[0], "good.csv", *train[1:], "m.npz").returncode == 0
    if how.startswith("train"):
        r = cmd(train[0], "bad.csv", *train[1:], "m2.npz", *how.split()[1:])
    else:
        r = cmd(how, "m.npz", "bad.csv", "--out", "p.csv") if how == "predict" else cmd(how, "m.npz", "bad.csv")
    assert r.returncode == 2, r.stdout + r.stderr
    last = r.stderr.splitlines()[-1]
    assert "'1.500'" in last and "line 7" in last, last
