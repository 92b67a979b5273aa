"""`fit` on a Keras-style sequence of (x, y) batches: the same updates as the same batches drawn
from arrays, in the order given (or shuffled from the seed), checked batch by batch."""
import os

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ValidationError


def data(n=203, d=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int) + (X[:, 2] > 0.8)


def network(d=6):
    return cr.Network([cr.Dense(d, 12, "relu"), cr.Dense(12, 3, "softmax")], loss="categorical_crossentropy", seed=2)


def split(X, y, bs):
    return [(X[a:a + bs], y[a:a + bs]) for a in range(0, len(X), bs)]       # the last batch is short


def test_batches_in_order_equal_fit_on_arrays():
    X, y = data()
    seq, arr = network(), network()
    h_seq = seq.fit(split(X, y, 32), epochs=3, optimizer=cr.optim.Adam(1e-2), shuffle=False, verbose=0,
                    validation_data=(X[:50], y[:50]))
    h_arr = arr.fit(X, y, epochs=3, batch_size=32, optimizer=cr.optim.Adam(1e-2), shuffle=False, verbose=0,
                    validation_data=(X[:50], y[:50]))
    np.testing.assert_allclose(seq.params, arr.params, rtol=1e-12, atol=1e-15)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(h_seq.history[key], h_arr.history[key], rtol=1e-12)


def test_shuffled_batches_follow_the_seed():
    X, y = data()
    batches = split(X, y, 40)
    net = network()
    net.fit(batches, epochs=2, optimizer=cr.optim.SGD(0.1, momentum=0.9), seed=7, verbose=0)
    ref, opt = network(), cr.optim.SGD(0.1, momentum=0.9)        # by hand: the engine's step per batch
    rng = np.random.default_rng(7)
    for _ in range(2):
        for i in rng.permutation(len(batches)):
            xb, yb = batches[i]
            ref.backprop(xb, np.eye(3)[yb])
            opt.step(ref.params, ref.grads)
    np.testing.assert_allclose(net.params, ref.params, rtol=1e-12, atol=1e-15)


def test_keras_pydataset_with_on_epoch_end():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    X, y = data()

    class Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.epochs_ended = 0

        def __len__(self):
            return 7

        def __getitem__(self, i):
            return X[i * 29:(i + 1) * 29], y[i * 29:(i + 1) * 29]

        def on_epoch_end(self):
            self.epochs_ended += 1

    seq = Batches()
    net, arr = network(), network()
    history = net.fit(seq, epochs=2, shuffle=False, verbose=0, validation_data=seq)
    arr.fit(X, y, epochs=2, batch_size=29, shuffle=False, verbose=0)
    assert seq.epochs_ended == 4        # its 2 training epochs and, as validation_data too, its 2 passes (Keras')
    np.testing.assert_allclose(net.params, arr.params, rtol=1e-12, atol=1e-15)
    assert history.history["val_loss"][-1] == pytest.approx(arr.evaluate(X, y)["loss"], rel=1e-12)


def test_bad_sequences_are_named():
    X, y = data()
    net = network()
    with pytest.raises(ValidationError, match=r"batch 1: X has 5 features per sample; the network expects 6"):
        net.fit([(X[:10], y[:10]), (X[:10, :5], y[:10])], shuffle=False, verbose=0)
    with pytest.raises(ValidationError, match=r"batch 0 must be a pair \(x, y\) or a triple \(x, y, sample_weight\); "
                                              r"got tuple of length 4"):
        net.fit([(X, y, np.ones(len(y)), None)], verbose=0)
    with pytest.raises(ValidationError, match=r"batch 0: its sample weights \(the third item\) has 3 weights; "
                                              r"expected one per sample: 203"):
        net.fit([(X, y, np.ones(3))], verbose=0)
    with pytest.raises(ChainruleTypeError, match="iterator, which can be read only once"):
        net.fit(iter(split(X, y, 50)), verbose=0)
    with pytest.raises(ChainruleTypeError, match="sequence of \\(x, y\\) batches"):
        net.fit(X, verbose=0)
    with pytest.raises(ValidationError, match="validation_split needs arrays"):
        net.fit(split(X, y, 50), validation_split=0.2, verbose=0)
    with pytest.raises(ValidationError, match="holds no batches"):
        net.fit([], verbose=0)
