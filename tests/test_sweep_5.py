"""Sweeps, fifth reading: an interrupted sweep's finished candidates kept, the grid counted once, sample
weights (`--weight`) in the fits and the scores, the table's params column read back."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import as_in_a_terminal, cli_in_process, iris_table  # noqa: E402
from sklearn.model_selection import ParameterGrid  # noqa: E402

from chainrule.sweep import run_sweep  # noqa: E402

FIT = {"epochs": 5, "batch_size": 16}


def test_the_grid_is_counted_once_for_n_iter(sweep_data, monkeypatch):
    """search counted the grid (len(ParameterGrid)) twice to check n_iter against it."""
    import sys
    counted = []
    size = ParameterGrid.__len__

    def counting(self):
        if sys._getframe(1).f_globals.get("__name__", "").startswith("chainrule"):
            counted.append(1)
        return size(self)
    monkeypatch.setattr(ParameterGrid, "__len__", counting)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        res = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01, 0.03]}, n_iter=5, cv=2, **FIT)
    assert len(counted) == 1
    assert any("n_iter=5 is more than the grid's 2 candidates" in str(w.message) for w in said)
    assert len(res.table) == 2
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, n_iter=3, cv=2, refit=False, **FIT)
    assert any("n_iter=3 is more than the grid's 1 candidate: each is run once" in str(w.message) for w in said)


def _interrupted_sweep(csv, out, *options, wait=15.0, ready=None):
    """`chainrule sweep` in its own process, SIGINT after `wait` seconds, or where `ready()` is given, once it says
    the quick candidates are done (a fixed wait is too short on a loaded machine): (exit code, stderr)."""
    import os
    import signal
    import subprocess
    import sys
    import time
    job = subprocess.Popen([sys.executable, "-m", "chainrule.cli", "sweep", str(csv), "--target", "species",
                            "--out-dir", str(out), *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env=os.environ.copy(), preexec_fn=as_in_a_terminal)
    if ready is None:
        time.sleep(wait)                   # the quick candidate's folds done, the slow one's first fit under way
    else:
        deadline = time.monotonic() + 180
        while not ready() and time.monotonic() < deadline and job.poll() is None:
            time.sleep(0.2)
        time.sleep(2.0)                    # the sweep's client takes the finished folds' results
    job.send_signal(signal.SIGINT)
    _, err = job.communicate(timeout=120)
    return job.returncode, err


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_ctrl_c_keeps_the_candidates_whose_folds_all_finished_beside_the_earlier_sweep(sweep_data, tmp_path):
    """Ctrl-C during a long sweep kept nothing: the table was written when every fit was done. The finished
    candidates' rows go to sweep_results.partial.csv (their scores those of scikit-learn's cross-validation on
    the same folds), the interruption line names it, and the earlier sweep's files stay as they were."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from chainrule.sklearn import BackpropClassifier
    out = tmp_path / "s"
    run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir=out, cv=2, **FIT)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    code, err = _interrupted_sweep(sweep_data / "iris.csv", out, "--grid",
                                   "epochs=2,3,10000000;lr=0.05;n_iter_no_change=1000000")   # (no stop on a stall)
    assert code == 130, err
    partial = out / "sweep_results.partial.csv"
    assert err.strip().splitlines()[-1] == (
        f"chainrule: interrupted; wrote the 2 of 3 candidates whose folds all finished to {str(partial)!r} (ranked "
        f"among themselves; the others' finished folds are lost); {str(out / 'sweep_results.csv')!r} and "
        f"{str(out / 'best_model.npz')!r}, from before, are unchanged")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p != partial} == before
    table = pd.read_csv(partial)
    assert sorted(table["epochs"]) == [2, 3]
    d = iris_table()
    for _, row in table.iterrows():
        pipe = Pipeline([("s", StandardScaler()), ("e", BackpropClassifier(random_state=0, epochs=int(row["epochs"]),
                                                                             learning_rate=0.05, batch_size=32))])
        truth = cross_val_score(pipe, d.drop(columns="species"), d["species"],
                                cv=StratifiedKFold(3, shuffle=True, random_state=0))
        np.testing.assert_allclose([row[f"split{k}_test_score"] for k in range(3)], truth, rtol=1e-9)
        assert row["mean_test_score"] == pytest.approx(truth.mean(), rel=1e-9)
    assert list(table["rank_test_score"]) == [1, 2] or table["mean_test_score"].nunique() == 1


