"""Keras parity, eighth round, against Keras 3 itself (KERAS_BACKEND=torch) from the same weights: evaluate's dict
and list, the loss fit logs under weight_reduction="mean_with_sample_weight" (epoch and batch logs, validation's
too, on arrays and on a sequence), and a validation sequence weighing nothing (or bad callbacks) refused before
training, the network's optimizer kept."""
import os

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
from test_keras_parity_7 import _dataset  # noqa: E402  (a PyDataset of (x, y) or (x, y, w) batches)

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


def test_evaluate_list_of_both_names_repeats_the_accuracy_as_keras():
    """Keras 3's list for metrics= and weighted_metrics= repeats the first accuracy ([loss, accuracy, accuracy,
    weighted_accuracy]: its compiled metrics' names, both "accuracy", then the sorted rest); chainrule's is that
    list too (it named each accuracy once)."""
    X, y = _data()
    both = SPLITS[2]
    net, model = _twins(**both)
    theirs = model.evaluate(X, y, sample_weight=WEIGHTS, verbose=0)
    named = model.evaluate(X, y, sample_weight=WEIGHTS, verbose=0, return_dict=True)
    assert theirs == [named["loss"], named["accuracy"], named["accuracy"], named["weighted_accuracy"]]
    ours = net.evaluate(X, y, sample_weight=WEIGHTS, return_dict=False, **both)
    np.testing.assert_allclose(ours, theirs, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("metrics", SPLITS[1:3], ids=["weighted", "both"])
def test_mean_with_sample_weight_logs_keras_loss_on_arrays(metrics):
    """Keras' loss tracker weighs each batch's loss by its rows, whatever the reduction: under
    "mean_with_sample_weight" the epoch's loss is sum_b rows_b * (sum w E / sum w)_b / rows, not the weighted
    mean of the whole epoch; the batches' running logs and the trained weights as Keras'. The validation set
    is one batch (its loss is then the weighted mean in both)."""
    X, y = _data()
    Xv, yv = _data(4, seed=1)
    wv = np.array([0.5, 2.0, 1.0, 3.0], dtype=np.float32)
    net, model = _twins(reduction=MEAN, **metrics)
    theirs = Theirs()
    model.fit(X, y, sample_weight=WEIGHTS, batch_size=4, epochs=2, shuffle=False, verbose=0,
              validation_data=(Xv, yv, wv), callbacks=[theirs])
    ours = Ours()
    net.fit(X, y, sample_weight=WEIGHTS, batch_size=4, epochs=2, shuffle=False, verbose=0,
            validation_data=(Xv, yv, wv), callbacks=[ours], weight_reduction=MEAN, **metrics)
    _same_logs(ours, theirs)
    for a, b in zip(net.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("metrics", SPLITS[1:3], ids=["weighted", "both"])
def test_mean_with_sample_weight_logs_keras_loss_on_a_sequence(metrics):
    """The same on weighted batches (x, y, w), a batch weighing nothing among them (its loss 0 over its rows, Keras'
    divide_no_nan). The validation sequence is one batch: with more, Keras' val_loss weighs each batch's weighted
    mean by its rows, chainrule's is evaluate's weighted mean of them all, as on arrays (docs/guide.md)."""
    X, y = _data(11)
    Xv, yv = _data(7, seed=1)
    w = np.linspace(0.2, 3.0, 11).astype(np.float32)
    w[4:8] = 0.0
    wv = np.linspace(0.5, 2.0, 7).astype(np.float32)
    net, model = _twins(reduction=MEAN, **metrics)
    theirs = Theirs()
    model.fit(_dataset(X, y, 4, w), epochs=2, verbose=0, shuffle=False, validation_data=_dataset(Xv, yv, 7, wv),
              callbacks=[theirs])
    ours = Ours()
    net.fit(_dataset(X, y, 4, w), epochs=2, verbose=0, shuffle=False, validation_data=_dataset(Xv, yv, 7, wv),
            callbacks=[ours], weight_reduction=MEAN, **metrics)
    _same_logs(ours, theirs)
    for a, b in zip(net.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_a_validation_list_weighing_nothing_is_refused_before_training():
    """Validation batches held in a list, every one weighted by zeros: refused before the first batch trains,
    in the words of the arrays' refusal (not an epoch later, at the first validation)."""
    X, y = _data(8)
    Xv, yv = _data(6, seed=1)
    net = cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    net.fit(X, y, optimizer=cr.optim.Adam(), verbose=0)
    before, opt = [a.copy() for a in net.get_weights()], net.optimizer
    with pytest.raises(ValidationError) as arrays:
        net.fit(X, y, validation_data=(Xv, yv, np.zeros(6)), optimizer=cr.optim.SGD(lr=0.1), verbose=0)
    assert net.optimizer is opt
    ours = Ours()
    batches = [(Xv[:3], yv[:3], np.zeros(3)), (Xv[3:], yv[3:], np.zeros(3))]
    with pytest.raises(ValidationError) as seq:
        net.fit([(X[:4], y[:4]), (X[4:], y[4:])], validation_data=batches, optimizer=cr.optim.SGD(lr=0.1),
                verbose=0, callbacks=[ours])
    assert str(seq.value) == str(arrays.value)
    assert ours.seen == []
    assert net.optimizer is opt             # the network's Adam, its moments kept: not the refused fit's SGD
    for a, b in zip(net.get_weights(), before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("bad", [{"callbacks": [print]}, {"callbacks": cr.callbacks.History()}, {"verbose": 3}])
@pytest.mark.parametrize("sequence", [False, True])
def test_refused_callbacks_or_verbose_leave_the_networks_optimizer(bad, sequence):
    """A fit refused for its callbacks or verbose, before any training, leaves the network's optimizer (and its
    state) as it was, on arrays and on a sequence of batches."""
    X, y = _data(8)
    net = cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    net.fit(X, y, optimizer=cr.optim.Adam(), verbose=0)
    opt = net.optimizer
    data = ([(X[:4], y[:4]), (X[4:], y[4:])],) if sequence else (X, y)
    with pytest.raises(cr.errors.ChainruleError):
        net.fit(*data, **{"optimizer": cr.optim.SGD(lr=0.1), "verbose": 0, **bad})
    assert net.optimizer is opt


def test_a_bad_validation_batch_in_a_list_is_named_before_training():
    """The up-front reading checks each batch of such a list as validation would, naming it."""
    X, y = _data(8)
    Xv, yv = _data(6, seed=1)
    net = cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    ours = Ours()
    with pytest.raises(ValidationError, match="validation batch 1: its sample weights"):
        net.fit([(X, y)], validation_data=[(Xv[:3], yv[:3], np.ones(3)), (Xv[3:], yv[3:], -np.ones(3))],
                verbose=0, callbacks=[ours])
    assert ours.seen == []


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_a_weighted_loss_curve_over_batches_of_unequal_weight_is_mlps(kind):
    """scikit-learn's MLP weighs each batch's loss by its rows too (as Keras' loss tracker): the estimators'
    loss_curve_ (fit's logged loss) now equals MLP's over 23 rows in batches of 7 of unequal weight, alpha
    included (it weighed the batches by their weights: the weighted mean over the samples)."""
    pytest.importorskip("sklearn")
    import warnings

    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from test_sklearn_parity_5 import _from_same_weights

    from chainrule.sklearn import BackpropClassifier, BackpropRegressor
    rng = np.random.RandomState(0)
    X, w = rng.randn(23, 4), rng.uniform(0.0, 3.0, 23)
    kw = dict(hidden_layer_sizes=(5,), batch_size=7, alpha=0.3, warm_start=True, shuffle=False, random_state=0)
    if kind == "classifier":
        y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)
        mlp = MLPClassifier(solver="sgd", momentum=0.0, learning_rate_init=0.1, max_iter=3, **kw)
        ours = BackpropClassifier(optimizer="sgd", momentum=0.0, learning_rate=0.1, epochs=3, **kw)
    else:
        y = X @ rng.randn(4)
        mlp = MLPRegressor(solver="sgd", momentum=0.0, learning_rate_init=0.02, max_iter=3, **kw)
        ours = BackpropRegressor(optimizer="sgd", momentum=0.0, learning_rate=0.01, epochs=3, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp, ours = _from_same_weights(mlp, ours, X, y, sample_weight=w)
    np.testing.assert_allclose(ours.loss_curve_[3:], mlp.loss_curve_[3:], rtol=1e-10)
    assert ours.loss_ == pytest.approx(mlp.loss_, rel=1e-10)
