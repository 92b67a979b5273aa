"""A sparse (CSR) X trains in the compiled loop (`backend/loops.py`), and gives the numbers of the
NumPy fit loop on the same CSR batches (the reference: `nn.sparse` products, SciPy's order).

Class labels stay labels there (`OneHotRows`): the loop reads the one-hot targets from them.
"""
import numpy as np
import pytest

sp = pytest.importorskip("scipy.sparse")

import chainrule as cr  # noqa: E402
from chainrule.backend import kernels, loops  # noqa: E402
from chainrule.training import compiled  # noqa: E402

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="needs Numba (the [fast] extra)")


def table(n=300, seed=0, dtype=np.float64):
    """Numeric columns and one-hot blocks (44 stored values a row of 2,000 columns at most)."""
    rng = np.random.default_rng(seed)
    num = rng.normal(size=(n, 4))
    codes = [rng.integers(0, k, size=n) for k in (3, 9, 40)]
    X = sp.hstack([sp.csr_matrix(num)] + [sp.csr_matrix(np.eye(k)[c]) for k, c in zip((3, 9, 40), codes)])
    y = ((num[:, 0] > 0).astype(int) + (codes[0] == 1) + (codes[1] > 3)) % 3
    return sp.csr_matrix(X, dtype=dtype), y


def fit(X, y, *, compiled_loop, monkeypatch, hidden=8, act="relu", optimizer=None, dtype="float64", **kw):
    """Train with or without the compiled loop (the NumPy loop's CSR kernels stay on); return the
    network, its history and the number of compiled calls that got a sparse X."""
    monkeypatch.setattr(kernels, "ENABLED", True)
    calls = []
    train = loops.train
    monkeypatch.setattr(loops, "train", lambda *a, **k: (calls.append(k.get("csr") is not None), train(*a, **k))[1])
    if not compiled_loop:
        monkeypatch.setattr(compiled, "epoch_plan", lambda *a, **k: None)
    net = cr.Network([cr.Dense(X.shape[1], hidden, act), cr.Dense(hidden, 3, "softmax")],
                     loss="categorical_crossentropy", dtype=dtype, seed=0)
    history = net.fit(X, y, epochs=3, batch_size=16, optimizer=optimizer or cr.optim.Adam(0.01), seed=1, verbose=0,
                      **kw)
    monkeypatch.undo()
    return net, history.history, sum(calls)


@pytest.mark.parametrize("kw", [{}, {"validation_split": 0.2}, {"shuffle": False}, {"validation_split": 0.1,
                                                                                       "shuffle": False}])
@pytest.mark.parametrize("opt", [cr.optim.Adam, cr.optim.SGD, cr.optim.AdamW])
def test_csr_fit_runs_compiled_with_the_numpy_loops_numbers(kw, opt, monkeypatch):
    X, y = table()
    ref, h_ref, n_ref = fit(X, y, compiled_loop=False, monkeypatch=monkeypatch, optimizer=opt(0.01), **kw)
    got, h_got, n_got = fit(X, y, compiled_loop=True, monkeypatch=monkeypatch, optimizer=opt(0.01), **kw)
    assert n_ref == 0 and n_got >= 1                  # the loop took the sparse rows themselves
    np.testing.assert_allclose(got.params, ref.params, rtol=1e-12, atol=1e-14)
    assert h_got.keys() == h_ref.keys()
    for key in h_ref:
        np.testing.assert_allclose(h_got[key], h_ref[key], rtol=1e-12)


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "leaky_relu", "linear"])
def test_csr_compiled_every_activation(act, monkeypatch):
    X, y = table(n=120)
    ref, h_ref, _ = fit(X, y, compiled_loop=False, monkeypatch=monkeypatch, act=act)
    got, h_got, n = fit(X, y, compiled_loop=True, monkeypatch=monkeypatch, act=act)
    assert n >= 1
    np.testing.assert_allclose(got.params, ref.params, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h_got["accuracy"], h_ref["accuracy"], rtol=1e-12)


