"""Candidates tied at rank 1 (the same mean score: scikit-learn ranks them alike) are said on the best line, with
the one kept and why: the table had three rows ranked 1 and the best line named one, as though it alone were."""
import pytest

pytest.importorskip("sklearn")
from conftest import cmd  # noqa: E402


def test_candidates_tied_at_rank_1_are_named_with_the_one_kept(sweep_data, tmp_path):
    # one epoch: the stopping rule's patience (n_iter_no_change) never acts, so its three values fit the same networks
    done = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "n_iter_no_change=5,10,20;lr=0.01",
               "--epochs", "1", "--cv", "2", "--out-dir", tmp_path)
    assert done.returncode == 0, done.stderr
    best = next(line for line in done.stdout.splitlines() if line.startswith("best: "))
    assert best.startswith("best: n_iter_no_change=5, lr=0.01 (accuracy "), best
    assert best.endswith("; tied at rank 1 with 2 others (n_iter_no_change=10, lr=0.01; n_iter_no_change=20, "
                         "lr=0.01): the one first in the grid's order is kept, as GridSearchCV's best_index_ keeps "
                         "it"), best


def test_a_best_without_ties_says_none(sweep_data, tmp_path):
    done = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "lr=0.01,0.0001", "--epochs", "1",
               "--cv", "2", "--out-dir", tmp_path)
    assert "tied" not in done.stdout, done.stdout


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # one epoch
def test_run_sweep_gives_the_tied_candidates_as_gridsearchcv_ranks_them(sweep_data):
    """Tied candidates of different parameters (at one epoch tol and n_iter_no_change do not act): best_index_ and
    tied_indices_ are GridSearchCV's best_index_ and its other candidates ranked 1, on the same folds."""
    import numpy as np
    import pandas as pd
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from chainrule.sklearn import BackpropClassifier
    from chainrule.sweep import run_sweep
    fit = {"epochs": 1, "batch_size": 16}
    grid = {"lr": [0.001, 0.03], "n_iter_no_change": [20, 5, 10], "tol": [0.5, 0.0]}
    res = run_sweep(sweep_data / "iris.csv", "species", grid, seed=3, **fit)
    d = pd.read_csv(sweep_data / "iris.csv")
    X, y = d.drop(columns="species").to_numpy(), d["species"].to_numpy()
    truth = GridSearchCV(Pipeline([("s", StandardScaler()), ("e", BackpropClassifier(random_state=3, **fit))]),
                         {"e__learning_rate": grid["lr"], "e__n_iter_no_change": grid["n_iter_no_change"],
                          "e__tol": grid["tol"]}, cv=StratifiedKFold(3, shuffle=True, random_state=3)).fit(X, y)
    ranked_1 = [int(i) for i in np.flatnonzero(truth.cv_results_["rank_test_score"] == 1)]
    assert len(ranked_1) > 2 and len({str(truth.cv_results_["params"][i]) for i in ranked_1}) == len(ranked_1)
    assert res.best_index_ == truth.best_index_
    assert res.tied_indices_ == [i for i in ranked_1 if i != truth.best_index_]
    assert list(res.cv_results_["rank_test_score"]) == list(truth.cv_results_["rank_test_score"])


def test_a_grid_repeating_a_value_says_its_ties_are_the_same_values(sweep_data, tmp_path):
    done = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "lr=0.01,0.010,1e-2",
               "--epochs", "1", "--cv", "2", "--out-dir", tmp_path)
    assert done.returncode == 0, done.stderr
    best = next(line for line in done.stdout.splitlines() if line.startswith("best: "))
    assert best.endswith("; tied at rank 1 with 2 repeats of the best's values in the grid: the one first in the "
                         "grid's order is kept, as GridSearchCV's best_index_ keeps it"), best


def test_repeats_of_the_best_are_counted_not_listed_among_the_others(sweep_data, tmp_path):
    """iris has 50 rows of each class: balanced weights are all 1, so none and balanced fit the same networks, and
    the grid's second none repeats the best's values: it was listed as though another candidate."""
    done = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "class_weight=none,balanced,none",
               "--epochs", "1", "--cv", "2", "--out-dir", tmp_path)
    assert done.returncode == 0, done.stderr
    best = next(line for line in done.stdout.splitlines() if line.startswith("best: "))
    assert best.startswith("best: class_weight=none (accuracy "), best
    assert best.endswith("; tied at rank 1 with class_weight=balanced (and 1 repeat of the best's values in the "
                         "grid): the one first in the grid's order is kept, as GridSearchCV's best_index_ keeps "
                         "it"), best


def test_a_value_written_two_ways_is_named_by_its_first_spelling_as_the_docs_say(sweep_data, tmp_path):
    """lr=1e-2 and 0.01 are one value: both candidates are named lr=1e-2 (the first spelling), so the second counts
    as a repeat of the best's values; docs/scale.md shows this line."""
    from pathlib import Path
    done = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "lr=1e-2,0.01",
               "--epochs", "1", "--cv", "2", "--out-dir", tmp_path)
    assert done.returncode == 0, done.stderr
    best = next(line for line in done.stdout.splitlines() if line.startswith("best: "))
    assert best.startswith("best: lr=1e-2 (accuracy ") and "; tied at rank 1 with 1 repeat of the best's values" in best
    docs = " ".join((Path(__file__).parents[1] / "docs" / "scale.md").read_text(encoding="utf-8").split())
    shown = best.split(": the one first")[0]
    assert f"`--grid 'lr=1e-2,0.01' --epochs 1 --cv 2` on iris says `{shown}`" in docs, shown
