"""`chainrule sweep` as a practitioner uses it beside GridSearchCV: class weights (fixed or searched), the
estimator's class_weight checked against scikit-learn's compute_sample_weight."""
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cli_in_process, iris_table  # noqa: E402
from sklearn.base import BaseEstimator, ClassifierMixin  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402

FIT = {"epochs": 4, "batch_size": 16}


class Reweighed(ClassifierMixin, BaseEstimator):
    """The truth: BackpropClassifier fit with scikit-learn's compute_sample_weight(cw, y) as its sample_weight."""

    def __init__(self, cw=None, learning_rate=1e-3, seed=0):
        self.cw, self.learning_rate, self.seed = cw, learning_rate, seed

    def fit(self, X, y):
        self.est_ = BackpropClassifier(random_state=self.seed, learning_rate=self.learning_rate, **FIT)
        self.est_.fit(X, y, sample_weight=compute_sample_weight(self.cw, y))
        self.classes_ = self.est_.classes_
        return self

    def predict(self, X):
        return self.est_.predict(X)


@pytest.fixture(scope="module")
def rare(tmp_path_factory):
    """Iris with 10 virginica rows of 50: a rare class, the case class weights are for."""
    d = iris_table()
    d = pd.concat([d[d.species != "virginica"], d[d.species == "virginica"].iloc[:10]]).reset_index(drop=True)
    path = tmp_path_factory.mktemp("rare") / "rare.csv"
    d.to_csv(path, index=False)
    return path, d


