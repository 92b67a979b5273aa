"""Neighbours of keras70's steps and weight checks: validation_data given as a tuple of batches or as lists of rows
still trains (the steps count read only when asked), an epoch refused for overflowing weights whose first batch is
unweighted leaves the network and optimizer exactly as before it, and validation_steps' advice counts rows of
validation_batch_size, as Keras evaluates them."""
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


def test_a_sequence_validated_on_a_tuple_of_batches_or_lists_of_rows_trains():
    X, y = _problem()
    batches = [(X[a:a + 16], y[a:a + 16]) for a in range(0, 48, 16)]
    as_list = _net().fit(batches, validation_data=batches[:2], epochs=1, shuffle=False, verbose=0)
    assert _net().fit(batches, validation_data=tuple(batches[:2]), epochs=1, shuffle=False, verbose=0).history == \
        as_list.history
    assert _net().fit(batches, validation_data=tuple(batches[:2]), validation_steps=2, epochs=1, shuffle=False,
                      verbose=0).history == as_list.history        # all of its 2 batches: the whole validation
    arrays = _net().fit(batches, validation_data=(X[:8], y[:8]), epochs=1, shuffle=False, verbose=0)
    rows = _net().fit(batches, validation_data=(X[:8].tolist(), y[:8].tolist()), epochs=1, shuffle=False, verbose=0)
    assert rows.history == arrays.history


class Mixed:
    """Batch 0 unweighted, batches 1 and 2 of 16 rows weighted by 1e306 each; from epoch `heavy` on (counted by
    the sequence's on_epoch_begin), by 1e307: each batch's sum 1.6e308, the epoch's past float64 at batch 2."""

    def __init__(self, X, y, heavy):
        self.X, self.y, self.heavy, self.epoch = X, y, heavy, 0

    def __len__(self):
        return 3

    def on_epoch_begin(self):
        self.epoch += 1

    def __getitem__(self, i):
        xb, yb = self.X[16 * i:16 * i + 16], self.y[16 * i:16 * i + 16]
        w = 1e307 if self.epoch >= self.heavy else 1e306
        return (xb, yb) if i == 0 else (xb, yb, np.full(16, w))


def test_an_overflowing_epoch_whose_first_batch_is_unweighted_is_undone_exactly():
    X, y = _problem()
    kwargs = {"verbose": 0, "shuffle": False, "weight_reduction": "mean_with_sample_weight"}
    refused, twin = _net(), _net()
    refused.fit(Mixed(X, y, heavy=99), epochs=1, optimizer=cr.optim.Adam(0.01), **kwargs)
    twin.fit(Mixed(X, y, heavy=99), epochs=1, optimizer=cr.optim.Adam(0.01), **kwargs)
    with pytest.raises(ValidationError, match=r"at batch 2 of epoch 1 \(the network and its optimizer are left as "
                                              r"they were before epoch 1\)"):
        refused.fit(Mixed(X, y, heavy=1), epochs=1, **kwargs)     # the optimizer of the first fit goes on
    np.testing.assert_array_equal(refused.params, twin.params)
    refused.fit(Mixed(X, y, heavy=99), epochs=1, **kwargs)        # its Adam moments and step count as the twin's
    twin.fit(Mixed(X, y, heavy=99), epochs=1, **kwargs)
    np.testing.assert_array_equal(refused.params, twin.params)


def test_validation_steps_advice_counts_validation_batch_size_rows_as_keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    X, y = _problem()
    net = _net()
    with pytest.raises(ValidationError, match=r"give its first validation_steps \* validation_batch_size = 10 rows"):
        net.fit(X[:32], y[:32], batch_size=16, validation_data=(X[32:], y[32:]), validation_batch_size=5,
                validation_steps=2, verbose=0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    model.set_weights(net.get_weights())
    keras_history = model.fit(X[:32], y[:32], batch_size=16, validation_data=(X[32:], y[32:]),
                              validation_batch_size=5, validation_steps=2, shuffle=False, verbose=0)
    history = net.fit(X[:32], y[:32], batch_size=16, validation_data=(X[32:42], y[32:42]),   # the advice: 10 rows
                      shuffle=False, verbose=0, optimizer=cr.optim.SGD(0.1))
    np.testing.assert_allclose(history.history["val_loss"], keras_history.history["val_loss"], rtol=1e-5)
