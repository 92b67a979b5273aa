"""A weights file of a deep network: one member per weight array, so more members than a model file's few; read
back as the same numbers, while an archive listing far more members than the network has arrays is refused from
its end record, before zipfile reads the list."""
import re
import zipfile

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ModelFileError


def deep(seed, depth=40):
    return cr.Network([cr.Dense(3, 3, "tanh") for _ in range(depth)], loss="mse", seed=seed)


def test_load_weights_reads_a_deep_networks_weights_file(tmp_path):
    saved, fresh = deep(0), deep(1)
    saved.save_weights(tmp_path / "deep.weights.npz")
    with zipfile.ZipFile(tmp_path / "deep.weights.npz") as zf:
        assert len(zf.namelist()) == 2 * 40 + 1           # more than a model file's 64 members
    fresh.load_weights(tmp_path / "deep.weights.npz")
    X = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_array_equal(fresh.predict(X), saved.predict(X))
    for ours, theirs in zip(fresh.get_weights(), saved.get_weights()):
        np.testing.assert_array_equal(ours, theirs)


def test_load_weights_refuses_an_archive_of_far_more_members_than_the_network_has_arrays(tmp_path):
    net = cr.Network([cr.Dense(3, 2)], loss="mse", seed=0)
    net.save_weights(tmp_path / "w.weights.npz")
    crafted = tmp_path / "many.weights.npz"
    with zipfile.ZipFile(tmp_path / "w.weights.npz") as src, zipfile.ZipFile(crafted, "w") as out:
        for name in src.namelist():
            out.writestr(name, src.read(name))
        for i in range(3000):
            out.writestr(f"x{i}.npy", b"")
    before = net.get_weights()
    with pytest.raises(ModelFileError, match=re.escape(f"load_weights: {str(crafted)!r}: the archive lists 3003 "
                                                       "members") + r".*weights for this network are 3 "):
        net.load_weights(crafted)
    for old, now in zip(before, net.get_weights()):
        np.testing.assert_array_equal(old, now)
