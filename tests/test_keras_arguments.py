"""A Network method's arguments given twice, too many by position or by an unknown name: a TypeError in the caller's
words, naming Network (the class called) and the argument, where Python's named the mixin KerasMethods."""
import numpy as np
import pytest

import chainrule as cr


def _net_and_data():
    X = np.random.default_rng(0).normal(size=(8, 2))
    y = (X[:, 0] > 0).astype(float)
    return cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0), X, y


@pytest.mark.parametrize("call, said", [
    (lambda net, X, y: net.fit(X, y, X=X, verbose=0), r"Network\.fit\(\) got X twice: as the first argument and as X="),
    (lambda net, X, y: net.fit(X, y, Y=y, verbose=0), r"fit\(\) got Y twice: as the second argument and as Y="),
    (lambda net, X, y: net.predict(X, X=X), r"Network\.predict\(\) got X twice: as the first argument"),
    (lambda net, X, y: net.evaluate(X, y, X=X), r"Network\.evaluate\(\) got X twice"),
    (lambda net, X, y: net.evaluate(X, y, None, sample_weight=None), r"got sample_weight twice: as the third"),
    (lambda net, X, y: net.predict_classes(X, X=X), r"Network\.predict_classes\(\) got X twice"),
    (lambda net, X, y: net.train_steps(X, y, 1, Y=y), r"Network\.train_steps\(\) got Y twice"),
    (lambda net, X, y: net.fit(X, y, 32, 2), r"fit\(\) takes at most 2 arguments by position \(X, Y\); got 4: "
                                             r"give the others by name \(epochs=, batch_size="),
    (lambda net, X, y: net.fit(X, y, epoch=3), r"Network\.fit\(\) got an unexpected keyword argument 'epoch' "
                                               r"\(did you mean epochs=\?\)"),
])
def test_an_argument_given_twice_is_named_in_the_callers_words(call, said):
    net, X, y = _net_and_data()
    with pytest.raises(TypeError, match=said) as raised:
        call(net, X, y)
    assert "KerasMethods" not in str(raised.value) and "multiple values" not in str(raised.value)


def test_keras_names_and_one_of_each_still_work():
    net, X, y = _net_and_data()
    net.fit(x=X, y=y, epochs=1, verbose=0)
    np.testing.assert_array_equal(net.predict(x=X), net.predict(X))
    assert net.evaluate(x=X, y=y) == net.evaluate(X, y)
    np.testing.assert_array_equal(net.predict_classes(x=X), net.predict_classes(X))
