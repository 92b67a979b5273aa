"""run_sweep's result has GridSearchCV's attributes of the refit best where GridSearchCV has them, and none (hasattr
False, AttributeError) where it has none: best_estimator_, n_features_in_ and feature_names_in_ after refit=False,
the last two after a refit on a DataFrame of the file's columns (their names, in the file's order)."""
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from chainrule.sweep import run_sweep

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # few epochs: fast
FIT = {"cv": 2, "epochs": 2}
ATTRIBUTES = ["best_estimator_", "n_features_in_", "feature_names_in_"]


def _theirs(X, y, refit: bool, estimator=None):
    return GridSearchCV(estimator or LogisticRegression(), {"C": [1.0]}, cv=2, refit=refit).fit(X, y)


@pytest.mark.parametrize("name", ATTRIBUTES)
def test_refit_false_leaves_no_attribute_of_the_refit_as_gridsearchcv(sweep_data, name):
    d = pd.read_csv(sweep_data / "iris.csv")
    theirs = _theirs(d.drop(columns="species"), d.species, refit=False)
    ours = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, refit=False, **FIT)
    assert hasattr(ours, name) is hasattr(theirs, name) is False
    with pytest.raises(AttributeError, match=rf"'SweepResult' object has no attribute '{name}': the sweep ran with "
                                             r"refit=False \(--no-refit\)"):
        getattr(ours, name)
    assert ours.best_params_ == {"learning_rate": 0.01}      # the search's own results are there


def test_the_refit_reads_the_files_columns_as_gridsearchcv_of_its_dataframe(sweep_data):
    d = pd.read_csv(sweep_data / "iris.csv")
    X, y = d.drop(columns="species"), d.species
    theirs = _theirs(X, y, refit=True)
    ours = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, **FIT)
    assert ours.n_features_in_ == theirs.n_features_in_ == 4
    np.testing.assert_array_equal(ours.feature_names_in_, theirs.feature_names_in_)
    assert ours.feature_names_in_.dtype == theirs.feature_names_in_.dtype == object
    assert ours.predict(X[list(ours.feature_names_in_)]).shape == (150,)


def test_text_columns_kept_in_the_files_order_and_columns_left_out_are_not_read(tmp_path):
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"colour": rng.choice(["red", "blue"], 40), "x": rng.normal(size=40),
                      "id": np.arange(40), "y": rng.normal(size=40), "z": rng.normal(size=40)})
    d.to_csv(tmp_path / "d.csv", index=False)
    X = d.drop(columns=["y", "id"])
    pipe = make_pipeline(make_column_transformer((OneHotEncoder(), ["colour"]), remainder=StandardScaler()), Ridge())
    theirs = GridSearchCV(pipe, {"ridge__alpha": [1.0]}, cv=2).fit(X, d.y)
    ours = run_sweep(tmp_path / "d.csv", "y", {"lr": [0.01]}, drop=["id"], **FIT)
    assert ours.n_features_in_ == theirs.n_features_in_ == 3
    assert list(ours.feature_names_in_) == list(theirs.feature_names_in_) == ["colour", "x", "z"]


def test_an_array_given_to_the_best_is_refused_naming_feature_names_in_which_names_its_columns(sweep_data):
    from chainrule.errors import ChainruleTypeError
    d = pd.read_csv(sweep_data / "iris.csv")
    X = d.drop(columns="species")
    ours = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, **FIT)
    with pytest.raises(ChainruleTypeError, match=r"got ndarray: pd.DataFrame\(X, columns=result.feature_names_in_\)"):
        ours.predict(X.to_numpy())
    named = pd.DataFrame(X.to_numpy(), columns=ours.feature_names_in_)
    np.testing.assert_array_equal(ours.predict(named), ours.predict(X))
    np.testing.assert_allclose(ours.predict_proba(named), ours.best_estimator_.predict_proba(X))
