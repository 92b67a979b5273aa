"""A network exported to ONNX and imported again keeps what a practitioner fine-tunes by: its frozen
layers stay frozen (ONNX has no such notion: the graph's metadata carries it, as it carries the loss)."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError

onnx = pytest.importorskip("onnx")


def _frozen(dtype="float64"):
    return cr.Network([cr.Dense(2, 3, "tanh", trainable=False), cr.Dropout(0.25),
                       cr.Dense(3, 1, "sigmoid", trainable={"W": True, "b": False})],
                      loss="binary_crossentropy", seed=0, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_frozen_layers_come_back_frozen_and_stay_unchanged_by_training(tmp_path, dtype):
    pytest.importorskip("torch")
    net = _frozen(dtype)
    cr.to_onnx(net, tmp_path / "m.onnx")
    back = cr.from_onnx(tmp_path / "m.onnx")
    # torch's view of the same network: requires_grad as the original's
    grads = [p.requires_grad for p in cr.to_torch(back).parameters()]
    assert grads == [p.requires_grad for p in cr.to_torch(net).parameters()] == [False, False, True, False]
    W0, b1 = back.layers[0].W.copy(), back.layers[2].b.copy()
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 2)).astype(dtype), rng.integers(0, 2, (16, 1)).astype(dtype)
    back.train_steps(X, y, 3)
    assert np.array_equal(back.layers[0].W, W0) and np.array_equal(back.layers[2].b, b1)
    assert not np.array_equal(back.layers[2].W, net.layers[2].W)        # the rest learns


def test_a_network_that_learns_everywhere_writes_no_trainable_metadata():
    net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
    keys = [p.key for p in cr.to_onnx(net).metadata_props]
    assert keys == ["chainrule.loss"]


@pytest.mark.parametrize("value", ['[{"W": true}]', "[" * 100000 + "]" * 100000])
def test_damaged_trainable_metadata_is_named(tmp_path, value):
    """A list of the wrong layers, or brackets nested 100000 deep (json.loads' RecursionError): the same refusal,
    from `chainrule info` too."""
    from conftest import cmd
    model = cr.to_onnx(_frozen())
    for p in model.metadata_props:
        if p.key == "chainrule.trainable":
            p.value = value
    with pytest.raises(ValidationError, match=r"metadata 'chainrule.trainable' is not a list .* of these 3 layers"):
        cr.from_onnx(model)
    onnx.save(model, tmp_path / "damaged.onnx")
    run = cmd("info", tmp_path / "damaged.onnx")
    assert run.returncode != 0 and "internal error" not in run.stderr
    assert "metadata 'chainrule.trainable' is not a list" in run.stderr


def _exported_with_constant_nodes(dtype=np.float32):
    """An MLP as exporters write it: the weights (out, in) transposed by a Transpose node, a bias Cast from
    float64 and reshaped to (1, n): nodes that read constants only, before the MatMul and Add reading them."""
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(1)
    W1, b1, W2 = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(2, 4)).astype(dtype)
    elem = TensorProto.FLOAT if dtype == np.float32 else TensorProto.DOUBLE
    inits = [numpy_helper.from_array(W1.astype(dtype), "W1"), numpy_helper.from_array(b1, "b1_64"),
             numpy_helper.from_array(np.array([1, 4], dtype=np.int64), "shape"), numpy_helper.from_array(W2, "W2")]
    nodes = [helper.make_node("Transpose", ["W1"], ["W1t"], perm=[1, 0]),
             helper.make_node("Cast", ["b1_64"], ["b1c"], to=elem),
             helper.make_node("Reshape", ["b1c", "shape"], ["b1"]),
             helper.make_node("MatMul", ["x", "W1t"], ["z1"]), helper.make_node("Add", ["z1", "b1"], ["a1"]),
             helper.make_node("Tanh", ["a1"], ["h1"]),
             helper.make_node("Gemm", ["h1", "W2"], ["y"], transB=1)]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", elem, ["N", 3])],
                              [helper.make_tensor_value_info("y", elem, ["N", 2])], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nodes_of_constants_only_are_computed_as_onnxruntime_does(dtype):
    ort = pytest.importorskip("onnxruntime")
    model = _exported_with_constant_nodes(dtype)
    X = np.random.default_rng(2).normal(size=(5, 3)).astype(dtype)
    want = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": X})[0]
    net = cr.from_onnx(model)
    assert net.dtype == dtype and [layer.n_out for layer in net.layers] == [4, 2]
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-15}
    np.testing.assert_allclose(net.predict(X), want, **tol)


def test_a_node_of_constants_only_that_fails_is_named():
    from onnx import helper
    model = _exported_with_constant_nodes()
    model.graph.node[2].CopyFrom(helper.make_node("Reshape", ["b1c", "shape"], ["b1"], name="bad"))
    model.graph.initializer[2].int64_data[:] = []
    model.graph.initializer[2].raw_data = np.array([3, 4], dtype=np.int64).tobytes()     # 12 values from 4
    with pytest.raises(ValidationError, match=r"node 2 'bad' \(Reshape\) reads constants only, and computing it"):
        cr.from_onnx(model)


def test_a_node_of_constants_that_could_grow_them_is_not_computed():
    """ConstantOfShape (like Expand, Tile, Range) could ask for any memory from a few bytes of file: refused, named."""
    from onnx import helper, numpy_helper
    model = _exported_with_constant_nodes()
    model.graph.initializer.append(numpy_helper.from_array(np.array([10**12], dtype=np.int64), "huge"))
    model.graph.node.insert(0, helper.make_node("ConstantOfShape", ["huge"], ["big"], name="grow"))
    with pytest.raises(ValidationError, match=r"node 0 'grow' \(ConstantOfShape\) does not continue the chain"):
        cr.from_onnx(model)


def _chain(ops, W, reads=None):
    """A one-layer graph x @ f(W), f the nodes `ops` (op_type, attributes) applied in turn to the initializer W;
    `reads` names what the MatMul reads (the last node's output by default)."""
    from onnx import TensorProto, helper, numpy_helper
    nodes, prev = [], "W"
    for i, (op, attrs) in enumerate(ops):
        nodes.append(helper.make_node(op, [prev], [f"c{i}"], name=f"n{i}", **attrs))
        prev = f"c{i}"
    nodes.append(helper.make_node("MatMul", ["x", reads or prev], ["y"]))
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, ["N", W.shape[0]])],
                              [helper.make_tensor_value_info("y", TensorProto.DOUBLE, ["N", W.shape[1]])],
                              initializer=[numpy_helper.from_array(W, "W")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def test_constants_no_layer_reads_are_not_computed():
    """A file's unread nodes of constants are never computed: one that would fail, or cast to strings, is no error."""
    from onnx import TensorProto
    W = np.arange(6.0).reshape(3, 2)
    ops = [("Cast", {"to": TensorProto.STRING}), ("Transpose", {"perm": [2, 0, 1]})]     # a 3-D perm of a 2-D array
    net = cr.from_onnx(_chain(ops, W, reads="W"))
    np.testing.assert_array_equal(net.layers[0].W, W)


def test_computed_constants_past_twice_the_files_are_refused():
    """Each Neg of a 320 kB weight makes 320 kB: four fit the budget (twice the file's constants and 1 MiB),
    six do not, refused at the node that would pass it, counted in bytes before it is computed."""
    W = np.random.default_rng(0).normal(size=(200, 200))
    net = cr.from_onnx(_chain([("Neg", {})] * 4, W))
    np.testing.assert_array_equal(net.layers[0].W, W)          # (-1)**4 W
    with pytest.raises(ValidationError, match=r"node 5 'n5' \(Neg\) reads constants only, and computing it would "
                                              r"make 1920000 bytes of computed constants, past the"):
        cr.from_onnx(_chain([("Neg", {})] * 6, W))


@pytest.mark.parametrize("to", ["BOOL", "INT64", "STRING"])
def test_a_constant_cast_to_other_than_float_is_refused(to):
    from onnx import TensorProto
    W = np.arange(6.0).reshape(3, 2)
    ops = [("Cast", {"to": getattr(TensorProto, to)}), ("Cast", {"to": TensorProto.DOUBLE})]
    with pytest.raises(ValidationError, match=r"node 0 'n0' \(Cast\) casts a constant to (bool|int64|object); "
                                              r"chainrule computes a Cast to float16, float32, float64 only"):
        cr.from_onnx(_chain(ops, W))


@pytest.mark.parametrize("op, attrs", [("Transpose", {}), ("Identity", {}), ("Cast", {"to": 11}), ("Neg", {})])
def test_weights_two_layers_read_through_nodes_of_constants_are_refused(op, attrs):
    """Two layers each reading its own Transpose (Cast, Identity) of one initializer share their weights, as two
    reading it directly do: refused, naming the initializer."""
    from onnx import TensorProto, helper, numpy_helper
    W = np.arange(9.0).reshape(3, 3) / 10
    nodes = [helper.make_node(op, ["W"], ["Wa"], **attrs), helper.make_node(op, ["W"], ["Wb"], **attrs),
             helper.make_node("MatMul", ["x", "Wa"], ["h"]), helper.make_node("Tanh", ["h"], ["t"]),
             helper.make_node("MatMul", ["t", "Wb"], ["y"])]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, ["N", 3])],
                              [helper.make_tensor_value_info("y", TensorProto.DOUBLE, ["N", 3])],
                              initializer=[numpy_helper.from_array(W, "W")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    with pytest.raises(ValidationError, match=r"node 4 '' \(MatMul\) reads the weights 'Wb' \(computed from 'W'\) "
                                              r"that node 2 '' \(MatMul\) reads too"):
        cr.from_onnx(model)
