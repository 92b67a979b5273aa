"""What predict, evaluate and fit take as X, family by family: what they accept gives the numbers of the same
data as a plain float array; what they refuse is named, with advice that works on the object given."""
import re

import numpy as np
import pytest
import scipy.sparse as sp

from chainrule import Dense, Network
from chainrule.errors import ChainruleError

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(63)
X = RNG.normal(size=(8, 3))
Y = np.eye(2)[[0, 1, 1, 0, 1, 0, 0, 1]]


def network():
    return Network([Dense(3, 4, activation="tanh"), Dense(4, 2, activation="softmax")],
                   loss="categorical_crossentropy", seed=0)


def fitted_weights(x, y=Y):
    net = network()
    net.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    return net.get_weights()


def advice(message: str) -> str:
    """The reshape a message suggests."""
    return re.search(r"np\.reshape\(X, \((?:len\(X\)|[^()])*\)\)", message).group(0)


def test_tensor_that_requires_grad_is_read_as_its_values():
    t = torch.tensor(X, requires_grad=True)
    net = network()
    np.testing.assert_allclose(net.predict(t), net.predict(X), rtol=0, atol=0)
    assert net.evaluate(t, Y, verbose=0) == net.evaluate(X, Y, verbose=0)
    for got, want in zip(fitted_weights(t, torch.tensor(Y, requires_grad=True)), fitted_weights(X)):
        np.testing.assert_allclose(got, want, rtol=0, atol=0)


def test_bfloat16_tensor_is_read_as_its_float32_values():
    t = torch.tensor(X, dtype=torch.bfloat16)
    plain = t.to(torch.float64).numpy()          # torch's own reading of the rounded values
    net = network()
    np.testing.assert_allclose(net.predict(t), net.predict(plain), rtol=0, atol=0)


@pytest.mark.parametrize("call", ["predict", "evaluate", "fit"])
def test_meta_tensor_is_refused_by_its_device(call):
    t = torch.empty(8, 3, device="meta")
    net = network()
    with pytest.raises(ChainruleError, match=r"X is a torch tensor on device 'meta'.*no values"):
        net.predict(t) if call == "predict" else getattr(net, call)(t, Y, verbose=0)


@pytest.mark.parametrize("call", ["predict", "evaluate", "fit"])
def test_list_of_sample_pairs_is_explained_and_the_advice_works(call):
    pairs = [(X[i], Y[i]) for i in range(len(X))]
    net = network()
    with pytest.raises(ChainruleError, match=r"sequence of 8 \(x, y\) samples") as info:
        net.predict(pairs) if call == "predict" else getattr(net, call)(pairs, Y, verbose=0)
    assert "inhomogeneous" not in str(info.value)
    x_expr, y_expr = re.findall(r"[XY] = (np\.\w+\(\[[^\]]*\]\))", str(info.value))
    np.testing.assert_array_equal(eval(x_expr, {"np": np, "pairs": pairs}), X)
    np.testing.assert_array_equal(eval(y_expr, {"np": np, "pairs": pairs}), Y)


def test_list_of_batch_pairs_advice_joins_the_batches():
    pairs = [(X[i:i + 4], Y[i:i + 4]) for i in (0, 4)]
    with pytest.raises(ChainruleError, match=r"2 \(x, y\) batches") as info:
        network().predict(pairs)
    x_expr, y_expr = re.findall(r"[XY] = (np\.\w+\(\[[^\]]*\]\))", str(info.value))
    np.testing.assert_array_equal(eval(x_expr, {"np": np, "pairs": pairs}), X)
    np.testing.assert_array_equal(eval(y_expr, {"np": np, "pairs": pairs}), Y)


def test_generator_is_refused_with_a_way_to_read_it():
    net = network()
    gen = (X[i:i + 4] for i in (0, 4))
    with pytest.raises(ChainruleError, match=r"X must be a numeric array; got a generator.*read only once") as info:
        net.predict(gen)
    gen = (X[i:i + 4] for i in (0, 4))
    joined = eval(re.search(r"(np\.concatenate\(list\(X\)\))", str(info.value)).group(1), {"np": np, "X": gen})
    np.testing.assert_allclose(net.predict(joined), net.predict(X), rtol=0, atol=0)


def test_series_for_a_one_input_network_gets_a_reshape_a_series_has():
    pd = pytest.importorskip("pandas")
    net = Network([Dense(1, 2, activation="softmax")], loss="categorical_crossentropy", seed=0)
    s = pd.Series(X[:, 0], name="x")
    with pytest.raises(ChainruleError, match="1-D") as info:
        net.predict(s)
    fixed = eval(advice(str(info.value)), {"np": np, "X": s})
    np.testing.assert_allclose(net.predict(fixed), net.predict(X[:, :1]), rtol=0, atol=0)


