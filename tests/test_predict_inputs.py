"""Inference on the inputs a user has: masked arrays, integer image files, HDF5 datasets, values
near the top of a dtype's range, and networks whose outputs overflow. Each case once went wrong:
a mask ignored, a whole file converted, an index error for a finite value, a NaN turned into class 0."""
import tracemalloc
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ModelFileError, ValidationError
from chainrule.nn.inference import outputs
from chainrule.sklearn import BackpropClassifier


def net_of(widths=(784, 64, 10), dtype="float32", hidden="relu"):
    layers = [cr.Dense(a, b, hidden) for a, b in zip(widths[:-2], widths[1:-1])]
    layers.append(cr.Dense(widths[-2], widths[-1], "softmax"))
    return cr.Network(layers, loss="categorical_crossentropy", dtype=dtype, seed=0)


def peak_of(fn):
    tracemalloc.start()
    try:
        out = fn()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_masked_value_is_refused_by_predict_as_by_forward():
    # predict's chunked path took any ndarray subclass and used the hidden -999 as an input
    net = net_of((3, 4, 2))
    X = np.ma.masked_equal(np.array([[0.2, -999.0, 1.0], [0.1, 0.3, 0.5]]), -999.0)
    message = r"X is a masked array with 1 masked value \(first at index \(0, 1\)\)"
    for call in (net.predict, net.predict_classes, lambda X: net.evaluate(X, [0, 1])):
        with pytest.raises(ValidationError, match=message):
            call(X)
    np.testing.assert_array_equal(net.predict(np.ma.masked_array(X.data)), net.predict(X.data))    # no mask: fine


@pytest.mark.parametrize("kind", ["uint8 memmap", "int32 array", "float64 array"])
def test_integer_and_other_dtype_inputs_are_converted_a_chunk_at_a_time(kind, tmp_path):
    """A uint8 image file as fit streams it: predict and evaluate converted it whole (320 MB for
    100,000 x 784) where fit took 52 MB; now a chunk at a time."""
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(20_000, 784), dtype=np.uint8)
    if kind == "uint8 memmap":
        np.save(tmp_path / "x.npy", pixels)
        X = np.load(tmp_path / "x.npy", mmap_mode="r")
    else:
        X = pixels.astype(kind.split()[0])
    y = rng.integers(0, 10, size=20_000)
    net = net_of()
    whole = outputs(net, pixels.astype(np.float32))                   # 63 MB converted at once
    got, peak = peak_of(lambda: net.predict(X))
    assert peak < got.nbytes + 6 * 2**20, peak / 2**20
    # float32 sums of 784 unscaled pixels (logits in the hundreds): OpenBLAS rounds a product of
    # another row count in another order (its small-matrix kernels), by up to 1e-4 of a probability
    np.testing.assert_allclose(got, whole, rtol=0, atol=2e-4)
    assert (got.argmax(axis=1) == whole.argmax(axis=1)).mean() > 0.999
    result, peak = peak_of(lambda: net.evaluate(X, y))
    assert peak < 12 * 2**20, peak / 2**20         # chunks of X converted, about 8 MB (the whole: 60 MB)
    expected = net.evaluate(pixels.astype(np.float32), y)
    assert result["accuracy"] == expected["accuracy"]
    assert result["loss"] == pytest.approx(expected["loss"], rel=1e-5)


def test_an_hdf5_dataset_is_read_a_chunk_at_a_time(tmp_path):
    h5py = pytest.importorskip("h5py")
    rng = np.random.default_rng(1)
    data = rng.random((20_000, 784), dtype=np.float32)
    with h5py.File(tmp_path / "x.h5", "w") as f:
        f["x"] = data
    net = net_of()
    with h5py.File(tmp_path / "x.h5", "r") as f:
        got, peak = peak_of(lambda: net.predict(f["x"]))
        assert peak < got.nbytes + 8 * 2**20, peak / 2**20           # the whole dataset: 63 MB
        np.testing.assert_allclose(got, outputs(net, data), rtol=1e-5, atol=1e-7)


