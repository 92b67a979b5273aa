"""Network.evaluate, n_correct, predict_classes and the output check (nn/evaluation.py) against
NumPy written out here: the loss and accuracy of the whole set, in chunks of any size."""
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.nn import network

RNG = np.random.default_rng(11)
X = RNG.normal(size=(23, 3))
W = RNG.uniform(0.2, 2.0, size=23)


def per_sample_loss(loss, out, Y):
    """Each sample's error, as the losses define it (docs: sse halves the sum; the others are means)."""
    if loss == "sse":
        return 0.5 * ((out - Y) ** 2).sum(axis=1)
    if loss == "mse":
        return ((out - Y) ** 2).mean(axis=1)
    if loss == "binary_crossentropy":
        return -(Y * np.log(out) + (1 - Y) * np.log(1 - out)).mean(axis=1)
    return -(Y * np.log(out)).sum(axis=1)


CASES = {
    "regression": (("tanh", "linear"), "mse", lambda: RNG.normal(size=(23, 2))),
    "sse": (("sigmoid", "sigmoid"), "sse", lambda: RNG.uniform(size=(23, 2))),
    "binary": (("tanh", "sigmoid"), "binary_crossentropy", lambda: (RNG.uniform(size=(23, 2)) > 0.5) * 1.0),
    "multiclass": (("relu", "softmax"), "categorical_crossentropy", lambda: np.eye(2)[RNG.integers(0, 2, 23)]),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("chunk", [1, 7, 23, 1000])
@pytest.mark.parametrize("weighted", [False, True])
def test_evaluate_in_chunks_is_the_whole_sets_loss_and_accuracy(case, chunk, weighted, monkeypatch):
    acts, loss, make_y = CASES[case]
    Y = make_y()
    net = cr.Network([cr.Dense(3, 4, acts[0]), cr.Dense(4, 2, acts[1])], loss=loss, seed=5)
    out = net.forward(X)
    w = W if weighted else np.ones(len(X))
    truth_loss = float(np.dot(w, per_sample_loss(loss, out, Y)) / len(X))     # Keras': by the rows' count
    if case == "multiclass":
        hits = (out.argmax(axis=1) == Y.argmax(axis=1)) * 1.0
    else:
        hits = ((out > 0.5) == (Y > 0.5)).mean(axis=1)
    monkeypatch.setattr(network, "CHUNK", chunk)
    result = net.evaluate(X, Y, sample_weight=W if weighted else None)
    assert result["loss"] == pytest.approx(truth_loss, rel=1e-12)
    if case in ("regression", "sse"):
        assert set(result) == {"loss"} and net.n_correct(out, Y) is None
    else:
        assert result["accuracy"] == pytest.approx(float(np.dot(w, hits) / w.sum()), rel=1e-12)
        assert net.n_correct(out, Y) == pytest.approx(hits.sum(), rel=1e-12)


def test_predict_classes_and_targets_of_class_labels():
    net = cr.Network([cr.Dense(3, 3, "softmax")], loss="categorical_crossentropy", seed=2)
    labels = np.array([0, 2, 1])
    np.testing.assert_array_equal(net.targets(labels), np.eye(3)[labels])
    np.testing.assert_array_equal(net.predict_classes(X), net.predict(X).argmax(axis=1))
    binary = cr.Network([cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=2)
    np.testing.assert_array_equal(binary.predict_classes(X), (binary.predict(X)[:, 0] > 0.5).astype(int))
    assert (net.task, binary.task, cr.Network([cr.Dense(3, 1)], loss="mse").task) == \
        ("multiclass", "binary", "regression")


def test_an_unusual_output_is_reported_at_the_line_that_builds_the_network():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cr.Network([cr.Dense(3, 2, "sigmoid")], loss="categorical_crossentropy")
    assert [w.filename for w in caught] == [__file__]
    with pytest.raises(cr.errors.ValidationError, match="'binary_crossentropy' needs probabilities"):
        cr.Network([cr.Dense(3, 1, "tanh")], loss="binary_crossentropy")


def test_predict_classes_of_several_labels_are_what_evaluate_counts():
    # binary cross-entropy with 3 sigmoid outputs: 3 independent labels per sample; evaluate's accuracy
    # is the fraction of labels with (out > 0.5) == (Y > 0.5), so the predicted classes are that 0/1 matrix
    net = cr.Network([cr.Dense(3, 5, "tanh"), cr.Dense(5, 3, "sigmoid")], loss="binary_crossentropy", seed=4)
    Y = (RNG.uniform(size=(23, 3)) > 0.5) * 1.0
    predicted = net.predict_classes(X)
    np.testing.assert_array_equal(predicted, (net.predict(X) > 0.5).astype(int))
    assert predicted.shape == (23, 3)
    assert net.evaluate(X, Y)["accuracy"] == pytest.approx(np.mean(predicted == Y), rel=1e-12)


@pytest.mark.parametrize("where", ["output", "hidden"])
def test_a_softmax_over_one_unit_is_refused(where):
    # softmax over one unit is exp(z) / exp(z) = 1 for every input: d out / d z = 0, nothing learns
    torch = pytest.importorskip("torch")
    z = torch.tensor([[-3.0], [0.5], [40.0]], dtype=torch.float64, requires_grad=True)
    out = torch.softmax(z, dim=1)
    out.sum().backward()
    assert torch.all(out == 1) and torch.all(z.grad == 0)
    for loss in ("categorical_crossentropy", "mse"):
        layers = [cr.Dense(3, 1, "softmax")] + ([cr.Dense(1, 2, "softmax")] if where == "hidden" else [])
        with pytest.raises(cr.errors.ValidationError, match="activation='softmax' over n_out=1 unit"):
            cr.Network(layers, loss=loss)


def test_predict_classes_of_a_regression_is_refused_and_keras_and_torch_loss_names_are_known():
    """predict_classes of a linear-output regression thresholded its values at 0.5 without a word;
    Keras' and torch.nn's loss names were unknown ('CrossEntropyLoss' suggested binary_crossentropy)."""
    X = np.array([[0.1, 0.2], [3.0, -1.0]])
    reg = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)
    with pytest.raises(cr.errors.ValidationError, match="predict_classes is for a classifier; this network regresses"):
        reg.predict_classes(X)
    xor_like = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="sse", seed=0)      # the seeds' outputs: 0/1 at 0.5
    np.testing.assert_array_equal(xor_like.predict_classes(X), (xor_like.predict(X)[:, 0] > 0.5).astype(int))
    for name, ours in [("sparse_categorical_crossentropy", "categorical_crossentropy"), ("mean_squared_error", "mse"),
                       ("CrossEntropyLoss", "categorical_crossentropy"), ("MSELoss", "mse"),
                       ("BCELoss", "binary_crossentropy")]:
        out = "softmax" if ours == "categorical_crossentropy" else "sigmoid"
        net = cr.Network([cr.Dense(2, 3, out)], loss=name, seed=0)
        assert net.loss_function.name == ours
    sparse = cr.Network([cr.Dense(2, 3, "softmax")], loss="sparse_categorical_crossentropy", seed=0)
    assert sparse.loss(X, [0, 2]) == cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy",
                                                seed=0).loss(X, np.eye(3)[[0, 2]])


def test_a_users_loss_cannot_take_an_alias_name():
    """A loss registered as 'mean_squared_error' was never reached (the alias went to MSE first), and a
    saved network with it loaded with MSE: such a name is refused as the built-in names are."""
    from chainrule.nn.losses import MSE
    for name in ("mean_squared_error", "MSELoss", "cce"):
        with pytest.raises(cr.errors.ValidationError, match="belongs to the built-in"):
            cr.register_loss(type("Mine", (MSE,), {"name": name}))
