"""A regression target spread over float64's whole range (-1.7e308 to 1.7e308): errors that themselves
pass float64's limit are said so for rmse and mae, never 'inf' beside a claim that rmse is finite."""
import csv
import sys
from fractions import Fraction

import numpy as np
from conftest import cmd

MAX = Fraction(sys.float_info.max)


def write(path, ys):
    x = np.linspace(0, 1, len(ys))
    path.write_text("x,y\n" + "".join(f"{float(a)!r},{float(b)!r}\n" for a, b in zip(x, ys)))
    return str(path)


def exact(path):
    """The file's numbers as exact fractions (no float64 arithmetic to overflow)."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))[1:]
    return [Fraction(float(r[-1])) for r in rows]


def test_train_spanning_target_says_rmse_beyond_not_inf(tmp_path):
    x = np.linspace(0, 1, 50)
    data = write(tmp_path / "span.csv", 1.7e308 * (2 * x - 1))
    r = cmd("train", data, "--target", "y", "--out", str(tmp_path / "s.npz"), "--epochs", "2", "--seed", "0",
            cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("validation"))
    assert " inf" not in line, line
    if "rmse beyond float64's range" in line:
        assert "is finite" not in line, line


def test_spanning_target_mean_and_spread_exact_without_numpy_warning():
    import warnings

    import pandas as pd

    from chainrule.data.tabular import Preprocessing
    ys = np.random.default_rng(0).permutation(1.7e308 * (2 * np.linspace(0, 1, 50) - 1))   # as train shuffles
    df = pd.DataFrame({"x": np.sin(np.arange(50.0)), "y": ys})
    with warnings.catch_warnings():
        warnings.simplefilter("error")                # -1.7e308 + 1.7e308 in one sum: no 'invalid value'
        pre = Preprocessing.fit(df, "y", task="regression")
    exact_y = [Fraction(float(v)) for v in ys]
    mean = sum(exact_y) / len(exact_y)
    var = sum((v - mean) ** 2 for v in exact_y) / len(exact_y)
    assert abs(Fraction(pre.y_mean) - mean) <= Fraction(1e-12) * MAX
    assert abs(Fraction(pre.y_scale) ** 2 / var - 1) < Fraction(1, 10 ** 12)


def test_evaluate_errors_past_float64_said_for_each_metric(tmp_path):
    x = np.linspace(0, 1, 50)
    model = str(tmp_path / "a.npz")
    r = cmd("train", write(tmp_path / "a.csv", 1e308 * (2 * x - 1)), "--target", "y", "--out", model,
            "--epochs", "30", "--seed", "0", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    flipped = write(tmp_path / "b.csv", -1.79e308 * np.sign(2 * x - 1))
    assert cmd("predict", model, flipped, "--out", str(tmp_path / "p.csv"), cwd=tmp_path).returncode == 0
    truth, pred = exact(flipped), exact(tmp_path / "p.csv")
    errors = [t - p for t, p in zip(truth, pred)]
    mse = sum(e * e for e in errors) / len(errors)
    mae = sum(abs(e) for e in errors) / len(errors)
    r = cmd("evaluate", model, flipped, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    said = dict(ln.split(": ", 1) for ln in r.stdout.splitlines() if ": " in ln)
    assert mse > MAX * MAX                            # the errors themselves pass float64's limit
    assert "errors themselves pass" in said["rmse"] and "errors themselves pass" in said["mse"]
    assert "is finite" not in said["mse"]
    if mae > MAX:
        assert "mean of the absolute errors passes" in said["mae"]
    else:
        assert abs(float(said["mae"]) - float(mae)) <= 1e-5 * float(mae)
    assert "inf" not in r.stdout
