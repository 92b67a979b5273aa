"""Columns and regression targets with values near float64's largest (1.8e308): standardised without overflow
where the answer is finite (checked against exact rational arithmetic), refused naming the cell where it is not."""
import math
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from conftest import cmd

from chainrule.data.tabular import Preprocessing
from chainrule.errors import ValidationError

M = float(np.finfo(np.float64).max)


def exact(values):
    """The mean, population standard deviation and standardised values, in exact fractions (then rounded)."""
    q = [Fraction(v) for v in values]
    mean = sum(q) / len(q)
    std = math.sqrt(sum((v - mean) ** 2 for v in q) / len(q) / Fraction(M) ** 2) * M   # sqrt in units of M
    z = [float((v - mean) / Fraction(std)) for v in q]
    return float(mean), std, np.array(z)


@pytest.mark.parametrize("values", [[M, M, M, -M], [-M, -M, -M, M], [1e308, -1e308, 3.0, 5.0], [M, 0.0, 0.0, 0.0]])
def test_input_column_near_float64_max_standardised_exactly(values):
    values = values * 3                                 # 12 rows: enough for the check of a row-number column
    df = pd.DataFrame({"x": values, "y": [0.5, 1.5, 2.5, 3.5] * 3})
    with warnings.catch_warnings():
        warnings.simplefilter("error")                  # no overflow RuntimeWarning on the way
        pre = Preprocessing.fit(df, "y", task="regression")
        z = pre.transform(df, sparse=False)[:, 0]
    mean, std, truth = exact(values)
    assert abs(pre.means[0] - mean) <= 1e-14 * std     # float64's rounding, as a share of the spread
    assert pre.scales[0] == pytest.approx(std, rel=1e-14)
    np.testing.assert_allclose(z, truth, rtol=1e-13, atol=1e-14)


def test_regression_target_near_float64_max_standardised_exactly():
    values = [M, M, M, -M]
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": values})
    pre = Preprocessing.fit(df, "y", task="regression")
    mean, std, truth = exact(values)
    assert (pre.y_mean, pre.y_scale) == (pytest.approx(mean, rel=1e-14), pytest.approx(std, rel=1e-14))
    np.testing.assert_allclose(pre.encode_target(df)[:, 0], truth, rtol=1e-13)


def test_predict_value_far_past_training_standardised_exactly():
    train = pd.DataFrame({"x": [M, M, M, -M], "y": [0.5, 1.5, 2.5, 3.5]})
    pre = Preprocessing.fit(train, "y", task="regression")
    z = pre.transform(pd.DataFrame({"x": [-M]}), sparse=False)[0, 0]
    truth = float((Fraction(-M) - Fraction(pre.means[0])) / Fraction(pre.scales[0]))
    assert z == pytest.approx(truth, rel=1e-15)


@pytest.mark.parametrize("cell", ["inf", "Infinity", "-inf"])
def test_infinite_regression_target_refused_naming_its_line(tmp_path, cell):
    rows = ["x,y", "1,0.5", "2,1.5", f"3,{cell}", "4,3.5", "5,1", "6,2"]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    for extra in ([], ["--stream"]):
        out = cmd("train", tmp_path / "d.csv", "--target", "y", "--task", "regression", "--epochs", "2",
                  "--out", tmp_path / "m.npz", *extra)
        assert out.returncode != 0
        assert "'y'" in out.stderr and "infinite value on line 4" in out.stderr, out.stderr
        assert "Traceback" not in out.stderr


def test_infinite_regression_target_refused_by_encode_target():
    pre = Preprocessing.fit(pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0.5, 1.5, 2.0]}), "y", task="regression")
    with pytest.raises(ValidationError, match=r"target column 'y' has an infinite value on row 1"):
        pre.encode_target(pd.DataFrame({"x": [1.0, 2.0], "y": [0.5, np.inf]}))


def test_train_csv_near_float64_max_trains_and_predicts(tmp_path):
    rows = ["x,y"] + [f"{v!r},{t}" for v, t in zip([M, M, M, -M] * 3, [0.5, 1.5, 2.5, 3.5] * 3)]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    for extra in ([], ["--stream"]):
        out = cmd("train", tmp_path / "d.csv", "--target", "y", "--task", "regression", "--epochs", "2",
                  "--out", tmp_path / "m.npz", *extra)
        assert out.returncode == 0, out.stderr
        assert "overflow" not in out.stderr
    out = cmd("predict", tmp_path / "m.npz", tmp_path / "d.csv")
    assert out.returncode == 0, out.stderr
    assert "overflow" not in out.stderr


