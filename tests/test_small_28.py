"""validation_data (X_val, Y_val, w_val) given as lists of rows read as arrays, as Keras reads every triple, beside a
sequence of batches and beside arrays alike (the truth: the weighted loss computed here with NumPy); and a pickled
network or estimator holds its weights, optimizer state and history, not its last batch's caches (the truth: the
size of scikit-learn's MLPClassifier pickle, and an unpickled twin that predicts and trains on identically)."""
import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

import chainrule as cr
from chainrule.sklearn import BackpropClassifier


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


def pickled_size(rows):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, 8))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = BackpropClassifier(hidden_layer_sizes=(20,), batch_size=rows, epochs=2, random_state=0).fit(X, y)
        mlp = MLPClassifier(hidden_layer_sizes=(20,), batch_size=rows, max_iter=2, random_state=0).fit(X, y)
    return len(pickle.dumps(ours)), len(pickle.dumps(mlp)), ours, X, y


def test_a_full_batch_estimator_pickles_its_weights_not_its_last_outputs():
    """With batch_size = rows the pickle held the last batch's outputs: 58 KB for 5,000 rows beside MLPClassifier's
    14 KB, growing with the rows; now about MLP's size, the same for 500 rows and 5,000."""
    small, _, _, _, _ = pickled_size(500)
    big, mlp, clf, X, y = pickled_size(5000)
    assert big < 2 * mlp
    assert abs(big - small) < 500
    twin = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(twin.predict_proba(X), clf.predict_proba(X))
    for model in (clf, twin):
        model.partial_fit(X, y)
    for a, b in zip(twin.network_.get_weights(), clf.network_.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert twin.loss_curve_ == clf.loss_curve_


def test_a_pickled_dropout_network_keeps_no_mask_and_trains_on_identically():
    """A network with Dropout pickled its last mask (the batch's size); now neither mask nor outputs, and the
    unpickled twin, its optimizer state and generator kept, trains on to the same weights."""
    rng = np.random.default_rng(3)
    sizes = []
    for rows in (100, 2000):
        X, y = rng.normal(size=(rows, 4)), rng.integers(0, 3, rows)
        net = cr.Network([cr.Dropout(0.3), cr.Dense(4, 6, "relu"), cr.Dense(6, 3, "softmax")],
                         loss="categorical_crossentropy", seed=0)
        net.fit(X, y, epochs=2, batch_size=rows, verbose=0, optimizer="adam")
        sizes.append(len(pickle.dumps(net)))
    assert abs(sizes[1] - sizes[0]) < 500
    twin = pickle.loads(pickle.dumps(net))
    for model in (net, twin):
        model.fit(X, y, epochs=1, batch_size=500, verbose=0, seed=4)
    for a, b in zip(twin.get_weights(), net.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert twin.history.history["loss"] == net.history.history["loss"]


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
