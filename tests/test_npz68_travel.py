"""Model and weights files as they travel between machines: one saved where numbers are stored big-endian, one cut
short by a copy, one compressed into a zip bomb. Each is read as the same numbers or refused by name before
NumPy reads (or allocates) its data."""
import re
import zipfile

import numpy as np
import pytest
from conftest import weights_zip_bomb

import chainrule as cr
from chainrule.errors import ModelFileError


def fitted(dtype="float64"):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 3))
    net = cr.Network([cr.Dense(3, 5, "tanh"), cr.Dense(5, 2)], loss="mse", seed=0, dtype=dtype)
    net.fit(X, X[:, :2], epochs=2, optimizer="adam", verbose=0)
    return net, X


def big_endian(src, dst):
    """`src`'s arrays as a big-endian machine's np.savez writes them: each number's bytes in the other order."""
    with np.load(src, allow_pickle=False) as data:
        arrays = {k: data[k].astype(data[k].dtype.newbyteorder(">")) for k in data.files}
    assert all(a.dtype.byteorder in (">", "|") for a in arrays.values())
    np.savez(dst, **arrays)
    return dst


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_model_saved_on_a_big_endian_machine_loads_as_the_same_numbers(dtype, tmp_path):
    net, X = fitted(dtype)
    cr.save(net, tmp_path / "m.npz")
    loaded = cr.load(big_endian(tmp_path / "m.npz", tmp_path / "be.npz"))
    assert loaded.params.dtype == np.dtype(dtype) and loaded.params.dtype.isnative
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    ours, theirs = net.optimizer.state_dict(), loaded.optimizer.state_dict()
    for key, state in ours["state"].items():
        for name, values in state.items():
            np.testing.assert_array_equal(np.asarray(theirs["state"][key][name]), np.asarray(values))
    assert (loaded.optimizer.t, loaded.epochs_trained) == (net.optimizer.t, net.epochs_trained)


def test_a_model_of_the_other_byte_order_and_another_dtype_is_still_refused(tmp_path):
    net, _ = fitted("float32")
    cr.save(net, tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["params"] = arrays["params"].astype(">f8")      # float64 where the description says float32
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ModelFileError, match=r"'params' has shape \(\d+,\) and dtype >f8; the description needs "
                                             r"shape \(\d+,\) and dtype float32"):
        cr.load(tmp_path / "bad.npz")


@pytest.mark.parametrize("keep", [10, 0.5, -1])
def test_load_weights_says_a_weights_file_cut_short_is_cut_short(keep, tmp_path):
    net, _ = fitted()
    net.save_weights(tmp_path / "w.weights.npz")
    data = (tmp_path / "w.weights.npz").read_bytes()
    cut = tmp_path / "my w.weights.npz"
    cut.write_bytes(data[:keep if isinstance(keep, int) and keep > 0 else
                         len(data) - 1 if keep == -1 else int(len(data) * keep)])
    before = net.get_weights()
    with pytest.raises(ModelFileError, match=re.escape(f"{str(cut)!r} is cut short (a copy stopped early?)")):
        net.load_weights(cut)
    for old, now in zip(before, net.get_weights()):
        np.testing.assert_array_equal(old, now)


def test_load_weights_refuses_a_zip_bomb_before_reading_it(tmp_path):
    """A 100 KB weights file whose compressed member expands to 100 MB: refused from its member list, as load
    refuses a model file's, rather than read whole and refused for its shape afterwards."""
    net, _ = fitted()
    net.save_weights(tmp_path / "w.weights.npz")
    bomb = tmp_path / "bomb.weights.npz"
    bomb.write_bytes(weights_zip_bomb((tmp_path / "w.weights.npz").read_bytes()))
    assert bomb.stat().st_size < 2**20
    with pytest.raises(ModelFileError, match=re.escape(f"load_weights: {str(bomb)!r}: its compressed members "
                                                       "expand from") + r".*possible zip bomb"):
        net.load_weights(bomb)



def test_load_weights_refuses_a_header_claiming_more_values_than_its_member_holds(tmp_path):
    """An .npy header of 2**40 values over a few bytes: refused from the header, never allocated (8 TiB)."""
    net, _ = fitted()
    net.save_weights(tmp_path / "w.weights.npz")
    crafted = tmp_path / "huge.weights.npz"
    with zipfile.ZipFile(tmp_path / "w.weights.npz") as src, zipfile.ZipFile(crafted, "w") as out:
        for name in src.namelist():
            if name != "0.b.npy":
                out.writestr(name, src.read(name))
                continue
            with out.open(name, "w") as f:
                np.lib.format.write_array_header_1_0(f, {"descr": "<f8", "fortran_order": False, "shape": (2**40,)})
                f.write(bytes(40))
    with pytest.raises(ModelFileError, match=re.escape(f"{str(crafted)!r}: entry '0.b' holds ") + r"\d+ bytes, fewer "
                                             r"than its 1099511627776 values need"):
        net.load_weights(crafted)
