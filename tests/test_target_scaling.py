"""TargetScaling(mean, scale), public since the sweep's best model holds one, kept any mean and scale it was given:
scale=0 standardised the target to inf and NaN (with NumPy's divide warning), a negative scale turned it upside
down, NaN made every value NaN, and a mean given without its scale was dropped silently for the rows'."""
import numpy as np
import pytest

from chainrule.errors import ParameterError
from chainrule.sweep_search import TargetScaling

Y = np.array([1.0, 2.0, 4.0])


@pytest.mark.parametrize("given", [dict(mean=1.0, scale=0.0), dict(mean=1.0, scale=-2.0), dict(mean=np.nan, scale=1.0),
                                   dict(mean=1.0, scale=np.inf), dict(mean=5.0), dict(scale=2.0),
                                   dict(mean="1", scale=2.0)], ids=repr)
def test_a_scaling_that_is_no_standardisation_is_refused_naming_it(given):
    with pytest.raises(ParameterError, match=r"TargetScaling: mean and scale are given together.*got mean="):
        TargetScaling(**given).fit(Y)


def test_a_given_scaling_and_a_learnt_one_standardise_as_numpy():
    np.testing.assert_allclose(TargetScaling(mean=np.float32(1.5), scale=2).fit_transform(Y), (Y - 1.5) / 2)
    np.testing.assert_allclose(TargetScaling().fit_transform(Y), (Y - Y.mean()) / Y.std())
