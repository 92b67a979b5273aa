"""A SciPy sparse (CSR) X through the engine gives the numbers of the same X dense.

The cases come from the registries (every activation, every optimizer), so a new entry is tested
without writing a test. The dense path (NumPy, or the compiled epoch where it applies) is the
reference; the sparse path runs SciPy's products without Numba and the CSR kernels with it.
"""
import itertools
import subprocess
import sys

import numpy as np
import pytest

sp = pytest.importorskip("scipy.sparse")

import chainrule as cr  # noqa: E402
from chainrule.backend import csr as csr_kernels  # noqa: E402
from chainrule.backend import kernels  # noqa: E402
from chainrule.errors import ChainruleTypeError, ValidationError  # noqa: E402
from chainrule.nn.activations import ACTIVATIONS  # noqa: E402
from chainrule.training import compiled  # noqa: E402
from chainrule.training.optim import OPTIMIZERS  # noqa: E402

needs_numba = pytest.mark.skipif(not kernels.AVAILABLE, reason="needs Numba (the [fast] extra)")


def onehot_table(n=240, numeric=5, cats=(3, 7, 12), seed=0, dtype=np.float64):
    """Dense numeric columns and one-hot blocks, as CSR; targets from both parts (learnable)."""
    rng = np.random.default_rng(seed)
    num = rng.normal(size=(n, numeric))
    codes = [rng.integers(0, k, size=n) for k in cats]
    blocks = [num] + [np.eye(k)[c] for k, c in zip(cats, codes)]
    X = sp.csr_matrix(np.hstack(blocks).astype(dtype))
    y = ((num[:, 0] > 0).astype(int) + (codes[0] == 1) + (codes[1] > 3)) % 3
    return X, y


def train(X, y, act, opt_name, *, dtype="float64", numba=True, monkeypatch, epochs=3, **fit):
    monkeypatch.setattr(kernels, "ENABLED", numba and kernels.AVAILABLE)
    net = cr.Network([cr.Dense(X.shape[1], 8, act), cr.Dense(8, 3, "softmax")],
                     loss="categorical_crossentropy", dtype=dtype, seed=0)
    history = net.fit(X, y, epochs=epochs, batch_size=16, optimizer=OPTIMIZERS[opt_name](lr=0.01), seed=1,
                      verbose=0, validation_split=0.25, **fit)
    return net, history


def close(a, b, tol):
    scale = max(np.abs(a).max(), 1.0)
    assert np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)).max() <= tol * scale


@pytest.mark.parametrize("act, opt", list(itertools.product(sorted(ACTIVATIONS), sorted(OPTIMIZERS))))
def test_sparse_trains_as_dense_every_activation_and_optimizer(act, opt, monkeypatch):
    X, y = onehot_table()
    dense, h_dense = train(X.toarray(), y, act, opt, monkeypatch=monkeypatch)
    for numba in (False, True):
        sparse, h_sparse = train(X, y, act, opt, numba=numba, monkeypatch=monkeypatch)
        close(dense.params, sparse.params, 1e-12)
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            np.testing.assert_allclose(h_sparse.history[key], h_dense.history[key], rtol=1e-12)


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_float32_sparse_trains_as_dense(opt, monkeypatch):
    X, y = onehot_table(dtype=np.float32)
    dense, _ = train(X.toarray(), y, "relu", opt, dtype="float32", monkeypatch=monkeypatch)
    sparse, _ = train(X, y, "relu", opt, dtype="float32", monkeypatch=monkeypatch)
    assert sparse.params.dtype == np.float32
    close(dense.params, sparse.params, 1e-5)


@pytest.mark.parametrize("loss, out, k", [("mse", "linear", 2), ("sse", "tanh", 2),
                                          ("binary_crossentropy", "sigmoid", 1)])
def test_sparse_with_other_losses_and_no_shuffle(loss, out, k, monkeypatch):
    X, y = onehot_table()
    Y = np.eye(3)[y][:, :k]
    results = []
    for data in (X.toarray(), X):
        net = cr.Network([cr.Dense(X.shape[1], 6, "tanh"), cr.Dense(6, k, out)], loss=loss, seed=2)
        net.fit(data, Y, epochs=2, batch_size=32, shuffle=False, optimizer=cr.optim.SGD(0.05, momentum=0.9),
                verbose=0)
        results.append(net.params.copy())
    close(results[0], results[1], 1e-12)


