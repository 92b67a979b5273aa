"""`chainrule sweep`'s scores and failures: a regression scored in the target's units (checked against
the metric computed here on the raw target, for the same folds), a failing candidate kept and named
rather than ending the sweep, --dtype and --jobs as train and joblib take them, the cv message, and
the best model reading other files as the sweep read its own."""
import io

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cli, cmd  # noqa: E402
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score  # noqa: E402
from sklearn.model_selection import KFold  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.data.tabular import Preprocessing  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sklearn import BackpropRegressor  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402
from chainrule.sweep_search import FailedCandidateWarning  # noqa: E402

FIT = {"epochs": 5, "batch_size": 16}


def _scores_on_raw_target(path, params: dict, metric, cv=3, seed=0):
    """Each fold's score as computed here: the inputs and the target standardised with numpy's means and
    population stds of the fold's training rows, the estimator trained on them, its predictions taken
    back to the target's units, then the metric."""
    df = pd.read_csv(path)
    inputs = df.drop(columns="target").to_numpy(dtype=float)
    raw = df["target"].to_numpy(dtype=float)
    out = []
    for train, test in KFold(cv, shuffle=True, random_state=seed).split(inputs):
        X = (inputs - inputs[train].mean(axis=0)) / inputs[train].std(axis=0)
        mean, std = raw[train].mean(), raw[train].std()
        est = BackpropRegressor(random_state=seed, **FIT, **params).fit(X[train], (raw[train] - mean) / std)
        out.append(metric(raw[test], est.predict(X[test]) * std + mean))
    return np.array(out)


@pytest.mark.parametrize("scoring, metric", [("neg_mean_squared_error", lambda t, p: -mean_squared_error(t, p)),
                                             ("neg_mean_absolute_error", lambda t, p: -mean_absolute_error(t, p)),
                                             (None, r2_score)])
@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_regression_scores_are_in_the_targets_units(sweep_data, scoring, metric):
    """The sweep fitted and scored on the standardised target: neg_mean_squared_error was about -0.5 for a
    target whose squared errors are about 3000."""
    res = run_sweep(sweep_data / "diabetes.csv", "target", {"hidden": [(8,)], "alpha": [0.0, 1e-3]}, scoring=scoring,
                    **FIT)
    for _, row in res.table.iterrows():
        want = _scores_on_raw_target(sweep_data / "diabetes.csv", {"hidden_layer_sizes": (8,), "alpha": row["alpha"]},
                                     metric)
        np.testing.assert_allclose(row[[f"split{k}_test_score" for k in range(3)]].to_numpy(float), want, rtol=1e-9)


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_the_best_regression_model_predicts_in_the_targets_units(sweep_data, tmp_path):
    res = run_sweep(sweep_data / "diabetes.csv", "target", "hidden=8;lr=1e-3,1e-2", scoring="neg_mean_squared_error",
                    out_dir=tmp_path, **FIT)
    df = pd.read_csv(sweep_data / "diabetes.csv")
    X = Preprocessing.fit(df, "target").transform(df)
    raw = df["target"].to_numpy(dtype=float)
    est = BackpropRegressor(random_state=0, **FIT, **res.best_params).fit(X, (raw - raw.mean()) / raw.std())
    want = est.predict(X) * raw.std() + raw.mean()
    np.testing.assert_allclose(res.best_estimator.predict(X), want, rtol=1e-12)
    r = cli("predict", tmp_path / "best_model.npz", sweep_data / "diabetes.csv")
    assert r.returncode == 0, r.stderr
    np.testing.assert_allclose(pd.read_csv(io.StringIO(r.stdout))["prediction"], want, rtol=1e-9)


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_a_failing_candidate_is_kept_named_and_ranked_last(sweep_data):
    """error_score='raise': one learning rate that diverged (TrainingDiverged) ended the whole sweep."""
    with pytest.warns(FailedCandidateWarning, match=r"candidate lr=1e3 failed in \d of 3 folds .*"
                                                    r"TrainingDiverged: training diverged") as said:
        res = run_sweep(sweep_data / "diabetes.csv", "target", "lr=1e-2,1e3", optimizer="sgd", **FIT)
    assert len([w for w in said if w.category is FailedCandidateWarning]) == 1
    assert list(res.table["lr"]) == [0.01, 1000.0] and list(res.table["rank_test_score"]) == [1, 2]
    assert np.isnan(res.table.loc[1, "mean_test_score"]) and np.isfinite(res.table.loc[0, "mean_test_score"])
    assert res.best_params["learning_rate"] == 0.01 and list(res.failed) == [1]
    want = _scores_on_raw_target(sweep_data / "diabetes.csv", {"learning_rate": 0.01, "optimizer": "sgd"}, r2_score)
    assert res.best_score == pytest.approx(want.mean(), rel=1e-9)


