"""metrics= and weighted_metrics= against Keras 3 (KERAS_BACKEND=torch): a function or object of the user's own is
refused whatever its name (Keras runs its code; chainrule would log its own accuracy under that name), a metric
named like another key of the logs is refused, and evaluate(return_dict=False) lists the values in Keras' order."""
import inspect
import os

import numpy as np
import pytest
from test_errors import _documented_messages
from test_nn65_metrics import W, _data  # the weights and rows both files compare with Keras on

import chainrule as cr
from chainrule.errors import ValidationError

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

def _twins(**metrics):
    net = cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy", seed=0, dtype="float32")
    net.layers[0].W[:], net.layers[0].b[:] = [[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]], [0.0, 0.0, -1.0]   # 8 of 10 right
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", **metrics)
    model.set_weights([net.layers[0].W.copy(), net.layers[0].b.copy()])
    return net, model


def accuracy(y_true, y_pred):
    """A top-2 accuracy under Keras' name: Keras runs it; chainrule does not count it."""
    return keras.metrics.sparse_top_k_categorical_accuracy(y_true, y_pred, k=2)


def sparse_categorical_accuracy(y_true, y_pred):
    return keras.metrics.sparse_top_k_categorical_accuracy(y_true, y_pred, k=2)


class SparseCategoricalAccuracy:
    """Keras' class name on a class of one's own."""
    name = "sparse_categorical_accuracy"


class Top2(keras.metrics.SparseCategoricalAccuracy):
    """A subclass of Keras' class whose count is its own."""

    def update_state(self, y_true, y_pred, sample_weight=None):
        return keras.metrics.SparseTopKCategoricalAccuracy.update_state(self, y_true, y_pred, sample_weight)


@pytest.mark.parametrize("own", [accuracy, sparse_categorical_accuracy, SparseCategoricalAccuracy(), Top2()],
                         ids=["function accuracy", "function sparse_categorical_accuracy", "class of one's own",
                              "subclass of Keras'"])
@pytest.mark.parametrize("where", ["metrics", "weighted_metrics"])
def test_a_metric_of_ones_own_named_as_an_accuracy_is_refused(own, where):
    X, y = _data()
    net, model = _twins()
    if inspect.isfunction(own):         # Keras runs the user's code: a number that is not the accuracy chainrule counts
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=[own])
        theirs = model.evaluate(X, y, verbose=0, return_dict=True)[own.__name__]
        assert theirs != pytest.approx(net.evaluate(X, y)["accuracy"])
    for call in (lambda: net.evaluate(X, y, **{where: [own]}),
                 lambda: net.fit(X, y, epochs=1, verbose=0, **{where: [own]})):
        with pytest.raises(ValidationError, match=rf"^{where}: the (function|object) '\w+' of [\w.]+ is not Keras' "
                                                  r"own, and chainrule does not run a metric's code: it computes only "
                                                  r"its accuracies 'accuracy', 'acc', 'binary_accuracy', "):
            call()


@pytest.mark.parametrize("own", [keras.metrics.sparse_categorical_accuracy, keras.metrics.SparseCategoricalAccuracy(),
                                 keras.metrics.SparseCategoricalAccuracy(name="sca")])
def test_keras_own_accuracies_are_still_taken(own):
    X, y = _data()
    net, model = _twins(metrics=[own])
    theirs = model.evaluate(X, y, verbose=0, return_dict=True)
    ours = net.evaluate(X, y, metrics=[own])
    assert list(ours) == list(theirs)
    np.testing.assert_allclose(list(ours.values()), list(theirs.values()), rtol=1e-5)


@pytest.mark.parametrize("name", ["loss", "val_accuracy", "val_loss", "lr", "learning_rate", "grad_norm/0"])
@pytest.mark.parametrize("where", ["metrics", "weighted_metrics"])
def test_a_metric_named_like_another_log_key_is_refused(name, where):
    X, y = _data()
    if name == "loss":          # Keras' logs lose the loss: the accuracy is logged over it
        net, model = _twins(metrics=[keras.metrics.SparseCategoricalAccuracy(name=name)])
        logged = model.evaluate(X, y, verbose=0, return_dict=True)
        assert logged["loss"] == pytest.approx(net.evaluate(X, y)["accuracy"])
    net = _twins()[0]
    given = {where: [keras.metrics.SparseCategoricalAccuracy(name=name)]}
    said = (f"{where}: SparseCategoricalAccuracy(name={name!r}) would overwrite fit's own key in the logs ('loss', "
            "'lr', 'learning_rate', those starting 'val_' or holding '/'); give it another name")
    for call in (lambda: net.evaluate(X, y, **given), lambda: net.fit(X, y, epochs=1, verbose=0, **given)):
        with pytest.raises(ValidationError) as info:
            call()
        assert str(info.value) == said


