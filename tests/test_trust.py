"""Trust: no silent wrong result, no lost file, no crash on ordinary use.

Each case here was a finding of an adversarial session (bad inputs, fuzzed files, kill -9 during
training, real data files): the test failed before its fix. Tables first (one row per bad input,
with the message it must give), then the cases that need a process, a thread or a file system.
"""
from __future__ import annotations

import math
import time
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
     ValidationError, r"X is a masked array with 1 masked value \(first at index \(0, 1\)\)"),
    ("masked label", lambda: (X3, np.ma.masked_array([0, 1, 2], mask=[0, 0, 1])),
     ValidationError, r"Y is a masked array with 1 masked value \(first at index 2\)"),
    ("pandas NA in Int64", lambda: (_pd().DataFrame({"a": _pd().array([0, None, 1], dtype="Int64"), "b": [1, 0, 1]}),
                                    [0, 1, 2]),
     ValidationError, r"X column 'a' has 1 missing value \(first in row 1\)"),
    ("NaN in a float column", lambda: (_pd().DataFrame({"x1": [0.0, 1.0, 1.0], "x2": [1.0, np.nan, 1.0]}), [0, 1, 2]),
     ValidationError, "X column 'x2' has 1 missing value"),
    ("pandas NA label", lambda: (X3, _pd().Series([0, None, 2], dtype="Int64")),
     ValidationError, r"Y has 1 missing value \(first in row 1\)"),
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
        import sys
        found = {}
        for module in [m for name, m in sys.modules.items() if name.startswith("chainrule.backend")]:
            for name, f in vars(module).items():
                if hasattr(f, "signatures") and hasattr(f, "py_func"):       # a Numba dispatcher
                    found[f"{module.__name__}.{name}"] = len(f.signatures)
            for name, f in (vars(module).get("_jit") or {}).items():
                found[f"{module.__name__}._jit.{name}"] = len(f.signatures)
        return found

    for dtype in ("float64", "float32"):
        for shuffle in (True, False):
            train(X, dtype, shuffle=shuffle)
    before = compiled_signatures()
    assert sum(before.values()) > 0                                    # the kernels did run
    wide = np.repeat(X, 3, axis=1)
    for dtype in ("float64", "float32"):
        for other in (np.asfortranarray(X), wide[:, ::3], X.astype(np.float32), np.asfortranarray(X.astype(">f8"))):
            same_values = np.ascontiguousarray(other, dtype=np.float64)
            np.testing.assert_array_equal(train(other, dtype), train(same_values, dtype))
            train(other, dtype, shuffle=False)
    assert compiled_signatures() == before


# -- model files: anything save writes, load reads; nothing non-finite; errors name the user's path ------
def _entries(path):
    import json
    with np.load(path, allow_pickle=False) as data:
        entries = {k: data[k] for k in data.files}
    return entries, json.loads(str(entries["__format__"]))


def _write(path, entries, header):
    import json
    entries["__format__"] = np.array(json.dumps(header))
    with open(path, "wb") as f:
        np.savez(f, **entries)
    return path


@pytest.mark.parametrize("what", ["20,000 categories", "long history"])
def test_descriptions_beyond_the_old_16_mib_cap_load_back(tmp_path, what):
    net = classifier()
    if what == "20,000 categories":        # the preprocessing of a text column of 20,000 long IDs
        extra = {"tabular": {"columns": [{"name": "id", "categories": [f"{i:06d}-" + "x" * 200
                                                                       for i in range(20_000)]}]}}
    else:
        extra = {"history": {"loss": list(np.linspace(1.0, 0.1, 250_000))}}
    net.save(tmp_path / "m.npz")
    from chainrule.saving.npz import save
    save(net, tmp_path / "m.npz", extra=extra)
    assert (tmp_path / "m.npz").stat().st_size > 16 * 2**20
    loaded, got = cr.load(tmp_path / "m.npz", with_extra=True)
    assert got == extra
    np.testing.assert_array_equal(loaded.params, net.params)


def test_save_refuses_non_finite_weights_naming_the_layer(tmp_path):
    net = classifier()
    net.layers[1].W[2, 1] = np.nan
    with pytest.raises(ValidationError, match=r"cannot save: .*NaN or infinity, first in W\[2, 1\] of layer 1 "
                                              r"\(Dense\(4, 3, activation='softmax'\)\): nan"):
        net.save(tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()
    net.layers[1].W[2, 1] = 0.0
    net.layers[0].b[3] = -np.inf
    with pytest.raises(ValidationError, match=r"b\[3\] of layer 0"):
        net.save(tmp_path / "m.npz")


BAD_FILES = [
    ("NaN weight", lambda e, h: e["params"].__setitem__(5, np.nan), r"NaN or infinity, first in W\[1, 1\] of layer 0"),
    ("infinite bias", lambda e, h: e["params"].__setitem__(-1, np.inf), r"first in b\[2\] of layer 1"),
    ("NaN optimizer state", lambda e, h: e["opt.exp_avg"].__setitem__(0, np.nan), "opt.exp_avg vector contain NaN"),
    ("NaN learning rate", lambda e, h: h["optimizer"]["config"].update(lr=float("nan")), "lr must be finite; got nan"),
    ("infinite learning rate", lambda e, h: h["optimizer"]["config"].update(lr=float("inf")), "lr must be finite"),
    ("negative learning rate", lambda e, h: h["optimizer"]["config"].update(lr=-0.1), r"lr must be in \[0.0, inf\)"),
    ("text learning rate", lambda e, h: h["optimizer"]["config"].update(lr="fast"), "lr must be a number"),
    ("NaN beta", lambda e, h: h["optimizer"]["config"].update(betas=[float("nan"), 0.999]), "betas.0. must be finite"),
    ("schedule gamma above 1", lambda e, h: h["optimizer"]["config"].update(
        lr={"name": "ExponentialLR", "lr": 0.1, "gamma": 1.5}), r"gamma must be in \(0.0, 1.0\]"),
    ("trainable as text", lambda e, h: h["network"]["layers"][0].update(trainable={"W": "no", "b": True}),
     "each value must be True or False"),
]


@pytest.mark.parametrize("change,message", [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_model_files_with_non_finite_or_invalid_numbers_are_refused(tmp_path, change, message):
    net = classifier()
    net.fit(X3, [0, 1, 2], epochs=2, verbose=0, optimizer=cr.optim.Adam(0.01))
    net.save(tmp_path / "good.npz")
    entries, header = _entries(tmp_path / "good.npz")
    change(entries, header)
    with pytest.raises(cr.errors.ModelFileError, match=message):
        cr.load(_write(tmp_path / "bad.npz", entries, header))


def _zip_with_members(path, n):
    """A zip archive listing `n` empty members: local headers, central directory, end records
    (zip64 when n needs it), written directly (zipfile would take seconds for 300,000)."""
    import struct
    import zlib
    local, central = [], []
    offset = 0
    crc = zlib.crc32(b"")
    for i in range(n):
        name = f"m{i}.npy".encode()
        header = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, 0, 0, len(name), 0) + name
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, crc, 0, 0, len(name), 0, 0,
                                   0, 0, 0, offset) + name)
        local.append(header)
        offset += len(header)
    directory = b"".join(central)
    end = b""
    if n >= 0xFFFF:
        z64 = offset + len(directory)
        end += struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, n, n, len(directory), offset)
        end += struct.pack("<4sLQL", b"PK\x06\x07", 0, z64, 1)
    count = min(n, 0xFFFF)
    end += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0)
    path.write_bytes(b"".join(local) + directory + end)
    return path


