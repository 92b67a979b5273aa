"""ONNX export as a demanding deployer runs it, onnxruntime and NumPy the independent truth: the
graph's checks (what `chainrule predict` refuses, a float32 layer that overflows), what each input
says it takes, missing text, every layer and loss at batch 1, 1000 and a dynamic batch, and the file."""
import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pd = pytest.importorskip("pandas")
from conftest import cli, cmd, csv_feeds  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.saving.onnx import to_onnx  # noqa: E402

ORT_ERRORS = (ort.capi.onnxruntime_pybind11_state.Fail, ort.capi.onnxruntime_pybind11_state.InvalidArgument)
TOL = {"float64": 1e-12, "float32": 1e-6}


def session(model_or_path):
    source = model_or_path.SerializeToString() if isinstance(model_or_path, onnx.ModelProto) else str(model_or_path)
    return ort.InferenceSession(source, providers=["CPUExecutionProvider"])


def ort_error(s, feeds) -> str:
    with pytest.raises(ORT_ERRORS) as info:
        s.run(None, feeds)
    return str(info.value)


# -- 1. NaN and infinity in a network's input ------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_network_graph_refuses_nan_and_infinity_as_predict_does(dtype):
    """The graph passed NaN through (NaN probabilities, whose argmax is the first class) and an infinite
    input to NaN or to saturated outputs, where predict refuses X; now onnxruntime refuses the batch,
    naming the input and counting the rows. checks=False keeps the bare network."""
    net = cr.Network([cr.Dense(3, 5, "tanh", bias_init="normal"), cr.Dense(5, 2, "softmax")], seed=1, dtype=dtype)
    X = np.random.default_rng(0).normal(size=(6, 3)).astype(dtype)
    X[2, 1], X[4, 0], X[4, 2] = np.nan, np.inf, -np.inf
    with pytest.raises(cr.errors.ValidationError, match="X contains NaN or infinity"):
        net.predict(X)
    said = ort_error(session(to_onnx(net)), {"input": X})
    assert "input 'input' has NaN or an infinite number" in said and "requested shape:{2}" in said   # 2 rows
    X[2, 1] = 0.0
    assert "requested shape:{1}" in ort_error(session(to_onnx(net)), {"input": X})    # +-inf only: tanh saturates
    bare = session(to_onnx(net, checks=False)).run(None, {"input": X})[0]
    assert np.isfinite(np.delete(bare, 4, axis=0)).all()
    good = np.delete(X, 4, axis=0)
    np.testing.assert_allclose(session(to_onnx(net)).run(None, {"input": good})[0], net.predict(good),
                               rtol=TOL[dtype], atol=TOL[dtype])


def test_checks_must_be_a_bool():
    net = cr.Network([cr.Dense(1, 1)])
    with pytest.raises(TypeError, match="checks must be True or False; got 'no'"):
        to_onnx(net, checks="no")


def test_export_refuses_a_network_with_nan_weights_naming_the_layer(tmp_path):
    """A damaged network exported silently to a graph whose every output is NaN; refused, the file
    written before stays as it was."""
    net = cr.Network([cr.Dense(2, 3, "relu"), cr.Dense(3, 1)])
    to_onnx(net, tmp_path / "m.onnx")
    before = (tmp_path / "m.onnx").read_bytes()
    net.layers[1].W[2, 0] = np.nan
    with pytest.raises(cr.errors.ValidationError,
                       match=r"NaN or infinity, first in W\[2, 0\] of layer 1 \(Dense\(3, 1.*: nan; its export would"):
        to_onnx(net, tmp_path / "m.onnx")
    assert (tmp_path / "m.onnx").read_bytes() == before and len(list(tmp_path.iterdir())) == 1


# -- 3. the input's dtype ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_the_input_says_its_dtype_and_how_to_feed_it(dtype):
    """onnxruntime's error for float64 fed to a float32 input names the types, not the input; the
    input's doc_string said nothing. Now it says the dtype, the shape and how to feed it."""
    net = cr.Network([cr.Dense(4, 2, "sigmoid")], dtype=dtype)
    model = to_onnx(net)
    (doc,) = [i.doc_string for i in model.graph.input]
    assert doc.startswith(f"{dtype} array of shape (N, 4)") and f"X.astype(np.{dtype})" in doc
    other = np.zeros((1, 4), dtype=np.float32 if dtype == "float64" else np.float64)
    with pytest.raises((*ORT_ERRORS, ValueError), match="tensor"):
        session(model).run(None, {"input": other})
    X = other.astype(dtype)                                            # as the doc_string says
    np.testing.assert_allclose(session(model).run(None, {"input": X})[0], net.predict(X))