@pytest.mark.parametrize("call", ["predict", "evaluate", "fit"])
def test_three_axis_hdf5_dataset_gets_a_reshape_it_has(tmp_path, call):
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "x.h5", "w") as f:
        ds = f.create_dataset("x", data=X.reshape(8, 3, 1))
        net = network()
        with pytest.raises(ChainruleError, match="3-D") as info:
            net.predict(ds) if call == "predict" else getattr(net, call)(ds, Y, verbose=0)
        assert "store it 2-D (8, 3) in the file" in str(info.value)      # fit reads it a batch at a time
        fixed = eval(advice(str(info.value)), {"np": np, "X": ds})
        np.testing.assert_allclose(net.predict(fixed), net.predict(X), rtol=0, atol=0)


def test_three_axis_list_gets_a_reshape_a_list_has():
    rows = X.reshape(8, 3, 1).tolist()
    net = network()
    with pytest.raises(ChainruleError, match="3-D") as info:
        net.predict(rows)
    np.testing.assert_allclose(net.predict(eval(advice(str(info.value)), {"np": np, "X": rows})), net.predict(X))


@pytest.mark.parametrize("make", [sp.dok_matrix, sp.dok_array])
def test_dok_sparse_input_gives_the_dense_numbers(make):
    net = network()
    np.testing.assert_allclose(net.predict(make(X)), net.predict(X), rtol=1e-12, atol=1e-12)
    assert net.evaluate(make(X), Y, verbose=0) == pytest.approx(net.evaluate(X, Y, verbose=0), rel=1e-12)
    for got, want in zip(fitted_weights(make(X)), fitted_weights(X)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fmt", ["lil", "dok", "csr", "coo"])
@pytest.mark.parametrize("call", ["predict", "fit"])
def test_complex_sparse_input_is_refused_not_cast(fmt, call):
    x = sp.csr_matrix(X + 1j).asformat(fmt)
    net = network()
    with pytest.raises(ChainruleError, match=r"X must hold real numbers; got a sparse \w+ of dtype complex128"):
        net.predict(x) if call == "predict" else net.fit(x, Y, verbose=0)


@pytest.mark.parametrize("fmt", ["lil", "dok"])
def test_sparse_check_reads_each_format_by_its_dtype(fmt):
    from chainrule.nn import sparse
    checked = sparse.check(sp.csr_matrix(X).asformat(fmt), "X", np.dtype("float64"))
    np.testing.assert_array_equal(checked.toarray(), X)
    with pytest.raises(ChainruleError, match=r"X must hold real numbers; got a sparse \w+ of dtype complex128"):
        sparse.check(sp.csr_matrix(X + 1j).asformat(fmt), "X", np.dtype("float64"))


@pytest.mark.parametrize("call", ["predict", "evaluate", "fit"])
@pytest.mark.parametrize("kind", ["samples", "batches"])
def test_pairs_whose_x_and_y_are_alike_are_explained_not_flattened(call, kind):
    """x and y of one shape (an autoencoder's) make one 3-D array: flattening it would feed the targets in."""
    net = Network([Dense(3, 3)], loss="mse", seed=0)
    pairs = [(X[i], X[i]) for i in range(8)] if kind == "samples" else [(X[i:i + 4], X[i:i + 4]) for i in (0, 4)]
    with pytest.raises(ChainruleError, match=rf"sequence of {len(pairs)} \(x, y\) {kind}") as info:
        net.predict(pairs) if call == "predict" else getattr(net, call)(pairs, X, verbose=0)
    x_expr, y_expr = re.findall(r"[XY] = (np\.\w+\(\[[^\]]*\]\))", str(info.value))
    np.testing.assert_array_equal(eval(x_expr, {"np": np, "pairs": pairs}), X)
    np.testing.assert_array_equal(eval(y_expr, {"np": np, "pairs": pairs}), X)


@pytest.mark.parametrize("where", ["X", "validation_data"])
def test_sample_pairs_as_batches_are_explained_and_the_advice_works(where):
    """fit(pairs) with Y omitted reads each item as a batch: per-sample pairs are told apart, not 'batch 0: 1-D'."""
    pairs = [(X[i], Y[i]) for i in range(len(X))]
    net = network()
    with pytest.raises(ChainruleError, match=rf"{where} must be a sequence of \(x, y\) batches.*8 \(x, y\) samples") \
            as info:
        net.fit(pairs, verbose=0) if where == "X" else net.fit(X, Y, validation_data=pairs, verbose=0)
    x_expr, y_expr = re.findall(r"[XY] = (np\.\w+\(\[[^\]]*\]\))", str(info.value))
    names = {"np": np, "pairs": pairs}
    for got, want in zip(fitted_weights(eval(x_expr, names), eval(y_expr, names)), fitted_weights(X)):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("layout", ["to_sparse", "to_sparse_csr"])
def test_sparse_tensor_is_read_as_its_values(layout):
    net = network()
    np.testing.assert_allclose(net.predict(getattr(torch.tensor(X), layout)()), net.predict(X), rtol=0, atol=0)


def test_lazy_conjugate_tensor_is_refused_as_complex():
    with pytest.raises(ChainruleError, match="complex"):
        network().predict(torch.tensor(X + 1j).conj())
