"""run_sweep takes a scorer object (sklearn.metrics.make_scorer, or a callable scorer(estimator, X, y)), called as
GridSearchCV calls it, where it was refused: the same fold scores as the scorer's name gives, and GridSearchCV's
over the same folds with the same scorer for a scorer of its own."""
import numpy as np
import pytest
from sklearn.metrics import f1_score, make_scorer

from chainrule.errors import ValidationError
from chainrule.sweep import run_sweep

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # 2 epochs: fast
FIT = {"cv": 2, "epochs": 2}


def test_make_scorer_scores_as_its_name_does(sweep_data, tmp_path):
    by_name = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01, 0.1]}, scoring="f1_macro", **FIT)
    scorer = make_scorer(f1_score, average="macro")
    res = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01, 0.1]}, scoring=scorer, out_dir=tmp_path, **FIT)
    for key in ("split0_test_score", "split1_test_score", "rank_test_score"):
        np.testing.assert_array_equal(res.cv_results_[key], by_name.cv_results_[key])
    assert res.scoring == repr(scorer) and res.model_path.is_file()


def test_a_callable_scorer_is_called_with_the_estimator_and_a_folds_test_rows(sweep_data):
    calls = []

    def errors(estimator, X, y):       # GridSearchCV's callable scoring: (estimator, X, y) -> a number
        calls.append(len(y))
        return -float(np.mean(estimator.predict(X) != y))

    res = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, scoring=errors, **FIT)
    accuracy = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, **FIT)
    assert sorted(calls) == [75, 75] and res.scoring == "errors"
    np.testing.assert_allclose(res.cv_results_["split0_test_score"], accuracy.cv_results_["split0_test_score"] - 1)


def test_several_scorers_without_refit_naming_one_say_gridsearchcvs_words(sweep_data):
    with pytest.raises(ValidationError, match=r"For multi-metric scoring, the parameter refit must be set to a scorer "
                                              r"key .* True was passed\."):
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, scoring=["accuracy", "f1_macro"], **FIT)
