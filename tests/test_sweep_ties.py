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
