"""Model files: exact round trip, atomic replace, and files from strangers become ModelFileError."""
import io as pyio
import json
import zipfile

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ModelFileError


def trained(dtype="float64"):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), rng.integers(0, 2, size=40)
    net = cr.Network([cr.Dense(3, 5, "relu"), cr.Dense(5, 1, "sigmoid")], loss="binary_crossentropy",
                     dtype=dtype, seed=0)
    net.fit(X, y, epochs=2, optimizer=cr.optim.SGD(0.1, momentum=0.9), verbose=0)
    return net, X, y


def read_entries(path):
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def write_entries(path, entries):
    with open(path, "wb") as f:
        np.savez(f, **entries)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_round_trip_exact(tmp_path, dtype):
    net, X, y = trained(dtype)
    net.save(tmp_path / "m.npz")
    back = cr.load(tmp_path / "m.npz")
    assert back.params.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back.params, net.params)
    np.testing.assert_array_equal(back.optimizer.state["momentum_buffer"], net.optimizer.state["momentum_buffer"])
    assert back.optimizer.t == net.optimizer.t and back.epochs_trained == 2
    np.testing.assert_array_equal(back.predict(X), net.predict(X))


def test_save_without_optimizer(tmp_path):
    net, _, _ = trained()
    net.save(tmp_path / "m.npz", include_optimizer=False)
    assert cr.load(tmp_path / "m.npz").optimizer is None


