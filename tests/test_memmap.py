"""Training on data larger than memory: a NumPy memmap (or any array-like with shape, dtype and
row indexing) is read batch by batch, and gives the same network as the same data in memory."""
import tracemalloc

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError


def make_memmap(path, n=600, d=12, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    X = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=(n, d))
    X[:] = rng.normal(size=(n, d))
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int) + (X[:, 3] > 1)
    X.flush()
    return np.load(path, mmap_mode="r"), y


def network(d, dtype="float64", dropout=False):
    layers = [cr.Dense(d, 16, "tanh"), *([cr.Dropout(0.2)] if dropout else []), cr.Dense(16, 3, "softmax")]
    return cr.Network(layers, loss="categorical_crossentropy", dtype=dtype, seed=1)


def train(X, y, dtype="float64", **kw):
    net = network(X.shape[1], dtype, dropout=kw.pop("dropout", False))
    history = net.fit(X, y, epochs=3, batch_size=32, optimizer=cr.optim.Adam(1e-2), seed=5, verbose=0, **kw)
    return net, history


@pytest.mark.parametrize("file_dtype,net_dtype", [(np.float32, "float64"), (np.float64, "float64"),
                                                  (np.float32, "float32")])
@pytest.mark.parametrize("shuffle", [True, False])
def test_memmap_trains_as_in_memory(tmp_path, file_dtype, net_dtype, shuffle):
    X, y = make_memmap(tmp_path / "x.npy", dtype=file_dtype)
    assert isinstance(X, np.memmap)
    lazy, h_lazy = train(X, y, net_dtype, shuffle=shuffle, validation_split=0.2, dropout=True)
    eager, h_eager = train(np.array(X), y, net_dtype, shuffle=shuffle, validation_split=0.2, dropout=True)
    tol = 1e-12 if net_dtype == "float64" else 1e-5
    np.testing.assert_allclose(lazy.params, eager.params, rtol=tol, atol=tol)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(h_lazy.history[key], h_eager.history[key], rtol=tol)
    assert lazy.params.dtype == np.dtype(net_dtype)


def test_memmap_validation_data(tmp_path):
    X, y = make_memmap(tmp_path / "x.npy")
    Xv, yv = make_memmap(tmp_path / "v.npy", n=2500, seed=1)       # more rows than one evaluation chunk
    _, lazy = train(X, y, validation_data=(Xv, yv))
    _, eager = train(np.array(X), y, validation_data=(np.array(Xv), yv))
    np.testing.assert_allclose(lazy.history["val_loss"], eager.history["val_loss"], rtol=1e-12)
    np.testing.assert_array_equal(lazy.history["val_accuracy"], eager.history["val_accuracy"])


