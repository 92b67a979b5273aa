"""GridSearchCV's several metrics (scoring a list, tuple or dict) without refit naming one are refused before the file
is read, in GridSearchCV's words (several scorers: test_sweep68_scorers); several grids: test_sweep68_grids."""
import pytest

from chainrule.errors import ValidationError
from chainrule.sweep import run_sweep


@pytest.mark.parametrize("scoring", [["accuracy", "f1_macro"], ("accuracy",), {"acc": "accuracy"}])
def test_several_scorers_with_refit_true_are_refused_as_gridsearchcvs(tmp_path, scoring):
    with pytest.raises(ValidationError, match=r"For multi-metric scoring, .* True was passed\."):
        run_sweep(tmp_path / "never-read.csv", "y", {"lr": [0.01]}, scoring=scoring)


@pytest.mark.parametrize("refit", [False, len])
def test_several_scorers_with_refit_false_or_a_callable_name_what_is_taken(tmp_path, refit):
    with pytest.raises(ValidationError, match=r"give refit one of their names \('acc', 'f1'\)"):
        run_sweep(tmp_path / "never-read.csv", "y", {"lr": [0.01]}, scoring={"acc": "accuracy", "f1": "f1"},
                  refit=refit)


def test_a_list_that_is_not_of_dicts_is_refused_before_the_file_is_read(tmp_path):
    with pytest.raises(ValidationError, match=r"a non-empty list of such dicts \(GridSearchCV's several grids\)"):
        run_sweep(tmp_path / "never-read.csv", "y", [{"lr": [0.01]}, "hidden=4"])