def test_one_bad_value_in_a_file_is_named_without_converting_the_file(tmp_path):
    X = np.lib.format.open_memmap(tmp_path / "bad.npy", "w+", np.float64, (20_000, 784))
    X[:] = 0.5
    X[-1, 3] = np.nan
    X.flush()
    X = np.load(tmp_path / "bad.npy", mmap_mode="r")
    net = net_of()
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError, match=r"X contains NaN or infinity \(first at index \(19999, 3\)\)"):
            net.predict(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20, peak / 2**20            # the whole file converted to name the index: 63 MB


def test_a_finite_value_too_large_for_float32_is_named_as_such(tmp_path):
    net = net_of((5, 4, 3))
    X = np.zeros((3000, 5))
    X[2500, 1] = 1e300
    message = r"X has values too large for float32 \(first 1e\+300 at index \(2500, 1\); float32 holds up to 3.4e\+38\)"
    with pytest.raises(ValidationError, match=message):
        net.predict(X, batch_size=1000)
    np.save(tmp_path / "x.npy", X)
    mapped = np.load(tmp_path / "x.npy", mmap_mode="r")
    with pytest.raises(ValidationError, match=message):
        net.evaluate(mapped, np.zeros(3000, dtype=int))
    # fit reads a file a batch at a time: the row is named, the value as too large (was "NaN or infinity")
    with pytest.raises(ValidationError, match=r"X has values too large for float32 \(1e\+300 at row 2500, column 1;"):
        net.fit(mapped, np.zeros(3000, dtype=int), epochs=1, batch_size=100, shuffle=False, verbose=0)


@pytest.mark.parametrize("fmt", ["csr", "coo"])
def test_a_sparse_finite_value_too_large_for_float32_is_named_as_such(fmt):
    """A float64 sparse X given to a float32 network: its cast turned 1e300 into infinity, and the
    error said 'X contains NaN or infinity', where a dense X names the value as too large."""
    import scipy.sparse as sp
    net = net_of((5, 4, 3))
    X = np.zeros((30, 5))
    X[25, 1], X[27, 3] = 1e300, np.inf
    Z = sp.csr_matrix(X) if fmt == "csr" else sp.coo_matrix(X)
    message = r"X has values too large for float32 \(first 1e\+300 at index \(25, 1\); float32 holds up to 3.4e\+38\)"
    for call in (lambda: net.predict(Z), lambda: net.evaluate(Z, np.zeros(30, dtype=int)),
                 lambda: net.fit(Z, np.zeros(30, dtype=int), epochs=1, verbose=0)):
        with pytest.raises(ValidationError, match=message):
            call()
    X[25, 1] = 0.0                      # infinity itself is still named as infinity
    with pytest.raises(ValidationError, match=r"X contains NaN or infinity \(first at index \(27, 3\)\)"):
        net.predict(sp.csr_matrix(X))


@pytest.mark.parametrize("dtype, big", [("float32", 1e37), ("float64", 1e307)])
def test_large_finite_inputs_give_no_overflow_warning(dtype, big):
    # the chunk check summed the chunk without np.errstate: "overflow encountered in reduce"
    net = cr.Network([cr.Dense(40, 8, "tanh"), cr.Dense(8, 2, "softmax")], loss="categorical_crossentropy",
                     dtype=dtype, seed=0)
    X = np.full((3, 40), big, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = net.predict(X)
    assert np.isfinite(out).all()


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_outputs_that_overflow_are_an_error_not_class_zero():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4)).astype(np.float32)
    y = np.where(X[:, 0] > 0, "dog", "cat")
    clf = BackpropClassifier(hidden_layer_sizes=(8,), epochs=5, random_state=0, dtype="float32").fit(X, y)
    far = np.vstack([X[:2], np.full((2, 4), 3e38, dtype=np.float32)])
    message = (r"the network's outputs are NaN or infinite for 2 of the 4 rows of X \(first: row 2\): its weights are "
               r"damaged, or those inputs are far outside the range it was trained on")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)          # NumPy's own overflow inside the layers
        for call in (clf.predict, clf.predict_proba, clf.network_.predict, clf.network_.predict_classes):
            with pytest.raises(ValidationError, match=message):
                call(far)
    assert np.isfinite(clf.predict_proba(X)).all()


