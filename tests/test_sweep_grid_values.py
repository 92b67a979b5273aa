"""One rule for a grid's values: a value the estimator refuses when made (BackpropClassifier(learning_rate=-1) and its
fit's first check) is refused before any fit, naming the grid's key and value, for every key alike; only a fit that
fails (a diverging learning rate) fails its own candidate, ranked last, as GridSearchCV's error_score. 'hidden=8,0'
was refused before the fits while 'lr=-1' failed its candidate after them."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402

X, Y = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [1.0, 1.0]]), np.array([0, 1, 0, 1])
#: (the grid's key, the estimator's name, a value it takes, one it refuses)
BAD = [("lr", "learning_rate", 0.01, -1), ("momentum", "momentum", 0.5, 2), ("batch", "batch_size", 8, 0),
       ("epochs", "epochs", 2, 0), ("optimizer", "optimizer", "sgd", "nope"),
       ("activation", "activation", "relu", "nope"),
       ("alpha", "alpha", 0.0, -1), ("tol", "tol", 0.0, -1), ("n_iter_no_change", "n_iter_no_change", 5, 0),
       ("dtype", "dtype", "float32", "float16")]


def _refusal(**params) -> str:
    """The estimator's own words, fit directly (the truth)."""
    with pytest.raises(ValidationError) as direct:
        BackpropClassifier(**params).fit(X, Y)
    return str(direct.value)


def _no_fit(monkeypatch):
    def fit(*args, **kwargs):
        raise AssertionError("a fit ran")
    monkeypatch.setattr(BackpropClassifier, "fit", fit)


@pytest.mark.parametrize("key, name, good, value", BAD, ids=[b[0] for b in BAD])
def test_a_value_the_estimator_refuses_is_refused_before_any_fit_naming_key_and_value(sweep_data, monkeypatch, key,
                                                                                     name, good, value):
    truth = _refusal(**{name: value})
    _no_fit(monkeypatch)
    with pytest.raises(ValidationError) as caught:
        run_sweep(sweep_data / "iris.csv", "species", {key: [good, value]}, cv=2)
    assert str(caught.value) == f"grid: {key}={value}: {truth}"


def test_a_combination_the_estimator_refuses_is_refused_before_any_fit_naming_the_candidate(sweep_data, monkeypatch):
    truth = _refusal(early_stopping=True, validation_fraction=0)
    _no_fit(monkeypatch)
    with pytest.raises(ValidationError) as caught:
        run_sweep(sweep_data / "iris.csv", "species", "early_stopping=true;validation_fraction=0.1,0", cv=2)
    assert str(caught.value) == f"grid: the candidate early_stopping=true, validation_fraction=0: {truth}"


def test_the_command_names_its_grid_option(sweep_data, tmp_path):
    from conftest import cmd
    done = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "lr=0.01,-1", "--out-dir", tmp_path)
    truth = _refusal(learning_rate=-1)
    assert done.returncode == 2 and done.stderr.strip() == f"chainrule: error: --grid: lr=-1: {truth}", done.stderr
    assert not (tmp_path / "sweep_results.csv").exists()


def test_a_drawn_value_the_estimator_refuses_is_refused_before_any_fit(sweep_data, monkeypatch):
    from scipy.stats import uniform
    from sklearn.model_selection import ParameterSampler
    (drawn,) = ParameterSampler({"lr": uniform(-1, 0.5)}, 1, random_state=0)      # RandomizedSearchCV's draw
    truth = _refusal(learning_rate=drawn["lr"])
    _no_fit(monkeypatch)
    with pytest.raises(ValidationError) as caught:
        run_sweep(sweep_data / "iris.csv", "species", {"lr": uniform(-1, 0.5)}, n_iter=1, cv=2)
    assert str(caught.value) == f"grid: the candidate lr={drawn['lr']}: {truth}"
