"""What a sweep says about its candidates: the class the user asked for (BackpropClassifier,
BackpropRegressor), never the sweep's own; and the best candidate failing only when refit on every row
is one clear error naming it."""
import pickle

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from sklearn.datasets import load_diabetes, load_iris  # noqa: E402

from chainrule.errors import TrainingDiverged, ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402

FIT = {"epochs": 3, "batch_size": 16}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    load_diabetes(as_frame=True, scaled=False).frame.iloc[:120].to_csv(folder / "diabetes.csv", index=False)
    load_iris(as_frame=True).frame.to_csv(folder / "iris.csv", index=False)
    return folder


@pytest.mark.parametrize("file, target, public", [("iris.csv", "target", "BackpropClassifier"),
                                                  ("diabetes.csv", "target", "BackpropRegressor")])
def test_a_failed_candidate_names_the_users_class(data, file, target, public):
    """A grid's value the estimator refuses is refused before any fit with the message BackpropClassifier itself
    gives for that value (the independent truth: the public class, fit directly); the best estimator is the public
    class too."""
    with pytest.raises(ValidationError) as direct:
        (BackpropClassifier if public == "BackpropClassifier" else BackpropRegressor)(learning_rate=-1).fit(
            np.zeros((4, 2)), np.array([0, 1, 0, 1]))
    with pytest.raises(ValidationError) as refused:
        run_sweep(data / file, target, "lr=0.01,-1", **FIT)
    assert str(refused.value) == f"grid: lr=-1: {direct.value}"
    assert public in str(refused.value) and "Swept" not in str(refused.value)
    res = run_sweep(data / file, target, "lr=0.01", **FIT)
    assert type(res.best_estimator if public == "BackpropClassifier" else res.best_estimator.regressor_).__name__ \
        == public
    assert "Swept" not in repr(res.best_estimator)
    assert "Swept" not in pickle.dumps(res.best_estimator).decode("latin-1")


def test_every_candidate_failing_names_the_users_class(data):
    with pytest.raises(ValidationError, match=r"every candidate of the sweep failed; the first, lr=1e30, "
                                              r"activation=linear, optimizer=sgd: TrainingDiverged: ") as err:
        run_sweep(data / "iris.csv", "target", "lr=1e30,1e31;activation=linear;optimizer=sgd", **FIT)
    assert "Swept" not in str(err.value)


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_the_best_candidate_failing_only_on_the_refit_is_one_clear_error(data, monkeypatch):
    """Every fold's fit works; the fit on every row (the refit) diverges: the error names the best
    candidate, says it failed on the refit, and gives the reason; no traceback of scikit-learn's."""
    rows = len(pd.read_csv(data / "diabetes.csv"))
    fit = BackpropRegressor.fit

    def diverges_on_every_row(self, X, y, sample_weight=None):
        if X.shape[0] == rows:
            raise TrainingDiverged("training diverged in epoch 2, batch 3: the loss is inf")
        return fit(self, X, y, sample_weight=sample_weight)

    monkeypatch.setattr(BackpropRegressor, "fit", diverges_on_every_row)
    with pytest.raises(ValidationError) as err:
        run_sweep(data / "diabetes.csv", "target", "hidden=4,8", **FIT)
    assert str(err.value).startswith("the best candidate, hidden=")
    assert str(err.value).endswith(", failed when refit on every row: TrainingDiverged: training diverged in "
                                   "epoch 2, batch 3: the loss is inf")
    monkeypatch.setattr(BackpropRegressor, "fit", fit)
    best = run_sweep(data / "diabetes.csv", "target", "hidden=4,8", **FIT).best_params["hidden_layer_sizes"]
    assert str(err.value).startswith(f"the best candidate, hidden={best[0]},")        # the best one, named
