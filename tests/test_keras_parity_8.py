"""Keras parity, eighth round, against Keras 3 itself (KERAS_BACKEND=torch) from the same weights: evaluate's dict
and list."""
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

WEIGHTS = np.array([1.0, 2.0, 3.0, 0.5, 1.0, 4.0, 0.0, 2.0, 1.5, 1.0], dtype=np.float32)
SPLITS = [{"metrics": ["accuracy"]}, {"weighted_metrics": ["accuracy"]},
          {"metrics": ["accuracy"], "weighted_metrics": ["accuracy"]}, {"metrics": []}]
MEAN = "mean_with_sample_weight"


def _data(n=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)).astype(np.float32)
    y = (X[:, 0] > X[:, 1]).astype(int) + (X[:, 0] > 0.8)
    return X, y


def _twins(lr=0.5, reduction="sum_over_batch_size", **metrics):
    """A chainrule softmax network and a Keras model with the same weights, plain SGD, `reduction` and `metrics`."""
    net = cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy", seed=0, dtype="float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr),
                  loss=keras.losses.SparseCategoricalCrossentropy(reduction=reduction), **metrics)
    model.set_weights([net.layers[0].W.copy(), net.layers[0].b.copy()])
    net.optimizer = cr.optim.SGD(lr=lr).bind(net)
    return net, model


def _dataset(X, y, size, w=None):
    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return -(-len(X) // size)

        def __getitem__(self, i):
            part = slice(i * size, (i + 1) * size)
            return (X[part], y[part]) if w is None else (X[part], y[part], w[part])
    return Batches()


def _same(ours: dict, theirs: dict) -> None:
    assert list(ours) == list(theirs)                   # the names and their order
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=2e-5, atol=1e-6, err_msg=key)


class Ours(cr.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append(("batch", batch, dict(logs)))

    def on_epoch_end(self, epoch, logs):
        self.seen.append(("epoch", epoch, dict(logs)))


class Theirs(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append(("batch", batch, dict(logs)))

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(("epoch", epoch, dict(logs)))


def _same_logs(ours: Ours, theirs: Theirs) -> None:
    assert [s[:2] for s in ours.seen] == [s[:2] for s in theirs.seen]
    for (_, _, a), (_, _, b) in zip(ours.seen, theirs.seen):
        _same(a, b)


@pytest.mark.parametrize("metrics", SPLITS, ids=["metrics", "weighted", "both", "none"])
def test_evaluate_dict_names_sorted_as_keras(metrics):
    """Keras 3's evaluate(return_dict=True) sorts its names (accuracy, loss, weighted_accuracy); so does this."""
    X, y = _data()
    net, model = _twins(**metrics)
    for extra in ({"sample_weight": WEIGHTS}, {}):
        _same(net.evaluate(X, y, **extra, return_dict=True, **metrics),
              model.evaluate(X, y, **extra, verbose=0, return_dict=True))


def test_evaluate_list_of_both_names_each_accuracy_once():
    """Keras 3's list for metrics= and weighted_metrics= repeats the first accuracy ([loss, accuracy, accuracy,
    weighted_accuracy]: its compiled metrics' names, both "accuracy", then the sorted rest); chainrule's is that list
    without the repeat, the dict's values in Keras' list order (docs/guide.md)."""
    X, y = _data()
    both = SPLITS[2]
    net, model = _twins(**both)
    theirs = model.evaluate(X, y, sample_weight=WEIGHTS, verbose=0)
    named = model.evaluate(X, y, sample_weight=WEIGHTS, verbose=0, return_dict=True)
    assert theirs == [named["loss"], named["accuracy"], named["accuracy"], named["weighted_accuracy"]]
    ours = net.evaluate(X, y, sample_weight=WEIGHTS, return_dict=False, **both)
    np.testing.assert_allclose(ours, theirs[:2] + theirs[3:], rtol=2e-5, atol=1e-6)