def test_ctrl_c_before_any_candidate_finished_writes_nothing_and_keeps_an_earlier_partial_table(
        sweep_data, tmp_path):
    out = tmp_path / "s"
    out.mkdir()
    (out / "sweep_results.partial.csv").write_text("an earlier interrupted sweep's rows\n")
    code, err = _interrupted_sweep(sweep_data / "iris.csv", out, "--grid", "lr=0.01,0.02;n_iter_no_change=1000000",
                                   "--epochs", "100000",
                                   wait=10.0)
    assert code == 130, err
    assert err.strip().splitlines()[-1] == (
        "chainrule: interrupted; the sweep wrote nothing (no candidate had finished all its folds); "
        f"{str(out / 'sweep_results.partial.csv')!r}, from before, is unchanged")
    assert (out / "sweep_results.partial.csv").read_text() == "an earlier interrupted sweep's rows\n"
    assert sorted(p.name for p in out.iterdir()) == ["sweep_results.partial.csv"]


@pytest.fixture(scope="module")
def weighted_iris(tmp_path_factory):
    """iris.csv with a column 'w' of sample weights (0 to 3: a row of weight 0 is as if left out)."""
    d = iris_table()
    d["w"] = np.random.RandomState(3).randint(0, 4, len(d)).astype(float)
    path = tmp_path_factory.mktemp("weighted") / "iris_w.csv"
    d.to_csv(path, index=False)
    return path, d


@pytest.mark.parametrize("scoring", ["accuracy", "neg_log_loss"])
@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_weights_are_in_the_fits_and_the_scores_as_gridsearchcv_routes_them(weighted_iris, scoring):
    """`chainrule sweep` had no --weight (train has it). The weights go where GridSearchCV.fit(X, y,
    sample_weight=w) routes them when the scaler, the estimator and the scorer request them: each fold's
    scaling and fit (its training rows), its score (its test rows); the best is refit weighted."""
    import sklearn
    from sklearn.metrics import get_scorer
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from chainrule.sklearn import BackpropClassifier
    path, d = weighted_iris
    folds = StratifiedKFold(3, shuffle=True, random_state=5)
    grid = {"learning_rate": [0.01, 0.05], "hidden_layer_sizes": [(4,), (8,)]}
    with sklearn.config_context(enable_metadata_routing=True), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe = Pipeline([("s", StandardScaler().set_fit_request(sample_weight=True)),
                         ("e", BackpropClassifier(random_state=0, **FIT).set_fit_request(sample_weight=True))])
        truth = GridSearchCV(pipe, {f"e__{k}": v for k, v in grid.items()}, cv=folds,
                             scoring=get_scorer(scoring).set_score_request(sample_weight=True))
        truth.fit(d.drop(columns=["species", "w"]), d["species"], sample_weight=d["w"].to_numpy())
    res = run_sweep(path, "species", {"lr": [0.01, 0.05], "hidden": [(4,), (8,)]}, cv=folds, scoring=scoring,
                    weight="w", **FIT)
    for key in ("mean_test_score", "std_test_score", "rank_test_score", *(f"split{k}_test_score" for k in range(3))):
        np.testing.assert_allclose(res.cv_results_[key], truth.cv_results_[key], rtol=1e-9, err_msg=key)
    assert res.best_index_ == truth.best_index_
    refit = truth.best_estimator_
    np.testing.assert_allclose(res.best_estimator.predict_proba(refit[0].transform(d.drop(columns=["species", "w"]))),
                               refit.predict_proba(d.drop(columns=["species", "w"])), rtol=1e-9)
    unweighted = run_sweep(path, "species", {"lr": [0.01, 0.05], "hidden": [(4,), (8,)]}, cv=folds, scoring=scoring,
                           drop=["w"], **FIT)
    assert not np.allclose(unweighted.cv_results_["mean_test_score"], res.cv_results_["mean_test_score"])


