"""Sweeps as a demanding practitioner runs them: two sweeps in threads of one process, reasons from Dask
workers, the results table written safely, scorers that do not fit the target refused before any fold,
scikit-learn's names and search kinds; scikit-learn's GridSearchCV and RandomizedSearchCV as the truth."""
import threading
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import as_in_a_terminal, cli_in_process, iris_table  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402

FIT = {"epochs": 3, "batch_size": 16}


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_two_sweeps_in_threads_each_name_their_own_failures_and_leave_the_filters(sweep_data, monkeypatch):
    """search() recorded scikit-learn's warnings with warnings.catch_warnings, which is the process's: with
    sweep A inside its fits when sweep B started, A's end put back the filters of before A, B's reasons went
    unrecorded ('scikit-learn gave no reason'), and B's end left A's filters on the process."""
    real = BackpropClassifier.fit
    a_inside, b_inside, a_done = threading.Event(), threading.Event(), threading.Event()
    held = {}

    def fit(self, *args, **kwargs):
        name = threading.current_thread().name
        if name not in held:                       # each thread waits in its first fit only
            held[name] = True
            if name == "A":
                a_inside.set()
                assert b_inside.wait(60)
            else:
                b_inside.set()
                assert a_done.wait(120)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(BackpropClassifier, "fit", fit)
    results, errors = {}, []

    def sweep(name, bad):
        try:
            results[name] = run_sweep(sweep_data / "iris.csv", "species",     # a diverging learning rate fails
                                      {"lr": [0.01, float(bad)], "activation": ["linear"], "optimizer": ["sgd"]},
                                      cv=2, **FIT)
        except Exception as exc:                  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            if name == "A":
                a_done.set()

    before = list(warnings.filters)
    a = threading.Thread(target=sweep, args=("A", "1e+30"), name="A")
    b = threading.Thread(target=sweep, args=("B", "1e+31"), name="B")
    a.start()
    assert a_inside.wait(60)
    b.start()
    a.join(180)
    b.join(180)
    assert not errors, errors
    assert warnings.filters == before
    for name, bad in (("A", "1e+30"), ("B", "1e+31")):
        (why,) = results[name].failed.values()
        assert f"learning rate {bad} is high" in why, (name, why)


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_a_score_that_cannot_be_computed_on_a_dask_worker_says_why(sweep_data, monkeypatch):
    """scikit-learn says why a score failed only in a warning, issued where the fold ran: on a Dask worker's
    process it never came back, and the sweep said 'scikit-learn gave no reason'. The reason is the one
    roc_auc gives here (three classes need multi_class). Two workers: joblib runs the tasks of a cluster of
    one single-threaded worker in this process. The sweep refuses such a scorer before any fit
    (tests/test_sweep_scorer_classes.py): that check is left out here, to reach the workers' failed scores."""
    monkeypatch.setattr("chainrule.sweep_metrics.scorer_refusal", lambda scoring, n_classes: None)
    distributed = pytest.importorskip("distributed")
    from sklearn.metrics import get_scorer
    from sklearn.model_selection import cross_val_score
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError) as here:          # the truth: the scorer's own error, in this process
        cross_val_score(BackpropClassifier(**FIT), X, y, cv=2, scoring=get_scorer("roc_auc"), error_score="raise")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        with pytest.raises(ValidationError) as there:
            run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, scoring="roc_auc", cv=2,
                      scheduler=cluster.scheduler_address, **FIT)
    assert f"its score 'roc_auc' could not be computed: ValueError: {here.value}" in str(there.value)


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_an_interrupted_write_of_the_table_keeps_the_previous_one(sweep_data, tmp_path, monkeypatch):
    """sweep_results.csv was written in place: Ctrl-C (or a full disk) in the middle of the write left half
    a table where the previous sweep's whole one was."""
    out = tmp_path / "s"
    run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir=out, refit=False, cv=2, **FIT)
    before = (out / "sweep_results.csv").read_bytes()
    real = pd.DataFrame.to_csv

    def interrupted(self, path_or_buf=None, *args, **kwargs):
        text = real(self, None, *args, **kwargs)
        if path_or_buf is None:
            return text
        f = open(path_or_buf, "w") if isinstance(path_or_buf, (str, type(out))) else path_or_buf   # noqa: SIM115
        f.write(text[:10] if "b" not in getattr(f, "mode", "w") else text[:10].encode())
        f.flush()
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.03]}, out_dir=out, refit=False, cv=2, **FIT)
    monkeypatch.undo()
    assert (out / "sweep_results.csv").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["sweep_results.csv"]        # no temporary file left


