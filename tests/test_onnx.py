"""ONNX export, checked by onnxruntime: its outputs against chainrule's predict, and a model from
`chainrule train` against `chainrule predict` on the raw CSV columns."""
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pd = pytest.importorskip("pandas")
from conftest import cli, cmd, iris_table  # noqa: E402
from sklearn.datasets import load_diabetes  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.saving.onnx import to_onnx  # noqa: E402

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "softmax", "linear"]
TOL = {"float64": 1e-12, "float32": 1e-6}


def session(model_or_path):
    source = model_or_path.SerializeToString() if isinstance(model_or_path, onnx.ModelProto) else str(model_or_path)
    return ort.InferenceSession(source, providers=["CPUExecutionProvider"])


def every_activation(dtype, seed=0):
    """Each built-in activation once (leaky_relu with a slope that float32 cannot hold exactly), and a Dropout."""
    widths = [5, 9, 8, 7, 6, 5, 4]
    acts = ["sigmoid", "tanh", {"name": "leaky_relu", "alpha": 0.1}, "relu", "linear", "softmax"]
    layers = [cr.Dense(a, b, act, bias_init="normal") for a, b, act in zip(widths, widths[1:], acts)]
    layers.insert(2, cr.Dropout(0.4))
    return cr.Network(layers, loss="categorical_crossentropy", dtype=dtype, seed=seed)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_every_activation_and_dropout_equal_predict(dtype, tmp_path):
    net = every_activation(dtype)
    path = tmp_path / "net.onnx"
    model = to_onnx(net, path)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    leaky = {"Greater", "Mul", "Where"} if dtype == "float64" else {"LeakyRelu"}   # see test_leaky_relu_...
    sigmoid = {"Neg", "Exp", "Add", "Reciprocal"}           # 1 / (1 + Exp(-x)): see test_onnx_9
    bare = {"Gemm", "Tanh", "Dropout", "Relu", "Softmax"} | sigmoid | leaky
    assert {n.op_type for n in to_onnx(net, checks=False).graph.node} == bare       # the checks: test_onnx_4
    assert bare < {n.op_type for n in model.graph.node}
    s = session(path)
    X = np.random.default_rng(1).normal(scale=3.0, size=(257, 5)).astype(dtype)
    got = s.run(None, {"input": X})[0]
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_allclose(got, net.predict(X), rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("act", ACTIVATIONS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_each_activation_alone(act, dtype):
    net = cr.Network([cr.Dense(3, 4, act, bias_init="normal")], dtype=dtype, seed=2)
    X = np.random.default_rng(2).normal(scale=4.0, size=(50, 3)).astype(dtype)
    got = session(to_onnx(net)).run(None, {"input": X})[0]
    np.testing.assert_allclose(got, net.predict(X), rtol=TOL[dtype], atol=TOL[dtype])


def test_leaky_relu_slope_is_exact_in_float64():
    # ONNX's LeakyRelu keeps alpha as a float32 attribute (0.01 -> 0.0099999998), and onnxruntime has no float64
    # LeakyRelu or PRelu kernel from opset 19: in float64 the graph computes chainrule's Where(x > 0, x, x * alpha)
    net = cr.Network([cr.Dense(1, 1, "leaky_relu", weight_init="ones")], dtype="float64")
    X = np.array([[-1e6], [-1.0], [0.0], [3.0]])
    got = session(to_onnx(net)).run(None, {"input": X})[0]
    np.testing.assert_array_equal(got, net.predict(X))
    assert got[0, 0] == -1e6 * 0.01


def test_batch_dimension_is_dynamic():
    net = every_activation("float64", seed=3)
    model = to_onnx(net)
    dim = model.graph.input[0].type.tensor_type.shape.dim
    assert dim[0].dim_param == "N" and dim[1].dim_value == 5
    s = session(model)
    for n in (1, 2, 1000):
        X = np.random.default_rng(n).normal(size=(n, 5))
        np.testing.assert_allclose(s.run(None, {"input": X})[0], net.predict(X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("opset", [17, 19, 21, onnx.defs.onnx_opset_version()])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_opset_is_chosen(opset, dtype):
    net = every_activation(dtype, seed=4)
    model = to_onnx(net, opset=opset)
    assert [(o.domain, o.version) for o in model.opset_import] == [("", opset)]
    X = np.random.default_rng(4).normal(size=(10, 5)).astype(dtype)
    got = session(model).run(None, {"input": X})[0]
    np.testing.assert_allclose(got, net.predict(X), rtol=TOL[dtype], atol=TOL[dtype])


def test_bad_arguments_are_clear_errors(tmp_path):
    net = every_activation("float64")
    with pytest.raises(cr.errors.ValidationError, match="^opset must be an integer from 17"):
        to_onnx(net, opset=16)
    with pytest.raises(cr.errors.ChainruleTypeError, match="net must be a chainrule.Network"):
        to_onnx("model.npz")
    with pytest.raises(cr.errors.ChainruleTypeError, match="path must be a file name"):
        to_onnx(net, 3)


def test_unsupported_layer_and_activation_are_named():
    class Scaled(cr.Dense):
        def forward(self, x, training=False):
            return 2 * super().forward(x, training)

    net = cr.Network([cr.Dense(2, 3, "tanh"), Scaled(3, 1)])
    with pytest.raises(cr.errors.ValidationError, match=r"layer 1 \(Scaled\) has no ONNX form"):
        to_onnx(net)
    act = type("Swish", (type(cr.Dense(1, 1, "sigmoid").activation),), {})()
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, act)])
    with pytest.raises(cr.errors.ValidationError, match="layer 1's activation Swish has no ONNX form"):
        to_onnx(net)


# -- a model from `chainrule train`, with its CSV preprocessing in the graph -----------------------------

def feeds(s, df):
    """The raw columns as onnxruntime inputs: numbers as float64, text as strings ("" where missing)."""
    out = {}
    for i in s.get_inputs():
        col = df[i.name]
        if i.type == "tensor(string)":
            out[i.name] = col.astype("string").fillna("").to_numpy(dtype=object).reshape(-1, 1)
        else:
            out[i.name] = col.to_numpy(dtype=np.float64).reshape(-1, 1)
    return out


@pytest.fixture(scope="module")
def iris_csv(tmp_path_factory):
    d = iris_table()
    d["size"] = np.where(d["sepal length (cm)"] > 5.8, "large", "small")       # a text column
    d.loc[[3, 40], "petal width (cm)"] = np.nan                                   # missing values
    d.loc[[7, 90], "size"] = np.nan
    path = tmp_path_factory.mktemp("data") / "iris.csv"
    d.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_train_export_predict_classification(iris_csv, tmp_path, dtype):
    model, onnx_path, preds = tmp_path / "iris.npz", tmp_path / "iris.onnx", tmp_path / "preds.csv"
    r = cli("train", iris_csv, "--target", "species", "--hidden", "8", "--epochs", "30", "--lr", "0.01",
            "--impute", "most_frequent", "--dtype", dtype, "--out", model, "--quiet")
    assert r.returncode == 0, r.stderr
    r = cli("export", model, onnx_path)
    assert r.returncode == 0, r.stderr
    assert f"wrote {onnx_path}" in r.stdout
    assert cli("predict", model, iris_csv, "--proba", "--out", preds).returncode == 0
    df, want = pd.read_csv(iris_csv), pd.read_csv(preds)
    s = session(onnx_path)
    assert [(i.name, i.type) for i in s.get_inputs()] == [
        ("sepal length (cm)", "tensor(double)"), ("sepal width (cm)", "tensor(double)"),
        ("petal length (cm)", "tensor(double)"), ("petal width (cm)", "tensor(double)"), ("size", "tensor(string)")]
    assert [o.name for o in s.get_outputs()] == ["prediction", "probabilities"]
    label, proba = s.run(None, feeds(s, df))
    assert list(label) == list(want["prediction"])
    np.testing.assert_allclose(proba, want[["proba_setosa", "proba_versicolor", "proba_virginica"]].to_numpy(),
                               rtol=TOL[dtype], atol=TOL[dtype])
    domains = {n.domain for n in onnx.load(onnx_path).graph.node}
    assert "ai.onnx.ml" in domains                                # OneHotEncoder for the text column


def test_unseen_category_is_all_zeros_as_in_chainrule(iris_csv, tmp_path):
    model, onnx_path = tmp_path / "iris.npz", tmp_path / "iris.onnx"
    assert cmd("train", iris_csv, "--target", "species", "--hidden", "4", "--epochs", "5", "--impute", "median",
               "--out", model, "--quiet").returncode == 0
    assert cmd("export", model, onnx_path, "--opset", "18").returncode == 0
    df = pd.read_csv(iris_csv).head(6)
    df.loc[[0, 1], "size"] = "enormous"
    new = tmp_path / "new.csv"
    df.to_csv(new, index=False)
    preds = tmp_path / "preds.csv"
    r = cmd("predict", model, new, "--proba", "--out", preds)
    assert r.returncode == 0 and "unseen" in r.stderr
    s = session(onnx_path)
    _, proba = s.run(None, feeds(s, df))
    np.testing.assert_allclose(proba, pd.read_csv(preds).filter(like="proba_").to_numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("floats_in", ["training", "new"])
def test_a_text_column_of_numbers_agrees_whether_pandas_reads_it_as_int_or_float(tmp_path, floats_in):
    """A column of numbers with gaps reads as floats ('10.0'), without as ints ('10'); a boolean
    column read from 'true' as 'True'. A model that stored such typed categories (a file written
    before --text columns were read as written) takes both spellings as one category in `chainrule
    predict`; so must its graph (agreed on 54% of rows). A --text column read as written matches
    exact text in both: '10' against a stored '10.0' is unseen, warned, all zeros in both."""
    rng = np.random.default_rng(0)
    zips, x = rng.choice([10, 20, 30, 40], size=400), rng.normal(size=400)
    d = pd.DataFrame({"x": x, "zip": zips, "flag": rng.choice(["true", "false"], size=400),
                      "y": np.where((zips >= 30) ^ (x > 0), "a", "b")})
    train, new = d.copy(), d.drop(columns="y")
    if floats_in == "training":
        train.loc[[3, 9], "zip"] = np.nan                        # written '10.0'; the new file writes '10'
    else:
        new["zip"] = new["zip"].astype(float)                    # written '10'; the new file writes '10.0'
    new["flag"] = new["flag"].str.upper()
    csv, new_csv, model = tmp_path / "t.csv", tmp_path / "n.csv", tmp_path / "m.npz"
    train.to_csv(csv, index=False)
    new.to_csv(new_csv, index=False)
    assert cmd("train", csv, "--target", "y", "--text", "zip", "--impute", "most_frequent", "--hidden", "8",
               "--epochs", "60", "--lr", "0.05", "--out", model, "--quiet").returncode == 0
    net, extra = cr.load(model, with_extra=True)
    typed = {k: v for k, v in extra["tabular"].items() if k not in ("na_values", "typed")}
    typed["categories"] = {**typed["categories"], "zip": [str(float(v)) for v in typed["categories"]["zip"]]}
    if "zip" in typed["fill"]:
        typed["fill"] = {**typed["fill"], "zip": str(float(typed["fill"]["zip"]))}
    from chainrule.saving.npz import save
    save(net, tmp_path / "old.npz", extra={**extra, "tabular": typed})       # as a file of an earlier version
    for path, unseen in ((model, True), (tmp_path / "old.npz", False)):
        onnx_path, preds = path.with_suffix(".onnx"), path.with_suffix(".csv")
        assert cmd("export", path, onnx_path).returncode == 0
        r = cmd("predict", path, new_csv, "--proba", "--out", preds)
        assert r.returncode == 0 and ("column 'zip' has 4 values unseen" in r.stderr) == unseen, r.stderr
        want = pd.read_csv(preds)
        if not unseen:
            assert (want["prediction"] == d["y"]).mean() > 0.9    # zip matters: the one-hot is read
        s = session(onnx_path)
        label, proba = s.run(None, feeds(s, pd.read_csv(new_csv)))
        assert list(label) == list(want["prediction"])
        np.testing.assert_allclose(proba, want[["proba_a", "proba_b"]].to_numpy(), rtol=1e-12, atol=1e-12)
    raw = {"x": np.full((4, 1), 0.5), "flag": np.array([["true"], ["TRUE"], ["True"], ["true"]], dtype=object),
           "zip": np.array([["10"], ["10.0"], ["30"], ["30.0"]], dtype=object)}
    _, by_spelling = s.run(None, raw)                             # the earlier file: each spelling as its category
    np.testing.assert_array_equal(by_spelling[0], by_spelling[1])
    np.testing.assert_array_equal(by_spelling[2], by_spelling[3])
    assert np.abs(by_spelling[0] - by_spelling[2]).max() > 0.5


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_train_export_predict_regression(tmp_path, dtype):
    d = load_diabetes(as_frame=True, scaled=False).frame
    d["sex"] = np.where(d["sex"] > 1.5, "f", "m")
    d.loc[[5, 17], "bmi"] = np.nan
    csv, model, onnx_path, preds = (tmp_path / n for n in ("d.csv", "d.npz", "d.onnx", "preds.csv"))
    d.to_csv(csv, index=False)
    assert cmd("train", csv, "--target", "target", "--hidden", "8", "--epochs", "10", "--impute", "mean",
               "--dtype", dtype, "--out", model, "--quiet").returncode == 0
    assert cmd("export", model, onnx_path).returncode == 0
    assert cmd("predict", model, csv, "--out", preds).returncode == 0
    s = session(onnx_path)
    assert [o.name for o in s.get_outputs()] == ["prediction"]
    (got,) = s.run(None, feeds(s, d.drop(columns="target")))
    np.testing.assert_allclose(got, pd.read_csv(preds)["prediction"].to_numpy(), rtol=TOL[dtype],
                               atol=TOL[dtype] * 100)     # in the target's units (up to ~350)


def test_export_cli_errors(tmp_path):
    net = every_activation("float64")
    net.save(tmp_path / "m.npz")
    newest = pytest.importorskip("onnx").defs.onnx_opset_version()
    for opset in (12, newest + 1):          # argparse's usage form, as every option's refusal (to_onnx says opset)
        r = cmd("export", tmp_path / "m.npz", tmp_path / "m.onnx", "--opset", opset)
        assert r.returncode == 2 and r.stderr.startswith("usage: chainrule export ") and r.stderr.splitlines()[-1] == (
            f"chainrule export: error: argument --opset: expected an integer from 17 to {newest} (the newest this "
            f"onnx package knows); got '{opset}'")
    assert not (tmp_path / "m.onnx").exists()
    r = cmd("export", tmp_path / "missing.npz", tmp_path / "m.onnx")
    assert r.returncode == 2 and "does not exist" in r.stderr
    r = cmd("export", tmp_path / "m.npz", tmp_path / "no" / "m.onnx")
    assert r.returncode == 2 and "folder" in r.stderr
    assert cmd("export", tmp_path / "m.npz", tmp_path / "m.onnx").returncode == 0
    X = np.random.default_rng(5).normal(size=(4, 5))
    np.testing.assert_allclose(session(tmp_path / "m.onnx").run(None, {"input": X})[0], net.predict(X),
                               rtol=1e-12, atol=1e-12)


def test_export_keeps_the_previous_file_when_the_write_fails(tmp_path):
    """to_onnx wrote the file in place: a write that failed half-way (a full disk; here a file-size
    limit) left a truncated model where the previous one was. `chainrule export model.npz model.npz`
    replaced the model file with ONNX bytes."""
    every_activation("float64").to_onnx(tmp_path / "prev.onnx")
    small = (tmp_path / "prev.onnx").read_bytes()
    code = ("import resource, signal, numpy as np, chainrule as cr\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({len(small) * 4}, {len(small) * 4}))\n"
            "net = cr.Network([cr.Dense(300, 300), cr.Dense(300, 3)], loss='mse')\n"
            f"net.to_onnx({str(tmp_path / 'prev.onnx')!r})\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode != 0 and "File too large" in r.stderr
    assert (tmp_path / "prev.onnx").read_bytes() == small
    onnx.checker.check_model(onnx.load(tmp_path / "prev.onnx"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prev.onnx"]
    every_activation("float64").save(tmp_path / "m.npz")
    # the model file itself, or a device, as the output: refused as argparse reads the name (export writes
    # only .onnx names), before the model is read; the model file is left as it was
    r = cmd("export", tmp_path / "m.npz", tmp_path / "m.npz")
    assert r.returncode == 2 and "which would then be read as the wrong format. Give a name ending in .onnx" in r.stderr
    r = cmd("export", tmp_path / "m.npz", "--out", "/dev/full")
    assert r.returncode == 2 and "argument --out: must end in .onnx" in r.stderr
    # a folder as the output: refused in train's and predict's words
    r = cmd("export", tmp_path / "m.npz", tmp_path)
    assert r.returncode == 2 and f"the output {str(tmp_path)!r} is a folder; give a file name" in r.stderr
    cr.load(tmp_path / "m.npz")


def test_a_column_named_like_an_output_is_refused_clearly(tmp_path):
    rng = np.random.default_rng(0)
    csv = tmp_path / "t.csv"
    rows = "".join(f"{x:.3f},{i % 3},{'ab'[i % 2]}\n" for i, x in enumerate(rng.normal(size=60)))
    csv.write_text("prediction,c,y\n" + rows)
    assert cmd("train", csv, "--target", "y", "--epochs", "2", "--quiet", "--out", tmp_path / "m.npz").returncode == 0
    r = cmd("export", tmp_path / "m.npz", tmp_path / "m.onnx")
    assert r.returncode == 2, r.stderr                      # was 1: "internal error ... single static assignment"
    assert "column name 'prediction' cannot name an ONNX input" in r.stderr


def test_export_checks_a_stored_csv_preprocessing_as_predict_does(tmp_path):
    """A damaged preprocessing (one mean for two columns) was exported: the one value broadcast
    over every column; `chainrule predict` refused the same file."""
    from chainrule.saving.npz import save
    csv = tmp_path / "t.csv"
    csv.write_text("a,b,y\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(40)))
    assert cmd("train", csv, "--target", "y", "--epochs", "2", "--quiet", "--out", tmp_path / "m.npz").returncode == 0
    net, extra = cr.load(tmp_path / "m.npz", with_extra=True)
    extra["tabular"]["means"] = [100.0]
    save(net, tmp_path / "bad.npz", extra=extra)
    r = cmd("export", tmp_path / "bad.npz", tmp_path / "bad.onnx")
    assert r.returncode == 2 and "the model file's CSV preprocessing is invalid: 'means' must hold" in r.stderr
    assert not (tmp_path / "bad.onnx").exists()


def test_missing_markers_of_a_filled_text_column_get_the_filled_category(tmp_path):
    """The graph gave the filled category to "" only: a text cell NA or a marker of the model's
    --na-values ('?') was an unseen value (all zeros) where `chainrule predict` fills it."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=120)
    shade = rng.choice(["dark", "light", "?", "NA", ""], size=120, p=[0.4, 0.4, 0.08, 0.06, 0.06])
    d = pd.DataFrame({"x": x, "shade": shade, "y": np.where((x > 0) ^ (shade == "dark"), "a", "b")})
    csv, model, onnx_path, preds = (tmp_path / n for n in ("s.csv", "s.npz", "s.onnx", "p.csv"))
    d.to_csv(csv, index=False)
    assert cmd("train", csv, "--target", "y", "--hidden", "4", "--epochs", "5", "--impute", "most_frequent",
               "--na-values", "?", "--out", model, "--quiet").returncode == 0
    assert cmd("export", model, onnx_path).returncode == 0
    assert cmd("predict", model, csv, "--proba", "--out", preds).returncode == 0
    s = session(onnx_path)
    raw = pd.read_csv(csv, dtype={"shade": str}, keep_default_na=False, na_values={"x": ["", "NA", "NaN", "nan"]})
    assert {"?", "NA", ""} <= set(raw["shade"])
    _, proba = s.run(None, {"x": raw["x"].to_numpy(dtype=np.float64).reshape(-1, 1),
                            "shade": raw["shade"].to_numpy(dtype=object).reshape(-1, 1)})
    np.testing.assert_allclose(proba, pd.read_csv(preds).filter(like="proba_").to_numpy(), rtol=1e-12, atol=1e-12)


def test_info_describes_a_graph_from_export_and_predict_promises_only_what_holds(iris_csv, tmp_path):
    """`chainrule info` on the graph `chainrule export` writes said "an MLP graph has one input and
    one output", and `predict` on it said that info reads it. Now info says what the graph is (its
    columns and outputs, as onnxruntime sees them), and predict and explain point to the .npz."""
    model, graph = tmp_path / "iris.npz", tmp_path / "iris.onnx"
    assert cmd("train", iris_csv, "--target", "species", "--hidden", "4", "--epochs", "2", "--impute", "median",
               "--out", model, "--quiet").returncode == 0
    assert cmd("export", model, graph).returncode == 0
    r = cmd("info", graph)
    assert r.returncode == 0, r.stderr
    s = session(graph)
    kinds = {"tensor(double)": "number", "tensor(string)": "text"}
    assert ", ".join(f"{i.name!r} ({kinds[i.type]})" for i in s.get_inputs()) in r.stdout
    assert repr([o.name for o in s.get_outputs()]) in r.stdout
    assert "written by `chainrule export`" in r.stdout and "read the .npz model it was exported from" in r.stdout
    for command in (("predict", graph, iris_csv), ("evaluate", graph, iris_csv), ("explain", "--model", graph)):
        r = cmd(*command)
        assert r.returncode == 2 and "written by `chainrule export`" in r.stderr, r.stderr
        assert "read the .npz model it was exported from" in r.stderr and "info read" not in r.stderr
    # another library's graph: the promise that info reads it is made only when info does
    plain = cr.Network([cr.Dense(5, 3, "softmax")], loss="categorical_crossentropy")
    to_onnx(plain, tmp_path / "mlp.onnx")
    helper = onnx.helper
    pair = [helper.make_tensor_value_info(n, onnx.TensorProto.FLOAT, [1]) for n in "abo"]
    add = helper.make_model(helper.make_graph([helper.make_node("Add", ["a", "b"], ["o"])], "g", pair[:2], pair[2:]),
                            opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(add, tmp_path / "add.onnx")
    for name, reads in (("mlp.onnx", True), ("add.onnx", False)):
        assert (cmd("info", tmp_path / name).returncode == 0) == reads
        r = cmd("predict", tmp_path / name, iris_csv)
        assert r.returncode == 2 and "is a model of another library" in r.stderr
        assert ("explain and info read this one" in r.stderr) == reads, r.stderr
