"""Sweeps tried as a practitioner would, scikit-learn's GridSearchCV as the truth where they overlap, and
the fold fit safe to run in threads (a Dask worker with several threads fits folds at once)."""
import re
import threading
import time
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cli_in_process  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.exceptions import FitFailedWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, RandomizedSearchCV, StratifiedKFold  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from chainrule.data.columns import ColumnWarning  # noqa: E402
from chainrule.data.tabular import Preprocessing  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402
from chainrule.sweep_search import FailedCandidateWarning, FoldPreprocessing  # noqa: E402

FIT = {"epochs": 3, "batch_size": 16}


#: the table's columns of seconds, which differ run to run
TIMES = ["mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time"]


def _iris_with_id() -> "pd.DataFrame":
    """Iris with a row-number column: Preprocessing.fit warns about it (an ID)."""
    d = load_iris(as_frame=True).frame
    d.insert(0, "row", np.arange(len(d)))
    return d


def _folds_held_inside(monkeypatch, n: int):
    """n threads each fitting a fold's FoldPreprocessing, each held inside Preprocessing.fit (that is, inside
    whatever the fold fit wraps around it) until its event is set: the interleaving of threads on a worker."""
    real = Preprocessing.fit.__func__
    inside = [threading.Event() for _ in range(n)]
    go = [threading.Event() for _ in range(n)]
    where = {}

    def held(cls, *args, **kwargs):
        k = where[threading.get_ident()]
        inside[k].set()
        assert go[k].wait(10)
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(Preprocessing, "fit", classmethod(held))
    df = _iris_with_id()

    def fold(k):
        where[threading.get_ident()] = k
        FoldPreprocessing(target="target").fit(df)

    threads = [threading.Thread(target=fold, args=(k,)) for k in range(n)]
    return threads, inside, go


def test_a_fold_fit_in_another_thread_does_not_swallow_this_threads_warnings(monkeypatch):
    threads, inside, go = _folds_held_inside(monkeypatch, 1)
    with warnings.catch_warnings(record=True) as caught:       # the user's own code, in the main thread
        warnings.simplefilter("always")
        threads[0].start()
        assert inside[0].wait(10)
        warnings.warn("a warning the user must see", UserWarning)
        go[0].set()
        threads[0].join(10)
    assert [str(w.message) for w in caught if w.category is UserWarning] == ["a warning the user must see"]
    assert not [w for w in caught if issubclass(w.category, ColumnWarning)]     # the fold's own stay unsaid