@pytest.mark.parametrize("n", [300_000, 1_000])
def test_an_archive_of_many_members_is_refused_on_its_member_list(tmp_path, monkeypatch, n):
    import tracemalloc
    import zipfile
    path = _zip_with_members(tmp_path / "many.npz", n)
    assert zipfile.is_zipfile(path)
    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "__init__", lambda self, *a, **k: opened.append(a) or 1 / 0)
    tracemalloc.start()
    try:
        with pytest.raises(cr.errors.ModelFileError, match=f"lists {n} members.*at most 64.*refused before reading"):
            cr.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not opened and peak < 2 * 2**20


def test_saving_names_the_users_path_not_a_temporary_file(tmp_path):
    net = classifier()
    cases = [(tmp_path, IsADirectoryError, "it is a folder"),
             (tmp_path / "missing" / "m.npz", FileNotFoundError, "its folder .* does not exist"),
             (tmp_path / ("x" * 300 + ".npz"), OSError, "File name too long: 304 bytes"),
             (tmp_path / "file.txt" / "m.npz", NotADirectoryError, "is not a folder")]
    (tmp_path / "file.txt").write_text("a file, not a folder")
    for path, exc, message in cases:
        with pytest.raises(exc, match=message) as info:
            net.save(path)
        assert info.value.filename == str(path) and ".tmp" not in str(info.value)
    long_name = tmp_path / ("y" * 250 + ".npz")           # fits the file system; its temporary name did not
    net.save(long_name)
    np.testing.assert_array_equal(cr.load(long_name).params, net.params)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["file.txt", long_name.name])


def test_saving_through_a_symlink_writes_its_target(tmp_path):
    net = classifier()
    cr.Network([cr.Dense(4, 1)], loss="mse").save(tmp_path / "real.npz")       # an older model, replaced
    (tmp_path / "link.npz").symlink_to(tmp_path / "real.npz")
    net.save(tmp_path / "link.npz")
    assert (tmp_path / "link.npz").is_symlink()
    np.testing.assert_array_equal(cr.load(tmp_path / "real.npz").params, net.params)


# -- schedules: arguments checked when built, never a raw OverflowError hundreds of epochs later --------
SCHEDULES = [
    ("ExponentialLR gamma above 1", lambda: cr.optim.ExponentialLR(0.1, 1.5),
     r"gamma must be in \(0.0, 1.0\]; got 1.5"),
    ("StepLR gamma above 1", lambda: cr.optim.StepLR(0.1, 2, gamma=2.0), r"gamma must be in \(0.0, 1.0\]; got 2.0"),
    ("ExponentialLR gamma NaN", lambda: cr.optim.ExponentialLR(0.1, float("nan")), "gamma must be finite; got nan"),
    ("ExponentialLR gamma 0", lambda: cr.optim.ExponentialLR(0.1, 0.0), r"gamma must be in \(0.0, 1.0\]; got 0.0"),
    ("StepLR gamma negative", lambda: cr.optim.StepLR(0.1, 2, gamma=-0.5), r"gamma must be in \(0.0, 1.0\]"),
    ("StepLR step 0", lambda: cr.optim.StepLR(0.1, 0), "step_size must be a positive integer; got 0"),
    ("CosineAnnealingLR T_max 0", lambda: cr.optim.CosineAnnealingLR(0.1, 0), "T_max must be a positive integer"),
    ("CosineAnnealingLR eta_min NaN", lambda: cr.optim.CosineAnnealingLR(0.1, 5, eta_min=float("nan")),
     "eta_min must be finite"),
    ("CosineAnnealingLR eta_min negative", lambda: cr.optim.CosineAnnealingLR(0.1, 5, eta_min=-1.0),
     r"eta_min must be in \[0.0, inf\)"),
    ("schedule lr infinite", lambda: cr.optim.ExponentialLR(float("inf"), 0.9), "lr must be finite"),
]


@pytest.mark.parametrize("make,message", [c[1:] for c in SCHEDULES], ids=[c[0] for c in SCHEDULES])
def test_schedule_arguments_are_checked_when_built(make, message):
    with pytest.raises(cr.errors.ChainruleError, match=message):
        make()


def test_the_largest_valid_schedules_run_a_thousand_epochs():
    for schedule in (cr.optim.ExponentialLR(1e300, 1.0), cr.optim.StepLR(0.5, 1, gamma=1e-3)):
        rates = [schedule(e) for e in range(1000)]
        assert all(np.isfinite(rates)) and all(r >= 0 for r in rates)


# -- output activation and loss: cross-entropy needs probabilities ---------------------------------------
WRONG_OUTPUTS = [(act, loss, k) for loss, k in (("categorical_crossentropy", 3), ("binary_crossentropy", 1))
                 for act in ("linear", "relu", "leaky_relu", "tanh")]


