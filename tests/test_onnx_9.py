"""The exported graph tried as a new user would, onnxruntime against independent truths: PyTorch's
sigmoid (and exact arithmetic with Python's math) for the small outputs of a sigmoid."""
import math
import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
torch = pytest.importorskip("torch")

import chainrule as cr  # noqa: E402
from chainrule.saving.onnx import to_onnx  # noqa: E402
from chainrule.saving.onnx_import import from_onnx  # noqa: E402

NETS = [-100.0, -88.0, -40.0, -37.0, -30.0, -20.0, -17.5, -15.0, -10.0, -5.0, -1e-3, 0.0, 2.0, 30.0]


def _session(model):
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def _one_unit(activation, dtype, loss="mse"):
    net = cr.Network([cr.Dense(1, 1, activation=activation)], loss=loss, dtype=dtype)
    net.layers[0].W[...] = 1.0
    net.layers[0].b[...] = 0.0
    return net


@pytest.mark.parametrize("checks", [True, False])
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-14), (np.float32, 1e-6)])
def test_a_sigmoid_keeps_its_small_outputs_as_predict_does(dtype, rtol, checks):
    # onnxruntime's own Sigmoid kernel gave 0 from net = -40 in float64 (-20 in float32) and was off by
    # 1e-3 of the value at -30 (float32: 0.02% at -10, 17% at -15); torch.sigmoid and math.exp agree to the last bits
    net = _one_unit("sigmoid", dtype, loss="binary_crossentropy")
    X = np.array(NETS, dtype=dtype)[:, None]
    got = _session(to_onnx(net, checks=checks)).run(None, {"input": X})[0]
    truth = torch.sigmoid(torch.from_numpy(X)).numpy()
    exact = np.array([[1 / (1 + math.exp(-float(x)))] for x in X[:, 0]])
    tiny = np.finfo(dtype).tiny          # below it float32 has subnormals only (predict's too: 0 or a few bits)
    normal = exact[:, 0] >= tiny
    np.testing.assert_allclose(got[normal], exact[normal], rtol=rtol, atol=0)
    np.testing.assert_allclose(got[normal], truth[normal], rtol=rtol, atol=0)
    np.testing.assert_allclose(got, net.predict(X), rtol=rtol, atol=float(tiny))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_sigmoid_network_comes_back_from_its_graph(dtype):
    net = cr.Network([cr.Dense(3, 4, activation="sigmoid"), cr.Dense(4, 2, activation="sigmoid")],
                     loss="binary_crossentropy", dtype=dtype, seed=3)
    back = from_onnx(to_onnx(net))
    assert [layer.activation.name for layer in back.layers] == ["sigmoid", "sigmoid"]
    assert back.loss_function.name == "binary_crossentropy" and back.dtype == dtype
    X = np.random.default_rng(0).normal(size=(5, 3)).astype(dtype) * 40
    np.testing.assert_array_equal(back.predict(X), net.predict(X))