def test_folds_fit_at_once_leave_the_warning_filters_as_they_were(monkeypatch):
    before = list(warnings.filters)
    threads, inside, go = _folds_held_inside(monkeypatch, 2)
    for t, i in zip(threads, inside):
        t.start()
        assert i.wait(10)
    go[0].set()                  # the first to start ends first: it must not restore what the second saw
    threads[0].join(10)
    go[1].set()
    threads[1].join(10)
    assert warnings.filters == before
    with warnings.catch_warnings(record=True) as caught:
        warnings.warn("still shown", UserWarning)
    assert [str(w.message) for w in caught] == ["still shown"]


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_the_table_is_gridsearchcvs_on_the_same_folds_ties_and_failures_ranked_as_its(sweep_data):
    """Candidates of different parameters tie (a patience, n_iter_no_change, longer than the 3 epochs: the same
    fits), a candidate whose fit diverges scores NaN: scores, ranks and folds as GridSearchCV's cv_results_ for the
    same estimator, scaling, folds and candidates, and the tied candidate kept its best_index_."""
    grid = {"lr": [0.02, 0.01, 1e30], "activation": ["linear"], "optimizer": ["sgd"], "n_iter_no_change": [20, 10]}
    with pytest.warns(FailedCandidateWarning, match=r"lr=1e\+30.*TrainingDiverged"):
        res = run_sweep(sweep_data / "iris.csv", "species", grid, seed=3, **FIT)
    d = pd.read_csv(sweep_data / "iris.csv")
    X, y = d.drop(columns="species").to_numpy(), d["species"].to_numpy()
    truth = GridSearchCV(Pipeline([("s", StandardScaler()), ("e", BackpropClassifier(random_state=3, **FIT))]),
                         {"e__learning_rate": grid["lr"], "e__activation": grid["activation"],
                          "e__optimizer": grid["optimizer"], "e__n_iter_no_change": grid["n_iter_no_change"]},
                         error_score=np.nan,
                         cv=StratifiedKFold(3, shuffle=True, random_state=3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        truth.fit(X, y)
    r = truth.cv_results_
    want = pd.DataFrame({"lr": r["param_e__learning_rate"].astype(float), "activation": r["param_e__activation"],
                         "n_iter_no_change": r["param_e__n_iter_no_change"].astype(int),
                         "mean_test_score": r["mean_test_score"], "rank_test_score": r["rank_test_score"],
                         **{f"split{k}_test_score": r[f"split{k}_test_score"] for k in range(3)}})
    got = res.table[list(want.columns)]
    key = ["rank_test_score", "activation", "lr", "n_iter_no_change"]
    pd.testing.assert_frame_equal(got.sort_values(key).reset_index(drop=True),
                                  want.sort_values(key).reset_index(drop=True), check_dtype=False, rtol=1e-9)
    assert list(res.table["rank_test_score"]) == sorted(res.table["rank_test_score"])  # best first
    assert sorted(r["rank_test_score"]).count(1) == 2          # the best ties, with other parameters
    assert res.best_index_ == truth.best_index_
    assert res.best_params == {k.split("__")[1]: v for k, v in truth.best_params_.items()}


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_random_search_with_a_seed_is_reproducible():
    X, y = load_iris(return_X_y=True)
    runs = []
    for _ in range(2):
        s = RandomizedSearchCV(BackpropClassifier(random_state=0, **FIT), {"learning_rate": np.logspace(-3, -1, 20),
                               "hidden_layer_sizes": [(4,), (8,), (16,)]}, n_iter=3, cv=3, random_state=7)
        runs.append(s.fit(X, y).cv_results_)
    assert runs[0]["params"] == runs[1]["params"]
    np.testing.assert_array_equal(runs[0]["mean_test_score"], runs[1]["mean_test_score"])


def test_more_folds_than_a_regressions_rows_is_a_clear_error(sweep_data):
    """GridSearchCV's KFold raises a ValueError naming n_samples; the sweep names cv and the file's rows."""
    with pytest.raises(ValueError, match="n_samples"):
        next(KFold(201).split(np.zeros((200, 1))))
    with pytest.raises(ValidationError, match=r"^201 folds need at least 201 rows; the file has 200"):
        run_sweep(sweep_data / "diabetes.csv", "target", {"lr": [0.01]}, cv=201, **FIT)


def test_a_score_that_cannot_be_computed_says_why(sweep_data, capsys):
    """roc_auc of three classes needs multi_class: the reason is in the error, not 'a warning says why' after
    a page of tracebacks."""
    with pytest.raises(ValidationError, match=r"roc_auc.*multi_class") as raised:
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, scoring="roc_auc", **FIT)
    assert "warning says why" not in str(raised.value)
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_a_regression_metric_on_classes_is_refused(sweep_data):
    """GridSearchCV scores r2 of the labels as a failure; the sweep's classes are numbered, and r2 of the numbers
    came out as a score."""
    d = pd.read_csv(sweep_data / "iris.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        truth = GridSearchCV(BackpropClassifier(random_state=0, **FIT), {"learning_rate": [0.01]}, scoring="r2",
                             error_score=np.nan).fit(d.drop(columns="species").to_numpy(), d["species"].to_numpy())
    assert np.isnan(truth.cv_results_["mean_test_score"]).all()
    with pytest.raises(ValidationError, match=r"scoring='r2' is a regression metric.*species"):
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, scoring="r2", **FIT)