# -- 4. a float32 layer whose net input overflows ---------------------------------------------------------

def huge(out, dtype="float32"):
    """Linear identity layer, then `out` with weights near float32's largest: the net input of some rows
    overflows float32 (rows of 5 and -10), while their exact outputs may be finite."""
    net = cr.Network([cr.Dense(2, 3, "linear"), cr.Dense(3, 3, out)], dtype=dtype, seed=0)
    net.layers[0].W[:] = np.array([[1, 0, 0], [0, 1, 0]])
    net.layers[0].b[:] = 0
    net.layers[1].W[:] = np.array([[3e38, -3e38, 1e38], [3e38, 1, 1], [0, 0, 0]])
    net.layers[1].b[:] = np.array([0.5, -0.5, 0])
    X = np.array([[5, 5], [0.1, -0.2], [1e-10, 1e-11], [-10, -10], [0, 0]], dtype=dtype)
    return net, X


def exact(net, X):
    """The outputs as real numbers would give them, each layer in float64 and rounded to the network's
    dtype (NumPy, independent of chainrule's forward pass): the values chainrule promises."""
    a = X.astype(np.float64)
    with np.errstate(over="ignore"):
        return _exact(net, a)


def _exact(net, a):
    for layer in net.layers:
        z = a @ layer.W.astype(np.float64) + layer.b.astype(np.float64)
        name = layer.activation.name
        if name == "softmax":
            e = np.exp(z - z.max(axis=1, keepdims=True))
            z = e / e.sum(axis=1, keepdims=True)
        elif name == "sigmoid":
            z = 1 / (1 + np.exp(-z))
        elif name == "tanh":
            z = np.tanh(z)
        a = z.astype(net.dtype).astype(np.float64)
    return a.astype(net.dtype)


@pytest.mark.parametrize("out", ["softmax", "sigmoid", "tanh"])
def test_a_float32_layer_that_overflows_gives_predicts_finite_outputs(out):
    """softmax of logits beyond float32 was NaN in the graph (inf - inf), where predict computes the row
    again and gives its exact 0s and 1; now the graph does the same, on those rows only."""
    net, X = huge(out)
    with np.errstate(all="ignore"):
        plain = (X @ net.layers[0].W + net.layers[0].b) @ net.layers[1].W + net.layers[1].b
    assert not np.isfinite(plain).all()                                # the net input overflows float32
    want = exact(net, X)
    assert np.isfinite(want).all()
    np.testing.assert_allclose(net.predict(X), want, rtol=1e-6, atol=1e-6)
    got = session(to_onnx(net)).run(None, {"input": X})[0]
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(got, net.predict(X), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("out", ["relu", "linear", "leaky_relu"])
def test_a_float32_layer_whose_outputs_overflow_is_refused_naming_it(out):
    net, X = huge(out)
    with pytest.raises(cr.errors.ValidationError, match=r"Layer 1 .* overflows"):
        net.predict(X)
    said = ort_error(session(to_onnx(net)), {"input": X})
    assert f"layer 1 ({net.layers[1]!r}) overflows float32" in said
    assert "requested shape:{2}" in said                        # the rows of 5 and -10
    fine = X[[1, 2, 4]]
    np.testing.assert_allclose(session(to_onnx(net)).run(None, {"input": fine})[0], net.predict(fine), rtol=1e-6)


def test_the_first_layer_that_overflows_is_the_one_named():
    net = cr.Network([cr.Dense(2, 3, "linear"), cr.Dense(3, 2, "sigmoid")], dtype="float32", seed=0)
    net.layers[0].W[:] = 1e30
    X = np.array([[1e10, 1e10], [1, 1]], dtype=np.float32)
    with pytest.raises(cr.errors.ValidationError, match=r"Layer 0 .* overflows"):
        net.predict(X)
    said = ort_error(session(to_onnx(net)), {"input": X})
    assert "layer 0 (Dense(2, 3, activation='linear'))" in said and "requested shape:{1}" in said


def test_a_float64_network_gives_predicts_numbers_where_its_outputs_are_not_finite():
    """float64 has nothing wider to compute in: the graph refused such rows where predict scales them
    by a power of two; it now scales them too (test_onnx_5 checks the numbers against exact arithmetic)."""
    net, _ = huge("softmax", "float64")
    net.layers[1].W[:] = np.array([[1e308, -1e308, 1e300], [1e308, 1, 1], [0, 0, 0]])
    X = np.array([[1e10, 1e10], [0.5, 0.25]])
    assert np.isfinite(net.predict(X)).all()
    np.testing.assert_allclose(session(to_onnx(net)).run(None, {"input": X})[0], net.predict(X), rtol=1e-12)


def test_export_no_checks_writes_the_bare_network(tmp_path):
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], seed=0)
    net.save(tmp_path / "m.npz")
    r = cli("export", tmp_path / "m.npz", tmp_path / "bare.onnx", "--no-checks")
    assert r.returncode == 0 and "no checks" in r.stdout, r.stderr
    assert cli("export", tmp_path / "m.npz", tmp_path / "checked.onnx").returncode == 0
    bare, checked = onnx.load(tmp_path / "bare.onnx"), onnx.load(tmp_path / "checked.onnx")
    assert [n.op_type for n in bare.graph.node] == ["Gemm", "Tanh", "Gemm"]
    assert "If" in [n.op_type for n in checked.graph.node]
    X = np.array([[np.nan, 1.0], [0.5, 0.25]])
    assert np.isnan(session(bare).run(None, {"input": X})[0][0, 0])
    assert "has NaN or an infinite number" in ort_error(session(checked), {"input": X})
    for model in (bare, checked):                                     # both come back as the same network
        np.testing.assert_array_equal(cr.from_onnx(model).predict(X[1:]), net.predict(X[1:]))