def test_csr_float32_and_a_tiny_hidden_layer(monkeypatch):
    """float32 stays float32 in the loop; a hidden layer of 3 (which the widths-compiled tiny loop
    would take for a dense X) runs the general loop with the sparse rows."""
    X, y = table(n=200, dtype=np.float32)
    ref, _, _ = fit(X, y, compiled_loop=False, monkeypatch=monkeypatch, dtype="float32", hidden=3)
    got, _, n = fit(X, y, compiled_loop=True, monkeypatch=monkeypatch, dtype="float32", hidden=3)
    assert n >= 1 and got.params.dtype == np.float32
    np.testing.assert_allclose(got.params, ref.params, rtol=2e-5, atol=1e-6)


def test_csr_rows_of_a_larger_matrix_and_other_targets(monkeypatch):
    """The validation split holds out the last rows (the loop reads a range of the row pointers);
    one-hot targets given as a matrix train as the labels do; regression losses read Y itself."""
    X, y = table(n=150)
    by_labels, _, _ = fit(X, y, compiled_loop=True, monkeypatch=monkeypatch, validation_split=0.3)
    by_onehot, _, n = fit(X, np.eye(3)[y], compiled_loop=True, monkeypatch=monkeypatch, validation_split=0.3)
    assert n >= 1
    np.testing.assert_allclose(by_onehot.params, by_labels.params, rtol=1e-12, atol=1e-14)
    Y = np.eye(3)[y] * 2.0 - 1.0
    params = []
    for compiled_loop in (False, True):
        calls = spy_and_switch(monkeypatch, compiled_loop)
        net = cr.Network([cr.Dense(X.shape[1], 5, "tanh"), cr.Dense(5, 3, "tanh")], loss="mse", seed=2)
        net.fit(X, Y, epochs=2, batch_size=32, optimizer=cr.optim.SGD(0.05, momentum=0.9), seed=3, verbose=0)
        params.append(net.params.copy())
        monkeypatch.undo()
        assert bool(calls) == compiled_loop
    np.testing.assert_allclose(params[1], params[0], rtol=1e-12, atol=1e-14)


def spy_and_switch(monkeypatch, compiled_loop):
    """Kernels on; the compiled loop allowed or not; returns the list of its calls with a sparse X."""
    monkeypatch.setattr(kernels, "ENABLED", True)
    if not compiled_loop:
        monkeypatch.setattr(compiled, "epoch_plan", lambda *a, **k: None)
    calls = []
    train = loops.train
    monkeypatch.setattr(loops, "train",
                        lambda *a, **k: (k.get("csr") is not None and calls.append(1), train(*a, **k))[1])
    return calls


def test_csr_divergence_is_reported_with_its_batch(monkeypatch):
    X, y = table(n=64)
    X = X * 1e200
    for compiled_loop in (False, True):
        calls = spy_and_switch(monkeypatch, compiled_loop)
        net = cr.Network([cr.Dense(X.shape[1], 4, "linear"), cr.Dense(4, 3, "softmax")],
                         loss="categorical_crossentropy", seed=0)
        with pytest.raises(cr.errors.TrainingDiverged) as info:
            net.fit(X, y, epochs=2, batch_size=16, optimizer=cr.optim.SGD(1.0), seed=1, verbose=0)
        assert "epoch 1" in str(info.value) and "batch 1" in str(info.value)
        monkeypatch.undo()
        assert bool(calls) == compiled_loop


@pytest.mark.parametrize("kind", ["int64 columns", "strided values", "read-only values"])
def test_csr_the_loop_would_copy_or_recompile_for_trains_on_numpy(kind, monkeypatch):
    """int64 column indices (SciPy's type past 2**31 values: the loop would copy them all each
    epoch), strided or read-only values (a Numba signature of their own, compiled in the
    foreground): the NumPy loop trains, with the same numbers."""
    X, y = table(n=120)
    if kind == "int64 columns":
        X.indices = X.indices.astype(np.int64)
        X.indptr = X.indptr.astype(np.int64)
    elif kind == "strided values":
        doubled = np.repeat(X.data, 2)
        X = sp.csr_matrix((doubled[::2], X.indices, X.indptr), shape=X.shape, copy=False)
        assert not X.data.flags.c_contiguous
    else:
        X.data.flags.writeable = False
    ref, _, _ = fit(sp.csr_matrix(X.toarray()), y, compiled_loop=True, monkeypatch=monkeypatch)
    got, _, n = fit(X, y, compiled_loop=True, monkeypatch=monkeypatch)
    assert n == 0
    np.testing.assert_allclose(got.params, ref.params, rtol=1e-12, atol=1e-14)


