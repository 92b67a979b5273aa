"""A regression target spread over float64's whole range (values near -1.7e308 and 1.7e308): scikit-learn's r2 of
any fold is NaN (its squared deviations overflow, after NumPy's warnings), and every candidate 'failed' with a NaN
score. The sweep says why before any fit, in its words, as `train` says such a spread."""
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import cmd
from sklearn.metrics import explained_variance_score, r2_score
from sklearn.model_selection import KFold

from chainrule.errors import ValidationError
from chainrule.sweep import run_sweep


def _spanning(path):
    rng = np.random.RandomState(0)
    x = rng.randn(60)
    y = np.where(x > 0, 1.7e308, -1.7e308) * rng.uniform(0.5, 1, 60)
    pd.DataFrame({"x": x, "x2": rng.randn(60), "y": y}).to_csv(path, index=False)
    return y


@pytest.mark.parametrize("scoring, metric", [(None, r2_score), ("r2", r2_score),
                                             ("explained_variance", explained_variance_score)])
def test_a_spanning_target_is_said_before_any_fit(tmp_path, scoring, metric):
    y = _spanning(tmp_path / "span.csv")
    folds = KFold(3, shuffle=True, random_state=0)
    with np.errstate(all="ignore"):               # the truth: scikit-learn's score of the first fold is NaN
        test = next(folds.split(y))[1]
        assert np.isnan(metric(y[test], np.zeros(len(test))))
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # no NumPy overflow warning, no FailedCandidateWarning
        with pytest.raises(ValidationError, match=r"cannot score fold 1 of 3: its test values of 'y' .* spread "
                                                  r"beyond float64's range") as got:
            run_sweep(tmp_path / "span.csv", "y", {"lr": [0.01, 0.001]}, cv=folds, scoring=scoring, epochs=2)
    assert ("r2" if scoring is None else scoring) in str(got.value)


def test_the_command_says_it_without_numpys_warnings(tmp_path):
    _spanning(tmp_path / "span.csv")
    got = cmd("sweep", tmp_path / "span.csv", "--target", "y", "--grid", "lr=0.01,0.001", "--epochs", "2")
    assert got.returncode != 0 and "spread beyond float64's range" in got.stderr, got.stderr
    assert "encountered" not in got.stderr and "warning" not in got.stderr, got.stderr
