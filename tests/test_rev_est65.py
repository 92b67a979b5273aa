"""A loss given as an array to BackpropRegressor is named in its refusal, not a NumPy "truth value ... ambiguous"
error; the refusals of a warm start or partial_fit around early stopping, and of partial_fit's classes by position,
are listed in docs/errors.md with the whole message each raises."""
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.neural_network import MLPRegressor  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: not the point


@pytest.mark.parametrize("value", [np.array(["mse", "mae"]), np.array(["squared_error"]), ("squared_error",)])
def test_a_loss_that_is_not_a_name_is_named_in_the_refusal(value):
    with pytest.raises(InvalidParameterError):
        MLPRegressor(loss=value).fit(np.ones((4, 2)), np.arange(4.0))     # not one of MLPRegressor's losses either
    with pytest.raises(TypeError, match=r"has no parameter loss: .*\(its default\); loss=.* has no equivalent here"):
        BackpropRegressor(loss=value)
    with pytest.raises(ValueError, match=r"has no parameter loss: .*\(its default\); loss=.* has no equivalent here"):
        BackpropRegressor().set_params(loss=value)


def _rows() -> dict[str, str]:
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    return {cells[0]: cells[2] for cells in ([c.strip() for c in line.strip().strip("|").split(" | ")]
                                             for line in doc.splitlines()) if len(cells) == 4}


Xs, ys = np.random.RandomState(0).rand(10, 2), np.arange(10) % 2
CALLS = {
    "estimator warm start turning early_stopping on": lambda: BackpropClassifier(
        hidden_layer_sizes=(4,), epochs=2, warm_start=True).fit(Xs, ys).set_params(early_stopping=True).fit(Xs, ys),
    "estimator partial_fit after early stopping": lambda: BackpropClassifier(
        hidden_layer_sizes=(4,), epochs=2, early_stopping=True, validation_fraction=0.2).fit(Xs, ys)
    .set_params(early_stopping=False).partial_fit(Xs, ys),
    "estimator partial_fit classes by position": lambda: BackpropClassifier().partial_fit(Xs, ys, [0, 1]),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_docs_show_the_early_stopping_and_positional_refusals_as_raised(name):
    with pytest.raises((ValueError, TypeError)) as caught:
        CALLS[name]()
    assert str(caught.value) == _rows()[name]
