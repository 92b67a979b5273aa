"""run_sweep given GridSearchCV's own arguments it does not take, and a numeric error_score's warning in its reader's
words: GridSearchCV's return_train_score was called 'not known; expected one of' the estimator's names, as if
misspelt, and a NumPy error_score was said as np.float64(0.0), the command's --error-score -1 as error_score=-1.0."""
import inspect

import numpy as np
import pytest
from conftest import cli_in_process
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

from chainrule.errors import ValidationError
from chainrule.sklearn import BackpropClassifier, BackpropRegressor
from chainrule.sweep import run_sweep
from chainrule.sweep_search import FailedCandidateWarning

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
FIT = {"cv": 3, "epochs": 3}
GRID = {"learning_rate": [0.01, 1e30], "activation": ["linear"], "optimizer": ["sgd"]}     # 1e30 diverges

# scikit-learn's search arguments that are neither run_sweep's nor an estimator's (which run_sweep passes on)
SEARCH_ONLY = sorted((set(inspect.signature(GridSearchCV).parameters)
                      | set(inspect.signature(RandomizedSearchCV).parameters))
                     - set(inspect.signature(run_sweep).parameters)
                     - set(BackpropClassifier().get_params()) - set(BackpropRegressor().get_params()))


def test_the_search_arguments_compared_are_scikit_learns():
    assert "pre_dispatch" in SEARCH_ONLY and "return_train_score" not in SEARCH_ONLY     # run_sweep takes it now


@pytest.mark.parametrize("name", SEARCH_ONLY)
def test_gridsearchcvs_own_argument_is_named_as_gridsearchcvs_not_misspelt(sweep_data, tmp_path, name):
    with pytest.raises(ValidationError) as caught:
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir=tmp_path / "s", **{name: True}, **FIT)
    said = str(caught.value)
    assert said.startswith(f"run_sweep's argument {name!r} is GridSearchCV's, which the sweep does not take: "), said
    assert "not known" not in said and not (tmp_path / "s").exists()


def test_a_numpy_error_score_is_said_as_its_number(sweep_data):
    with pytest.warns(FailedCandidateWarning) as said:
        res = run_sweep(sweep_data / "iris.csv", "species", GRID, error_score=np.float64(0), **FIT)
    text = " ".join(str(w.message) for w in said if issubclass(w.category, FailedCandidateWarning))
    assert "(scored error_score=0 there)" in text and "np.float64" not in text, text
    assert res.cv_results_["mean_test_score"][1] == 0


def test_the_commands_warning_names_its_option(sweep_data, tmp_path, capsys):
    code, _, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid",
                                  "lr=0.01,1e30;activation=linear;optimizer=sgd", "--epochs", "3", "--error-score",
                                  "-1", "--out-dir", tmp_path / "n")
    assert code == 0 and "failed in 3 of 3 folds (scored --error-score -1 there)" in err, err
    assert "error_score=" not in err


def test_an_error_score_above_the_others_ranks_the_failed_candidate_best_and_its_refit_fails(sweep_data):
    """As GridSearchCV's: error_score=0 beside neg_log_loss (every score below 0) makes the diverging candidate best."""
    import pandas as pd
    iris = pd.read_csv(sweep_data / "iris.csv")
    X, y = iris.drop(columns="species").to_numpy(), iris["species"]
    with pytest.warns(Warning), pytest.raises(Exception, match="diverged"):
        GridSearchCV(BackpropClassifier(epochs=3), GRID, scoring="neg_log_loss", error_score=0, cv=3).fit(X, y)
    with pytest.warns(FailedCandidateWarning), pytest.raises(
            ValidationError, match=r"the best candidate, learning_rate=1e\+30, .* failed when refit on every row: "):
        run_sweep(sweep_data / "iris.csv", "species", GRID, scoring="neg_log_loss", error_score=0, **FIT)


def test_a_scorer_object_that_is_not_hashable_scores_a_two_class_target(sweep_data, tmp_path):
    """A dataclass scorer (unhashable: it defines __eq__) on a 2-class target was a bare TypeError 'unhashable
    type': the check of whether the scorer scores one class went through a cache keyed by the scorer."""
    import dataclasses

    import pandas as pd

    @dataclasses.dataclass
    class Errors:       # GridSearchCV's callable scoring: (estimator, X, y) -> a number
        weight: float = 1.0

        def __call__(self, estimator, X, y):
            return -self.weight * float(np.mean(estimator.predict(X) != y))

    iris = pd.read_csv(sweep_data / "iris.csv")
    iris[iris["species"] != iris["species"].iloc[0]].to_csv(tmp_path / "two.csv", index=False)
    res = run_sweep(tmp_path / "two.csv", "species", {"lr": [0.01]}, scoring=Errors(), cv=2, epochs=2)
    accuracy = run_sweep(tmp_path / "two.csv", "species", {"lr": [0.01]}, cv=2, epochs=2)
    np.testing.assert_allclose(res.cv_results_["split0_test_score"], accuracy.cv_results_["split0_test_score"] - 1)
    assert res.positive_class is None and res.scoring == repr(Errors())
