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
