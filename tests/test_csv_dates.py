"""A column of dates, one a row (a sign-up day), was warned about as 'an ID or row number?'; it is said to be
dates, each a category of its own, with the way to use them (numbers made of them) or to leave them out."""
import numpy as np
import pandas as pd
import pytest
from conftest import cmd


@pytest.mark.parametrize("written", ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y"])
@pytest.mark.parametrize("stream", [False, True])
def test_a_column_of_dates_is_said_to_be_dates(tmp_path, written, stream):
    rng = np.random.default_rng(0)
    days = pd.date_range("2021-03-01", periods=80, freq="D")
    frame = pd.DataFrame({"day": days.strftime(written), "x": rng.normal(size=80), "y": rng.integers(0, 2, 80)})
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    first = frame["day"][0]
    assert pd.to_datetime(pd.read_csv(path)["day"], format=written).equals(pd.Series(days, name="day"))  # dates
    r = cmd("train", path, "--target", "y", "--out", tmp_path / "m.npz", "--epochs", "1", *["--stream"] * stream)
    assert r.returncode == 0, r.stderr
    assert (f"column 'day' has a different value on each of the 80 rows (dates, e.g. '{first}': each one a "
            "category of its own); it is used as a feature, which cannot generalise: turn the dates into numbers "
            "before training (days since a start, month, weekday), or leave it out with --drop 'day'") in r.stderr
