"""coefs_ and intercepts_ are lists of the network's arrays: a change of their length or order (append, del, pop, ...)
changed a list that nothing reads, silently (predict went on with the network's layers), where MLPClassifier's
plain list changes its model; refused, naming what to do. In-place edits of an array do reach the network."""
import re

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_iris  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Stochastic Optimizer")


@pytest.fixture(scope="module")
def fitted():
    X, y = load_iris(return_X_y=True)
    return X, y, BackpropClassifier(hidden_layer_sizes=(5,), epochs=2, random_state=0).fit(X, y)


CHANGES = {"append": lambda a: a.append(np.ones(3)), "extend": lambda a: a.extend([np.ones(3)]),
           "insert": lambda a: a.insert(0, np.ones(3)), "pop": lambda a: a.pop(), "remove": lambda a: a.remove(a[0]),
           "clear": lambda a: a.clear(), "reverse": lambda a: a.reverse(), "sort": lambda a: a.sort(key=len),
           "del": lambda a: a.__delitem__(0), "+=": lambda a: a.__iadd__([np.ones(3)]),
           "*=": lambda a: a.__imul__(2)}


@pytest.mark.parametrize("attribute", ["coefs_", "intercepts_"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_of_the_lists_length_or_order_is_refused(fitted, attribute, change):
    X, _, est = fitted
    before = est.predict_proba(X)
    arrays = getattr(est, attribute)
    with pytest.raises(TypeError, match=rf"BackpropClassifier\.{attribute} holds one array per layer of the fitted "
                                        rf"network, in order: {change.replace('+', '[+]').replace('*', '[*]')} would "
                                        rf"change a list that nothing reads; set an item \({attribute}\[0\] = array\)"):
        CHANGES[change](arrays)
    assert len(arrays) == 2 and np.array_equal(est.predict_proba(X), before)


def test_an_arrays_in_place_edit_is_the_networks_as_in_mlps(fitted):
    """`est.coefs_[0][:] = W` edits MLPClassifier's array in place: here the network's, so predict follows."""
    X, y, _ = fitted
    est = BackpropRegressor(hidden_layer_sizes=(3,), epochs=1, random_state=0).fit(X[:, :3], X[:, 3])
    est.coefs_[0][:] = 0.0
    est.intercepts_[0][:] = 0.0
    est.intercepts_[1][:] = 2.5                                  # no hidden signal: the output is the bias
    np.testing.assert_array_equal(est.predict(X[:, :3]), np.full(len(X), 2.5))
    assert np.array_equal(est.network_.dense_layers[0].W, np.zeros((3, 3)))


def test_a_float64_too_large_for_a_float32_network_is_named_so_not_as_infinity(fitted):
    """1e300 is finite: it was refused as 'contains NaN or infinity', which it does not; set_weights alike."""
    X, y, _ = fitted
    est = BackpropClassifier(hidden_layer_sizes=(5,), epochs=1, random_state=0, dtype="float32").fit(X, y)
    words = (r"BackpropClassifier\.coefs_\[0\] \(layer 1 of 2\) has values too large for the network's float32 "
             r"\(largest " + re.escape(f"{np.finfo(np.float32).max:.7g}") + r"\): got 1e\+300")
    with pytest.raises(ValueError, match=words):
        est.coefs_ = [np.full((4, 5), 1e300), np.ones((5, 3))]
    with pytest.raises(ValueError, match=r"weights\[0\] \(W of .*\) has values too large for the network's float32"):
        est.network_.set_weights([np.full((4, 5), -1e300)] + est.network_.get_weights()[1:])
    est.coefs_ = [np.full((4, 5), 3), np.ones((5, 3), dtype=bool)]     # ints and booleans: numbers, as numpy casts
    assert est.coefs_[0].dtype == np.float32 and np.array_equal(est.coefs_[0], np.full((4, 5), 3.0))
    with pytest.raises(ValueError, match=r"coefs_\[0\] \(layer 1 of 2\) contains NaN or infinity"):
        est.coefs_ = [np.full((4, 5), np.inf), np.ones((5, 3))]
