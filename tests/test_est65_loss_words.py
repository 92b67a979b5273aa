"""A loss name carried over from scikit-learn, Keras or torch that is already the estimator's own loss is named so:
BackpropRegressor(loss='mse') was said to have 'no equivalent', though mean squared error is what it trains with."""
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.neural_network import MLPRegressor  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: not the point


@pytest.mark.parametrize("name", ["mse", "MSE", "mean_squared_error", "MeanSquaredError", "MSELoss"])
def test_the_regressors_own_loss_under_another_name_is_named_as_its_loss(name):
    X, _ = load_iris(return_X_y=True)
    net = BackpropRegressor(hidden_layer_sizes=(3,), epochs=1, random_state=0).fit(X[:, :3], X[:, 3]).network_
    assert net.loss_function.name == "mse"                   # what it trains with, whatever the name given
    words = (rf"BackpropRegressor has no parameter loss: its loss is always the squared error, MLPRegressor's "
             rf"loss='squared_error' \(its default\); loss='{name}' is that loss: leave loss out")
    with pytest.raises(TypeError, match=words):
        BackpropRegressor(loss=name)
    with pytest.raises(ValueError, match=words):
        BackpropRegressor().set_params(loss=name)


def test_a_loss_that_is_not_mlpregressors_is_not_called_its():
    X, _ = load_iris(return_X_y=True)
    with pytest.raises(InvalidParameterError):
        MLPRegressor(loss="log_loss").fit(X[:, :3], X[:, 3])   # not one of MLPRegressor's losses
    with pytest.raises(TypeError, match=r"\(its default\); loss='log_loss' has no equivalent here"):
        BackpropRegressor(loss="log_loss")
    with pytest.raises(TypeError, match=r"\(its default\); loss=\['mse'\] has no equivalent here"):
        BackpropRegressor(loss=["mse"])                      # not a name: no crash on hashing it


@pytest.mark.parametrize("name", ["log_loss", "categorical_crossentropy", "binary_crossentropy", "CrossEntropyLoss"])
def test_the_classifiers_own_loss_is_named_as_its_loss(name):
    X, y = load_iris(return_X_y=True)
    assert BackpropClassifier(epochs=1).fit(X, y).network_.loss_function.name == "categorical_crossentropy"
    with pytest.raises(TypeError, match=rf"BackpropClassifier has no parameter loss; its parameters are: "
                                        rf".*warm_start\. loss='{name}' is the loss it always trains with, "
                                        rf"the cross-entropy"):
        BackpropClassifier(loss=name)
    with pytest.raises(TypeError, match=r"has no parameter loss; its parameters are: .*warm_start$"):
        BackpropClassifier(loss="hinge")                     # another loss: not said to be this one
