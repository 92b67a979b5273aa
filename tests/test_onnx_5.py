"""The exported graph where a layer's net input overflows the network's dtype, onnxruntime against
independent truths: NumPy in float64 for a float32 network, exact rational arithmetic (fractions) for
the sign of a float64 network's net input beyond 1.8e308; and predict's numbers."""
from fractions import Fraction

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pd = pytest.importorskip("pandas")
from conftest import cli, cmd, csv_feeds  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.saving.onnx import to_onnx  # noqa: E402

ORT_ERRORS = (ort.capi.onnxruntime_pybind11_state.Fail, ort.capi.onnxruntime_pybind11_state.InvalidArgument)


def run(net, X, checks=True):
    model = to_onnx(net, checks=checks)
    s = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return s.run(None, {"input": X})[0]


def float64_truth(net, X):
    """A float32 network in float64 with NumPy, each layer's output rounded to float32 as the network keeps it."""
    a = X.astype(np.float64)
    for layer in net.layers:
        a = np.asarray(layer.activation(a @ layer.W.astype(np.float64) + layer.b.astype(np.float64)))
        a = a.astype(np.float32).astype(np.float64)
    return a


def ort_flip_case(activation):
    """A float32 one-unit layer, X = ones, whose net input onnxruntime's bare Gemm sums to +-inf where
    its exact value is finite and of the other sign (searched; None if no candidate sums so)."""
    rng = np.random.default_rng(0)
    for _ in range(200):
        k = int(rng.integers(4, 24))
        w = (rng.choice([-1, 1], size=k) * rng.uniform(1e37, 3.3e38, size=k)).astype(np.float32)
        exact = float(w.astype(np.float64).sum())
        if abs(exact) < 1e30:
            continue
        net = cr.Network([cr.Dense(k, 1, activation), cr.Dense(1, 2, "linear")], seed=1, dtype="float32")
        net.layers[0].W[:, 0] = w
        net.layers[0].b[...] = 0
        X = np.ones((3, k), dtype=np.float32)
        bare = run(net, X, checks=False)
        if not np.allclose(bare, float64_truth(net, X), rtol=1e-3):
            return net, X
    return None


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_float32_saturated_unit_whose_net_input_overflowed_gives_the_float64_truth(activation):
    """The graph checked only the outputs for NaN or infinity: a hidden sigmoid/tanh of a net input
    that onnxruntime summed to inf of the wrong sign gave a wrong finite output (1 for 0). Now each
    layer's net input is checked too and such rows are computed again in double."""
    case = ort_flip_case(activation)
    if case is None:
        pytest.skip("onnxruntime sums none of the candidates to an infinity of the wrong sign")
    net, X = case
    truth = float64_truth(net, X)
    np.testing.assert_allclose(run(net, X), truth, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(net.predict(X), truth, rtol=1e-6, atol=1e-6)


def both_refuse_layer_0(net, X):
    """The graph (onnxruntime's error, through its empty Reshape) and predict refuse X, naming layer 0 and
    the network's dtype."""
    with pytest.raises(ORT_ERRORS) as info:
        run(net, X)
    said = str(info.value)
    assert "layer 0" in said and f"overflows {net.dtype.name}" in said and "requested shape:{1}" in said
    with pytest.raises(cr.errors.ValidationError, match="Layer 0"):
        net.predict(X)


@pytest.mark.parametrize("hidden", ["relu", "linear"])
def test_float32_hidden_layer_beyond_float32_saturating_the_next_is_refused(hidden):
    """3e38 + 3e38 overflows a ReLU (or linear) unit in any order of summing; the next sigmoid of inf
    gave exactly 1 (float64 truth: 0.9975). Refused naming layer 0, as predict refuses it."""
    net = cr.Network([cr.Dense(2, 1, hidden), cr.Dense(1, 1, "sigmoid")], seed=0, dtype="float32")
    net.layers[0].W[:, 0] = [3e38, 3e38]
    net.layers[0].b[...] = 0
    net.layers[1].W[...] = 1e-38
    X = np.array([[1, 1], [1e-3, 1e-3]], dtype=np.float32)
    both_refuse_layer_0(net, X)
    np.testing.assert_allclose(run(net, X[1:]), float64_truth(net, X[1:]), rtol=1e-6)


def exact_sign_net_inputs(net, X):
    """Each row's first-layer net inputs as exact rationals (every float64 is one)."""
    W, b = net.layers[0].W, net.layers[0].b
    return [[sum(Fraction(float(x)) * Fraction(float(W[i, j])) for i, x in enumerate(row)) + Fraction(float(b[j]))
             for j in range(W.shape[1])] for row in X]


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "softmax"])
def test_float64_overflowing_rows_give_predicts_numbers(hidden):
    """A float64 network's net input beyond 1.8e308: predict scales it by a power of two and gives the
    saturated outputs, the graph refused the rows. Now it gives the same numbers, which exact rational
    arithmetic confirms: each saturated unit is 0 or +-1 (softmax: 1 for the largest logit)."""
    net = cr.Network([cr.Dense(3, 3, hidden), cr.Dense(3, 2, "linear")], seed=2, dtype="float64")
    net.layers[0].W[...] = [[1e200, -1e200, 3e199], [-2e200, 1e200, 1e199], [1e200, 5e199, -1e200]]
    net.layers[0].b[...] = [1.0, -1.0, 0.0]
    X = np.array([[1e150, 2e150, 2e150], [1e150, 4e149, 1e150], [0.1, -0.2, 0.3], [-3e150, -1e150, 1e150]])
    exact = exact_sign_net_inputs(net, X)
    hidden_truth = []
    for z in exact:
        if max(abs(v) for v in z) < 1e300:                         # a row the plain pass computes
            hidden_truth.append(net.layers[0].activation(np.array([[float(v) for v in z]]))[0])
        elif hidden == "softmax":
            tops = [v == max(z) for v in z]                   # the others are beyond e^-1e300: 0
            hidden_truth.append(np.array(tops, dtype=float) / sum(tops))
        else:
            low = 0.0 if hidden == "sigmoid" else -1.0
            hidden_truth.append(np.array([1.0 if v > 0 else low for v in z]))
    truth = np.array(hidden_truth) @ net.layers[1].W + net.layers[1].b
    with np.errstate(all="ignore"):
        assert not np.allclose(run(net, X, checks=False), truth)      # the bare graph is wrong on them
    np.testing.assert_allclose(net.predict(X), truth, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run(net, X), truth, rtol=1e-12, atol=1e-12)


