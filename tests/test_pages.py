"""Arrays mapped from files hand their pages back as they are read (`backend.pages`): the file
pages a process holds (RssFile on Linux) stay under a budget while `fit` reads a file-mapped X in
shuffled batches, while the sparse checks scan a file-mapped CSR matrix and while `CsvStream`
writes the encoded inputs, and the numbers are those of the same data in memory."""
import mmap
import sys

import numpy as np
import pytest

import chainrule as cr
from chainrule.backend import pages
from chainrule.errors import ValidationError

sp = pytest.importorskip("scipy.sparse")
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads RssFile from /proc/self/status")
MIB = 2**20


@pytest.fixture(autouse=True)
def numpy_loop(monkeypatch):
    """Both sides of each comparison on the NumPy loop: once another test file has loaded the compiled
    kernels into this process, a fit of an array in memory takes the compiled epoch, a file-mapped X
    never does, and the two part in the last bits (4e-13 here), which the exact comparisons refused."""
    from chainrule.backend import kernels
    monkeypatch.setattr(kernels, "ENABLED", False)


def file_pages() -> int:
    """This process's resident file pages (RssFile), in bytes."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("RssFile"))


def drop(*arrays):
    """Unmap the arrays' file pages from this process (the starting point of a measurement)."""
    for m in pages.mappings(*arrays):
        m.madvise(mmap.MADV_DONTNEED)


def memmap(path, shape, dtype=np.float64, seed=0):
    X = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=shape)
    rng = np.random.default_rng(seed)
    for a in range(0, shape[0], 50_000):
        X[a:a + 50_000] = rng.normal(size=X[a:a + 50_000].shape)
    X.flush()
    del X
    return np.load(path, mmap_mode="r")


def test_mappings_are_found_through_views_and_sparse_matrices(tmp_path):
    X = memmap(tmp_path / "x.npy", (100, 4))
    assert len(pages.mappings(X)) == 1 and isinstance(pages.mappings(X)[0], mmap.mmap)
    assert pages.mappings(X[10:20].reshape(-1)) == pages.mappings(X)         # views lead to the same mmap
    assert pages.mappings(np.zeros(3), [1, 2]) == []                         # arrays in memory have none
    csr = sp.csr_matrix((X.reshape(-1), np.tile(np.arange(4, dtype=np.int32), 100),
                         np.arange(0, 401, 4, dtype=np.int32)), shape=(100, 6), copy=False)
    assert pages.mappings(csr) == pages.mappings(X)                          # only its values are on disk
    assert not pages.Pages(np.zeros(5)) and pages.Pages(X)


@linux
def test_fit_on_a_file_larger_than_the_budget_holds_the_budget(tmp_path, monkeypatch):
    """64 MiB on disk, read in shuffled batches for 2 epochs with a budget of 8 MiB: the file pages
    held grow by about the budget (by the whole file before), and the weights are those of the
    same rows in memory."""
    X = memmap(tmp_path / "x.npy", (200_000, 40))
    y = (X[:, 0] > 0).astype(int)
    inputs = np.array(X)

    def fit(X):
        net = cr.Network([cr.Dense(40, 8, "tanh"), cr.Dense(8, 2, "softmax")], loss="categorical_crossentropy",
                         seed=0)
        net.fit(X, y[:X.shape[0]], epochs=2, batch_size=256, validation_split=0.1, seed=3, verbose=0)
        return net

    fit(X[:1000])                                      # imports and kernels loaded before measuring
    monkeypatch.setattr(pages, "BUDGET", 8 * MIB)
    drop(X)
    before = file_pages()
    lazy = fit(X)
    grown = file_pages() - before
    assert grown < 24 * MIB, f"the file pages grew by {grown / MIB:.0f} MiB"
    np.testing.assert_allclose(lazy.params, fit(inputs).params, rtol=1e-12, atol=1e-12)


