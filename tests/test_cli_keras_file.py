"""A .keras file on the command line, read by a new user: info said 'no CSV preprocessing (saved by Network.save)' of
it, and export, though info and explain read it, refused it with Python advice (chainrule.load_foreign); export writes
it as ONNX now, its outputs Keras' own (onnxruntime against keras' predict)."""
import numpy as np
import pytest
from conftest import cmd


@pytest.fixture(scope="module")
def keras_file(tmp_path_factory):
    import os
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    folder = tmp_path_factory.mktemp("keras")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="tanh"),
                              keras.layers.Dense(3, activation="softmax")])
    model.save(folder / "m.keras")
    return folder / "m.keras", model


def test_info_says_what_the_file_is(keras_file):
    r = cmd("info", keras_file[0])
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-2] == ("no CSV preprocessing (a Keras model read by chainrule.load_foreign): inputs "
                                         "are the network's raw features")
    assert r.stdout.splitlines()[-1].startswith("loss: 'categorical_crossentropy' guessed from the output's softmax "
                                                "activation"), r.stdout


def test_export_writes_what_keras_computes(keras_file, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    path, model = keras_file
    r = cmd("export", path, tmp_path / "m.onnx")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"wrote {tmp_path / 'm.onnx'} (ONNX opset 17; inputs 'input'; outputs 'output')"
    x = np.random.default_rng(0).normal(size=(7, 4))
    runtime = ort.InferenceSession(str(tmp_path / "m.onnx"))
    given = runtime.get_inputs()[0]
    got = runtime.run(None, {given.name: x.astype(np.float32 if given.type == "tensor(float)" else np.float64)})[0]
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_a_keras_file_given_as_the_data_is_named_so(keras_file, tmp_path):
    """Keras' .keras (a zip) where the CSV file goes was 'zip-compressed, not text: decompress it first (e.g. unzip
    ...)': unzipped it holds Keras' config, no data."""
    from importlib.resources import files
    iris = files("chainrule.data.examples") / "iris.csv"
    trained = cmd("train", iris, "--target", "species", "--epochs", 1, "--quiet", "--out", tmp_path / "m.npz")
    assert trained.returncode == 0, trained.stderr
    r = cmd("predict", tmp_path / "m.npz", keras_file[0])
    assert r.returncode == 2 and r.stderr.strip() == (
        f"chainrule: error: CSV file {str(keras_file[0])!r} is a Keras model (.keras), not CSV text: predict reads a "
        "model first and a CSV file of data second (chainrule predict MODEL DATA)"), r.stderr


@pytest.mark.parametrize("command", ["info", "export"])
def test_keras_weights_given_as_the_model_are_named_so(keras_file, tmp_path, command):
    """Keras' save_weights file given as the model was told 'load the model with keras.models.load_model', which
    Keras refuses for it (no model config in it): its weights go into the model built in Keras."""
    import keras
    model = keras_file[1]
    model.save_weights(tmp_path / "m.weights.h5")
    with pytest.raises(ValueError):
        keras.models.load_model(tmp_path / "m.weights.h5")
    model.load_weights(tmp_path / "m.weights.h5")
    r = cmd(command, "m.weights.h5", *(["--out", "m.onnx"] if command == "export" else []), cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.strip() == (
        "chainrule: error: 'm.weights.h5' is not a chainrule model file (not an .npz archive): it is an HDF5 file of "
        "Keras weights (model.save_weights; no model in it, keras.models.load_model refuses it): build the model in "
        "Keras, model.load_weights(path), then chainrule.from_keras(model)"), r.stderr
