"""What data goes in: time spans named with the conversion that fixes them (the Python API, the
estimators, a CSV's text), rows of weight 0 that shape nothing (preprocessing statistics as
scikit-learn's StandardScaler weighs them), and real CSV files and pandas tables as practitioners
have them."""
import datetime

import numpy as np
import pandas as pd
import pytest
from conftest import cli_in_process

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ValidationError
from chainrule.sklearn import BackpropClassifier, BackpropRegressor

HOURS = np.arange(12).reshape(-1, 1) * np.timedelta64(1, "h")     # ticks: 3.6e12 nanoseconds an hour
Y = (np.arange(12) % 2).astype(float)


def _net():
    return cr.Network([cr.Dense(1, 1, "linear")], loss="mse", seed=0)


# --- 1. time spans ---------------------------------------------------------------------------------

@pytest.mark.parametrize("unit", ["ns", "s"])
def test_a_numpy_array_of_time_spans_is_named_with_a_conversion_that_works(unit):
    X = HOURS.astype(f"timedelta64[{unit}]")
    message = (rf"^X is an array of time spans \(dtype timedelta64\[{unit}\]\), not numbers: convert it to numbers "
               r"first, e\.g\. X / np\.timedelta64\(1, 's'\) for seconds")
    for call in (lambda: _net().fit(X, Y, epochs=1, verbose=0), lambda: _net().predict(X)):
        with pytest.raises(ChainruleTypeError, match=message):
            call()
    for est in (BackpropRegressor(epochs=1), BackpropClassifier(epochs=1)):
        with pytest.raises(ValidationError, match=message):
            est.fit(X, Y)
    # the advice given works: hours as numbers, as NumPy computes them
    hours = X / np.timedelta64(1, "h")
    np.testing.assert_array_equal(hours[:, 0], np.arange(12.0))
    assert _net().predict(hours).shape == (12, 1)


@pytest.mark.parametrize("spans", [[[datetime.timedelta(hours=h)] for h in range(12)],
                                   np.array([[np.timedelta64(h, "h")] for h in range(12)], dtype=object)],
                         ids=["datetime.timedelta", "np.timedelta64 objects"])
def test_a_list_of_time_span_objects_is_named_not_read_as_ticks_or_complex(spans):
    message = r"^X holds time spans \(.* at index \(0, 0\)\), not numbers: make it an array of them, A = np\.asarray"
    with pytest.raises(ChainruleTypeError, match=message + r"\(X, dtype='timedelta64\[us\]'\)"):
        _net().fit(spans, Y, epochs=1, verbose=0)
    with pytest.raises(ValidationError, match=r"^X holds time spans"):
        BackpropRegressor(epochs=1).fit(spans, Y)
    A = np.asarray(spans, dtype="timedelta64[us]")
    np.testing.assert_array_equal((A / np.timedelta64(1, "h"))[:, 0], np.arange(12.0))


def test_a_pandas_time_span_column_is_named_with_its_column():
    df = pd.DataFrame({"a": np.arange(12.0), "span": pd.to_timedelta(np.arange(12), unit="h")})
    for call, exc in ((lambda: cr.Network([cr.Dense(2, 1, "linear")], loss="mse").fit(df, Y, epochs=1, verbose=0),
                       ChainruleTypeError), (lambda: BackpropRegressor(epochs=1).fit(df, Y), ValidationError)):
        with pytest.raises(exc, match=r"^X column 'span' is a column of time spans .*\.dt\.total_seconds\(\)"):
            call()


def _span_csv(path, spans):
    rng = np.random.default_rng(0)
    path.write_text("a,span,y\n" + "".join(f"{rng.normal():.3f},{s},{i % 2}\n" for i, s in enumerate(spans)))


@pytest.mark.parametrize("stream", [False, True])
def test_a_csv_column_of_time_spans_is_refused_naming_the_column_line_and_fix(tmp_path, capsys, stream):
    spans = [str(pd.Timedelta(hours=5 * i)) for i in range(40)]       # '0 days 00:00:00', '0 days 05:00:00', ...
    _span_csv(tmp_path / "t.csv", spans)
    more = ["--stream"] if stream else []
    code, _, err = cli_in_process(capsys, "train", tmp_path / "t.csv", "--target", "y", "--epochs", "1",
                                  "--out", tmp_path / "m.npz", *more)
    assert code == 2
    assert "column 'span' holds time spans (e.g. '0 days 00:00:00' on line 2), not numbers" in err
    assert "--text 'span'" in err and "--drop 'span'" in err and "total_seconds() / 3600" in err
    # the fix given works: the hours as numbers train
    hours = pd.to_timedelta(pd.Series(spans)).dt.total_seconds() / 3600
    _span_csv(tmp_path / "h.csv", [f"{h:g}" for h in hours])
    code, _, err = cli_in_process(capsys, "train", tmp_path / "h.csv", "--target", "y", "--epochs", "1",
                                  "--out", tmp_path / "m.npz", *more)
    assert code == 0, err
    code, _, err = cli_in_process(capsys, "train", tmp_path / "t.csv", "--target", "y", "--epochs", "1",
                                  "--out", tmp_path / "m2.npz", "--text", "span", *more)
    assert code == 0, err


def test_text_that_only_looks_like_time_is_still_categories(tmp_path, capsys):
    _span_csv(tmp_path / "t.csv", ["S", "M", "L", "1 day trip"] * 10)
    code, _, err = cli_in_process(capsys, "train", tmp_path / "t.csv", "--target", "y", "--epochs", "1",
                                  "--out", tmp_path / "m.npz")
    assert code == 0, err
    assert "text column 'span': 4 categories" in err


# --- 3. cli/tabular.py split: the CSV reading in cli/reading.py -----------------------------------

def test_the_csv_reading_is_its_own_module_and_tabular_has_room():
    from pathlib import Path

    from chainrule.cli import reading, tabular
    for name in ("add_csv_options", "reading_marks", "as_trained", "separator_how", "keep_reading", "as_in_file",
                 "read", "column_list"):
        assert getattr(tabular, name) is getattr(reading, name), name      # one function, imported either way
    assert len(Path(tabular.__file__).read_text().splitlines()) <= 300      # room under the 400-line limit