def test_a_scheduler_where_nothing_listens_is_named_within_seconds(sweep_data):
    import socket
    with socket.socket() as s:               # a port free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    start = time.monotonic()
    with pytest.raises(ValidationError, match=f"{address}.*refused"):
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, scheduler=address, **FIT)
    assert time.monotonic() - start < 5


def test_cli_names_a_misspelled_grid_name_an_unreachable_scheduler_and_too_many_folds(sweep_data, capsys, tmp_path):
    code, _, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "lrr=0.1",
                                  "--out-dir", tmp_path)
    assert code != 0 and "'lrr'" in err and "Did you mean 'lr'" in err
    code, _, err = cli_in_process(capsys, "sweep", sweep_data / "diabetes.csv", "--target", "target", "--grid",
                                  "lr=0.1", "--cv", "201", "--out-dir", tmp_path)
    assert code != 0 and "201 folds need at least 201 rows" in err and "Traceback" not in err
    code, _, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "lr=0.1",
                                  "--scheduler", "tcp://127.0.0.1:1", "--out-dir", tmp_path)
    assert code != 0 and "tcp://127.0.0.1:1" in err and "refused" in err


def test_a_sweep_on_a_threaded_dask_worker_says_the_files_warning_once_and_keeps_the_filters(tmp_path):
    """Folds fit at once by one worker's threads: the whole file's warning (an ID column) said once, the fold
    fits' unsaid, and the process's warning filters left as they were."""
    distributed = pytest.importorskip("distributed")
    d = _iris_with_id()
    d.to_csv(tmp_path / "iris.csv", index=False)
    before = list(warnings.filters)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=3, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ColumnWarning)
            run_sweep(tmp_path / "iris.csv", "target", {"lr": [0.01, 0.02]}, scheduler=cluster.scheduler_address,
                      **FIT)
        assert warnings.filters == before
    assert [str(w.message) for w in caught if issubclass(w.category, ColumnWarning)] == \
        [str(w.message) for w in _whole_file_warnings(d)]


