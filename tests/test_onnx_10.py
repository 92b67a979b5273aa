"""A file of another kind given where a chainrule model goes is named for what it is (by its first bytes,
never unpickled), with what reads it; a model beyond ONNX's one-file limit is refused before anything is
written (the limit is onnx's own constant; the sizes are protobuf's own serialisation)."""
import pickle
import zipfile

import numpy as np
import pytest
from conftest import cmd

import chainrule as cr
from chainrule.errors import ModelFileError, ValidationError

onnx = pytest.importorskip("onnx")


def _net(dtype="float64"):
    return cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], loss="mse", seed=0, dtype=dtype)


class Boom:
    """Unpickling it would run code: a test fails if anything unpickles the file."""

    def __reduce__(self):
        return (pytest.fail, ("the file was unpickled",))


def _refused(path, *words):
    with pytest.raises(ModelFileError) as info:
        cr.load(path)
    text = str(info.value)
    for w in words:
        assert w in text, (w, text)
    return text


def test_an_onnx_model_given_to_load_is_named_with_from_onnx(tmp_path):
    path = tmp_path / "m.onnx"
    cr.to_onnx(_net(), path)
    _refused(path, "m.onnx' is not a chainrule model file (not an .npz archive): it is an ONNX model",
             "chainrule.from_onnx(path)")
    assert cr.from_onnx(path).n_inputs == 2          # what the message says reads it


def test_export_of_an_onnx_model_names_it(tmp_path):
    path = tmp_path / "m.onnx"
    cr.to_onnx(_net(), path)
    before = path.read_bytes()
    done = cmd("export", path, tmp_path / "out.onnx")
    assert done.returncode != 0
    assert "it is an ONNX model" in done.stderr and "from_onnx" in done.stderr and "ONNX already" in done.stderr
    assert not done.stderr.rstrip().endswith("...")             # the whole line, within the command's 1000 characters
    assert not (tmp_path / "out.onnx").exists() and path.read_bytes() == before


def test_torch_files_are_named_and_never_unpickled(tmp_path):
    torch = pytest.importorskip("torch")
    new, old = tmp_path / "m.pt", tmp_path / "old.pth"
    torch.save(torch.nn.Linear(2, 1).state_dict(), new)
    torch.save(torch.nn.Linear(2, 1).state_dict(), old, _use_new_zipfile_serialization=False)
    assert zipfile.is_zipfile(new) and not zipfile.is_zipfile(old)
    _refused(new, "it is a PyTorch file", "torch.load it", "chainrule.from_torch(model)", "never unpickles")
    _refused(old, "it is a PyTorch file", "torch.load it", "chainrule.from_torch(model)", "never unpickles")
    crafted = tmp_path / "evil.pt"                     # a pickle that would fail the test if loaded
    crafted.write_bytes(pickle.dumps(Boom(), protocol=2))
    _refused(crafted, "it is a pickle", "torch.load it", "joblib.load it", "never unpickles")    # by its name alone


@pytest.mark.parametrize("compress", [0, 3, "gzip"])
def test_joblib_and_pickle_files_are_named_with_from_sklearn(tmp_path, compress):
    joblib = pytest.importorskip("joblib")
    from sklearn.neural_network import MLPRegressor
    path = tmp_path / "m.joblib"
    joblib.dump(MLPRegressor(), path, compress=compress)
    _refused(path, "pickle", "chainrule.from_sklearn(model)", "never unpickles", "joblib.load it")
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(Boom()))
    _refused(path, "it is a pickle", "chainrule.from_sklearn")


def test_keras_files_are_named_with_from_keras(tmp_path):
    keras_file = tmp_path / "m.keras"                  # the members Keras 3 writes (a model's own, not needed here)
    with zipfile.ZipFile(keras_file, "w") as z:
        for name in ("metadata.json", "config.json", "model.weights.h5"):
            z.writestr(name, "{}")
    _refused(keras_file, "it is a Keras model", "chainrule.from_keras(keras.saving.load_model(path))")
    h5 = tmp_path / "m.h5"
    h5.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(200))      # HDF5's signature, as the format defines it
    _refused(h5, "it is an HDF5 file", "keras.models.load_model", "chainrule.from_keras")


def test_a_keras_file_keras_wrote_is_named(tmp_path):
    import os
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    path = tmp_path / "k.keras"
    model.save(path)
    _refused(path, "it is a Keras model")