@pytest.mark.parametrize("alpha", [float("nan"), float("inf"), "0.3", True])
def test_leaky_relu_alpha_is_a_finite_number(alpha, tmp_path):
    with pytest.raises((ValidationError, TypeError), match="leaky_relu alpha must be"):
        cr.Dense(2, 2, {"name": "leaky_relu", "alpha": alpha})
    net = cr.Network([cr.Dense(5, 3, {"name": "leaky_relu", "alpha": 0.1}), cr.Dense(3, 1)], loss="mse")
    net.save(tmp_path / "m.npz")
    arrays = dict(np.load(tmp_path / "m.npz"))
    text = str(arrays["__format__"])
    assert '"alpha": 0.1' in text
    arrays["__format__"] = np.array(text.replace('"alpha": 0.1', '"alpha": NaN'))
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ModelFileError, match="leaky_relu alpha must be finite; got nan"):
        cr.load(tmp_path / "bad.npz")


def test_the_command_line_names_a_value_too_large_for_a_float32_model(tmp_path):
    # it said "overflow encountered in cast", then "X contains NaN or infinity (first at index (3, 1))":
    # an index of the encoded matrix, counted from the chunk, for a finite value
    from test_cli_csv import cli, error_line, write
    rows = "".join(f"{i % 7},{i % 5}.5,{i % 2}\n" for i in range(60))
    train = write(tmp_path / "t.csv", "a,b,y\n" + rows)
    model = tmp_path / "m.npz"
    done = cli("train", train, "--target", "y", "--epochs", "2", "--dtype", "float32", "--out", model, "--quiet")
    assert done.returncode == 0, done.stderr
    new = write(tmp_path / "new.csv", "a,b\n1,2\n3,4\n5,6\n7,1e300\n")
    for chunk in ("1000", "2"):
        line = error_line(cli("predict", model, new, "--chunk-rows", chunk))
        assert line.startswith("chainrule: error: column 'b' has a value too large for the model's float32 on line 5: "
                               "1e+300 (standardised "), line
        assert line.endswith("float32 holds up to 3.4e+38); scale the column, or train with --dtype float64")


def test_a_column_of_huge_values_is_standardised_not_zeroed(tmp_path):
    """The mean and standard deviation of a column holding 1e300 overflowed (a warning, then a
    scale of inf: every value of the column standardised to 0, the column silently dropped)."""
    from test_cli_csv import cli, write
    lines = [f"{i % 7},{(i % 5) * 1e299},{i % 2}" for i in range(40)]
    train = write(tmp_path / "t.csv", "a,b,y\n" + "\n".join(lines) + "\n")
    model = tmp_path / "m.npz"
    done = cli("train", train, "--target", "y", "--epochs", "2", "--out", model, "--quiet")
    assert done.returncode == 0 and "warning" not in done.stderr, done.stderr
    from chainrule.cli.tabular import load_model
    pre = load_model(model)[1]
    from conftest import training_rows
    b = np.array([(i % 5) * 1e299 for i in range(40)])[training_rows(40)]    # the training rows' statistics
    assert pre.means[1] == pytest.approx(b.mean(), rel=1e-12)
    assert pre.scales[1] == pytest.approx((b / 1e300).std() * 1e300, rel=1e-12)


def test_the_training_commands_metrics_show_non_finite_outputs_instead_of_failing():
    """`chainrule train` scores the held-out rows after saving the model: outputs that overflow
    there make its metrics inf or NaN, as before `predict` refused them, not an error after the
    save; the explorer draws what the network gives."""
    from chainrule.cli.tabular import predict_rows
    net = cr.Network([cr.Dense(2, 3, "linear", weight_init=10.0), cr.Dense(3, 1, weight_init=10.0)], loss="mse",
                     dtype="float32")
    X = np.array([[1.0, 2.0], [3e38, 3e38]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = predict_rows(net, X)
        assert np.isfinite(out[0]).all() and not np.isfinite(out[1]).any()
        with pytest.raises(ValidationError, match="NaN or infinite for 1 of the 2 rows of X"):
            net.predict(X)
