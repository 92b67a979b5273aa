"""load_weights' refusal of a crafted member says what is wrong with it once: a pickled object array is a .npy
array (of Python objects), never unpickled; a header claiming more values than the member holds is cut short."""
import io
import json
import zipfile

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ModelFileError


class Payload:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def write(path, arrays):
    """An archive of .npy members as np.savez writes them, object arrays pickled inside (as allow_pickle=True)."""
    with zipfile.ZipFile(path, "w") as z:
        for name, value in arrays.items():
            buffer = io.BytesIO()
            np.save(buffer, value, allow_pickle=True)
            z.writestr(f"{name}.npy", buffer.getvalue())


def arrays(net):
    header = {"format": 1, "dtype": "float64", "arrays": [["0.W", [2, 3]], ["0.b", [3]], ["1.W", [3, 1]],
                                                          ["1.b", [1]]]}
    return {"__weights__": np.array(json.dumps(header)), **dict(zip(["0.W", "0.b", "1.W", "1.b"], net.get_weights()))}


@pytest.mark.parametrize("member", ["__weights__", "0.W"])
def test_an_object_array_is_refused_in_its_own_words_and_never_unpickled(tmp_path, member):
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], loss="mse", seed=0)
    marker, path = tmp_path / "MARKER", tmp_path / "w.npz"
    crafted = arrays(net)
    crafted[member] = np.array([Payload(marker)], dtype=object)
    write(path, crafted)
    before = net.params.copy()
    with pytest.raises(ModelFileError) as info:
        net.load_weights(str(path))
    assert str(info.value) == (f"load_weights: {str(path)!r}: entry {member!r} holds Python objects (dtype object); "
                               "refused, never unpickled")
    assert not marker.exists(), "loading ran the file's code"
    np.testing.assert_array_equal(net.params, before)


def test_a_member_holding_fewer_bytes_than_its_header_claims_is_said_once(tmp_path):
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], loss="mse", seed=0)
    path = tmp_path / "w.npz"
    crafted = arrays(net)
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((2, 3)))
    with zipfile.ZipFile(path, "w") as z:
        for name, value in crafted.items():
            data = io.BytesIO()
            np.save(data, value)
            z.writestr(f"{name}.npy", buffer.getvalue()[:-16] if name == "0.W" else data.getvalue())
    with pytest.raises(ModelFileError) as info:
        net.load_weights(str(path))
    message = str(info.value)
    assert message.startswith(f"load_weights: {str(path)!r}: entry '0.W' holds"), message
    assert "truncated or crafted" in message and "is not a NumPy array" not in message, message
    assert message.count(str(path)) == 1, message


def test_load_names_a_member_cut_short_before_numpy_reads_it(tmp_path):
    """A model file whose parameter entry lost its last bytes: its header's count against the bytes after the
    header (not the whole member's, header included), so NumPy's 'EOF: reading array data' never shows."""
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], loss="mse", seed=0)
    cr.save(net, tmp_path / "m.npz")
    path = tmp_path / "cut.npz"
    with zipfile.ZipFile(tmp_path / "m.npz") as z, zipfile.ZipFile(path, "w") as out:
        for info in z.infolist():
            data = z.read(info)
            out.writestr(info.filename, data[:-16] if info.filename == "params.npy" else data)
    with pytest.raises(ModelFileError) as info:
        cr.load(path)
    assert str(info.value) == (f"{str(path)!r}: entry 'params' holds {13 * 8 - 16} bytes, fewer than its 13 values "
                               "need (104 bytes of float64; truncated or crafted)")
