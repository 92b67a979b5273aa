"""A chainrule estimator inside a Pipeline (its last step) or a fitted search (its best_estimator_), given where a
Network goes (cr.save, to_torch, to_onnx, from_sklearn), is found there: the message names the expression that
reaches its network and says the pipeline's preprocessing is not in it (it said "import it first with ...
from_sklearn", which refuses a Pipeline, or only "got Pipeline"). Each expression given is checked by running it;
a scikit-learn model that is no MLP is not sent to from_sklearn; a callback of the estimators is no estimator."""
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule import optim  # noqa: E402
from chainrule.errors import ChainruleTypeError, ParameterError  # noqa: E402
from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

rng = np.random.default_rng(0)
X = rng.normal(size=(40, 3)) * 5 + 3
y = (X[:, 0] > 3).astype(int)


def _fit(model):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


def _refusal(call, obj) -> str:
    with pytest.raises(ChainruleTypeError) as info:
        call(obj)
    return str(info.value)


CALLS = [("cr.save({net}, path)", lambda o: cr.save(o, "never-written.npz")), ("to_torch({net})", cr.to_torch),
         ("to_onnx({net}, path)", cr.to_onnx), ("{net}", cr.from_sklearn)]


@pytest.mark.parametrize("use, call", CALLS)
def test_a_pipeline_of_an_estimator_names_its_last_steps_network_and_the_steps_left_out(use, call):
    pipe = _fit(make_pipeline(StandardScaler(), BackpropClassifier(hidden_layer_sizes=(4,), epochs=3,
                                                                   random_state=0)))
    said = _refusal(call, pipe)
    whole = call is cr.to_onnx          # a fitted classifier itself, whose export keeps its classes_
    net_expr = "pipe[-1]" if whole else "pipe[-1].network_"
    is_said = "a fitted chainrule classifier" if whole else "a chainrule estimator"
    assert f"got Pipeline: its last step, BackpropClassifier, is {is_said}" in said
    assert use.format(net=net_expr) in said and "preprocessing) are not in the network" in said
    assert "joblib.dump(pipe, path)" in said and "from_sklearn," not in said
    net = eval(net_expr, {"pipe": pipe})          # the expression given reaches the network, which is pipe[-1]'s
    net = net.network_ if whole else net          # (tests/test_onnx_estimator.py runs the classifier's graph)
    np.testing.assert_allclose(net.predict(pipe[:-1].transform(X))[:, 0], pipe.predict_proba(X)[:, 1], rtol=1e-12)


@pytest.mark.parametrize("use, call", CALLS)
def test_a_search_names_its_best_estimators_network(use, call):
    search = _fit(GridSearchCV(BackpropRegressor(hidden_layer_sizes=(3,), epochs=2, random_state=0),
                               {"alpha": [0.0, 0.1]}, cv=2))
    said = _refusal(call, search)
    whole = call is cr.to_onnx          # a fitted regressor itself, whose export gives predict's shape
    expr = "search.best_estimator_" + ("" if whole else ".network_")
    is_said = "a fitted chainrule regressor" if whole else "a chainrule estimator"
    assert f"got GridSearchCV: its best estimator, BackpropRegressor, is {is_said}" in said
    assert use.format(net=expr) in said and "from_sklearn," not in said
    net = eval("search.best_estimator_.network_", {"search": search})
    np.testing.assert_allclose(net.predict(X)[:, 0], search.predict(X), rtol=1e-12)
    unfitted = _refusal(call, GridSearchCV(BackpropClassifier(), {"alpha": [0.0]}))
    assert "once the search is fitted (fit it first)" in unfitted