@pytest.mark.parametrize("metrics", [
    {"metrics": ["sparse_categorical_accuracy"]}, {"weighted_metrics": ["sparse_categorical_accuracy"]},
    {"metrics": ["sparse_categorical_accuracy"], "weighted_metrics": ["accuracy"]},
    {"metrics": ["accuracy"], "weighted_metrics": ["sparse_categorical_accuracy"]},
    {"metrics": ["sparse_categorical_accuracy"], "weighted_metrics": ["acc"]},
    {"metrics": ["acc"], "weighted_metrics": ["accuracy"]}, {"metrics": []},
    "objects"])
def test_evaluate_lists_the_values_in_keras_order(metrics):
    if metrics == "objects":       # names sorted the other way round: the list follows compile's order, not names
        metrics = {"metrics": [keras.metrics.SparseCategoricalAccuracy(name="zz")],
                   "weighted_metrics": [keras.metrics.SparseCategoricalAccuracy(name="aa")]}
    X, y = _data()
    net, model = _twins(**metrics)
    theirs = model.evaluate(X, y, sample_weight=W, verbose=0)
    ours = net.evaluate(X, y, sample_weight=W, return_dict=False, **metrics)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    both = net.evaluate(X, y, sample_weight=W, **metrics)
    assert len(set(both.values())) == len(both)          # each value tells its key: the order is checked


def test_a_name_in_another_case_is_refused_plainly():
    """Two accuracies in one list are taken, as Keras takes them (tests/test_keras66_metrics.py); a name in
    another case than Keras' is refused, as Keras refuses it."""
    X, y = _data()
    with pytest.raises(ValidationError) as info:
        _twins()[0].fit(X, y, epochs=1, verbose=0, metrics=["SPARSE_CATEGORICAL_ACCURACY"])
    assert str(info.value) == _documented_messages()["metrics name in another case"]


def test_the_documented_rows_are_what_is_raised():
    net, (X, y) = _twins()[0], _data()
    for row, given in (("metrics a function of one's own", {"metrics": [np.mean]}),
                       ("metrics object named like a log key",
                        {"weighted_metrics": [keras.metrics.SparseCategoricalAccuracy(name="loss")]})):
        with pytest.raises(ValidationError) as info:
            net.evaluate(X, y, **given)
        assert str(info.value) == _documented_messages()[row], row


@pytest.mark.parametrize("where", ["metrics", "weighted_metrics"])
def test_keras_own_class_given_uninstantiated_is_taken_as_keras_takes_it(where):
    X, y = _data()
    given = {where: [keras.metrics.SparseCategoricalAccuracy]}      # Keras makes one, named by its default
    net, model = _twins(**given)
    theirs = model.evaluate(X, y, sample_weight=W, verbose=0, return_dict=True)
    ours = net.evaluate(X, y, sample_weight=W, **given)
    assert list(ours) == list(theirs) == ["loss", "sparse_categorical_accuracy"]
    np.testing.assert_allclose(list(ours.values()), list(theirs.values()), rtol=1e-5)

@pytest.mark.parametrize("given", [None, 3, b"acc", {"out": "accuracy"}])
def test_what_is_not_a_metric_at_all_is_refused_naming_the_accuracies(given):
    X, y = _data()
    with pytest.raises(ValidationError) as info:
        _twins()[0].evaluate(X, y, metrics=[given])
    assert str(info.value) == ("metrics: chainrule's metrics are the accuracies 'accuracy', 'acc', 'binary_accuracy', "
                               f"'categorical_accuracy', 'sparse_categorical_accuracy' (the loss is always logged); "
                               f"got {given!r}")