def test_cli_weight_scores_as_weighted_cross_validation_and_names_a_wrong_column(weighted_iris, tmp_path, capsys):
    import sklearn
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from chainrule.sklearn import BackpropClassifier
    path, d = weighted_iris
    code, out, err = cli_in_process(capsys, "sweep", path, "--target", "species", "--grid", "lr=0.05", "--epochs", "3",
                                    "--weight", "w", "--out-dir", tmp_path / "s")
    assert code == 0, err
    assert out.startswith("1 candidate x 3 folds on this machine; accuracy (rows weighted by 'w'), best first:")
    table = pd.read_csv(tmp_path / "s" / "sweep_results.csv")
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = Pipeline([("s", StandardScaler().set_fit_request(sample_weight=True)),
                         ("e", BackpropClassifier(random_state=0, epochs=3, batch_size=32, learning_rate=0.05)
                          .set_fit_request(sample_weight=True))])
        from sklearn.metrics import get_scorer
        truth = cross_val_score(pipe, d.drop(columns=["species", "w"]), d["species"],
                                cv=StratifiedKFold(3, shuffle=True, random_state=0),
                                scoring=get_scorer("accuracy").set_score_request(sample_weight=True),
                                params={"sample_weight": d["w"].to_numpy()})
    np.testing.assert_allclose([table.loc[0, f"split{k}_test_score"] for k in range(3)], truth, rtol=1e-9)
    from chainrule.saving.npz import load
    _, extra = load(tmp_path / "s" / "best_model.npz", with_extra=True)
    tabular = extra["tabular"]
    assert extra["weight"] == "w" and "w" not in tabular["numeric"] + tabular["text"]   # as train's: not an input
    bad = d.copy()
    bad.loc[4, "w"] = -1
    bad.to_csv(tmp_path / "bad.csv", index=False)
    for file, column, said in ((path, "weights", "--weight: column 'weights' is not in the file"),
                               (path, "species", "the --weight column 'species' cannot also be the --target"),
                               (tmp_path / "bad.csv", "w", "column 'w' must hold numbers >= 0; line 6 has '-1.0'")):
        code, _, err = cli_in_process(capsys, "sweep", file, "--target", "species", "--grid", "lr=0.05",
                                      "--weight", column, "--out-dir", tmp_path / "x")
        assert code == 2 and said in err, err


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_a_weighted_regression_scores_as_gridsearchcv_routes_the_weights(sweep_data, tmp_path):
    """A regression's weights reach its fits and scores as above; its target is standardised per fold as
    TransformedTargetRegressor standardises it (its transformer unweighted: scikit-learn routes no weights there)."""
    import sklearn
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.metrics import get_scorer
    from sklearn.model_selection import GridSearchCV, KFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from chainrule.sklearn import BackpropRegressor
    d = pd.read_csv(sweep_data / "diabetes.csv")
    d["w"] = np.random.RandomState(1).uniform(0, 2, len(d))
    d.to_csv(tmp_path / "d.csv", index=False)
    folds = KFold(3, shuffle=True, random_state=2)
    with sklearn.config_context(enable_metadata_routing=True), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe = Pipeline([("s", StandardScaler().set_fit_request(sample_weight=True)),
                         ("e", BackpropRegressor(random_state=0, **FIT).set_fit_request(sample_weight=True))])
        model = TransformedTargetRegressor(pipe, transformer=StandardScaler(), check_inverse=False)
        truth = GridSearchCV(model, {"regressor__e__learning_rate": [0.01, 0.03]}, cv=folds,
                             scoring=get_scorer("neg_mean_squared_error").set_score_request(sample_weight=True))
        truth.fit(d.drop(columns=["target", "w"]), d["target"].to_numpy(float), sample_weight=d["w"].to_numpy())
    res = run_sweep(tmp_path / "d.csv", "target", {"lr": [0.01, 0.03]}, cv=folds, scoring="neg_mean_squared_error",
                    weight="w", **FIT)
    for key in ("mean_test_score", *(f"split{k}_test_score" for k in range(3))):
        np.testing.assert_allclose(res.cv_results_[key], truth.cv_results_[key], rtol=1e-7, err_msg=key)


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_the_params_column_reads_back_with_pandas_and_literal_eval_drawn_values_included(sweep_data, tmp_path):
    """The params column is a dict's repr (as pandas writes cv_results_); a value drawn from a scipy.stats
    distribution was written np.float64(0.0123), which ast.literal_eval cannot read back."""
    import ast

    from scipy.stats import loguniform
    res = run_sweep(sweep_data / "iris.csv", "species", {"lr": loguniform(1e-3, 1e-1), "hidden": [(4,), (8, 4)]},
                    n_iter=3, seed=1, out_dir=tmp_path, refit=False, **FIT)
    table = pd.read_csv(tmp_path / "sweep_results.csv", converters={"params": ast.literal_eval})
    order = np.argsort(res.cv_results_["rank_test_score"], kind="stable")
    assert list(table["params"]) == [res.cv_results_["params"][i] for i in order]
    assert all(type(p["learning_rate"]) is float and type(p["hidden_layer_sizes"]) is tuple for p in table["params"])
    np.testing.assert_array_equal(table["lr"], [p["learning_rate"] for p in table["params"]])


