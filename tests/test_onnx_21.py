"""ONNX as a deployer reads it: what a CSV model's outputs mean, told where onnxruntime shows it
(the model's custom metadata), and foreign graphs from torch.onnx.export read or refused by name."""
import errno
import json
import os

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pd = pytest.importorskip("pandas")
from conftest import cmd, csv_feeds  # noqa: E402

import chainrule as cr  # noqa: E402


def session(path):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("name", ["plain", "imputed"])
def test_a_classifiers_graph_names_its_classes_in_the_order_of_the_probabilities(csv_models, name):
    """onnxruntime shows no output's doc_string: the metadata is where a deployer learns which column
    of 'probabilities' is which class. Truth: the CSV's labels, predict's proba_<class> columns."""
    folder, models = csv_models
    model, graph = models[name]
    s = session(graph)
    meta = s.get_modelmeta().custom_metadata_map
    classes = json.loads(meta["chainrule.classes"])
    assert sorted(classes) == sorted(pd.read_csv(folder / "t.csv")["y"].unique())
    assert (meta["chainrule.target"], meta["chainrule.task"]) == ("y", "classification")
    df = pd.read_csv(folder / "t.csv").head(40)
    label, proba = s.run(None, csv_feeds(df))
    assert (label == np.array(classes, dtype=object)[proba.argmax(axis=1)]).all()
    r = cmd("predict", model, folder / "t.csv", "--proba", "--out", folder / f"{name}-p.csv")
    assert r.returncode == 0, r.stderr
    want = pd.read_csv(folder / f"{name}-p.csv").head(40)
    np.testing.assert_allclose(proba, want[[f"proba_{c}" for c in classes]].to_numpy(), rtol=2e-6, atol=1e-7)
    out = {o.name: o.doc_string for o in onnx.load(graph).graph.output}
    assert str(classes) in out["probabilities"] and "order" in out["probabilities"]


def torch_graph(model, x, path, **kwargs):
    """`model` as torch.onnx.export writes it (the TorchScript exporter, as a deployer's script calls it)."""
    torch = pytest.importorskip("torch")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), (x,), str(path), opset_version=17, dynamo=False, **kwargs)
    return path


def test_an_mlp_that_starts_with_nn_flatten_is_read_and_equals_torch(tmp_path):
    """nn.Flatten first (as in an MNIST model) is the identity on rows: it was refused as no chainrule form."""
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(0)
    seq = nn.Sequential(nn.Flatten(), nn.Linear(4, 5), nn.Tanh(), nn.Flatten(), nn.Linear(5, 3), nn.Softmax(dim=1))
    x = torch.randn(6, 4)
    net = cr.from_onnx(torch_graph(seq, x, tmp_path / "f.onnx", input_names=["x"], dynamic_axes={"x": {0: "N"}}))
    with torch.no_grad():
        np.testing.assert_allclose(net.predict(x.numpy()), seq(x).numpy(), rtol=1e-6, atol=1e-7)


def test_a_flatten_of_images_is_refused_naming_the_input_and_its_shape(tmp_path):
    torch = pytest.importorskip("torch")
    nn = torch.nn
    seq = nn.Sequential(nn.Flatten(), nn.Linear(6, 2))
    path = torch_graph(seq, torch.randn(3, 2, 3), tmp_path / "img.onnx", input_names=["image"])
    with pytest.raises(cr.errors.ValidationError, match=r"node 0 '.*' \(Flatten\) flattens the input 'image' of "
                                                        r"shape \(3, 2, 3\); a chainrule network takes rows"):
        cr.from_onnx(path)


