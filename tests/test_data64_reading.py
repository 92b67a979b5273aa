"""Reading a practitioner's CSV: dotted dates read day first (pandas' own reading of 10.15.20 is month first, its
format guess none: a rule that can be told), d.m.yy dates without leading zeros said as dates as the padded ones
are; predict's advice for a numeric column's markers naming every marker; an advice too long to give whole said
shorter; a float32 model's predictions written with float32's digits."""

import numpy as np
import pandas as pd
import pytest
from conftest import cmd
from test_tabfollow63_dates import _warnings as _said  # the column warnings Preprocessing.fit gives

from chainrule.data.columns import is_date
from chainrule.data.tabular import Preprocessing


@pytest.mark.parametrize("fmt", ["%d.%m.%y", "%d.%m.%Y"])
def test_dotted_dates_are_day_first_and_unpadded_ones_are_dates(fmt):
    days = pd.date_range("2020-02-01", periods=40, freq="9D")
    unpadded = [f"{d.day}.{d.month}.{d.strftime(fmt[-2:])}" for d in days]      # 1.2.20, 15.11.21
    assert (pd.to_datetime(unpadded, format=fmt) == days).all()                # truth: each is that day
    assert all(is_date(v) for v in unpadded)
    assert "(dates, e.g." in _said(unpadded)                                     # one a row
    rng = np.random.default_rng(1)
    assert "'v' holds dates" in _said(list(rng.choice(unpadded, 80)))            # repeated


def test_a_dotted_value_whose_second_part_is_no_month_is_no_date():
    # month first with dots is no country's writing: 10.15.20 is a version or a code, as pandas' format guess says
    # nothing of it (while its parser would make it 15 October)
    assert pd.tseries.api.guess_datetime_format("10.15.20") is None
    assert not any(is_date(v) for v in ["10.15.20", "1.13.2020", "12.31.99"])
    assert all(is_date(v) for v in ["15.10.20", "31.12.99", "1.2.2020"])
    codes = [f"{10 + k % 3}.{13 + k}.{20 + k}" for k in range(12)]             # dotted codes, one a row
    said = _said(codes)
    assert "different value on each" in said and "dates" not in said, said


def test_one_value_a_row_of_dates_needs_every_value_a_date():
    # the first value alone decided: a column of codes whose first one reads as a date was said to be dates
    values = ["15.11.21", *[f"A{k}.{k}" for k in range(11)]]
    said = _said(values)
    assert "different value on each" in said and "dates" not in said, said


def _regression(tmp_path, dtype="float32", target_mean=0.0):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(120, 2))
    y = 0.3 * x[:, 0] - x[:, 1] + target_mean
    pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": y}).to_csv(tmp_path / "train.csv", index=False)
    model = tmp_path / "m.npz"
    r = cmd("train", str(tmp_path / "train.csv"), "--target", "y", "--epochs", "2", "--dtype", dtype,
            "--out", str(model), "--quiet")
    assert r.returncode == 0, r.stderr
    return model


@pytest.mark.parametrize("to_file", [False, True])
def test_a_float32_models_predictions_have_float32_digits(tmp_path, to_file):
    model = _regression(tmp_path)
    pd.DataFrame({"a": [0.5, -1.0, 2.0], "b": [1.0, 0.0, -0.25]}).to_csv(tmp_path / "new.csv", index=False)
    out = ["--out", str(tmp_path / "p.csv")] if to_file else []
    r = cmd("predict", str(model), str(tmp_path / "new.csv"), *out)
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "p.csv").read_text() if to_file else r.stdout
    written = text.split()[1:]
    assert len(written) == 3
    for w in written:
        assert w == repr(float(np.float32(w))) or w == str(np.float32(w)), w     # float32's shortest digits
        assert len(w.lstrip("-").replace(".", "").lstrip("0")) <= 9, w


def test_a_float32_models_predictions_keep_digits_float32_would_round(tmp_path):
    # a target near 1e8: float32's step there is 8, so the float64 digits of the un-scaled value are kept
    model = _regression(tmp_path, target_mean=1e8)
    pd.DataFrame({"a": [0.5, -1.0], "b": [1.0, 0.0]}).to_csv(tmp_path / "new.csv", index=False)
    r = cmd("predict", str(model), str(tmp_path / "new.csv"))
    assert r.returncode == 0, r.stderr
    values = np.array(r.stdout.split()[1:], dtype=np.float64)
    assert np.any(np.abs(values - values.astype(np.float32)) > 0.01), values      # not rounded to float32


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_written_predictions_read_back_as_the_models_own(tmp_path, dtype):
    # the truth: the model's predictions in Python (decode, float64); read back from the file, each is that value
    # to the network's dtype (float64's all digits), and float32's are its shortest
    import chainrule as cr
    model = _regression(tmp_path, dtype=dtype)
    df = pd.DataFrame({"a": [0.5, -1.0, 2.0, 0.0], "b": [1.0, 0.0, -0.25, 0.1]})
    df.to_csv(tmp_path / "new.csv", index=False)
    r = cmd("predict", str(model), str(tmp_path / "new.csv"))
    assert r.returncode == 0, r.stderr
    written = r.stdout.split()[1:]
    net, extra = cr.load(model, with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    truth = pre.decode(net.predict(pre.transform(df[pre.columns])))
    if dtype == "float64":
        assert [float(w) for w in written] == truth.tolist()
    else:
        assert [np.float32(w) for w in written] == truth.astype(np.float32).tolist()
        assert written == [str(v) for v in truth.astype(np.float32)]


@pytest.mark.parametrize("stream", [[], ["--stream"]])
def test_train_and_train_stream_say_unpadded_dotted_dates_alike(tmp_path, stream):
    days = pd.date_range("2020-02-01", periods=30, freq="9D")
    x = np.random.default_rng(0).normal(size=30)
    for name, col in (("dates", [f"{d.day}.{d.month}.{d.strftime('%y')}" for d in days]),
                      ("codes", [f"{10 + k % 3}.{13 + k}.20" for k in range(30)])):
        pd.DataFrame({"d": col, "x": x, "y": np.where(x > 0, "a", "b")}).to_csv(tmp_path / f"{name}.csv", index=False)
        r = cmd("train", str(tmp_path / f"{name}.csv"), "--target", "y", "--epochs", "1", "--out",
                str(tmp_path / "m.npz"), *stream)
        assert r.returncode == 0, r.stderr
        assert ("(dates, e.g." in r.stderr) == (name == "dates"), r.stderr
