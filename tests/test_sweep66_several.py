"""GridSearchCV's several metrics (scoring a list, tuple or dict) without refit naming one are refused before the file
is read, in GridSearchCV's words (several scorers: test_sweep68_scorers); several grids:
test_sweep68_grids; refit=False or a callable beside them, as GridSearchCV takes them: test_sweep69_refit."""
import pytest

from chainrule.errors import ValidationError
from chainrule.sweep import run_sweep


@pytest.mark.parametrize("scoring", [["accuracy", "f1_macro"], ("accuracy",), {"acc": "accuracy"}])
def test_several_scorers_with_refit_true_are_refused_as_gridsearchcvs(tmp_path, scoring):
    with pytest.raises(ValidationError, match=r"For multi-metric scoring, .* True was passed\."):
        run_sweep(tmp_path / "never-read.csv", "y", {"lr": [0.01]}, scoring=scoring)


def test_a_list_that_is_not_of_dicts_is_refused_before_the_file_is_read(tmp_path):
    with pytest.raises(ValidationError, match=r"a non-empty list of such dicts \(GridSearchCV's several grids\)"):
        run_sweep(tmp_path / "never-read.csv", "y", [{"lr": [0.01]}, "hidden=4"])