@pytest.mark.parametrize("scoring", ["accuracy", "f1_macro", "neg_log_loss", "roc_auc", "positive_likelihood_ratio"])
def test_a_classification_metric_on_a_regression_target_is_refused_before_any_fold(sweep_data, scoring, monkeypatch):
    """GridSearchCV scores a classification metric of a regressor as a failure in every fold; the sweep fit
    every candidate and then failed each, where a regression metric on classes was refused at once."""
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import GridSearchCV

    from chainrule.sklearn import BackpropRegressor
    X, y = load_diabetes(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        truth = GridSearchCV(BackpropRegressor(**FIT), {"learning_rate": [0.01]}, scoring=scoring, cv=2,
                             error_score=np.nan).fit(X[:100], y[:100])
    assert np.isnan(truth.cv_results_["mean_test_score"]).all()
    fits = []
    monkeypatch.setattr(BackpropRegressor, "fit", lambda self, *a, **k: fits.append(self))
    with pytest.raises(ValidationError, match=rf"scoring={scoring!r} is a classification metric; the target 'target' "
                                              r"is numbers \(a regression\).*task='classification'$"):
        run_sweep(sweep_data / "diabetes.csv", "target", {"lr": [0.01]}, scoring=scoring, **FIT)
    assert not fits


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_no_refit_says_an_earlier_model_stays_before_the_fits_and_keeps_it(sweep_data, tmp_path, monkeypatch):
    """--no-refit beside an earlier sweep's best_model.npz keeps the file (GridSearchCV(refit=False) deletes
    nothing, and the model is the user's), but said so after every fit had run: an hour later, where the user
    could have stopped at once and chosen another --out-dir."""
    out = tmp_path / "s"
    run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir=out, cv=2, **FIT)
    before = (out / "best_model.npz").read_bytes()
    real, said_first = BackpropClassifier.fit, []

    def fit(self, *args, **kwargs):
        said_first.append(any("earlier sweep's best model" in str(w.message) for w in caught))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(BackpropClassifier, "fit", fit)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.03]}, out_dir=out, cv=2, refit=False, **FIT)
    assert said_first and all(said_first)
    assert (out / "best_model.npz").read_bytes() == before


