"""Keras' steps_per_epoch naming the epoch's own number of batches (`len(X) // batch_size` where it divides, a
sequence's len()) is one pass over the data, as in Keras: taken, the run the same as without it; any other count is
still refused (tests/test_keras_parity_6.py)."""
import os

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError


def _problem():
    X = np.random.default_rng(0).normal(size=(48, 3))
    return X, (X[:, 0] > 0).astype(int)


def _net():
    return cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=1)


def test_steps_per_epoch_of_the_epochs_batches_trains_as_keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    X, y = _problem()
    net = _net()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    model.set_weights(net.get_weights())
    keras_history = model.fit(X, y, batch_size=16, epochs=2, steps_per_epoch=len(X) // 16, shuffle=False, verbose=0)
    history = net.fit(X, y, batch_size=16, epochs=2, steps_per_epoch=len(X) // 16, shuffle=False, verbose=0,
                      optimizer=cr.optim.SGD(0.1))
    assert history.params["steps"] == keras_history.params["steps"] == 3
    np.testing.assert_allclose(history.history["loss"], keras_history.history["loss"], rtol=1e-5)
    for a, b in zip(net.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("split, steps", [(0.25, 3), (0.0, 4)])
def test_steps_per_epoch_counts_the_training_rows_batches(split, steps):
    """36 training rows of 48 (validation_split=0.25) are 3 batches of 16; all 48, ceil(48 / 15) = 4 of 15."""
    X, y = _problem()
    size = 16 if split else 15
    plain = _net().fit(X, y, batch_size=size, validation_split=split, epochs=1, shuffle=False, verbose=0)
    given = _net().fit(X, y, batch_size=size, validation_split=split, epochs=1, shuffle=False, verbose=0,
                       steps_per_epoch=np.int64(steps))
    assert given.history == plain.history
    with pytest.raises(ValidationError, match=rf"steps_per_epoch is not supported \(got {steps + 1}\)"):
        _net().fit(X, y, batch_size=size, validation_split=split, epochs=1, verbose=0, steps_per_epoch=steps + 1)


def test_steps_per_epoch_of_a_sequences_length_is_taken():
    X, y = _problem()
    batches = [(X[a:a + 16], y[a:a + 16]) for a in range(0, 48, 16)]
    plain = _net().fit(batches, epochs=2, shuffle=False, verbose=0)
    given = _net().fit(batches, epochs=2, shuffle=False, verbose=0, steps_per_epoch=3)
    assert given.history == plain.history
    for wrong in (2, True, 3.0):
        with pytest.raises(ValidationError, match=rf"steps_per_epoch is not supported \(got {wrong!r}\)"):
            _net().fit(batches, epochs=1, verbose=0, steps_per_epoch=wrong)


def test_validation_steps_of_the_whole_validation_set_is_taken():
    """Keras' validation_steps counts batches of validation_batch_size (or batch_size): all of them is all of it."""
    X, y = _problem()
    for extra, steps in (({}, 1), ({"validation_batch_size": 5}, 3)):      # 12 rows: one batch of 16, three of 5
        plain = _net().fit(X, y, batch_size=16, validation_split=0.25, epochs=1, verbose=0, seed=0, **extra)
        given = _net().fit(X, y, batch_size=16, validation_split=0.25, epochs=1, verbose=0, seed=0,
                           validation_steps=steps, **extra)
        assert given.history == plain.history
        with pytest.raises(ValidationError, match=r"validation_steps is not supported \(got 2\)"):
            _net().fit(X, y, batch_size=16, validation_data=(X[:40], y[:40]), epochs=1, verbose=0, validation_steps=2)
