"""run_sweep's grid and keyword arguments refused in words that name them: a misspelt argument given for every
candidate (epoch=3) was called a grid name though no grid named it. (A list of grids and several scorers are taken
as GridSearchCV takes them: test_sweep68_grids.py, test_sweep68_scorers.py.)"""
import pytest

from chainrule.errors import UnknownNameError, ValidationError
from chainrule.sweep import run_sweep


@pytest.mark.parametrize("grid", [None, 3, ["lr=0.1"]])
def test_a_grid_of_another_type_is_refused_naming_it(sweep_data, grid):
    said = (r"^grid must be a string .*, a dict \{name: \[values\]\} or a non-empty list of such dicts "
            r"\(GridSearchCV's several grids\); got ")
    with pytest.raises(ValidationError, match=said):
        run_sweep(sweep_data / "iris.csv", "species", grid, cv=2, epochs=1)


@pytest.mark.parametrize("task, estimator", [(None, "BackpropClassifier"), ("regression", "BackpropRegressor")])
def test_a_misspelt_argument_for_every_candidate_is_named_as_an_argument(sweep_data, task, estimator):
    with pytest.raises(UnknownNameError) as caught:
        run_sweep(sweep_data / "iris.csv", "species", "lr=0.1", task=task, cv=2, epoch=3)
    said = str(caught.value)
    assert said.startswith(f"run_sweep's argument 'epoch' (given for every candidate, as {estimator}'s) is not "
                           "known; expected one of "), said
    assert said.endswith("Did you mean 'epochs'?") and "grid" not in said


def test_a_misspelt_scorer_name_is_still_unknown_with_the_closest(sweep_data):
    with pytest.raises(UnknownNameError, match=r"^scoring='acuracy' is not known; .* Did you mean 'accuracy'\?$"):
        run_sweep(sweep_data / "iris.csv", "species", "lr=0.1", scoring="acuracy", cv=2)
