"""float32 networks end to end: the numbers a float32 network gives match float64 truth (PyTorch autograd)."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.teach.gradcheck import numerical_gradients

torch = pytest.importorskip("torch")


def torch_flat_gradient(net, X, Y):
    """dE/dparams of net's weights (taken as float64) by PyTorch autograd, in net.params' order."""
    a = torch.tensor(X, dtype=torch.float64)
    tensors = {}
    for layer in net.dense_layers:
        W = torch.tensor(layer.W.astype(np.float64), requires_grad=True)
        b = torch.tensor(layer.b.astype(np.float64), requires_grad=True)
        tensors[id(layer), "W"], tensors[id(layer), "b"] = W, b
        z = a @ W + b
        a = torch.tanh(z) if layer.activation.name == "tanh" else z
    torch.nn.functional.mse_loss(a, torch.tensor(Y, dtype=torch.float64)).backward()
    flat = np.zeros(net.n_params)
    for layer, name, start, stop in net.segments:
        flat[start:stop] = tensors[id(layer), name].grad.numpy().ravel()
    return flat


def test_numerical_gradients_of_a_float32_network_are_float64_exact():
    """Stepping float32 weights by 1e-6 moves the float32 loss by about its last digit: the central
    differences were wrong by percents. They are taken in a float64 copy, as gradcheck's are."""
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(8, 4)), rng.normal(size=(8, 1))
    net = cr.Network([cr.Dense(4, 5, "tanh"), cr.Dense(5, 1)], loss="mse", dtype="float32", seed=0)
    before = net.params.copy()
    numeric = numerical_gradients(net, X, Y)
    truth = torch_flat_gradient(net, X, Y)
    assert np.max(np.abs(numeric - truth)) <= 1e-8 * np.max(np.abs(truth))
    assert net.dtype == np.float32 and np.array_equal(net.params, before)     # the network itself untouched


def test_class_labels_become_float32_one_hot_rows_without_a_float64_copy():
    """Labels for a float32 softmax network were one-hot in float64 first, then cast: a moment with three times
    the targets' float32 memory (n x k x 12 bytes; 240 MB for 200,000 rows of 100 classes, which keep 80)."""
    import tracemalloc
    n, k = 20_000, 50
    labels = np.random.default_rng(0).integers(0, k, n)
    net = cr.Network([cr.Dense(3, k, "softmax")], loss="categorical_crossentropy", dtype="float32", seed=0)
    X = np.zeros((n, 3), dtype=np.float32)
    tracemalloc.start()
    try:
        _, Y = net.check_data(X, labels)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert Y.dtype == np.float32 and np.array_equal(Y, np.eye(k, dtype=np.float32)[labels])
    assert peak < 1.5 * n * k * 4          # the float32 rows and little else (was 3x: a float64 copy besides)


