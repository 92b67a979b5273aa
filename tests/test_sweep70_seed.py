"""run_sweep's seed=None is scikit-learn's random_state=None: each fit's initial weights drawn anew (repeats of one
candidate's values score apart, as GridSearchCV's over BackpropRegressor(random_state=None) do), where a seed makes them
tie exactly; a seed scikit-learn would refuse is named as the sweep's seed (it was named after a value given for every
candidate, as that candidate's random_state: `epochs=2: BackpropClassifier: random_state must be ...`)."""
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.utils import check_random_state

from chainrule.errors import ValidationError
from chainrule.sklearn import BackpropRegressor
from chainrule.sweep import run_sweep

REPEATS = {"learning_rate": [0.01, 0.01, 0.01]}     # one candidate's values three times


def splits(table) -> np.ndarray:
    return table.sort_values("rank_test_score", kind="stable").filter(regex=r"^split\d_test_score").to_numpy()


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # the short fits' ConvergenceWarning
        yield


def test_seed_none_draws_each_fits_weights_anew_as_gridsearchcvs_random_state_none(sweep_data):
    unseeded = run_sweep(sweep_data / "diabetes.csv", "target", REPEATS, epochs=2, seed=None)
    seeded = run_sweep(sweep_data / "diabetes.csv", "target", REPEATS, epochs=2, seed=0)
    assert len({tuple(row) for row in splits(unseeded.table)}) == 3       # every repeat its own weights
    assert len({tuple(row) for row in splits(seeded.table)}) == 1         # one seed: the same weights, tied
    assert run_sweep(sweep_data / "diabetes.csv", "target", REPEATS, epochs=2, seed=0).table[
        "mean_test_score"].tolist() == seeded.table["mean_test_score"].tolist()
    # scikit-learn's habit, the same repeats searched by GridSearchCV on fixed folds
    d = pd.read_csv(sweep_data / "diabetes.csv")
    X, y = d.drop(columns="target").to_numpy(), d["target"].to_numpy()
    X = (X - X.mean(0)) / X.std(0)
    for state, distinct in ((None, 3), (0, 1)):
        search = GridSearchCV(BackpropRegressor(epochs=2, random_state=state), REPEATS,
                              cv=KFold(3, shuffle=True, random_state=0)).fit(X, y)
        scores = np.column_stack([search.cv_results_[f"split{k}_test_score"] for k in range(3)])
        assert len({tuple(row) for row in scores}) == distinct


@pytest.mark.parametrize("seed", ["a", -1, 1.5, 2**40, np.random.default_rng(0)])
def test_a_seed_scikit_learn_refuses_is_named_as_the_sweeps_seed(sweep_data, seed):
    with pytest.raises(ValidationError) as got:
        run_sweep(sweep_data / "iris.csv", "species", "hidden=4", epochs=2, seed=seed)
    assert str(got.value).startswith("seed must be None (the folds and each fit's initial weights drawn anew, as "
                                     "scikit-learn's random_state=None), an int in [0, 2**32 - 1] or a "
                                     f"numpy.random.RandomState; got {seed!r}")
    with pytest.raises(ValueError):             # scikit-learn refuses it as random_state (its own check, not ours)
        check_random_state(seed)


@pytest.mark.parametrize("seed", [None, 3, np.int64(3), np.random.RandomState(0)])
def test_the_seeds_scikit_learn_takes_are_taken(sweep_data, seed):
    assert isinstance(check_random_state(seed), np.random.RandomState)      # scikit-learn takes it
    result = run_sweep(sweep_data / "iris.csv", "species", "hidden=4", epochs=2, seed=seed)
    assert np.isfinite(result.best_score)
