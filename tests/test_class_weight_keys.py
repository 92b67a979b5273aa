"""Network.fit's class_weight keys as Keras 3 reads them (class_weight.get(int(label))): 1.0 and np.int64(1) are class
1; a key Keras would silently never match (0.5, a label's name, a class the network has not) is refused, named."""
import os

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError

os.environ.setdefault("KERAS_BACKEND", "torch")


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3)).astype(np.float32)
    return X, (X[:, 0] + 0.3 * X[:, 1] > 0.4).astype(np.int64)


def _net():
    return cr.Network([cr.Dense(3, 3, "softmax")], loss="categorical_crossentropy", seed=0, dtype="float32")


def _keras_after(class_weight):
    keras = pytest.importorskip("keras")
    X, y = _data()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="sparse_categorical_crossentropy")
    model.set_weights(_net().get_weights())
    model.fit(X, y, epochs=1, batch_size=40, shuffle=False, verbose=0, class_weight=class_weight)
    return [w.copy() for w in model.get_weights()]


def _ours_after(class_weight):
    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=1, batch_size=40, shuffle=False, verbose=0, optimizer=cr.optim.SGD(lr=0.5),
            class_weight=class_weight)
    return net.get_weights()


@pytest.mark.parametrize("keys", [[0.0, 1.0], [np.int64(0), np.int64(1)], [np.float64(0.0), np.float64(1.0)],
                                  [False, True], [np.False_, np.True_]])
def test_float_and_numpy_keys_weigh_as_in_keras(keys):
    """{0.0: 1.0, 1.0: 3.0} was refused ("keys are class indices"); Keras trains with it as with {0: 1.0, 1: 3.0}."""
    weights = dict(zip(keys, [1.0, 3.0]))
    as_ints = {0: 1.0, 1: 3.0}
    for a, b in zip(_keras_after(weights), _keras_after(as_ints)):      # Keras: the same classes
        np.testing.assert_array_equal(a, b)
    for a, b in zip(_ours_after(weights), _ours_after(as_ints)):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(_ours_after(weights), _keras_after(weights)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("key, said", [(0.5, r"got 0\.5 \(float\)"),
                                       ("yes", r"got 'yes' \(str\); .*BackpropClassifier's class_weight"),
                                       (3, r"class indices 0\.\.2 .*got 3 \(int\)")])
def test_keys_keras_never_matches_are_refused_naming_the_key(key, said):
    """Keras ignores them (every row weighs 1, as if class_weight were not given): a typo trains silently there."""
    for a, b in zip(_keras_after({key: 5.0}), _keras_after(None)):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValidationError, match=said):
        _ours_after({key: 5.0})


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_the_estimator_takes_string_labels_as_scikit_learn_does():
    """scikit-learn's class_weight keys are the labels themselves (compute_class_weight): 'yes' weighs the 'yes' rows;
    a key that is no label is refused, naming it and the classes."""
    from sklearn.utils.class_weight import compute_class_weight

    from chainrule.sklearn import BackpropClassifier
    X, y = _data()
    labels = np.where(y == 1, "yes", "no")
    expected = compute_class_weight({"no": 1.0, "yes": 3.0}, classes=np.array(["no", "yes"]), y=labels)
    clf = BackpropClassifier(hidden_layer_sizes=(), epochs=1, class_weight={"no": 1.0, "yes": 3.0})
    clf.fit(X, labels)
    assert clf.classes_.tolist() == ["no", "yes"]
    np.testing.assert_array_equal(clf._class_weighted(X, labels, None), expected[(labels == "yes").astype(int)])
    with pytest.raises(ValidationError, match=r"class_weight names 'Yes', which is not a class of y; .*'no', 'yes'"):
        BackpropClassifier(hidden_layer_sizes=(), epochs=1, class_weight={"no": 1.0, "Yes": 3.0}).fit(X, labels)


@pytest.mark.parametrize("class_weight", [{True: 3.0}, {False: 0.5, True: 3.0}, {np.True_: 3.0}])
def test_bool_keys_weigh_a_0_1_target_as_explicit_sample_weights(class_weight):
    """{True: 3.0} was refused ("keys are class indices"); Keras reads it as class 1 (class_weight.get(int(label)),
    and True == 1 as a dict key), so it trains as sample_weight 3 on the 1 rows, 1 (or False's) on the 0 rows."""
    X, y = _data()
    explicit = np.where(y == 1, class_weight.get(1, 1.0), class_weight.get(0, 1.0))
    trained = []
    for weights in ({"class_weight": class_weight}, {"sample_weight": explicit}):
        net = cr.Network([cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
        history = net.fit(X, y, epochs=2, batch_size=40, shuffle=False, verbose=0, optimizer=cr.optim.SGD(lr=0.5),
                          **weights)
        trained.append((history.loss, net.get_weights()))
    assert trained[0][0] == pytest.approx(trained[1][0], rel=1e-12)
    for a, b in zip(trained[0][1], trained[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-12)