def _mixed_table(path, n=240, seed=0):
    """A CSV of numbers (with gaps) and a text column, the target depending on both."""
    rng = np.random.RandomState(seed)
    d = pd.DataFrame(rng.randn(n, 3), columns=["a", "b", "c"])
    d["kind"] = rng.choice(["red", "green", "blue", "grey"], n)
    d["y"] = np.where(d["a"] + (d["kind"] == "red") > 0.3, "yes", "no")
    d.loc[rng.rand(n) < 0.1, "b"] = np.nan
    d.to_csv(path, index=False)
    return d


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_each_folds_preprocessing_is_learnt_once_for_every_candidate_with_gridsearchcvs_numbers(tmp_path,
                                                                                                monkeypatch):
    """Each candidate learnt each fold's preprocessing again (candidates x folds fits of the same rows); it is
    learnt once a fold and shared, and the scores are those of scikit-learn's GridSearchCV over a Pipeline of
    the same preprocessing and estimator (which learns it again in every candidate's fit)."""
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import Pipeline

    from chainrule.sklearn import BackpropClassifier
    from chainrule.sweep_search import FoldPreprocessing
    d = _mixed_table(tmp_path / "m.csv")
    folds = StratifiedKFold(3, shuffle=True, random_state=1)
    pipe = Pipeline([("p", FoldPreprocessing("y", "classification", "mean")),
                     ("e", BackpropClassifier(random_state=0, **FIT))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        truth = GridSearchCV(pipe, {"e__learning_rate": [0.01, 0.05], "e__hidden_layer_sizes": [(4,), (8, 4)]},
                             cv=folds, scoring="neg_log_loss").fit(d, d["y"].map({"no": 0, "yes": 1}).to_numpy())
    fits = []
    real = FoldPreprocessing.fit
    monkeypatch.setattr(FoldPreprocessing, "fit", lambda self, *a, **k: fits.append(1) or real(self, *a, **k))
    res = run_sweep(tmp_path / "m.csv", "y", {"lr": [0.01, 0.05], "hidden": [(4,), (8, 4)]}, cv=folds,
                    scoring="neg_log_loss", impute="mean", refit=False, **FIT)
    assert len(fits) == 3                              # one a fold, not 4 candidates x 3 folds
    for key in ("mean_test_score", "rank_test_score", *(f"split{k}_test_score" for k in range(3))):
        np.testing.assert_allclose(res.cv_results_[key], truth.cv_results_[key], rtol=1e-12, err_msg=key)


def test_stopped_in_the_best_refit_every_candidate_is_kept_and_no_model_written(sweep_data, tmp_path, monkeypatch,
                                                                                 capsys):
    """Ctrl-C while the best is refit on every row (the last, longest fit of a sweep) came after every fold:
    the whole table goes to the partial file, sweep_results.csv and best_model.npz are not written."""
    from chainrule.sklearn import BackpropClassifier
    from chainrule.sweep_tasks import SweepInterrupted
    real = BackpropClassifier.fit

    def fit(self, X, y, **kwargs):
        if len(y) == 150:                  # the refit on every row: Ctrl-C in it
            raise KeyboardInterrupt
        return real(self, X, y, **kwargs)
    monkeypatch.setattr(BackpropClassifier, "fit", fit)
    out = tmp_path / "s"
    with pytest.raises(SweepInterrupted) as stopped:
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01, 0.05]}, out_dir=out, **FIT)
    assert stopped.value.refitting and stopped.value.partial_path == out / "sweep_results.partial.csv"
    table = pd.read_csv(out / "sweep_results.partial.csv")
    assert sorted(table["lr"]) == [0.01, 0.05] and sorted(table["rank_test_score"]) == [1, 2]
    assert sorted(p.name for p in out.iterdir()) == ["sweep_results.partial.csv"]
    code, _, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid",
                                  "lr=0.01,0.05", "--epochs", "5", "--out-dir", tmp_path / "c")
    assert code == 130
    assert err.strip().splitlines()[-1] == (
        f"chainrule: interrupted; wrote every candidate (2), its folds all finished, to "
        f"{str(tmp_path / 'c' / 'sweep_results.partial.csv')!r}, but not the best model (interrupted in its refit "
        "on every row)")