@pytest.mark.parametrize("act,loss,k", WRONG_OUTPUTS, ids=[f"{a}+{l}" for a, l, _ in WRONG_OUTPUTS])
def test_cross_entropy_after_an_output_that_is_not_a_probability_is_refused(act, loss, k):
    with pytest.raises(ValidationError, match=f"loss='{loss}' needs probabilities from the output layer, but its "
                                              f"activation is '{act}'"):
        cr.Network([cr.Dense(2, 4, "tanh"), cr.Dense(4, k, act)], loss=loss)


def test_the_refused_pairing_really_gives_wrong_numbers():
    """Why ReLU + categorical cross-entropy is refused: the value it computes is negative."""
    from chainrule.nn.losses import CategoricalCrossentropy
    out = np.array([[3.0, 0.0, 0.0]])                     # what a ReLU output layer can give
    assert CategoricalCrossentropy().value(out, np.array([[1.0, 0.0, 0.0]])) < 0


@pytest.mark.parametrize("act,loss,k,message", [
    ("sigmoid", "categorical_crossentropy", 3, "outputs do not sum to 1"),
    ("softmax", "binary_crossentropy", 3, "outputs compete"),
])
def test_unusual_but_valid_pairings_warn(act, loss, k, message):
    with pytest.warns(UserWarning, match=message):
        cr.Network([cr.Dense(2, k, act)], loss=loss)


@pytest.mark.parametrize("act,loss,k", [("softmax", "categorical_crossentropy", 3),
                                        ("sigmoid", "binary_crossentropy", 2), ("linear", "mse", 2),
                                        ("relu", "sse", 2), ("tanh", "sse", 1), ("sigmoid", "sse", 2)])
def test_usual_pairings_are_accepted_silently(act, loss, k):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cr.Network([cr.Dense(2, k, act)], loss=loss)


def test_a_loss_that_declares_it_takes_logits_may_follow_a_linear_output():
    class LogitBCE(cr.Loss):
        """Binary cross-entropy from the raw scores z: max(z, 0) - z y + log(1 + e^-|z|)."""
        name = "logit_bce"
        takes_logits = True

        def elementwise(self, out, Y):
            return np.maximum(out, 0) - out * Y + np.log1p(np.exp(-np.abs(out)))

        def grad(self, out, Y):
            return (0.5 * (1 + np.tanh(out / 2)) - Y) / out.size

        def scale(self, out):
            return out.size

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net = cr.Network([cr.Dense(2, 1, "linear")], loss=LogitBCE(), seed=0)
    ref = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    y = np.array([[0.0], [1.0], [1.0]])
    assert net.loss(X3, y) == pytest.approx(ref.loss(X3, y), rel=1e-12)


# -- predict from another thread while fit runs -----------------------------------------------------------
class EveryBatch(cr.callbacks.Callback):
    """A per-batch hook: keeps fit on its NumPy loop (the one with the shared layer caches), and
    gives the other thread time to run between batches on any machine."""

    def on_batch_end(self, batch, logs):
        time.sleep(0.002)


def _thread_problem():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(512, 20)), rng.integers(0, 4, size=512)
    net = cr.Network([cr.Dense(20, 64, "relu"), cr.Dropout(0.2), cr.Dense(64, 32, "tanh"), cr.Dense(32, 4, "softmax")],
                     loss="categorical_crossentropy", seed=1)
    return net, X, y


def test_predict_and_evaluate_from_another_thread_while_fit_runs():
    import threading
    reference, X, y = _thread_problem()
    reference.fit(X, y, epochs=6, batch_size=32, seed=3, verbose=0, callbacks=[EveryBatch()])
    net, X, y = _thread_problem()
    errors, done = [], threading.Event()

    def train():
        try:
            net.fit(X, y, epochs=6, batch_size=32, seed=3, verbose=0, callbacks=[EveryBatch()])
        except BaseException as exc:        # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=train)
    thread.start()
    predictions = refused = 0
    try:
        while not done.is_set():
            for rows in (X[:7], X[:100]):
                out = net.predict(rows)
                assert out.shape == (rows.shape[0], 4) and np.allclose(out.sum(axis=1), 1.0)
                predictions += 1
            assert set(net.evaluate(X[:50], y[:50])) == {"loss", "accuracy"}
            try:
                net.forward(X[:3])
            except ValidationError as exc:
                assert "being trained by fit in another thread" in str(exc)
                refused += 1
    finally:
        thread.join(timeout=120)
    assert not errors, errors
    assert predictions >= 4 and refused > 0
    np.testing.assert_array_equal(net.params, reference.params)     # training saw nothing of the predictions
    net.forward(X[:3])                                               # after fit: allowed again


def test_a_second_fit_from_another_thread_is_refused(monkeypatch):
    import threading

    from chainrule.backend import kernels
    net, X, y = _thread_problem()
    started, release, caught = threading.Event(), threading.Event(), []

    class Hold(cr.callbacks.Callback):
        def on_epoch_end(self, epoch, logs):
            started.set()
            release.wait(30)

    thread = threading.Thread(target=lambda: net.fit(X, y, epochs=1, verbose=0, callbacks=[Hold()]))
    thread.start()
    try:
        assert started.wait(60)
        with pytest.raises(ValidationError, match="fit cannot start: this network is being trained by fit in another"):
            net.fit(X, y, epochs=1, verbose=0)
        before, optimizer = net.params.copy(), net.optimizer
        for enabled in (False, True):     # train_steps' compiled path updated the parameters under the fit
            monkeypatch.setattr(kernels, "ENABLED", enabled and kernels.AVAILABLE)
            with pytest.raises(ValidationError, match="train_steps cannot start: this network is being trained"):
                net.train_steps(X[:8], y[:8], 3, optimizer=cr.optim.SGD(0.1))
        np.testing.assert_array_equal(net.params, before)
        assert net.optimizer is optimizer            # the fit's, not replaced under it
    finally:
        release.set()
        thread.join(60)
    assert not caught


