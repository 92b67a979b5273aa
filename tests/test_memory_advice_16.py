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


def _broken_scipy(monkeypatch, tmp_path):
    """A SciPy that is installed (its package found) but whose scipy.sparse fails to import (a broken build)."""
    (tmp_path / "fake" / "scipy" / "sparse").mkdir(parents=True)
    (tmp_path / "fake" / "scipy" / "__init__.py").write_text("")
    (tmp_path / "fake" / "scipy" / "sparse" / "__init__.py").write_text("raise ImportError('broken build')\n")
    for name in [m for m in sys.modules if m == "scipy" or m.startswith("scipy.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.syspath_prepend(str(tmp_path / "fake"))


def test_a_broken_scipy_tells_the_command_to_install_it(monkeypatch, tmp_path):
    """The advice asked whether scipy.sparse could be found, the encoding whether it imports: a broken SciPy
    built dense inputs and the command was told sparse=True, which it cannot give."""
    path = tmp_path / "t.csv"
    _table().to_csv(path, index=False)
    monkeypatch.setattr(memory, "available_bytes", lambda: 1000)
    _broken_scipy(monkeypatch, tmp_path)
    r = cmd("train", str(path), "--target", "y", "--epochs", "1", "--out", str(tmp_path / "m.npz"))
    assert r.returncode == 4, r.stderr
    assert "install SciPy (pip install scipy), which keeps the one-hot columns sparse" in r.stderr
    assert "sparse=True" not in r.stderr


def test_dense_asked_without_scipy_is_told_both_ways(monkeypatch, tmp_path):
    df = _table()
    pre = Preprocessing.fit(df, "y")
    monkeypatch.setattr(memory, "available_bytes", lambda: 1000)
    _broken_scipy(monkeypatch, tmp_path)
    with pytest.raises(MemoryError, match=r"To fit: keep the one-hot columns sparse: sparse=True \(the default\) and "
                                          r"SciPy installed \(pip install scipy\); leave columns out"):
        pre.transform(df, sparse=False)