def test_forward_gradients_predict_evaluate_on_csr():
    X, y = onehot_table(n=50)
    Xd = X.toarray()
    net = cr.Network([cr.Dense(X.shape[1], 7, "relu"), cr.Dense(7, 3, "softmax")],
                     loss="categorical_crossentropy", seed=4)
    np.testing.assert_allclose(net.forward(X), net.forward(Xd), rtol=1e-13)
    for (dW, db), (dWd, dbd) in zip(net.gradients(X, y), net.gradients(Xd, y)):
        np.testing.assert_allclose(dW, dWd, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(db, dbd, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(net.predict(X), net.predict(Xd), rtol=1e-13)
    np.testing.assert_allclose(net.predict(X, batch_size=7), net.predict(Xd), rtol=1e-13)
    ev, evd = net.evaluate(X, y), net.evaluate(Xd, y)
    assert ev["accuracy"] == evd["accuracy"] and ev["loss"] == pytest.approx(evd["loss"], rel=1e-13)
    assert net.loss(X, y) == pytest.approx(net.loss(Xd, y), rel=1e-13)
    # explain and diagnostics read the first layer's input: the CSR batch itself
    net.forward(X)
    assert sp.issparse(net.layers[0].x)


def test_predict_and_evaluate_in_chunks_equal_whole(monkeypatch):
    from chainrule.nn import network
    X, y = onehot_table(n=101)
    net = cr.Network([cr.Dense(X.shape[1], 5, "tanh"), cr.Dense(5, 3, "softmax")],
                     loss="categorical_crossentropy", seed=3)
    whole_p, whole_e = net.predict(X), net.evaluate(X, y)
    monkeypatch.setattr(network, "CHUNK", 16)
    np.testing.assert_allclose(net.predict(X), whole_p, rtol=1e-14)
    chunked = net.evaluate(X, y)
    assert chunked["accuracy"] == whole_e["accuracy"]
    assert chunked["loss"] == pytest.approx(whole_e["loss"], rel=1e-13)


@needs_numba
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_csr_kernels_equal_scipy(index_dtype, monkeypatch):
    monkeypatch.setattr(kernels, "ENABLED", True)     # compiled here (or loaded), whatever ran before
    rng = np.random.default_rng(5)
    X = sp.random(40, 30, density=0.2, format="csr", random_state=6, dtype=np.float64)
    X = sp.csr_matrix(X.multiply(np.arange(40)[:, None] != 3))      # row 3 empty
    X.indices, X.indptr = X.indices.astype(index_dtype), X.indptr.astype(index_dtype)
    W, delta = rng.normal(size=(30, 9)), rng.normal(size=(40, 9))
    out = np.empty((40, 9))
    np.testing.assert_array_equal(csr_kernels.matmul(X.indptr, X.indices, X.data, W, out), X @ W)
    dW = np.full((30, 9), np.nan)               # every entry written, untouched rows as zeros
    np.testing.assert_array_equal(csr_kernels.matmul_t(X.indptr, X.indices, X.data, delta, dW), X.T @ delta)
    rows = np.array([7, 3, 3, 39, 0])
    ip, ix, dt = np.empty(6, index_dtype), np.empty(X.nnz * 2, index_dtype), np.empty(X.nnz * 2)
    nnz = csr_kernels.gather(X.indptr, X.indices, X.data, rows, ip, ix, dt)
    got = sp.csr_matrix((dt[:nnz], ix[:nnz], ip), shape=(5, 30))
    np.testing.assert_array_equal(got.toarray(), X[rows].toarray())


@needs_numba
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_csr_weight_gradient_sums_in_scipys_order(dtype, monkeypatch):
    """Every entry of the sparse weight gradient (csr._matmul_t) is SciPy's sum in SciPy's order,
    bit for bit, with unsorted and repeated columns in a row, a matrix that starts past its
    arrays' first value, and a batch of rows with repeats (the compiled loop's)."""
    monkeypatch.setattr(kernels, "ENABLED", True)
    rng = np.random.default_rng(8)
    # values of very different sizes: any other order of the additions changes the last bits
    data = (rng.normal(size=60) * 10.0 ** rng.integers(-8, 8, size=60)).astype(dtype)
    indices = rng.integers(0, 7, size=60).astype(np.int32)      # repeats within rows, unsorted
    indptr = np.array([3, 10, 10, 25, 40, 52, 60], dtype=np.int64)  # 6 rows, the first from value 3
    X = sp.csr_matrix((data[3:], indices[3:], indptr - 3), shape=(6, 7))
    assert not X.has_canonical_format
    delta = (rng.normal(size=(6, 5)) * 10.0 ** rng.integers(-8, 8, size=(6, 5))).astype(dtype)
    dW = np.full((7, 5), np.nan, dtype)
    got = csr_kernels.matmul_t(indptr, indices, data, delta, dW)
    np.testing.assert_array_equal(got, X.T @ delta)
    rows = np.array([4, 0, 4, 2, 5, 3], dtype=np.int64)          # the compiled loop's batch: rows in its order
    dW = np.full((7, 5), np.nan, dtype)
    csr_kernels._compiled("_matmul_t")(indptr, indices, data, rows, np.zeros(0, np.int64), 0, delta, dW)
    np.testing.assert_array_equal(dW, X[rows].T @ delta)


def test_compiled_epoch_declines_csr_and_train_steps_runs(monkeypatch):
    X, y = onehot_table(n=30)
    Y = np.eye(3)[y]
    net = cr.Network([cr.Dense(X.shape[1], 4, "tanh"), cr.Dense(4, 3, "softmax")],
                     loss="categorical_crossentropy", seed=0)
    assert compiled.epoch_plan(net, cr.optim.Adam(), X) is None
    results = []
    for data in (X.toarray(), X):
        net = cr.Network([cr.Dense(X.shape[1], 4, "tanh"), cr.Dense(4, 3, "softmax")],
                         loss="categorical_crossentropy", seed=0)
        results.append((net.train_steps(data, Y, 20, cr.optim.Adam(0.01)), net.params.copy()))
    assert results[0][0] == pytest.approx(results[1][0], rel=1e-12)
    close(results[0][1], results[1][1], 1e-12)


def test_dropout_on_a_sparse_input_equals_dense():
    X, y = onehot_table(n=60)
    params = []
    for data in (X.toarray(), X):
        net = cr.Network([cr.Dropout(0.3), cr.Dense(X.shape[1], 6, "relu"), cr.Dropout(0.2),
                          cr.Dense(6, 3, "softmax")], loss="categorical_crossentropy", seed=0)
        net.fit(data, y, epochs=2, batch_size=8, seed=3, verbose=0)
        params.append(net.params.copy())
    close(params[0], params[1], 1e-12)


def test_other_sparse_formats_and_dtypes_are_taken_as_csr():
    X, y = onehot_table(n=40)
    net = cr.Network([cr.Dense(X.shape[1], 3, "softmax")], loss="categorical_crossentropy", seed=0)
    want = net.predict(X.toarray())
    for other in (X.tocsc(), X.tocoo(), sp.csr_array(X), X.astype(np.float32), (X != 0).astype(bool) * 1):
        expected = want if other.dtype != bool and other.nnz == X.nnz and other.dtype.kind == "f" else None
        got = net.predict(other)
        if expected is not None:
            np.testing.assert_allclose(got, expected, rtol=1e-6 if other.dtype == np.float32 else 1e-13)
        else:
            np.testing.assert_allclose(got, net.predict(other.toarray()), rtol=1e-13)


def test_bad_sparse_input_is_named():
    X, y = onehot_table(n=20)
    net = cr.Network([cr.Dense(X.shape[1], 3, "softmax")], loss="categorical_crossentropy", seed=0)
    bad = X.copy()
    bad.data[bad.indptr[4] + 1] = np.nan
    col = int(bad.indices[bad.indptr[4] + 1])
    with pytest.raises(ValidationError, match=rf"X contains NaN or infinity \(first at index \(4, {col}\)\)"):
        net.fit(bad, y, verbose=0)
    with pytest.raises(ValidationError, match="X has 10 features per sample; the network expects"):
        net.predict(sp.csr_matrix((5, 10)))
    with pytest.raises(ValidationError, match="X is empty"):
        net.predict(sp.csr_matrix((0, X.shape[1])))
    with pytest.raises(ChainruleTypeError, match="must hold real numbers"):
        net.predict(X.astype(np.complex128))
    broken = sp.csr_matrix((X.data.copy(), X.indices.copy(), X.indptr.copy()), shape=X.shape)
    broken.indices[0] = X.shape[1] + 5               # a column outside the matrix
    with pytest.raises(ValidationError, match="X is not a valid CSR matrix"):
        net.predict(broken)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_sklearn_estimators_accept_sparse(monkeypatch):
    from chainrule.sklearn import BackpropClassifier, BackpropRegressor
    from chainrule.training import trainer
    from chainrule.training.sparse_rows import SparseRows
    trained_on = []            # the X each fit trains on: the CSR rows themselves, never densified
    init = trainer.Trainer.__init__
    monkeypatch.setattr(trainer.Trainer, "__init__",
                        lambda self, net, X, *a, **k: (trained_on.append(type(X)), init(self, net, X, *a, **k))[1])
    X, y = onehot_table()
    for kw in ({}, {"early_stopping": True, "validation_fraction": 0.2}):
        a = BackpropClassifier(hidden_layer_sizes=(6,), epochs=3, random_state=0, **kw).fit(X, y)
        assert trained_on[-1] is SparseRows
        b = BackpropClassifier(hidden_layer_sizes=(6,), epochs=3, random_state=0, **kw).fit(X.toarray(), y)
        np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X.toarray()), rtol=1e-11, atol=1e-14)
    r = BackpropRegressor(hidden_layer_sizes=(4,), epochs=2, random_state=0).fit(X.tocsc(), y.astype(float))
    rd = BackpropRegressor(hidden_layer_sizes=(4,), epochs=2, random_state=0).fit(X.toarray(), y.astype(float))
    np.testing.assert_allclose(r.predict(X), rd.predict(X.toarray()), rtol=1e-11)


def test_core_trains_without_importing_scipy():
    code = ("import sys, numpy as np, chainrule as cr\n"
            "net = cr.Network([cr.Dense(3, 2, 'tanh'), cr.Dense(2, 1)], loss='mse', seed=0)\n"
            "X = np.random.default_rng(0).normal(size=(20, 3))\n"
            "net.fit(X, X[:, :1], epochs=2, verbose=0, validation_split=0.2)\n"
            "net.predict(X); net.evaluate(X, X[:, :1])\n"
            "assert 'scipy' not in sys.modules, 'scipy was imported'\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