def test_float64_layer_beyond_float64_is_refused_naming_the_layer():
    net = cr.Network([cr.Dense(2, 2, "relu"), cr.Dense(2, 1, "sigmoid")], seed=0, dtype="float64")
    net.layers[0].W[...] = 1e300
    both_refuse_layer_0(net, np.array([[1e10, 1e10], [1.0, 1.0]]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_large_finite_numbers_whose_sum_overflows_keep_the_plain_numbers(dtype):
    """Outputs near the dtype's largest number whose sum overflows take the careful path for nothing."""
    big = float(np.finfo(dtype).max) / 2
    net = cr.Network([cr.Dense(2, 2, "linear")], seed=0, dtype=dtype)
    net.layers[0].W[...] = np.eye(2)
    net.layers[0].b[...] = 0
    X = np.array([[big, big], [big, 1.0], [1.0, 2.0]], dtype=dtype)
    np.testing.assert_array_equal(run(net, X), X)
    np.testing.assert_array_equal(net.predict(X), X)


# -- a CSV cell that says None ------------------------------------------------------------------------------

def test_a_csv_cell_none_is_missing_for_predict_as_for_the_graph_unless_a_learned_category(csv_models, tmp_path):
    """pandas.read_csv takes 'None' and '<NA>' as missing by default; chainrule's reader keeps them as
    text (a real category 'None' must survive training). The graph cannot tell the text 'None' from the
    None onnxruntime writes so, and took it as missing; `chainrule predict` took the same CSV cell as
    an unseen category (all zeros). Now predict takes it as missing too where the model learned no
    such category: filled with --impute (as an empty cell is), refused without it; a learned 'None'
    stays that category for training, predict and the graph alike."""
    folder, models = csv_models
    df = pd.DataFrame({"a": [0.3, -1.0, 2.0, 0.1], "b": [4.0, 6.0, 5.5, 5.0],
                       "colour": ["None", "<NA>", "red", "blue"]})
    df.to_csv(tmp_path / "none.csv", index=False)
    empty = df.assign(colour=["", "", "red", "blue"])
    empty.to_csv(tmp_path / "empty.csv", index=False)
    model, graph = models["imputed"]
    got = {}
    for name in ("none", "empty"):
        r = cli("predict", model, tmp_path / f"{name}.csv", "--proba", "--out", tmp_path / f"{name}-p.csv")
        assert r.returncode == 0, r.stderr
        got[name] = pd.read_csv(tmp_path / f"{name}-p.csv")
    pd.testing.assert_frame_equal(got["none"], got["empty"])          # as an empty cell: filled
    s = ort.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
    label, proba = s.run(None, csv_feeds(df))
    assert list(label) == list(got["none"]["prediction"])
    np.testing.assert_allclose(proba, got["none"][["proba_no", "proba_yes"]].to_numpy(), rtol=1e-6, atol=1e-6)
    r = cli("predict", models["plain"][0], tmp_path / "none.csv")
    assert r.returncode != 0 and "missing values in 'colour'" in r.stderr and "'None' or '<NA>'" in r.stderr
    s = ort.InferenceSession(str(models["plain"][1]), providers=["CPUExecutionProvider"])
    with pytest.raises(ORT_ERRORS, match="column 'colour' has a missing value"):
        s.run(None, csv_feeds(df))


@pytest.mark.parametrize("capped", [False, True])
def test_a_learned_none_category_stays_a_category_in_training_predict_and_the_graph(tmp_path, capped):
    """'None' in the training file is a category: training, predict and the graph agree on it. Capped by
    --max-categories (its rarest value, counted among 'other'), it is text too: training (which encodes
    its own file with the same rules) does not take it for a gap, nor do predict and the graph."""
    rng = np.random.default_rng(3)
    veneer = rng.choice(["None", "Stone", "Brick"], size=120, p=[0.2, 0.4, 0.4])
    x = rng.normal(size=120)
    pd.DataFrame({"x": x, "veneer": veneer, "y": np.where((veneer == "None") ^ (x > 0), "a", "b")}).to_csv(
        tmp_path / "t.csv", index=False)
    r = cmd("train", tmp_path / "t.csv", "--target", "y", "--hidden", "4", "--epochs", "5", "--out",
            tmp_path / "m.npz", "--quiet", *(["--max-categories", "2"] if capped else []))
    assert r.returncode == 0, r.stderr
    assert cmd("export", tmp_path / "m.npz", tmp_path / "m.onnx").returncode == 0
    r = cmd("predict", tmp_path / "m.npz", tmp_path / "t.csv", "--proba", "--out", tmp_path / "p.csv")
    assert r.returncode == 0, r.stderr
    want = pd.read_csv(tmp_path / "p.csv")
    df = pd.read_csv(tmp_path / "t.csv", keep_default_na=False)
    net, extra = cr.load(tmp_path / "m.npz", with_extra=True)
    assert ("None" in extra["tabular"]["categories"]["veneer"]) is not capped
    s = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    feeds = {"x": df[["x"]].to_numpy(np.float64), "veneer": df[["veneer"]].to_numpy(object)}
    label, proba = s.run(None, feeds)
    assert list(label) == list(want["prediction"])
    np.testing.assert_allclose(proba, want[["proba_a", "proba_b"]].to_numpy(), rtol=1e-6, atol=1e-6)


# -- an empty batch ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_an_empty_batch_is_an_empty_output_in_the_graph_and_refused_by_predict(dtype, csv_models):
    """The documented difference: onnxruntime runs a graph on 0 rows, and a server that batches requests
    may send none, so the graph (checks included, and a CSV model's) gives 0 rows of outputs; predict
    refuses X of 0 rows as scikit-learn's predict refuses 0 samples."""
    from sklearn.neural_network import MLPRegressor
    net = cr.Network([cr.Dense(3, 4, "relu"), cr.Dense(4, 2, "softmax")], seed=0, dtype=dtype)
    X = np.empty((0, 3), dtype=dtype)
    assert run(net, X).shape == (0, 2)
    with pytest.raises(cr.errors.ValidationError, match=r"X is empty: expected at least one sample"):
        net.predict(X)
    fitted = MLPRegressor(max_iter=5).fit(np.random.default_rng(0).random((20, 3)), np.arange(20.0))
    with pytest.raises(ValueError, match="0 sample"):
        fitted.predict(X)
    _, models = csv_models
    s = ort.InferenceSession(str(models["imputed"][1]), providers=["CPUExecutionProvider"])
    label, proba = s.run(None, csv_feeds(pd.DataFrame({"a": [], "b": [], "colour": pd.Series([], dtype=object)})))
    assert label.shape == (0,) and proba.shape == (0, 2)
