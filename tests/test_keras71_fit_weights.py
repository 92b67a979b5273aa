"""fit(class_weight=..., sample_weight=...) weighs each row by the product of both, as tf.keras 2 and scikit-learn do
(Keras 3 refuses the pair): the same float32 network and data, two epochs of SGD, give the loss and weights of Keras'
fit on that product as sample_weight, to 1e-6."""
import numpy as np
import pytest
from keras_twins import digits, fit, keras, twins  # noqa: F401  (keras: skipped where it is not installed)


@pytest.mark.parametrize("batch_size", [120, 32])
def test_class_weight_times_sample_weight_as_keras(batch_size):
    X, y = digits()
    sample_weight = np.random.default_rng(0).uniform(0.2, 3.0, len(y)).astype(np.float32)
    class_weight = {c: 0.5 + 0.25 * c for c in range(10)}
    net, model = twins(lr=0.1)
    ours = fit(net, X, y, [], 2, batch_size=batch_size, sample_weight=sample_weight, class_weight=class_weight)
    product = sample_weight * np.array([class_weight[c] for c in y], np.float32)
    theirs = fit(model, X, y, [], 2, batch_size=batch_size, sample_weight=product)
    np.testing.assert_allclose(ours.history["loss"], theirs.history["loss"], rtol=1e-6, atol=1e-6)
    for a, b in zip(net.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    ours_eval = net.evaluate(X, y, sample_weight=sample_weight, verbose=0)
    theirs_eval = model.evaluate(X, y, sample_weight=sample_weight, verbose=0, return_dict=True)
    np.testing.assert_allclose(ours_eval["loss"], theirs_eval["loss"], rtol=1e-6, atol=1e-6)