# -- checkpoints: resume equals an uninterrupted run, callbacks included; one run per folder -------------
RESUME_CHILD = """
import os, signal, sys
sys.path.insert(0, {tests!r})
import chainrule as cr
from test_trust import resume_problem, resume_fit

where, epoch, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]

class Kill(cr.callbacks.Callback):
    def on_epoch_begin(self, e):
        self.e = e
        if where == "begin" and e == epoch:
            os.kill(os.getpid(), signal.SIGKILL)

    def on_batch_end(self, batch, logs):
        if where == "batch" and self.e == epoch and batch == 2:
            os.kill(os.getpid(), signal.SIGKILL)

net, X, y = resume_problem()
resume_fit(net, X, y, folder, extra=[Kill()], resume=False)
print("NOT KILLED")
"""


class PerBatch(cr.callbacks.Callback):
    """The same per-batch hook as the child's killer: the same (NumPy) loop in every run."""

    def on_batch_end(self, batch, logs):
        pass


def resume_problem():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(160, 5))
    y = (X[:, 0] + rng.normal(scale=1.5, size=160) > 0).astype(int)
    net = cr.Network([cr.Dense(5, 32, "tanh"), cr.Dropout(0.1), cr.Dense(32, 2, "softmax")],
                     loss="categorical_crossentropy", seed=1)
    return net, X, y


def resume_fit(net, X, y, folder, extra=(), resume=True, epochs=40):
    """A run that stops early: EarlyStopping (restoring the best weights) and ModelCheckpoint
    (best only) carry state from epoch to epoch."""
    from pathlib import Path
    early = cr.EarlyStopping("val_loss", patience=3, restore_best_weights=True)
    best = cr.ModelCheckpoint(str(Path(folder) / "best.npz"), monitor="val_loss", save_best_only=True)
    history = net.fit(X, y, epochs=epochs, batch_size=16, optimizer=cr.optim.Adam(0.02), validation_split=0.3,
                      callbacks=[early, best, *extra], seed=3, verbose=0, checkpoint_dir=Path(folder) / "ckpt",
                      resume=resume)
    return history, early, best


@pytest.mark.parametrize("where,epoch", [("begin", 1), ("begin", 4), ("batch", 4), ("batch", 5)])
def test_kill_9_then_resume_equals_the_uninterrupted_run_callbacks_included(tmp_path, monkeypatch, where, epoch):
    import os
    import subprocess
    import sys
    env = {**os.environ, "CHAINRULE_NUMBA": "0"}
    from chainrule.backend import kernels
    monkeypatch.setattr(kernels, "ENABLED", False)
    script = tmp_path / "child.py"
    script.write_text(RESUME_CHILD.format(tests=os.path.dirname(__file__)))
    child = subprocess.run([sys.executable, str(script), where, str(epoch), str(tmp_path / "run")], env=env,
                           capture_output=True, text=True, timeout=300)
    assert child.returncode == -9, child.stderr[-2000:]
    reference, X, y = resume_problem()
    ref_history, ref_early, _ = resume_fit(reference, X, y, tmp_path / "ref", extra=[PerBatch()], resume=False)
    assert ref_early.stopped_epoch == 5 and len(ref_history) == 6        # it does stop early, at epoch 6
    net, X, y = resume_problem()
    history, early, best = resume_fit(net, X, y, tmp_path / "run", extra=[PerBatch()])
    assert (early.stopped_epoch, early.best_epoch, early.wait) == (ref_early.stopped_epoch, ref_early.best_epoch,
                                                                    ref_early.wait)
    assert history.history == ref_history.history and history.epoch == ref_history.epoch
    np.testing.assert_array_equal(net.params, reference.params)            # the best weights, restored
    saved, ref_saved = cr.load(tmp_path / "run" / "best.npz"), cr.load(tmp_path / "ref" / "best.npz")
    np.testing.assert_array_equal(saved.params, ref_saved.params)
    assert saved.epochs_trained == ref_saved.epochs_trained == ref_early.best_epoch + 1


def test_resuming_a_run_that_stopped_early_trains_no_further(tmp_path, capsys):
    net, X, y = resume_problem()
    history, early, _ = resume_fit(net, X, y, tmp_path, resume=False)
    again, X, y = resume_problem()
    before = cr.load(tmp_path / "best.npz").params
    history2, early2, _ = resume_fit(again, X, y, tmp_path, extra=[cr.callbacks.EpochLogger()])
    assert len(history2) == len(history) and early2.stopped_epoch == early.stopped_epoch
    np.testing.assert_array_equal(again.params, net.params)
    np.testing.assert_array_equal(cr.load(tmp_path / "best.npz").params, before)
    assert "resumed from epoch 6 of 40: training had stopped early there" in capsys.readouterr().out


def test_the_checkpoint_does_not_grow_with_the_epochs(tmp_path):
    """Constant work per epoch: the history is appended to its own file, never rewritten."""
    import json
    net, X, y = resume_problem()
    sizes = {}

    class Size(cr.callbacks.Callback):
        def on_epoch_begin(self, epoch):
            if epoch in (3, 60):
                sizes[epoch] = (tmp_path / "checkpoint.npz").stat().st_size

    net.fit(X, y, epochs=61, batch_size=160, checkpoint_dir=tmp_path, callbacks=[Size()], seed=0, verbose=0)
    assert abs(sizes[60] - sizes[3]) <= 16
    _, extra = cr.load(tmp_path / "checkpoint.npz", with_extra=True)
    assert "history" not in json.dumps(extra["checkpoint"]).replace("history_len", "")
    lines = (tmp_path / "history.jsonl").read_text().splitlines()
    assert len(lines) == 61 and json.loads(lines[-1])["epoch"] == 60


def _fit_two(tmp_path, **changes):
    net, X, y = resume_problem()
    args = dict(epochs=2, batch_size=16, optimizer=cr.optim.Adam(0.02), seed=3, verbose=0, checkpoint_dir=tmp_path)
    net.fit(X, y, **args)
    again, X, y = resume_problem()
    X, y = changes.pop("X", X), changes.pop("y", y)
    args.update({"optimizer": cr.optim.Adam(0.02), **changes}, epochs=4, resume=True)    # each network its own
    return again, X, y, args


