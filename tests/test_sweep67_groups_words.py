"""`chainrule sweep --groups COL` refusals in the command's words: a scikit-learn whose GroupKFold cannot shuffle
(before 1.6) named with the version needed, fewer groups than --cv folds, and the groups column that is also
another option's column, each naming the options the user typed; the API keeps its own words."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sklearn")
import sklearn.model_selection  # noqa: E402
from conftest import cmd  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402


def _csv(path, groups: int, n=40):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2))
    pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "plot": np.repeat([f"p{i}" for i in range(groups)], n // groups),
                  "y": x[:, 0] - x[:, 1]}).to_csv(path, index=False)
    return path


def test_cli_groups_on_a_scikit_learn_whose_groupkfold_cannot_shuffle_names_the_version(tmp_path, monkeypatch):
    real = sklearn.model_selection.GroupKFold

    class Before16(real):                      # GroupKFold as scikit-learn 1.3 to 1.5 have it: n_splits only
        def __init__(self, n_splits=5):
            super().__init__(n_splits)

    monkeypatch.setattr(sklearn.model_selection, "GroupKFold", Before16)
    csv = _csv(tmp_path / "plots.csv", 8)
    done = cmd("sweep", str(csv), "--target", "y", "--grid", "lr=0.01", "--epochs", "1", "--groups", "plot",
               "--out-dir", str(tmp_path / "o"), cwd=tmp_path)
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    assert "--groups" in done.stderr and "1.6" in done.stderr and sklearn.__version__ in done.stderr


def test_cli_fewer_groups_than_folds_names_cv_and_groups(tmp_path):
    csv = _csv(tmp_path / "two.csv", 2)
    with pytest.raises(ValueError, match="number of groups: 2") as truth:      # scikit-learn's own refusal
        next(sklearn.model_selection.GroupKFold(3).split(np.zeros((40, 1)), groups=np.repeat([0, 1], 20)))
    assert truth.value is not None
    done = cmd("sweep", str(csv), "--target", "y", "--grid", "lr=0.01", "--epochs", "1", "--cv", "3", "--groups",
               "plot", "--out-dir", str(tmp_path / "o"), cwd=tmp_path)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    said = done.stderr
    assert "--cv 3" in said and "--groups column 'plot'" in said and "has 2" in said and "GroupKFold(" not in said
    with pytest.raises(ValidationError, match=r"groups column 'plot' has 2") as api:     # the API's words
        run_sweep(csv, "y", {"lr": [0.01]}, epochs=1, cv=sklearn.model_selection.GroupKFold(3), groups="plot",
                  out_dir=None)
    assert "--" not in str(api.value)


@pytest.mark.parametrize("also", [["--weight", "plot"], ["--drop", "plot"], ["--features", "a,plot"]])
def test_cli_groups_column_also_another_options_names_the_options(tmp_path, also):
    csv = _csv(tmp_path / "plots.csv", 8)
    if also[0] == "--weight":
        pd.read_csv(csv).assign(plot=lambda d: d.index % 8 + 1).to_csv(csv, index=False)   # weights, and groups
    done = cmd("sweep", str(csv), "--target", "y", "--grid", "lr=0.01", "--epochs", "1", "--groups", "plot",
               *also, "--out-dir", str(tmp_path / "o"), cwd=tmp_path)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "the --groups column 'plot' cannot also be" in done.stderr and "--weight" in done.stderr, done.stderr