def test_a_conv_model_is_refused_naming_the_first_node_chainrule_cannot_read_and_what_it_reads(tmp_path):
    """torch writes a Conv1d after nn.Unflatten's shape nodes: the first of them was refused as 'does not
    continue the chain of layers (it reads [])', naming neither its kind as unsupported nor what is."""
    torch = pytest.importorskip("torch")
    nn = torch.nn
    seq = nn.Sequential(nn.Unflatten(1, (1, 4)), nn.Conv1d(1, 1, 2), nn.Flatten())
    path = torch_graph(seq, torch.randn(3, 4), tmp_path / "conv.onnx")
    first = next(n for n in onnx.load(path).graph.node if n.op_type not in ("Constant", "Gemm"))
    with pytest.raises(cr.errors.ValidationError, match=rf"\({first.op_type}\) has no chainrule form; an MLP graph "
                                                        r"holds Gemm, MatMul, Add, .*Flatten of rows"):
        cr.from_onnx(path)
    conv = onnx.helper.make_graph(
        [onnx.helper.make_node("Conv", ["x", "w"], ["y"], name="conv1")], "g",
        [onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 1, 4])],
        [onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 1, 3])],
        [onnx.numpy_helper.from_array(np.ones((1, 1, 2), np.float32), "w")])
    with pytest.raises(cr.errors.ValidationError, match=r"node 0 'conv1' \(Conv\) has no chainrule form; an MLP "
                                                        r"graph holds Gemm"):
        cr.from_onnx(onnx.helper.make_model(conv, opset_imports=[onnx.helper.make_opsetid("", 17)]))


@pytest.mark.parametrize("op", ["MatMul", "Gemm"])
def test_weights_multiplied_from_the_left_are_named_so(op):
    """W @ x (the constant first) mixes the samples, no layer of rows: it was refused as "takes 'x', which is not a
    constant", the input taken for a weight."""
    from onnx import TensorProto as T
    from onnx import helper as h
    from onnx import numpy_helper as nh
    W = np.eye(3)
    graph = h.make_graph([h.make_node(op, ["W", "x"], ["y"], name="layer")], "g",
                         [h.make_tensor_value_info("x", T.DOUBLE, [3, 3])],
                         [h.make_tensor_value_info("y", T.DOUBLE, [3, 3])],
                         initializer=[nh.from_array(W, "W")])
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])
    with pytest.raises(cr.errors.ValidationError, match=rf"node 0 'layer' \({op}\) multiplies the constant 'W' by 'x' "
                                                        r"\(W @ x\); a chainrule layer computes x @ W"):
        cr.from_onnx(model)


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_export_to_a_place_it_cannot_write_names_the_output_not_its_lock(csv_models, tmp_path, monkeypatch, code):
    """A read-only folder (as root the mode does not stop us: the system's refusal made here): the command named a
    hidden lock file ('.m.onnx.lock.PID.HEX.tmp') where the user gave m.onnx; predict's --out is its neighbour."""
    folder, models = csv_models
    real = os.open

    def refused(path, *args, **kwargs):
        if ".lock." in os.fspath(path):
            raise OSError(code, os.strerror(code), os.fspath(path))
        return real(path, *args, **kwargs)
    monkeypatch.setattr(os, "open", refused)
    for args, out in ((("export", models["plain"][0]), tmp_path / "m.onnx"),
                      (("predict", models["plain"][0], folder / "t.csv", "--out"), tmp_path / "p.csv")):
        r = cmd(*args, out)
        assert r.returncode != 0 and ".lock" not in r.stderr, r.stderr
        assert f"{os.strerror(code).lower()} (in the folder of " in r.stderr.lower() and repr(str(out)) in r.stderr
        assert not out.exists()


