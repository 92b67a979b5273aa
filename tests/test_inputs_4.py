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


# --- 2. rows of weight 0 shape nothing: the statistics weighted as StandardScaler weighs them ---------

def _weighted_csv(path, rng, n=60, extra_zero_rows=None):
    """x1, x2 numbers, colour text, y a class; w weights (0 for some rows); optionally wild rows of weight 0."""
    x = rng.normal(size=(n, 2)) * [1.0, 50.0] + [0.0, 100.0]
    colour = rng.choice(["red", "green", "blue"], size=n)
    y = np.where(x[:, 0] + (colour == "red") > 0.5, "yes", "no")
    w = rng.integers(1, 4, size=n).astype(float)
    w[::7] = 0.0
    df = pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "colour": colour, "y": y, "w": w})
    if extra_zero_rows is not None:
        df = pd.concat([df, extra_zero_rows], ignore_index=True)
    df.to_csv(path, index=False)
    return df


@pytest.mark.parametrize("stream", [False, True])
def test_the_means_and_scales_are_standard_scalers_with_sample_weight(tmp_path, capsys, stream):
    from sklearn.preprocessing import StandardScaler
    df = _weighted_csv(tmp_path / "t.csv", np.random.default_rng(1))
    more = ["--stream", "--chunk-rows", "16"] if stream else []
    code, _, err = cli_in_process(capsys, "train", tmp_path / "t.csv", "--target", "y", "--weight", "w",
                                  "--val-split", "0", "--epochs", "1", "--out", tmp_path / "m.npz", *more)
    assert code == 0, err
    _, extra = cr.load(tmp_path / "m.npz", with_extra=True)
    pre = extra["tabular"]
    scaler = StandardScaler().fit(df[["x1", "x2"]], sample_weight=df["w"])
    np.testing.assert_allclose(pre["means"], scaler.mean_, rtol=1e-12)
    np.testing.assert_allclose(pre["scales"], scaler.scale_, rtol=1e-12)


@pytest.mark.parametrize("stream", [False, True])
def test_rows_of_weight_0_change_nothing_in_the_model(tmp_path, capsys, stream):
    """Wild values and a new category in rows of weight 0: the model file is the one trained without
    those rows (bit for bit in memory), as scikit-learn's OneHotEncoder fitted on the rows that count
    knows no such category (its rows encode as all zeros, as handle_unknown='ignore')."""
    from sklearn.preprocessing import OneHotEncoder
    rng = np.random.default_rng(2)
    wild = pd.DataFrame({"x1": [1e6, -1e6], "x2": [5e7, 0.0], "colour": ["purple", "purple"], "y": ["yes", "no"],
                         "w": [0.0, 0.0]})
    df = _weighted_csv(tmp_path / "with.csv", rng, extra_zero_rows=wild)
    df.iloc[:60].to_csv(tmp_path / "without.csv", index=False)
    more = ["--stream", "--chunk-rows", "16"] if stream else []
    common = ["--target", "y", "--weight", "w", "--val-split", "0", "--epochs", "3", "--hidden", "4", "--seed", "3",
              "--batch-size", "200", *more]
    for name in ("with", "without"):
        code, _, err = cli_in_process(capsys, "train", tmp_path / f"{name}.csv", *common,
                                      "--out", tmp_path / f"{name}.npz")
        assert code == 0, err
    (a, ea), (b, eb) = (cr.load(tmp_path / f"{k}.npz", with_extra=True) for k in ("with", "without"))
    encoder = OneHotEncoder(handle_unknown="ignore").fit(df.loc[df["w"] > 0, ["colour"]])
    assert ea["tabular"]["categories"]["colour"] == encoder.categories_[0].tolist() == ["blue", "green", "red"]
    np.testing.assert_allclose(ea["tabular"]["means"], eb["tabular"]["means"], rtol=1e-12)
    np.testing.assert_allclose(ea["tabular"]["scales"], eb["tabular"]["scales"], rtol=1e-12)
    # one batch of every row: weight-0 rows add nothing to the gradient, so the weights agree
    np.testing.assert_allclose(a.params, b.params, rtol=1e-9, atol=1e-12)