@pytest.mark.parametrize("values", [[1.7e308, 1.7e308, -1.7e308, 0.0], [-1.7e308, 1e308, 1e308, 0.0]])
def test_huge_standardised_values_scale_back_to_the_values(values):
    """The inverse of standardising (a prediction in target units, a column's value in the explorer) overflowed in
    scale * z where the value it stands for is finite: decode refused the training targets as 'beyond float64'."""
    df = pd.DataFrame({"x": values, "y": values})
    pre = Preprocessing.fit(df, "y", task="regression")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = pre.decode(pre.encode_target(df))
        cells = [pre.raw_value(0, z) for z in pre.transform(df, sparse=False)[:, 0]]
    np.testing.assert_allclose(back, values, rtol=1e-14)
    np.testing.assert_allclose(cells, values, rtol=1e-14)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_onnx_export_of_columns_near_float64_max_gives_predicts_answer(tmp_path, dtype):
    """The graph standardised (x - mean) / scale in one go: the training rows themselves overflowed there and were
    refused as 'missing or infinite' by onnxruntime, while predict answered."""
    ort = pytest.importorskip("onnxruntime")
    x = [1.7e308, 1.7e308, -1.7e308, 0.0] * 3
    pd.DataFrame({"x": [repr(v) for v in x], "y": [0.5, 1.5, 2.5, 3.5] * 3}).to_csv(tmp_path / "d.csv", index=False)
    assert cmd("train", tmp_path / "d.csv", "--target", "y", "--task", "regression", "--epochs", "2", "--dtype",
               dtype, "--out", tmp_path / "m.npz", "--quiet").returncode == 0
    assert cmd("predict", tmp_path / "m.npz", tmp_path / "d.csv", "--out", tmp_path / "p.csv").returncode == 0
    assert cmd("export", tmp_path / "m.npz", tmp_path / "m.onnx").returncode == 0
    s = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    got = s.run(None, {"x": np.array(x).reshape(-1, 1)})[0].ravel()
    np.testing.assert_allclose(got, pd.read_csv(tmp_path / "p.csv")["prediction"], rtol=1e-6)


def test_onnx_export_scales_a_prediction_near_float64_max_back_as_predict_does(tmp_path):
    """The graph's mean + scale * z overflowed to inf for a prediction whose value (-1.7e308) is finite."""
    import chainrule as cr
    ort = pytest.importorskip("onnxruntime")
    y = [1.7e308, 1.7e308, -1.7e308, 0.0] * 3
    pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0] * 3, "y": [repr(v) for v in y]}).to_csv(tmp_path / "e.csv", index=False)
    assert cmd("train", tmp_path / "e.csv", "--target", "y", "--task", "regression", "--epochs", "1",
               "--out", tmp_path / "m.npz", "--quiet").returncode == 0
    net, extra = cr.load(tmp_path / "m.npz", with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    last = net.layers[-1]
    last.W[...] = 0.0
    last.b[...] = pre.encode_target(pd.DataFrame({"x": [3.0], "y": [-1.7e308]}))[0, 0]   # every row: -1.7e308
    cr.save(net, tmp_path / "m.npz", extra=extra)
    r = cmd("predict", tmp_path / "m.npz", tmp_path / "e.csv", "--out", tmp_path / "p.csv")
    assert r.returncode == 0, r.stderr
    want = pd.read_csv(tmp_path / "p.csv")["prediction"].to_numpy()
    np.testing.assert_allclose(want, -1.7e308, rtol=1e-14)
    assert cmd("export", tmp_path / "m.npz", tmp_path / "m.onnx").returncode == 0
    s = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    got = s.run(None, {"x": np.array([1.0, 2.0, 3.0, 4.0] * 3).reshape(-1, 1)})[0]
    np.testing.assert_array_equal(got, want)


def test_explain_targets_near_float64_max_standardised_as_training_does(tmp_path):
    """explain --targets scaled the value with its own (value - mean) / scale: -1.7e308 overflowed to -inf, told as
    NumPy's 'overflow encountered in subtract' and scikit-learn's 'Y contains NaN or infinity'."""
    import re

    import chainrule as cr
    y = [1.7e308, 1.7e308, -1.7e308, 0.0] * 3
    pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0] * 3, "y": [repr(v) for v in y]}).to_csv(tmp_path / "e.csv", index=False)
    assert cmd("train", tmp_path / "e.csv", "--target", "y", "--task", "regression", "--epochs", "1", "--hidden",
               "2", "--out", tmp_path / "m.npz", "--quiet").returncode == 0
    out = cmd("explain", tmp_path / "m.npz", "--data", tmp_path / "e.csv", "--row", "3", "--targets=-1.7e308")
    assert out.returncode == 0, out.stderr
    assert "overflow" not in out.stderr
    pre = Preprocessing.from_json(cr.load(tmp_path / "m.npz", with_extra=True)[1]["tabular"])
    truth = float((Fraction(-1.7e308) - Fraction(pre.y_mean)) / Fraction(pre.y_scale))
    shown = re.search(r"\(target_o1 - out_o1\)\^2 = \((\S+) - ", out.stdout)
    assert shown is not None, out.stdout
    assert float(shown.group(1)) == pytest.approx(truth, rel=1e-9)


def test_sweep_target_scaling_near_float64_max_round_trips_without_overflow():
    """The sweep's TargetScaling had its own (y - mean) / scale, scale * z + mean and np.ptp: each overflowed."""
    from chainrule.sweep_search import TargetScaling
    y = np.array([1.7e308, 1.7e308, -1.7e308, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = TargetScaling().fit(y)
        z = t.transform(y)
        back = t.inverse_transform(z)
    mean, std, truth = exact(list(y))
    np.testing.assert_allclose(z, truth, rtol=1e-13)
    np.testing.assert_allclose(back, y, rtol=1e-14)