def test_save_replaces_atomically_and_a_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    net, X, _ = trained()
    path = tmp_path / "m.npz"
    net.save(path)
    old = path.read_bytes()
    net.params[:] += 1.0

    def broken_savez(f, **arrays):
        f.write(b"PK\x03\x04 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(cr.saving.npz.np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        net.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]     # no temporary file left behind
    net.save(path)
    np.testing.assert_array_equal(cr.load(path).params, net.params)


def crafted(tmp_path, change):
    net, _, _ = trained()
    net.save(tmp_path / "good.npz")
    entries = read_entries(tmp_path / "good.npz")
    header = json.loads(str(entries["__format__"]))
    change(entries, header)
    entries["__format__"] = np.array(json.dumps(header))
    path = tmp_path / "bad.npz"
    write_entries(path, entries)
    return path


CRAFTED = [
    ("wrong version", lambda e, h: h.update(version=99), "format version 99"),
    ("not chainrule", lambda e, h: h.update(format="other"), "not a chainrule model"),
    ("unexpected header key", lambda e, h: h.update(run="os.system('x')"), "unexpected keys"),
    ("unexpected layer key", lambda e, h: h["network"]["layers"][0].update(code="x"), "unexpected keys"),
    ("unknown layer type", lambda e, h: h["network"]["layers"][0].update(type="Lambda"), "layer type 'Lambda'"),
    ("unknown activation", lambda e, h: h["network"]["layers"][0].update(activation={"name": "evil"}),
     "activation='evil'"),
    ("absurd size", lambda e, h: h["network"]["layers"][0].update(n_in=10**6, n_out=10**6), "more than the limit"),
    ("negative size", lambda e, h: h["network"]["layers"][0].update(n_in=-3), "n_in must be a positive integer"),
    ("shapes disagree", lambda e, h: e.update(params=e["params"][:-1]), "entry 'params' has shape"),
    ("wrong dtype", lambda e, h: e.update(params=e["params"].astype(np.float32)), "dtype float32"),
    ("extra array", lambda e, h: e.update(payload=np.zeros(3)), "unexpected entries"),
    ("missing optimizer state", lambda e, h: e.pop("opt.momentum_buffer"), "missing"),
    ("layers disagree", lambda e, h: h["network"]["layers"][1].update(n_in=4), "expects 4 inputs"),
    ("bad loss", lambda e, h: h["network"].update(loss="nope"), "loss='nope'"),
]


@pytest.mark.parametrize("name,change,message", CRAFTED, ids=[c[0] for c in CRAFTED])
def test_crafted_files_are_refused(tmp_path, name, change, message):
    with pytest.raises(ModelFileError, match=message):
        cr.load(crafted(tmp_path, change))


def test_object_arrays_are_never_unpickled(tmp_path):
    path = tmp_path / "pickle.npz"
    payload = np.array([{"__reduce__": "os.system"}], dtype=object)
    with open(path, "wb") as f:
        np.savez(f, __format__=np.array("{}"), params=payload)
    with pytest.raises(ModelFileError):
        cr.load(path)


def test_header_that_is_not_text(tmp_path):
    path = tmp_path / "m.npz"
    write_entries(path, {"__format__": np.zeros(3), "params": np.zeros(3)})
    with pytest.raises(ModelFileError, match="must be a JSON text"):
        cr.load(path)


def test_truncated_and_garbage_files(tmp_path):
    net, _, _ = trained()
    net.save(tmp_path / "m.npz")
    data = (tmp_path / "m.npz").read_bytes()
    for i, blob in enumerate([data[: len(data) // 2], data[:100], b"", b"not a zip file at all", b"\x00" * 1000]):
        path = tmp_path / f"bad{i}.npz"
        path.write_bytes(blob)
        with pytest.raises(ModelFileError):
            cr.load(path)


def test_zip_with_other_members(tmp_path):
    path = tmp_path / "m.npz"
    buf = pyio.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("evil.py", "print('hi')")
    path.write_bytes(buf.getvalue())
    with pytest.raises(ModelFileError, match="unexpected member 'evil.py'"):
        cr.load(path)


def test_directory_is_not_a_model(tmp_path):
    with pytest.raises(ModelFileError, match="not a file"):
        cr.load(tmp_path)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_training_resumes_identically_after_a_round_trip(tmp_path, dtype):
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(60, 4)), rng.integers(0, 3, size=60)
    net = cr.Network([cr.Dense(4, 6, "tanh"), cr.Dense(6, 3, "softmax")], loss="categorical_crossentropy",
                     dtype=dtype, seed=2)
    net.fit(X, y, epochs=2, batch_size=8, optimizer=cr.optim.Adam(0.01, amsgrad=True), seed=5, verbose=0)
    net.save(tmp_path / "m.npz")
    back = cr.load(tmp_path / "m.npz")
    for k, v in net.optimizer.state.items():
        np.testing.assert_array_equal(back.optimizer.state[k], v)
        assert back.optimizer.state[k].dtype == np.dtype(dtype)
    net.fit(X, y, epochs=3, batch_size=8, seed=9, verbose=0)
    back.fit(X, y, epochs=3, batch_size=8, seed=9, verbose=0)
    np.testing.assert_array_equal(back.params, net.params)
    assert back.optimizer.t == net.optimizer.t and back.epochs_trained == net.epochs_trained == 5


def test_round_trip_keeps_frozen_parameters_dropout_and_schedules(tmp_path):
    net = cr.Network([cr.Dense(3, 4, "relu", trainable={"W": True, "b": False}), cr.Dropout(0.25),
                      cr.Dense(4, 1)], loss="mse", seed=0)
    net.optimizer = cr.optim.SGD(cr.optim.StepLR(0.1, step_size=2, gamma=0.5))
    net.save(tmp_path / "m.npz")
    back = cr.load(tmp_path / "m.npz")
    assert back.config() == net.config()
    assert back.optimizer.config() == net.optimizer.config()


def test_a_save_that_fails_midway_keeps_the_old_file(tmp_path):
    class Exploding:
        def __array__(self, *args, **kwargs):
            raise RuntimeError("cannot convert")

    net, _, _ = trained()
    path = tmp_path / "m.npz"
    net.save(path)
    old = path.read_bytes()
    net.optimizer.state["momentum_buffer"] = Exploding()     # written after 'params': the failure is mid-file
    with pytest.raises(RuntimeError, match="cannot convert"):
        net.save(path)
    assert path.read_bytes() == old and [p.name for p in tmp_path.iterdir()] == ["m.npz"]
    np.testing.assert_array_equal(cr.load(path).params, trained()[0].params)


def test_saved_files_get_ordinary_permissions(tmp_path):
    import os
    net, _, _ = trained()
    umask = os.umask(0o022)
    try:
        net.save(tmp_path / "new.npz")
        assert (tmp_path / "new.npz").stat().st_mode & 0o777 == 0o644
        (tmp_path / "new.npz").chmod(0o640)
        net.save(tmp_path / "new.npz")                       # replacing keeps the file's permissions
        assert (tmp_path / "new.npz").stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(umask)


MORE_CRAFTED = [
    ("negative epochs_trained", lambda e, h: h.update(epochs_trained=-1), "epochs_trained must be"),
    ("extra not an object", lambda e, h: h.update(extra=[1, 2]), "'extra' must be a JSON object"),
    ("optimizer with unexpected key", lambda e, h: h["optimizer"].update(hook="x"), "optimizer description"),
    ("optimizer negative step count", lambda e, h: h["optimizer"].update(t=-5),
     r"the optimizer's t must be an integer from 0 to 2\*\*53; got -5"),
    ("optimizer state of another optimizer",
     lambda e, h: (h["optimizer"].update(state=["exp_avg"]), e.update({"opt.exp_avg": e.pop("opt.momentum_buffer")})),
     "keeps state"),
    ("optimizer unknown argument", lambda e, h: h["optimizer"]["config"].update(evil=1), "unknown argument"),
    ("dropout with extra key", lambda e, h: h["network"]["layers"].insert(1, {"type": "Dropout", "rate": 0.1, "x": 1}),
     r"\(Dropout\) has unexpected keys \[.x.\]"),
    ("boolean size", lambda e, h: h["network"]["layers"][0].update(n_in=True), "n_in must be a positive integer"),
    ("object dtype entry", lambda e, h: e.update(params=np.array([None] * 26, dtype=object)), "Python objects"),
    ("huge claimed shape", lambda e, h: e.update(params=np.lib.stride_tricks.as_strided(np.zeros(1), (10**6,), (0,))),
     r"shape \(1000000,\)"),
]


@pytest.mark.parametrize("name,change,message", MORE_CRAFTED, ids=[c[0] for c in MORE_CRAFTED])
def test_more_crafted_files_are_refused(tmp_path, name, change, message):
    if name == "object dtype entry":
        net, _, _ = trained()
        net.save(tmp_path / "good.npz")
        entries = read_entries(tmp_path / "good.npz")
        change(entries, None)
        path = tmp_path / "bad.npz"
        with open(path, "wb") as f:
            np.savez(f, **entries)                            # savez pickles object arrays; load must not
    else:
        path = crafted(tmp_path, change)
    with pytest.raises(ModelFileError, match=message):
        cr.load(path)


def test_deeply_nested_json_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    write_entries(path, {"__format__": np.array("[" * 100_000 + "]" * 100_000), "params": np.zeros(3)})
    with pytest.raises(ModelFileError, match="nested too deeply|not a chainrule"):
        cr.load(path)


def test_npy_header_with_absurd_shape_is_refused_before_reading(tmp_path):
    """A tiny file whose params header claims 10**15 values: refused from the header alone."""
    net, _, _ = trained()
    net.save(tmp_path / "good.npz")
    with zipfile.ZipFile(tmp_path / "good.npz") as z:
        members = {n: z.read(n) for n in z.namelist()}
    header = members["params.npy"]
    members["params.npy"] = header.replace(b"(26,)", b"(1000000000000000,)".ljust(len(b"(26,)")), 1)
    assert members["params.npy"] != header
    path = tmp_path / "bad.npz"
    with zipfile.ZipFile(path, "w") as z:
        for n, data in members.items():
            z.writestr(n, data)
    with pytest.raises(ModelFileError, match=r"1000000000000000"):
        cr.load(path)


def test_description_of_many_parameters_with_little_data_is_refused(tmp_path):
    """A consistent description and .npy header of 400 million parameters, with 8 bytes of data:
    refused from the sizes alone, before the network (3.2 GB) is allocated."""
    path = crafted(tmp_path, lambda e, h: (h["network"].update(layers=[
        {"type": "Dense", "n_in": 20000, "n_out": 20000, "activation": {"name": "linear"},
         "trainable": {"W": True, "b": True}}]), h.pop("optimizer"), e.pop("opt.momentum_buffer"),
        e.update(params=np.zeros(1))))
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["params.npy"] = members["params.npy"].replace(b"(1,)", b"(400020000,)", 1)
    with zipfile.ZipFile(path, "w") as z:
        for n, data in members.items():
            z.writestr(n, data)
    with pytest.raises(ModelFileError, match="fewer than its 400020000 values need"):
        cr.load(path)


def test_compressed_member_with_corrupt_stream(tmp_path):
    net, _, _ = trained()
    path = tmp_path / "c.npz"
    with open(path, "wb") as f:
        np.savez_compressed(f, **read_entries(_saved(tmp_path, net)))
    assert cr.load(path).params.shape == net.params.shape     # compressed files are fine
    data = bytearray(path.read_bytes())
    start = data.find(b"params.npy") + 40
    data[start:start + 40] = bytes(40)
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError):
        cr.load(path)


def test_a_compressed_file_that_expands_past_the_memory_is_refused(tmp_path, monkeypatch):
    """A 0.4 MB file of 50M zero weights (deflated) loaded with 1.2 GB: a compressed file whose
    members would not fit in the memory available is refused before they are read. Files that
    expand far legitimately (a frozen layer's Adam state is zeros: 229 times) still load."""
    from chainrule.data import memory
    net = cr.Network([cr.Dense(300, 2000), cr.Dense(2000, 1)], loss="mse", seed=0)
    net.layers[0].trainable = False
    X = np.random.default_rng(0).normal(size=(20, 300))
    net.fit(X, X[:, :1], epochs=1, optimizer=cr.optim.Adam(0.01), verbose=0)
    with open(tmp_path / "frozen.npz", "wb") as f:
        np.savez_compressed(f, **read_entries(_saved(tmp_path, net)))
    back = cr.load(tmp_path / "frozen.npz")
    np.testing.assert_array_equal(back.params, net.params)
    np.testing.assert_array_equal(back.optimizer.state["exp_avg"], net.optimizer.state["exp_avg"])
    monkeypatch.setattr(memory, "available_bytes", lambda: 20_000_000)        # a machine with 20 MB free
    with pytest.raises(ModelFileError, match=r"frozen.npz': its compressed members expand from \d+ to \d+ bytes, "
                                             r"more than the memory available to read them \(20000000 bytes\)"):
        cr.load(tmp_path / "frozen.npz")
    cr.load(_saved(tmp_path, net))                # stored, not compressed: read as the file is


def _saved(tmp_path, net):
    net.save(tmp_path / "plain.npz")
    return tmp_path / "plain.npz"


def test_npy_and_pickle_files_are_not_models(tmp_path):
    import pickle
    np.save(tmp_path / "a.npy", np.zeros(3))
    (tmp_path / "p.npz").write_bytes(pickle.dumps({"x": 1}))
    for p in [tmp_path / "a.npy", tmp_path / "p.npz"]:
        with pytest.raises(ModelFileError, match="not an .npz"):
            cr.load(p)


def test_duplicate_members_are_refused(tmp_path):
    net, _, _ = trained()
    good = _saved(tmp_path, net)
    with zipfile.ZipFile(good) as z:
        members = [(n, z.read(n)) for n in z.namelist()]
    path = tmp_path / "dup.npz"
    with pytest.warns(UserWarning), zipfile.ZipFile(path, "w") as z:
        for n, data in members + [members[1]]:
            z.writestr(n, data)
    with pytest.raises(ModelFileError, match="unexpected member"):
        cr.load(path)
