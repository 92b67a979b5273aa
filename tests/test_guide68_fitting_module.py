"""The estimators' training run lives in chainrule.sklearn.fitting (`_Fitting`): a fitted estimator's pickle names
its class's module (estimators) alone, never the modules its methods come from, as it did before that split (so
such a pickle loads across it), and loads back predicting the same."""
from __future__ import annotations

import pickle
import pickletools
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402
from chainrule.sklearn.backprop import _Backprop  # noqa: E402
from chainrule.sklearn.fitting import _Fitting  # noqa: E402


def _globals(data: bytes) -> set[str]:
    """The module.name pairs a pickle imports (protocol 0's GLOBAL opcode, 'module name')."""
    return {str(arg).replace(" ", ".") for op, arg, _ in pickletools.genops(data) if op.name == "GLOBAL"}


@pytest.mark.parametrize("cls", [BackpropClassifier, BackpropRegressor])
def test_a_pickle_names_the_estimators_module_alone_and_loads(cls):
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = cls(hidden_layer_sizes=(4,), epochs=3, random_state=0).fit(X, y)
    data = pickle.dumps(est, protocol=0)
    names = _globals(data)
    assert f"chainrule.sklearn.estimators.{cls.__name__}" in names
    assert not any("fitting" in name or "backprop" in name for name in names)
    assert issubclass(cls, _Fitting) and issubclass(cls, _Backprop)
    back = pickle.loads(data)
    np.testing.assert_array_equal(back.predict(X), est.predict(X))
    assert back.loss_curve_ == est.loss_curve_ and back.n_iter_ == est.n_iter_ == 3