MISMATCHES = [
    ("learning rate", dict(optimizer=cr.optim.Adam(0.001)), r"the optimizer \(lr 0.02 -> 0.001\)"),
    ("optimizer class", dict(optimizer=cr.optim.SGD(0.02)), r"the optimizer \(.*name 'Adam' -> 'SGD'"),
    ("one input changed", dict(X="one"), r"the inputs X \(same shape \[160, 5\], other values\)"),
    ("fewer samples", dict(X="fewer", y="fewer"),
     r"the inputs X \(shape \[160, 5\] in the checkpoint, \[150, 5\] now\)"),
    ("another target", dict(y="flipped"), r"the targets Y \(same shape \[160, 2\], other values\)"),
    ("batch size", dict(batch_size=32), r"batch_size \(16 in the checkpoint, 32 now\)"),
    ("shuffle", dict(shuffle=False), r"shuffle \(True in the checkpoint, False now\)"),
]


@pytest.mark.parametrize("change,message", [c[1:] for c in MISMATCHES], ids=[c[0] for c in MISMATCHES])
def test_resume_refuses_another_run_saying_what_differs(tmp_path, change, message):
    net, X, y = resume_problem()
    change = dict(change)
    kind = (change.get("X"), change.get("y"))
    if kind[0] == "one":
        X = X.copy()
        X[7, 2] += 1e-9
        change["X"] = X
    if kind[0] == "fewer":
        change["X"], change["y"] = X[:150], y[:150]
    if kind[1] == "flipped":
        change["y"] = 1 - y
    again, X, y, args = _fit_two(tmp_path, **change)
    before = again.params.copy()
    with pytest.raises(ValidationError, match="cannot resume from .*checkpoint.npz': it was written by another run; "
                                              "what differs: " + message):
        again.fit(X, y, **args)
    np.testing.assert_array_equal(again.params, before)


def test_a_larger_epoch_count_continues_and_every_resume_is_announced(tmp_path, capsys):
    reference, X, y = resume_problem()
    reference.fit(X, y, epochs=6, batch_size=16, seed=3, verbose=0, optimizer=cr.optim.Adam(0.02))
    net, X, y = resume_problem()
    net.fit(X, y, epochs=3, batch_size=16, seed=3, verbose=0, optimizer=cr.optim.Adam(0.02), checkpoint_dir=tmp_path)
    again, X, y = resume_problem()
    history = again.fit(X, y, epochs=6, batch_size=16, seed=3, verbose=2, optimizer=cr.optim.Adam(0.02),
                        checkpoint_dir=tmp_path, resume=True)
    np.testing.assert_array_equal(again.params, reference.params)
    assert len(history) == 6
    assert "chainrule: resumed from epoch 3 of 6" in capsys.readouterr().out
    again.fit(X, y, epochs=6, batch_size=16, seed=3, verbose=2, optimizer=cr.optim.Adam(0.02),
              checkpoint_dir=tmp_path, resume=True)
    assert "resumed from epoch 6 of 6: training was already complete" in capsys.readouterr().out


LOCK_CHILD = """
import sys, time
sys.path.insert(0, {tests!r})
import chainrule as cr
from test_trust import resume_problem

class Hold(cr.callbacks.Callback):
    def on_epoch_end(self, epoch, logs):
        if epoch == 0:
            print("HOLDING", flush=True)
            time.sleep(120)

net, X, y = resume_problem()
net.fit(X, y, epochs=3, batch_size=16, seed=3, verbose=0, checkpoint_dir=sys.argv[1], callbacks=[Hold()])
"""


def lock_holder(tmp_path):
    """(a child process holding a checkpoint folder's lock, that folder)."""
    import os
    import subprocess
    import sys
    script = tmp_path / "child.py"
    script.write_text(LOCK_CHILD.format(tests=os.path.dirname(__file__)))
    folder = tmp_path / "ckpt"
    return subprocess.Popen([sys.executable, str(script), str(folder)], stdout=subprocess.PIPE, text=True), folder


def test_a_second_run_on_a_live_runs_folder_is_refused_and_a_dead_runs_lock_taken_over(tmp_path):
    import signal
    child, folder = lock_holder(tmp_path)
    try:
        assert child.stdout.readline().strip() == "HOLDING"
        files = sorted(p.name for p in folder.iterdir())
        net, X, y = resume_problem()
        before = net.params.copy()
        for resume in (False, True):
            with pytest.raises(ValidationError, match=f"is in use by another training run \\(process {child.pid} "):
                net.fit(X, y, epochs=3, batch_size=16, seed=3, verbose=0, checkpoint_dir=folder, resume=resume)
        np.testing.assert_array_equal(net.params, before)
        assert sorted(p.name for p in folder.iterdir()) == files           # nothing of the live run touched
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    net.fit(X, y, epochs=3, batch_size=16, seed=3, verbose=0, checkpoint_dir=folder, resume=True)
    assert net.epochs_trained == 3 and not (folder / "checkpoint.lock").exists()


def test_the_lock_is_released_when_fit_fails(tmp_path):
    net, X, y = resume_problem()

    class Boom(cr.callbacks.Callback):
        def on_epoch_end(self, epoch, logs):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        net.fit(X, y, epochs=3, verbose=0, checkpoint_dir=tmp_path, callbacks=[Boom()])
    assert not (tmp_path / "checkpoint.lock").exists()
    net.fit(X, y, epochs=3, verbose=0, checkpoint_dir=tmp_path, resume=True)


class Started(cr.callbacks.Callback):
    def __init__(self):
        self.epochs = []

    def on_epoch_begin(self, epoch):
        self.epochs.append(epoch)


