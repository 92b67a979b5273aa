"""Model and weights files as a user's disk hands them back: cut short, flipped, with members added, holding a pickle
that would run code, of other dtypes and shapes; paths of every kind; and the same model saved twice."""
import os
import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ModelFileError

X = np.random.default_rng(0).normal(size=(16, 3))


def trained(dtype="float64"):
    net = cr.Network([cr.Dense(3, 8, "relu"), cr.Dropout(0.5), cr.Dense(8, 2)], loss="mse", seed=0, dtype=dtype)
    net.fit(X, X[:, :2], epochs=2, optimizer="adam", verbose=0, seed=1)
    return net


def arrays_of(path):
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


class WritesAMarker:
    """Unpickled, this opens (creates) the marker file: proof that code from the file ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def would_run(path, member, marker):
    """The file's pickle does write the marker when unpickled (NumPy with allow_pickle=True): then removed."""
    with np.load(path, allow_pickle=True) as data:
        data[member]
    assert marker.exists()
    marker.unlink()


@pytest.mark.parametrize("member", ["params", "__format__", "opt.exp_avg"])
def test_a_pickle_in_a_model_file_is_never_run(member, tmp_path):
    trained().save(tmp_path / "m.npz")
    arrays, marker = arrays_of(tmp_path / "m.npz"), tmp_path / "MARKER"
    arrays[member] = np.array([WritesAMarker(marker)], dtype=object)
    np.savez(tmp_path / "evil.npz", **arrays)
    would_run(tmp_path / "evil.npz", member, marker)
    with pytest.raises(ModelFileError, match=rf"'{member}' holds Python objects .*never unpickled"):
        cr.load(tmp_path / "evil.npz")
    assert not marker.exists()


@pytest.mark.parametrize("member", ["0.W", "__weights__"])
def test_a_pickle_in_a_weights_file_is_never_run(member, tmp_path):
    net = trained()
    net.save_weights(tmp_path / "w.npz")
    arrays, marker = arrays_of(tmp_path / "w.npz"), tmp_path / "MARKER"
    arrays[member] = np.array([WritesAMarker(marker)], dtype=object)
    np.savez(tmp_path / "evil.npz", **arrays)
    would_run(tmp_path / "evil.npz", member, marker)
    before = net.params.copy()
    with pytest.raises(ModelFileError, match=rf"entry '{re.escape(member)}' holds Python objects .*never unpickled"):
        net.load_weights(tmp_path / "evil.npz")
    assert not marker.exists()
    np.testing.assert_array_equal(net.params, before)


@pytest.mark.parametrize("kind", ["model", "weights"])
def test_a_cut_short_or_flipped_file_is_refused(kind, tmp_path):
    net = trained()
    path = tmp_path / "m.npz"
    net.save(path) if kind == "model" else net.save_weights(path)
    data = path.read_bytes()
    load = cr.load if kind == "model" else net.load_weights
    for cut in (10, len(data) // 2, len(data) - 5):
        path.write_bytes(data[:cut])
        with pytest.raises(ModelFileError):
            load(path)
    path.write_bytes(data)
    with zipfile.ZipFile(path) as zf:
        first = zf.infolist()[0]
        at = first.header_offset + 30 + len(first.filename) + first.file_size - 3    # one of its last values
    flipped = bytearray(data)
    flipped[at] ^= 0x40
    path.write_bytes(bytes(flipped))
    with pytest.raises(ModelFileError, match="Bad CRC-32"):
        load(path)


@pytest.mark.parametrize("kind", ["model", "weights"])
@pytest.mark.parametrize("extra", ["notes.txt", "more.npy"])
def test_an_added_member_is_named(kind, extra, tmp_path):
    net = trained()
    path = tmp_path / "m.npz"
    net.save(path) if kind == "model" else net.save_weights(path)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(extra, b"\x93NUMPY" if extra.endswith(".npy") else b"hello")
    load = cr.load if kind == "model" else net.load_weights
    with pytest.raises(ModelFileError, match=extra.split(".")[0] if extra.endswith(".npy") else extra):
        load(path)


@pytest.mark.parametrize("dtype", ["int64", "float32", "complex128", "bool"])
def test_a_model_file_of_other_dtype_inside_is_refused_by_name(dtype, tmp_path):
    trained().save(tmp_path / "m.npz")
    arrays = arrays_of(tmp_path / "m.npz")
    arrays["params"] = arrays["params"].astype(dtype)
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ModelFileError, match=rf"'params' has shape \(\d+,\) and dtype {dtype}; the description "
                                             r"needs shape \(\d+,\) and dtype float64"):
        cr.load(tmp_path / "bad.npz")


@pytest.mark.parametrize("shape", ["short", "2d"])
def test_a_model_file_of_other_shape_inside_is_refused(shape, tmp_path):
    trained().save(tmp_path / "m.npz")
    arrays = arrays_of(tmp_path / "m.npz")
    arrays["params"] = arrays["params"][:-1] if shape == "short" else arrays["params"][None]
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ModelFileError, match=r"'params' has shape .* the description needs shape"):
        cr.load(tmp_path / "bad.npz")