def test_a_search_over_a_pipeline_and_a_pipeline_of_an_mlp():
    search = _fit(GridSearchCV(make_pipeline(StandardScaler(), BackpropClassifier(epochs=2, random_state=0)),
                               {"backpropclassifier__alpha": [0.0]}, cv=2))
    said = _refusal(cr.to_torch, search)
    assert "to_torch(search.best_estimator_[-1].network_)" in said and "joblib.dump(search, path)" in said
    eval("search.best_estimator_[-1].network_", {"search": search})
    pipe = _fit(make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(3,), max_iter=20, random_state=0)))
    said = _refusal(lambda o: cr.save(o, "never-written.npz"), pipe)
    assert "its last step, MLPClassifier, is scikit-learn's MLP: import it with cr.from_sklearn(pipe[-1])" in said
    net = cr.from_sklearn(pipe[-1])              # as it says: the MLP imports, without the scaler
    np.testing.assert_allclose(net.predict(pipe[:-1].transform(X))[:, 0], pipe.predict_proba(X)[:, 1], rtol=1e-10)


@pytest.mark.parametrize("call", [lambda o: cr.save(o, "never-written.npz"), cr.to_torch, cr.to_onnx])
def test_a_bare_mlp_is_told_to_import_with_from_sklearn(call):
    """An MLP given alone was told it is 'a scikit-learn model that chainrule does not import (from_sklearn takes
    MLPClassifier ...)': from_sklearn takes it, and the network it gives predicts as the MLP."""
    mlp = _fit(MLPClassifier(hidden_layer_sizes=(3,), max_iter=20, random_state=0))
    said = _refusal(call, mlp)
    assert "got MLPClassifier, scikit-learn's MLP: import it with cr.from_sklearn(model)" in said
    assert "does not import" not in said
    np.testing.assert_allclose(cr.from_sklearn(mlp).predict(X)[:, 0], mlp.predict_proba(X)[:, 1], rtol=1e-10)


def test_a_search_fitted_with_refit_false_is_told_to_refit_not_to_fit():
    search = _fit(GridSearchCV(BackpropClassifier(epochs=2, random_state=0), {"alpha": [0.0, 0.1]}, cv=2,
                               refit=False))
    said = _refusal(cr.to_torch, search)
    assert "refit=False kept no best_estimator_ (fit it again with refit=True)" in said
    assert "once the search is fitted" not in said


@pytest.mark.parametrize("model", [LogisticRegression(), make_pipeline(StandardScaler(), LogisticRegression())])
def test_a_scikit_learn_model_that_is_no_mlp_is_not_sent_to_from_sklearn(model):
    for call in (lambda o: cr.save(o, "never-written.npz"), cr.to_torch, cr.to_onnx):
        said = _refusal(call, model)
        assert "LogisticRegression, is a scikit-learn model that chainrule does not import" in said or \
            "got LogisticRegression, a scikit-learn model that chainrule does not import" in said
        assert "import it first" not in said
        with pytest.raises(ChainruleTypeError):
            cr.from_sklearn(model)               # what the old advice sent it to


def test_a_callback_of_the_estimators_is_not_called_a_chainrule_estimator():
    from chainrule.sklearn.stopping import MLPProgress, MLPStopping
    from chainrule.sweep_search import SweptRegressor
    progress = MLPProgress(MLPStopping.__new__(MLPStopping))
    for call in (lambda o: cr.save(o, "never-written.npz"), cr.to_torch, cr.to_onnx, cr.from_sklearn):
        assert "chainrule estimator" not in _refusal(call, progress)
        assert "SweptRegressor (BackpropRegressor), a chainrule " in _refusal(call, SweptRegressor())


@pytest.mark.parametrize("rate, message", [
    (optim.StepLR, r"got <class '.*StepLR'> \(type\)\. StepLR is a class: give an instance, "
                   r"learning_rate=StepLR\(lr, \.\.\.\)"),
    (optim.SGD(lr=0.1), r"SGD is an optimizer: give it as optimizer=SGD\(lr=\.\.\.\), whose lr is the rate")])
def test_a_schedule_class_or_an_optimizer_as_learning_rate_says_what_to_give(rate, message):
    with pytest.raises(ParameterError, match=message):
        BackpropClassifier(learning_rate=rate).fit(X, y)


