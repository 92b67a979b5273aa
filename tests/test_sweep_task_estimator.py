"""A grid value or a value given for every candidate that the estimator refuses is refused before any fit in the
words of the estimator of the file's task: 'hidden=8,0' and epochs=0 for a regression file named BackpropClassifier,
which that sweep never makes. Oracle: BackpropRegressor's own refusal, fit directly."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
from conftest import cmd  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402


def _regressors_words(**params) -> str:
    with pytest.raises(ValidationError) as direct:
        BackpropRegressor(**params).fit(np.eye(4), np.arange(4.0))
    return str(direct.value)


def _no_fit(monkeypatch):
    def fit(*args, **kwargs):
        raise AssertionError("a fit ran")
    for cls in (BackpropClassifier, BackpropRegressor):
        monkeypatch.setattr(cls, "fit", fit)


def test_a_grid_width_of_0_for_a_regression_file_names_backpropregressor(sweep_data, monkeypatch):
    words = _regressors_words(hidden_layer_sizes=(0,))
    _no_fit(monkeypatch)
    with pytest.raises(ValidationError) as caught:
        run_sweep(sweep_data / "diabetes.csv", "target", "hidden=8,0", cv=2, epochs=1)
    assert str(caught.value) == f"grid: hidden=0: {words}"
    assert str(caught.value).startswith("grid: hidden=0: BackpropRegressor: ")


@pytest.mark.parametrize("fixed, value", [("epochs", 0), ("tol", -1.0), ("learning_rate", 0.0)])
def test_a_value_for_every_candidate_of_a_regression_file_names_backpropregressor(sweep_data, monkeypatch, fixed,
                                                                                 value):
    words = _regressors_words(**{fixed: value})
    _no_fit(monkeypatch)
    with pytest.raises(ValidationError) as caught:
        run_sweep(sweep_data / "diabetes.csv", "target", "hidden=4", cv=2, **{"epochs": 1, fixed: value})
    assert str(caught.value) == f"{fixed}={value!r}: {words}"
    # with the task given, refused as before: before the file is read
    monkeypatch.setattr("chainrule.data.tabular.read_csv", lambda *a, **k: pytest.fail("the file was read"))
    with pytest.raises(ValidationError) as early:
        run_sweep(sweep_data / "diabetes.csv", "target", "hidden=4", cv=2, task="regression",
                  **{"epochs": 1, fixed: value})
    assert str(early.value) == str(caught.value)


def test_the_command_names_the_regressor_and_its_grid_option(sweep_data, tmp_path):
    done = cmd("sweep", sweep_data / "diabetes.csv", "--target", "target", "--grid", "hidden=8x0", "--epochs", "1",
               "--out-dir", tmp_path)
    assert done.returncode != 0
    assert f"--grid: hidden=8x0: {_regressors_words(hidden_layer_sizes=(8, 0))}" in done.stderr
    assert not (tmp_path / "sweep_results.csv").exists()
