"""true/false targets read as the file writes them by every reading (train, train --stream, sweep), and a grid's or
an option's number that float64 reads as 0 named as typed."""
import numpy as np
import pandas as pd
import pytest
from conftest import cmd


def _true_false(path, true, false):
    """Two numeric columns and a target `true` where the first is > 0, else `false`; the labels returned."""
    X = np.random.default_rng(1).normal(size=(100, 2))
    labels = np.where(X[:, 0] > 0, true, false)
    with open(path, "w") as f:
        f.write("a,b,t\n" + "".join(f"{float(x)!r},{float(z)!r},{c}\n" for (x, z), c in zip(X, labels)))
    return labels


@pytest.mark.parametrize("true, false", [("true", "false"), ("TRUE", "FALSE")])
def test_a_streamed_true_false_target_keeps_its_words(tmp_path, true, false):
    """train --stream read the words as Python's True and False: --class-weight true=2 was 'not a class', and
    predict wrote True for 'true'; now its classes are the file's words, as train without --stream reads them."""
    labels = _true_false(tmp_path / "t.csv", true, false)
    trained = cmd("train", tmp_path / "t.csv", "--target", "t", "--stream", "--epochs", "30", "--class-weight",
                  f"{true}=2", "--out", tmp_path / "m.npz")
    assert trained.returncode == 0, trained.stderr
    predicted = cmd("predict", tmp_path / "m.npz", tmp_path / "t.csv", "--out", tmp_path / "p.csv")
    assert predicted.returncode == 0, predicted.stderr
    written = pd.read_csv(tmp_path / "p.csv", dtype=str)["prediction"]
    assert set(written) <= {true, false}
    assert (written == labels).mean() > 0.8


def test_a_sweeps_true_false_target_keeps_its_words(tmp_path):
    """sweep's classes were [False, True]: --class-weight TRUE=2 was 'not a class'; its best model predicts TRUE."""
    labels = _true_false(tmp_path / "t.csv", "TRUE", "FALSE")
    swept = cmd("sweep", tmp_path / "t.csv", "--target", "t", "--grid", "lr=0.01,0.05", "--epochs", "30",
                "--class-weight", "TRUE=2", "--out-dir", tmp_path / "s")
    assert swept.returncode == 0, swept.stderr
    predicted = cmd("predict", tmp_path / "s" / "best_model.npz", tmp_path / "t.csv", "--out", tmp_path / "p.csv")
    assert predicted.returncode == 0, predicted.stderr
    written = pd.read_csv(tmp_path / "p.csv", dtype=str)["prediction"]
    assert set(written) <= {"TRUE", "FALSE"} and (written == labels).mean() > 0.8


@pytest.mark.parametrize("pair, expected", [("clip_norm=1e-400", "a clip norm > 0, e.g. 1.0"),
                                            ("clip_value=2e-999", "a clip value > 0, e.g. 0.5")])
def test_a_grid_clip_that_float64_reads_as_0_is_named_as_typed(tmp_path, pair, expected):
    """--grid clip_norm=1e-400 said "got 0.0", as lr=1e-400 did: the text typed, and why float64 reads it as 0."""
    _true_false(tmp_path / "t.csv", "p", "q")
    result = cmd("sweep", tmp_path / "t.csv", "--target", "t", "--grid", pair, "--out-dir", tmp_path / "s")
    assert result.returncode == 2
    key, text = pair.split("=")
    assert f"--grid: {pair}: expected {expected}; got '{text}', which float64 reads as 0 (its smallest is " \
           "5e-324)" in result.stderr
    assert "got 0.0" not in result.stderr


def test_train_clip_norm_that_float64_reads_as_0_says_why(tmp_path):
    """--clip-norm 1e-400 said only "expected a finite number > 0; got '1e-400'", a number above 0 as typed."""
    _true_false(tmp_path / "t.csv", "p", "q")
    result = cmd("train", tmp_path / "t.csv", "--target", "t", "--clip-norm", "1e-400", "--out", tmp_path / "m.npz")
    assert result.returncode == 2
    assert "argument --clip-norm: expected a finite number > 0, e.g. 1.0; got '1e-400', which float64 reads as 0" \
        in result.stderr


@pytest.mark.parametrize("value", [12345680.0, -3.0, 2 ** 60 + 1, 0.1 + 0.2, 1e-07, 2.5, 1e300])
def test_exact_numbers_are_the_shortest_that_read_back(value):
    """info's fill values and the class-weights line: 12345680.0 was said '12345680.0' (the shortest is 12345680),
    and an int past 2**53 went through a float, another number."""
    from chainrule.cli.numbers import exact
    said = exact(value)
    assert (int(said) if isinstance(value, int) else float(said)) == value
    assert not said.endswith(".0") and len(said) <= len(repr(value))