def test_a_schedule_class_as_optimizer_says_it_is_a_learning_rate():
    with pytest.raises(ParameterError, match=r"StepLR is a schedule class, a learning rate: give an instance, "
                       r"learning_rate=StepLR\(lr, \.\.\.\)"):
        BackpropClassifier(optimizer=optim.StepLR).fit(X, y)


def test_each_refusal_names_what_was_given_once_and_where_the_model_is():
    """from_sklearn(LogisticRegression()) named LogisticRegression twice and the MLPs twice; a search over a
    Pipeline called its model "its last step" (it is its best estimator's last step); a Pipeline ending in
    "passthrough" was "its last step, str"."""
    said = _refusal(cr.from_sklearn, LogisticRegression())
    assert said.count("LogisticRegression") == 1 and said.count("MLPClassifier") == 1, said
    for call in (lambda o: cr.save(o, "never-written.npz"), cr.to_torch, cr.to_onnx, cr.from_sklearn):
        fitted = _fit(BackpropClassifier(epochs=2, random_state=0)) if call is not cr.to_onnx else \
            BackpropRegressor(epochs=2, random_state=0)          # to_onnx exports a fitted estimator: refuses this
        said = _refusal(call, fitted)
        assert said.count(type(fitted).__name__) == 1, said
        search = _fit(GridSearchCV(make_pipeline(StandardScaler(), MLPClassifier(max_iter=5, random_state=0)),
                                   {"mlpclassifier__alpha": [0.0, 0.1]}, cv=2))
        said = _refusal(call, search)
        assert "got GridSearchCV: its best estimator's last step, MLPClassifier, is scikit-learn's MLP" in said
        assert "cr.from_sklearn(search.best_estimator_[-1])" in said
        eval("search.best_estimator_[-1]", {"search": search}).predict_proba(X)   # the expression reaches the MLP
        said = _refusal(call, make_pipeline(StandardScaler(), "passthrough"))
        assert "got Pipeline: its last step is 'passthrough', no model" in said and "str" not in said


def test_an_unfitted_search_over_a_passthrough_pipeline_says_fit_it_first():
    """Its best estimator (the search's estimator, unfitted) ends in "passthrough": the refusal said so and dropped
    "fit it first", which every other unfitted search's refusal says."""
    search = GridSearchCV(make_pipeline(StandardScaler(), "passthrough"), {"standardscaler__with_mean": [True]})
    for call in (lambda o: cr.save(o, "never-written.npz"), cr.from_sklearn):
        said = _refusal(call, search)
        assert "its best estimator's last step is 'passthrough', no model" in said, said
        assert "once the search is fitted (fit it first)" in said, said


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
@pytest.mark.parametrize("wrap", ["pipeline", "search"])
def test_to_onnx_of_an_unfitted_wrapped_estimator_names_the_call_that_exports_it_whole_once_fitted(Est, wrap):
    """to_onnx of a Pipeline or search whose chainrule estimator was not yet fitted named its network_
    (to_onnx(pipe[-1].network_, path)): once fitted that exports no predict (a regressor's (N, 1), a classifier's
    probabilities, no label), where to_onnx of the fitted estimator itself does. The call named, run once the object
    is fitted, gives a graph whose predict output is the object's predict under onnxruntime."""
    ort = pytest.importorskip("onnxruntime")
    est = Est(hidden_layer_sizes=(4,), epochs=2, random_state=0)
    obj = make_pipeline(StandardScaler(), est) if wrap == "pipeline" else GridSearchCV(est, {"alpha": [0.0]}, cv=2)
    said = _refusal(cr.to_onnx, obj)
    expr = said.split("to_onnx(")[1].split(", path)")[0]
    _fit(obj)
    model = cr.to_onnx(eval(expr, {"pipe": obj, "search": obj}))
    rows = obj[:-1].transform(X) if wrap == "pipeline" else X
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    answer = "label" if Est is BackpropClassifier else "variable"
    assert answer in [o.name for o in session.get_outputs()], said
    got = session.run([answer], {"input": rows})[0]
    assert got.shape == obj.predict(X).shape
    np.testing.assert_allclose(got, obj.predict(X), rtol=1e-12)
