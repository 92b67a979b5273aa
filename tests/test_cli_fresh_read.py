"""A new user's read of info, predict, evaluate and export on the files a user may give them by mistake: a model
file cut short before its member list (a copy stopped early) was called 'a NumPy archive of arrays
(params; np.savez), with no model in it', unless the cut came in its last few hundred bytes."""
import zipfile
from importlib.resources import files

import numpy as np
import pytest
from conftest import cmd

IRIS = files("chainrule.data.examples") / "iris.csv"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    out = tmp_path_factory.mktemp("fresh") / "m.npz"
    r = cmd("train", IRIS, "--target", "species", "--epochs", 2, "--quiet", "--out", out)
    assert r.returncode == 0, r.stderr
    return out


ARGS = {"info": [], "predict": [IRIS, "--out", "p.csv"], "evaluate": [IRIS], "export": ["--out", "m.onnx"]}


@pytest.mark.parametrize("fraction", [0.02, 0.5, 0.999])
@pytest.mark.parametrize("command", list(ARGS))
def test_a_model_file_cut_short_is_named_so(model, tmp_path, command, fraction):
    data = model.read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(data[:int(len(data) * fraction)])
    assert not zipfile.is_zipfile(cut)                  # truly cut short: its member list gone
    r = cmd(command, cut, *ARGS[command], cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip() == (f"chainrule: error: {str(cut)!r} is a chainrule model file cut short (a copy stopped "
                                "early?): its end, the member list, is missing; copy or save it again")
    assert not (tmp_path / "p.csv").exists() and not (tmp_path / "m.onnx").exists()


def test_another_zip_cut_short_is_named_so(tmp_path):
    np.savez(tmp_path / "arrays.npz", a=np.zeros(1000), b=np.ones(3))
    cut = tmp_path / "cut.npz"
    cut.write_bytes((tmp_path / "arrays.npz").read_bytes()[:500])
    r = cmd("info", cut)
    assert r.returncode == 2
    assert r.stderr.strip() == (f"chainrule: error: {str(cut)!r} is not a chainrule model file (not an .npz archive): "
                                "it is a zip archive cut short (a copy stopped early?): its end, the member list, is "
                                "missing")


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_a_file_for_another_model_is_named_with_its_columns(model, tmp_path, command):
    """iris' model given diabetes.csv: predict said "columns [the model's four] are missing: the model was trained on
    columns [the same four]", naming neither the file nor what it holds; evaluate said only that 'species' was not
    in the file."""
    import pandas as pd
    data = files("chainrule.data.examples") / "diabetes.csv"
    header = list(pd.read_csv(data, nrows=1).columns)
    assert len(header) == 11 and not {"sepal_length", "species"} & set(header)
    r = cmd(command, model, data, "--out", tmp_path / "p.csv") if command == "predict" else cmd(command, model, data)
    shown = ", ".join(repr(c) for c in header[:10])
    assert r.returncode == 2 and r.stderr.strip().splitlines()[-1] == (
        f"chainrule: error: CSV file {str(data)!r} has none of the model's columns: the model was trained "
        f"on columns ['sepal_length', "
        f"'sepal_width', 'petal_length', 'petal_width']; its columns are [{shown}, ... (1 more)] (a file for another "
        "model?)"), r.stderr


def test_a_missing_column_and_target_name_the_file(model, tmp_path):
    import pandas as pd
    table = pd.read_csv(IRIS)
    table.drop(columns=["sepal_width", "petal_width"]).to_csv(tmp_path / "two.csv", index=False)
    table.drop(columns=["species"]).to_csv(tmp_path / "inputs.csv", index=False)
    r = cmd("predict", model, "two.csv", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.strip().splitlines()[-1] == (
        "chainrule: error: CSV file 'two.csv': columns ['sepal_width', 'petal_width'] are missing: the model was "
        "trained on columns ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']"), r.stderr
    r = cmd("evaluate", model, "inputs.csv", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.strip().splitlines()[-1] == (
        "chainrule: error: CSV file 'inputs.csv': target column 'species' is not in the file: evaluate compares the "
        "predictions with it"), r.stderr


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_a_model_given_as_the_data_is_named_so(model, tmp_path, command):
    """The model file given again where the CSV file goes was 'zip-compressed, not text: decompress it first (e.g.
    unzip ...)', its ONNX export 'not a text file (it holds NUL bytes)'."""
    onnx = tmp_path / "m.onnx"
    assert cmd("export", model, "--out", onnx).returncode == 0
    import chainrule as cr
    cr.load(str(model)).save_weights(str(tmp_path / "w.weights.npz"))
    for data, what in ((model, "a chainrule model file (.npz)"), (onnx, "an ONNX model"),
                       (tmp_path / "w.weights.npz", "a weights file (save_weights)")):
        r = cmd(command, model, data)
        assert r.returncode == 2 and r.stderr.strip() == (
            f"chainrule: error: CSV file {str(data)!r} is {what}, not CSV text: {command} reads a model first and a "
            f"CSV file of data second (chainrule {command} MODEL DATA)"), r.stderr


def test_a_regressions_training_losses_say_their_units(tmp_path):
    """info of a regression said 'training: epochs 3, loss 1.18, val_loss 1.01' beside evaluate's 'mse: 6037':
    the losses are of the standardised target, by the training rows' mean and standard deviation (NumPy's here)."""
    import pandas as pd
    from conftest import training_rows
    data = files("chainrule.data.examples") / "diabetes.csv"
    r = cmd("train", data, "--target", "progression", "--epochs", 2, "--quiet", "--out", tmp_path / "d.npz")
    assert r.returncode == 0, r.stderr
    y = pd.read_csv(data)["progression"].to_numpy(float)
    kept = y[training_rows(len(y))]
    line = cmd("info", tmp_path / "d.npz").stdout.splitlines()[-1]
    said = (f"training (losses of the standardised target: ('progression' - mean {kept.mean():.6g}) / std "
            f"{kept.std():.6g}): ")                 # as train printed them, to the digit
    assert line.startswith(said + "epochs 2, loss "), line


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_another_frameworks_file_given_as_the_data_is_named_so(model, tmp_path, command):
    """A PyTorch file or NumPy's arrays where the CSV file goes was 'zip-compressed, not text: decompress it first (e.g.
    unzip ...)' (torch.save's and np.savez's zip) or 'not a text file (it holds NUL bytes)' (np.save's array)."""
    torch = pytest.importorskip("torch")
    torch.save(torch.nn.Linear(4, 3).state_dict(), tmp_path / "net.pt")
    np.save(tmp_path / "x.npy", np.zeros((3, 4)))
    np.savez(tmp_path / "xs.npz", x=np.zeros((3, 4)))
    for name, what in (("net.pt", "a PyTorch file (torch.save)"), ("x.npy", "a NumPy array (np.save)"),
                       ("xs.npz", "a NumPy archive of arrays (np.savez)")):
        r = cmd(command, model, name, cwd=tmp_path)
        assert r.returncode == 2 and r.stderr.strip() == (
            f"chainrule: error: CSV file {name!r} is {what}, not CSV text: {command} reads a model first and a CSV "
            f"file of data second (chainrule {command} MODEL DATA)"), r.stderr


@pytest.mark.parametrize("command", ["info", "export"])
def test_a_networks_arrays_saved_by_numpy_are_named_so(model, tmp_path, command):
    """np.savez of a network's get_weights() given as the model said only "it lacks the '__format__' or 'params'
    entry": it is NumPy's archive of arrays, which set_weights puts into a network of the same layers."""
    import chainrule as cr
    net = cr.load(str(model))
    np.savez(tmp_path / "w.npz", *net.get_weights())
    r = cmd(command, "w.npz", *(["--out", "m.onnx"] if command == "export" else []), cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.strip() == (
        "chainrule: error: 'w.npz' is not a chainrule model file: it is a NumPy archive of arrays (arr_0, arr_1, arr_2 "
        "...; np.savez), with no model in it; a model file is the .npz that net.save or `chainrule train --out` "
        "writes (a network's arrays, as get_weights gives them: net.set_weights(arrays) into a network of the same "
        "layers, then net.save)"), r.stderr
    with np.load(tmp_path / "w.npz") as saved:                          # the advice works
        arrays = [saved[f"arr_{k}"] for k in range(len(saved.files))]
    other = cr.load(str(model))
    other.set_weights([np.zeros_like(a) for a in arrays])
    other.set_weights(arrays)
    x = np.random.default_rng(0).normal(size=(5, 4))
    np.testing.assert_array_equal(other.predict(x), net.predict(x))


@pytest.mark.parametrize("command", ["info", "export"])
def test_a_model_file_named_keras_is_named_so(model, tmp_path, command):
    """A chainrule model file named .keras (export reads .keras files now) said "could not be read by Keras: KeyError:
    There is no item named 'config.json' in the archive"."""
    (tmp_path / "m.keras").write_bytes(model.read_bytes())
    r = cmd(command, "m.keras", *(["--out", "m.onnx"] if command == "export" else []), cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.strip() == (
        "chainrule: error: 'm.keras' is not a Keras model file, though named .keras: it is a chainrule model file "
        "(.npz); its name should end in .npz"), r.stderr
    assert not (tmp_path / "m.onnx").exists()


@pytest.mark.parametrize("command", ["train", "explain", "sweep"])
def test_a_model_where_any_command_reads_its_csv_is_named_so(model, tmp_path, command):
    """train, explain --data and sweep given a model file or NumPy's array where the CSV file goes said 'zip-compressed,
    not text: decompress it first (e.g. unzip ...)' or 'not a text file (it holds NUL bytes)': the CSV reader names
    it, as predict does."""
    np.save(tmp_path / "x.npy", np.zeros((3, 4)))
    for data, what in ((str(model), "a chainrule model file (.npz)"), ("x.npy", "a NumPy array (np.save)")):
        args = {"train": ["train", data, "--target", "species", "--out", "new.npz"],
                "explain": ["explain", "--model", model, "--data", data],
                "sweep": ["sweep", data, "--target", "species", "--grid", "hidden=4"]}[command]
        r = cmd(*args, cwd=tmp_path)
        assert r.returncode == 2 and r.stderr.strip().splitlines()[-1] == (
            f"chainrule: error: CSV file {data!r} is {what}, not CSV text: give a CSV file of data (a header row, "
            "then a row a sample)"), r.stderr
    assert not (tmp_path / "new.npz").exists()
