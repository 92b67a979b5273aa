"""evaluate's return against Keras': ours defaults to the dict (documented, the docs read results by name), which is
Keras' return_dict=True; return_dict=False is Keras' default form, a scalar loss where it is all, else a list. And
Keras' `steps` of evaluate and predict was Python's bare "unexpected keyword argument": None is taken, a number
refused saying how to get the same pass."""
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")

X = np.random.default_rng(0).normal(size=(20, 3))
y = (X[:, 0] > 0).astype(int)


def _pair(metrics):
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=metrics)
    net = cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy")
    net.set_weights([w.astype(np.float64) for w in model.get_weights()])
    return model, net


@pytest.mark.parametrize("metrics", [[], ["accuracy"]])
def test_return_forms_are_keras(metrics):
    model, net = _pair(metrics)
    theirs, ours = model.evaluate(X, y, verbose=0), net.evaluate(X, y, return_dict=False, metrics=metrics)
    assert type(ours) is type(theirs) and np.allclose(ours, theirs, rtol=1e-5)     # scalar, or the list
    as_dict = model.evaluate(X, y, verbose=0, return_dict=True)
    assert sorted(net.evaluate(X, y, metrics=metrics)) == sorted(as_dict)           # our default: Keras' dict


def test_keras_steps_none_is_taken_and_a_number_refused():
    _, net = _pair([])
    assert net.evaluate(X, y, steps=None) == net.evaluate(X, y)
    np.testing.assert_array_equal(net.predict(X, steps=None), net.predict(X))
    for call in (lambda: net.evaluate(X, y, steps=2, batch_size=5), lambda: net.predict(X, steps=2, batch_size=5)):
        with pytest.raises(cr.errors.ValidationError, match=r"steps is not supported \(got 2\).*steps \* batch_size = "
                                                            r"10 rows \(X\[:k\]\)"):
            call()


def test_a_missing_x_or_y_is_named_in_the_networks_words():
    """evaluate(X) without Y was Python's "KerasMethods.evaluate() missing 1 required positional argument: 'Y'",
    naming a class the user never made. Keras' evaluate(x) alone is for a dataset of (x, y) batches, which evaluate
    does not take here: the error names the network's class, what Y is, and that."""
    net = cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    with pytest.raises(TypeError, match=r"^Network\.evaluate\(\) needs Y, the targets of X's rows \(Keras' y\): "
                                        r"evaluate\(X, Y\) \(Keras' evaluate\(x\) of a dataset"):
        net.evaluate(X)
    for call, name in ((lambda: net.evaluate(y=y), "evaluate"), (net.predict, "predict"), (net.fit, "fit")):
        with pytest.raises(TypeError, match=rf"^Network\.{name}\(\) needs X, the inputs \(Keras' x\)"):
            call()
    assert net.evaluate(x=X, y=y) == net.evaluate(X, y)