def test_a_regression_targets_scale_and_the_mean_fill_are_weighted(tmp_path, capsys):
    rng = np.random.default_rng(3)
    n = 50
    x = rng.normal(size=n)
    x[::5] = np.nan
    w = rng.integers(0, 3, size=n).astype(float)
    y = 3 * np.nan_to_num(x) + rng.normal(size=n) + 100
    pd.DataFrame({"x": x, "y": y, "w": w}).to_csv(tmp_path / "r.csv", index=False)
    code, _, err = cli_in_process(capsys, "train", tmp_path / "r.csv", "--target", "y", "--weight", "w",
                                  "--val-split", "0", "--epochs", "1", "--impute", "mean",
                                  "--out", tmp_path / "m.npz")
    assert code == 0, err
    pre = cr.load(tmp_path / "m.npz", with_extra=True)[1]["tabular"]
    present = ~np.isnan(x)
    fill = np.average(x[present], weights=w[present])
    assert pre["fill"]["x"] == pytest.approx(fill, rel=1e-12)
    from sklearn.preprocessing import StandardScaler
    filled = np.where(present, x, fill)
    np.testing.assert_allclose(pre["means"], StandardScaler().fit(filled[:, None], sample_weight=w).mean_, rtol=1e-12)
    target = StandardScaler().fit(y[:, None], sample_weight=w)
    assert (pre["y_mean"], pre["y_scale"]) == pytest.approx((target.mean_[0], target.scale_[0]), rel=1e-12)


def test_the_python_api_takes_sample_weight_and_checks_it():
    from chainrule.data.tabular import Preprocessing
    df = pd.DataFrame({"a": [1.0, 2.0, 10.0, 4.0], "y": [0, 1, 0, 1]})
    pre = Preprocessing.fit(df, "y", sample_weight=[1, 0, 2, 3])
    assert pre.means == [pytest.approx(5.5)]
    with pytest.raises(ValidationError, match=r"sample_weight must be finite numbers >= 0; weight 1 is -1\.0"):
        Preprocessing.fit(df, "y", sample_weight=[1, -1, 2, 3])
    with pytest.raises(ValidationError, match=r"every training row has sample weight 0"):
        Preprocessing.fit(df, "y", sample_weight=[0, 0, 0, 0])


@pytest.mark.parametrize("stream", [False, True])
def test_a_checkpoint_of_an_older_chainrule_resumes_with_its_unweighted_statistics(tmp_path, capsys, stream):
    """A checkpoint written before --weight weighed the statistics (its inputs scaled by every row's
    mean) resumes as it was trained, to the model an uninterrupted run of that chainrule gives."""
    from functools import partialmethod

    from chainrule.data.stream import CsvStream
    from chainrule.data.tabular import Preprocessing
    _weighted_csv(tmp_path / "t.csv", np.random.default_rng(4))
    more = ["--stream", "--chunk-rows", "16"] if stream else []
    common = ["train", tmp_path / "t.csv", "--target", "y", "--weight", "w", "--hidden", "4", "--seed", "1", *more]
    fit = Preprocessing.fit.__func__
    with pytest.MonkeyPatch.context() as m:             # the older chainrule: the statistics unweighted
        m.setattr(Preprocessing, "fit", classmethod(lambda cls, *a, sample_weight=None, **k: fit(cls, *a, **k)))
        m.setattr(CsvStream, "fit", partialmethod(CsvStream.fit, weighs=False))
        code, _, err = cli_in_process(capsys, *common, "--epochs", "4", "--out", tmp_path / "whole.npz")
        assert code == 0, err
        code, _, err = cli_in_process(capsys, *common, "--epochs", "2", "--out", tmp_path / "half.npz",
                                      "--checkpoint-dir", tmp_path / "ck")
        assert code == 0, err
    code, _, err = cli_in_process(capsys, *common, "--epochs", "4", "--out", tmp_path / "resumed.npz",
                                  "--checkpoint-dir", tmp_path / "ck", "--resume")
    assert code == 0, err
    assert "resuming with the checkpoint's preprocessing, learnt without the --weight column 'w'" in err
    (a, ea), (b, eb) = (cr.load(tmp_path / f"{k}.npz", with_extra=True) for k in ("whole", "resumed"))
    np.testing.assert_array_equal(a.params, b.params)
    assert ea["tabular"]["means"] == eb["tabular"]["means"]
    # a new run weighs them: its means are not the old ones
    code, _, err = cli_in_process(capsys, *common, "--epochs", "1", "--out", tmp_path / "new.npz")
    assert cr.load(tmp_path / "new.npz", with_extra=True)[1]["tabular"]["means"] != ea["tabular"]["means"]