@pytest.mark.parametrize("dtype", ["int64", "bool", "complex128"])
def test_load_weights_refuses_weights_that_are_no_floats(dtype, tmp_path):
    """save_weights writes float32 or float64; a bool or int array was loaded silently (bool as weights of 0 and 1)."""
    net = trained()
    net.save_weights(tmp_path / "w.npz")
    arrays = arrays_of(tmp_path / "w.npz")
    arrays["0.W"] = arrays["0.W"].astype(dtype)
    np.savez(tmp_path / "bad.npz", **arrays)
    before = net.params.copy()
    with pytest.raises(ModelFileError, match=rf"W of layer 0 holds {dtype} values, not floating-point numbers"):
        net.load_weights(tmp_path / "bad.npz")
    np.testing.assert_array_equal(net.params, before)


def test_a_float32_file_loads_as_float32_and_float32_weights_into_float64_exactly(tmp_path):
    n32 = trained("float32")
    n32.save(tmp_path / "m.npz")
    loaded = cr.load(tmp_path / "m.npz")
    assert loaded.params.dtype == np.float32 and loaded.predict(X).dtype == np.float32
    np.testing.assert_array_equal(loaded.predict(X), n32.predict(X))
    n32.save_weights(tmp_path / "w.npz")
    n64 = trained()
    n64.load_weights(tmp_path / "w.npz")
    assert n64.params.dtype == np.float64
    np.testing.assert_array_equal(n64.params, n32.params.astype(np.float64))


class Named(os.PathLike):
    def __init__(self, path):
        self.path = path

    def __fspath__(self):
        return str(self.path)


@pytest.mark.parametrize("how", [str, Path, Named])
@pytest.mark.parametrize("name", ["m.npz", "模型 é.npz"])
def test_every_kind_of_path_saves_and_loads(how, name, tmp_path):
    net = trained()
    net.save(how(tmp_path / name))
    np.testing.assert_array_equal(cr.load(how(tmp_path / name)).params, net.params)
    weights = how(tmp_path / f"w {name}")
    net.save_weights(weights)
    other = cr.Network([cr.Dense(3, 8, "relu"), cr.Dropout(0.5), cr.Dense(8, 2)], loss="mse", seed=5)
    other.load_weights(weights)
    np.testing.assert_array_equal(other.params, net.params)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, f"w {name}"])    # no temporary left


def test_bytes_is_no_path(tmp_path):
    with pytest.raises(ChainruleTypeError, match=r"path must be a file name \(str or os.PathLike\); got b'm.npz'"):
        cr.load(b"m.npz")


def test_a_folder_is_named_as_a_folder(tmp_path):
    folder = tmp_path / "d.npz"
    folder.mkdir()
    net = trained()
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        net.save(folder)
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        net.save_weights(folder)
    with pytest.raises(ModelFileError, match="is a folder, not a file"):
        cr.load(folder)
    with pytest.raises(IsADirectoryError, match="is a folder, not a file"):
        net.load_weights(folder)
    assert list(folder.iterdir()) == []


def test_saving_over_a_file_open_for_reading_leaves_the_reader_the_old_file(tmp_path):
    old, new = trained(), trained()
    new.fit(X, X[:, :2], epochs=1, verbose=0, seed=2)
    old.save(tmp_path / "m.npz")
    shutil.copy(tmp_path / "m.npz", tmp_path / "old.npz")
    with open(tmp_path / "m.npz", "rb") as reader:
        new.save(tmp_path / "m.npz")
        assert reader.read() == (tmp_path / "old.npz").read_bytes()
    np.testing.assert_array_equal(cr.load(tmp_path / "m.npz").params, new.params)


def test_saving_over_a_read_only_file_is_refused_and_leaves_it(tmp_path):
    net = trained()
    path = tmp_path / "m.npz"
    path.write_bytes(b"")
    net.save(path)
    before = path.read_bytes()
    net.save_weights(tmp_path / "w.npz")
    weights = (tmp_path / "w.npz").read_bytes()
    path.chmod(0o444)
    (tmp_path / "w.npz").chmod(0o444)
    net.fit(X, X[:, :2], epochs=1, verbose=0)
    for save, where in ((net.save, path), (net.save_weights, tmp_path / "w.npz")):
        with pytest.raises(PermissionError, match=r"Read-only file \(mode 0444\)"):
            save(where)
    assert path.read_bytes() == before and (tmp_path / "w.npz").read_bytes() == weights


@pytest.mark.parametrize("kind", ["model", "weights"])
def test_the_same_model_saved_twice_gives_the_same_bytes(kind, tmp_path):
    """np.savez writes each member with a fixed date (1980): nothing of the moment enters the file, so a model kept
    under version control or hashed changes only when the model does."""
    net = trained()
    write = net.save if kind == "model" else net.save_weights
    write(tmp_path / "a.npz")
    os.utime(tmp_path / "a.npz", (0, 0))
    write(tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    again = cr.load(tmp_path / "a.npz") if kind == "model" else net
    (again.save if kind == "model" else again.save_weights)(tmp_path / "c.npz")
    assert (tmp_path / "c.npz").read_bytes() == (tmp_path / "a.npz").read_bytes()


def test_docs_show_the_integer_weights_refusal_as_raised(tmp_path, monkeypatch):
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    rows = {cells[0]: cells[2] for cells in ([c.strip() for c in line.strip().strip("|").split(" | ")]
                                             for line in doc.splitlines()) if len(cells) >= 3}
    net = trained()
    net.save_weights(tmp_path / "w.npz")
    arrays = arrays_of(tmp_path / "w.npz")
    arrays["0.W"] = arrays["0.W"].astype(np.int64)
    np.savez(tmp_path / "int.npz", **arrays)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelFileError) as caught:
        net.load_weights("int.npz")
    assert str(caught.value) == rows["load_weights integer array"]
