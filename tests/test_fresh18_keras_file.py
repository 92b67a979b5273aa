"""A .keras model file on the command line: Keras missing is exit 5 with the line that installs it
(Keras is in no extra of chainrule's, so the generic line had nothing to name: only "No module named
'keras'"), and Keras' own NumPy 2 DeprecationWarning is not shown as chainrule's warning."""
import sys
import zipfile

import numpy as np
import pytest
from conftest import cmd


def test_a_keras_file_without_keras_names_what_to_install(tmp_path, monkeypatch):
    path = tmp_path / "m.keras"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("config.json", "{}")
    monkeypatch.setitem(sys.modules, "keras", None)           # import keras: ModuleNotFoundError, as where it is absent
    r = cmd("info", path)
    assert r.returncode == 5, r.stderr
    assert "needs Keras 3" in r.stderr and "pip install 'keras>=3.0' torch" in r.stderr, r.stderr


def test_info_of_a_keras_file_says_no_warning_of_keras_own(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="relu"), keras.layers.Dense(1)])
    model.save(tmp_path / "m.keras")
    r = cmd("info", tmp_path / "m.keras")
    assert r.returncode == 0, r.stderr
    assert "Dense(3, 2, activation='relu')" in r.stdout
    assert r.stderr == "", r.stderr
    import chainrule as cr  # the weights read are Keras' own
    np.testing.assert_array_equal(cr.load_foreign(tmp_path / "m.keras").layers[0].W, model.layers[0].get_weights()[0])


@pytest.mark.parametrize("backend", ["jax", "tensorflow"])
def test_a_keras_file_without_its_backend_names_the_backend_to_install(tmp_path, monkeypatch, backend):
    """KERAS_BACKEND=jax (or tensorflow) where that package is missing: the line installs it, not Keras alone."""
    path = tmp_path / "m.keras"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("config.json", "{}")
    monkeypatch.setenv("KERAS_BACKEND", backend)
    monkeypatch.setitem(sys.modules, "keras", None)
    r = cmd("info", path)
    assert r.returncode == 5, r.stderr
    assert f"({backend}, KERAS_BACKEND's): pip install 'keras>=3.0' {backend};" in r.stderr, r.stderr