# --- 4. real files and tables as practitioners have them -----------------------------------------------

def _table(n=40, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    return pd.DataFrame({"a": a.round(3), "b": rng.integers(1000, 5000, size=n), "y": (a > 0).astype(int)})


def _train(capsys, path, *more):
    return cli_in_process(capsys, "train", path, "--target", "y", "--epochs", "1", "--hidden", "4", "--seed", "0",
                          "--out", path.with_suffix(".npz"), *more)


@pytest.mark.parametrize("stream", [False, True])
def test_a_bom_windows_line_ends_and_trailing_empty_lines_train_as_the_plain_file(tmp_path, capsys, stream):
    text = _table().to_csv(index=False)
    more = ["--stream"] if stream else []
    files = {"plain": text.encode(), "bom": "\ufeff".encode() + text.encode(),
             "crlf": text.replace("\n", "\r\n").encode(), "trailing": (text + "\n\n").encode()}
    for name, data in files.items():
        (tmp_path / f"{name}.csv").write_bytes(data)
        code, _, err = _train(capsys, tmp_path / f"{name}.csv", *more)
        assert code == 0, (name, err)
        assert "numeric columns (2, standardised): ['a', 'b']" in err, (name, err)
    plain = cr.load(tmp_path / "plain.npz")
    for name in files:
        np.testing.assert_array_equal(cr.load(tmp_path / f"{name}.npz").params, plain.params)


@pytest.mark.parametrize("stream", [False, True])
def test_a_header_naming_a_column_twice_is_refused_with_both_places(tmp_path, capsys, stream):
    (tmp_path / "d.csv").write_text("a,b,a,y\n" + "1,2,3,0\n" * 12)
    code, _, err = _train(capsys, tmp_path / "d.csv", *(["--stream"] if stream else []))
    assert code == 2
    assert err.strip().endswith("d.csv': the column name 'a' appears twice in the header (columns 1 and "
                                "3); column names must be unique: rename one of them")
    assert list(pd.read_csv(tmp_path / "d.csv").columns) == ["a", "b", "a.1", "y"]     # pandas renames silently


@pytest.mark.parametrize("stream", [False, True])
def test_percentages_are_refused_with_the_conversion_and_the_options(tmp_path, capsys, stream):
    df = _table()
    df["p"] = [f"{v % 100}%" for v in df.pop("b")]
    df.to_csv(tmp_path / "p.csv", index=False)
    more = ["--stream"] if stream else []
    code, _, err = _train(capsys, tmp_path / "p.csv", *more)
    assert code == 2
    assert f"column 'p' holds percentages (e.g. '{df['p'][0]}' on line 2), not numbers" in err
    assert "df['p'].str.rstrip('%').astype(float)" in err and "--text 'p'" in err and "--drop 'p'" in err
    df["p"] = df["p"].str.rstrip("%").astype(float)            # the conversion given works
    df.to_csv(tmp_path / "n.csv", index=False)
    code, _, err = _train(capsys, tmp_path / "n.csv", *more)
    assert code == 0 and "numeric columns (2, standardised): ['a', 'p']" in err, err


@pytest.mark.parametrize("stream", [False, True])
def test_numbers_with_thousands_separators_are_refused_without_an_id_warning_first(tmp_path, capsys, stream):
    """Each value differs, so the column looked like an ID before it was found to be numbers: the
    warning to --drop it came before the error that says how to read it."""
    df = _table()
    (tmp_path / "t.csv").write_text("a;b;y\n" + "".join(f"{a};{b:,};{y}\n" for a, b, y in df.itertuples(index=False)))
    more = ["--sep", ";", *(["--stream"] if stream else [])]
    code, _, err = _train(capsys, tmp_path / "t.csv", *more)
    assert code == 2
    assert f"column 'b' holds numbers with thousands separators (e.g. '{df['b'][0]:,}' on line 2): give " \
           "--thousands ','" in err
    assert "ID or row number" not in err
    code, _, err = _train(capsys, tmp_path / "t.csv", *more, "--thousands", ",", "--val-split", "0")
    assert code == 0, err
    _, extra = cr.load(tmp_path / "t.npz", with_extra=True)
    assert extra["tabular"]["means"][1] == pytest.approx(df["b"].mean(), rel=1e-12)


def test_yes_no_true_false_and_labels_written_1_0_train_and_predict_as_written(tmp_path, capsys):
    df = _table()
    df["flag"] = np.array(["true", "false", "yes", "no"])[np.arange(len(df)) % 4]
    df["y"] = df["y"].map({0: "1.0", 1: "2.0"})
    df.to_csv(tmp_path / "t.csv", index=False)
    code, _, err = _train(capsys, tmp_path / "t.csv")
    assert code == 0, err
    # the words mean two values: two categories, as pandas reads them (tests/test_boolean_words.py; four before data6)
    assert "text column 'flag': 2 categories" in err
    code, out, err = cli_in_process(capsys, "predict", tmp_path / "t.npz", tmp_path / "t.csv", "--out", "-")
    assert code == 0, err
    assert set(out.split()[1:]) <= {"1.0", "2.0"}           # the labels as the file writes them


def test_a_file_of_2000_columns_trains_and_predicts(tmp_path, capsys):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(60, 2000)).round(2)
    df = pd.DataFrame(X, columns=[f"c{j}" for j in range(2000)]).assign(y=(X[:, 0] > 0).astype(int))
    df.to_csv(tmp_path / "w.csv", index=False)
    code, _, err = _train(capsys, tmp_path / "w.csv", "--val-split", "0")
    assert code == 0, err
    _, extra = cr.load(tmp_path / "w.npz", with_extra=True)
    np.testing.assert_allclose(extra["tabular"]["means"], X.mean(axis=0), rtol=1e-12, atol=1e-15)
    code, out, err = cli_in_process(capsys, "predict", tmp_path / "w.npz", tmp_path / "w.csv", "--out", "-")
    assert code == 0 and len(out.splitlines()) == 61, err