def test_a_checkpoint_dir_that_cannot_be_written_is_found_before_training(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    net, X, y = resume_problem()
    before = net.params.copy()
    for folder, exc, said in [(tmp_path / "a-file", NotADirectoryError, "checkpoint_dir is a file, not a folder"),
                              (tmp_path / "a-file" / "sub", NotADirectoryError, "checkpoint_dir cannot be created"),
                              ("/proc/chainrule-checkpoints", OSError, "checkpoint_dir cannot be created")]:
        started = Started()
        with pytest.raises(exc, match=said) as info:
            net.fit(X, y, epochs=2, verbose=0, checkpoint_dir=folder, callbacks=[started])
        assert info.value.filename == str(folder) and not started.epochs
        np.testing.assert_array_equal(net.params, before)


# -- a loss that explodes but stays finite; divergence that names its cause ------------------------------
def _exploding():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    return cr.Network([cr.Dense(3, 8, "tanh"), cr.Dense(8, 1)], loss="mse", seed=0), X, X @ np.array([[1.0], [-2.0],
                                                                                                       [0.5]])


def test_a_finite_explosion_warns_once_with_the_epoch_and_the_layer():
    net, X, Y = _exploding()
    norms = []

    class Norms(cr.callbacks.Callback):
        def on_epoch_end(self, epoch, logs):
            norms.append([np.linalg.norm(layer.dW) for layer in self.network.dense_layers])

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = net.fit(X, Y, epochs=12, batch_size=64, optimizer=cr.optim.SGD(1.6), verbose=0, callbacks=[Norms()])
    found = [w for w in caught if issubclass(w.category, cr.GradientWarning)]
    assert len(found) == 1 and np.isfinite(history.loss).all()
    losses = history.loss
    epoch = next(e for e in range(len(losses)) if losses[e] > losses[0] and losses[e] > 100 * min(losses[:e + 1]))
    growth = np.array(norms[epoch]) / np.array(norms[0])
    layer = int(np.argmax(growth))
    message = str(found[0].message)
    assert f"the loss exploded in epoch {epoch + 1}: " in message
    assert f"layer {layer} ({net.dense_layers[layer]!r}) grew most" in message


@pytest.mark.parametrize("hidden,rows,batch,lr", [(8, 64, 64, 1.6), (4, 64, 64, 1.6), (4, 8, 4, 1.0)])
def test_the_explosion_warning_of_a_fit_in_one_compiled_call_is_the_numpy_loops(monkeypatch, hidden, rows, batch,
                                                                                 lr):
    """A fit whose only callback is the History runs in one compiled call (`compiled.run_all`: the
    general loop with 8 hidden units, the tiny one with 4, its scratch on the stack with batches of 4)
    and the History sees its epochs after the run, when the gradient buffer holds the run's last
    step's: the warning said "grew most, from 14.3 in the first epoch to 14.3" and named layer 0
    whatever grew. It reads each epoch's norms now; a History passed in `callbacks` too."""
    from chainrule.backend import kernels
    if not kernels.AVAILABLE:
        pytest.skip("needs Numba (the [fast] extra)")
    messages = []
    for compiled in (False, True):
        monkeypatch.setattr(kernels, "ENABLED", compiled)
        net, X, Y = _exploding()
        if hidden != 8:
            net = cr.Network([cr.Dense(3, hidden, "tanh"), cr.Dense(hidden, 1)], loss="mse", seed=0)
        mine = cr.callbacks.History()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            net.fit(X[:rows], Y[:rows], epochs=12, batch_size=batch, optimizer=cr.optim.SGD(lr), verbose=0,
                    callbacks=[mine])
        found = [str(w.message) for w in caught if issubclass(w.category, cr.GradientWarning)]
        assert len(found) == 1              # the History passed is the fit's (Keras' rule): one watch
        messages.append(found[0])
    assert messages[1] == messages[0]


def test_the_explosion_watch_reads_each_loss_once():
    """History's watch took min() of the whole loss list every epoch: n^2 / 2 reads, 2.4 s of a
    20,000-epoch XOR fit whose compiled training took 2 ms. Its lowest loss is min()'s, found
    with one read an epoch, through ties and a NaN first value."""
    class Counted(list):
        reads = 0

        def __iter__(self):
            Counted.reads += len(self)
            return super().__iter__()

        def __getitem__(self, i):
            Counted.reads += 1
            return super().__getitem__(i)

    net, X, Y = _exploding()
    net.backprop(X, Y)
    rng = np.random.default_rng(0)
    for first in (None, math.nan):
        history = cr.callbacks.History()
        history.set_network(net)
        history.history["loss"] = Counted()
        Counted.reads = 0
        values = rng.integers(1, 50, size=3000).astype(float)
        if first is not None:
            values[0] = first
        for epoch, value in enumerate(values):
            history.on_epoch_end(epoch, {"loss": value})
            if epoch % 500 == 0 or epoch == len(values) - 1:
                seen = [float(v) for v in values[:epoch + 1]]
                lowest = min(seen)
                best, at = history.lowest_loss()
                assert best == lowest or (math.isnan(best) and math.isnan(lowest))
                assert at == seen.index(lowest)
        assert Counted.reads < 10 * len(values)


def test_ordinary_training_gives_no_explosion_warning():
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    net = cr.Network([cr.Dense(64, 32, "relu"), cr.Dense(32, 10, "softmax")], loss="categorical_crossentropy", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", cr.GradientWarning)
        net.fit(X[:500] / 16, y[:500], epochs=40, batch_size=32, seed=0, verbose=0, optimizer=cr.optim.Adam(0.01))
        xor = cr.Network([cr.Dense(2, 4, "tanh"), cr.Dense(4, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
        xor.fit(np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 0]), epochs=400, batch_size=4,
                optimizer=cr.optim.Adam(0.1), verbose=0)


@pytest.mark.parametrize("scale,lr,cause", [
    (1e4, 0.1, r"Likely cause: the inputs are not scaled: column 1 reaches \d\.\d+e\+04"),
    (1.0, 50.0, r"Likely cause: the learning rate 50 is high for SGD"),
])
def test_divergence_names_its_likely_cause(scale, lr, cause):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(64, 3)) * np.array([1.0, scale, 1.0])
    net = cr.Network([cr.Dense(3, 8, "relu"), cr.Dense(8, 1)], loss="mse", seed=0)
    with pytest.raises(cr.errors.TrainingDiverged, match=cause + ".* Try a lower learning rate"):
        net.fit(X, X[:, :1], epochs=200, batch_size=16, optimizer=cr.optim.SGD(lr), verbose=0)


# -- explain: every printed sum is the sum of its printed terms, also when outputs saturate -------------
def _saturated_cases():
    softmax = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 3, "softmax")], loss="categorical_crossentropy")
    softmax.layers[0].W[...] = [[1.0, -1.0, 0.5], [0.0, 0.0, 0.0]]
    softmax.layers[1].W[...] = [[0.0, 1200.0, 0.0], [0.0, 0.0, 300.0], [-50.0, 0.0, 0.0]]
    sigmoid = cr.Network([cr.Dense(2, 2, "sigmoid")], loss="binary_crossentropy")
    sigmoid.layers[0].W[...] = [[800.0, -800.0], [0.0, 40.0]]
    x1, x2 = np.array([[1.0, 0.0]]), np.array([[1.0, 0.0], [0.5, 1.0]])
    return [("softmax, one sample", softmax, x1, np.array([[1.0, 0.0, 0.0]])),
            ("softmax, two samples", softmax, x2, np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])),
            ("sigmoid, one sample", sigmoid, x1, np.array([[0.0, 1.0]])),
            ("sigmoid, two samples", sigmoid, x2, np.array([[0.0, 1.0], [1.0, 0.0]]))]


