"""A sweep's score() beside several scorers scores with the one refit names, as GridSearchCV's scorer_[refit]. A
callable refit names none: GridSearchCV's score raises a KeyError of the function there; the sweep's scored with the
first scorer, silently, as if it ranked. It now says so, naming the scorers, and how to score with one of them."""
import warnings

import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import GridSearchCV

from chainrule.errors import ValidationError
from chainrule.sweep import run_sweep

SCORERS = ["accuracy", "neg_log_loss"]


def first(cv_results):
    return 0


def test_a_callable_refit_beside_several_scorers_names_no_scorer_as_gridsearchcvs(sweep_data):
    d = pd.read_csv(sweep_data / "iris.csv")
    X, y = d.drop(columns="species"), d["species"]
    search = GridSearchCV(LogisticRegression(max_iter=1000), {"C": [0.1, 1]}, scoring=SCORERS, refit=first).fit(X, y)
    with pytest.raises(KeyError):              # scikit-learn's: scorer_[refit], the function no scorer's name
        search.score(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_sweep(sweep_data / "iris.csv", "species", "lr=0.01,0.1", epochs=3, scoring=SCORERS, refit=first)
    assert result.best_index_ == 0
    with pytest.raises(ValidationError) as got:
        result.score(X, y)
    assert str(got.value) == (
        "score: the sweep's refit is a callable (first) beside several scorers ('accuracy', 'neg_log_loss'), so no "
        "scorer is the refit's, as GridSearchCV's score finds none (its KeyError); score with one of them: "
        "result.scorer_['accuracy'](result.best_estimator_, X, y)")
    # the way it says scores as scikit-learn's metric of the refit best
    assert result.scorer_["accuracy"](result.best_estimator_, X, y) == accuracy_score(y, result.predict(X))
    assert result.scorer_["neg_log_loss"](result.best_estimator_, X, y) == pytest.approx(
        -log_loss(y, result.predict_proba(X), labels=result.classes_))


def test_a_named_refit_beside_several_scorers_scores_with_that_one(sweep_data):
    d = pd.read_csv(sweep_data / "iris.csv")
    X, y = d.drop(columns="species"), d["species"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_sweep(sweep_data / "iris.csv", "species", "lr=0.01", epochs=3, scoring=SCORERS,
                           refit="neg_log_loss")
    assert result.score(X, y) == pytest.approx(-log_loss(y, result.predict_proba(X), labels=result.classes_))