@linux
def test_the_sparse_checks_of_a_mapped_matrix_hold_the_budget_and_say_what_scipy_says(tmp_path, monkeypatch):
    n, width = 400_000, 10
    values = memmap(tmp_path / "v.npy", (n * width,))
    cols = np.lib.format.open_memmap(tmp_path / "c.npy", mode="w+", dtype=np.int32, shape=(n * width,))
    cols[:] = np.tile(np.arange(width, dtype=np.int32) * 3, n)
    cols.flush()
    ptr = np.arange(0, n * width + 1, width, dtype=np.int32)
    monkeypatch.setattr(pages, "IN_ORDER", 4 * MIB)

    def matrix(c=None, p=None):
        c = np.load(tmp_path / "c.npy", mmap_mode="r") if c is None else c
        return sp.csr_matrix((values, c, ptr if p is None else p), shape=(n, 3 * width), copy=False)

    net = cr.Network([cr.Dense(3 * width, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    drop(matrix())
    before = file_pages()
    net.predict(matrix()[:10])
    from chainrule.nn import sparse
    checked = sparse.check(matrix(), "X", np.dtype("float64"))
    assert file_pages() - before < 12 * MIB                        # 48 MiB of values and columns read
    assert pages.mappings(checked.indices) and checked.indices.dtype == np.int32   # still the file, not a copy
    wrong_column, negative = np.array(cols), np.array(cols)
    wrong_column[-1], negative[5] = 3 * width, -1
    falling = ptr.copy()
    falling[7] = falling[6] - 1
    for c, p in [(wrong_column, None), (negative, None), (None, falling)]:
        for mapped in (True, False):                               # the same words as SciPy's own check
            got = matrix(c, p) if mapped else sp.csr_matrix((np.array(values), np.array(matrix(c, p).indices),
                                                             (ptr if p is None else p).copy()), shape=(n, 3 * width))
            with pytest.raises(ValidationError) as err:
                sparse.check(got, "X", np.dtype("float64"))
            if mapped:
                said = str(err.value)
            else:
                assert str(err.value) == said


@linux
def test_encoding_a_csv_holds_the_budget_of_written_pages(tmp_path, monkeypatch):
    pd = pytest.importorskip("pandas")
    from chainrule.data.stream import CsvStream
    rng = np.random.default_rng(0)
    n = 200_000
    pd.DataFrame({**{f"x{j}": rng.normal(size=n) for j in range(20)},
                  "shop": rng.choice(["a", "b", "c"], size=n), "y": rng.choice(["p", "q"], size=n)}).to_csv(
        tmp_path / "t.csv", index=False)
    monkeypatch.setattr(pages, "IN_ORDER", 4 * MIB)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    with CsvStream(tmp_path / "t.csv", rows=20_000) as stream:
        stream.fit("y")
        before = file_pages()
        peak = [0]
        real = pages.Pages.touched

        def touched(self, *a, **k):                 # the file pages held after each chunk written
            real(self, *a, **k)
            peak[0] = max(peak[0], file_pages() - before)
        monkeypatch.setattr(pages.Pages, "touched", touched)
        X, y = stream.encode(None)                  # 200,000 x 21 values and columns: 25 MiB written
        assert peak[0] < 14 * MIB, f"the written pages held reached {peak[0] / MIB:.0f} MiB"
        assert X.shape == (n, 23) and X.nnz == n * 21


def test_rows_read_in_shuffled_order_from_a_file_come_in_pieces_with_the_same_values(tmp_path):
    from chainrule.training import streaming
    from chainrule.training.sparse_rows import SparseRows
    X = memmap(tmp_path / "x.npy", (3000, 5))
    order = np.random.default_rng(1).permutation(3000)
    rows = streaming.Subset(streaming.LazyRows(X, np.dtype("float64")), order)
    assert rows.pages() and 1000 > streaming.SCATTERED
    np.testing.assert_array_equal(rows.read(slice(0, 1000)), np.array(X)[order[:1000]])
    out = np.empty((1000, 5))
    assert rows.read(np.arange(500, 1500), out) is out
    np.testing.assert_array_equal(out, np.array(X)[order[500:1500]])
    values = X.reshape(-1)
    csr = sp.csr_matrix((values, np.tile(np.arange(5, dtype=np.int32) * 2, 3000),
                         np.arange(0, 15001, 5, dtype=np.int32)), shape=(3000, 10), copy=False)
    sparse_rows = streaming.Subset(SparseRows(csr, np.dtype("float64")), order)
    got = sparse_rows.read(slice(100, 1300))
    np.testing.assert_array_equal(got.toarray(), csr.toarray()[order[100:1300]])
    net = cr.Network([cr.Dense(10, 4, "relu"), cr.Dense(4, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    y = np.arange(3000) % 3
    a = streaming.validation(net, sparse_rows, streaming.targets(net, y[order]))
    b = net.evaluate(csr.toarray()[order], y[order])
    assert a["accuracy"] == b["accuracy"] and abs(a["loss"] - b["loss"]) < 1e-12


def test_shuffled_rows_of_a_file_larger_than_the_budget_are_read_not_mapped(tmp_path, monkeypatch):
    """Past the budget, shuffled reads use preadv: the same rows (dense and CSR, any offset of the
    rows in the file, a validation part of it), the same trained weights, and no file pages held."""
    from chainrule.training import streaming
    from chainrule.training.sparse_rows import SparseRows
    X = memmap(tmp_path / "x.npy", (200_000, 6))
    monkeypatch.setattr(pages, "BUDGET", 2**16)
    rows = np.random.default_rng(2).permutation(200_000)[:700]
    dense = streaming.LazyRows(X, np.dtype("float32"), start=10_000)
    assert dense.files(X) is not None
    inside = rows[rows < 190_000]
    np.testing.assert_array_equal(dense.read(inside), np.array(X, dtype=np.float32)[inside + 10_000])
    values = X.reshape(-1)
    width = np.arange(200_000) % 6 + 1                                  # rows of 1 to 6 values
    ptr = np.r_[0, np.cumsum(width)].astype(np.int32)
    cols = np.lib.format.open_memmap(tmp_path / "c.npy", mode="w+", dtype=np.int32, shape=(int(ptr[-1]),))
    cols[:] = np.concatenate([np.arange(k, dtype=np.int32) for k in width])
    cols.flush()
    csr = sp.csr_matrix((values[:ptr[-1]], np.load(tmp_path / "c.npy", mmap_mode="r"), ptr), shape=(200_000, 6),
                        copy=False)
    sparse_rows = SparseRows(csr, np.dtype("float64"), start=5_000)
    assert sparse_rows.files(csr.data, csr.indices) is not None
    got = sparse_rows.read(rows[rows < 195_000])
    np.testing.assert_array_equal(got.toarray(), csr.toarray()[rows[rows < 195_000] + 5_000])
    y = np.arange(200_000) % 3
    net = lambda: cr.Network([cr.Dense(6, 5, "tanh"), cr.Dense(5, 3, "softmax")],  # noqa: E731
                             loss="categorical_crossentropy", seed=0)
    a, b = net(), net()
    drop(X)
    before = file_pages()
    a.fit(X, y, epochs=1, batch_size=256, validation_split=0.2, seed=1, verbose=0)
    assert file_pages() - before < 3 * MIB      # the file: 9 MiB, its last fifth read in order
    b.fit(np.array(X), y, epochs=1, batch_size=256, validation_split=0.2, seed=1, verbose=0)
    np.testing.assert_allclose(a.params, b.params, rtol=1e-12, atol=1e-12)


def test_the_budget_can_be_set_in_the_environment(tmp_path, monkeypatch):
    X = memmap(tmp_path / "x.npy", (3000, 40))                    # 0.9 MiB
    monkeypatch.setenv("CHAINRULE_MAPPED_MIB", "2")
    assert pages.budget() == 2 * MIB and pages.Pages(X).budget == 2 * MIB
    assert pages.reader(X) is None                                # under the budget: mapped
    monkeypatch.setattr(pages, "BUDGET", 1)
    assert pages.reader(X) is None                                # the environment wins
    monkeypatch.delenv("CHAINRULE_MAPPED_MIB")
    assert pages.reader(X) is not None
    monkeypatch.setenv("CHAINRULE_MAPPED_MIB", "lots")
    with pytest.raises(ValueError, match="CHAINRULE_MAPPED_MIB must be a positive whole number of MiB; got 'lots'"):
        pages.budget()


@linux
def test_predict_on_a_memmap_hands_its_pages_back(tmp_path, monkeypatch):
    X = memmap(tmp_path / "x.npy", (200_000, 40))                 # 61 MiB read in order
    net = cr.Network([cr.Dense(40, 8, "tanh"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    net.predict(X[:2000])
    monkeypatch.setattr(pages, "IN_ORDER", 4 * MIB)
    drop(X)
    before = file_pages()
    got = net.predict(X)
    assert file_pages() - before < 8 * MIB
    np.testing.assert_array_equal(got, net.predict(np.array(X)))


def test_views_copy_on_write_maps_and_deleted_files_train_as_in_memory(tmp_path, monkeypatch):
    """Past the budget (64 KiB here): a slice of a memmap is read at its own rows (numpy gives every
    view the parent's offset); a copy-on-write memmap keeps the user's edits (neither read from the
    file nor handed back); a deleted file is read through its mapping; the same weights each time."""
    import os
    monkeypatch.setattr(pages, "BUDGET", 2**16)
    y = np.arange(6000) % 3

    def weights(X):
        net = cr.Network([cr.Dense(8, 4, "tanh"), cr.Dense(4, 3, "softmax")], loss="categorical_crossentropy",
                         seed=0)
        net.fit(X, y[:X.shape[0]], epochs=1, batch_size=64, validation_split=0.2, seed=1, verbose=0)
        return net.params

    X = memmap(tmp_path / "x.npy", (8000, 8))
    view = X[2000:]
    assert pages.file_of(view)[1] == pages.file_of(X)[1] + 2000 * 8 * 8
    np.testing.assert_array_equal(weights(view), weights(np.array(view)))
    edited = np.load(tmp_path / "x.npy", mmap_mode="c")[:6000]
    edited[:, 0] = 100.0                                       # the user's change, in this process only
    assert pages.mappings(edited) == [] and pages.file_of(edited) is None
    np.testing.assert_array_equal(weights(edited), weights(np.array(edited)))
    assert (edited[:, 0] == 100.0).all()
    cr.Network([cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy", seed=0).predict(edited)
    assert (edited[:, 0] == 100.0).all()
    gone = memmap(tmp_path / "g.npy", (6000, 8), seed=4)
    expected = weights(np.array(gone))
    os.remove(tmp_path / "g.npy")
    assert pages.reader(gone) is None                          # the path names no file: read through the mapping
    np.testing.assert_array_equal(weights(gone), expected)


def test_scratch_falls_back_to_memory_when_the_temporary_folder_is_full(monkeypatch):
    import errno
    import os

    def full(fd, offset, size):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "posix_fallocate", full, raising=False)
    a = pages.scratch(1000, np.int32)
    assert a.shape == (1000,) and not isinstance(a, np.memmap)
    from chainrule.training.trainer import permutation
    np.testing.assert_array_equal(permutation(np.random.default_rng(0), 1000, on_disk=True),
                                  np.random.default_rng(0).permutation(1000))


def test_a_mapped_matrix_gets_scipys_index_type_and_a_bad_budget_setting_spares_data_in_memory(tmp_path, monkeypatch):
    from chainrule.nn import sparse
    values = memmap(tmp_path / "v.npy", (40,))
    for kind in (np.uint32, np.int64, np.int16):
        cols = np.arange(40, dtype=kind) % 5
        ptr = np.arange(0, 41, 4, dtype=kind)
        mapped = sparse.check(sp.csr_matrix((values, cols, ptr), shape=(10, 5), copy=False), "X", np.dtype("float64"))
        plain = sp.csr_matrix((np.array(values), cols, ptr), shape=(10, 5))
        plain.check_format(full_check=True)
        assert mapped.indices.dtype == plain.indices.dtype and mapped.indptr.dtype == plain.indptr.dtype
    monkeypatch.setenv("CHAINRULE_MAPPED_MIB", "512M")
    net = cr.Network([cr.Dense(5, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    net.fit(sp.random(50, 5, density=0.5, format="csr", random_state=0), np.arange(50) % 2, verbose=0)


def test_file_reads_continue_after_a_short_read(tmp_path, monkeypatch):
    import os
    X = memmap(tmp_path / "x.npy", (100, 6))
    reader = pages.FileReader.of(X)
    real = os.preadv
    monkeypatch.setattr(os, "preadv", lambda fd, bufs, at: real(fd, [bufs[0][:5]], at))   # 5 bytes at a time
    out = np.empty((3, 6))
    reader.spans(np.array([7, 2, 50]) * 48, np.full(3, 48), out)
    np.testing.assert_array_equal(out, np.array(X)[[7, 2, 50]])
    X.flush()
    os.truncate(tmp_path / "x.npy", 200)                       # the file cut short under the reader
    with pytest.raises(OSError, match="was it cut short"):
        reader.spans(np.array([90 * 48]), np.array([48]), out)


def test_evaluate_reads_a_memmap_a_chunk_at_a_time(tmp_path):
    """`Network.evaluate` converts and checks a float32 memmap chunk by chunk for a float64 network
    (it converted it whole: twice the file in memory), with the numbers and errors of the array."""
    import tracemalloc
    X = memmap(tmp_path / "x.npy", (100_000, 20), dtype=np.float32)      # 8 MB on disk
    y = (np.arange(100_000) * 7) % 3
    net = cr.Network([cr.Dense(20, 8, "tanh"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    expected = net.evaluate(np.array(X, dtype=np.float64), y)
    tracemalloc.start()
    got = net.evaluate(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert got == expected
    assert peak < 12e6, f"evaluate allocated {peak / 1e6:.1f} MB"          # the one-hot targets (7 MB), chunks
    w = 1.0 + (np.arange(100_000) % 5)
    tracemalloc.start()
    weighted = net.evaluate(X, y, sample_weight=w)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert weighted == net.evaluate(np.array(X, dtype=np.float64), y, sample_weight=w)
    assert peak < 13e6, f"evaluate with weights allocated {peak / 1e6:.1f} MB"
    bad = np.lib.format.open_memmap(tmp_path / "b.npy", mode="w+", dtype=np.float32, shape=(50_000, 20))
    bad[:] = 1.0
    bad[40_123, 5] = np.nan
    bad.flush()
    bad = np.load(tmp_path / "b.npy", mmap_mode="r")
    with pytest.raises(ValidationError) as mapped_error:
        net.evaluate(bad, y[:50_000])
    with pytest.raises(ValidationError) as array_error:
        net.evaluate(np.array(bad), y[:50_000])
    assert str(mapped_error.value) == str(array_error.value) and "40123" in str(mapped_error.value)
    with pytest.raises(ValidationError) as weighted_error:
        net.evaluate(bad, y[:50_000], sample_weight=w[:50_000])
    assert str(weighted_error.value) == str(array_error.value)
