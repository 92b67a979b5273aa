"""train of a regression: its epoch losses are of the standardised target, its validation metrics in the file's
units; both said, so "loss 1.18" beside evaluate's "mse 6037" is not a puzzle."""
import io
from importlib.resources import files

import numpy as np
import pandas as pd
from conftest import cmd, training_rows
from sklearn.metrics import mean_squared_error

DIABETES = files("chainrule.data.examples") / "diabetes.csv"


def test_the_epoch_lines_of_a_regression_say_the_mean_and_std_they_are_scaled_by(tmp_path):
    """The line before the epochs names the training rows' mean and standard deviation (NumPy's, ddof=0 as the
    scaler's); the summary's mse is labelled in the target's units and is scikit-learn's on the held-out rows."""
    out = tmp_path / "d.npz"
    r = cmd("train", DIABETES, "--target", "progression", "--epochs", 2, "--out", out)
    assert r.returncode == 0, r.stderr
    y = pd.read_csv(DIABETES)["progression"].to_numpy(float)
    train = training_rows(len(y))
    kept = y[train]
    lines = r.stderr.splitlines()
    said = (f"losses of the standardised target: ('progression' - mean {kept.mean():.6g}) / std "
            f"{kept.std(ddof=0):.6g}, of the training rows")
    at = lines.index(said)
    assert lines[at + 1].startswith("epoch 1/2: loss "), lines          # said once, where the epochs start
    assert sum("standardised target" in s for s in lines) == 1
    summary = next(s for s in r.stdout.splitlines() if s.startswith("validation"))
    assert summary.startswith("validation in the units of 'progression': mse "), summary
    predicted = pd.read_csv(io.StringIO(cmd("predict", out, DIABETES).stdout))["prediction"].to_numpy()
    held = np.setdiff1d(np.arange(len(y)), train)
    mse = mean_squared_error(y[held], predicted[held])
    assert summary.split("mse ")[1].split(",")[0] == f"{mse:.4g}", (summary, mse)


def test_a_weighted_regression_says_its_mean_is_weighted(tmp_path):
    """With --weight the scaler's mean and std are the weighted ones (NumPy's average with the weights)."""
    df = pd.read_csv(DIABETES).head(100)
    df["w"] = np.arange(100) % 3 + 1.0
    path = tmp_path / "w.csv"
    df.to_csv(path, index=False)
    r = cmd("train", path, "--target", "progression", "--weight", "w", "--epochs", 1, "--out", tmp_path / "w.npz")
    assert r.returncode == 0, r.stderr
    rows = training_rows(100)
    y, w = df["progression"].to_numpy(float)[rows], df["w"].to_numpy()[rows]
    mean = np.average(y, weights=w)
    std = np.sqrt(np.average((y - mean) ** 2, weights=w))
    assert (f"losses of the standardised target: ('progression' - mean {mean:.6g}) / std {std:.6g}, "
            "of the weighted training rows") in r.stderr.splitlines(), r.stderr


def test_a_classifiers_lines_are_as_they_were(tmp_path):
    """Nothing is added to a classification's output: no standardised target, the summary still 'validation: '."""
    rows = "".join(f"{i % 7},{i % 5},{'ab'[i % 2]}\n" for i in range(40))
    path = tmp_path / "c.csv"
    path.write_text("x,z,label\n" + rows)
    r = cmd("train", path, "--target", "label", "--epochs", 1, "--out", tmp_path / "c.npz")
    assert r.returncode == 0, r.stderr
    assert "standardised target" not in r.stderr
    assert r.stdout.splitlines()[0].startswith("validation: loss "), r.stdout
    lines = r.stderr.splitlines()
    assert lines[lines.index(next(s for s in lines if s.startswith("classification of")))
                 + 1].startswith("epoch 1/1: "), lines
