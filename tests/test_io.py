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

    monkeypatch.setattr(cr.io.np, "savez", broken_savez)
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
    ("negative size", lambda e, h: h["network"]["layers"][0].update(n_in=-3), "invalid sizes"),
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