def test_float32_file_is_not_copied_whole_for_a_float64_network(tmp_path):
    X, y = make_memmap(tmp_path / "x.npy", n=40_000, d=100)        # 16 MB on disk, 32 MB as float64
    net = network(100)
    tracemalloc.start()
    net.fit(X, y, epochs=1, batch_size=64, seed=0, verbose=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 4e6, f"fit allocated {peak / 1e6:.1f} MB at its peak for a 16 MB float32 file"
    tracemalloc.start()
    net.fit(np.array(X), y, epochs=1, batch_size=64, seed=0, verbose=0)      # in memory: converted whole
    _, peak_in_memory = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak_in_memory > 32e6


class RowStore:
    """An array-like as h5py's datasets are: shape, dtype, slices and increasing index arrays only."""

    def __init__(self, data):
        self.data, self.shape, self.dtype = data, data.shape, data.dtype

    def __getitem__(self, key):
        if isinstance(key, np.ndarray):
            assert key.ndim == 1 and np.all(np.diff(key) > 0), "indices must be increasing"
        elif not isinstance(key, slice):
            raise TypeError(f"unsupported index {key!r}")
        return self.data[key].copy()

    def __len__(self):
        return self.shape[0]


def test_any_array_like_with_shape_and_row_indexing(tmp_path):
    X, y = make_memmap(tmp_path / "x.npy")
    lazy, h_lazy = train(RowStore(np.array(X)), y, validation_split=0.1)
    eager, h_eager = train(np.array(X), y, validation_split=0.1)
    np.testing.assert_allclose(lazy.params, eager.params, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h_lazy.history["val_loss"], h_eager.history["val_loss"], rtol=1e-12)


def test_bad_values_are_found_in_the_batch_that_holds_them(tmp_path):
    X, y = make_memmap(tmp_path / "x.npy")
    X = np.load(tmp_path / "x.npy", mmap_mode="r+")
    X[417, 5] = np.nan
    X.flush()
    X = np.load(tmp_path / "x.npy", mmap_mode="r")
    with pytest.raises(ValidationError, match=r"X contains NaN or infinity \(row 417, column 5\)"):
        train(X, y)
    with pytest.raises(ValidationError, match="12 features per sample; the network expects 5"):
        cr.Network([cr.Dense(5, 3, "softmax")], loss="categorical_crossentropy").fit(X, y, verbose=0)
    with pytest.raises(ValidationError, match="different numbers of samples: 600 and 599"):
        train(X, y[:-1])
    cube = np.lib.format.open_memmap(tmp_path / "c.npy", mode="w+", dtype=np.float32, shape=(4, 3, 2))
    with pytest.raises(ValidationError, match="must be 2-D"):
        cr.Network([cr.Dense(3, 1)]).fit(cube, np.zeros(4), verbose=0)


def test_per_row_memory_of_fit_is_the_labels_alone(tmp_path):
    """Class labels stay labels (1 byte a row for 3 classes, made one-hot per batch); the epoch's
    shuffled order of a file-mapped X is in a temporary file and its accuracy is counted batch by
    batch: what fit allocates grows by about 1 byte a row (8 when the orders and predictions were
    in memory, 48 with one-hot float64 targets and int64 orders)."""
    def peak(n):
        X = np.lib.format.open_memmap(tmp_path / f"x{n}.npy", mode="w+", dtype=np.float32, shape=(n, 2))
        X[:] = np.random.default_rng(0).normal(size=(n, 2))
        X.flush()
        y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 1)
        X = np.load(tmp_path / f"x{n}.npy", mmap_mode="r")
        net = cr.Network([cr.Dense(2, 8, "tanh"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy",
                         seed=0)
        tracemalloc.start()
        history = net.fit(X, y, epochs=1, batch_size=4096, optimizer=cr.optim.Adam(0.05), validation_split=0.2,
                          seed=0, verbose=0)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert history.history["val_accuracy"][-1] > 0.9      # it learned from the labels it was given
        return top

    small, large = peak(400_000), peak(1_400_000)
    assert (large - small) / 1_000_000 < 1.5, f"fit allocated {(large - small) / 1e6:.1f} bytes a row more"


def test_weights_in_a_file_cost_fit_no_memory_a_row(tmp_path):
    """Float64 sample weights in a file (`chainrule train --weight --stream` keeps them so) are
    checked a block at a time and read batch by batch, and the weighted accuracy of a file-mapped X
    is counted batch by batch: what fit allocates still grows by about the labels' byte a row (it
    grew by 18 when the weights were copied and checked whole, and the predictions kept)."""
    def peak(n):
        X = np.lib.format.open_memmap(tmp_path / f"x{n}.npy", mode="w+", dtype=np.float32, shape=(n, 2))
        X[:] = np.random.default_rng(0).normal(size=(n, 2))
        X.flush()
        y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 1)
        w = np.lib.format.open_memmap(tmp_path / f"w{n}.npy", mode="w+", dtype=np.float64, shape=(n,))
        w[:] = np.random.default_rng(1).integers(0, 3, size=n)
        w.flush()
        X, w = np.load(tmp_path / f"x{n}.npy", mmap_mode="r"), np.load(tmp_path / f"w{n}.npy", mmap_mode="r")
        net = cr.Network([cr.Dense(2, 8, "tanh"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy",
                         seed=0)
        tracemalloc.start()
        history = net.fit(X, y, epochs=1, batch_size=4096, optimizer=cr.optim.Adam(0.05), validation_split=0.2,
                          seed=0, verbose=0, sample_weight=w)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert history.history["val_accuracy"][-1] > 0.9
        return top, history.history

    (small, _), (large, hist) = peak(400_000), peak(1_400_000)
    assert (large - small) / 1_000_000 < 1.5, f"fit allocated {(large - small) / 1e6:.1f} bytes a row more"
    X, w = np.load(tmp_path / "x1400000.npy"), np.load(tmp_path / "w1400000.npy")       # the same, in memory
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 1)
    net = cr.Network([cr.Dense(2, 8, "tanh"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    mem = net.fit(X, y, epochs=1, batch_size=4096, optimizer=cr.optim.Adam(0.05), validation_split=0.2, seed=0,
                  verbose=0, sample_weight=w).history
    assert mem["loss"] == pytest.approx(hist["loss"], rel=1e-12)
    assert mem["accuracy"] == pytest.approx(hist["accuracy"], rel=1e-12)     # summed batch by batch there
    assert mem["val_loss"] == pytest.approx(hist["val_loss"], rel=1e-12)


def test_labels_for_out_of_core_data_are_checked_as_labels(tmp_path):
    X, y = make_memmap(tmp_path / "x.npy")
    for bad, said in [(y + 3, "must lie in 0..2"), (y + 0.5, "integers"), (y[:-1], "different numbers of samples")]:
        with pytest.raises(ValidationError, match=said):
            network(X.shape[1]).fit(X, bad, epochs=1, verbose=0)
    one_hot = np.eye(3)[y]                              # one-hot rows are accepted as before
    a, _ = train(X, one_hot)
    b, _ = train(X, y.astype(np.uint8))
    np.testing.assert_array_equal(a.params, b.params)


def test_labels_and_their_one_hot_rows_are_the_same_targets_on_resume(tmp_path):
    """A checkpoint fingerprints class labels as their one-hot rows: a run given one-hot targets
    resumes when given the labels (and checkpoints written before labels stayed labels still match)."""
    X, y = make_memmap(tmp_path / "x.npy")
    first = network(X.shape[1])
    first.fit(X, np.eye(3)[y], epochs=2, seed=0, verbose=0, checkpoint_dir=tmp_path / "ck")
    again = network(X.shape[1])
    history = again.fit(X, y, epochs=3, seed=0, verbose=0, checkpoint_dir=tmp_path / "ck", resume=True)
    assert history.epoch == [0, 1, 2]           # two epochs restored, one trained
    whole = network(X.shape[1])
    whole.fit(X, y, epochs=3, seed=0, verbose=0)
    np.testing.assert_array_equal(again.params, whole.params)
