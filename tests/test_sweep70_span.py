"""A regression target whose spread passes float64's range cannot be scored by r2 or explained_variance. The sweep
refused it before any fit where the scorer was named 'r2' (alone or among several); given as a scorer object
(make_scorer(r2_score), get_scorer('explained_variance')), or as a non-ranking one of several under another name, every
fit ran first, then the candidates 'failed' (its score was NaN) or the scorer's column was NaN, after NumPy's overflow
warnings. Each is now refused up front, naming it."""
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import get_scorer, make_scorer, r2_score
from sklearn.model_selection import KFold

import chainrule.sweep
from chainrule.errors import ValidationError
from chainrule.sweep import run_sweep

FOLDS = KFold(3, shuffle=True, random_state=0)


@pytest.fixture
def span(tmp_path, monkeypatch):
    rng = np.random.RandomState(0)
    x = rng.randn(60)
    pd.DataFrame({"x": x, "y": np.where(x > 0, 3e160, -3e160) * rng.uniform(0.5, 1, 60)}).to_csv(
        tmp_path / "span.csv", index=False)

    def no_fit(*args, **kwargs):
        raise AssertionError("the sweep fitted before refusing the target")
    monkeypatch.setattr(chainrule.sweep, "search", no_fit)
    return tmp_path / "span.csv"


def unscorable(path) -> bool:
    """scikit-learn's r2 of a fold's test values (predicted by their mean) is NaN: the spread overflows."""
    y = pd.read_csv(path)["y"].to_numpy()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return any(np.isnan(r2_score(y[test], np.full(len(test), y[test].mean()))) for _, test in FOLDS.split(y))


@pytest.mark.parametrize("scoring, refit, named", [
    ({"mae": "neg_mean_absolute_error", "R2": make_scorer(r2_score)}, "mae",
     "the scorer 'R2' (make_scorer(r2_score, response_method='predict'))"),
    ({"mae": "neg_mean_absolute_error", "fit": "r2"}, "mae", "the scorer 'fit' ('r2')"),
    (make_scorer(r2_score), True, "scoring make_scorer(r2_score, response_method='predict')"),
    (get_scorer("explained_variance"), True,
     "scoring make_scorer(explained_variance_score, response_method='predict')"),
])
def test_a_scorer_of_the_spread_is_refused_before_any_fit_naming_it(span, scoring, refit, named):
    assert unscorable(span)
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no NumPy overflow on the way
        with pytest.raises(ValidationError) as got:
            run_sweep(span, "y", {"lr": [0.01]}, cv=FOLDS, epochs=2, scoring=scoring, refit=refit)
    assert str(got.value).startswith(f"{named} cannot score fold ")
    assert "spread beyond float64's range" in str(got.value)
