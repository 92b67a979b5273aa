"""train whose last epoch's updates take the weights to finite numbers whose outputs overflow (a rate of 1e300, or a
cosine --schedule rising to eta_min=1e300): no later step finds it, and the model was saved with validation metrics
of inf; refused as divergence now (exit 3), the advice in the options' words, nothing written."""
import numpy as np
import pandas as pd
import pytest
from conftest import cmd


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": 2 * X[:, 0] + X[:, 2]}).to_csv(tmp_path / "t.csv", index=False)
    return tmp_path


@pytest.mark.parametrize("options, advice", [
    (["--lr", "1e300", "--epochs", "1"], "try a lower --lr (it was 1e+300)"),
    (["--epochs", "2", "--schedule", "cosine:T_max=1,eta_min=1e300"], "try a --schedule whose rate stays lower")])
def test_a_last_epoch_that_overflows_the_outputs_is_divergence(table, options, advice):
    out = table / "m.npz"
    r = cmd("train", table / "t.csv", "--target", "y", "--batch-size", 64, "--out", out, *options)
    assert r.returncode == 3, (r.stdout, r.stderr)
    line = r.stderr.splitlines()[-1]
    assert line.startswith("chainrule: error: training diverged in its last epoch (epoch ")
    assert "(its updates took the weights past what the outputs can hold); " + advice in line
    assert not out.exists() and "inf" not in r.stdout


def test_a_finite_run_is_saved_as_before(table):
    r = cmd("train", table / "t.csv", "--target", "y", "--batch-size", 64, "--epochs", 2, "--out", table / "m.npz")
    assert r.returncode == 0 and (table / "m.npz").exists(), r.stderr


def test_a_validation_row_far_outside_the_training_rows_is_not_divergence(table):
    """One validation row of 1e300 makes val_loss inf from the first epoch while the training loss falls: the model
    is saved (it was refused as diverged), the overflow warned."""
    import argparse

    from chainrule.cli.rows import split
    d = pd.read_csv(table / "t.csv")
    n_val, order = split(len(d), argparse.Namespace(val_split=0.2, seed=0), on_disk=False)
    d.loc[order[-1], "a"] = 1e300                            # a validation row's
    d.to_csv(table / "t.csv", index=False)
    r = cmd("train", table / "t.csv", "--target", "y", "--epochs", 3, "--out", table / "m.npz")
    assert r.returncode == 0 and (table / "m.npz").exists(), r.stderr
    losses = [float(line.split("loss ")[1].split(",")[0]) for line in r.stderr.splitlines() if line.startswith("epoch")]
    assert losses == sorted(losses, reverse=True) and "val_loss inf" in r.stderr
    assert "the outputs of validation rows overflow, while the training rows' outputs are finite" in r.stderr