NULLABLE = pd.DataFrame({"i": pd.array(range(20), dtype="Int64"), "b": pd.array([True, False] * 10, dtype="boolean"),
                         "f": pd.array(np.linspace(0, 1, 20), dtype="Float64")})


@pytest.mark.parametrize("y", [pd.array([0, 1] * 10, dtype="Int64"), pd.array([True, False] * 10, dtype="boolean"),
                               pd.Series(["a", "b"] * 10, dtype="string")], ids=["Int64", "boolean", "string"])
@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_nullable_pandas_dtypes_train_as_their_numpy_values_with_scikit_learns_classes(y):
    from sklearn.neural_network import MLPClassifier
    plain = NULLABLE.astype({"i": "int64", "b": "bool", "f": "float64"})
    a, b = (BackpropClassifier(hidden_layer_sizes=(3,), epochs=2, random_state=0).fit(X, y)
            for X in (NULLABLE, plain))
    np.testing.assert_array_equal(a.predict_proba(NULLABLE), b.predict_proba(plain))
    with pytest.warns(Warning):
        ref = MLPClassifier(max_iter=1).fit(plain, y)
    np.testing.assert_array_equal(a.classes_, ref.classes_)


def test_a_missing_value_in_a_nullable_column_is_named_by_column_and_row():
    X = NULLABLE.assign(i=pd.array([1, None] + list(range(18)), dtype="Int64"))
    X.index = [f"r{k}" for k in range(20)]
    with pytest.raises(ValidationError, match=r"^X column 'i' has 1 missing value \(NaN or NA; first in row 'r1'\); "
                                              r"impute them"):
        BackpropClassifier(epochs=1).fit(X, [0, 1] * 10)
    with pytest.raises(ValidationError, match=r"^X column 'i' has 1 missing value \(first in row 'r1'\)"):
        cr.Network([cr.Dense(3, 1, "linear")], loss="mse").fit(X, np.zeros(20), epochs=1, verbose=0)
    with pytest.raises(ChainruleTypeError, match=r"^X column 's' must be numeric; got pandas dtype string"):
        cr.Network([cr.Dense(4, 1, "linear")], loss="mse").fit(
            NULLABLE.assign(s=pd.Series(["x"] * 20, dtype="string")), np.zeros(20), epochs=1, verbose=0)


