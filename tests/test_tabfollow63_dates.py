"""A text column of version strings ('1.2.10') is not dates: train says a column of repeated dates (or of one date
a row) as dates, D/M/Y and M/D/Y, with dots or slashes, and not a column of versions, whose parts no calendar
holds (pandas.to_datetime, given the dates' own format, is the truth for the dates)."""
import warnings

import numpy as np
import pandas as pd
import pytest

from chainrule.data.columns import ColumnWarning
from chainrule.data.tabular import Preprocessing

DAYS = pd.date_range("2021-01-25", periods=12)
VERSIONS = ["1.2.10", "1.2.11", "1.3.12", "2.0.10", "3.10.12", "2.14.20"]


def _warnings(values):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=len(values)), "v": values})
    df["y"] = np.where(df.a > 0, "up", "down")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Preprocessing.fit(df, "y")
    return " ".join(str(w.message) for w in caught if issubclass(w.category, ColumnWarning))


@pytest.mark.parametrize("fmt", ["%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%m/%d/%y", "%d.%m.%y", "%Y-%m-%d"])
def test_repeated_dates_and_one_date_a_row_are_said_as_dates(fmt):
    written = DAYS.strftime(fmt)
    assert (pd.to_datetime(written, format=fmt) == DAYS).all()          # each one a real date in its format
    rng = np.random.default_rng(1)
    assert "'v' holds dates" in _warnings(list(rng.choice(written, 60)))
    assert "(dates, e.g." in _warnings(list(written))


def test_a_column_of_versions_is_not_said_as_dates():
    rng = np.random.default_rng(2)
    said = _warnings(list(rng.choice(VERSIONS, 60)))
    assert "dates" not in said, said
    said = _warnings([f"1.{k}.{10 + k}" for k in range(12)])            # one version a row: an ID, no dates
    assert "'v' has a different value on each" in said and "dates" not in said, said


def test_no_calendar_date_is_a_date():
    from chainrule.data.columns import is_date
    assert not any(is_date(v) for v in ["13/13/2021", "2021-13-01", "0/5/2021", "32.01.2021", "1.2.3"])
    assert all(is_date(v) for v in ["31.01.2021", "1/31/21", " 2021-01-31T12:00:00Z "])
