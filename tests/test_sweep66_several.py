"""GridSearchCV's several metrics (scoring a list, tuple or dict) are refused before the file is read, saying
what to do instead: one sweep per scorer. Several grids (a list of dicts) are GridSearchCV's: test_sweep68_grids."""
import pytest

from chainrule.errors import ValidationError
from chainrule.sweep import run_sweep


@pytest.mark.parametrize("scoring", [["accuracy", "f1_macro"], ("accuracy",), {"acc": "accuracy"}])
def test_several_scorers_are_refused_saying_one_sweep_per_scorer(tmp_path, scoring):
    with pytest.raises(ValidationError, match=r"\(GridSearchCV's several metrics\): run one sweep per scorer") as got:
        run_sweep(tmp_path / "never-read.csv", "y", {"lr": [0.01]}, scoring=scoring)
    assert repr(scoring) in str(got.value)


def test_a_list_that_is_not_of_dicts_is_refused_before_the_file_is_read(tmp_path):
    with pytest.raises(ValidationError, match=r"a non-empty list of such dicts \(GridSearchCV's several grids\)"):
        run_sweep(tmp_path / "never-read.csv", "y", [{"lr": [0.01]}, "hidden=4"])
