"""The memory refusal's way to keep one-hot columns sparse is one the reader can take: sparse=True for
Python's transform(sparse=False); without SciPy (the only way the command builds them dense), install it."""
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import cmd

from chainrule.data import memory
from chainrule.data.tabular import Preprocessing


def _table(n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"x": rng.normal(size=n), "zone": [f"z{i % 30}" for i in range(n)],
                         "y": rng.integers(0, 2, size=n)})


def test_dense_asked_in_python_is_told_sparse_true(monkeypatch):
    df = _table()
    pre = Preprocessing.fit(df, "y")
    monkeypatch.setattr(memory, "available_bytes", lambda: 1000)
    with pytest.raises(MemoryError, match=r"keep the one-hot columns sparse \(the default, sparse=True\)"):
        pre.transform(df, sparse=False)


def test_without_scipy_the_command_is_told_to_install_it(monkeypatch, tmp_path):
    path = tmp_path / "t.csv"
    _table().to_csv(path, index=False)
    monkeypatch.setattr(memory, "available_bytes", lambda: 1000)
    for name in [m for m in sys.modules if m == "scipy" or m.startswith("scipy.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "scipy", None)             # import scipy raises ImportError
    r = cmd("train", str(path), "--target", "y", "--epochs", "1", "--out", str(tmp_path / "m.npz"))
    assert r.returncode == 4, r.stderr
    assert "install SciPy (pip install scipy), which keeps the one-hot columns sparse" in r.stderr
    assert "sparse=True" not in r.stderr
    assert not (tmp_path / "m.npz").exists()
