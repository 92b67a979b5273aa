"""A text column of dates that repeat (the day of a sale) is one-hot encoded one category a date, so that every date
after training's is unseen at predict time (all zeros): train, with or without --stream, says so as it says a
column of one date a row, and predict on a later date shows why."""
import numpy as np
import pandas as pd
import pytest
from conftest import cmd


def _file(tmp_path):
    rng = np.random.default_rng(0)
    days = pd.date_range("2021-03-01", periods=12).strftime("%Y-%m-%d")
    df = pd.DataFrame({"a": rng.normal(size=120).round(3), "day": rng.choice(days, 120),
                       "shop": rng.choice(["north", "south"], 120)})
    df["y"] = np.where(df.a > 0, "up", "down")
    df.to_csv(tmp_path / "sales.csv", index=False)
    return df


@pytest.mark.parametrize("stream", [[], ["--stream"]])
def test_a_column_of_repeated_dates_is_said(tmp_path, stream):
    df = _file(tmp_path)
    assert df["day"].nunique() < len(df)                    # not one date a row: no ID warning applies
    out = cmd("train", tmp_path / "sales.csv", "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz",
              "--quiet", *stream)
    assert out.returncode == 0, out.stderr
    said = " ".join(out.stderr.split())
    assert "column 'day' holds dates" in said and "--drop 'day'" in said, said
    assert "'shop'" not in said
    later = df.drop(columns="y").head(3).assign(day="2021-04-01")      # a date after training's
    later.to_csv(tmp_path / "later.csv", index=False)
    predicted = cmd("predict", tmp_path / "m.npz", tmp_path / "later.csv")
    assert predicted.returncode == 0 and "column 'day' has 1 value unseen in training" in predicted.stderr
