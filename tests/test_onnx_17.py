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
    # torch's view of the same network: requires_grad as the original's (both biases are frozen zeros: the layer
    # frozen whole keeps its bias, frozen, as unfrozen in torch it learns one; the one whose bias alone is frozen at
    # zero is chainrule's bias-free layer, torch's Linear(bias=False), no parameter: docs/interop.md)
    grads = [(k, p.requires_grad) for k, p in cr.to_torch(back).named_parameters()]
    assert grads == [(k, p.requires_grad) for k, p in cr.to_torch(net).named_parameters()] == [
        ("0.weight", False), ("0.bias", False), ("3.weight", True)]
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
    with pytest.raises(ValidationError, match=r"node 0 'grow' \(ConstantOfShape\) has no chainrule form"):
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


def test_computed_constants_past_four_times_the_files_are_refused():
    """Each Neg of a 320 kB weight makes 320 kB: seven fit the budget (four times the file's constants and 1 MiB),
    eight do not, refused at the node that would pass it, counted in bytes before it is computed."""
    W = np.random.default_rng(0).normal(size=(200, 200))
    net = cr.from_onnx(_chain([("Neg", {})] * 7, W))
    np.testing.assert_array_equal(net.layers[0].W, -W)          # (-1)**7 W
    with pytest.raises(ValidationError, match=r"node 7 'n7' \(Neg\) reads constants only, and computing it would "
                                              r"make 2560000 bytes of computed constants, past the .*: fold the "
                                              r"file's constants first, e\.g\. with onnx-simplifier"):
        cr.from_onnx(_chain([("Neg", {})] * 8, W))


def test_a_float16_weight_cast_and_transposed_is_within_the_budget():
    """float16 -> float32 -> Transpose, as converters of half-precision models write it: 4 times the weight's bytes."""
    from onnx import TensorProto
    W = np.random.default_rng(0).normal(size=(1024, 1024)).astype(np.float16)
    model = _chain([("Cast", {"to": TensorProto.FLOAT}), ("Transpose", {})], W)
    model.graph.input[0].type.tensor_type.elem_type = model.graph.output[0].type.tensor_type.elem_type = \
        TensorProto.FLOAT
    net = cr.from_onnx(model)
    np.testing.assert_array_equal(net.layers[0].W, W.astype(np.float32).T)


