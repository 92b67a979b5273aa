"""run_sweep's result read as a fitted GridSearchCV is: refit_time_, scorer_, classes_, multimetric_ and the
best_estimator_'s predict, predict_proba and score on it, each absent (AttributeError, hasattr False) where
GridSearchCV's is: refit=False, or a regression's classes_."""
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import (
    accuracy_score,
    check_scoring,
    class_likelihood_ratios,
    f1_score,
    make_scorer,
    mean_absolute_error,
)
from sklearn.model_selection import GridSearchCV

from chainrule.sweep import run_sweep

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # few epochs: fast
FIT = {"cv": 2, "epochs": 3}


def _gs(estimator, X, y, **kwargs):
    return GridSearchCV(estimator, {"alpha" if isinstance(estimator, Ridge) else "C": [1.0]}, cv=2,
                        **kwargs).fit(X, y)


def test_refit_time_is_the_refits_seconds_and_absent_without_a_refit(sweep_data):
    start = time.perf_counter()
    res = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, **FIT)
    took = time.perf_counter() - start
    assert isinstance(res.refit_time_, float) and 0 < res.refit_time_ < took
    quiet = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, refit=False, **FIT)
    d = pd.read_csv(sweep_data / "iris.csv")
    theirs = _gs(LogisticRegression(), d.drop(columns="species"), d.species, refit=False)
    assert hasattr(theirs, "refit_time_") is hasattr(quiet, "refit_time_") is False
    with pytest.raises(AttributeError, match="refit_time_.*refit=False"):
        assert quiet.refit_time_ is None


@pytest.mark.parametrize("scoring", [None, "f1_macro", "balanced_accuracy"])
def test_scorer_is_check_scorings_and_scores_as_sklearns_metric(sweep_data, scoring):
    res = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.05]}, scoring=scoring, **FIT)
    d = pd.read_csv(sweep_data / "iris.csv")
    X, y = d.drop(columns="species"), d.species
    theirs = _gs(LogisticRegression(), X, y, scoring=scoring)
    assert repr(res.scorer_) == repr(theirs.scorer_).replace("LogisticRegression", "BackpropClassifier")
    assert res.multimetric_ is theirs.multimetric_ is False
    predicted = res.best_estimator_.predict(X)
    truth = (accuracy_score(y, predicted) if scoring is None else
             check_scoring(LogisticRegression(), scoring)(res.best_estimator_, X, y))
    assert res.score(X, y) == pytest.approx(truth)
    assert res.scorer_(res.best_estimator_, X, y) == pytest.approx(truth)
    if scoring == "f1_macro":
        assert res.score(X, y) == pytest.approx(f1_score(y, predicted, average="macro"))


def test_a_positive_class_scorer_scores_the_files_labels_by_that_class(sweep_data):
    """The folds score the encoded 1 (positive_class); score(X, y) of the file's labels scores the same class,
    where scikit-learn's f1 would refuse the labels (pos_label=1 is not a valid label)."""
    res = run_sweep(sweep_data / "binary.csv", "species", {"lr": [0.05]}, scoring="f1", **FIT)
    d = pd.read_csv(sweep_data / "binary.csv")
    X, y = d.drop(columns="species"), d.species
    assert res.positive_class == "virginica"
    assert res.score(X, y) == pytest.approx(f1_score(y, res.predict(X), pos_label="virginica"))


def test_classes_predict_and_predict_proba_are_the_refit_bests(sweep_data):
    res = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.05]}, **FIT)
    d = pd.read_csv(sweep_data / "iris.csv")
    X, y = d.drop(columns="species"), d.species
    theirs = _gs(LogisticRegression(), X, y)
    assert list(res.classes_) == list(theirs.classes_) == sorted(set(y))
    np.testing.assert_array_equal(res.predict(X), res.best_estimator_.predict(X))
    np.testing.assert_array_equal(res.predict_proba(X), res.best_estimator_.predict_proba(X))
    np.testing.assert_array_equal(res.predict_log_proba(X), res.best_estimator_.predict_log_proba(X))
    assert set(res.predict(X)) <= set(y)
    # what best_estimator_ lacks, the result lacks, as GridSearchCV's
    assert hasattr(res, "decision_function") is hasattr(res.best_estimator_, "decision_function")


