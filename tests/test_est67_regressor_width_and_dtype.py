"""A regressor's partial_fit or warm start with y of another width is refused as docs/errors.md shows it (MLPRegressor's
fails in NumPy's matmul); float32 X with float64 sample weights trains in the network's dtype, as the dtype parameter
says: float64 weights do not widen a float32 network, float32 X does not narrow a float64 one."""
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.neural_network import MLPRegressor  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.nn.network import Network  # noqa: E402
from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: not the point

RNG = np.random.RandomState(0)
X = RNG.rand(40, 3)
Y = X.sum(axis=1)


def _row(case: str) -> str:
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    rows = {cells[0]: cells[2] for cells in ([c.strip() for c in line.strip().strip("|").split(" | ")]
                                             for line in doc.splitlines()) if len(cells) == 4}
    return rows[case]


def test_partial_fit_of_another_width_is_refused_as_documented():
    with pytest.raises(ValueError, match="matmul"):      # MLPRegressor's: NumPy's words, naming no argument
        MLPRegressor(hidden_layer_sizes=(4,)).partial_fit(X, Y).partial_fit(X, np.c_[Y, Y])
    est = BackpropRegressor(hidden_layer_sizes=(4,), random_state=0).partial_fit(X, Y)
    before = [w.copy() for w in est.coefs_]
    with pytest.raises(ValidationError) as caught:
        est.partial_fit(X, np.c_[Y, Y])
    assert str(caught.value) == _row("estimator partial_fit of another width of y")
    assert all(np.array_equal(a, b) for a, b in zip(before, est.coefs_)) and len(est.loss_curve_) == 1


@pytest.mark.parametrize("first, then", [(1, 2), (2, 1), (3, 2)])
def test_partial_fit_after_partial_fit_names_both_calls(first, then):
    """The previous call may have been partial_fit, not fit: the message names both."""
    est = BackpropRegressor(hidden_layer_sizes=(4,), random_state=0)
    est.partial_fit(X, Y if first == 1 else np.tile(Y[:, None], first))
    with pytest.raises(ValidationError, match=rf"as in the previous call to fit or partial_fit\. Previously got {first}"
                                              rf", `y` has {then}$"):
        est.partial_fit(X, Y if then == 1 else np.tile(Y[:, None], then))


def test_a_warm_start_of_another_width_names_fit():
    est = BackpropRegressor(hidden_layer_sizes=(4,), epochs=2, warm_start=True, random_state=0).fit(X, Y)
    with pytest.raises(ValidationError, match=r"BackpropRegressor: warm_start can only be used where `y` has as many "
                                              r"columns as in the previous call to fit\. Previously got 1, `y` has 2$"):
        est.fit(X, np.c_[Y, Y])
    assert _row("estimator partial_fit of another width of y").count("as many columns") == 1


@pytest.mark.parametrize("Est, y", [(BackpropRegressor, Y), (BackpropClassifier, (Y > 1.5).astype(int))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_float32_x_with_float64_weights_trains_in_the_networks_dtype(Est, y, dtype, monkeypatch):
    """The network's dtype is the parameter's: each batch's rows, targets and weight factors reach its steps in that
    dtype (no float64 weight widens a float32 network's arithmetic), its weights are kept in it, and the fit is the one
    of X and the weights given in that dtype (to the weights' own rounding: float64 weights are normalised first)."""
    seen = set()
    train_batch = Network.train_batch

    def spy(net, xb, yb, c=None, *args, **kwargs):
        seen.add((net.dtype, xb.dtype, yb.dtype, None if c is None else c.dtype))
        return train_batch(net, xb, yb, c, *args, **kwargs)

    monkeypatch.setattr(Network, "train_batch", spy)
    w = np.random.RandomState(1).rand(40)
    mixed = Est(hidden_layer_sizes=(4,), epochs=3, random_state=0, dtype=dtype).fit(X.astype(np.float32), y,
                                                                                    sample_weight=w)
    want = np.dtype(dtype)
    assert seen == {(want, want, want, want)}
    assert [c.dtype for c in mixed.coefs_ + mixed.intercepts_] == [want] * 4
    own = Est(hidden_layer_sizes=(4,), epochs=3, random_state=0, dtype=dtype).fit(
        X.astype(np.float32).astype(dtype), y, sample_weight=w.astype(dtype))
    tol = 1e-4 if dtype == "float32" else 1e-12
    for a, b in zip(mixed.coefs_ + mixed.intercepts_, own.coefs_ + own.intercepts_):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
    # the outputs: float32 with a float32 network, or (as MLPRegressor's) with float32 X fitted on float32 X
    X32 = X.astype(np.float32)
    out = mixed.predict_proba(X32) if hasattr(mixed, "predict_proba") else mixed.predict(X32)
    ref = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3).fit(X32, Y, sample_weight=w)
    assert out.dtype == ref.predict(X32).dtype == np.float32
