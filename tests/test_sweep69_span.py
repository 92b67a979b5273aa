"""The advice for a regression target spread past float64's range names the power of ten that this file's column needs
(the least one whose quotient every fold's r2 can score), not one fixed number."""
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold

from chainrule.errors import ValidationError
from chainrule.sweep import run_sweep


@pytest.mark.parametrize("top", [1.7e308, 3e160])
def test_the_power_of_ten_said_is_the_one_the_column_needs(tmp_path, top):
    rng = np.random.RandomState(0)
    x = rng.randn(60)
    y = np.where(x > 0, top, -top) * rng.uniform(0.5, 1, 60)
    pd.DataFrame({"x": x, "y": y}).to_csv(tmp_path / "span.csv", index=False)
    y = pd.read_csv(tmp_path / "span.csv")["y"].to_numpy()
    folds = KFold(3, shuffle=True, random_state=0)
    with pytest.raises(ValidationError) as got:
        run_sweep(tmp_path / "span.csv", "y", {"lr": [0.01]}, cv=folds, epochs=2)
    power = float(re.search(r"divide the column by (\S+) ", str(got.value)).group(1))
    assert np.log10(power) == pytest.approx(round(np.log10(power)))

    def scorable(divisor):           # scikit-learn's r2 of every fold of the column divided by it
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return all(np.isfinite(r2_score(y[test] / divisor, np.zeros(len(test)))) for _, test in folds.split(y))
    assert scorable(power) and not scorable(power / 10)
