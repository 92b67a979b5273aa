"""`fit` on a sequence of batches: its validation measured as `Network.evaluate` and fit on arrays measure the same
rows (overflowed rows from their outputs as predict gives them), a weightless validation set refused as on arrays,
and a batch (x, y, None) taken as Keras 3 takes it: unweighted. The truth: exact sums (fractions) and float64 logits,
fit on arrays, and Keras 3 (torch backend) from the same weights."""
import os

import numpy as np
import pytest
from test_evaluate_overflow import CASES, logits_truth, per_row_loss, sign_flip_net

import chainrule as cr
from chainrule.errors import ValidationError

REDUCTIONS = ["sum_over_batch_size", "mean_with_sample_weight"]


def frozen(net):
    for layer in net.layers:
        layer.trainable = False             # the weights stay: val_loss is that of these
    return net


@pytest.mark.parametrize("weighted", [None, *REDUCTIONS])
def test_sequence_validation_measures_an_overflowed_row_as_evaluate_does(weighted):
    """A float32 softmax network whose row 0 overflows in the plain pass: the sequence's val_loss read that pass
    (1.4692 where evaluate and array validation give 1.0548); now the float64 truth, as both of those."""
    out, loss, k, y = CASES["multiclass"]
    net, X = sign_flip_net("float32", out, loss, k)
    frozen(net)
    z = logits_truth(net, X)
    e = per_row_loss(loss, z, np.eye(k)[y])
    w = np.array([2.0, 1.0, 0.5, 3.0])
    mean = weighted == "mean_with_sample_weight"
    truth = e.mean() if weighted is None else (w @ e) / (w.sum() if mean else 4)
    batches = [(X[:1], y[:1]), (X[1:], y[1:])] if weighted is None else [(X[:1], y[:1], w[:1]), (X[1:], y[1:], w[1:])]
    train = [(np.zeros((2, X.shape[1]), np.float32), y[:2])]
    kwargs = {} if weighted is None else {"weight_reduction": weighted}
    history = net.fit(train, epochs=1, verbose=0, validation_data=batches, **kwargs)
    arrays = net.fit(np.zeros((2, X.shape[1]), np.float32), y[:2], epochs=1, verbose=0,
                     validation_data=(X, y) if weighted is None else (X, y, w), **kwargs)
    got = history.history["val_loss"][0]
    assert got == pytest.approx(truth, rel=1e-6)
    assert got == pytest.approx(arrays.history["val_loss"][0], rel=1e-6)
    assert got == pytest.approx(net.evaluate(X, y, sample_weight=None if weighted is None else w, **kwargs)["loss"],
                                rel=1e-6)
    hit = z.argmax(axis=1) == y
    assert history.history["val_accuracy"][0] == pytest.approx(np.average(hit, weights=None if weighted is None
                                                                           else w))


def test_sequence_validation_of_a_row_no_layer_gives_is_nan_as_on_arrays():
    """A ReLU beyond float32 under a sigmoid: predict refuses the row; its val_loss was the plain pass's finite
    number; now NaN, as fit on arrays (and Keras) give."""
    net = cr.Network([cr.Dense(2, 1, "relu"), cr.Dense(1, 1, "sigmoid")], loss="mse", seed=0, dtype="float32")
    net.layers[0].W[:, 0] = [3e38, 3e38]
    net.layers[0].b[...] = 0
    net.layers[1].W[...] = 1e-38
    frozen(net)
    X, y = np.array([[1e-3, 1e-3], [1, 1]], dtype=np.float32), np.array([[1.0], [0.0]])
    with pytest.raises(ValidationError, match="Layer 0"):
        net.predict(X)
    history = net.fit([(np.zeros((1, 2), np.float32), y[:1])], epochs=1, verbose=0,
                      validation_data=[(X[:1], y[:1]), (X[1:], y[1:])])
    assert np.isnan(history.history["val_loss"][0])