def test_a_regressions_graph_names_its_target_and_gives_its_units():
    """The metadata says which column the prediction is, in that column's units (mean 1000, spread 300)."""
    from chainrule.data.tabular import Preprocessing
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=50), "colour": rng.choice(["red", "blue"], 50)})
    df["price"] = 1000 + 300 * df["a"]
    pre = Preprocessing.fit(df, "price", task="regression")
    net = cr.Network([cr.Dense(pre.n_features, 1)], seed=0)
    s = ort.InferenceSession(cr.to_onnx(net, preprocessing=pre).SerializeToString(),
                             providers=["CPUExecutionProvider"])
    meta = s.get_modelmeta().custom_metadata_map
    assert (meta["chainrule.target"], meta["chainrule.task"]) == ("price", "regression")
    assert "chainrule.classes" not in meta
    (got,) = s.run(None, {"a": df[["a"]].to_numpy(), "colour": df[["colour"]].to_numpy(object)})
    features = pre.transform(df)
    features = features.toarray() if hasattr(features, "toarray") else np.asarray(features)
    z = net.predict(features)[:, 0]                        # the network's standardised output, by hand to units
    np.testing.assert_allclose(got, z * df["price"].std(ddof=0) + df["price"].mean(), rtol=1e-9)


def flatten_graph(first, shape, axis=1):
    """x (of `shape`) through the nodes `first` (reading 'x', writing 'd'), Flatten(axis) and MatMul by ones(6, 1)."""
    from onnx import TensorProto as T
    from onnx import helper as h
    from onnx import numpy_helper as nh
    nodes = [*first, h.make_node("Flatten", ["d" if first else "x"], ["f"], name="flatten", axis=axis),
             h.make_node("MatMul", ["f", "W"], ["y"])]
    graph = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", T.DOUBLE, shape)],
                         [h.make_tensor_value_info("y", T.DOUBLE, ["N", 1])],
                         initializer=[nh.from_array(np.ones((6, 1)), "W")])
    return onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 17)])


@pytest.mark.parametrize("shape", [["N", "h", "w"], ["N", 2, 3]])
def test_a_flatten_of_images_after_a_dropout_is_refused_as_one_first(shape):
    """A Dropout keeps its input's shape: a Flatten after it flattens the images as one first does. It was read as
    past a layer: (N, h, w) taken as rows of 6 numbers, (N, 2, 3) refused as 'has 3 features; the first takes 6'."""
    model = flatten_graph([onnx.helper.make_node("Dropout", ["x"], ["d"], name="drop")], shape)
    with pytest.raises(cr.errors.ValidationError, match=r"node 1 'flatten' \(Flatten\) flattens the input 'x' of "
                                                        rf"shape \('N', {shape[1]!r}, {shape[2]!r}\); a chainrule"):
        cr.from_onnx(model)


def test_a_flatten_of_axis_minus_one_on_rows_is_read_as_onnxruntime_computes_it():
    """Flatten(axis=-1) of (N, 6) is (N, 6), as onnxruntime computes it: it was refused as not axis 1."""
    model = flatten_graph([], ["N", 6], axis=-1)
    x = np.random.default_rng(0).normal(size=(4, 6))
    (want,) = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})
    np.testing.assert_allclose(cr.from_onnx(model).predict(x), want, rtol=1e-12)
    with pytest.raises(cr.errors.ValidationError, match=r"\(Flatten\) has axis=2; chainrule reads a Flatten of axis 1 "
                                                        r"\(or -1\) only"):
        cr.from_onnx(flatten_graph([], ["N", 6], axis=2))


def test_info_of_an_exported_graph_says_the_classes_in_the_order_of_the_probabilities(csv_models, tmp_path):
    """`chainrule info model.onnx` said the outputs' names only: which column of 'probabilities' is which class was
    in the metadata alone. Truth: the columns of predict --proba, the regression's target column."""
    folder, models = csv_models
    model, graph = models["plain"]
    assert cmd("predict", model, folder / "t.csv", "--proba", "--out", tmp_path / "p.csv").returncode == 0
    columns = [c.removeprefix("proba_") for c in pd.read_csv(tmp_path / "p.csv").columns[1:]]
    r = cmd("info", graph)
    assert r.returncode == 0, r.stderr
    assert f"'prediction': the predicted class of 'y'; 'probabilities': one column per class, in this order: " \
           f"{columns}" in r.stdout, r.stdout
    from chainrule.data.tabular import Preprocessing
    a = np.random.default_rng(0).normal(size=20)
    df = pd.DataFrame({"a": a, "price": 3 * a + 10})
    pre = Preprocessing.fit(df, "price", task="regression")
    cr.to_onnx(cr.Network([cr.Dense(pre.n_features, 1)], seed=0), tmp_path / "r.onnx", preprocessing=pre)
    r = cmd("info", tmp_path / "r.onnx")
    assert r.returncode == 0 and "'prediction': the predicted 'price', in its own units" in r.stdout, r.stdout


