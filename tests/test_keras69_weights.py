"""Weights whose sum passes float64's largest number: the weighted mean divides by that sum, so fit logged loss 0.0
and accuracy 0 or NaN without a word. They are refused, naming the weights, the largest one and the remedy."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError


def _problem():
    X = np.random.default_rng(0).normal(size=(20, 3))
    return X, (X[:, 0] > 0).astype(int)


def _net():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=1)


@pytest.mark.parametrize("reduction", ["mean_with_sample_weight", "sum_over_batch_size"])
def test_class_weight_summing_past_float64_is_refused(reduction):
    X, y = _problem()
    with pytest.raises(ValidationError, match=r"class_weight.*sum past float64's largest.*largest weight 1e\+308; "
                                              r"divide them all by one factor"):
        _net().fit(X, y, epochs=1, verbose=0, class_weight={1: 1e308}, weight_reduction=reduction)


def test_sample_weight_summing_past_float64_is_refused_by_fit_evaluate_and_loss():
    X, y = _problem()
    w = np.full(20, 1e307)
    net = _net()
    calls = (lambda: net.fit(X, y, epochs=1, verbose=0, sample_weight=w, weight_reduction="mean_with_sample_weight"),
             lambda: net.fit(X, y, epochs=1, verbose=0, sample_weight=w / 10, class_weight={0: 10.0, 1: 10.0}),
             lambda: net.evaluate(X, y, sample_weight=w, weight_reduction="mean_with_sample_weight"))
    for call in calls:
        with pytest.raises(ValidationError, match=r"^sample_weight.*sum past float64.s largest.*weight 1e\+307"):
            call()


def test_large_weights_with_a_finite_sum_train_as_their_ratios():
    """Only ratios count in the weighted mean: weights times 1e300 give the same fit as the weights themselves."""
    X, y = _problem()
    w = np.linspace(1.0, 3.0, 20)
    small = _net().fit(X, y, epochs=2, verbose=0, sample_weight=w, weight_reduction="mean_with_sample_weight")
    large = _net().fit(X, y, epochs=2, verbose=0, sample_weight=w * 1e300, weight_reduction="mean_with_sample_weight")
    np.testing.assert_allclose(large.history["loss"], small.history["loss"], rtol=1e-9)
    np.testing.assert_allclose(large.history["accuracy"], small.history["accuracy"], rtol=1e-9)


@pytest.mark.parametrize("call", ["fit", "evaluate"])
def test_weights_past_float32_in_a_float32_network_are_refused_by_keras_reduction(call):
    """Keras' sum_over_batch_size scales each row's error by its weight in the network's dtype: 1e39 is inf in
    float32, so fit said "diverged, try a lower learning rate" and evaluate raised NumPy's "zero-size array"."""
    X, y = _problem()
    net = cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=1, dtype="float32")
    w = np.full(20, 1e39)
    run = (lambda: net.fit(X, y, epochs=1, verbose=0, sample_weight=w)) if call == "fit" else \
        (lambda: net.evaluate(X, y, sample_weight=w))
    with pytest.raises(ValidationError, match=r"^sample_weight: weight 0 is 1e\+39, past float32's largest number "
                                              r"\(3\.4e\+38\).*mean_with_sample_weight"):
        run()
    assert np.isfinite(net.evaluate(X, y, sample_weight=w, weight_reduction="mean_with_sample_weight")["loss"])


def test_the_refusal_says_when_only_ratios_count():
    """Under Keras' sum_over_batch_size the loss scales with the weights (the remedy's common factor changes it), so
    "only their ratios count" is said of mean_with_sample_weight alone."""
    X, y = _problem()
    w = np.linspace(1.0, 3.0, 20)
    net = _net()
    keras_mean = [net.evaluate(X, y, sample_weight=w * f)["loss"] for f in (1.0, 4.0)]
    np.testing.assert_allclose(keras_mean[1], 4 * keras_mean[0], rtol=1e-6)     # the factor is no mere ratio here
    with pytest.raises(ValidationError, match=r"only their ratios count with weight_reduction='mean_with_sample_"
                                              r"weight' \(with Keras' 'sum_over_batch_size' the loss scales"):
        net.fit(X, y, epochs=1, verbose=0, sample_weight=np.full(20, 1e307))
