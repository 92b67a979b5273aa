"""Ctrl-C of a sweep run here on several processes (joblib's loky workers) lost folds that had finished: joblib's
automatic batches (of quick folds, on a fast machine) grouped them with a slow one, whose batch never came back.
Each fold now comes back on its own, as a Dask task does, and those back when Ctrl-C comes are kept."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from chainrule.sweep_tasks import SweepInterrupted, run_tasks

QUICK = 6           # 2 candidates x 3 folds that finish in milliseconds; the others run until Ctrl-C


class MarkedFit(ClassifierMixin, BaseEstimator):
    """LogisticRegression(C) that leaves a file in `folder` when its fit is done; with `slow`, its fit waits for
    every quick fold's file, then a moment for their results to come back, and presses Ctrl-C in the sweep's
    process (its parent: the joblib worker's)."""

    def __init__(self, folder: str = "", C: float = 1.0, slow: bool = False):
        self.folder, self.C, self.slow = folder, C, slow

    def fit(self, X, y):
        if self.slow:
            waited = time.monotonic()
            while len(list(Path(self.folder).glob("done-*"))) < QUICK and time.monotonic() - waited < 60:
                time.sleep(0.05)
            time.sleep(1.5)
            os.kill(os.getppid(), signal.SIGINT)
            time.sleep(120)          # ended with the sweep's workers
        self.model_ = LogisticRegression(C=self.C).fit(X, y)
        self.classes_ = self.model_.classes_
        Path(self.folder, f"done-{os.getpid()}-{time.monotonic_ns()}").touch()
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_ctrl_c_of_a_sweep_on_local_workers_keeps_every_fold_that_came_back(tmp_path, monkeypatch):
    from joblib import _parallel_backends
    # joblib's batches of 4 folds, as its automatic batching makes of quick folds (on a fast machine): the two last
    # quick folds are batched with two slow ones
    monkeypatch.setattr(_parallel_backends.AutoBatchingMixin, "_DEFAULT_EFFECTIVE_BATCH_SIZE", 4)
    monkeypatch.setattr(_parallel_backends.AutoBatchingMixin, "MIN_IDEAL_BATCH_DURATION", 0.0)
    monkeypatch.setattr(_parallel_backends.AutoBatchingMixin, "MAX_IDEAL_BATCH_DURATION", float("inf"))
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    folds = StratifiedKFold(3, shuffle=True, random_state=0).split(X, y)
    data = [(X[a], y[a], None, X[b], y[b], None) for a, b in folds]
    grid = [*({"C": c} for c in np.logspace(-1, 2, QUICK // 3)), {"slow": True}, {"slow": True}]
    tasks = [(params, k) for params in grid for k in range(3)]
    with pytest.raises(SweepInterrupted) as stopped:
        run_tasks(tasks, MarkedFit(str(tmp_path)), data, scoring=None, error_score=np.nan, n_jobs=2, scheduler=None)
    assert sorted(stopped.value.done) == list(range(QUICK))
    for i, (params, k) in enumerate(tasks[:QUICK]):
        X_train, y_train, _, X_test, y_test, _ = data[k]
        truth = LogisticRegression(**params).fit(X_train, y_train).score(X_test, y_test)
        assert stopped.value.done[i][0] == truth
