"""Keras' names of the data, model.fit(x=X, y=y), predict(x=...), evaluate(x=..., y=...): taken for X and Y (they
were "unexpected keyword argument 'x'"), giving what the positional call gives; both names of one: refused."""
import inspect
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")


def _net():
    return cr.Network([cr.Dense(2, 2, "softmax")], loss="categorical_crossentropy", seed=0)


X = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.2], [0.1, 0.9]])
y = np.array([0, 1, 1, 0])


@pytest.mark.parametrize("method", ["fit", "predict", "evaluate"])
def test_keras_data_names_are_taken(method):
    keras = pytest.importorskip("keras")
    names = list(inspect.signature(getattr(keras.Model, method)).parameters)[1:3]
    data = dict(zip(names, (X, y)))
    if method == "predict":          # Keras' predict(x, batch_size, ...): its second name is not y
        assert names[0] == "x"
        data = {"x": X}
    else:
        assert names == ["x", "y"]
    extra = {"verbose": 0, "shuffle": False} if method == "fit" else {}
    by_name, positional = _net(), _net()
    got = getattr(by_name, method)(**data, **extra)
    expected = getattr(positional, method)(*data.values(), **extra)
    if method == "fit":
        got, expected = by_name.params, positional.params
    np.testing.assert_array_equal(np.asarray(got if method != "evaluate" else list(got.values())),
                                  np.asarray(expected if method != "evaluate" else list(expected.values())))


def test_both_names_of_one_are_refused_naming_them():
    with pytest.raises(TypeError, match=r"Network\.fit\(\) got both X and x \(Keras' name of X\)"):
        _net().fit(X, x=X, verbose=0)
    with pytest.raises(TypeError, match=r"Network\.evaluate\(\) got both Y and y"):
        _net().evaluate(X, y, y=y)


def test_evaluate_s_third_argument_given_as_keras_batch_size_is_told_so():
    """Keras' evaluate(x, y, 32) is batch_size=32; here the third is sample_weight, and the error said only "must be
    1-D ... got shape ()"."""
    keras = pytest.importorskip("keras")
    assert list(inspect.signature(keras.Model.evaluate).parameters)[3] == "batch_size"
    with pytest.raises(cr.errors.ValidationError, match=r"third argument.*got 32\. Keras' third is batch_size: give "
                                                        r"batch_size=32"):
        _net().evaluate(X, y, 32)


def test_predict_s_y_is_refused_as_y_as_keras_refuses_it():
    """predict has no targets: y= was renamed to Y, then refused as "unexpected keyword argument 'Y'", a name the
    user never wrote; Keras' predict has no y either."""
    keras = pytest.importorskip("keras")
    assert "y" not in inspect.signature(keras.Model.predict).parameters
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'y'"):
        _net().predict(x=X, y=y)
