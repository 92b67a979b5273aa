"""validation_data (X_val, Y_val, w_val) given as lists of rows read as arrays, as Keras reads every triple, beside a
sequence of batches and beside arrays alike (the truth: the weighted loss computed here with NumPy); and a pickled
network or estimator holds its weights, optimizer state and history, not its last batch's caches (the truth: the
size of scikit-learn's MLPClassifier pickle, and an unpickled twin that predicts and trains on identically)."""
import numpy as np
import pytest

import chainrule as cr


def frozen_net():
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    net.layers[0].trainable = False            # the weights stay: val_loss is that of these
    return net


def weighted_bce(net, X, y, w):
    """Keras' sum_over_batch_size: sum(w * e) / rows, from the weights by NumPy."""
    W, b = net.get_weights()
    p = 1.0 / (1.0 + np.exp(-(np.asarray(X) @ W + b)[:, 0]))
    e = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    return float(np.dot(w, e) / len(y))


@pytest.mark.parametrize("rows", [3, 7])
@pytest.mark.parametrize("sequence", [True, False])
def test_a_triple_of_lists_of_rows_is_arrays(rows, sequence):
    """(X_val, Y_val, w_val) as lists: with 3 rows every item has 3 elements, and both fits read it as three
    batches ("X must be 2-D"); with 7 rows fit on a sequence read it as batches ("must be a pair ... got list of
    length 7") where fit on arrays took it. Keras unpacks any triple as (x, y, sample_weight): now both do."""
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(8, 2)), np.array([0, 1, 1, 0, 1, 0, 0, 1])
    Xv, yv, wv = rng.normal(size=(rows, 2)), rng.integers(0, 2, rows), rng.uniform(0.5, 2.0, rows)
    net = frozen_net()
    given = (Xv.tolist(), yv.tolist(), wv.tolist())
    history = net.fit([(X, y)], epochs=1, verbose=0, validation_data=given) if sequence else \
        net.fit(X, y, epochs=1, verbose=0, validation_data=given)
    assert history.history["val_loss"][0] == pytest.approx(weighted_bce(net, Xv, yv, wv), rel=1e-12)


def test_lists_of_three_batches_stay_batches():
    """A list of three batches, each a list [x, y] or [x, y, w], is still read as batches (its items all are)."""
    rng = np.random.default_rng(2)
    X, y, w = rng.normal(size=(9, 2)), rng.integers(0, 2, 9), rng.uniform(0.5, 2.0, 9)
    net = frozen_net()
    parts = [[X[i:i + 3], y[i:i + 3], w[i:i + 3]] for i in (0, 3, 6)]
    history = net.fit([(X, y)], epochs=1, verbose=0, validation_data=parts)
    assert history.history["val_loss"][0] == pytest.approx(weighted_bce(net, X, y, w), rel=1e-12)


class Batches:
    """A Keras-style sequence (not a list: its batches are read only as fit reaches them)."""

    def __init__(self, parts):
        self.parts = parts

    def __len__(self):
        return len(self.parts)

    def __getitem__(self, i):
        return self.parts[i]


@pytest.mark.parametrize("where", ["train", "validation"])
def test_an_empty_batch_is_refused_in_words(where):
    """An unweighted empty batch, which would add no rows (Keras' torch backend fails on it in training and logs
    val_loss NaN in validation), is refused naming the batch, before it is measured."""
    X, y = np.random.default_rng(4).normal(size=(6, 2)), np.array([0, 1, 1, 0, 1, 0])
    parts = Batches([(X, y), (X[:0], y[:0])])
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    with pytest.raises(cr.errors.ValidationError, match=r"batch 1: X is empty"):
        if where == "train":
            net.fit(parts, epochs=1, verbose=0)
        else:
            net.fit([(X, y)], epochs=1, verbose=0, validation_data=parts)