def _truth(d, grid: dict) -> "pd.DataFrame":
    X, y = d.drop(columns="species").to_numpy(), d["species"].to_numpy()
    search = GridSearchCV(Pipeline([("s", StandardScaler()), ("e", Reweighed(seed=4))]),
                          {f"e__{k}": v for k, v in grid.items()}, cv=StratifiedKFold(3, shuffle=True, random_state=4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    r = search.cv_results_
    return pd.DataFrame({"lr": r["param_e__learning_rate"].astype(float), "mean_test_score": r["mean_test_score"],
                         **{f"split{k}_test_score": r[f"split{k}_test_score"] for k in range(3)}})


@pytest.mark.filterwarnings("ignore:.* finished fits ran every epoch")
def test_sweep_class_weight_scores_as_gridsearchcv_with_the_classes_weighted(capsys, rare, tmp_path):
    path, d = rare
    code, out, err = cli_in_process(capsys, "sweep", path, "--target", "species", "--grid", "lr=0.01,0.03",
                                    "--class-weight", "virginica=4,setosa=0.5", "--seed", "4", "--epochs", "4",
                                    "--batch-size", "16", "--out-dir", tmp_path / "s")
    assert code == 0, err
    assert "accuracy (classes weighted: virginica=4, setosa=0.5), best first" in out
    got = pd.read_csv(tmp_path / "s" / "sweep_results.csv")
    want = _truth(d, {"learning_rate": [0.01, 0.03], "cw": [{"virginica": 4, "setosa": 0.5}]})
    cols = list(want.columns)
    pd.testing.assert_frame_equal(got[cols].sort_values("lr").reset_index(drop=True),
                                  want.sort_values("lr").reset_index(drop=True), check_dtype=False, rtol=1e-9)
    unweighted = _truth(d, {"learning_rate": [0.01, 0.03]})       # the weights changed the scores
    assert not np.allclose(unweighted.sort_values("lr")["mean_test_score"], want.sort_values("lr")["mean_test_score"])


@pytest.mark.filterwarnings("ignore:.* finished fits ran every epoch")
def test_the_grid_searches_class_weight_none_against_balanced(capsys, rare, tmp_path):
    path, d = rare
    code, out, err = cli_in_process(capsys, "sweep", path, "--target", "species", "--grid",
                                    "lr=0.03;class_weight=none,balanced", "--seed", "4", "--epochs", "4",
                                    "--batch-size", "16", "--out-dir", tmp_path / "s")
    assert code == 0, err
    got = pd.read_csv(tmp_path / "s" / "sweep_results.csv")
    assert sorted(got["class_weight"]) == ["balanced", "none"]          # as the grid wrote them, not NaN
    for cw in (None, "balanced"):
        want = _truth(d, {"learning_rate": [0.03], "cw": [cw]})
        row = got[got.class_weight == (cw or "none")]
        np.testing.assert_allclose(row[[f"split{k}_test_score" for k in range(3)]].to_numpy()[0],
                                   want[[f"split{k}_test_score" for k in range(3)]].to_numpy()[0], rtol=1e-9)
    assert "balanced" in out and "nan" not in out.lower()


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_class_weight_is_compute_class_weight_times_sample_weight(rare):
    """'balanced' counts the classes with sample_weight, as scikit-learn 1.9's compute_class_weight."""
    d = rare[1]
    X, y = d.drop(columns="species").to_numpy(), d["species"].to_numpy()
    w = np.random.default_rng(0).uniform(0.5, 2, len(y))
    classes = np.unique(y)
    for cw in ("balanced", {"virginica": 3.0}):
        table = compute_class_weight(cw, classes=classes, y=y, sample_weight=w)[np.searchsorted(classes, y)]
        a = BackpropClassifier(random_state=0, class_weight=cw, **FIT).fit(X, y, sample_weight=w)
        b = BackpropClassifier(random_state=0, **FIT).fit(X, y, sample_weight=w * table)
        for p, q in zip(a.coefs_, b.coefs_):
            np.testing.assert_allclose(p, q, rtol=1e-12)
    with pytest.raises(ValidationError, match="class_weight names 'virginca', which is not a class"):
        BackpropClassifier(class_weight={"virginca": 3}, **FIT).fit(X, y)
    with pytest.raises(ValidationError, match="partial_fit cannot use class_weight='balanced'"):
        BackpropClassifier(class_weight="balanced").partial_fit(X, y, classes=np.unique(y))


def test_a_regression_sweep_refuses_class_weight_and_both_ways_at_once(capsys, sweep_data, tmp_path):
    with pytest.raises(ValidationError, match="class_weight is for classification; 'target' is a regression"):
        run_sweep(sweep_data / "diabetes.csv", "target", "lr=0.01", class_weight="balanced", epochs=1)
    code, out, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid",
                                    "class_weight=none,balanced", "--class-weight", "balanced", "--out-dir", tmp_path)
    assert code != 0 and ("--class-weight balanced and the grid's class_weight (none, balanced) both weigh the "
                          "classes") in err
    code, out, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid",
                                    "lr=0.01", "--class-weight", "virginca=2", "--out-dir", tmp_path)
    assert code != 0 and "--class-weight: 'virginca' is not a class of 'species'" in err
    code, out, err = cli_in_process(capsys, "sweep", sweep_data / "diabetes.csv", "--target", "target", "--grid",
                                    "lr=0.01", "--class-weight", "balanced", "--out-dir", tmp_path)
    assert code != 0 and "--class-weight is for classification; 'target' is a regression target" in err


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_the_ran_out_warning_names_the_candidates_that_did_and_what_to_pass(capsys, sweep_data, tmp_path):
    """A candidate whose fits all stop early (tol so large no epoch improves) is not named; the one whose fits
    ran out is, as GridSearchCV warns for its fits alone; the line says what to pass for more epochs."""
    from sklearn.datasets import load_iris
    from sklearn.exceptions import ConvergenceWarning
    X, y = load_iris(return_X_y=True)
    warned = {}
    for tol in (1e9, 1e-4):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            GridSearchCV(BackpropClassifier(epochs=8, batch_size=16, n_iter_no_change=2, tol=tol),
                         {"learning_rate": [1e-3]}, cv=3, refit=False).fit(X, y)
        warned[tol] = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    assert warned == {1e9: 0, 1e-4: 3}
    code, out, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid",
                                    "tol=1e9,1e-4;lr=1e-3;n_iter_no_change=2", "--epochs", "8", "--batch-size", "16",
                                    "--no-refit", "--out-dir", tmp_path)
    assert code == 0, err
    assert [line for line in err.splitlines() if "epoch" in line] == [
        "chainrule: warning: 3 of the sweep's 6 finished fits ran every epoch (--epochs 8) without the stopping rule "
        "(tol, n_iter_no_change) ending them (in 1 of the 2 candidates: tol=1e-4, lr=1e-3, n_iter_no_change=2): "
        "their scores may rise with more epochs; try --epochs 16, or compare in the grid: 'epochs=8,16'"]