def test_docs_show_the_time_span_messages_as_raised(tmp_path, capsys):
    from test_api_inputs import _documented
    with pytest.raises(ChainruleTypeError) as info:
        cr.Network([cr.Dense(2, 1, "linear")], loss="mse").predict(np.array([[1, 2], [3, 4]]) * np.timedelta64(1, "h"))
    assert _documented()["NumPy time span array"] == ("ChainruleTypeError", str(info.value))
    from pathlib import Path
    doc = (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
    rows = {c[0]: c[1] for c in ([x.strip() for x in line.strip().strip("|").split(" | ")] for line in doc.splitlines())
            if len(c) == 3}
    _span_csv(tmp_path / "s.csv", [str(pd.Timedelta(hours=26 + 5 * i)) for i in range(12)])
    pd.DataFrame({"p": ["12%", "3%"] * 6, "y": [0, 1] * 6}).to_csv(tmp_path / "p.csv", index=False)
    for case, name in (("time spans", "s"), ("percentages", "p")):
        code, _, err = _train(capsys, tmp_path / f"{name}.csv")
        assert code == 2 and err.strip().endswith(rows[case]), (err, rows[case])


def test_a_percentage_where_the_model_read_numbers_is_named_with_the_fix(tmp_path, capsys):
    df = _table()
    df.to_csv(tmp_path / "t.csv", index=False)
    assert _train(capsys, tmp_path / "t.csv")[0] == 0
    df["b"] = df["b"].astype(str).where(df.index != 3, "12%")
    df.to_csv(tmp_path / "new.csv", index=False)
    code, _, err = cli_in_process(capsys, "predict", tmp_path / "t.npz", tmp_path / "new.csv", "--out", "-")
    assert code == 2
    assert err.strip().endswith("column 'b' must be numeric; line 5 has '12%'; the file writes percentages: write them "
                                "as the numbers the model was trained on")


@pytest.mark.parametrize("stream", [False, True])
def test_training_rows_all_of_weight_0_are_refused_alike_in_memory_and_streamed(tmp_path, capsys, stream):
    """With --stream, training rows all of weight 0 (the validation rows weigh) ended in 'internal error 0'
    (the most frequent value of no rows); in memory they were refused in words. Both name the --weight column
    (they said 'every training row has sample weight 0', as the Python API, which has no column to name)."""
    (tmp_path / "w.csv").write_text("a,c,w,y\n1,x,0,p\n2,y,0,q\n3,x,0,p\n4,y,0,q\n5,x,1,p\n6,y,1,q\n")
    more = ["--stream"] if stream else []
    code, _, err = cli_in_process(capsys, "train", tmp_path / "w.csv", "--target", "y", "--weight", "w", "--impute",
                                  "most_frequent", "--val-split", "0.34", "--seed", "3", "--epochs", "1",
                                  "--out", tmp_path / "m.npz", *more)
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert last.startswith("chainrule: error: --weight column 'w' is 0 on every training row"), last
    assert last.endswith(": at least one must weigh more than 0"), last
    assert not (tmp_path / "m.npz").exists()
