"""fit's shuffle read as Keras 3's fit reads it: None shuffles nothing (Keras' twin gives the same weights), 1 and 0
are True and False; 'batch' stays refused (tests/test_keras65_shuffle_batch.py)."""
import numpy as np
import pytest
from keras_twins import digits, fit, keras, twins  # noqa: F401  (keras: skipped where it is not installed)


def test_shuffle_none_trains_in_order_as_keras():
    X, y = digits()
    net, model = twins(lr=0.1)
    ours = fit(net, X, y, [], 2, shuffle=None)
    theirs = fit(model, X, y, [], 2, shuffle=None)
    np.testing.assert_allclose(ours.history["loss"], theirs.history["loss"], rtol=1e-6, atol=1e-6)
    for a, b in zip(net.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("given, same_as", [(1, True), (0, False), (np.int64(1), True), (np.int8(0), False)])
def test_shuffle_one_and_zero_are_true_and_false(given, same_as):
    X, y = digits()
    runs = []
    for shuffle in (given, same_as):
        net, _ = twins(lr=0.1)
        net.fit(X, y, epochs=2, batch_size=16, shuffle=shuffle, seed=4, verbose=0)
        runs.append(net.params.copy())
    np.testing.assert_array_equal(*runs)
    net, _ = twins(lr=0.1)
    net.fit(X, y, epochs=2, batch_size=16, shuffle=not same_as, seed=4, verbose=0)
    assert not np.array_equal(net.params, runs[0])      # the order mattered: the test can tell them apart
