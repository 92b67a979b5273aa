"""scikit-learn's estimators weigh by the weighted mean (MLP's), where only the weights' ratios count: class weights
(or sample weights) whose sum passes float64's largest number train as their ratios do. Before, the engine's check
refused them naming a sample_weight the user never gave (`chainrule sweep --class-weight a=1e308,b=1e308`: "every
candidate of the sweep failed ... sample_weight: the weights sum past ...")."""
import numpy as np
import pandas as pd
import pytest
from conftest import cmd

from chainrule.sklearn import BackpropClassifier, BackpropRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # 3 epochs: fast


def _problem():
    X = np.random.default_rng(0).normal(size=(40, 3))
    return X, np.where(X[:, 0] + X[:, 1] > 0.3, "b", "a")


def _coefs(est):
    return np.concatenate([np.ravel(c) for c in est.coefs_ + est.intercepts_])


def _clf(**kw):
    return BackpropClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0, **kw)


@pytest.mark.parametrize("big, small", [({"a": 1e308, "b": 1e308}, None),
                                        ({"a": 2.0 ** 1020, "b": 3 * 2.0 ** 1020}, {"a": 1.0, "b": 3.0})])
def test_class_weights_summing_past_float64_train_as_their_ratios(big, small):
    X, y = _problem()
    expected = _clf(class_weight=small).fit(X, y)
    got = _clf(class_weight=big).fit(X, y)
    np.testing.assert_allclose(_coefs(got), _coefs(expected), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got.loss_curve_, expected.loss_curve_, rtol=1e-9)


def test_sample_weights_summing_past_float64_train_as_their_ratios():
    X, y = _problem()
    target = X @ np.array([1.0, -2.0, 0.5])
    w = np.linspace(1.0, 4.0, 40)
    kw = dict(hidden_layer_sizes=(4,), epochs=3, random_state=0)
    expected = BackpropRegressor(**kw).fit(X, target, sample_weight=w)
    got = BackpropRegressor(**kw).fit(X, target, sample_weight=w * 2.0 ** 1020)
    np.testing.assert_allclose(_coefs(got), _coefs(expected), rtol=1e-9, atol=1e-12)


def test_sweep_with_equal_class_weights_past_float64_scores_as_without(tmp_path):
    """The reported case: `chainrule sweep --class-weight a=1e308,b=1e308` weighs every row alike, as no weights."""
    X, y = _problem()
    with open(tmp_path / "t.csv", "w") as f:
        f.write("x1,x2,x3,label\n" + "".join(f"{a!r},{b!r},{c!r},{t}\n" for (a, b, c), t in zip(X.tolist(), y)))
    scores = []
    for extra in ([], ["--class-weight", "a=1e308,b=1e308"]):
        out = tmp_path / f"o{len(extra)}"
        result = cmd("sweep", tmp_path / "t.csv", "--target", "label", "--grid", "hidden_layer_sizes=3", "--cv", "2",
                     "--epochs", "3", "--scoring", "neg_log_loss", "--seed", "0", "--out-dir", out, *extra)
        assert result.returncode == 0, result.stderr
        table = pd.read_csv(out / "sweep_results.csv")
        scores.append(table[["split0_test_score", "split1_test_score"]].to_numpy())
    np.testing.assert_allclose(scores[1], scores[0], rtol=1e-9)