def test_ctrl_c_of_a_sweep_on_dask_keeps_the_finished_candidates_and_releases_the_clusters_tasks(sweep_data,
                                                                                                   tmp_path):
    """On a cluster the folds finish in any order: those back before Ctrl-C are kept, and the tasks still
    held on the scheduler are released (the scheduler holds none of the sweep's afterwards)."""
    import time
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        out = tmp_path / "s"

        def quick_folds_done():                    # 2 quick candidates x 3 folds computed on the cluster
            states = client.run_on_scheduler(lambda dask_scheduler: [t.state for k, t in dask_scheduler.tasks.items()
                                                                     if "fold" in str(k)])
            return states.count("memory") >= 6

        code, err = _interrupted_sweep(sweep_data / "iris.csv", out, "--grid",
                                       "epochs=2,3,10000000;n_iter_no_change=1000000", "--scheduler",
                                       cluster.scheduler_address, ready=quick_folds_done)
        assert code == 130, err
        assert err.strip().splitlines()[-1] == (
            f"chainrule: interrupted; wrote the 2 of 3 candidates whose folds all finished to "
            f"{str(out / 'sweep_results.partial.csv')!r} (ranked among themselves; the others' finished folds are "
            "lost)")
        assert sorted(pd.read_csv(out / "sweep_results.partial.csv")["epochs"]) == [2, 3]
        for _ in range(50):
            held = client.run_on_scheduler(lambda dask_scheduler: [k for k in dask_scheduler.tasks if "fold" in
                                                                    str(k)])
            if not held:
                break
            time.sleep(0.2)
        assert not held


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* ran every epoch)")   # few epochs
def test_ctrl_c_keeps_the_folds_the_cluster_finished_whose_results_were_not_back_yet(monkeypatch):
    """A fold done on a worker comes back to the sweep a moment later (seconds on a loaded machine): Ctrl-C in
    between lost it ("wrote the 1 of 3 candidates" when 2 had finished). Here every fold is done on the cluster and
    one result is back when Ctrl-C comes: all six are kept, each the score of its own fit."""
    distributed = pytest.importorskip("distributed")
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler

    from chainrule.sklearn import BackpropClassifier
    from chainrule.sweep_tasks import SweepInterrupted, run_tasks
    d = iris_table()
    X, y = StandardScaler().fit_transform(d.drop(columns="species")), d["species"].to_numpy()
    folds = StratifiedKFold(3, shuffle=True, random_state=0).split(X, y)
    data = [(X[a], y[a], None, X[b], y[b], None) for a, b in folds]
    grid = [{"learning_rate": 0.05}, {"learning_rate": 0.01}]
    tasks = [(params, k) for params in grid for k in range(3)]
    estimator = BackpropClassifier(random_state=0, epochs=2, batch_size=32)

    def one_back_then_ctrl_c(futures, **kwargs):
        distributed.wait(futures)                  # every fold done on the cluster
        yield futures[0], futures[0].result()
        raise KeyboardInterrupt
    monkeypatch.setattr(distributed, "as_completed", one_back_then_ctrl_c)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster, pytest.raises(SweepInterrupted) as stopped:
        run_tasks(tasks, estimator, data, scoring=None, error_score=np.nan, n_jobs=1,
                  scheduler=cluster.scheduler_address)
    assert sorted(stopped.value.done) == list(range(6))
    for i, (params, k) in enumerate(tasks):
        X_train, y_train, _, X_test, y_test, _ = data[k]
        fitted = BackpropClassifier(random_state=0, epochs=2, batch_size=32, **params).fit(X_train, y_train)
        assert stopped.value.done[i][0] == pytest.approx(fitted.score(X_test, y_test), rel=1e-12)