def _numbers(text: str) -> list[float]:
    import re
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]\d+)?", text)]     # 800 and 1e-07 too


@pytest.mark.parametrize("name,net,X,Y", _saturated_cases(), ids=[c[0] for c in _saturated_cases()])
def test_explain_sums_equal_their_printed_terms_when_outputs_saturate(name, net, X, Y):
    text = cr.explain(net, X, Y, lr=0.1).text()
    lines = [line.strip() for line in text.splitlines()]
    terms = [_numbers(line.split(" = ")[-1].split("(target")[0]) for line in lines if line.startswith("E_o")]
    total_line = next(line for line in lines if line.startswith("E_total"))
    total = float(total_line.rsplit(" = ", 1)[1])
    scale = X.shape[0] if "categorical" in net.loss_function.name else Y.size    # the mean's divisor
    printed = sum(sum(t) for t in terms)
    assert total == pytest.approx(printed / scale, abs=0.5e-9 * (len(terms) * X.shape[0] + 1))
    assert total == pytest.approx(net.loss(X, Y), rel=1e-12)          # and it is the loss training uses
    assert total > 150                                                 # saturated: beyond the -100 log clamp
    for line in lines:                                                 # the hidden neurons' sums over paths
        if line.startswith("dE/dout_h") and " + " in line and X.shape[0] == 1:
            *_, nums, result = line.split(" = ")
            assert sum(_numbers(nums)) == pytest.approx(float(result), abs=1e-8)


# -- scikit-learn estimators: arguments as MLPClassifier takes them, or named ---------------------------
@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_batch_size_auto_is_min_200_n_samples_as_scikit_learn():
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_iris

    from chainrule.sklearn import BackpropClassifier
    X, y = load_iris(return_X_y=True)
    for n, explicit in ((150, 150), (60, 60)):
        auto = BackpropClassifier(hidden_layer_sizes=(8,), batch_size="auto", epochs=3, random_state=0)
        ref = BackpropClassifier(hidden_layer_sizes=(8,), batch_size=explicit, epochs=3, random_state=0)
        auto.fit(X[:n], y[:n])
        ref.fit(X[:n], y[:n])
        np.testing.assert_array_equal(auto.network_.params, ref.network_.params)
    big = np.repeat(X, 3, axis=0)[:420], np.repeat(y, 3)[:420]
    auto = BackpropClassifier(hidden_layer_sizes=(8,), batch_size="auto", epochs=2, random_state=0).fit(*big)
    ref = BackpropClassifier(hidden_layer_sizes=(8,), batch_size=200, epochs=2, random_state=0).fit(*big)
    np.testing.assert_array_equal(auto.network_.params, ref.network_.params)


SKLEARN_BAD = [
    ("hidden_layer_sizes text", dict(hidden_layer_sizes="64"), ChainruleTypeError,
     r"BackpropClassifier: hidden_layer_sizes must be an array-like of ints .*got '64' \(str\)"),
    ("hidden_layer_sizes text in tuple", dict(hidden_layer_sizes=("64",)), ValidationError,
     r"hidden_layer_sizes must hold positive integers .*got \('64',\)"),
    ("hidden_layer_sizes zero", dict(hidden_layer_sizes=(16, 0)), ValidationError, r"got \(16, 0\)"),
    ("hidden_layer_sizes float", dict(hidden_layer_sizes=(16.5,)), ValidationError, r"got \(16.5,\)"),
    ("hidden_layer_sizes bool", dict(hidden_layer_sizes=True), ChainruleTypeError, "got True"),
    ("batch_size text", dict(batch_size="big"), ValidationError,
     r"batch_size must be a positive int, 'auto' \(min\(200, n_samples\)\) or None \(the default: 32\); "
     r"got 'big' \(str\)"),
    ("batch_size zero", dict(batch_size=0), ValidationError, "batch_size must be a positive int, 'auto'"),
    ("batch_size float", dict(batch_size=32.0), ValidationError, r"got 32.0 \(float\)"),
    ("epochs text", dict(epochs="10"), ValidationError, r"epochs must be a positive int; got '10'"),
    ("learning_rate text", dict(learning_rate="0.1"), ValidationError, "learning_rate must be a number > 0"),
    ("learning_rate NaN", dict(learning_rate=float("nan")), ValidationError, "learning_rate must be a number > 0"),
    ("alpha negative", dict(alpha=-1.0), ValidationError, "alpha must be a number >= 0"),
    ("validation_fraction 1", dict(validation_fraction=1.0), ValidationError,
     r"validation_fraction must be a number in \[0, 1\), above 0 with early_stopping; got 1.0"),
    ("n_iter_no_change 0", dict(n_iter_no_change=0), ValidationError,
     "n_iter_no_change must be a positive int or np.inf"),
    ("early_stopping text", dict(early_stopping="yes"), ValidationError, "early_stopping must be True or False"),
    ("activation misspelt", dict(activation="rleu"), cr.errors.ParameterError, "activation='rleu' is not known"),
]