def test_every_candidate_failing_is_one_clear_error(sweep_data):
    with pytest.raises(ValidationError, match=r"every candidate of the sweep failed; the first, lr=1e3: "
                                              r"TrainingDiverged: training diverged"):
        run_sweep(sweep_data / "diabetes.csv", "target", "lr=1e3,1e4", optimizer="sgd", **FIT)


def test_cli_shows_a_failed_candidate_and_goes_on(sweep_data, tmp_path):
    r = cmd("sweep", sweep_data / "diabetes.csv", "--target", "target", "--grid", "lr=0.01,1000;optimizer=sgd",
            "--epochs", "5", "--batch-size", "16", "--out-dir", tmp_path)
    assert r.returncode == 0, r.stderr
    assert "chainrule: warning: candidate lr=1000, optimizer=sgd failed in 3 of 3 folds" in r.stderr     # as written
    assert "Traceback" not in r.stderr and "non-finite" not in r.stderr
    last = r.stdout.splitlines()[3].split()
    assert last[:2] == ["1000", "sgd"] and last[2:4] == ["NaN", "NaN"] and last[4] == "2"
    assert (tmp_path / "best_model.npz").is_file()


def test_dtype_float32(sweep_data, tmp_path):
    """sweep had no --dtype: every candidate trained in float64."""
    r = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "hidden=4", "--epochs", "3", "--dtype",
            "float32", "--out-dir", tmp_path)
    assert r.returncode == 0, r.stderr
    net = cr.load(tmp_path / "best_model.npz")
    assert net.dtype == np.float32
    r = cmd("predict", tmp_path / "best_model.npz", sweep_data / "iris.csv")
    assert r.returncode == 0, r.stderr


def test_jobs_takes_any_nonzero_integer(sweep_data, tmp_path):
    """--jobs -2 (all CPUs but one, as joblib's n_jobs) was refused; --jobs 0 must be."""
    r = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "hidden=4", "--epochs", "2", "--jobs",
            "-2", "--out-dir", tmp_path)
    assert r.returncode == 0, r.stderr
    r = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "hidden=4", "--epochs", "2", "--jobs",
            "0", "--out-dir", tmp_path)
    assert r.returncode == 2 and "argument --jobs: expected a nonzero integer" in r.stderr and "got '0'" in r.stderr
    with pytest.raises(ValidationError, match="n_jobs must be a nonzero integer"):
        run_sweep(sweep_data / "iris.csv", "species", "hidden=4", n_jobs=0)


def test_too_few_rows_of_a_class_names_the_class_and_counts(tmp_path):
    rng = np.random.default_rng(0)
    labels = ["a"] * 10 + ["b"] * 2 + ["c"] * 1
    pd.DataFrame({"x": rng.normal(size=13), "y": labels}).to_csv(tmp_path / "few.csv", index=False)
    with pytest.raises(ValidationError, match=r"^3 folds need at least 3 rows of every class; .*'b' 2, 'c' 1"):
        run_sweep(tmp_path / "few.csv", "y", "hidden=4", cv=3, epochs=1)


def test_the_best_model_reads_files_as_the_sweep_read_its_own(sweep_data, tmp_path):
    """The best model did not record the separator and encoding: predict read a ;-separated latin-1 file as
    train's models read it only when told --sep and --encoding again."""
    d = pd.read_csv(sweep_data / "iris.csv")
    d.columns = ["länge", "breite", "blüte_länge", "blüte_breite", "art"]
    d["art"] = d["art"].str.replace("setosa", "sétosa")
    d.to_csv(tmp_path / "iris;.csv", sep=";", index=False, encoding="latin-1")
    d.iloc[::10].to_csv(tmp_path / "other.csv", sep=";", index=False, encoding="latin-1")
    r = cmd("sweep", tmp_path / "iris;.csv", "--target", "art", "--grid", "hidden=8", "--epochs", "20", "--sep", ";",
            "--encoding", "latin-1", "--out-dir", tmp_path / "sw")
    assert r.returncode == 0, r.stderr
    net, extra = cr.load(tmp_path / "sw" / "best_model.npz", with_extra=True)
    assert (extra["tabular"]["sep"], extra["tabular"]["encoding"]) == (";", "latin-1")
    r = cmd("predict", tmp_path / "sw" / "best_model.npz", tmp_path / "other.csv")
    assert r.returncode == 0, r.stderr
    other = pd.read_csv(tmp_path / "other.csv", sep=";", encoding="latin-1")
    pre = Preprocessing.fit(d, "art")
    want = np.array(pre.classes, dtype=object)[net.predict(pre.transform(other)).argmax(axis=1)]
    assert list(pd.read_csv(io.StringIO(r.stdout))["prediction"]) == list(want)
