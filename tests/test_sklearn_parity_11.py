"""A chainrule estimator given where a Network goes (cr.save, to_torch, from_sklearn) is named as one, with its
network to give instead (it was "a model of another framework: import it first with from_sklearn", which refuses
it); set_params reaches an optimizer instance's arguments (optimizer__lr, a schedule's optimizer__lr__gamma), so that
GridSearchCV searches them as it searches the optimizers given whole (scikit-learn's set_params raised
AttributeError: the optimizer has no set_params)."""
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule import optim  # noqa: E402
from chainrule.errors import ChainruleTypeError, ParameterError  # noqa: E402
from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Stochastic Optimizer")

rng = np.random.default_rng(0)
X = rng.normal(size=(60, 3))
y = (X[:, 0] + X[:, 1] > 0).astype(int)


def _fitted(cls=BackpropClassifier, target=y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(hidden_layer_sizes=(4,), epochs=3, random_state=0).fit(X, target)


def _torch_forward(model, rows):
    """The estimator's layers in torch (relu hidden, its output activation), from coefs_ and intercepts_."""
    torch = pytest.importorskip("torch")
    h = torch.as_tensor(rows)
    for k, (W, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        h = h @ torch.as_tensor(W) + torch.as_tensor(b)
        h = torch.relu(h) if k < len(model.coefs_) - 1 else torch.sigmoid(h) if model.out_activation_ == "logistic" \
            else h
    return h.numpy()


def test_save_of_an_estimator_names_its_network_and_the_network_saved_loads_back(tmp_path):
    model = _fitted()
    with pytest.raises(ChainruleTypeError, match=r"got BackpropClassifier, a chainrule "
                       r"estimator, not a model to import: give its network, cr\.save\(model\.network_, path\).*"
                       r"joblib\.dump\(model, path\)") as info:
        cr.save(model, tmp_path / "m.npz")
    assert "from_sklearn" not in str(info.value)
    assert not (tmp_path / "m.npz").exists()
    with pytest.raises(ChainruleTypeError, match="network once it is fitted"):
        cr.save(BackpropRegressor(), tmp_path / "m.npz")
    from chainrule.sweep_search import SweptClassifier  # a sweep's estimator, named as the public one
    with pytest.raises(ChainruleTypeError, match=r"got SweptClassifier \(BackpropClassifier\), a chainrule estimator"):
        cr.save(SweptClassifier(), tmp_path / "m.npz")
    cr.save(model.network_, tmp_path / "m.npz")            # as the message says: the network, which loads back
    np.testing.assert_allclose(cr.load(tmp_path / "m.npz").predict(X), _torch_forward(model, X), rtol=1e-10)


def test_to_torch_and_from_sklearn_of_an_estimator_name_its_network():
    torch = pytest.importorskip("torch")
    model = _fitted(BackpropRegressor, X[:, 0] * 2.0)
    with pytest.raises(ChainruleTypeError, match=r"BackpropRegressor, a chainrule estimator, not a model to "
                       r"import: give its network, to_torch\(model\.network_\).*one column per target"):
        cr.to_torch(model)
    with pytest.raises(ChainruleTypeError, match=r"MLPClassifier or MLPRegressor; got BackpropRegressor, "
                       r"a chainrule estimator.*model\.network_"):
        cr.from_sklearn(model)
    with torch.no_grad():                                    # the advice works: torch computes the estimator's predict
        out = cr.to_torch(model.network_)(torch.as_tensor(X)).numpy()[:, 0]
    np.testing.assert_allclose(out, _torch_forward(model, X)[:, 0], rtol=1e-10)


def _scores(search):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    return search.cv_results_["mean_test_score"]


def test_grid_over_an_optimizers_arguments_is_the_grid_over_the_optimizers_given_whole():
    base = BackpropClassifier(hidden_layer_sizes=(4,), epochs=4, random_state=0, optimizer=optim.Adam(lr=0.01))
    by_name = GridSearchCV(base, {"optimizer__lr": [0.001, 0.1]}, cv=3)
    whole = GridSearchCV(base, {"optimizer": [optim.Adam(lr=0.001), optim.Adam(lr=0.1)]}, cv=3)
    np.testing.assert_array_equal(_scores(by_name), _scores(whole))
    assert base.optimizer.config()["lr"] == 0.01                          # the instance given is not changed
    step = optim.SGD(lr=optim.StepLR(0.1, step_size=1, gamma=0.9), momentum=0.5)
    est = base.set_params(optimizer=step, optimizer__lr__gamma=0.5, optimizer__momentum=0.0)
    assert est.optimizer.config() == optim.SGD(lr=optim.StepLR(0.1, step_size=1, gamma=0.5)).config()
    assert step.config()["lr"]["gamma"] == 0.9 and step.config()["momentum"] == 0.5
    assert clone(est).get_params()["optimizer"].config() == est.optimizer.config()
    seq = optim.SequentialLR([optim.LinearLR(0.1, 0.5, 1.0, 2), optim.ConstantLR(0.1)], [2])
    est.set_params(optimizer=optim.Adam(lr=seq), optimizer__lr__schedules__1__lr=0.05)
    new = optim.SequentialLR([optim.LinearLR(0.1, 0.5, 1.0, 2), optim.ConstantLR(0.05)], [2])
    assert est.optimizer.config() == optim.Adam(lr=new).config()


@pytest.mark.parametrize("params, message", [
    ({"optimizer__lr": 0.1}, r"optimizer__lr sets an argument of an optimizer instance; optimizer is 'adam', a name"),
    ({"optimizer": optim.Adam(), "optimizer__beta": 0.5},
     r"got optimizer__beta, but optimizer has no 'beta'; its arguments are: optimizer__lr, .*optimizer__betas"),
    ({"optimizer": optim.SGD(lr=0.1), "optimizer__lr__gamma": 0.5},
     r"optimizer__lr is 0\.1, which has no arguments"),
    ({"optimizer": optim.Adam(), "optimizer__lr": -1.0}, r"set_params\(optimizer__lr=-1\.0\): .*lr"),
    ({"learning_rate__gamma": 0.5}, r"learning_rate__gamma sets an argument of a schedule; learning_rate is 0\.001, "
                                     r"a number"),
    ({"learning_rate": optim.StepLR(0.1, 2), "learning_rate__gama": 0.5},
     r"learning_rate has no 'gama'; its arguments are: learning_rate__lr, .*Did you mean 'learning_rate__gamma'\?"),
])
def test_set_params_of_an_optimizer_argument_it_cannot_set_names_it(params, message):
    est = BackpropClassifier()
    with pytest.raises(ParameterError, match=message):
        est.set_params(alpha=0.5, **params)
    assert est.get_params() == BackpropClassifier().get_params()       # nothing set by a refused call


@pytest.mark.parametrize("weighted", [False, True])
def test_early_stoppings_held_out_score_is_scores_without_the_class_weights(weighted):
    """class_weight weighs the loss, not the held-out score: that is `score` (accuracy, weighted by sample_weight
    alone), as scikit-learn's SGDClassifier scores its validation rows (its class weights enter the loss only); it was
    weighted by the class weights too, a balanced accuracy under class_weight='balanced', not what score gives."""
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split
    r = np.random.default_rng(3)
    Xi = r.normal(size=(120, 3))
    yi = np.where(Xi[:, 0] > 0.8, "rare", np.where(Xi[:, 1] > 0, "b", "c"))
    sw = r.uniform(0.5, 2.0, size=120) if weighted else None
    model = BackpropClassifier(hidden_layer_sizes=(3,), epochs=1, early_stopping=True, validation_fraction=0.3,
                               class_weight="balanced", random_state=0).fit(Xi, yi, sample_weight=sw)
    parts = train_test_split(Xi, yi, np.ones(120) if sw is None else sw, test_size=0.3, random_state=model._split_seed,
                             stratify=np.searchsorted(model.classes_, yi))
    X_val, y_val, w_val = parts[1::2]
    truth = accuracy_score(y_val, model.predict(X_val), sample_weight=w_val)
    assert model.validation_scores_[0] == pytest.approx(truth, abs=1e-12)
    assert model.best_validation_score_ == pytest.approx(model.score(X_val, y_val, sample_weight=w_val), abs=1e-12)


def test_a_schedule_as_learning_rate_is_the_named_optimizers_lr():
    """learning_rate=StepLR(...) with optimizer='sgd' trains as optimizer=SGD(lr=StepLR(...), momentum=momentum), whose
    rates are torch's (tests/test_sklearn_solver_rate.py); it was refused ("a number > 0"), though a chainrule rate
    may be a schedule everywhere else. The schedule given is copied, as an optimizer instance is."""
    rate = optim.StepLR(0.05, step_size=1, gamma=0.5)
    kw = dict(hidden_layer_sizes=(4,), epochs=4, random_state=0, shuffle=False, n_iter_no_change=100)
    named = BackpropClassifier(optimizer="sgd", learning_rate=rate, momentum=0.5, **kw).fit(X, y)
    whole = BackpropClassifier(optimizer=optim.SGD(lr=rate, momentum=0.5), **kw).fit(X, y)
    np.testing.assert_array_equal(named.loss_curve_, whole.loss_curve_)
    assert named.network_.optimizer.config() == whole.network_.optimizer.config()
    assert named.get_params()["learning_rate"] is rate and clone(named).get_params()["learning_rate"].config() == \
        rate.config()
    flat = BackpropClassifier(optimizer="sgd", learning_rate=0.05, momentum=0.5, **kw).fit(X, y)
    assert flat.loss_curve_ != named.loss_curve_          # the schedule is used, not its first rate alone
    base = BackpropClassifier(optimizer="sgd", learning_rate=rate, **kw)       # its arguments searched as the others'
    by_name = GridSearchCV(base, {"learning_rate__gamma": [0.1, 0.9]}, cv=3)
    whole = GridSearchCV(base, {"learning_rate": [optim.StepLR(0.05, 1, 0.1), optim.StepLR(0.05, 1, 0.9)]}, cv=3)
    np.testing.assert_array_equal(_scores(by_name), _scores(whole))
    assert rate.config()["gamma"] == 0.5


@pytest.mark.parametrize("optimizer, message", [
    (optim.LinearLR(0.1), r"A schedule is a learning rate: learning_rate=LinearLR\(lr=0\.1, .*"
                          r"optimizer=chainrule\.optim\.Adam\(lr=\.\.\.\)"),
    (optim.SGD, r"SGD is a class: give an instance, optimizer=SGD\(lr=\.\.\.\)")])
def test_a_schedule_or_a_class_as_optimizer_says_where_it_goes(optimizer, message):
    with pytest.raises(ParameterError, match=message):
        BackpropClassifier(optimizer=optimizer).fit(X, y)