def test_weights_of_zero_on_every_row_or_every_row_of_a_fold_are_refused_before_the_fits(weighted_iris, tmp_path,
                                                                                          capsys):
    """A fold whose test rows all weigh 0 failed every candidate with scikit-learn's 'Sample weights must contain
    at least one non-zero number' after all the fits; a column of zeros said 'every training row has sample
    weight 0' without naming it."""
    from sklearn.model_selection import StratifiedKFold
    _, d = weighted_iris
    d = d.copy()
    d["w"] = 0.0
    d.to_csv(tmp_path / "zeros.csv", index=False)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(d, d["species"]))
    d.loc[folds[0][0][:5], "w"] = 1.0        # a few of the first fold's training rows: its test rows weigh nothing
    d.to_csv(tmp_path / "few.csv", index=False)
    for name, said in (("zeros", "--weight column 'w' is 0 on every row: at least one must weigh more than 0"),
                       ("few", "--weight column 'w' is 0 on every test row of fold 1 of 3: each fold's training and "
                               "test rows must weigh more than 0")):
        code, out, err = cli_in_process(capsys, "sweep", tmp_path / f"{name}.csv", "--target", "species", "--grid",
                                        "lr=0.05", "--weight", "w", "--out-dir", tmp_path / "x")
        assert code == 2 and said in err, err
    assert not (tmp_path / "x").exists()


def test_cli_cv_below_two_is_named_in_the_commands_words(sweep_data, tmp_path, capsys):
    """`--cv 1` answered with run_sweep's words: 'cv must be an integer of at least 2 folds, a scikit-learn splitter
    (KFold(5), ...) or (train, test) index pairs', which the command cannot be given."""
    for bad in ("1", "0", "-3"):
        code, _, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid",
                                      "lr=0.05", "--cv", bad, "--out-dir", tmp_path / "x")
        assert code == 2 and f"argument --cv: expected a number of folds of at least 2; got '{bad}'" in err, err
        assert "splitter" not in err


