"""An optimizer instance's own arguments as scikit-learn reaches nested parameters: get_params(deep=True) lists
optimizer__lr, optimizer__betas, ... (BaseEstimator's from the optimizer's get_params), which clone and set_params
keep; an optimizer's set_params sets its arguments in place, checked as its constructor checks them."""
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from chainrule.errors import ValidationError
from chainrule.optim import SGD, Adam, StepLR
from chainrule.sklearn import BackpropClassifier, BackpropRegressor


@pytest.mark.parametrize("Estimator", [BackpropClassifier, BackpropRegressor])
def test_deep_params_list_the_optimizers_arguments(Estimator):
    est = Estimator(optimizer=Adam(lr=0.01, betas=(0.8, 0.99)))
    deep = est.get_params(deep=True)
    assert {k: v for k, v in deep.items() if k.startswith("optimizer__")} == {
        "optimizer__lr": 0.01, "optimizer__betas": (0.8, 0.99), "optimizer__eps": 1e-8,
        "optimizer__weight_decay": 0.0, "optimizer__amsgrad": False, "optimizer__clip_norm": None,
        "optimizer__clip_value": None}
    assert set(est.get_params(deep=False)) < set(deep)          # scikit-learn's check_get_params_invariance
    assert not any("__" in k for k in Estimator().get_params(deep=True))      # a name: no arguments of its own


def test_a_pipelines_deep_params_reach_them_and_set_params_sets_them():
    """Pipeline.get_params(deep=True) names e__optimizer__lr, and setting it (as GridSearchCV does) changes a copy."""
    given = SGD(0.1, momentum=0.9)
    pipe = Pipeline([("s", StandardScaler()), ("e", BackpropClassifier(optimizer=given))])
    assert pipe.get_params()["e__optimizer__momentum"] == 0.9
    pipe.set_params(e__optimizer__lr=0.05, e__optimizer__nesterov=True)
    assert pipe.get_params()["e__optimizer__lr"] == 0.05 and pipe.get_params()["e__optimizer__nesterov"] is True
    assert given.lr == 0.1 and given.nesterov is False          # the instance given stays as it was


def test_clone_keeps_the_optimizers_arguments_in_a_copy():
    est = BackpropClassifier(optimizer=Adam(lr=StepLR(0.05, step_size=2), betas=(0.8, 0.99), eps=1e-6))
    copy = clone(est)
    assert copy.optimizer is not est.optimizer and copy.get_params(deep=True).keys() == est.get_params().keys()
    assert copy.optimizer.config() == est.optimizer.config()
    assert clone(est.optimizer).config() == est.optimizer.config()


def test_an_optimizers_set_params():
    opt = SGD(0.1, momentum=0.9)
    assert opt.set_params(lr=0.2, nesterov=True) is opt
    assert (opt.lr, opt.nesterov, opt.momentum) == (0.2, True, 0.9)
    assert opt.get_params() == {"lr": 0.2, "momentum": 0.9, "dampening": 0.0, "nesterov": True, "weight_decay": 0.0,
                                "clip_norm": None, "clip_value": None}
    with pytest.raises(ValidationError, match="nesterov=True needs momentum > 0"):       # checked together
        SGD(0.1).set_params(nesterov=True)
    with pytest.raises(ValidationError, match=r"SGD.set_params got 'lrr'.*Did you mean 'lr'"):
        opt.set_params(lrr=0.1)
    with pytest.raises(ValidationError, match="clip_norm"):
        Adam(clip_norm=1.0).set_params(clip_value=0.5)
    both = Adam(clip_norm=1.0).set_params(clip_norm=None, clip_value=0.5)           # swapped at once: taken
    assert (both.clip_norm, both.clip_value) == (None, 0.5)
    scheduled = Adam().set_params(lr=StepLR(0.05, step_size=2))
    assert scheduled.schedule is not None and scheduled.lr == 0.05


def test_gridsearchcv_sets_an_optimizers_arguments():
    """Guards what worked before: GridSearchCV over optimizer=[Adam()] with optimizer__lr, its scores those of
    the estimator made with each rate."""
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    fit = {"hidden_layer_sizes": (4,), "epochs": 3, "random_state": 0}
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(BackpropClassifier(**fit), {"optimizer": [Adam()], "optimizer__lr": [0.01, 0.1]},
                              cv=3).fit(X, y)
        direct = [GridSearchCV(BackpropClassifier(optimizer=Adam(lr=lr), **fit), {"alpha": [0.0]}, cv=3).fit(X, y)
                  .cv_results_["mean_test_score"][0] for lr in (0.01, 0.1)]
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], direct, rtol=1e-12)