# -- 2. a CSV model's graph: None and pandas' NA in a text column -----------------------------------------

def test_none_and_pandas_na_in_text_are_missing_as_chainrule_takes_them(csv_models):
    """onnxruntime turns None into the text 'None' and pd.NA into '<NA>': the graph read them as
    unseen categories (all zeros, silently), where chainrule takes a DataFrame's None and NA as gaps
    (filled, or refused without --impute), as `chainrule predict` takes an empty cell."""
    folder, models = csv_models
    df = pd.DataFrame({"a": [0.3, -1.0, 2.0, 0.1], "b": [4.0, 6.0, 5.5, 5.0], "colour": ["", "", "", "blue"]})
    df.to_csv(folder / "gaps.csv", index=False)
    model, graph = models["imputed"]
    r = cmd("predict", model, folder / "gaps.csv", "--proba", "--out", folder / "p.csv")
    assert r.returncode == 0, r.stderr
    want = pd.read_csv(folder / "p.csv")
    for missing in (None, pd.NA, np.nan, ""):
        cells = df.copy()
        cells["colour"] = pd.Series([missing, missing, missing, "blue"], dtype=object)
        label, proba = session(graph).run(None, csv_feeds(cells))
        assert list(label) == list(want["prediction"])
        np.testing.assert_allclose(proba, want[["proba_no", "proba_yes"]].to_numpy(), rtol=1e-6, atol=1e-6)
    r = cmd("predict", models["plain"][0], folder / "gaps.csv")
    assert r.returncode != 0 and "missing values in 'colour'" in r.stderr
    for missing in (None, pd.NA):
        cells = df.copy()
        cells["colour"] = pd.Series([missing, "red", missing, "blue"], dtype=object)
        said = ort_error(session(models["plain"][1]), csv_feeds(cells))
        assert "column 'colour' has a missing value" in said and "requested shape:{2}" in said
    docs = {i.name: i.doc_string for i in onnx.load(models["plain"][1]).graph.input}
    assert "'None', '<NA>'" in docs["colour"]