def test_csr_loop_arrays_are_made_once_per_fit(monkeypatch):
    """The int64 row pointers and labels the loop reads are made once, not every epoch (a
    validation split or a callback makes one compiled call per epoch)."""
    from chainrule.training.sparse_rows import SparseRows
    from chainrule.training.streaming import OneHotRows
    made = []
    loop_arrays, labels64 = SparseRows.loop_arrays, OneHotRows.labels64
    monkeypatch.setattr(SparseRows, "loop_arrays", lambda self: (made.append(self._loop_arrays is None),
                                                                 loop_arrays(self))[1])
    monkeypatch.setattr(OneHotRows, "labels64", lambda self: (made.append(self._labels64 is None),
                                                              labels64(self))[1])
    X, y = table(n=200)
    monkeypatch.setattr(kernels, "ENABLED", True)
    net = cr.Network([cr.Dense(X.shape[1], 6, "relu"), cr.Dense(6, 3, "softmax")], loss="categorical_crossentropy",
                     seed=0)
    net.fit(X, y, epochs=4, batch_size=16, validation_split=0.2, verbose=0)
    assert made.count(True) == 2 and made.count(False) >= 6        # two made, then reused in every epoch


# -- the dense block of an encoded table (backend/csr.py): its columns multiplied by BLAS --------
def encoded(n=300, numeric=12, seed=0, dtype=np.float64):
    """The layout of `chainrule train`'s encoded table: every row stores its `numeric` values
    first, in columns 0..numeric-1 (a dense block), then one value per text column."""
    rng = np.random.default_rng(seed)
    num = rng.normal(size=(n, numeric))
    codes = [rng.integers(0, k, size=n) for k in (3, 9, 40)]
    X = sp.hstack([sp.csr_matrix(num)] + [sp.csr_matrix(np.eye(k)[c]) for k, c in zip((3, 9, 40), codes)])
    y = ((num[:, 0] > 0).astype(int) + (codes[0] == 1) + (codes[1] > 3)) % 3
    return sp.csr_matrix(X, dtype=dtype), y