@pytest.mark.parametrize("task", ["classifier", "regressor"])
def test_an_estimator_is_refused_naming_its_network_whose_graph_gives_its_outputs(task):
    from chainrule.sklearn import BackpropClassifier, BackpropRegressor
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), np.arange(40) % 2
    model = (BackpropClassifier if task == "classifier" else BackpropRegressor)(hidden_layer_sizes=(4,), epochs=3)
    with pytest.raises(cr.errors.ChainruleTypeError, match=r"not yet fitted: fit it first; to_onnx\(model,"):
        to_onnx(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # 3 epochs: not converged
        model.fit(X, y)                          # then exported whole (tests/test_onnx_estimator.py)
    got = _session(to_onnx(model.network_)).run(None, {"input": X})[0]       # what the message promises
    if task == "classifier":
        np.testing.assert_allclose(got[:, 0], model.predict_proba(X)[:, 1], rtol=1e-12)
        np.testing.assert_array_equal(model.classes_[(got[:, 0] > 0.5).astype(int)], model.predict(X))
    else:
        np.testing.assert_allclose(got[:, 0], model.predict(X), rtol=1e-12)


def test_another_frameworks_model_is_refused_naming_the_importers():
    module = torch.nn.Sequential(torch.nn.Linear(2, 1))
    with pytest.raises(cr.errors.ChainruleTypeError, match="got Sequential .*import it first with cr.from_torch"):
        to_onnx(module)


def test_a_model_files_name_is_refused_saying_to_load_it(tmp_path):
    path = tmp_path / "m.npz"
    net = _one_unit("tanh", np.float64)
    cr.save(net, path)
    with pytest.raises(cr.errors.ChainruleTypeError, match=r"got \w*Path '.*m\.npz': .*load it first, "
                                                           r"to_onnx\(cr\.load\("):
        to_onnx(path)
    X = np.array([[0.5]])
    np.testing.assert_allclose(_session(to_onnx(cr.load(path))).run(None, {"input": X})[0], np.tanh(X), rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_file_keeps_each_weight_once(dtype):
    # the careful path of the checks (onnx_checks) kept a float64 copy of every W and b besides the plain pass's:
    # a float64 file twice the weights, a float32 one three times; and a table of powers of two per layer
    net = cr.Network([cr.Dense(300, 300, "tanh", bias_init="normal"), cr.Dense(300, 300, "linear", bias_init="normal"),
                      cr.Dense(300, 2, "sigmoid", bias_init="normal")], loss="mse", dtype=dtype, seed=0)
    net.layers[0].W[:2] = 1.0
    weights = sum(layer.W.nbytes + layer.b.nbytes for layer in net.layers)
    model = to_onnx(net)
    assert model.ByteSize() < weights + 40_000, (model.ByteSize(), weights)
    X = np.random.default_rng(0).normal(size=(9, 300)).astype(dtype)
    X[0, :2] = np.finfo(dtype).max / 2          # net inputs beyond the dtype: the careful path, reading the weights
    got = _session(model).run(None, {"input": X})[0]
    np.testing.assert_allclose(got, net.predict(X), rtol=1e-5 if dtype == np.float32 else 1e-12)
    assert np.isfinite(got[0]).all()


def test_a_preprocessing_given_as_the_extra_dict_or_the_file_name_says_which_entry_to_give(tmp_path):
    import pandas as pd
    rng = np.random.default_rng(0)
    pd.DataFrame({"a": rng.normal(size=40), "y": np.arange(40) % 2}).to_csv(tmp_path / "t.csv", index=False)
    model = tmp_path / "m.npz"
    from conftest import cmd
    assert cmd("train", tmp_path / "t.csv", "--target", "y", "--epochs", "2", "--out", model, "--quiet").returncode == 0
    net, extra = cr.load(model, with_extra=True)
    with pytest.raises(cr.errors.ValidationError, match=r"extra dict .*give its 'tabular' entry, extra\['tabular'\]"):
        to_onnx(net, preprocessing=extra)
    with pytest.raises(cr.errors.ChainruleTypeError, match=r"got the file name '.*m\.npz': give extra\['tabular'\]"):
        to_onnx(net, preprocessing=str(model))
    graph = _session(to_onnx(net, preprocessing=extra["tabular"]))         # what the messages say works
    a = np.array([[0.3], [-1.0]])
    expected = net.predict((a - extra["tabular"]["means"]) / extra["tabular"]["scales"])
    # onnxruntime's kernels and NumPy's BLAS (its FMA or Haswell kernels) round apart by some ulps
    np.testing.assert_allclose(graph.run(["probabilities"], {"a": a})[0], expected, rtol=1e-14, atol=0)


def _neg_graph(tail):
    """x @ W + b, then Neg, Exp and the nodes `tail` (reading 'e', writing 'y'), as another tool may write a sigmoid."""
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(4)
    inits = [numpy_helper.from_array(rng.normal(size=(3, 2)), "W"), numpy_helper.from_array(rng.normal(size=2), "b"),
             numpy_helper.from_array(np.array(1.0), "one")]
    nodes = [helper.make_node("Gemm", ["x", "W", "b"], ["z"]), helper.make_node("Neg", ["z"], ["n"]),
             helper.make_node("Exp", ["n"], ["e"]), *tail]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, ["N", 3])],
                              [helper.make_tensor_value_info("y", TensorProto.DOUBLE, ["N", 2])], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def test_another_tools_one_over_one_plus_exp_is_read_as_a_sigmoid_and_a_lone_neg_is_named():
    from onnx import helper
    model = _neg_graph([helper.make_node("Add", ["one", "e"], ["d"]), helper.make_node("Div", ["one", "d"], ["y"])])
    net = from_onnx(model)
    assert net.layers[0].activation.name == "sigmoid"
    X = np.random.default_rng(5).normal(size=(7, 3))
    np.testing.assert_allclose(net.predict(X), _session(model).run(None, {"x": X})[0], rtol=1e-14)
    lone = _neg_graph([helper.make_node("Identity", ["e"], ["y"])])
    with pytest.raises(cr.errors.ValidationError, match=r"node 1 .*\(Neg\) is not the start of 1 / \(1 \+ Exp\(-x\)\)"):
        from_onnx(lone)


def test_info_describes_an_exported_graph_whatever_its_file_is_named(tmp_path):
    """Every command tells a `chainrule export` graph by its content ("... already exported ...: `chainrule info`
    describes this graph"); info itself looked at the name's .onnx and refused one saved as model.bin."""
    import shutil

    import onnx
    import pandas as pd
    from conftest import cmd
    rng = np.random.default_rng(0)
    pd.DataFrame({"a": rng.normal(size=40), "y": np.arange(40) % 2}).to_csv(tmp_path / "t.csv", index=False)
    assert cmd("train", tmp_path / "t.csv", "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz",
               "--quiet").returncode == 0
    assert cmd("export", tmp_path / "m.npz", tmp_path / "g.onnx").returncode == 0
    shutil.copy(tmp_path / "g.onnx", tmp_path / "g.bin")
    told = cmd("predict", tmp_path / "g.bin", tmp_path / "t.csv")
    assert told.returncode != 0 and "`chainrule info` describes this graph" in told.stderr
    info = cmd("info", tmp_path / "g.bin")
    assert info.returncode == 0, info.stderr
    outputs = [v.name for v in onnx.load(str(tmp_path / "g.onnx")).graph.output]
    assert "written by `chainrule export`" in info.stdout and f"outputs: {outputs}" in info.stdout
