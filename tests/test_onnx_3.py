"""ONNX export and import as someone who deploys models tries them, onnxruntime the independent
truth: what a CSV model's graph does with inputs `chainrule predict` refuses, every activation and
loss against predict, batch sizes, re-import, foreign graphs, versions, metadata and the file."""
from contextlib import nullcontext

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pd = pytest.importorskip("pandas")
from conftest import cli, cmd, csv_feeds  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.saving.onnx import to_onnx  # noqa: E402

TOL = {"float64": 1e-12, "float32": 2e-6}
ORT_ERRORS = (ort.capi.onnxruntime_pybind11_state.Fail, ort.capi.onnxruntime_pybind11_state.InvalidArgument)


def session(model_or_path):
    source = model_or_path.SerializeToString() if isinstance(model_or_path, onnx.ModelProto) else str(model_or_path)
    return ort.InferenceSession(source, providers=["CPUExecutionProvider"])


def rows(**cells):
    """Three good rows, the first with the given cells."""
    df = pd.DataFrame({"a": [0.3, -1.0, 2.0], "b": [9.0, 11.0, 10.5], "colour": ["red", "blue", "green"]})
    for c, v in cells.items():
        df.loc[0, c] = v
    return df


BAD = {                                       # cells `chainrule predict` refuses, and the model they are refused in
    "a gap in a number, no --impute": ("plain", {"a": np.nan}, "a", "a missing value in 'a'"),
    "an infinite number": ("plain", {"b": np.inf}, "b", "column 'b' has an infinite value"),
    "an infinite number, --impute": ("imputed", {"a": -np.inf}, "a", "column 'a' has an infinite value"),
    "a gap in text, no --impute": ("plain", {"colour": ""}, "colour", "a missing value in 'colour'"),
    "NA in text, no --impute": ("plain", {"colour": "NA"}, "colour", "a missing value in 'colour'"),
    "too large for float32": ("imputed", {"b": 1e300}, "b", "too large for the model's float32"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_the_graph_refuses_what_predict_refuses_naming_the_column(csv_models, case):
    """The graph checked nothing: a gap with no fill value gave NaN probabilities and (ArgMax of NaN)
    the first class as the label, an infinite number the same, a missing text value all zeros; predict
    refuses each. Now onnxruntime refuses the batch, its error naming the column and the cause."""
    folder, models = csv_models
    name, cells, column, predict_says = BAD[case]
    model, graph = models[name]
    df = rows(**cells)
    df.to_csv(folder / "bad.csv", index=False)
    r = cli("predict", model, folder / "bad.csv")
    assert r.returncode != 0 and predict_says in r.stderr, r.stderr
    with pytest.raises(ORT_ERRORS, match=f"column '{column}' has"):
        session(graph).run(None, csv_feeds(df))
    said = ""
    try:
        session(graph).run(None, csv_feeds(df))
    except ORT_ERRORS as exc:
        said = str(exc)
    if "missing" in predict_says:
        assert "train with --impute" in said
    assert "requested shape:{1}" in said                    # the count of such rows


def test_gaps_are_filled_and_unseen_text_is_zeros_as_predict_does(csv_models):
    folder, models = csv_models
    model, graph = models["imputed"]
    df = pd.concat([rows(a=np.nan), rows(colour=""), rows(colour="NA"), rows(colour="purple")], ignore_index=True)
    df.to_csv(folder / "gaps.csv", index=False)
    r = cmd("predict", model, folder / "gaps.csv", "--proba", "--out", folder / "p.csv")
    assert r.returncode == 0 and "unseen in training, encoded as all zeros: ['purple']" in r.stderr
    want = pd.read_csv(folder / "p.csv")
    # as chainrule reads the file: "" and NA are gaps in text too
    label, proba = session(graph).run(None, csv_feeds(pd.read_csv(folder / "gaps.csv", keep_default_na=False,
                                                              na_values={"a": [""], "b": [""]})))
    assert list(label) == list(want["prediction"])
    np.testing.assert_allclose(proba, want[["proba_no", "proba_yes"]].to_numpy(), rtol=TOL["float32"],
                               atol=TOL["float32"])


def test_columns_of_unequal_length_are_named(csv_models):
    _, models = csv_models
    bad = csv_feeds(rows())
    bad["b"] = bad["b"][:2]
    with pytest.raises(ORT_ERRORS, match="every input must have the same number of rows"):
        session(models["plain"][1]).run(None, bad)
    bad = csv_feeds(rows())
    bad["colour"] = bad["colour"][:1]
    with pytest.raises(ORT_ERRORS, match="every input must have the same number of rows"):
        session(models["plain"][1]).run(None, bad)


def test_inputs_declare_type_and_shape_and_say_what_they_take(csv_models):
    """Each column's input is typed and (N, 1), so onnxruntime refuses a wrong type, a missing
    column, a second column or a 1-D array; its doc_string says what the column takes."""
    _, models = csv_models
    s = session(models["plain"][1])
    good = csv_feeds(rows())
    assert [(i.name, i.type, i.shape) for i in s.get_inputs()] == [
        ("a", "tensor(double)", ["N", 1]), ("b", "tensor(double)", ["N", 1]), ("colour", "tensor(string)", ["N", 1])]
    for change, says in ((lambda f: f.update(a=f["a"].astype(np.float32)), "expected: \\(tensor\\(double\\)\\)"),
                         (lambda f: f.update(a=np.array([[1], [2], [3]])), "Actual: \\(tensor\\(int64\\)\\)"),
                         (lambda f: f.update(a=f["a"].ravel()), "Invalid rank for input: a"),
                         (lambda f: f.update(b=np.hstack([f["b"], f["b"]])), "invalid dimensions for input: b"),
                         (lambda f: f.pop("colour"), "colour")):
        bad = dict(good)
        change(bad)
        with pytest.raises((*ORT_ERRORS, ValueError), match=says):
            s.run(None, bad)
    docs = {i.name: i.doc_string for i in onnx.load(models["plain"][1]).graph.input}
    assert docs["a"].startswith("column 'a': numbers (double), no gaps")
    assert docs["colour"].startswith("column 'colour': text (string), no gaps")
    docs = {i.name: i.doc_string for i in onnx.load(models["imputed"][1]).graph.input}
    _, extra = cr.load(models["imputed"][0], with_extra=True)
    assert f"filled with {extra['tabular']['fill']['b']!r}" in docs["b"]


# -- a network without preprocessing: every activation and loss, batches, re-import -------------------

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "softmax", "linear"]
OUTPUTS = {"sse": ACTIVATIONS, "mse": ACTIVATIONS, "binary_crossentropy": ["sigmoid", "softmax"],
           "categorical_crossentropy": ["softmax", "sigmoid"]}


def odd(loss, out):
    """The warning of a loss that does not suit the output (still a network a user may build)."""
    unusual = {loss, out} in ({"binary_crossentropy", "softmax"}, {"categorical_crossentropy", "sigmoid"})
    return pytest.warns(UserWarning, match="after a") if unusual else nullcontext()


def network(loss, out, dtype, hidden="tanh", n_in=1, seed=0):
    layers = [cr.Dense(n_in, 7, hidden, bias_init="normal"), cr.Dropout(0.3), cr.Dense(7, 3, out, bias_init="normal")]
    with odd(loss, out):
        return cr.Network(layers, loss=loss, dtype=dtype, seed=seed)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("loss", list(OUTPUTS))
def test_every_loss_and_output_equal_predict_at_batch_1_and_50000_and_come_back(loss, dtype):
    """The loss does not change predict, but re-imported it did: from_onnx(to_onnx(net)) of a
    sigmoid/binary_crossentropy network came back with mse, of an sse one with mse (the graph did not
    say), so that fit on the re-imported network minimised another error."""
    rng = np.random.default_rng(3)
    for out, hidden in zip(OUTPUTS[loss], ACTIVATIONS[::-1]):
        net = network(loss, out, dtype, hidden)
        model = to_onnx(net)
        s = session(model)
        for n in (1, 50_000):
            X = rng.normal(scale=4.0, size=(n, 1)).astype(dtype)
            (got,) = s.run(None, {"input": X})
            assert got.dtype == np.dtype(dtype) and got.shape == (n, 3)
            np.testing.assert_allclose(got, net.predict(X), rtol=TOL[dtype], atol=TOL[dtype])
        if out == "softmax":
            np.testing.assert_allclose(got.sum(axis=1), 1.0, rtol=TOL[dtype])
        with odd(loss, out):
            back = cr.from_onnx(model)
        assert back.loss_function.name == loss
        assert back.dtype == net.dtype
        for ours, theirs in zip(net.get_weights(), back.get_weights()):
            np.testing.assert_array_equal(ours, theirs)
        np.testing.assert_array_equal(back.predict(X), net.predict(X))
        assert [type(layer).__name__ for layer in back.layers] == ["Dense", "Dropout", "Dense"]
        assert back.layers[1].config()["rate"] == 0.3
        assert cr.from_onnx(model, loss="mse").loss_function.name == "mse"         # the caller's word wins


@pytest.mark.parametrize("name", ["plain", "one column"])
def test_from_onnx_refuses_a_csv_graph_saying_so(csv_models, name, tmp_path):
    """A CSV model's graph of one column was refused as "node 0 'chainrule.Sub.3' (Sub) has no chainrule
    form", of several as a graph of several inputs: neither said it is a `chainrule export` graph with
    its preprocessing, whose network the .npz holds."""
    folder, models = csv_models
    graph = models["plain"][1]
    if name == "one column":
        rng = np.random.default_rng(1)
        pd.DataFrame({"x": rng.normal(size=50), "y": rng.normal(size=50)}).to_csv(tmp_path / "o.csv", index=False)
        assert cmd("train", tmp_path / "o.csv", "--target", "y", "--epochs", "2", "--out", tmp_path / "o.npz",
                   "--quiet").returncode == 0
        assert cmd("export", tmp_path / "o.npz", tmp_path / "o.onnx").returncode == 0
        graph = tmp_path / "o.onnx"
    for source in (graph, onnx.load(graph)):
        with pytest.raises(cr.errors.ValidationError, match="written by `chainrule export` with its CSV preprocessing"
                                                            ".*load the .npz it was exported from"):
            cr.from_onnx(source)


@pytest.mark.parametrize("name", ["plain", "imputed"])
def test_a_csv_graph_equals_predict_at_batch_1_and_on_every_row(csv_models, name):
    folder, models = csv_models
    model, graph = models[name]
    dtype = "float32" if name == "imputed" else "float64"
    r = cmd("predict", model, folder / "t.csv", "--proba", "--out", folder / "all.csv")
    assert r.returncode == 0, r.stderr
    want, df = pd.read_csv(folder / "all.csv"), pd.read_csv(folder / "t.csv")
    s = session(graph)
    label, proba = s.run(None, csv_feeds(df))
    assert list(label) == list(want["prediction"])
    assert proba.dtype == np.dtype(dtype)
    np.testing.assert_allclose(proba, want[["proba_no", "proba_yes"]].to_numpy(), rtol=TOL[dtype], atol=TOL[dtype])
    for i in (0, 199):
        one_label, one = s.run(None, csv_feeds(df.iloc[[i]]))
        assert one_label.shape == (1,) and one_label[0] == want["prediction"][i]
        np.testing.assert_allclose(one[0], proba[i], rtol=TOL[dtype], atol=TOL[dtype])


# -- a graph chainrule did not write -------------------------------------------------------------------

def foreign(nodes, weights, opset=17, n_out=3):
    """A float32 graph built with onnx.helper, as another converter writes one: input 'x' (batch, 4)."""
    from onnx import TensorProto, helper, numpy_helper
    graph = helper.make_graph(nodes, "foreign", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", n_out])],
                              initializer=[numpy_helper.from_array(v, k) for k, v in weights.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="elsewhere")
    model.ir_version = 7
    onnx.checker.check_model(model, full_check=True)
    return model


def foreign_weights():
    rng = np.random.default_rng(7)
    return {k: rng.normal(size=s).astype(np.float32) for k, s in
            (("W1", (4, 5)), ("b1", (5,)), ("W2", (5, 6)), ("b2", (6,)), ("W3", (6, 3)), ("b3", (3,)))}


@pytest.mark.parametrize("opset", [11, 17])
def test_from_onnx_of_a_foreign_graph_equals_onnxruntime(opset):
    from onnx.helper import make_node
    w = foreign_weights()
    w["W2t"] = w.pop("W2").T.copy()                       # Gemm with transB, as torch.onnx writes it
    nodes = [make_node("MatMul", ["x", "W1"], ["h1"], name="dense/MatMul"), make_node("Add", ["b1", "h1"], ["h2"]),
             make_node("Relu", ["h2"], ["h3"]), make_node("Gemm", ["h3", "W2t", "b2"], ["h4"], transB=1, alpha=0.5),
             make_node("Sigmoid", ["h4"], ["h5"]), make_node("Gemm", ["h5", "W3", "b3"], ["h6"], beta=2.0),
             make_node("Tanh", ["h6"], ["h7"]), make_node("Gemm", ["h7", "W4", "b4"], ["h8"]),
             make_node("Softmax", ["h8"], ["y"], axis=1)]
    rng = np.random.default_rng(8)
    w.update(W4=rng.normal(size=(3, 3)).astype(np.float32), b4=rng.normal(size=3).astype(np.float32))
    model = foreign(nodes, w, opset)
    net = cr.from_onnx(model)
    assert net.dtype == np.float32 and [layer.activation.name for layer in net.layers] == \
        ["relu", "sigmoid", "tanh", "softmax"]
    assert net.loss_function.name == "categorical_crossentropy"            # not a chainrule graph: guessed
    X = rng.normal(scale=2.0, size=(300, 4)).astype(np.float32)
    np.testing.assert_allclose(net.predict(X), session(model).run(None, {"x": X})[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("op", ["Elu", "Selu", "Softplus", "Exp"])
def test_from_onnx_refuses_an_unsupported_op_naming_it_and_its_node(op):
    from onnx.helper import make_node
    w = foreign_weights()
    nodes = [make_node("Gemm", ["x", "W1", "b1"], ["h1"], name="dense_1"), make_node(op, ["h1"], ["h2"], name="act_1"),
             make_node("Gemm", ["h2", "W2", "b2"], ["h3"]), make_node("Gemm", ["h3", "W3", "b3"], ["y"])]
    session(foreign(nodes, w)).run(None, {"x": np.zeros((1, 4), np.float32)})         # onnxruntime runs it
    with pytest.raises(cr.errors.ValidationError, match=rf"node 1 'act_1' \({op}\) has no chainrule form"):
        cr.from_onnx(foreign(nodes, w))


# -- versions, metadata and the file ----------------------------------------------------------------------

def test_opset_and_ir_version_are_those_runtimes_of_that_opset_read():
    from onnx.helper import find_min_ir_version_for
    net = network("mse", "linear", "float64")
    model = to_onnx(net)
    assert [(o.domain, o.version) for o in model.opset_import] == [("", 17)]     # ONNX 1.12, onnxruntime 1.13
    assert model.ir_version == 8 == find_min_ir_version_for(model.opset_import)
    for opset in range(17, onnx.defs.onnx_opset_version() + 1):
        model = to_onnx(net, opset=opset)
        assert model.ir_version == find_min_ir_version_for(model.opset_import)
        X = np.linspace(-2, 2, 6).reshape(-1, 1)
        np.testing.assert_allclose(session(model).run(None, {"input": X})[0], net.predict(X), rtol=1e-12, atol=1e-12)


def test_metadata_says_what_the_graph_is(csv_models):
    from importlib.metadata import PackageNotFoundError, version
    try:
        ours = version("chainrule")
    except PackageNotFoundError:
        ours = "unknown"
    net = cr.Network([cr.Dense(1, 2, "relu"), cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy")
    s = session(to_onnx(net))
    meta = s.get_modelmeta()
    assert (meta.producer_name, meta.graph_name) == ("chainrule", "chainrule")
    assert onnx.load_from_string(to_onnx(net).SerializeToString()).producer_version == ours
    assert meta.description == "chainrule network, 1 input -> 1 output (float64)"
    assert meta.custom_metadata_map == {"chainrule.loss": "binary_crossentropy"}
    assert [(i.name, i.shape) for i in s.get_inputs()] == [("input", ["N", 1])]
    assert [(o.name, o.shape) for o in s.get_outputs()] == [("output", ["N", 1])]
    s = session(csv_models[1]["plain"][1])
    assert s.get_modelmeta().description == ("chainrule network with its CSV preprocessing: the raw columns "
                                             "['a', 'b', 'colour'] -> classification of 'y' (float64)")
    assert [o.name for o in s.get_outputs()] == ["prediction", "probabilities"]


def test_writing_over_a_file_keeps_it_until_the_new_one_is_whole(tmp_path):
    path = tmp_path / "m.onnx"
    first = network("mse", "linear", "float64", seed=1)
    to_onnx(first, path)
    before = path.read_bytes()

    class Doubled(cr.Dense):
        def forward(self, x, training=False):
            return 2 * super().forward(x, training)

    with pytest.raises(cr.errors.ValidationError, match="has no ONNX form"):
        to_onnx(cr.Network([Doubled(1, 2)]), path)
    assert path.read_bytes() == before                                   # a refused export leaves it alone
    second = network("mse", "tanh", "float32", seed=2)
    to_onnx(second, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx"]      # no temporary file left beside it
    X = np.linspace(-1, 1, 5, dtype=np.float32).reshape(-1, 1)
    np.testing.assert_allclose(session(path).run(None, {"input": X})[0], second.predict(X), rtol=2e-6, atol=2e-6)


def test_a_path_in_a_missing_folder_is_a_clear_error(tmp_path):
    net = network("mse", "linear", "float64")
    with pytest.raises(FileNotFoundError, match=f"its folder '{tmp_path / 'no'}' does not exist"):
        to_onnx(net, tmp_path / "no" / "m.onnx")
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        to_onnx(net, tmp_path)
    assert list(tmp_path.iterdir()) == []
