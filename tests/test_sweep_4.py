"""Sweeps as a demanding practitioner runs them: two sweeps in threads of one process, reasons from Dask
workers, the results table written safely, scorers that do not fit the target refused before any fold,
scikit-learn's names and search kinds; scikit-learn's GridSearchCV and RandomizedSearchCV as the truth."""
import threading
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from sklearn.datasets import load_iris  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402

FIT = {"epochs": 3, "batch_size": 16}


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
            results[name] = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01], "activation": ["relu", bad]},
                                      cv=2, **FIT)
        except Exception as exc:                  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            if name == "A":
                a_done.set()

    before = list(warnings.filters)
    a = threading.Thread(target=sweep, args=("A", "nope"), name="A")
    b = threading.Thread(target=sweep, args=("B", "nada"), name="B")
    a.start()
    assert a_inside.wait(60)
    b.start()
    a.join(180)
    b.join(180)
    assert not errors, errors
    assert warnings.filters == before
    for name, bad in (("A", "nope"), ("B", "nada")):
        (why,) = results[name].failed.values()
        assert bad in why and "activation" in why, (name, why)


def test_a_score_that_cannot_be_computed_on_a_dask_worker_says_why(sweep_data):
    """scikit-learn says why a score failed only in a warning, issued where the fold ran: on a Dask worker's
    process it never came back, and the sweep said 'scikit-learn gave no reason'. The reason is the one
    roc_auc gives here (three classes need multi_class). Two workers: joblib runs the tasks of a cluster of
    one single-threaded worker in this process."""
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
                                              r"is numbers \(a regression\).*--task classification"):
        run_sweep(sweep_data / "diabetes.csv", "target", {"lr": [0.01]}, scoring=scoring, **FIT)
    assert not fits


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
