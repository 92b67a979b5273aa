"""Every writer (save, save_weights, to_onnx) keeps the previous file when the disk fills mid-write, names the
user's file (not the temporary one) and leaves no temporary file behind."""
import errno

import numpy as np
import onnxruntime as ort
import pytest

import chainrule as cr
import chainrule.saving.files as files


def write(kind, net, path):
    {"save": net.save, "save_weights": net.save_weights, "to_onnx": lambda p: cr.to_onnx(net, p)}[kind](path)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kind", ["save", "save_weights", "to_onnx"])
def test_a_full_disk_keeps_the_previous_file(kind, dtype, tmp_path, monkeypatch):
    old = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2)], loss="mse", seed=0, dtype=dtype)
    new = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2)], loss="mse", seed=1, dtype=dtype)
    path = tmp_path / ("m.onnx" if kind == "to_onnx" else "m.npz")
    write(kind, old, path)
    kept = path.read_bytes()

    def full(fd):                     # the data is written, the disk refuses to hold it
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(OSError, match=r"No space left on device \(not saved: the previous file, if any, is "
                                      r"unchanged\)") as info:
        write(kind, new, path)
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(path)
    assert path.read_bytes() == kept and [p.name for p in tmp_path.iterdir()] == [path.name]
    monkeypatch.undo()
    X = np.random.default_rng(0).normal(size=(5, 3)).astype(dtype)
    if kind == "to_onnx":             # the file kept is still the old network's, whole
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        np.testing.assert_allclose(session.run(None, {"input": X})[0], old.predict(X), rtol=0, atol=1e-6)
    elif kind == "save":
        assert np.array_equal(cr.load(path).predict(X), old.predict(X))
    else:
        new.load_weights(path)
        assert np.array_equal(new.params, old.params)