def keras_pair(seed=0):
    """A Keras 3 model (torch) and a chainrule network with its weights (float32 both), and a problem of 12 rows."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(3, activation="softmax")])
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 3, "softmax")], loss="categorical_crossentropy",
                     dtype="float32")
    for layer, dense in zip(net.layers, model.layers):
        layer.W[...], layer.b[...] = (np.asarray(v) for v in dense.get_weights())
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(12, 3)).astype(np.float32)
    y = np.array([0, 1, 2, 0, 1, 2, 2, 1, 0, 1, 2, 0])
    return keras, model, net, X, y


def dataset(keras, batches):
    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return len(batches)

        def __getitem__(self, i):
            return batches[i]
    return Batches()


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_a_weightless_validation_sequence_is_refused_as_arrays_are(reduction):
    """All its weights zero: a bare ZeroDivisionError ("mean_with_sample_weight") or val_accuracy NaN; Keras 3
    logs 0.0 for both (a set of no weight measures nothing), fit on arrays refuses it: now the sequence too, in the
    arrays' words."""
    keras, model, net, X, y = keras_pair()
    Y = np.eye(3, dtype=np.float32)[y]
    model.compile(keras.optimizers.SGD(0.0), "categorical_crossentropy", weighted_metrics=["accuracy"])
    zero = np.zeros(4, np.float32)
    logs = model.fit(dataset(keras, [(X, Y)]), epochs=1, verbose=0,
                     validation_data=dataset(keras, [(X[:4], Y[:4], zero)])).history
    assert (logs["val_loss"][0], logs["val_accuracy"][0]) == (0.0, 0.0)
    message = "validation_data's sample weight is zero for all 4 samples: at least one weight must be > 0"
    with pytest.raises(ValidationError, match=message):
        net.fit(X, y, epochs=1, verbose=0, validation_data=(X[:4], y[:4], zero), weight_reduction=reduction)
    with pytest.raises(ValidationError, match=message):
        net.fit([(X, y)], epochs=1, verbose=0, validation_data=[(X[:4], y[:4], zero)], weight_reduction=reduction)
    with pytest.raises(ValidationError, match=message.replace("4", "12")):
        net.fit([(X, y)], epochs=1, verbose=0, weight_reduction=reduction,
                validation_data=[(X[:4], y[:4], zero), (X[4:], y[4:], np.zeros(8))])


def test_a_validation_batch_of_zero_weight_among_others_matches_keras():
    """One validation batch weighs nothing, the other weighs: Keras 3's val_loss (each batch's sum_i w_i E_i / n_b,
    averaged by batch size) and weighted val_accuracy; "mean_with_sample_weight": the weights' mean of the rows'
    losses, evaluate's (the measure of each batch divides by its weight: a batch of none is skipped)."""
    keras, model, net, X, y = keras_pair(1)
    frozen(net)
    Y = np.eye(3, dtype=np.float32)[y]
    w = np.array([0, 0, 0, 0, 1, 2, 0.5, 3, 1, 1, 2, 1], np.float32)
    model.compile(keras.optimizers.SGD(0.0), "categorical_crossentropy", weighted_metrics=["accuracy"])
    logs = model.fit(dataset(keras, [(X, Y)]), epochs=1, verbose=0,
                     validation_data=dataset(keras, [(X[:4], Y[:4], w[:4]), (X[4:], Y[4:], w[4:])])).history
    batches = [(X[:4], y[:4], w[:4]), (X[4:], y[4:], w[4:])]
    ours = net.fit([(X, y)], epochs=1, verbose=0, validation_data=batches).history
    assert ours["val_loss"][0] == pytest.approx(logs["val_loss"][0], rel=1e-5)
    assert ours["val_accuracy"][0] == pytest.approx(logs["val_accuracy"][0], rel=1e-6)
    mean = net.fit([(X, y)], epochs=1, verbose=0, validation_data=batches,
                   weight_reduction="mean_with_sample_weight").history
    by_arrays = net.evaluate(X, y, sample_weight=w, weight_reduction="mean_with_sample_weight")
    assert mean["val_loss"][0] == pytest.approx(by_arrays["loss"], rel=1e-6)
    assert mean["val_loss"][0] == pytest.approx(logs["val_loss"][0] * 12 / w.sum(), rel=1e-5)