def prefixes(monkeypatch):
    """Spy on the dense block the compiled loop is given (its width, per call)."""
    seen = []
    train = loops.train
    monkeypatch.setattr(loops, "train", lambda *a, **k: (seen.append(k.get("dense_prefix", 0)), train(*a, **k))[1])
    return seen


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("opt", [lambda: cr.optim.Adam(0.01), lambda: cr.optim.SGD(0.05, momentum=0.9)])
@pytest.mark.parametrize("kw", [{}, {"validation_split": 0.2}])
def test_the_dense_block_of_an_encoded_table_gives_the_numpy_loops_numbers(dtype, opt, kw, monkeypatch):
    """The first 12 columns of every row by BLAS, the rest value by value: the NumPy loop's
    numbers (SciPy's products) to rounding, whole fits (every epoch in one call, or one a call
    with a validation split), a partial last batch included (300 rows, batches of 16)."""
    X, y = encoded(dtype=np.dtype(dtype))
    ref, h_ref, _ = fit(X, y, compiled_loop=False, monkeypatch=monkeypatch, optimizer=opt(), dtype=dtype, **kw)
    seen = prefixes(monkeypatch)
    got, h_got, n = fit(X, y, compiled_loop=True, monkeypatch=monkeypatch, optimizer=opt(), dtype=dtype, **kw)
    assert n >= 1 and seen and set(seen) == {12}
    tol = dict(rtol=1e-12, atol=1e-14) if dtype == "float64" else dict(rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(got.params, ref.params, **tol)
    for key in h_ref:
        np.testing.assert_allclose(h_got[key], h_ref[key], **tol)


def test_values_after_the_dense_block_in_its_columns_are_added_to_it(monkeypatch):
    """A row may store a column of the block again after it (SciPy sums such duplicates): the
    BLAS product of the block and the rest's values add up as SciPy's product does."""
    X, y = encoded(n=200)
    rows = [X.getrow(i) for i in range(X.shape[0])]
    data, indices, indptr = [], [], [0]
    for i, r in enumerate(rows):
        extra = [(i % 12, 0.5 * (i % 5) - 1.0)] if i % 3 == 0 else []
        data += list(r.data) + [v for _, v in extra]
        indices += list(r.indices) + [j for j, _ in extra]
        indptr.append(len(data))
    Xd = sp.csr_matrix((np.array(data), np.array(indices, np.int32), np.array(indptr, np.int32)), shape=X.shape)
    assert not Xd.has_canonical_format
    ref, _, _ = fit(Xd, y, compiled_loop=False, monkeypatch=monkeypatch)
    seen = prefixes(monkeypatch)
    got, _, _ = fit(Xd, y, compiled_loop=True, monkeypatch=monkeypatch)
    assert set(seen) == {12}
    np.testing.assert_allclose(got.params, ref.params, rtol=1e-12, atol=1e-14)


def dense_prefix_truth(X):
    """The leading columns each stored in at least half the rows."""
    counts = np.bincount(X.indices, minlength=X.shape[1])
    sparse = np.flatnonzero(2 * counts < X.shape[0])
    return int(sparse[0]) if sparse.size else X.shape[1]


@pytest.mark.parametrize("case", ["encoded", "a zero left out", "an empty row", "unsorted columns", "all dense",
                                  "half the rows lack a column", "random"])
def test_dense_prefix_is_the_block_most_rows_store(case, monkeypatch):
    """`SparseRows.dense_prefix` (counted a block of rows at a time: 7 here) against a plain count:
    values missing from a few rows, or stored out of order, do not end the block; a column that
    more than half the rows lack does."""
    from chainrule.training import sparse_rows
    monkeypatch.setattr(kernels, "ENABLED", True)
    monkeypatch.setattr(sparse_rows, "PREFIX_ROWS", 7)
    X, _ = encoded(n=40)
    if case in ("a zero left out", "half the rows lack a column"):
        X = X.tolil()
        for i in ([23] if case == "a zero left out" else range(19, 40)):
            X[i, 5] = 0
        X = sp.csr_matrix(X)
        X.eliminate_zeros()
    elif case == "an empty row":
        X = sp.vstack([X[:30], sp.csr_matrix((1, X.shape[1])), X[30:]]).tocsr()
    elif case == "unsorted columns":
        X.indices[X.indptr[33]:X.indptr[33] + 2] = [1, 0]
    elif case == "all dense":
        X = sp.csr_matrix(np.random.default_rng(1).normal(size=(40, 9)))
    elif case == "random":
        X = sp.random(40, 30, density=0.5, format="csr", random_state=3)
    X = sp.csr_matrix(X, dtype=np.float64)
    X.indices = X.indices.astype(np.int32)
    expected = {"all dense": 9, "half the rows lack a column": 5}
    assert dense_prefix_truth(X) == expected.get(case, 12 if case != "random" else dense_prefix_truth(X))
    assert sparse_rows.SparseRows(X, np.dtype(np.float64)).dense_prefix() == dense_prefix_truth(X)
    part = sparse_rows.SparseRows(X, np.dtype(np.float64))[21:]       # counted over its own rows
    assert part.dense_prefix() == dense_prefix_truth(X[21:])


def test_a_block_with_gaps_and_rows_out_of_order_gives_the_numpy_loops_numbers(monkeypatch):
    """scikit-learn's ColumnTransformer drops the exact zeros of scaled, mean-imputed gaps, so some
    rows store fewer values of the block; a row may also store its values out of column order. The
    block is still multiplied by BLAS (zeros where a row stores nothing) and the values after a
    larger column by the loop: the NumPy loop's numbers."""
    X, y = encoded(n=300)
    X = X.tolil()
    rng = np.random.default_rng(5)
    for i in rng.choice(300, 40, replace=False):
        X[i, int(rng.integers(0, 12))] = 0
    X = sp.csr_matrix(X)
    X.eliminate_zeros()
    for i in (7, 150):                                  # a column of the block after a text one
        a, b = X.indptr[i], X.indptr[i + 1]
        X.indices[a:b] = np.roll(X.indices[a:b], -1)
        X.data[a:b] = np.roll(X.data[a:b], -1)
    X.has_sorted_indices = False
    assert np.diff(X.indptr).min() < 15
    ref, h_ref, _ = fit(X, y, compiled_loop=False, monkeypatch=monkeypatch)
    seen = prefixes(monkeypatch)
    got, h_got, _ = fit(X, y, compiled_loop=True, monkeypatch=monkeypatch)
    assert set(seen) == {12}
    np.testing.assert_allclose(got.params, ref.params, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h_got["loss"], h_ref["loss"], rtol=1e-12)