def _whole_file_warnings(d):
    from chainrule.data.advice import words
    with warnings.catch_warnings(record=True) as caught, words("sweep"):     # in run_sweep's words: drop=
        warnings.simplefilter("always")
        Preprocessing.fit(d, "target")
    assert caught
    return caught


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_refit_false_leaves_the_table_alone_as_gridsearchcvs(sweep_data, tmp_path, capsys):
    """GridSearchCV(refit=False) scores the same and keeps no best_estimator_: the sweep writes the table only."""
    X, y = load_iris(return_X_y=True)
    truth = GridSearchCV(BackpropClassifier(**FIT), {"learning_rate": [0.01]}, refit=False).fit(X, y)
    assert not hasattr(truth, "best_estimator_")
    kept = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01, 0.03]}, out_dir=tmp_path / "a", **FIT)
    res = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01, 0.03]}, out_dir=tmp_path / "b", refit=False,
                    **FIT)
    assert res.best_estimator is None and res.model_path is None
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["sweep_results.csv"]
    pd.testing.assert_frame_equal(res.table.drop(columns=TIMES),
                                  kept.table.drop(columns=TIMES))
    assert res.best_params == kept.best_params
    code, out, _ = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "lr=0.01",
                                  "--epochs", "3", "--no-refit", "--out-dir", tmp_path / "c")
    assert code == 0 and "best_model.npz" not in out
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["sweep_results.csv"]


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_error_score_raise_stops_at_the_first_failed_fit_as_gridsearchcvs(sweep_data, capsys, tmp_path):
    """GridSearchCV(error_score='raise') raises the failed fit's own error; so does the sweep (and --error-score
    raise), where the default scores it NaN; a number is the failed folds' score, as GridSearchCV's; anything else
    is refused by name."""
    grid = {"learning_rate": [0.01, 1e30], "activation": ["linear"], "optimizer": ["sgd"]}     # 1e30 diverges
    X, y = load_iris(return_X_y=True)
    with pytest.raises(Exception) as truth:
        GridSearchCV(BackpropClassifier(**FIT), grid, error_score="raise").fit(X, y)
    with pytest.raises(type(truth.value), match="diverged"):
        run_sweep(sweep_data / "iris.csv", "species", grid, error_score="raise", **FIT)
    with pytest.warns(FailedCandidateWarning, match=r"learning_rate=1e\+30"):
        run_sweep(sweep_data / "iris.csv", "species", grid, **FIT)
    with pytest.warns(FitFailedWarning, match="(?s)out of a total of 6.*set to 0"):
        truth = GridSearchCV(BackpropClassifier(**FIT), grid, error_score=0, cv=3).fit(X, y)
    with pytest.warns(FitFailedWarning, match=r"learning_rate=1e\+30, .* in 3 of 3 folds \(scored error_score=0 "):
        res = run_sweep(sweep_data / "iris.csv", "species", grid, error_score=0, **FIT)
    for key in ("mean_test_score", "rank_test_score", "split0_test_score"):
        assert res.cv_results_[key][1] == truth.cv_results_[key][1] == (2 if key.startswith("rank") else 0)
    assert res.cv_results_["rank_test_score"].tolist() == truth.cv_results_["rank_test_score"].tolist() == [1, 2]
    assert res.failed.keys() == {1} and res.best_index_ == truth.best_index_ == 0
    for wrong in ("nan", True, None, [0]):
        refused = rf"error_score must be a number .* or 'raise' .*; got {re.escape(repr(wrong))}$"
        with pytest.raises(ValidationError, match=refused):
            run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, error_score=wrong, **FIT)
    code, out, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid",
                                    "lr=0.01,1e30;activation=linear;optimizer=sgd", "--epochs", "3", "--error-score",
                                    "-1", "--out-dir", tmp_path / "n")
    assert code == 0 and "optimizer=sgd failed in 3 of 3 folds (scored --error-score -1 there)" in err
    assert pd.read_csv(tmp_path / "n" / "sweep_results.csv")["mean_test_score"].tolist()[1] == -1
    code, _, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid",
                                  "activation=relu,nope", "--epochs", "3", "--error-score", "raise",
                                  "--out-dir", tmp_path / "r")
    assert code != 0 and "nope" in err.strip().splitlines()[-1]
    assert not (tmp_path / "r" / "sweep_results.csv").exists()


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_no_refit_over_an_earlier_sweeps_model_says_it_is_not_this_tables_best(sweep_data, tmp_path, capsys):
    """--no-refit writes no model; an earlier sweep's best_model.npz in the folder is kept (the user's file)
    but said not to be this table's best, where it sat silently beside the new table."""
    out = tmp_path / "s"
    run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir=out, **FIT)
    before = (out / "best_model.npz").read_bytes()
    with pytest.warns(UserWarning, match=r"best_model\.npz' is an earlier sweep's best model, left in place: this "
                                         r"sweep \(refit=False, --no-refit\) writes no model"):
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.03]}, out_dir=out, refit=False, **FIT)
    assert (out / "best_model.npz").read_bytes() == before
    code, _, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "lr=0.02",
                                  "--epochs", "3", "--no-refit", "--out-dir", out)
    assert code == 0 and "is an earlier sweep's best model" in err
    with warnings.catch_warnings():
        warnings.simplefilter("error")                    # nothing to say in a folder without a model
        warnings.filterwarnings("ignore", r".* fits ran every epoch")      # FIT's 3 epochs: said, not the point
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.03]}, out_dir=tmp_path / "t", refit=False, **FIT)


def test_one_candidate_is_one_candidate(sweep_data, tmp_path, capsys):
    code, out, _ = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "lr=0.02",
                                  "--epochs", "2", "--out-dir", tmp_path / "one")
    assert code == 0 and out.startswith("1 candidate x 3 folds on this machine; accuracy, best first:\n")