def test_csv_empty_npy_and_folder_are_named(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("a,b,y\n1,2,0\n3,4,1\n")
    assert "predict" not in _refused(data, "it is text (a CSV file of data?)")       # no command in Python
    empty = tmp_path / "m.npz"
    empty.write_bytes(b"")
    _refused(empty, "it is empty (0 bytes")
    npy = tmp_path / "a.npy"
    np.save(npy, np.zeros(3))
    _refused(npy, "it is one NumPy array (np.save)")
    _net().save(tmp_path / "model.npz")
    _refused(tmp_path, "is a folder", "model.npz")
    done = cmd("export", data, tmp_path / "out.onnx")
    assert done.returncode != 0 and "it is text (a CSV file of data?)" in done.stderr


def test_load_foreign_names_a_folder(tmp_path):
    with pytest.raises(ModelFileError, match="is a folder, not a file: give the path of the chainrule model file"):
        cr.load_foreign(tmp_path)


def test_the_one_file_limit_is_onnxs_own():
    from chainrule.saving import onnx as exporter
    assert exporter.MAX_BYTES == onnx.checker.MAXIMUM_PROTOBUF


def test_a_model_beyond_the_limit_is_refused_before_writing(tmp_path, monkeypatch):
    from chainrule.saving import onnx as exporter
    net = _net()
    size = len(cr.to_onnx(net).SerializeToString())          # protobuf's own count of the file's bytes
    path = tmp_path / "m.onnx"
    path.write_bytes(b"")
    cr.to_onnx(_net("float32"), path)
    before = path.read_bytes()
    monkeypatch.setattr(exporter, "MAX_BYTES", size - 1)
    with pytest.raises(ValidationError, match=rf"the ONNX model takes .* \({size:,} bytes\), more than one ONNX file "
                                              rf"holds: .* \({size - 1:,} bytes\).*the file there is unchanged"):
        cr.to_onnx(net, path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx"]
    weights = sum(w.nbytes for w in net.get_weights())         # before any graph is built: the weights alone
    monkeypatch.setattr(exporter, "MAX_BYTES", weights - 1)
    with pytest.raises(ValidationError, match=rf"the network's weights take {weights} bytes"):
        cr.to_onnx(net, path)
    with pytest.raises(ValidationError, match="nothing written"):
        cr.to_onnx(net)
    assert path.read_bytes() == before


def _model_files_rows() -> dict[str, str]:
    from pathlib import Path
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    table = doc.split("## Model files", 1)[1].split("\n## ", 1)[0]
    return {c[0]: c[2] for c in ([x.strip() for x in line.strip().strip("|").split(" | ")]
                                 for line in table.splitlines()) if len(c) == 3}


def test_docs_show_each_files_message_as_raised(tmp_path):
    """docs/errors.md's rows of a file of another kind, each the message a real file of that kind gets."""
    joblib = pytest.importorskip("joblib")
    torch = pytest.importorskip("torch")
    from sklearn.neural_network import MLPRegressor

    from chainrule.saving import onnx as exporter
    cr.to_onnx(_net(), tmp_path / "m.onnx")
    torch.save(torch.nn.Linear(2, 1).state_dict(), tmp_path / "t.pt")
    joblib.dump(MLPRegressor(), tmp_path / "s.joblib")
    with zipfile.ZipFile(tmp_path / "k.keras", "w") as z:
        for name in ("metadata.json", "config.json", "model.weights.h5"):
            z.writestr(name, "{}")
    (tmp_path / "data.csv").write_text("a,b,y\n1,2,0\n")
    (tmp_path / "m.npz").write_bytes(b"")
    (tmp_path / "models").mkdir()
    _net().save(tmp_path / "models" / "iris.npz")
    rows = _model_files_rows()
    for case, name in [("load an ONNX model", "m.onnx"), ("load a PyTorch file", "t.pt"),
                       ("load a joblib file", "s.joblib"), ("load a Keras file", "k.keras"),
                       ("load a CSV file", "data.csv"), ("load an empty file", "m.npz"), ("load a folder", "models")]:
        with pytest.raises(ModelFileError) as info:
            cr.load(tmp_path / name)
        assert str(info.value).replace(str(tmp_path), "DIR") == rows[case], case
    weights = np.dtype("float64").itemsize * (20000 * 20000 + 20000)      # a float64 Dense(20000, 20000)'s
    with pytest.raises(ValidationError) as info:
        exporter._fits_one_file(weights, "the network's weights take", "DIR/m.onnx")
    assert str(info.value) == rows["export beyond ONNX's one-file limit"]


def test_from_onnx_names_a_chainrule_model_and_other_files(tmp_path):
    net = _net()
    net.save(tmp_path / "m.npz")
    with pytest.raises(ModelFileError, match=r"m.npz' is not a valid ONNX model: it is a chainrule model "
                                             r"file \(.npz\): read it with chainrule.load\(path\)"):
        cr.from_onnx(tmp_path / "m.npz")
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ModelFileError, match=r"data.csv' is not a valid ONNX model: it is text"):
        cr.from_onnx(tmp_path / "data.csv")
    (tmp_path / "p.onnx").write_bytes(pickle.dumps(Boom()))
    with pytest.raises(ModelFileError, match=r"p.onnx' is not a valid ONNX model: it is a pickle \(joblib.dump or "
                                             r"pickle.dump\); chainrule never unpickles"):
        cr.from_onnx(tmp_path / "p.onnx")
    with pytest.raises(cr.errors.ChainruleTypeError, match="got a chainrule Network, which is one already"):
        cr.from_onnx(net)


def test_load_foreign_says_how_to_read_a_keras_h5_file(tmp_path):
    path = tmp_path / "m.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(200))
    with pytest.raises(ValidationError, match=r"unknown model file type '.h5'; expected .npz, .onnx or .keras; an .h5 "
                                              r"file of Keras: load it with keras.models.load_model, then "
                                              r"chainrule.from_keras\(model\)"):
        cr.load_foreign(path)


def test_a_model_protobuf_cannot_count_is_refused_in_chainrules_words(tmp_path, monkeypatch):
    """Beyond 2 GiB, protobuf's ModelProto.ByteSize raises EncodeError('Failed to serialize proto') (seen with a
    2.1 GiB initializer, upb 7.36), as SerializeToString does: a graph whose weights pass the first check but whose
    constants together do not fit is refused as such, not with that EncodeError. Replayed here on a small model."""
    from google.protobuf.message import EncodeError

    def too_large(self):
        raise EncodeError("Failed to serialize proto")
    path = tmp_path / "m.onnx"
    cr.to_onnx(_net(), path)
    before = path.read_bytes()
    monkeypatch.setattr(onnx.ModelProto, "ByteSize", too_large)
    with pytest.raises(ValidationError, match=r"the ONNX model takes more than 2 GiB, more than one ONNX file holds: "
                                              r"2.0 GiB \(2,147,483,647 bytes\).*the file there is unchanged"):
        cr.to_onnx(_net(), path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx"]


@pytest.mark.parametrize("bias", [True, False])
def test_weights_left_out_of_a_torch_export_are_named_as_such(bias):
    """torch.onnx.export(..., export_params=False) makes the weights inputs without values: the refusal said the
    graph has several inputs, not that its weights are missing; with them (the default) it reads as torch computes."""
    torch = pytest.importorskip("torch")
    import io
    module = torch.nn.Sequential(torch.nn.Linear(3, 4, bias=bias), torch.nn.Tanh(), torch.nn.Linear(4, 2)).eval()
    x = torch.randn(5, 3)
    for export_params in (False, True):
        f = io.BytesIO()
        torch.onnx.export(module, x, f, dynamo=False, export_params=export_params, input_names=["x"])
        model = onnx.load_from_string(f.getvalue())
        if export_params:
            np.testing.assert_allclose(cr.from_onnx(model).predict(x.numpy()), module(x).detach().numpy(), atol=1e-6)
        else:
            with pytest.raises(ValueError, match=r"the weights \[.*\] are inputs of the graph with no values in "
                                                 r"the file \(torch.onnx.export\(\.\.\., export_params=False\)"):
                cr.from_onnx(model)


@pytest.mark.parametrize("op", ["Add", "Mul", "Concat"])
def test_a_graph_of_two_data_inputs_is_not_said_to_miss_its_weights(op):
    """A second input read as the second operand of an Add, a Mul or a Concat is data, not a weight torch left out:
    the refusal names the graph's two inputs, not export_params."""
    from onnx import TensorProto, helper
    x, y = (helper.make_tensor_value_info(name, TensorProto.FLOAT, ["N", 3]) for name in "xy")
    node = helper.make_node(op, ["x", "y"], ["s"], **({"axis": 1} if op == "Concat" else {}))
    graph = helper.make_graph([node, helper.make_node("Relu", ["s"], ["out"])], "g", [x, y],
                              [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["N", "k"])])
    with pytest.raises(ValueError) as info:
        cr.from_onnx(helper.make_model(graph))
    assert "export_params" not in str(info.value) and "inputs ['x', 'y']" in str(info.value)


def test_weights_left_out_of_a_torch_export_of_one_sample_are_named_as_such():
    """A torch export of one sample (a 1-D input, read as rows) is MatMul + Add, each bias the Add's first operand:
    with export_params=False its weights are named as missing, as those of a Gemm are."""
    torch = pytest.importorskip("torch")
    import io
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).eval()
    f = io.BytesIO()
    torch.onnx.export(module, torch.randn(3), f, dynamo=False, export_params=False, input_names=["x"])
    with pytest.raises(ValueError, match=r"the weights \[.*'0.bias'.*\] are inputs of the graph with no values"):
        cr.from_onnx(onnx.load_from_string(f.getvalue()))