def test_the_budget_counts_constant_nodes_wherever_they_stand():
    """The same model, its second weight an initializer or a Constant node after the first layer: the budget is
    the file's, whatever the order of its nodes, and both give what onnxruntime gives."""
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto as T
    from onnx import helper as h
    from onnx import numpy_helper as nh
    n, rng = 600, np.random.default_rng(0)
    W1, W2 = (rng.normal(size=(2, n, n)) / np.sqrt(n)).astype(np.float16), rng.normal(size=(n, n)).astype(np.float32)
    W1 = W1[0]
    X = rng.normal(size=(3, n)).astype(np.float32)
    outputs = []
    for late in (False, True):
        nodes = [h.make_node("Cast", ["W1"], ["W1f"], to=T.FLOAT), h.make_node("Transpose", ["W1f"], ["W1t"]),
                 h.make_node("MatMul", ["x", "W1t"], ["m1"]), h.make_node("Tanh", ["m1"], ["a1"])]
        inits = [nh.from_array(W1, "W1")] + ([] if late else [nh.from_array(W2, "W2")])
        nodes += [h.make_node("Constant", [], ["W2"], value=nh.from_array(W2, "W2v"))] if late else []
        nodes.append(h.make_node("MatMul", ["a1", "W2"], ["y"]))
        graph = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", T.FLOAT, [None, n])],
                             [h.make_tensor_value_info("y", T.FLOAT, [None, n])], initializer=inits)
        model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])
        model.ir_version = 8
        want = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": X})
        outputs.append(cr.from_onnx(model).predict(X))
        np.testing.assert_allclose(outputs[-1], want[0], rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(outputs[0], outputs[1])


def test_a_shape_cast_from_int32_is_computed():
    """A Reshape's shape Cast from int32 to int64 (a converter's pattern): computed, the bias as onnxruntime reads."""
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto as T
    from onnx import helper as h
    from onnx import numpy_helper as nh
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(3, 3)).astype(np.float32), rng.normal(size=(1, 3)).astype(np.float32)
    nodes = [h.make_node("Cast", ["s32"], ["s64"], to=T.INT64), h.make_node("Reshape", ["b", "s64"], ["br"]),
             h.make_node("MatMul", ["x", "W"], ["m"]), h.make_node("Add", ["m", "br"], ["y"])]
    graph = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", T.FLOAT, [None, 3])],
                         [h.make_tensor_value_info("y", T.FLOAT, [None, 3])],
                         initializer=[nh.from_array(W, "W"), nh.from_array(b, "b"),
                                      nh.from_array(np.array([3], np.int32), "s32")])
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])
    model.ir_version = 8
    X = rng.normal(size=(4, 3)).astype(np.float32)
    want = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": X})[0]
    net = cr.from_onnx(model)
    np.testing.assert_array_equal(net.layers[0].b, b.ravel())
    np.testing.assert_allclose(net.predict(X), want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("to", ["BOOL", "INT64", "UINT8"])
def test_a_constant_cast_through_other_numbers_is_computed_as_numpy_casts(to):
    """A Cast to a non-float type is computed (its size is known); the weight it ends in is what NumPy gives."""
    from onnx import TensorProto, helper
    W = np.arange(6.0).reshape(3, 2) - 2.5
    ops = [("Cast", {"to": getattr(TensorProto, to)}), ("Cast", {"to": TensorProto.DOUBLE})]
    net = cr.from_onnx(_chain(ops, W))
    want = W.astype(helper.tensor_dtype_to_np_dtype(getattr(TensorProto, to))).astype(np.float64)
    np.testing.assert_array_equal(net.layers[0].W, want)


def test_a_constant_cast_to_strings_is_refused():
    from onnx import TensorProto
    W = np.arange(6.0).reshape(3, 2)
    ops = [("Cast", {"to": TensorProto.STRING}), ("Cast", {"to": TensorProto.DOUBLE})]
    with pytest.raises(ValidationError, match=r"node 0 'n0' \(Cast\) casts a constant to strings, whose bytes are "
                                              r"not known before they are computed"):
        cr.from_onnx(_chain(ops, W))


def test_a_constant_castlike_to_strings_is_refused():
    from onnx import numpy_helper
    W = np.arange(6.0).reshape(3, 2)
    model = _chain([("CastLike", {})], W)
    model.graph.node[0].input.append("like")
    model.graph.initializer.append(numpy_helper.from_array(np.array(["a"], dtype=object), "like"))
    with pytest.raises(ValidationError, match=r"the constant 'like' holds strings, and a layer's weights are computed "
                                              r"from it"):      # the type CastLike reads: refused before it is read
        cr.from_onnx(model)


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


def test_a_string_constant_a_layer_reads_is_refused_before_it_is_made_python_strings(tmp_path, monkeypatch):
    """2 million empty strings cast to float: a 4 MB file whose strings became Python objects (136 MB) before the Cast
    failed. Refused by the tensor's type, before onnx turns it into an array (counted: never called for it)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    n = 1000
    strings = helper.make_tensor("W", TensorProto.STRING, [n, 1], [b""] * n)
    bias = numpy_helper.from_array(np.zeros(n, np.float32), "b")
    nodes = [helper.make_node("Cast", ["W"], ["Wf"], to=TensorProto.FLOAT),
             helper.make_node("Gemm", ["x", "Wf", "b"], ["y"], transB=1)]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 1])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, n])], [strings, bias])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), tmp_path / "s.onnx")
    made = []
    to_array = numpy_helper.to_array
    monkeypatch.setattr(numpy_helper, "to_array", lambda t, *a, **k: made.append(t.name) or to_array(t, *a, **k))
    with pytest.raises(ValidationError, match="the constant 'W' holds strings, and a layer's weights are computed "
                                              "from it: weights are numbers"):
        cr.from_onnx(tmp_path / "s.onnx")
    assert "W" not in made