def test_batches_with_none_weights_train_unweighted_as_keras():
    """(x, y, None) was refused ("must be a numeric array; got a NoneType"); Keras 3 trains such batches
    unweighted, and takes validation (x, y, None) batches, or arrays (X_val, Y_val, None), as unweighted too."""
    keras, model, net, X, y = keras_pair(2)
    Y = np.eye(3, dtype=np.float32)[y]
    model.compile(keras.optimizers.SGD(0.1), "categorical_crossentropy", metrics=["accuracy"])
    train = [(X[:5], Y[:5], None), (X[5:], Y[5:], None)]
    logs = model.fit(dataset(keras, train), epochs=2, shuffle=False, verbose=0,
                     validation_data=dataset(keras, [(X[:6], Y[:6], None), (X[6:], Y[6:], None)])).history
    history = net.fit([(X[:5], y[:5], None), (X[5:], y[5:], None)], epochs=2, shuffle=False, verbose=0,
                      optimizer=cr.optim.SGD(0.1), validation_data=[(X[:6], y[:6], None), (X[6:], y[6:], None)])
    for layer, dense in zip(net.layers, model.layers):
        for ours, theirs in zip((layer.W, layer.b), dense.get_weights()):
            np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(history.history[key], logs[key], rtol=1e-5)
    again = net.fit([(X, y, None)], epochs=1, verbose=0, validation_data=(X, y, None))
    assert again.history["val_loss"][0] == pytest.approx(net.evaluate(X, y)["loss"], rel=1e-12)


def test_arrays_validation_with_weights_beside_a_sequence():
    """validation_data=(X_val, Y_val, w_val) beside a sequence of batches was read as three batches (a pair or
    a triple expected, got an array); now weighted as fit on arrays weighs it (Keras 3 takes it too)."""
    keras, model, net, X, y = keras_pair(3)
    frozen(net)
    w = np.linspace(0.5, 2.0, 12)
    for reduction in REDUCTIONS:
        seq = net.fit([(X, y)], epochs=1, verbose=0, validation_data=(X, y, w), weight_reduction=reduction)
        arrays = net.fit(X, y, epochs=1, verbose=0, validation_data=(X, y, w), weight_reduction=reduction)
        for key in ("val_loss", "val_accuracy"):
            assert seq.history[key][0] == pytest.approx(arrays.history[key][0], rel=1e-12)
    with pytest.raises(ValidationError, match="validation_data's sample weight has 3 weights; expected one per "
                                              "sample: 12"):
        net.fit([(X, y)], epochs=1, verbose=0, validation_data=(X, y, w[:3]))


def test_arrays_validation_with_none_weights_as_keras():
    """fit on arrays refused validation_data=(X_val, Y_val, None) ("must be a numeric array; got a NoneType"), which
    Keras 3 takes as unweighted; now the same logs as (X_val, Y_val), Keras' from the same weights."""
    keras, model, net, X, y = keras_pair(4)
    frozen(net)
    Y = np.eye(3, dtype=np.float32)[y]
    model.compile(keras.optimizers.SGD(0.0), "categorical_crossentropy", metrics=["accuracy"])
    logs = model.fit(X, Y, batch_size=12, epochs=1, verbose=0, validation_data=(X, Y, None)).history
    ours = net.fit(X, y, epochs=1, verbose=0, validation_data=(X, y, None)).history
    for key in ("val_loss", "val_accuracy"):
        assert ours[key][0] == pytest.approx(logs[key][0], rel=1e-5)