@pytest.mark.parametrize("params,exc,message", [c[1:] for c in SKLEARN_BAD], ids=[c[0] for c in SKLEARN_BAD])
def test_estimator_arguments_are_refused_by_name(params, exc, message):
    pytest.importorskip("sklearn")
    from chainrule.sklearn import BackpropClassifier
    with pytest.raises(exc, match=message):
        BackpropClassifier(**params).fit(X3, [0, 1, 2])


# -- Numba's cache folder cannot be written (a read-only install, no HOME) ---------------------------------
NUMBA_CHILD = """
import warnings
warnings.simplefilter("always")
import numpy as np
import chainrule as cr
from chainrule.backend import kernels
kernels.MIN_UPDATE_SIZE = 0
import os
if os.environ.get("CHILD_NO_CACHE_FOLDER"):    # no folder Numba could cache in either: the user's, the package's
    from chainrule.backend import cachedir      # (this runs as root in CI, where those can always be written)
    cachedir.usable = lambda path: False
rng = np.random.default_rng(0)
X, y = rng.normal(size=(200, 12)), rng.integers(0, 3, size=200)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for _ in range(2):
        net = cr.Network([cr.Dense(12, 16, "relu"), cr.Dense(16, 3, "softmax")], loss="categorical_crossentropy",
                         seed=1)
        net.fit(X, y, epochs=3, batch_size=16, seed=2, verbose=0)
        per_batch = cr.Network([cr.Dense(12, 16, "relu"), cr.Dense(16, 3, "softmax")], loss="categorical_crossentropy",
                               seed=1)
        per_batch.fit(X, y, epochs=2, batch_size=16, seed=2, verbose=0, callbacks=[cr.GradientDiagnostics(warn=False)])
        net.train_steps(X[:10], y[:10], steps=5)
        try:
            import scipy.sparse as sp
        except ImportError:
            continue
        sparse_net = cr.Network([cr.Dense(12, 16, "relu"), cr.Dense(16, 3, "softmax")], loss="categorical_crossentropy",
                                seed=1)
        sparse_net.fit(sp.csr_matrix(X * (X > 1)), y, epochs=2, batch_size=16, seed=2, verbose=0)
print("WARNINGS", sum("cannot be written" in str(w.message) for w in caught))
print("PARAMS", repr(np.concatenate([net.params, per_batch.params]).tolist()))
"""


@pytest.mark.parametrize("mode", ["1", "auto"])
def test_training_works_when_numbas_cache_folder_cannot_be_written(tmp_path, mode):
    import os
    import subprocess
    import sys

    from chainrule.backend import kernels
    if not kernels.AVAILABLE:
        pytest.skip("needs Numba (the [fast] extra)")
    script = tmp_path / "child.py"
    script.write_text(NUMBA_CHILD)
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "NUMBA_CACHE_DIR", "CHAINRULE_NUMBA")}
    unwritable = "/proc/chainrule-numba-cache"         # not even root can create it
    runs = {}
    for name, extra in (("read-only", {"NUMBA_CACHE_DIR": unwritable, "CHAINRULE_NUMBA": mode,
                                       "CHILD_NO_CACHE_FOLDER": "1"}),
                        ("numpy", {"CHAINRULE_NUMBA": "0"})):
        child = subprocess.run([sys.executable, str(script)], env={**env, **extra}, cwd=tmp_path, capture_output=True,
                               text=True, timeout=600)
        assert child.returncode == 0, child.stderr[-3000:]
        lines = dict(line.split(" ", 1) for line in child.stdout.splitlines() if " " in line)
        runs[name] = (int(lines["WARNINGS"]), np.array(eval(lines["PARAMS"])))
    # compiled in memory, said once (CHAINRULE_NUMBA=1); NumPy with nothing to say ("auto": no compiled
    # kernels found, and no background compiling, which would have nowhere to write them)
    assert runs["read-only"][0] == (1 if mode == "1" else 0) and runs["numpy"][0] == 0
    np.testing.assert_allclose(runs["read-only"][1], runs["numpy"][1], rtol=1e-9, atol=1e-12)
    assert not os.path.exists(unwritable)


def test_a_killed_runs_lock_is_taken_over_while_its_process_is_a_zombie(tmp_path):
    """A run killed in a container whose first process reaps nothing stays a zombie, which signal 0
    reaches: its lock held the folder ("in use by another training run") until deleted by hand."""
    import json
    import os
    import signal
    import time
    child, folder = lock_holder(tmp_path)
    try:
        assert child.stdout.readline().strip() == "HOLDING"
        child.send_signal(signal.SIGKILL)
        deadline = time.time() + 30                       # not waited for: a zombie, as under such an init
        while open(f"/proc/{child.pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z" and time.time() < deadline:
            time.sleep(0.05)
        net, X, y = resume_problem()
        net.fit(X, y, epochs=3, batch_size=16, seed=3, verbose=0, checkpoint_dir=folder, resume=True)
        assert net.epochs_trained == 3
    finally:
        child.kill()
        child.wait(30)
    # the host name and a live process hold it
    (folder / "checkpoint.lock").write_text(json.dumps({"pid": os.getppid(), "host": __import__("socket").gethostname(),
                                                        "since": "2026-12-01 10:00:00"}))
    with pytest.raises(ValidationError, match=f"in use by another training run \\(process {os.getppid()} "):
        resume_problem()[0].fit(X, y, epochs=3, batch_size=16, seed=3, verbose=0, checkpoint_dir=folder, resume=True)


def test_the_refusals_name_train_steps_when_it_holds_the_network():
    """While train_steps ran in another thread, a fit or a forward pass was refused as being beside
    'fit in another thread'."""
    import threading

    from chainrule.nn.inference import fitting
    net, X, y = _thread_problem()
    held, release = threading.Event(), threading.Event()

    def hold():
        with fitting(net, "train_steps"):         # as train_steps holds the network while it runs
            held.set()
            release.wait(30)
    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(30)
        with pytest.raises(ValidationError, match="fit cannot start: this network is being trained by train_steps in"):
            net.fit(X, y, epochs=1, verbose=0)
        with pytest.raises(ValidationError, match="being trained by train_steps in another thread.*until train_steps"):
            net.forward(X[:3])
    finally:
        release.set()
        thread.join(30)
    net.forward(X[:3])