def test_ctrl_c_while_the_model_is_written_says_the_table_was_written(sweep_data, tmp_path, monkeypatch, capsys):
    import chainrule.sweep as sweep

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(sweep, "save_best", interrupted)
    code, _, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid",
                                  "lr=0.05", "--epochs", "2", "--out-dir", tmp_path)
    assert code == 130
    assert err.strip().splitlines()[-1] == (
        f"chainrule: interrupted; wrote {str(tmp_path / 'sweep_results.csv')!r} before it")
    assert len(pd.read_csv(tmp_path / "sweep_results.csv")) == 1 and not (tmp_path / "best_model.npz").exists()


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_a_none_cell_only_in_a_folds_test_rows_is_a_value_that_fold_did_not_learn(tmp_path):
    """A text cell 'None' is missing where training did not learn it (the exported graph's rule); a fold
    whose training rows lack the one 'None' of the file refused its test rows ("a missing value in 'a' on
    line 3 ... train with --impute", a line of the fold's, not the file's) and ended the whole sweep. The
    whole file learnt 'None' as a category: in that fold it is unseen, all zeros, as OneHotEncoder's
    handle_unknown="ignore", and each fold is scored."""
    rng = np.random.RandomState(0)
    d = pd.DataFrame({"x": rng.randn(60), "a": np.where(np.arange(60) % 2, "p", "q"),
                      "t": np.where(np.arange(60) % 3, "yes", "no")})
    d.loc[5, "a"] = "None"
    d.to_csv(tmp_path / "d.csv", index=False)
    res = run_sweep(tmp_path / "d.csv", "t", "hidden=4", cv=3, refit=False, **FIT)
    assert np.isfinite(res.cv_results_["split0_test_score"]).all()
    assert np.isfinite(res.cv_results_["mean_test_score"]).all()


def test_the_commands_default_batch_size_does_not_warn_on_a_small_file(tmp_path, capsys):
    """The command passed its --batch-size default, 32, to every fit, as if the user had typed it: a
    30-row file's folds warned 'batch_size larger than sample size' at each fit. Without --batch-size the
    estimator's own default (32, or every row of a smaller fold) is used, silently; a typed size warns."""
    rng = np.random.RandomState(0)
    pd.DataFrame({"x": rng.randn(30), "t": np.where(np.arange(30) % 2, "a", "b")}).to_csv(tmp_path / "s.csv",
                                                                                          index=False)
    args = ("sweep", tmp_path / "s.csv", "--target", "t", "--grid", "lr=0.05,0.1", "--epochs", "2", "--cv", "3",
            "--out-dir", tmp_path / "out")
    code, _, err = cli_in_process(capsys, *args)
    assert code == 0 and "larger than sample size" not in err, err
    code, _, err = cli_in_process(capsys, *args, "--batch-size", "32")
    assert code == 0 and "larger than sample size" in err, err


def test_too_many_folds_are_named_as_the_command_user_typed_them(tmp_path, capsys):
    """`chainrule sweep --cv 200` on a 30-row file said "cv=200 folds need ...", the Python argument's name."""
    rng = np.random.RandomState(0)
    pd.DataFrame({"x": rng.randn(30), "t": np.where(np.arange(30) % 2, "a", "b")}).to_csv(tmp_path / "s.csv",
                                                                                          index=False)
    for cv, said in (("200", "200 folds need at least 200 rows; the file has 30 (ask for fewer folds)"),
                     ("20", "20 folds need at least 20 rows of every class; rows of the classes with fewer: 'a' 15, "
                            "'b' 15 (ask for fewer folds, or give more rows of those classes)")):
        code, _, err = cli_in_process(capsys, "sweep", tmp_path / "s.csv", "--target", "t", "--grid", "lr=0.05",
                                      "--cv", cv, "--out-dir", tmp_path / "out")
        assert code == 2 and err.strip().splitlines()[-1] == "chainrule: error: " + said, err