def traced_peak(call):
    """The most memory (bytes) Python's allocations held at once during call()."""
    import tracemalloc
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("dtype", ["float32", "f4", np.dtype("float32")])
def test_a_float32_estimator_reads_integer_X_as_float32_at_once(dtype):
    """scikit-learn's validation made integer X float64 (its first dtype), which the float32 network then cast
    again: fit held 3.5 times X's float32 size at a moment, predict_proba twice it. The estimator takes any
    spelling of float32 (as the network does): 'f4' was read as float64 first."""
    import warnings

    from chainrule.sklearn import BackpropClassifier
    n, d = 50_000, 20
    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 100, (n, d)), rng.integers(0, 2, n)
    clf = BackpropClassifier(hidden_layer_sizes=(), dtype=dtype, epochs=1, batch_size=4096, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # one epoch: scikit-learn's ConvergenceWarning
        clf.fit(X[:100], y[:100])                # the first fit's imports and compiling are not the data's memory
        fit_peak = traced_peak(lambda: clf.fit(X, y))
    proba_peak = traced_peak(lambda: clf.predict_proba(X))
    assert fit_peak < 2.5 * n * d * 4 and proba_peak < 1.6 * n * d * 4     # about 1.45 and 1.05 (were 3.5 and 2)
    truth = torch.sigmoid(torch.tensor(X, dtype=torch.float64) @ torch.tensor(clf.coefs_[0], dtype=torch.float64)
                          + torch.tensor(clf.intercepts_[0], dtype=torch.float64)).numpy()[:, 0]
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float32 and np.allclose(proba[:, 1], truth, rtol=1e-5, atol=1e-6)


def test_a_dataframe_of_int_and_float_columns_is_read_straight_into_float32():
    """pandas copied a frame of int and float64 columns to a column-major float64 array, which was cast to
    float32 and then copied to C order: four times the float32 inputs' memory at a moment."""
    pd = pytest.importorskip("pandas")
    n, d = 50_000, 20
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(n, d)) * 10)
    frame[0] = rng.integers(-5, 5, n)
    net = cr.Network([cr.Dense(d, 2, "softmax")], loss="categorical_crossentropy", dtype="float32", seed=0)
    labels = rng.integers(0, 2, n)
    X = None

    def read():
        nonlocal X
        X = net.check_data(frame, labels)[0]
    peak = traced_peak(read)
    assert X.dtype == np.float32 and X.flags.c_contiguous
    assert np.array_equal(X, frame.to_numpy(dtype=np.float64).astype(np.float32))
    assert peak < 1.5 * n * d * 4 + labels.size * 4          # the inputs, the one-hot rows, little else
    assert traced_peak(lambda: net.predict(frame)) < 1.5 * n * d * 4


def test_a_column_major_float64_X_becomes_c_order_float32_in_one_copy():
    """A Fortran-order float64 X was cast to a Fortran-order float32 array, then copied again to C order."""
    n, d = 50_000, 20
    X = np.asfortranarray(np.random.default_rng(0).normal(size=(n, d)))
    net = cr.Network([cr.Dense(d, 1)], loss="mse", dtype="float32", seed=0)
    got = []
    peak = traced_peak(lambda: got.append(net.check_data(X, np.zeros(n))[0]))
    assert got[0].dtype == np.float32 and got[0].flags.c_contiguous and np.array_equal(got[0], X.astype(np.float32))
    assert peak < 1.7 * n * d * 4


def test_a_value_beyond_float32_in_a_dataframe_is_named_by_its_column_and_row():
    """A DataFrame is read column by column: a value float32 cannot hold is named by the user's words for its
    place (the column's name, the row's label), not by its position in an array they never made."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"age": [30.0, 40.0, 50.0], "income": [1.0, -1e39, np.inf]}, index=["ann", "bob", "cy"])
    net = cr.Network([cr.Dense(2, 1)], loss="mse", dtype="float32", seed=0)
    with pytest.raises(cr.errors.ValidationError, match=r"X column 'income' has values too large for float32 "
                                                        r"\(first -1e\+39 at row 'bob'"):
        net.check_data(frame, np.zeros(3))
    with pytest.raises(cr.errors.ValidationError, match=r"X contains NaN or infinity \(first at index \(1, 1\)"):
        net.check_data(frame.drop(index="bob"), np.zeros(2))       # infinity itself is no value too large
    assert np.array_equal(cr.Network([cr.Dense(2, 1)], loss="mse", seed=0).check_data(frame.iloc[:2], np.zeros(2))[0],
                          frame.iloc[:2].to_numpy())                # float64 holds it


@pytest.mark.parametrize("Y", [np.array([[1.0], [1e39]]), [[1.0], [1e39]]], ids=["array", "list"])
def test_targets_beyond_float32_are_named_as_too_large_not_as_infinity(Y):
    """Y was cast to float32 and reported as 'NaN or infinity', which it never held (X's values were named)."""
    net = cr.Network([cr.Dense(2, 1)], loss="mse", dtype="float32", seed=0)
    with pytest.raises(cr.errors.ValidationError, match=r"Y has values too large for float32 \(first 1e\+39 at "
                                                        r"index \(1, 0\)"):
        net.check_data(np.ones((2, 2)), Y)
