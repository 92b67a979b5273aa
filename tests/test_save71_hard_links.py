"""Saving over a file that has a hard link: the saved name gets a new file, the other link keeps the previous
data whole (it is never lost, nor half overwritten), and a failed save leaves both as they were."""
from __future__ import annotations

import os

import numpy as np
import pytest

import chainrule as cr
from chainrule.saving import files

onnx = pytest.importorskip("onnx")


def _net(seed: int) -> cr.Network:
    return cr.Network([cr.Dense(3, 2, "tanh")], loss="mse", seed=seed)


def test_save_over_a_hard_link_keeps_the_other_link(tmp_path):
    X = np.random.default_rng(0).normal(size=(4, 3))
    old, new = _net(0), _net(1)
    first, other = tmp_path / "model.npz", tmp_path / "copy.npz"
    cr.save(old, first)
    os.link(first, other)
    cr.save(new, first)
    assert os.stat(first).st_nlink == 1 and os.stat(other).st_nlink == 1
    np.testing.assert_array_equal(cr.load(first).predict(X), new.predict(X))
    np.testing.assert_array_equal(cr.load(other).predict(X), old.predict(X))


def test_weights_and_onnx_over_a_hard_link_keep_the_other_link(tmp_path):
    old, new = _net(0), _net(1)
    weights, other = tmp_path / "w.weights.npz", tmp_path / "w2.weights.npz"
    old.save_weights(weights)
    os.link(weights, other)
    new.save_weights(weights)
    kept = _net(2)
    kept.load_weights(other)
    np.testing.assert_array_equal(kept.dense_layers[0].W, old.dense_layers[0].W)
    graph, linked = tmp_path / "m.onnx", tmp_path / "m2.onnx"
    cr.to_onnx(old, graph)
    os.link(graph, linked)
    cr.to_onnx(new, graph)
    np.testing.assert_array_equal(cr.from_onnx(str(linked)).dense_layers[0].W, old.dense_layers[0].W)
    np.testing.assert_array_equal(cr.from_onnx(str(graph)).dense_layers[0].W, new.dense_layers[0].W)


def test_failed_save_over_a_hard_link_changes_neither(tmp_path):
    first, other = tmp_path / "model.npz", tmp_path / "copy.npz"
    cr.save(_net(0), first)
    os.link(first, other)
    before = first.read_bytes()

    def fail(f):
        f.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        files.atomic_write(first, fail, kind="model")
    assert first.read_bytes() == before and other.read_bytes() == before
    assert os.stat(first).st_ino == os.stat(other).st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.npz", "model.npz"]