# -- 5. every kind of model as a deployer runs it ---------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_csv_regression_with_text_and_gaps_equals_predict_at_every_batch_size(tmp_path, dtype):
    """A regression on numbers and text, both with gaps (--impute), exported with and without checks:
    one session at batch 1, 1000 and 7 gives `chainrule predict`'s values; the bare graph the same."""
    rng = np.random.default_rng(5)
    n = 1000
    a, b = rng.normal(size=n), rng.normal(100, 30, size=n)
    kind = rng.choice(["x", "y", "z"], size=n).astype(object)
    y = 3 * a + (kind == "x") + b / 50 + rng.normal(0, 0.1, size=n)
    a[::17], kind[::23] = np.nan, ""
    pd.DataFrame({"a": a, "b": b, "kind": kind, "t": y}).to_csv(tmp_path / "r.csv", index=False)
    assert cmd("train", tmp_path / "r.csv", "--target", "t", "--hidden", "6", "--epochs", "5", "--impute", "median",
               "--dtype", dtype, "--out", tmp_path / "r.npz", "--quiet").returncode == 0
    r = cmd("predict", tmp_path / "r.npz", tmp_path / "r.csv", "--out", tmp_path / "p.csv")
    assert r.returncode == 0, r.stderr
    want = pd.read_csv(tmp_path / "p.csv")["prediction"].to_numpy()
    df = pd.read_csv(tmp_path / "r.csv", keep_default_na=False, na_values={"a": [""], "b": [""]})
    cols = {"a": df["a"].to_numpy(np.float64).reshape(-1, 1), "b": df["b"].to_numpy(np.float64).reshape(-1, 1),
            "kind": df["kind"].to_numpy(object).reshape(-1, 1)}
    net, extra = cr.load(tmp_path / "r.npz", with_extra=True)
    for checks in (True, False):
        s = session(to_onnx(net, preprocessing=extra["tabular"], checks=checks))
        for rows in (slice(0, 1), slice(0, 1000), slice(17, 24)):
            (got,) = s.run(None, {c: v[rows] for c, v in cols.items()})
            assert got.dtype == np.float64
            tol = 1e-12 if dtype == "float64" else 2e-6         # float32: the un-scaled output near 0
            np.testing.assert_allclose(got, want[rows], rtol=tol, atol=tol)


def test_a_float32_csv_model_whose_first_layer_overflows_gives_predicts_outputs(tmp_path):
    """Two numbers near float32's largest once standardised, weighed +3 and -3: the first layer's net
    input overflows in the plain pass (NaN outputs) while its exact value is finite; predict computes
    the rows again, and so does the graph. (`chainrule predict` on the CSV file refuses these rows:
    its call of predict skips the careful pass.)"""
    from chainrule.data.tabular import Preprocessing
    rng = np.random.default_rng(6)
    x1, x2, w = rng.normal(size=300), rng.normal(size=300), rng.choice(["p", "q"], size=300)
    table = pd.DataFrame({"x1": x1, "x2": x2, "w": w, "y": np.where(x1 > 0, "hi", "lo")})
    table.to_csv(tmp_path / "t.csv", index=False)
    assert cmd("train", tmp_path / "t.csv", "--target", "y", "--hidden", "8", "--epochs", "3", "--dtype", "float32",
               "--out", tmp_path / "m.npz", "--quiet").returncode == 0
    net, extra = cr.load(tmp_path / "m.npz", with_extra=True)
    pre = extra["tabular"]
    net.layers[0].W[:2, :4] = [[3.0, -3.0, 2.0, -2.0], [-3.0, 3.0, -2.0, 2.0]]
    big = [m + 2e38 * s for m, s in zip(pre["means"], pre["scales"])]
    df = pd.DataFrame({"x1": [big[0], 0.5, -big[0]], "x2": [big[1], 0.1, -big[1]], "w": ["p", "q", "q"]})
    want = net.predict(Preprocessing.from_json(pre).transform(df, dtype=net.dtype, sparse=False))
    assert np.isfinite(want).all()
    feed = {"x1": df[["x1"]].to_numpy(np.float64), "x2": df[["x2"]].to_numpy(np.float64),
            "w": df[["w"]].to_numpy(object)}
    bare = session(to_onnx(net, preprocessing=pre, checks=False)).run(None, feed)[1]
    assert not np.isfinite(bare[[0, 2]]).all()                          # what the graph gave before
    label, proba = session(to_onnx(net, preprocessing=pre)).run(None, feed)
    assert list(label) == [pre["classes"][k] for k in want.argmax(axis=1)]
    np.testing.assert_allclose(proba, want, rtol=1e-6, atol=1e-6)


def test_the_inputs_of_a_csv_graph_without_checks_do_not_promise_a_refusal(csv_models):
    _, models = csv_models
    net, extra = cr.load(models["plain"][0], with_extra=True)
    docs = {i.name: i.doc_string for i in to_onnx(net, preprocessing=extra["tabular"], checks=False).graph.input}
    said = docs["a"] + docs["colour"]
    assert said.count("not checked") == 2 and "refused" not in said
    feed = {"a": np.array([[np.nan]]), "b": np.array([[5.0]]), "colour": np.array([["red"]], dtype=object)}
    assert np.isnan(session(to_onnx(net, preprocessing=extra["tabular"], checks=False)).run(None, feed)[1]).all()
