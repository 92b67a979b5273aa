"""Sweeps, fifth reading: an interrupted sweep's finished candidates kept, the grid counted once, sample
weights (`--weight`) in the fits and the scores, the table's params column read back."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import iris_table  # noqa: E402
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


def _interrupted_sweep(csv, out, *options, wait=15.0):
    """`chainrule sweep` in its own process, SIGINT after `wait` seconds: (exit code, stderr)."""
    import os
    import signal
    import subprocess
    import sys
    import time
    job = subprocess.Popen([sys.executable, "-m", "chainrule.cli", "sweep", str(csv), "--target", "species",
                            "--out-dir", str(out), *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env=os.environ.copy())
    time.sleep(wait)                       # the quick candidate's folds done, the slow one's first fit under way
    job.send_signal(signal.SIGINT)
    _, err = job.communicate(timeout=120)
    return job.returncode, err


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
    code, err = _interrupted_sweep(sweep_data / "iris.csv", out, "--grid", "epochs=2,3,100000;lr=0.05")
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
    code, err = _interrupted_sweep(sweep_data / "iris.csv", out, "--grid", "lr=0.01,0.02", "--epochs", "100000",
                                   wait=10.0)
    assert code == 130, err
    assert err.strip().splitlines()[-1] == (
        "chainrule: interrupted; the sweep wrote nothing (no candidate had finished all its folds); "
        f"{str(out / 'sweep_results.partial.csv')!r}, from before, is unchanged")
    assert (out / "sweep_results.partial.csv").read_text() == "an earlier interrupted sweep's rows\n"
    assert sorted(p.name for p in out.iterdir()) == ["sweep_results.partial.csv"]
