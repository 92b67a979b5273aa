"""A sweep says once what each of its fits would say alike: a batch_size larger than a fit's training rows (clipped,
MLPClassifier's warning) was said once per fit, 7 lines for 2 candidates of 3 folds. --seed beside a grid's
random_state: the grid's seeds the networks (GridSearchCV's param_grid overrides the estimator's), --seed the folds."""
import numpy as np
import pandas as pd
import pytest
from conftest import cmd, iris_table
from sklearn.model_selection import StratifiedKFold

import chainrule as cr


@pytest.fixture
def small(tmp_path):
    """30 rows of two classes: every fold's training rows (20) and the refit's (30) fewer than a batch of 64."""
    d = iris_table()
    d = pd.concat([d[d.species == "setosa"].head(15), d[d.species == "versicolor"].head(15)])
    d.to_csv(tmp_path / "small.csv", index=False)
    return tmp_path, d


def test_a_batch_size_clipped_in_every_fit_is_said_once(small):
    folder, d = small
    r = cmd("sweep", folder / "small.csv", "--target", "species", "--grid", "hidden=4,8;batch=64", "--epochs", 2,
            "--out-dir", folder / "out")
    assert r.returncode == 0, r.stderr
    said = [line for line in r.stderr.splitlines() if "batch_size" in line]
    folds = StratifiedKFold(3, shuffle=True, random_state=0).split(d, d.species)
    rows = len(next(folds)[0])                           # scikit-learn's first fold's training rows
    assert said == [f"chainrule: warning: 7 of the sweep's 7 finished fits got `batch_size` larger than sample size "
                    f"(in every candidate): it was clipped to their training rows (the first: batch_size=64, "
                    f"{rows} training rows)"]


def test_no_batch_warning_where_the_batch_fits(small):
    folder, _ = small
    r = cmd("sweep", folder / "small.csv", "--target", "species", "--grid", "hidden=4;batch=8", "--epochs", 2,
            "--out-dir", folder / "out")
    assert r.returncode == 0 and "batch_size" not in r.stderr, r.stderr


def _best(folder, seed, grid):
    out = folder / f"out{seed}{len(grid)}"
    r = cmd("sweep", folder / "small.csv", "--target", "species", "--grid", grid, "--epochs", 2, "--seed", seed,
            "--out-dir", out)
    assert r.returncode == 0, r.stderr
    return cr.load(out / "best_model.npz").params, pd.read_csv(out / "sweep_results.csv")


def test_the_grids_random_state_seeds_the_networks_and_seed_the_folds(small):
    folder, _ = small
    grid = "hidden=4;batch=8;random_state=3"
    (a, table_a), (b, table_b) = _best(folder, 0, grid), _best(folder, 7, grid)
    np.testing.assert_array_equal(a, b)                  # the refit on every row: the grid's random_state alone
    assert not np.array_equal(table_a.filter(like="split0").to_numpy(), table_b.filter(like="split0").to_numpy()) \
        or not np.array_equal(table_a.filter(like="split1").to_numpy(), table_b.filter(like="split1").to_numpy())
    (c, _), (e, _) = _best(folder, 0, "hidden=4;batch=8"), _best(folder, 7, "hidden=4;batch=8")
    assert not np.array_equal(c, e)                      # without it, --seed seeds the networks