def _truth(search_class, grid: dict, scoring, cv, seed=0, **kwargs):
    """scikit-learn's own search of the sweep's model (seeded by `seed`) on iris: each fold scaled by its
    training rows."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    d = iris_table()
    pipe = Pipeline([("s", StandardScaler()), ("e", BackpropClassifier(random_state=seed, **FIT))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return search_class(pipe, {f"e__{k}": v for k, v in grid.items()}, scoring=scoring, cv=cv, **kwargs).fit(
            d.drop(columns="species"), d["species"])


@pytest.mark.parametrize("scoring", ["accuracy", "neg_log_loss", "f1_macro"])
@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_cv_results_and_best_attributes_are_gridsearchcvs_given_its_splitter(sweep_data, scoring):
    """A practitioner reads a search by scikit-learn's names: the table's columns were mean_score, std_score,
    rank, fold0_score, mean_fit_seconds (no params), the result had no best_params_ or best_score_, and cv took
    only a number of folds, not the splitter GridSearchCV was given."""
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    folds = StratifiedKFold(3, shuffle=True, random_state=5)
    truth = _truth(GridSearchCV, {"learning_rate": [0.01, 0.05], "hidden_layer_sizes": [(4,), (8,)]}, scoring, folds)
    res = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01, 0.05], "hidden": [(4,), (8,)]}, cv=folds,
                    scoring=scoring, **FIT)
    want = truth.cv_results_
    for key in ("mean_test_score", "std_test_score", "rank_test_score", *(f"split{k}_test_score" for k in range(3))):
        np.testing.assert_allclose(res.cv_results_[key], want[key], rtol=1e-9, err_msg=key)
        np.testing.assert_allclose(res.table[key], np.asarray(want[key])[np.argsort(want["rank_test_score"],
                                                                                    kind="stable")], rtol=1e-9)
    assert res.cv_results_["params"] == [{k[3:]: v for k, v in p.items()} for p in want["params"]]
    assert list(res.table["params"]) == [res.cv_results_["params"][i] for i in np.argsort(want["rank_test_score"],
                                                                                          kind="stable")]
    assert {"mean_fit_time", "std_fit_time"} <= set(res.table.columns)
    assert res.best_params_ == {k[3:]: v for k, v in truth.best_params_.items()} == res.table.loc[0, "params"]
    assert res.best_score_ == pytest.approx(truth.best_score_, rel=1e-12)
    assert res.best_index_ == truth.best_index_ and res.best_estimator_[-1] is res.best_estimator


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_random_search_draws_randomizedsearchcvs_candidates_lists_and_distributions(sweep_data):
    """There was no random search: n_iter draws the candidates RandomizedSearchCV(random_state=seed) draws,
    from lists and scipy.stats distributions, and scores them on the same folds."""
    from scipy.stats import loguniform
    from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    grid = {"learning_rate": loguniform(1e-3, 1e-1), "hidden_layer_sizes": [(4,), (8,), (16,)]}
    truth = _truth(RandomizedSearchCV, grid, None, folds, seed=7, n_iter=4, random_state=7)
    res = run_sweep(sweep_data / "iris.csv", "species", {"lr": grid["learning_rate"], "hidden": [(4,), (8,), (16,)]},
                    n_iter=4, seed=7, **FIT)             # cv=3: the sweep's folds are StratifiedKFold(shuffled, seed)
    assert res.cv_results_["params"] == [{k[3:]: v for k, v in p.items()} for p in truth.cv_results_["params"]]
    assert len(res.table) == 4
    res0 = run_sweep(sweep_data / "iris.csv", "species", {"lr": grid["learning_rate"], "hidden": [(4,), (8,), (16,)]},
                     n_iter=4, seed=7, cv=folds, **FIT)
    np.testing.assert_allclose(res0.cv_results_["mean_test_score"], truth.cv_results_["mean_test_score"], rtol=1e-9)
    with pytest.raises(ValidationError, match=r"'lr' a distribution to draw from: give n_iter"):
        run_sweep(sweep_data / "iris.csv", "species", {"lr": grid["learning_rate"]}, **FIT)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValidationError, match=rf"n_iter must be a positive integer .*got {bad!r}"):
            run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, n_iter=bad, **FIT)


def test_cli_n_iter_runs_the_candidates_scikit_learn_draws(sweep_data, tmp_path, capsys):
    from sklearn.model_selection import ParameterSampler
    code, out, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid",
                                    "hidden=4,8;lr=0.01,0.02,0.05", "--n-iter", "3", "--seed", "4", "--epochs", "2",
                                    "--out-dir", tmp_path)
    assert code == 0, err
    assert out.startswith("3 candidates (drawn at random from 6 in the grid) x 3 folds on this machine; accuracy")
    drawn = list(ParameterSampler({"hidden": ["4", "8"], "lr": [0.01, 0.02, 0.05]}, 3, random_state=4))
    table = pd.read_csv(tmp_path / "sweep_results.csv")
    assert sorted(zip(table["hidden"].astype(str), table["lr"])) == sorted((d["hidden"], d["lr"]) for d in drawn)
    code, _, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "lr=0.1",
                                  "--n-iter", "0", "--out-dir", tmp_path / "x")
    assert code == 2 and "argument --n-iter: expected a positive integer; got '0'" in err


def test_a_splitter_that_cannot_cut_the_file_and_a_wrong_cv_are_named(sweep_data):
    from sklearn.model_selection import GroupKFold
    with pytest.raises(ValueError, match="groups") as truth:
        next(GroupKFold(3).split(np.zeros((10, 1)), np.zeros(10)))
    with pytest.raises(ValidationError, match=r"cv=GroupKFold\(n_splits=3.*\) cannot cut the file's 150 rows") as got:
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, cv=GroupKFold(3), **FIT)
    assert str(truth.value) in str(got.value)
    for bad in ("5", 1, True, 2.0):
        with pytest.raises(ValidationError, match="cv must be an integer of at least 2 folds, a scikit-learn splitter"):
            run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, cv=bad, **FIT)


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_ctrl_c_during_the_fits_keeps_the_earlier_sweeps_files_and_says_so(sweep_data, tmp_path):
    """Ctrl-C in the middle of a sweep said only 'chainrule: interrupted': nothing about the out-dir, where an
    earlier sweep's table and model sit (kept, unchanged: no candidate had finished, test_sweep_5 the others)."""
    import os
    import signal
    import subprocess
    import sys
    out = tmp_path / "s"
    run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir=out, cv=2, **FIT)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # the command, its first fold's fit announced on stderr: Ctrl-C is sent once the fits run, not after a sleep
    # that a loaded machine outlasts in the imports (then only 'chainrule: interrupted', of nothing begun)
    child = ("import sys, chainrule.sweep_tasks as t\n"
             "fold = t._fold\n"
             "def announced(*a, **k):\n"
             "    print('FITTING', file=sys.stderr, flush=True)\n"
             "    return fold(*a, **k)\n"
             "t._fold = announced\n"
             "sys.argv = ['chainrule'] + sys.argv[1:]\n"
             "from chainrule.cli import command\n"
             "command()\n")
    job = subprocess.Popen([sys.executable, "-c", child, "sweep", str(sweep_data / "iris.csv"), "--target",
                            "species", "--grid", "lr=0.01,0.02;n_iter_no_change=1000000", "--epochs", "100000",
                            "--out-dir", str(out)],       # (n_iter_no_change: no stop when the loss stalls)
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy(),
                           preexec_fn=as_in_a_terminal)
    assert job.stderr is not None
    first = job.stderr.readline()                       # blocks until the first fit begins (minutes long)
    assert first == "FITTING\n", first + job.stderr.read()
    job.send_signal(signal.SIGINT)
    _, err = job.communicate(timeout=120)
    assert job.returncode == 130, err
    assert err.strip().splitlines()[-1] == (
        f"chainrule: interrupted; the sweep wrote nothing (no candidate had finished all its folds); "
        f"{str(out / 'sweep_results.csv')!r} and {str(out / 'best_model.npz')!r}, from before, are unchanged")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_a_cluster_of_one_single_threaded_worker_runs_the_folds_not_this_process(sweep_data):
    """joblib's Dask backend counts the cluster's threads and, for one, runs every task in the calling process:
    `--scheduler` on a cluster of one single-threaded worker fit every fold on this machine."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        with distributed.get_task_stream(client) as stream:
            there = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01, 0.02]}, cv=2,
                              scheduler=cluster.scheduler_address, **FIT)
    ran = [t for t in stream.data if "fold" in t["key"]]
    assert len(ran) == 4, [t["key"] for t in stream.data]           # 2 candidates x 2 folds, on the worker
    here = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01, 0.02]}, cv=2, **FIT)
    np.testing.assert_allclose(there.cv_results_["mean_test_score"], here.cv_results_["mean_test_score"], rtol=1e-12)


def test_a_file_the_sweep_cannot_write_is_refused_before_the_fits(sweep_data, tmp_path, monkeypatch):
    """Rerunning into an out-dir whose sweep_results.csv is read-only, or whose best_model.npz is the user's
    own data: every fit ran, then the write was refused and the sweep's work lost."""
    out = tmp_path / "s"
    out.mkdir()
    (out / "sweep_results.csv").write_text("kept\n")
    (out / "sweep_results.csv").chmod(0o444)
    fits = []
    monkeypatch.setattr(BackpropClassifier, "fit", lambda self, *a, **k: fits.append(self))
    with pytest.raises(PermissionError, match="Read-only file") as refused:
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir=out, **FIT)
    assert refused.value.filename == str(out / "sweep_results.csv") and not fits
    (out / "sweep_results.csv").chmod(0o644)
    np.savez(out / "best_model.npz", x=np.arange(3))            # the user's data, under the model's name
    with pytest.raises(ValidationError, match=r"best_model\.npz exists and holds a zip archive chainrule did not "
                                              r"write \(np\.savez data, a spreadsheet or document\?\), not a "
                                              r"chainrule model \(\.npz\): writing there would lose it"):
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir=out, **FIT)
    assert not fits and (out / "sweep_results.csv").read_text() == "kept\n"


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_a_splitter_is_asked_for_its_folds_once_so_the_folds_checked_are_the_folds_searched(sweep_data):
    """An unseeded splitter (KFold(shuffle=True), ShuffleSplit()) cuts anew on each call: the sweep cut the
    file once to check each fold's preprocessing and again to search, so it checked folds it never searched.
    GridSearchCV splits once."""
    from sklearn.model_selection import KFold

    class Counted(KFold):
        cuts: list = []

        def split(self, X, y=None, groups=None):
            folds = [(train.copy(), test.copy()) for train, test in super().split(X, y, groups)]
            Counted.cuts.append(folds)
            return iter(folds)

    res = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, cv=Counted(3, shuffle=True), **FIT)
    assert len(Counted.cuts) == 1
    assert np.isfinite([res.cv_results_[f"split{k}_test_score"][0] for k in range(3)]).all()


def test_n_iter_above_the_grids_size_says_so_in_the_sweeps_words_and_runs_randomizedsearchcvs_candidates(
        sweep_data):
    """scikit-learn's warning said 'For exhaustive searches, use GridSearchCV', which a `chainrule sweep`
    user has no way to follow; the candidates stay RandomizedSearchCV's."""
    from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    grid = {"learning_rate": [0.01, 0.03, 0.1]}
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        truth = _truth(RandomizedSearchCV, grid, None, folds, seed=7, n_iter=10, random_state=7)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        res = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01, 0.03, 0.1]}, n_iter=10, seed=7, **FIT)
    texts = [str(w.message) for w in said]
    assert any("n_iter=10 is more than the grid's 3 candidates: each is run once" in t for t in texts), texts
    assert not any("GridSearchCV" in t for t in texts), texts
    assert res.cv_results_["params"] == [{k[3:]: v for k, v in p.items()} for p in truth.cv_results_["params"]]
