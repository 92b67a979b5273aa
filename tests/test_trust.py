"""Trust: no silent wrong result, no lost file, no crash on ordinary use.

Each case here was a finding of an adversarial session (bad inputs, fuzzed files, kill -9 during
training, real data files): the test failed before its fix. Tables first (one row per bad input,
with the message it must give), then the cases that need a process, a thread or a file system.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ValidationError

X3 = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def classifier(k: int = 3, dtype: str = "float64") -> cr.Network:
    return cr.Network([cr.Dense(2, 4, "tanh"), cr.Dense(4, k, "softmax")], loss="categorical_crossentropy",
                      dtype=dtype, seed=0)


# -- inputs: what scikit-learn accepts is accepted, anything else refused by its real name -------------
def _pd():
    return pytest.importorskip("pandas")


def _sp():
    return pytest.importorskip("scipy.sparse")


ACCEPTED = [
    ("pandas nullable Int64 and boolean", lambda: _pd().DataFrame(
        {"a": _pd().array([0, 1, 1], dtype="Int64"), "b": _pd().array([True, False, True], dtype="boolean")})),
    ("pandas float32 and numpy bool", lambda: _pd().DataFrame({"a": np.float32([0, 1, 1]), "b": [True, False, True]})),
    ("pandas nullable Float32", lambda: _pd().DataFrame({"a": _pd().array([0.0, 1.0, 1.0], dtype="Float32"),
                                                         "b": [1.0, 0.0, 1.0]})),
    ("uint8 DataFrame", lambda: _pd().DataFrame(X3.astype(np.uint8))),
    ("masked array without masked values", lambda: np.ma.masked_array(X3, mask=False)),
    ("Fortran-ordered", lambda: np.asfortranarray(X3)),
    ("strided", lambda: np.repeat(X3, 2, axis=1)[:, ::2]),
    ("int64", lambda: X3.astype(np.int64)),
]


@pytest.mark.parametrize("make", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_inputs_scikit_learn_accepts_give_the_numbers_of_the_plain_array(make):
    net = classifier()
    expected = net.predict(X3)
    X = make()
    np.testing.assert_array_equal(net.predict(X), expected)
    trained, reference = classifier(), classifier()
    trained.fit(X, [0, 1, 2], epochs=2, batch_size=2, seed=0, verbose=0)
    reference.fit(X3, [0, 1, 2], epochs=2, batch_size=2, seed=0, verbose=0)
    np.testing.assert_array_equal(trained.params, reference.params)


def test_nullable_integer_and_uint64_labels_train_like_int64():
    pd = _pd()
    nets = [classifier() for _ in range(3)]
    for net, y in zip(nets, [np.array([0, 1, 2]), pd.Series([0, 1, 2], dtype="Int64"),
                             np.array([0, 1, 2], dtype=np.uint64)]):
        net.fit(X3, y, epochs=2, seed=0, verbose=0)
    np.testing.assert_array_equal(nets[1].params, nets[0].params)
    np.testing.assert_array_equal(nets[2].params, nets[0].params)


REFUSED = [
    ("masked values", lambda: (np.ma.masked_array(X3, mask=[[0, 1], [0, 0], [0, 0]]), [0, 1, 2]),
     ValidationError, r"X is a masked array with 1 masked values \(first at index \(0, 1\)\)"),
    ("masked label", lambda: (X3, np.ma.masked_array([0, 1, 2], mask=[0, 0, 1])),
     ValidationError, r"Y is a masked array with 1 masked values \(first at index \(2,\)\)"),
    ("pandas NA in Int64", lambda: (_pd().DataFrame({"a": _pd().array([0, None, 1], dtype="Int64"), "b": [1, 0, 1]}),
                                    [0, 1, 2]),
     ValidationError, r"X column 'a' has 1 missing values \(first in row 1\)"),
    ("NaN in a float column", lambda: (_pd().DataFrame({"x1": [0.0, 1.0, 1.0], "x2": [1.0, np.nan, 1.0]}), [0, 1, 2]),
     ValidationError, "X column 'x2' has 1 missing values"),
    ("pandas NA label", lambda: (X3, _pd().Series([0, None, 2], dtype="Int64")),
     ValidationError, r"Y has 1 missing values \(first in row 1\)"),
    ("text column", lambda: (_pd().DataFrame({"a": [0.0, 1, 1], "name": _pd().array(["x", "y", "z"], dtype="string")}),
                             [0, 1, 2]),
     ChainruleTypeError, "X column 'name' must be numeric; got pandas dtype string"),
    ("category column", lambda: (_pd().DataFrame({"a": [0.0, 1, 1], "c": _pd().Categorical(["x", "y", "z"])}),
                                 [0, 1, 2]),
     ChainruleTypeError, "X column 'c' must be numeric; got pandas dtype category"),
    ("object column", lambda: (_pd().DataFrame({"a": [0.0, 1, 1], "o": ["x", "y", "z"]}), [0, 1, 2]),
     ChainruleTypeError, r"X column 'o' must be numeric; got pandas dtype (object|str)"),
    ("uint64 label beyond int64", lambda: (X3, np.array([0, 1, 2**63], dtype=np.uint64)),
     ValidationError, "got values from 0 to 9223372036854775808"),
    ("uint64 label out of range", lambda: (X3, np.array([0, 1, 7], dtype=np.uint64)),
     ValidationError, "must lie in 0..2 for a network with 3 outputs; got values from 0 to 7"),
    ("input too large for float32", lambda: (np.array([[1e308, 0.0], [0, 1], [1, 1]]), [0, 1, 2]),
     ValidationError, r"X has values too large for float32 \(first 1e\+308 at index \(0, 0\)"),
]


@pytest.mark.parametrize("make,exc,message", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_bad_inputs_are_refused_by_their_real_name(make, exc, message):
    X, y = make()
    net = classifier(dtype="float32" if "float32" in message else "float64")
    before = net.params.copy()
    with pytest.raises(exc, match=message):
        net.fit(X, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(net.params, before)


def test_sparse_targets_are_used_as_dense():
    sp = _sp()
    nets = [classifier(), classifier()]
    nets[0].fit(X3, sp.csr_matrix(np.eye(3)), epochs=2, seed=0, verbose=0)
    nets[1].fit(X3, np.eye(3), epochs=2, seed=0, verbose=0)
    np.testing.assert_array_equal(nets[0].params, nets[1].params)


def test_huge_finite_inputs_give_no_spurious_overflow_warning():
    net = classifier()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.loss(np.array([[1e308, 1e308], [1e308, 1e308], [0.0, 1.0]]), [0, 1, 2])


def test_fortran_ordered_and_strided_inputs_compile_nothing_new(monkeypatch):
    from chainrule.backend import kernels
    if not kernels.AVAILABLE:
        pytest.skip("needs Numba (the [fast] extra)")
    monkeypatch.setattr(kernels, "ENABLED", True)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 10)), rng.integers(0, 3, size=64)

    def train(X, dtype="float64", shuffle=True):
        net = cr.Network([cr.Dense(10, 16, "relu"), cr.Dense(16, 3, "softmax")], loss="categorical_crossentropy",
                         dtype=dtype, seed=1)
        net.fit(X, y, epochs=2, batch_size=16, shuffle=shuffle, seed=2, verbose=0)
        net.predict(X)
        return net.params

    def compiled_signatures():
        loaded = {name: vars(kernels).get(name) for name in kernels._COMPILED}
        return {name: len(f.signatures) for name, f in loaded.items() if f is not None}

    reference = {dtype: train(X, dtype) for dtype in ("float64", "float32")}
    train(X, shuffle=False)
    before = compiled_signatures()
    wide = np.repeat(X, 3, axis=1)
    for dtype in ("float64", "float32"):
        for other in (np.asfortranarray(X), wide[:, ::3], X.astype(np.float32), np.asfortranarray(X.astype(">f8"))):
            np.testing.assert_array_equal(train(other, dtype), reference[dtype])
            train(other, dtype, shuffle=False)
    assert compiled_signatures() == before
