"""A grid value the estimator refuses keeps the estimator's exception class (ParameterError: a ValueError and a
TypeError, as scikit-learn's InvalidParameterError, which GridSearchCV(error_score="raise") raises); Python's grid
values are written as Python writes them; the candidates' check looks at each combination only where keys interact."""
import pytest

pytest.importorskip("sklearn")
import chainrule.sklearn.params as params  # noqa: E402
from chainrule.errors import ParameterError, ValidationError  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402


def test_a_refused_grid_value_is_a_type_error_as_gridsearchcvs(sweep_data):
    from sklearn.model_selection import GridSearchCV

    from chainrule.sklearn import BackpropClassifier
    with pytest.raises(TypeError) as theirs:
        GridSearchCV(BackpropClassifier(epochs=1), {"learning_rate": [-1.0]}, cv=2, error_score="raise").fit(
            [[0.0], [1.0], [0.0], [1.0]], [0, 1, 0, 1])
    with pytest.raises(TypeError, match=r"^grid: lr=-1\.0: BackpropClassifier: learning_rate must be") as ours:
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01, -1.0]}, epochs=1, cv=2)
    assert type(ours.value) is type(theirs.value) is ParameterError


def test_a_refused_combination_and_a_drawn_value_are_parameter_errors(sweep_data):
    from scipy.stats import randint
    with pytest.raises(ParameterError, match="the candidate early_stopping=True, validation_fraction=0"):
        run_sweep(sweep_data / "iris.csv", "species", {"early_stopping": [False, True],
                                                       "validation_fraction": [0.1, 0]}, epochs=1, cv=2)
    with pytest.raises(ParameterError, match="the candidate batch=-"):
        run_sweep(sweep_data / "iris.csv", "species", {"batch": randint(-5, 0)}, n_iter=2, epochs=1, cv=2)


def test_pythons_none_is_written_as_python_writes_it(sweep_data):
    with pytest.raises(ValidationError, match=r"^grid: lr=None: "):
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [None]}, epochs=1, cv=2)


class _Stop(Exception):
    pass


def test_a_large_grid_checks_each_value_once_and_interacting_keys_together(sweep_data, monkeypatch):
    """4000 candidates (10 x 10 x 10 x 2 x 2): each value checked once (34), the two interacting keys' 4 combinations,
    not 4000 candidates one by one (2000 took 7 s); no fit runs (the search stopped where the fits would start)."""
    import chainrule.sweep_search as search
    calls = []
    real = params.check_params
    monkeypatch.setattr(params, "check_params", lambda est: calls.append(1) or real(est))

    def stop(*args, **kwargs):
        raise _Stop
    monkeypatch.setattr(search, "run_tasks", stop)
    grid = {"lr": [0.001 * (k + 1) for k in range(10)], "alpha": [0.0001 * k for k in range(10)],
            "tol": [0.001 * k for k in range(10)], "early_stopping": [False, True], "validation_fraction": [0.1, 0.2]}
    with pytest.raises(_Stop):
        run_sweep(sweep_data / "iris.csv", "species", grid, epochs=1, cv=2)
    assert len(calls) <= 10 + 10 + 10 + 2 + 2 + 4 + 5, len(calls)
