"""metrics= and weighted_metrics= named as Keras 3 names them, each against Keras' own fit from the same weights:
'accuracy' and 'acc' in any case, the other names exactly (a class's name too), and several accuracies in one list
each logged, a repeated name made unique as Keras makes it."""
import warnings

import numpy as np
import pytest
from keras_twins import digits, keras, twins

from chainrule.errors import ValidationError


def _fit_both(metrics, weighted_metrics=None, weights=False):
    X, y = digits()
    sample_weight = np.linspace(0.2, 2.0, len(y)).astype(np.float32) if weights else None
    net, model = twins()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.3), loss="sparse_categorical_crossentropy",
                  metrics=metrics, weighted_metrics=weighted_metrics)
    args = dict(batch_size=32, epochs=2, shuffle=False, verbose=0, sample_weight=sample_weight)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)     # the torch backend's own
        theirs = model.fit(X, y, **args).history
        their_eval = model.evaluate(X, y, sample_weight=sample_weight, verbose=0, return_dict=True)
    ours = net.fit(X, y, metrics=metrics, weighted_metrics=weighted_metrics, **args).history
    our_eval = net.evaluate(X, y, sample_weight=sample_weight, verbose=0, return_dict=True,
                            metrics=metrics, weighted_metrics=weighted_metrics)
    return theirs, ours, their_eval, our_eval


def _same(theirs, ours):
    assert list(ours) == list(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=2e-5, atol=1e-6, err_msg=key)


@pytest.mark.parametrize("name", ["ACC", "Accuracy", "SparseCategoricalAccuracy"])
def test_names_keras_takes_are_logged_as_given(name):
    """'ACC' and 'Accuracy' are Keras' accuracy (any case), 'SparseCategoricalAccuracy' its class's name: each
    logged under the name given, with Keras' numbers ('SparseCategoricalAccuracy' was refused)."""
    theirs, ours, their_eval, our_eval = _fit_both([name])
    _same(theirs, ours)
    _same(their_eval, our_eval)


@pytest.mark.parametrize("name", ["SPARSE_CATEGORICAL_ACCURACY", "Sparse_Categorical_Accuracy", "BINARY_ACCURACY"])
def test_names_keras_refuses_are_refused(name):
    """Keras matches the names exactly, but for 'accuracy' and 'acc': 'SPARSE_CATEGORICAL_ACCURACY' is its
    error (it was taken here, matched ignoring case); the refusal says which name to give."""
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        _fit_both([name])
    net, _ = twins()
    X, y = digits()
    with pytest.raises(ValidationError, match=f"metrics: {name!r} is not a metric name.*give {name.lower()!r}"):
        net.fit(X, y, epochs=1, verbose=0, metrics=[name])


@pytest.mark.parametrize("metrics, weighted_metrics", [
    (["accuracy", "sparse_categorical_accuracy"], None),
    (["accuracy", "accuracy", "acc"], ["accuracy"]),
    (["acc"], ["accuracy", "accuracy"]),
])
def test_several_accuracies_logged_as_keras(metrics, weighted_metrics):
    """Several accuracies in one list (refused here before) are each logged under Keras' keys: 'accuracy_1' for a
    repeated name, 'weighted_accuracy' for a weighted one whose name is taken; the weighted ones with weights."""
    theirs, ours, their_eval, our_eval = _fit_both(metrics, weighted_metrics, weights=True)
    _same(theirs, ours)
    _same(their_eval, our_eval)
