"""`chainrule sweep --groups COL`: the API's groups='COL' on the command line, each group's rows kept in one fold."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sklearn")
from conftest import cmd  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402

from chainrule.sweep import run_sweep  # noqa: E402


def _grouped_csv(path, n=60, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    plot = np.repeat([f"p{i}" for i in range(n // 5)], 5)      # 12 groups of 5 rows
    pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "plot": plot, "y": x[:, 0] - 2 * x[:, 1] + rng.normal(0, .1, n)}
                 ).to_csv(path, index=False)
    return path


def test_cli_groups_keeps_each_groups_rows_in_one_fold_as_the_api_with_groupkfold(tmp_path):
    csv = _grouped_csv(tmp_path / "plots.csv")
    out = tmp_path / "cli"
    done = cmd("sweep", str(csv), "--target", "y", "--grid", "lr=0.01,0.05", "--epochs", "5", "--cv", "3",
               "--groups", "plot", "--out-dir", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    api = run_sweep(csv, "y", {"lr": [0.01, 0.05]}, epochs=5, cv=GroupKFold(3, shuffle=True, random_state=0),
                    groups="plot", out_dir=None)
    ungrouped = run_sweep(csv, "y", {"lr": [0.01, 0.05]}, epochs=5, cv=3, out_dir=None, drop=["plot"])
    table = pd.read_csv(out / "sweep_results.csv")
    splits = [f"split{k}_test_score" for k in range(3)]
    np.testing.assert_allclose(table[splits].to_numpy(), api.table[splits].to_numpy(), rtol=1e-12)
    assert not np.allclose(table[splits].to_numpy(), ungrouped.table[splits].to_numpy())   # the folds were cut by plot


def test_cli_groups_naming_no_column_is_refused_naming_it(tmp_path):
    csv = _grouped_csv(tmp_path / "plots.csv")
    done = cmd("sweep", str(csv), "--target", "y", "--grid", "lr=0.01", "--epochs", "2", "--groups", "plots",
               "--out-dir", str(tmp_path / "o"), cwd=tmp_path)
    assert done.returncode != 0 and "groups" in done.stderr and "'plots'" in done.stderr and "Traceback" not in \
        done.stderr
    assert not (tmp_path / "o").exists()