def test_the_classes_in_the_metadata_are_spelled_as_the_csv_writes_them(tmp_path):
    """A label 'café' was written '"caf\\u00e9"' (JSON's ASCII escape): json.loads read it back, a deployer's
    viewer of the metadata (Netron, print(custom_metadata_map)) showed the escape. Truth: the CSV's labels."""
    rng = np.random.default_rng(0)
    a = rng.normal(size=60)
    pd.DataFrame({"a": a, "drink": np.where(a > 0, "café", "thé")}).to_csv(tmp_path / "d.csv", index=False)
    assert cmd("train", tmp_path / "d.csv", "--target", "drink", "--epochs", "2", "--hidden", "3", "--out",
               tmp_path / "d.npz", "--quiet").returncode == 0
    assert cmd("export", tmp_path / "d.npz", tmp_path / "d.onnx").returncode == 0
    meta = session(tmp_path / "d.onnx").get_modelmeta().custom_metadata_map
    assert meta["chainrule.classes"] == '["café", "thé"]'


@pytest.mark.parametrize("name", ["m" * 240, "é" * 120])
def test_a_long_output_name_the_file_system_takes_is_written_by_every_job(csv_models, tmp_path, name):
    """The lock '.NAME.lock' and its temporary file '.NAME.lock.PID.HEX.tmp' are 27 bytes longer than NAME: an
    --out of 240 bytes, which open() takes, was refused as 'file name too long' (since onnx21 said of the user's
    name). Truth: Python's own open() writes it."""
    folder, models = csv_models
    with open(tmp_path / f"{name}.txt", "w"):
        pass
    jobs = {"export": (("export", models["plain"][0]), ".onnx"),
            "predict": (("predict", models["plain"][0], folder / "t.csv", "--out"), ".csv"),
            "train": (("train", folder / "t.csv", "--target", "y", "--epochs", "1", "--hidden", "2", "--quiet",
                       "--out"), ".npz")}
    for args, ext in jobs.values():
        r = cmd(*args, tmp_path / f"{name}{ext}")
        assert r.returncode == 0, r.stderr
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".csv", ".npz", ".onnx", ".txt"]      # no lock left
    assert len(session(tmp_path / f"{name}.onnx").get_modelmeta().custom_metadata_map) > 0


def test_many_classes_are_cut_in_the_doc_strings_where_they_say_so_and_whole_in_the_metadata():
    """A doc string was cut at 1000 characters mid-label ("['c000', ..., 'c1"): a reader could not tell a cut
    list from the classes. Truth: the DataFrame's labels."""
    from chainrule.data.tabular import Preprocessing
    labels = [f"class{i:03d}" for i in range(300)]
    df = pd.DataFrame({"a": np.arange(600.0) % 7, "y": labels * 2})
    pre = Preprocessing.fit(df, "y", task="classification")
    model = cr.to_onnx(cr.Network([cr.Dense(pre.n_features, 300, "softmax")], seed=0), preprocessing=pre)
    docs = {o.name: o.doc_string for o in model.graph.output}
    for doc in docs.values():
        assert doc.endswith(" ... (300 classes: chainrule.classes in the metadata)") and "'class000'" in doc
    meta = {p.key: p.value for p in model.metadata_props}
    assert json.loads(meta["chainrule.classes"]) == labels
