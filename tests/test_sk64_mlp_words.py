"""What a scikit-learn MLP's parameters that have no name here say when a user carries them over: the value that is
already this estimator's behaviour (MLPRegressor's loss='squared_error', learning_rate='constant') is named so, not
called something with no equivalent."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from chainrule.optim import ExponentialLR  # noqa: E402
from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: not the point


def test_mlpregressors_default_loss_is_named_as_this_regressors_only_loss():
    """MLPRegressor's default loss is the squared error, the one this regressor trains with: loss='squared_error'
    was said to have 'no equivalent here'."""
    assert MLPRegressor().get_params()["loss"] == "squared_error"
    X, y = load_iris(return_X_y=True)
    net = BackpropRegressor(hidden_layer_sizes=(3,), epochs=1, random_state=0).fit(X[:, :3], X[:, 3]).network_
    assert net.loss_function.name == "mse"
    same = r"BackpropRegressor has no parameter loss: its loss is always the squared error, MLPRegressor's " \
           r"loss='squared_error' \(its default\); leave loss out"
    with pytest.raises(TypeError, match=same):
        BackpropRegressor(loss="squared_error")
    with pytest.raises(ValueError, match=same):
        BackpropRegressor().set_params(loss="squared_error")
    MLPRegressor(loss="poisson", max_iter=1).fit(X[:, :3], X[:, 3])         # a loss MLPRegressor has, not ours
    with pytest.raises(TypeError, match=r"always the squared error, .*; MLPRegressor's loss='poisson' has no "
                                        r"equivalent here"):
        BackpropRegressor(loss="poisson")
    with pytest.raises(TypeError, match=r"BackpropClassifier has no parameter loss; its parameters are"):
        BackpropClassifier(loss="log_loss")                 # MLPClassifier has no loss parameter


@pytest.mark.parametrize("Estimator, MLP", [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)])
def test_mlps_constant_learning_rate_is_named_as_a_number(Estimator, MLP):
    """learning_rate='constant', MLP's default, is what a number learning_rate does here; it was said to have no
    equivalent."""
    assert MLP().get_params()["learning_rate"] == "constant"
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match=rf"got 'constant' \(str\)\. {MLP.__name__}'s learning_rate='constant' "
                                         rf"\(its default\) is what a number does here: the rate stays learning_rate, "
                                         rf"{MLP.__name__}'s learning_rate_init \(e\.g\. learning_rate=0\.001\)$"):
        Estimator(learning_rate="constant").fit(X, y)
    Estimator(hidden_layer_sizes=(3,), learning_rate=0.001, epochs=1, random_state=0).fit(X, y)   # as it says


@pytest.mark.parametrize("value", ["invscaling", "adaptive"])
def test_mlps_sgd_schedules_say_they_are_sgds_and_what_to_give(value):
    """MLP's learning_rate='invscaling' or 'adaptive' changes the rate of solver='sgd' only: with adam (its default
    solver) the fit is the constant rate's, so the refusal says a number is that, and a schedule is a falling rate."""
    X, y = load_iris(return_X_y=True)
    kw = dict(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    adam, constant = MLPClassifier(learning_rate=value, **kw).fit(X, y), MLPClassifier(**kw).fit(X, y)
    assert all(np.array_equal(a, b) for a, b in zip(adam.coefs_, constant.coefs_, strict=True))
    sgd = MLPClassifier(solver="sgd", learning_rate=value, **kw).fit(X, y)
    sgd_constant = MLPClassifier(solver="sgd", **kw).fit(X, y)
    if value == "invscaling":              # adaptive waits for the loss to stall: not within 5 epochs
        assert not np.array_equal(sgd.coefs_[0], sgd_constant.coefs_[0])
    with pytest.raises(ValueError, match=rf"MLPClassifier uses learning_rate='{value}' with solver='sgd' only "
                                         r"\(with 'adam' its rate stays constant: a number here\); for a rate that "
                                         r"falls, give a chainrule\.optim schedule \(learning_rate=ExponentialLR"):
        BackpropClassifier(learning_rate=value).fit(X, y)
    BackpropClassifier(hidden_layer_sizes=(3,), learning_rate=ExponentialLR(0.01, 0.9), epochs=2,
                       random_state=0).fit(X, y)
