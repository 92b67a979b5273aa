"""Keras' metrics=["accuracy"] beside sample weights: the accuracy counting each row once is counted from the same
forward pass as the weighted one (evaluate and each epoch's validation ran a second pass for it), and a regressor
asked for accuracy is refused naming the argument given. The truth: scikit-learn's accuracy_score on the outputs
of a float64 NumPy forward pass."""
import numpy as np
import pytest
from sklearn.metrics import accuracy_score

import chainrule as cr
from chainrule.errors import ValidationError


def classifier():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3))
    y = np.eye(3)[rng.integers(0, 3, 40)]
    w = rng.uniform(0.1, 3.0, 40)
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 3, "softmax")], loss="categorical_crossentropy",
                     seed=0, dtype="float64")
    return net, X, y, w


def truth(net, X, y, w):
    """(accuracy counting rows once, weighted accuracy) of a float64 NumPy pass."""
    a = X
    for layer in net.layers[:-1]:
        a = np.tanh(a @ layer.W + layer.b)
    pred = (a @ net.layers[-1].W + net.layers[-1].b).argmax(axis=1)
    return accuracy_score(y.argmax(axis=1), pred), accuracy_score(y.argmax(axis=1), pred, sample_weight=w)


def counting(net):
    """The rows each call of layer 0's inference gets (a forward pass over them), in a list."""
    seen, infer = [], net.layers[0].infer

    def counted(a, *args, **kwargs):
        seen.append(a.shape[0])
        return infer(a, *args, **kwargs)
    net.layers[0].infer = counted
    return seen


def test_evaluate_counts_both_accuracies_in_one_pass():
    net, X, y, w = classifier()
    once, weighted = truth(net, X, y, w)
    seen = counting(net)
    result = net.evaluate(X, y, sample_weight=w, metrics=["accuracy"], weighted_metrics=["accuracy"])
    assert sum(seen) == len(X)                       # was 2 * 40: a second pass without the weights
    assert result["accuracy"] == pytest.approx(once, abs=1e-12)
    assert result["weighted_accuracy"] == pytest.approx(weighted, abs=1e-12)


def test_each_epochs_validation_counts_both_accuracies_in_one_pass():
    net, X, y, w = classifier()
    for layer in net.layers:
        layer.trainable = False
    once, weighted = truth(net, X, y, w)
    seen = counting(net)
    history = net.fit(X[:7], y[:7], epochs=2, verbose=0, validation_data=(X, y, w), sample_weight=np.ones(7),
                      metrics=["accuracy"], weighted_metrics=["accuracy"])
    assert seen.count(len(X)) == 2                   # one validation pass an epoch (was two)
    assert history.history["val_accuracy"] == pytest.approx([once] * 2, abs=1e-12)
    assert history.history["val_weighted_accuracy"] == pytest.approx([weighted] * 2, abs=1e-12)


@pytest.mark.parametrize("given, said", [
    ({"weighted_metrics": ["accuracy"]}, "weighted_metrics=['accuracy'] is"),
    ({"metrics": ["accuracy"]}, "metrics=['accuracy'] is"),
    ({"metrics": ["accuracy"], "weighted_metrics": ["accuracy"]},
     "metrics=['accuracy'] and weighted_metrics=['accuracy'] are")])
def test_a_regressor_asked_for_accuracy_is_refused_naming_the_argument_given(given, said):
    net = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)
    X, y = np.ones((3, 2)), np.ones((3, 1))
    for run in (lambda: net.evaluate(X, y, **given), lambda: net.fit(X, y, verbose=0, **given)):
        with pytest.raises(ValidationError) as refused:
            run()
        assert str(refused.value) == (f"{said} for a classifier; this network regresses (its task is regression): "
                                      "give metrics=None, weighted_metrics=None")


def test_a_sequences_weighted_validation_counts_both_accuracies_in_one_pass():
    """Validation batches (x, y, w) of a sequence: each ran a second pass without its weights."""
    net, X, y, w = classifier()
    for layer in net.layers:
        layer.trainable = False
    once, weighted = truth(net, X, y, w)
    seen = counting(net)
    history = net.fit([(X[:7], y[:7])], epochs=2, verbose=0, metrics=["accuracy"], weighted_metrics=["accuracy"],
                      validation_data=[(X[:20], y[:20], w[:20]), (X[20:], y[20:], w[20:])])
    assert seen.count(20) == 4                       # two batches an epoch, one pass each (was eight)
    assert history.history["val_accuracy"] == pytest.approx([once] * 2, abs=1e-12)
    assert history.history["val_weighted_accuracy"] == pytest.approx([weighted] * 2, abs=1e-12)
