"""run_sweep takes NumPy's integers where GridSearchCV does (n_jobs=np.int64(2), as a value read from an array or a
config): the same search as the Python int's, not a refusal saying 'must be a nonzero integer; got 2'."""
import warnings

import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from chainrule.sweep import run_sweep


def test_n_jobs_as_a_numpy_integer_is_taken_as_gridsearchcv_takes_it(sweep_data):
    X, y = load_iris(return_X_y=True)
    assert GridSearchCV(LogisticRegression(max_iter=500), {"C": [1.0]}, n_jobs=np.int64(2)).fit(X, y).n_splits_ == 5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = run_sweep(sweep_data / "binary.csv", "species", {"lr": [0.1]}, n_jobs=np.int64(2), epochs=2)
        want = run_sweep(sweep_data / "binary.csv", "species", {"lr": [0.1]}, n_jobs=2, epochs=2)
    np.testing.assert_array_equal(got.cv_results_["mean_test_score"], want.cv_results_["mean_test_score"])


def test_refit_as_a_numpy_bool_is_taken_as_gridsearchcv_takes_it(sweep_data):
    X, y = load_iris(return_X_y=True)
    assert not hasattr(GridSearchCV(LogisticRegression(max_iter=500), {"C": [1.0]}, refit=np.False_).fit(X, y),
                       "best_estimator_")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = run_sweep(sweep_data / "binary.csv", "species", {"lr": [0.1]}, refit=np.False_, epochs=2)
    assert got.best_estimator is None and not hasattr(got, "best_estimator_")
