"""The sweep's best_estimator_ as GridSearchCV's over a Pipeline: the file's preprocessing, then the best estimator,
so that the file's rows as read predict as GridSearchCV's best_estimator_ does (the estimator alone takes
standardised rows: raw iris rows scored 0.33); and the grid's values shown as written by `chainrule sweep`."""
import csv
import subprocess
import sys
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from sklearn.compose import TransformedTargetRegressor  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402

FIT = {"epochs": 3, "batch_size": 16}


def _quiet(fit, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit(*args, **kw)


@pytest.mark.parametrize("file, target", [("iris.csv", "species"), ("diabetes.csv", "target")])
def test_the_best_estimator_takes_the_files_rows_as_gridsearchcvs_pipeline(sweep_data, file, target):
    res = _quiet(run_sweep, sweep_data / file, target, {"lr": [1e-2, 3e-2]}, cv=3, seed=3, **FIT)
    df = pd.read_csv(sweep_data / file)
    raw, y = df.drop(columns=target), df[target].to_numpy()
    classify = target == "species"
    est = (BackpropClassifier if classify else BackpropRegressor)(random_state=3, **FIT)
    name = type(est).__name__.lower()
    truth = GridSearchCV(make_pipeline(StandardScaler(), est), {f"{name}__learning_rate": [1e-2, 3e-2]},
                         cv=(StratifiedKFold if classify else KFold)(3, shuffle=True, random_state=3))
    if not classify:   # trained on the standardised target (each fold's, the file's for the refit)
        truth = GridSearchCV(TransformedTargetRegressor(make_pipeline(StandardScaler(), est),
                                                        transformer=StandardScaler()),
                             {f"regressor__{name}__learning_rate": [1e-2, 3e-2]},
                             cv=KFold(3, shuffle=True, random_state=3))
    _quiet(truth.fit, raw.to_numpy(), y)
    if classify:
        np.testing.assert_array_equal(res.best_estimator_.predict(raw), truth.best_estimator_.predict(raw.to_numpy()))
        np.testing.assert_allclose(res.best_estimator_.predict_proba(raw),
                                   truth.best_estimator_.predict_proba(raw.to_numpy()), rtol=1e-9)
    else:
        np.testing.assert_allclose(res.best_estimator_.predict(raw), truth.best_estimator_.predict(raw.to_numpy()),
                                   rtol=1e-9)
    assert res.best_estimator_.score(raw, y) == pytest.approx(truth.best_estimator_.score(raw.to_numpy(), y),
                                                              rel=1e-9)
    assert res.best_estimator_.score(raw, y) > (0.6 if classify else 0.2)
    # with the target's column too, as the file has it; the estimator alone is best_estimator_'s last step
    np.testing.assert_array_equal(res.best_estimator_.predict(df), res.best_estimator_.predict(raw))
    assert res.best_estimator_[-1] is res.best_estimator


def test_a_grid_of_an_integer_and_infinity_is_shown_as_written(sweep_data, tmp_path):
    """'n_iter_no_change=2,np.inf': pandas made the column float, and the table, the best: line and the results file
    said 2.0 where the grid (and the params column) say 2; the table and the best line spell each value as the grid
    does (np.inf), the results file holds the number (inf)."""
    run = subprocess.run([sys.executable, "-m", "chainrule", "sweep", str(sweep_data / "iris.csv"), "--target",
                          "species", "--grid", "n_iter_no_change=2,np.inf", "--epochs", "3", "--cv", "2",
                          "--out-dir", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "2.0" not in run.stdout, run.stdout
    lines = run.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:1] == ["n_iter_no_change"])
    assert sorted(line.split()[0] for line in lines[header + 1:header + 3]) == ["2", "np.inf"]     # as the grid
    best = next(line for line in lines if line.startswith("best: "))
    assert best.split()[1].rstrip(",") in ("n_iter_no_change=2", "n_iter_no_change=np.inf")
    with open(tmp_path / "sweep_results.csv", newline="") as f:
        assert sorted(row["n_iter_no_change"] for row in csv.DictReader(f)) == ["2", "inf"]
