"""A teacher hands the teaching functions a model of another library, or the seed example's tuple: each one says
what it needs and the call that converts it, not an AttributeError from deep inside explain."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError
from chainrule.teach.formulas import general, weight_gradient
from chainrule.teach.gradcheck import numerical_gradients

X = np.array([[0.5, -1.0], [1.0, 0.3], [0.2, 0.7]])
Y = np.array([[0.1], [0.9], [0.4]])
CALLS = {"explain": lambda net: cr.explain(net, X, Y), "gradcheck": lambda net: cr.gradcheck(net, X, Y),
         "numerical_gradients": lambda net: numerical_gradients(net, X, Y),
         "weight_gradient": lambda net: weight_gradient(net, 0, 0, 0), "general": general}


def _mlp():
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MLPRegressor(hidden_layer_sizes=(3,), activation="tanh", max_iter=3, random_state=0).fit(X, Y[:, 0])


@pytest.mark.parametrize("who", CALLS)
def test_a_scikit_learn_mlp_is_named_with_its_converter(who):
    with pytest.raises(ChainruleTypeError) as info:
        CALLS[who](_mlp())
    assert str(info.value) == (f"{who}: net must be a chainrule Network; got MLPRegressor, scikit-learn's MLP: import "
                               "it with cr.from_sklearn(model)")


def test_the_converter_named_gives_what_explain_reads():
    # the call the message names works, and explain's output equals the MLP's own prediction (sklearn's truth)
    mlp = _mlp()
    report = cr.explain(cr.from_sklearn(mlp), X, Y).to_dict()
    out = np.array(report["layers"][-1]["neurons"][0]["out"])
    np.testing.assert_allclose(out, mlp.predict(X), rtol=1e-12)


def test_a_torch_module_is_named_with_its_converter():
    torch = pytest.importorskip("torch")
    module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    with pytest.raises(ChainruleTypeError, match=r"^explain: .*got Sequential; a model of another framework "
                                                  r"converts with chainrule\.from_torch\(model\)$"):
        cr.explain(module, X, Y)


def test_the_seed_examples_tuple_says_to_unpack_it():
    with pytest.raises(ChainruleTypeError, match=r"got tuple; unpack the example first: net, X, Y, lr = "
                                                  r"chainrule\.examples\.seed_network\(\)$"):
        cr.explain(cr.examples.seed_network(), X, Y)


def test_a_fitted_chainrule_estimator_points_at_its_network():
    from chainrule.sklearn import BackpropRegressor
    est = BackpropRegressor(hidden_layer_sizes=(3,), epochs=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, Y[:, 0])
    with pytest.raises(ChainruleTypeError, match=r"got BackpropRegressor, a chainrule estimator, not a model to "
                                                  r"import: give its network, "
                                                  r"chainrule\.explain\(model\.network_, X, Y\)"):
        cr.explain(est, X, Y)
    # the call it names explains what the estimator predicts (no scaling between them)
    out = np.array(cr.explain(est.network_, X, Y).to_dict()["layers"][-1]["neurons"][0]["out"])
    np.testing.assert_allclose(out, est.predict(X), rtol=1e-12)


@pytest.mark.parametrize("bad", [None, b"net", 3])
def test_anything_else_is_named_by_its_type(bad):
    with pytest.raises(ChainruleTypeError) as info:
        cr.explain(bad, X, Y)
    assert str(info.value) == f"explain: net must be a chainrule Network; got {type(bad).__name__}"
