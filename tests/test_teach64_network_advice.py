"""The advice a teaching function gives for what is not a Network is advice that works: a Pipeline or a model
from_sklearn does not import is not sent to from_sklearn (which refuses it), a file's name is loaded, and the
drawings (network_diagram, decision_boundaries) say the same instead of an AttributeError."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError

X = np.array([[0.5, -1.0], [1.0, 0.3], [0.2, 0.7]])
Y = np.array([[0.1], [0.9], [0.4]])


def _fitted(model, y=Y[:, 0]):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


def _said(call) -> str:
    with pytest.raises(ChainruleTypeError) as info:
        call()
    return str(info.value)


def test_a_model_from_sklearn_refuses_is_not_sent_to_it():
    from sklearn.linear_model import LinearRegression
    model = _fitted(LinearRegression())
    with pytest.raises(ChainruleTypeError):
        cr.from_sklearn(model)                         # the truth: it does not convert
    said = _said(lambda: cr.explain(model, X, Y))
    assert said.startswith("explain: net must be a chainrule Network; got LinearRegression, a scikit-learn model "
                           "that chainrule does not import"), said
    assert "from_sklearn(model)" not in said


def test_a_pipeline_names_its_last_step_which_the_converter_takes():
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    pipe = _fitted(make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(3,), max_iter=3, random_state=0)))
    with pytest.raises(ChainruleTypeError):
        cr.from_sklearn(pipe)                          # the truth: a Pipeline does not convert
    said = _said(lambda: cr.gradcheck(pipe, X, Y))
    assert "import it with cr.from_sklearn(pipe[-1])" in said and "not in the network" in said, said
    net = cr.from_sklearn(pipe[-1])                    # what it names does
    np.testing.assert_allclose(net.predict(pipe[0].transform(X))[:, 0], pipe.predict(X), rtol=1e-12)


def test_a_file_name_is_loaded_first(tmp_path):
    net, *_ = cr.examples.seed_network()
    path = str(tmp_path / "m.npz")
    cr.save(net, path)
    said = _said(lambda: cr.explain(path, X[:1], Y[:1]))
    assert said == (f"explain: net must be a chainrule Network; got str {path!r}: explain takes the network, not "
                    f"its file; load it first, chainrule.explain(chainrule.load({path!r}), X, Y)")
    np.testing.assert_array_equal(cr.load(path).params, net.params)


def test_the_drawings_say_what_converts_a_model(tmp_path):
    from sklearn.neural_network import MLPClassifier
    model = _fitted(MLPClassifier(hidden_layer_sizes=(3,), max_iter=3, random_state=0), [0, 1, 0])
    end = "got MLPClassifier, scikit-learn's MLP: import it with cr.from_sklearn(model)"
    assert _said(lambda: cr.plot.network_diagram(model, tmp_path / "d.png")) == (
        f"network_diagram: net must be a chainrule Network; {end}")
    assert _said(lambda: cr.plot.decision_boundaries([model], X, np.array([0, 1, 0]), tmp_path / "b.png")) == (
        f"decision_boundaries: nets[0] must be a chainrule Network; {end}")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("bad", ["model.npz", None])
def test_from_sklearn_of_a_name_or_none_is_no_pipeline(bad):
    # a string or None given itself was told "its  is 'model.npz', no model (the pipeline ends in its transformers)"
    said = _said(lambda: cr.from_sklearn(bad))
    assert said == f"estimator must be a scikit-learn MLPClassifier or MLPRegressor; got {type(bad).__name__}", said