def test_without_a_refit_classes_and_predict_are_absent_as_gridsearchcvs(sweep_data):
    res = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.05]}, refit=False, **FIT)
    d = pd.read_csv(sweep_data / "iris.csv")
    X, y = d.drop(columns="species"), d.species
    theirs = _gs(LogisticRegression(), X, y, refit=False)
    for name in ("classes_", "predict", "predict_proba"):
        assert hasattr(theirs, name) is hasattr(res, name) is False, name
    with pytest.raises(AttributeError, match=r"refit=False.*score is available only after refitting"):
        res.score(X, y)
    with pytest.raises(AttributeError, match=r"refit=False.*classes_ is available only after refitting"):
        assert res.classes_ is None
    with pytest.raises(AttributeError, match=r"refit=False.*predict is available only after refitting"):
        res.predict(X)
    assert res.multimetric_ is False and repr(res.scorer_) == "BackpropClassifier.score"


def test_a_regressions_result_has_no_classes_and_predicts_in_the_targets_units(sweep_data):
    res = run_sweep(sweep_data / "diabetes.csv", "target", {"lr": [0.01]}, scoring="neg_mean_absolute_error",
                    **FIT)
    d = pd.read_csv(sweep_data / "diabetes.csv")
    X, y = d.drop(columns="target"), d.target
    theirs = _gs(Ridge(), X, y, scoring="neg_mean_absolute_error")
    assert hasattr(theirs, "classes_") is hasattr(res, "classes_") is False
    with pytest.raises(AttributeError, match="a regression"):
        assert res.classes_ is None
    assert repr(res.scorer_) == repr(theirs.scorer_)
    assert res.score(X, y) == pytest.approx(-mean_absolute_error(y, res.predict(X)))
    assert hasattr(res, "predict_proba") is hasattr(theirs, "predict_proba") is False


@pytest.mark.parametrize("scoring, metric", [
    ("positive_likelihood_ratio", lambda y, p: class_likelihood_ratios(y, p, labels=["versicolor", "virginica"])[0]),
    ("neg_negative_likelihood_ratio",
     lambda y, p: -class_likelihood_ratios(y, p, labels=["versicolor", "virginica"])[1]),
    (make_scorer(f1_score, pos_label=0), lambda y, p: f1_score(y, p, pos_label="versicolor")),
    (make_scorer(f1_score, pos_label=1), lambda y, p: f1_score(y, p, pos_label="virginica")),
])
def test_score_of_a_one_class_scorer_scores_the_class_the_folds_scored(sweep_data, scoring, metric):
    """The folds score the encoded labels: the likelihood ratios (which take no pos_label) the encoded 1, a
    make_scorer's own pos_label=0 the encoded 0 (the first class); score(X, y) of the file's labels scores the same."""
    res = run_sweep(sweep_data / "binary.csv", "species", {"lr": [0.05]}, scoring=scoring, **FIT)
    d = pd.read_csv(sweep_data / "binary.csv")
    X, y = d.drop(columns="species"), d.species
    assert res.score(X, y) == pytest.approx(metric(y, res.predict(X)))


def test_the_positive_class_is_the_one_a_make_scorers_own_pos_label_scores(sweep_data):
    """make_scorer(f1_score, pos_label=0) scores the encoded 0 in the folds: the first of the sorted labels, which
    the result names (positive_class) and its score scores, as scikit-learn's f1 of that label on the fold rows."""
    res = run_sweep(sweep_data / "binary.csv", "species", {"lr": [0.05]}, scoring=make_scorer(f1_score, pos_label=0),
                    **FIT)
    assert res.positive_class == "versicolor"
    d = pd.read_csv(sweep_data / "binary.csv")
    X, y = d.drop(columns="species"), d.species
    assert res.score(X, y) == pytest.approx(f1_score(y, res.predict(X), pos_label="versicolor"))
