"""run_sweep's grid and keyword arguments refused in words that name them: a list of dicts (GridSearchCV's
param_grid of several grids) ended in Python's `dict()` error ('dictionary update sequence element #0 has length
1'), and a misspelt argument given for every candidate (epoch=3) was called a grid name though no grid named it."""
import pytest

from chainrule.errors import UnknownNameError, ValidationError
from chainrule.sweep import run_sweep


def test_a_list_of_grids_is_refused_naming_the_grid(sweep_data, tmp_path):
    grids = [{"learning_rate": [0.01]}, {"hidden_layer_sizes": [(4,)]}]
    with pytest.raises(ValidationError) as caught:
        run_sweep(sweep_data / "iris.csv", "species", grids, out_dir=tmp_path / "out", cv=2, epochs=1)
    assert str(caught.value) == ("grid must be a string ('hidden=16,64;lr=1e-3,1e-2') or a dict {name: [values]}; "
                                 "got a list of 2 dicts (GridSearchCV's several grids): run one sweep per dict")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("grid", [None, 3, ["lr=0.1"]])
def test_a_grid_of_another_type_is_refused_naming_it(sweep_data, grid):
    with pytest.raises(ValidationError, match=r"^grid must be a string .* or a dict \{name: \[values\]\}; got "):
        run_sweep(sweep_data / "iris.csv", "species", grid, cv=2, epochs=1)


@pytest.mark.parametrize("task, estimator", [(None, "BackpropClassifier"), ("regression", "BackpropRegressor")])
def test_a_misspelt_argument_for_every_candidate_is_named_as_an_argument(sweep_data, task, estimator):
    with pytest.raises(UnknownNameError) as caught:
        run_sweep(sweep_data / "iris.csv", "species", "lr=0.1", task=task, cv=2, epoch=3)
    said = str(caught.value)
    assert said.startswith(f"run_sweep's argument 'epoch' (given for every candidate, as {estimator}'s) is not "
                           "known; expected one of "), said
    assert said.endswith("Did you mean 'epochs'?") and "grid" not in said


def test_several_names_are_refused_as_not_one_name(sweep_data, tmp_path):
    """They were called 'not known', as a misspelt name is: GridSearchCV takes several, the sweep one (a scorer
    object too: test_sweep65_scorer.py)."""
    given = ["accuracy", "f1_macro"]
    with pytest.raises(ValidationError) as caught:
        run_sweep(sweep_data / "iris.csv", "species", "lr=0.1", scoring=given, out_dir=tmp_path / "out", cv=2)
    assert str(caught.value).startswith("scoring must be the name of one scikit-learn scorer ('accuracy', 'f1_macro', "
                                        "...: sklearn.metrics.get_scorer_names()), a scorer (make_scorer(...)), or "
                                        "None for the task's default; got list "), caught.value
    assert "is not known" not in str(caught.value) and not (tmp_path / "out").exists()


def test_a_misspelt_scorer_name_is_still_unknown_with_the_closest(sweep_data):
    with pytest.raises(UnknownNameError, match=r"^scoring='acuracy' is not known; .* Did you mean 'accuracy'\?$"):
        run_sweep(sweep_data / "iris.csv", "species", "lr=0.1", scoring="acuracy", cv=2)
