"""Bad input gets a clear exception from chainrule.errors that names what was wrong.

Each case: (id, the call, the exception, a pattern its message must contain). docs/errors.md
lists the same cases with their messages."""
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import weights_zip_bomb

import chainrule as cr
from chainrule import errors, optim
from chainrule.backend import kernels as _kernels
from chainrule.data.csvfile import read_csv
from chainrule.data.tabular import Preprocessing
from chainrule.sweep import run_sweep
from chainrule.teach.gradcheck import numerical_gradients


def net2(loss="sse", out="sigmoid", k=2):
    return cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, k, out)], loss=loss, seed=0)


def net32(hidden="tanh", out="sigmoid"):
    """float32, weights 10: inputs near float32's top overflow inside (infinite outputs)."""
    return cr.Network([cr.Dense(2, 3, hidden, weight_init=10.0), cr.Dense(3, 2, out, weight_init=10.0)], loss="mse",
                      seed=0, dtype="float32")


def sign_flip32():
    """A hidden float32 sigmoid whose net input sums 128 terms of 2e38, then 129 of -2e38: exactly -2e38, +inf in
    the plain pass (in order, or in lanes up to 64 wide), so its output is 1 where the network's is 0."""
    net = cr.Network([cr.Dense(257, 1, "sigmoid"), cr.Dense(1, 1, "linear")], loss="mse", seed=0, dtype="float32")
    net.layers[0].W[:, 0] = np.concatenate([np.full(128, 2e38), np.full(129, -2e38)])
    net.layers[0].b[...] = 0
    net.layers[1].W[...] = 1
    net.layers[1].b[...] = 0
    return net


def damaged_trainable():
    """An exported network whose metadata's list of frozen parameters has lost a layer."""
    model = cr.to_onnx(cr.Network([cr.Dense(2, 3, "tanh", trainable=False), cr.Dense(3, 1)], seed=0))
    for p in model.metadata_props:
        if p.key == "chainrule.trainable":
            p.value = '[{"W": false, "b": false}]'
    return model


def onnx_folded(ops, n=3, shared=False):
    """An ONNX model x @ f(W), f the nodes `ops` (op_type, attributes) read in turn from W (n x n); `shared`: two
    layers, each reading its own Transpose of W."""
    pytest.importorskip("onnx")
    from onnx import TensorProto as T
    from onnx import helper as h
    from onnx import numpy_helper as nh
    nodes, prev = [], "W"
    for i, (op, attrs) in enumerate(ops):
        nodes.append(h.make_node(op, [prev], [f"c{i}"], name=f"n{i}", **attrs))
        prev = f"c{i}"
    if shared:
        nodes = [h.make_node("Transpose", ["W"], ["Wa"]), h.make_node("Transpose", ["W"], ["Wb"]),
                 h.make_node("MatMul", ["x", "Wa"], ["h"]), h.make_node("Tanh", ["h"], ["t"]),
                 h.make_node("MatMul", ["t", "Wb"], ["y"])]
    else:
        nodes.append(h.make_node("MatMul", ["x", prev], ["y"]))
    W = np.random.default_rng(0).normal(size=(n, n))
    graph = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", T.DOUBLE, ["N", n])],
                         [h.make_tensor_value_info("y", T.DOUBLE, ["N", n])], initializer=[nh.from_array(W, "W")])
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def onnx_flattened_images():
    """An ONNX model Flatten(x) @ W of x (N, 2, 3): images, not rows."""
    pytest.importorskip("onnx")
    from onnx import TensorProto as T
    from onnx import helper as h
    from onnx import numpy_helper as nh
    nodes = [h.make_node("Flatten", ["x"], ["f"], name="flatten"), h.make_node("MatMul", ["f", "W"], ["y"])]
    graph = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", T.DOUBLE, ["N", 2, 3])],
                         [h.make_tensor_value_info("y", T.DOUBLE, ["N", 1])],
                         initializer=[nh.from_array(np.ones((6, 1)), "W")])
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])


def onnx_one_node(op, inputs, shape, W):
    """An ONNX model of one node `op` reading `inputs` (of 'x', of `shape`, and the initializer 'W')."""
    pytest.importorskip("onnx")
    from onnx import TensorProto as T
    from onnx import helper as h
    from onnx import numpy_helper as nh
    graph = h.make_graph([h.make_node(op, inputs, ["y"], name="layer")], "g",
                         [h.make_tensor_value_info("x", T.DOUBLE, shape)],
                         [h.make_tensor_value_info("y", T.DOUBLE, shape)],
                         initializer=[nh.from_array(W, "W")])
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])


def cast_to_float32(model):
    """`model` (to_onnx's of input_type int64) whose first node casts its input to float32, not its weights' float64."""
    from onnx import TensorProto
    model.graph.node[0].attribute[0].i = TensorProto.FLOAT
    return model


def torch_mlp(device="cpu"):
    torch = pytest.importorskip("torch")
    nn = torch.nn
    return nn.Sequential(nn.Linear(2, 3, device=device), nn.Tanh(), nn.Linear(3, 1, device=device))


def unstepped_state():
    """A plain SGD's state dict, bound but not stepped: no arrays to tell a bias-free layer by."""
    pytest.importorskip("torch")
    return optim.SGD(lr=0.1).bind(net2()).state_dict()


def torch_checkpoint():
    """A checkpoint dict as PyTorch's tutorial saves it: the model's state_dict, the optimizer's, the epoch."""
    torch = pytest.importorskip("torch")
    model = torch_mlp()
    return {"epoch": 3, "model_state_dict": model.state_dict(),
            "optimizer_state_dict": torch.optim.SGD(model.parameters(), lr=0.1).state_dict()}


class RowReader:
    """An object with read() that gives the rows as a list (a reader of rows, not of text)."""
    name = "rows"

    def read(self):
        return [["x", "y"], ["1", "0"]]


def sheet_with_empty_rows():
    """A sheet saved with two empty rows below its data, as pandas.read_csv reads it: rows of missing values."""
    import io

    import pandas as pd
    df = pd.read_csv(io.StringIO("x,c,y\n1,a,0\n2,b,1\n3,a,0\n,,\n,,\n"))
    assert len(df) == 5 and df.tail(2).isna().all(axis=None) and not df.head(3).isna().any(axis=None)
    return df


class HeavyBatches:
    """A sequence (no list: read batch by batch) of two batches of one row, each weighted by 1e308: finite alone,
    past float64 together."""

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return [[0.0, 1.0]], [1], [1e308]


def unfitted_classifier():
    from chainrule.sklearn import BackpropClassifier
    return BackpropClassifier()


def unfitted_pipeline():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    return make_pipeline(StandardScaler(), unfitted_classifier())


class Warmup(optim.Schedule):
    """A user's schedule, not registered: a checkpoint could not save it (refused before the folder is made:
    its checkpoint_dir, /dev/null/ck, cannot be)."""

    def __call__(self, epoch):
        return 0.1

    def config(self):
        return {"name": "Warmup"}


X = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
Y = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])

CASES = [
    ("dense n_in zero", lambda: cr.Dense(0, 2), errors.ValidationError, "n_in must be a positive integer; got 0"),
    ("dense too large for memory", lambda: cr.Dense(10**6, 10**6), errors.ValidationError,
     r"Dense\(1000000, 1000000\) needs 7450.6 GiB"),
    ("dense n_out float", lambda: cr.Dense(2, 2.5), errors.ChainruleTypeError, "n_out must be a positive integer"),
    ("dense n_in bool", lambda: cr.Dense(True, 2), errors.ChainruleTypeError, "n_in must be a positive integer"),
    ("dense as Keras writes it", lambda: cr.Dense(10, activation="softmax"), errors.ChainruleTypeError,
     r"Keras' Dense\(units\) infers its inputs, chainrule's names them: Dense\(n_in, 10, 'softmax'\)"),
    ("unknown activation", lambda: cr.Dense(2, 2, "sigmod"), errors.UnknownNameError, "Did you mean 'sigmoid'"),
    ("activation torch's Linear", lambda: cr.Dense(2, 2, "Linear"), errors.UnknownNameError,
     "expected one of leaky_relu, linear, relu, sigmoid, softmax, tanh. torch's nn.Linear is a layer"),
    ("activation parameter unknown", lambda: cr.Dense(2, 2, {"name": "leaky_relu", "slope": 0.2}),
     errors.ValidationError, r"activation 'leaky_relu' takes the parameters \['alpha'\]; got \['slope'\]"),
    ("softmax over one unit", lambda: cr.Network([cr.Dense(2, 1, "softmax")], loss="categorical_crossentropy"),
     errors.ValidationError, "the output layer has activation='softmax' over n_out=1 unit"),
    ("layers taken over by another network", lambda: (lambda ls: (cr.Network(ls), cr.Network(ls))[0].predict(X))(
        [cr.Dense(2, 2)]), errors.ValidationError, r"layer 0 \(Dense\(2, 2, activation='linear'\)\) now belongs to "
     "another Network"),
    ("unknown initializer", lambda: cr.Dense(2, 2, weight_init="he_normel"), errors.UnknownNameError,
     "Did you mean 'he_normal'"),
    ("init array wrong shape", lambda: cr.Dense(2, 2, weight_init=np.ones((3, 3))), errors.ValidationError,
     r"expected an array of shape \(2, 2\)"),
    ("trainable unknown key", lambda: cr.Dense(2, 2, trainable={"w": False}), errors.ValidationError,
     "unknown parameter"),
    ("trainable wrong type", lambda: cr.Dense(2, 2, trainable="yes"), errors.ChainruleTypeError, "trainable must be"),
    ("dropout rate 1", lambda: cr.Dropout(1.0), errors.ValidationError, r"rate must be a number in \[0, 1\)"),
    ("unknown loss", lambda: cr.Network([cr.Dense(2, 2)], loss="crossentropyy"), errors.UnknownNameError,
     "loss='crossentropyy' is not known"),
    ("empty layers", lambda: cr.Network([]), errors.ValidationError, "non-empty list of layers"),
    ("not a layer", lambda: cr.Network([cr.Dense(2, 2), "relu"]), errors.ChainruleTypeError,
     r"layers\[1\] must be a Layer"),
    ("layer sizes disagree", lambda: cr.Network([cr.Dense(2, 3), cr.Dense(4, 1)]), errors.ValidationError,
     "expects 4 inputs but the layer before it gives 3"),
    ("same layer twice", lambda: (lambda d: cr.Network([d, d]))(cr.Dense(2, 2)), errors.ValidationError,
     "the same layer object twice"),
    ("bad dtype", lambda: cr.Network([cr.Dense(2, 2)], dtype="int32"), errors.ValidationError,
     "dtype must be 'float64' or 'float32'"),
    ("X 1-D", lambda: net2().forward(np.array([0.1, 0.2])), errors.ValidationError, "X must be 2-D"),
    ("X 3-D", lambda: net2().forward(np.zeros((2, 2, 2))), errors.ValidationError, "X must be 2-D"),
    ("X wrong features", lambda: net2().predict(np.zeros((4, 3))), errors.ValidationError,
     "X has 3 features per sample; the network expects 2"),
    ("X empty", lambda: net2().forward(np.zeros((0, 2))), errors.ValidationError, "X is empty"),
    ("X NaN", lambda: net2().forward(np.array([[0.1, np.nan]])), errors.ValidationError,
     r"X contains NaN or infinity \(first at index \(0, 1\)\)"),
    ("X infinite", lambda: net2().loss(np.array([[np.inf, 0.0]]), np.array([[0.0, 1.0]])), errors.ValidationError,
     "X contains NaN or infinity"),
    ("X too large for float32", lambda: net32().predict(np.array([[1e300, 0.0]])), errors.ValidationError,
     r"X has values too large for float32 \(first 1e\+300 at index \(0, 0\); float32 holds up to 3.4e\+38\): "
     "scale them or use dtype='float64'"),
    ("outputs not finite", lambda: net32("linear", "linear").predict(np.array([[3e38, 3e38]], dtype=np.float32)),
     errors.ValidationError, r"the network's outputs are NaN or infinite for the one row of X: its weights"),
    ("outputs through an overflow",
     lambda: net32("relu", "sigmoid").predict(np.array([[3e38, 3e38]], dtype=np.float32)), errors.ValidationError,
     r"the network's outputs are finite but wrong for the one row of X: layer 0's net input overflows float32 there"),
    ("leaky_relu alpha NaN", lambda: cr.Dense(2, 2, {"name": "leaky_relu", "alpha": float("nan")}),
     errors.ValidationError, "leaky_relu alpha must be finite; got nan"),
    ("X strings", lambda: net2().forward(np.array([["a", "b"]])), errors.ChainruleTypeError,
     "X must be a numeric array"),
    ("X ragged", lambda: net2().forward([[1.0, 2.0], [3.0]]), errors.ChainruleTypeError, "X must be a numeric array"),
    ("Y NaN", lambda: net2().loss(X, np.array([[0.0, np.nan]] * 3)), errors.ValidationError,
     "Y contains NaN or infinity"),
    ("sample counts differ", lambda: net2().gradients(X, Y[:2]), errors.ValidationError,
     "X and Y have different numbers of samples: 3 and 2"),
    ("Y wrong width", lambda: net2().loss(X, np.zeros((3, 3))), errors.ValidationError,
     r"Y must have shape \(n_samples, 2\)"),
    ("labels out of range", lambda: net2("categorical_crossentropy", "softmax", 3).fit(X, [0, 1, 3], verbose=0),
     errors.ValidationError, r"class labels in Y must lie in 0..2 .* got values from 0 to 3"),
    ("labels not integers", lambda: net2("categorical_crossentropy", "softmax", 3).loss(X, [0, 1.5, 2]),
     errors.ValidationError, "class labels in Y must be integers"),
    ("one-hot rows not summing to 1", lambda: net2("categorical_crossentropy", "softmax").loss(X, Y + 0.5),
     errors.ValidationError, "row 0 is"),
    ("BCE targets outside [0, 1]", lambda: net2("binary_crossentropy").loss(X, Y * 2), errors.ValidationError,
     r"Y must lie in \[0, 1\] for binary_crossentropy"),
    ("labels for regression", lambda: net2().loss(X, [0, 1, 1]), errors.ValidationError,
     r"does not fit a network with 2 outputs"),
    ("epochs negative", lambda: net2().fit(X, Y, epochs=-1), errors.ValidationError,
     r"epochs must be an integer >= 0 \(0 trains nothing\); got -1"),
    ("batch size zero", lambda: net2().fit(X, Y, batch_size=0), errors.ValidationError,
     "batch_size must be a positive integer"),
    ("batch size float", lambda: net2().fit(X, Y, batch_size=2.5), errors.ChainruleTypeError,
     "batch_size must be a positive integer"),
    ("validation_split 1", lambda: net2().fit(X, Y, validation_split=1.0), errors.ValidationError,
     r"validation_split must be a number in \[0, 1\)"),
    ("validation_split too large", lambda: net2().fit(X, Y, validation_split=0.9), errors.ValidationError,
     "validation_split=0.9 leaves 0 training and 3 validation samples of 3; both need at least one"),
    ("validation_data not a pair", lambda: net2().fit(X, Y, validation_data=X), errors.ValidationError,
     "validation_data must be a pair"),
    ("verbose 3", lambda: net2().fit(X, Y, verbose=3), errors.ValidationError, "verbose must be 0, 1, 2 or 'auto'"),
    ("initial_epoch negative", lambda: net2().fit(X, Y, epochs=3, initial_epoch=-1), errors.ValidationError,
     "initial_epoch must be an integer >= 0, the index of the first epoch to train"),
    ("weights summing past float64 (Python)", lambda: net2(loss="categorical_crossentropy", out="softmax").fit(
        X, Y, verbose=0, class_weight={1: 1e308}), errors.ValidationError, "sum past float64's largest number"),
    ("weights past float32 (Python)", lambda: net32().evaluate(X, Y, sample_weight=[1e39, 1, 1]),
     errors.ValidationError, "past float32's largest number"),
    ("callback not a Callback", lambda: net2().fit(X, Y, callbacks=[print], verbose=0), errors.ChainruleTypeError,
     "callbacks must be Callback instances"),
    ("a bare callback", lambda: net2().fit(X, Y, callbacks=cr.EarlyStopping(), verbose=0), errors.ChainruleTypeError,
     r"callbacks must be a list of Callback instances; got EarlyStopping \(put it in a list: callbacks=\[\.\.\.\]\)"),
    ("callbacks a number", lambda: net2().fit(X, Y, callbacks=3, verbose=0), errors.ChainruleTypeError,
     "callbacks must be a list of Callback instances; got int"),
    ("optimizer flag text", lambda: optim.SGD(0.1, momentum=0.9, nesterov="no"), errors.ChainruleTypeError,
     "nesterov must be True or False; got 'no'"),
    ("EarlyStopping flag text", lambda: cr.EarlyStopping(restore_best_weights="no"), errors.ChainruleTypeError,
     "EarlyStopping: restore_best_weights must be True or False; got 'no'"),
    ("EarlyStopping monitor empty", lambda: cr.EarlyStopping(monitor=""), errors.ValidationError,
     "EarlyStopping: monitor must be the name of a logged value, such as 'val_loss'; got '', an empty name"),
    ("LambdaCallback misspelt hook", lambda: cr.callbacks.LambdaCallback(on_epoc_end=print), errors.ValidationError,
     r"LambdaCallback: on_epoc_end is not a hook chainrule calls \(did you mean on_epoch_end\?\)"),
    ("EarlyStopping patience fraction", lambda: cr.EarlyStopping(patience=2.9), errors.ChainruleTypeError,
     "EarlyStopping: patience must be a whole number of epochs, 0 or more; got 2.9"),
    ("ModelCheckpoint field not logged", lambda: net2().fit(X, Y, epochs=1, verbose=0, callbacks=[
        cr.ModelCheckpoint("m-{val_loss:.3f}.npz")]), errors.ValidationError,
     r"ModelCheckpoint: filepath 'm-\{val_loss:.3f\}.npz' cannot be filled from the epoch's logs \(KeyError: "
     r"'val_loss'\); its fields may be epoch and \['loss'\]"),
    ("unknown optimizer", lambda: net2().fit(X, Y, optimizer="adamm"), errors.UnknownNameError,
     "Did you mean 'adam'"),
    ("learning rate negative", lambda: optim.Adam(lr=-0.001), errors.ValidationError,
     r"lr must be in \[0.0, inf\); got -0.001"),
    ("learning rate negative in step", lambda: net2().step(X, Y, lr=-0.5), errors.ValidationError,
     r"lr must be in \[0.0, inf\); got -0.5"),
    ("learning rate not a number", lambda: optim.SGD(lr="fast"), errors.ChainruleTypeError, "lr must be a number"),
    ("beta out of range", lambda: optim.Adam(betas=(0.9, 1.0)), errors.ValidationError, r"betas\[1\] must be in"),
    ("nesterov without momentum", lambda: optim.SGD(0.1, nesterov=True), errors.ValidationError,
     "nesterov=True needs momentum > 0"),
    ("optimizer rate set negative", lambda: setattr(optim.SGD(0.1), "lr", -0.1), errors.ValidationError,
     r"optimizer.lr must be in \[0.0, inf\); got -0.1"),
    ("optimizer setting set negative", lambda: setattr(optim.SGD(0.1, momentum=0.9), "momentum", -0.5),
     errors.ValidationError, r"momentum must be in \[0.0, inf\); got -0.5"),
    ("scheduled rate set", lambda: setattr(optim.SGD(optim.StepLR(0.1, 2)), "learning_rate", 0.5),
     errors.ValidationError, r"this SGD follows a schedule \(StepLR\)"),
    ("set_weights wrong count", lambda: net2().set_weights([np.zeros((2, 3))]), errors.ValidationError,
     "weights: expected 4 arrays, got 1"),
    ("W assigned wrong shape", lambda: setattr(net2().layers[0], "W", np.zeros((3, 3))), errors.ValidationError,
     r"W: expected an array of shape \(2, 3\)"),
    ("gradcheck eps", lambda: cr.gradcheck(net2(), X, Y, eps=0), errors.ValidationError,
     r"eps must be in \(0.0, inf\); got 0"),
    ("explain lr", lambda: cr.explain(net2(), X, Y, lr=-1), errors.ValidationError,
     r"lr must be in \[0.0, inf\); got -1"),
    ("explain too large", lambda: cr.explain(cr.Network([cr.Dense(20, 20), cr.Dense(20, 2)]), np.zeros((1, 20)),
                                             np.zeros((1, 2))),
     errors.ValidationError, "explain prints at most"),
    ("load missing file", lambda: cr.load("/nonexistent/model.npz"), errors.ModelFileError, "does not exist"),
    ("load path not a path", lambda: cr.load(123), errors.ChainruleTypeError, "path must be a file name"),
    ("save path not a path", lambda: net2().save(None), errors.ChainruleTypeError, "path must be a file name"),
    ("network seed text", lambda: cr.Network([cr.Dense(2, 2)], seed="a"), errors.ChainruleTypeError,
     "seed must be a non-negative integer or None; got 'a'"),
    ("network seed negative", lambda: cr.Network([cr.Dense(2, 2)], seed=-1), errors.ValidationError,
     "seed must be a non-negative integer or None; got -1"),
    ("fit seed float", lambda: net2().fit(X, Y, seed=1.5, verbose=0), errors.ChainruleTypeError,
     "seed must be a non-negative integer"),
    ("fit shuffle text", lambda: net2().fit(X, Y, shuffle="no", verbose=0), errors.ChainruleTypeError,
     "shuffle must be True or False \\(or Keras' None: no shuffling, 1 or 0: True or False\\); got 'no'"),
    ("fit shuffle batch", lambda: net2().fit(X, Y, shuffle="batch", verbose=0), errors.ChainruleTypeError,
     "shuffle must be True or False \\(or Keras' None.*\\); got 'batch' \\(str\\): Keras' shuffle='batch'"),
    ("fit resume text", lambda: net2().fit(X, Y, resume="yes", verbose=0), errors.ChainruleTypeError,
     "resume must be True or False"),
    ("checkpoint_dir not a path", lambda: net2().fit(X, Y, checkpoint_dir=3, verbose=0), errors.ChainruleTypeError,
     "checkpoint_dir must be a path"),
    ("set_weights transposed", lambda: net2().set_weights([w.T for w in net2().get_weights()]), errors.ValidationError,
     r"weights\[0\] \(W of Dense\(2, 3.*expected shape \(2, 3\), got shape \(3, 2\)"),
    ("set_weights NaN", lambda: net2().set_weights([w * np.nan for w in net2().get_weights()]), errors.ValidationError,
     r"weights\[0\] .* contains NaN or infinity"),
    ("set_weights text", lambda: net2().set_weights([np.full((2, 3), "a")] + net2().get_weights()[1:]),
     errors.ChainruleTypeError, r"weights\[0\] .* must be a real numeric array; got dtype <U1"),
    ("set_weights too large for float32",
     lambda: net32().set_weights([np.full_like(w, 1e300, dtype=float) for w in net32().get_weights()]),
     errors.ValidationError, r"weights\[0\] .* has values too large for the network's float32 \(largest 3\.40"),
    ("set_weights not a list", lambda: net2().set_weights(5), errors.ChainruleTypeError,
     "weights must be a list of arrays"),
    ("predict batch size text", lambda: net2().predict(X, batch_size="8"), errors.ChainruleTypeError,
     "batch_size must be a positive integer; got '8'"),
    ("gradcheck not a network", lambda: cr.gradcheck("net", X, Y), errors.ChainruleTypeError,
     "net must be a chainrule Network; got str"),
    ("numerical_gradients eps", lambda: numerical_gradients(net2(), X, Y, eps=-1e-6), errors.ValidationError,
     r"eps must be in \(0.0, inf\); got -1e-06"),
    ("optimizer unknown argument", lambda: optim.get_optimizer("adam", momentum=0.9), errors.ChainruleTypeError,
     r"Adam got unknown argument\(s\) \['momentum'\]"),
    ("evaluate infinite outputs", lambda: net32("relu", "linear").evaluate(np.full((3, 2), 3e38), Y),
     errors.ValidationError, "the network's outputs are NaN or infinite for 3 of the 3 rows of X"),
    ("validation data of other width", lambda: net2().fit(X, Y, epochs=1, validation_data=(X[:, :1], Y), verbose=0),
     errors.ValidationError, "validation_data: X has 1 features per sample; the network expects 2"),
    ("gradcheck with every sample at a kink", lambda: cr.gradcheck(
        cr.Network([cr.Dense(2, 2, "relu", bias_init=0.0), cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy",
                   seed=0), np.zeros((2, 2)), np.array([[0.0], [1.0]])),
     errors.ValidationError, "Every sample is at a kink: nothing left to compare"),
    ("optimizer rate given twice", lambda: optim.Adam(lr=0.1, learning_rate=0.1), errors.ChainruleTypeError,
     r"got both lr and learning_rate"),
    ("schedule step_size float", lambda: optim.StepLR(0.1, 2.5), errors.ChainruleTypeError,
     "step_size must be a positive integer; got 2.5"),
    ("schedule start_factor zero", lambda: optim.LinearLR(0.1, start_factor=0.0), errors.ValidationError,
     r"start_factor must be in \(0.0, 1.0\]; got 0.0"),
    ("schedule factor zero", lambda: optim.ConstantLR(0.1, factor=0.0), errors.ValidationError,
     r"factor must be in \(0.0, 1.0\]; got 0.0"),
    ("schedule power negative", lambda: optim.PolynomialLR(0.1, power=-1.0), errors.ValidationError,
     r"power must be in \[0.0, inf\); got -1.0"),
    ("schedule milestone float", lambda: optim.MultiStepLR(0.1, [2, 4.5]), errors.ChainruleTypeError,
     r"milestones\[1\] must be an integer \(an epoch index\); got 4.5"),
    ("sequential schedule milestones count", lambda: optim.SequentialLR([optim.LinearLR(0.1), optim.StepLR(0.1, 2)],
                                                                        []),
     errors.ValidationError, "milestones must have one epoch fewer than schedules"),
    ("sequential schedule milestones out of order", lambda: optim.SequentialLR(
        [optim.LinearLR(0.1), optim.StepLR(0.1, 2), optim.StepLR(0.1, 3)], [6, 4]),
     errors.ValidationError, "milestones must be increasing"),
    ("sequential schedule inside another", lambda: optim.SequentialLR(
        [optim.SequentialLR([optim.LinearLR(0.1)], []), optim.StepLR(0.1, 2)], [3]),
     errors.ValidationError, r"schedules\[0\] is a SequentialLR"),
    ("sequential schedules not a list", lambda: optim.SequentialLR(optim.ConstantLR(0.1), [2]),
     errors.ChainruleTypeError, r"got ConstantLR\(lr=0.1, factor=0.3333333333333333, total_iters=5\) \(ConstantLR\)"),
    ("schedule unknown argument", lambda: optim.get_optimizer(
        {"name": "sgd", "lr": {"name": "LinearLR", "lr": 0.1, "total_iter": 4}}), errors.ChainruleTypeError,
     r"LinearLR got unknown argument\(s\) \['total_iter'\].*Did you mean 'total_iters'\?"),
    ("schedule not saveable with a checkpoint", lambda: net2().fit(
        X, Y, epochs=1, optimizer=optim.SGD(Warmup()), checkpoint_dir="/dev/null/ck", verbose=0),
     errors.ChainruleTypeError, "the optimizer's schedule is a Warmup, which would load back as nothing"),
    ("initializer NaN constant", lambda: cr.Dense(2, 2, bias_init=float("nan")), errors.ValidationError,
     "init must be a finite number; got nan"),
    ("initializer array with NaN", lambda: cr.Dense(2, 2, weight_init=np.full((2, 2), np.inf)), errors.ValidationError,
     "contains NaN or infinity"),
    ("initializer function wrong shape", lambda: cr.Dense(2, 2, weight_init=lambda shape, rng: np.ones(3)),
     errors.ValidationError, r"W: the initializer '<lambda>' returned shape \(3,\); expected \(2, 2\)"),
    ("initializer bool", lambda: cr.Dense(2, 2, weight_init=True), errors.ValidationError,
     "init must be a name, a number, a function or an array; got True"),
    ("class label NaN", lambda: net2("categorical_crossentropy", "softmax", 3).loss(X, [0.0, 1.0, np.nan]),
     errors.ValidationError, r"Y \(class labels\) contains NaN or infinity \(first at index 2\)"),
    ("class label huge", lambda: net2("categorical_crossentropy", "softmax", 3).loss(X, [0.0, 1.0, 1e20]),
     errors.ValidationError, "got values from 0 to 1e\\+20"),
    ("Y complex", lambda: net2().loss(X, Y * 1j), errors.ChainruleTypeError, "Y must be real; got complex values"),
    ("Y overflows float32", lambda: cr.Network([cr.Dense(2, 2)], dtype="float32").loss(X, np.full((3, 2), 1e300)),
     errors.ValidationError, r"Y has values too large for float32 \(first 1e\+300 at index \(0, 0\)"),
    ("loss overflows", lambda: cr.Network([cr.Dense(1, 1, "linear")], loss="mse", seed=0).loss([[1.0]], [[1e200]]),
     errors.ValidationError, "the loss is inf though the network's outputs are finite"),
    ("gradients of infinite outputs", lambda: net32("relu", "linear").gradients([[3e38, 3e38]], [[0.0, 1.0]]),
     errors.ValidationError, "the network's outputs are NaN or infinite for the one row of X"),
    ("loss through an overflow", lambda: sign_flip32().loss(np.ones((2, 257), np.float32), np.zeros((2, 1))),
     errors.ValidationError,
     r"the loss \(1\) is not the network's: a layer's net input overflows float32 for 2 of the 2 rows of X"),
    ("gradient overflows under a finite loss",
     lambda: cr.Network([cr.Dense(1, 1, "linear", weight_init=1e-307)], loss="mse").gradients([[1e308]], [[0.0]]),
     errors.ValidationError, r"the gradient is NaN or infinite though the loss \(100\) is finite"),
    ("from_torch bfloat16", lambda: cr.from_torch(torch_mlp().bfloat16()), errors.ValidationError,
     r"layer 0 \(Linear\): its parameter '0.weight' is torch.bfloat16; .* model.float\(\)"),
    ("from_torch meta device", lambda: cr.from_torch(torch_mlp("meta")), errors.ValidationError,
     r"its parameter '0.weight' is on the 'meta' device: it has a shape but no values"),
    ("from_torch a training checkpoint", lambda: cr.from_torch(torch_checkpoint()), errors.ChainruleTypeError,
     r"got a training checkpoint \(a dict of 'epoch', 'model_state_dict', 'optimizer_state_dict'\) whose "
     r"'model_state_dict' is a state_dict .*model\.load_state_dict\(checkpoint\['model_state_dict'\]\)"),
    ("metrics other than accuracy", lambda: net2("binary_crossentropy").fit([[0, 1]], [[0, 1]], metrics=["mae"]),
     errors.ValidationError, r"metrics: chainrule's metrics are the accuracies 'accuracy', 'acc', 'binary_accuracy', "
     r"'categorical_accuracy', 'sparse_categorical_accuracy' \(the loss is always logged\); got 'mae'"),
    ("weighted_metrics a string", lambda: net2("binary_crossentropy").evaluate([[0, 1]], [[0, 1]],
                                                                                weighted_metrics="accuracy"),
     errors.ValidationError, r"weighted_metrics must be a list of metric names, as Keras'"),
    ("evaluate batch_size as Keras' third", lambda: net2("binary_crossentropy").evaluate([[0, 1]], [[0, 1]], 32),
     errors.ValidationError, r"sample_weight, evaluate's third argument, .*give batch_size=32"),
    ("metrics accuracy of a regressor", lambda: net2("mse", "linear").fit([[0, 1]], [[0, 1]], metrics=["accuracy"]),
     errors.ValidationError, r"metrics=\['accuracy'\] is for a classifier; this network regresses"),
    ("sequence class_weight balanced", lambda: net2("categorical_crossentropy", "softmax").fit(
        [([[0, 1]], [1])], class_weight="balanced"), errors.ValidationError,
     r"class_weight='balanced' needs arrays X, Y \(it counts every row's class\)"),
    ("sequence sample_weight", lambda: net2("categorical_crossentropy", "softmax").fit([([[0, 1]], [1])],
                                                                                       sample_weight=[1.0]),
     errors.ValidationError, r"sample_weight needs arrays X, Y; with a sequence of batches \(Y=None\)"),
    ("a sequence's weights summing past float64 over the epoch", lambda: net2(
        "categorical_crossentropy", "softmax").fit(HeavyBatches(), verbose=0,
                                                   weight_reduction="mean_with_sample_weight"),
     errors.ValidationError, r"the weights sum past float64's largest number \(1.8e\+308\) at batch 1 of epoch 1"),
    ("to_onnx an estimator", lambda: cr.to_onnx(unfitted_classifier()), errors.ChainruleTypeError,
     r"got BackpropClassifier, a chainrule classifier not yet fitted: fit it first; to_onnx\(model, path\) then "
     r"exports it"),
    ("save an estimator", lambda: cr.save(unfitted_classifier(), "m.npz"), errors.ChainruleTypeError,
     r"got BackpropClassifier, a chainrule estimator, not a model to import: give its network "
     r"once it is fitted \(fit it first\), cr.save\(model.network_, path\)"),
    ("save a pipeline of an estimator", lambda: cr.save(unfitted_pipeline(), "m.npz"), errors.ChainruleTypeError,
     r"got Pipeline: its last step, BackpropClassifier, is a chainrule estimator, not a model to import: give its "
     r"network once it is fitted \(fit it first\), cr.save\(pipe\[-1\].network_, path\) .*the pipeline's other "
     r"steps \(its preprocessing\) are not in the network"),
    ("estimator learning_rate a schedule class", lambda: unfitted_classifier().set_params(
        learning_rate=optim.StepLR).fit([[0.0], [1.0]], [0, 1]), errors.ParameterError,
     r"got <class 'chainrule.training.schedules.StepLR'> \(type\). StepLR is a class: give an instance, "
     r"learning_rate=StepLR\(lr, \.\.\.\)"),
    ("estimator set_params optimizer argument", lambda: unfitted_classifier().set_params(
        optimizer=optim.Adam(), optimizer__beta=0.5), errors.ParameterError,
     r"set_params got optimizer__beta, but optimizer has no 'beta'; its arguments are: optimizer__lr, "),
    ("run_sweep given a DataFrame", lambda: run_sweep(pd.DataFrame({"x": [1.0], "y": [0]}), "y", "lr=0.01"),
     errors.ValidationError, r"expected a CSV file: its path \(a str or pathlib.Path\) or the file opened to read "
     r"\(open\(path, 'rb'\)\); got a pandas DataFrame\. Data in memory goes to chainrule\.sklearn's"),
    ("from_onnx damaged trainable metadata", lambda: cr.from_onnx(damaged_trainable()), errors.ValidationError,
     r"metadata 'chainrule.trainable' is not a list"),
    ("from_onnx a constant cast to strings", lambda: cr.from_onnx(onnx_folded([("Cast", {"to": 8}),
                                                                                ("Cast", {"to": 11})])),
     errors.ValidationError, r"node 0 'n0' \(Cast\) casts a constant to strings, whose bytes are not known"),
    ("from_onnx computed constants past the budget", lambda: cr.from_onnx(onnx_folded([("Neg", {})] * 8, n=200)),
     errors.ValidationError, r"node 7 'n7' \(Neg\) reads constants only, and computing it would make 2560000 bytes "
     r"of computed constants, past the .*: fold the file's constants first, e\.g\. with onnx-simplifier"),
    ("from_onnx weights shared through a node", lambda: cr.from_onnx(onnx_folded([], shared=True)),
     errors.ValidationError, r"node 4 '' \(MatMul\) reads the weights 'Wb' \(computed from 'W'\) that node 2 ''"),
    ("from_onnx a Flatten of images", lambda: cr.from_onnx(onnx_flattened_images()), errors.ValidationError,
     r"node 0 'flatten' \(Flatten\) flattens the input 'x' of shape \('N', 2, 3\)"),
    ("from_onnx a 3-D input", lambda: cr.from_onnx(onnx_one_node("MatMul", ["x", "W"], ["N", 2, 3], np.ones((3, 1)))),
     errors.ValidationError, r"the input 'x' has shape \('N', 2, 3\), 3-D; chainrule's layers take rows"),
    ("from_onnx W @ x", lambda: cr.from_onnx(onnx_one_node("MatMul", ["W", "x"], [3, 3], np.eye(3))),
     errors.ValidationError, r"node 0 'layer' \(MatMul\) multiplies the constant 'W' by 'x' \(W @ x\)"),
    ("from_onnx a Conv", lambda: cr.from_onnx(onnx_one_node("Conv", ["x", "W"], [1, 1, 4], np.ones((1, 1, 1)))),
     errors.ValidationError, r"node 0 'layer' \(Conv\) has no chainrule form; an MLP graph holds Gemm, MatMul"),
    ("to_onnx a model file's name", lambda: cr.to_onnx("m.npz"), errors.ChainruleTypeError,
     r"got str 'm.npz': to_onnx takes the network, not its file; load it first, to_onnx\(cr.load\('m.npz'\), path\)"),
    ("to_onnx path not a path", lambda: cr.to_onnx(net2(), b"m.onnx"), errors.ChainruleTypeError,
     r"got b'm.onnx' \(bytes\)"),
    ("from_onnx path not a path", lambda: cr.from_onnx(b"m.onnx"), errors.ChainruleTypeError,
     r"or an onnx.ModelProto; got b'm.onnx' \(bytes\)"),
    ("from_onnx an estimator", lambda: cr.from_onnx(unfitted_classifier()), errors.ChainruleTypeError,
     r"got BackpropClassifier\(\) \(BackpropClassifier\), a model, not a file's name: path names the file"),
    ("to_onnx another framework's model", lambda: cr.to_onnx(torch_mlp()), errors.ChainruleTypeError,
     r"got Sequential \(a model of another framework: import it first with cr.from_torch, from_keras, "),
    ("to_onnx preprocessing the extra dict", lambda: cr.to_onnx(net2(), preprocessing={"tabular": {}}),
     errors.ValidationError, r"preprocessing is a model file's extra dict \(keys \['tabular'\]\); give its 'tabular' "
     "entry"),
    ("to_onnx preprocessing a file name", lambda: cr.to_onnx(net2(), preprocessing="m.npz"),
     errors.ChainruleTypeError, "preprocessing must be a Preprocessing or its JSON dict; got the file name 'm.npz'"),
    ("to_onnx input_type of no ONNX number", lambda: cr.to_onnx(net2(), input_type="float128"),
     errors.ValidationError, r"input_type must be one of float64, float32, float16, int64, .*; got 'float128'"),
    ("to_onnx input_type 'float', 'int' or 'uint'", lambda: cr.to_onnx(net2(), input_type="float"),
     errors.ValidationError, r"input_type 'float' is float64 to NumPy but float32 to ONNX \(its FLOAT\): say which"),
    ("to_torch_state without net of a state with no arrays",
     lambda: __import__("chainrule.saving.interop").saving.interop.to_torch_state(unstepped_state()),
     errors.ValidationError, r"to_torch_state: the state holds no arrays to tell a frozen bias by"),
    ("state conversion given the optimizer or the network",
     lambda: __import__("chainrule.saving.interop").saving.interop.to_torch_state(optim.Adam().bind(net2())),
     errors.ValidationError, r"got Adam, an optimizer: give its state dict, to_torch_state\(opt.state_dict\(\)\)"),
    ("to_onnx input_type with a CSV preprocessing", lambda: cr.to_onnx(net2(), preprocessing={}, input_type="int64"),
     errors.ValidationError, r"input_type is for a network's one input; a `chainrule train` model's graph"),
    ("from_onnx an input cast to another dtype", lambda: cr.from_onnx(cast_to_float32(cr.to_onnx(net2(), checks=False,
                                                                                               input_type="int64"))),
     errors.ValidationError, r"the input 'input' is cast to float32, but the layers' weights are float64"),
    ("read_csv of a reader of rows", lambda: read_csv(RowReader()), errors.ValidationError,
     r"CSV file 'rows': read\(\) gave list, not bytes or str"),
    ("Preprocessing.fit of pandas' empty rows", lambda: Preprocessing.fit(sheet_with_empty_rows(), "y"),
     errors.ValidationError, r"the table's last 2 rows \(rows 3 and 4\) are empty rows \(every column missing\)"),
    ("Preprocessing.fit of a constant numeric target",
     lambda: Preprocessing.fit(__import__("pandas").DataFrame({"a": [1.0, 2.0, 3.0], "b": [5, 5, 5]}), "b"),
     errors.ValidationError, r"target column 'b' has one value \(5\) on every row: nothing to learn"),
    ("Preprocessing.fit of an infinite regression target",
     lambda: Preprocessing.fit(read_csv(__import__("io").StringIO("x,y\n1,0.5\n2,1.5\n3,inf\n4,3.5\n")), "y",
                               task="regression"),
     errors.ValidationError, r"target column 'y' has an infinite value on line 4 \('inf'\): a regression target"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_clear_error(case):
    _, call, exc, pattern = case
    with pytest.raises(exc, match=pattern):
        call()


def test_every_error_is_a_value_or_type_error():
    for _, _, exc, _ in CASES:
        assert issubclass(exc, errors.ChainruleError) and issubclass(exc, (ValueError, TypeError))


def test_divergence_stops_with_the_last_finite_weights():
    rng = np.random.default_rng(0)
    Xr = rng.normal(size=(64, 3)) * 10
    Yr = rng.normal(size=(64, 1)) * 10
    net = cr.Network([cr.Dense(3, 8, "relu"), cr.Dense(8, 1)], loss="mse", seed=0)

    class Keep(cr.callbacks.Callback):
        def on_batch_begin(self, batch):
            self.before = self.network.params.copy()

    keep = Keep()
    with pytest.raises(errors.TrainingDiverged, match=r"epoch \d+, batch \d+.*lower learning rate") as info:
        net.fit(Xr, Yr, epochs=50, batch_size=8, optimizer=optim.SGD(5.0), callbacks=[keep], verbose=0)
    assert "clip_norm" in str(info.value)
    assert np.all(np.isfinite(net.params))
    np.testing.assert_array_equal(net.params, keep.before)    # the failed step changed nothing


def test_docs_list_every_case():
    from pathlib import Path
    doc = (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
    for name, _, exc, _ in CASES:
        assert f"| {name} | `{exc.__name__}` |" in doc, name


def _documented_messages() -> dict[str, str]:
    """{case: message} of the table "Every case, with its message" in docs/errors.md."""
    from pathlib import Path
    doc = (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
    table = doc.split("## Every case, with its message", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 4 and cells[1].startswith("`"):
            rows[cells[0]] = cells[2]
    return rows


def _as_documented(documented: str, said: str) -> bool:
    """Whether `said` is the row's message whole, where the row's "..." stands for one file's numbers and the words
    between them (a zip bomb's sizes: the row says the rule, not one file's numbers): never a clause, a quote or
    a sentence, which the row must show as said."""
    import re
    return re.fullmatch(r"[\w ,]+?".join(re.escape(part) for part in documented.split("...")), said) is not None


def test_a_rows_dots_stand_for_numbers_not_for_words_left_out():
    row = _documented_messages()["load_weights zip bomb"]
    said = row.replace("...", "1234 to 96000000 bytes, 77777")
    assert _as_documented(row, said)
    assert not _as_documented(row, row.replace("...", "1234 to 96000000 bytes; the file: 'x.npz' is 77777"))
    assert not _as_documented(row, said.replace("at most 50 times", "at most 60 times"))
    assert not _as_documented(row, said + " ")


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_docs_show_each_message_as_raised(case):
    """docs/errors.md says its message column is what each call prints: the whole message, not a pattern."""
    name, call, exc, _ = case
    with pytest.raises(exc) as info:
        call()
    assert str(info.value) == _documented_messages()[name]


def test_divergence_keeps_the_optimizer_state_of_the_last_finite_step():
    rng = np.random.default_rng(1)
    Xr, Yr = rng.normal(size=(64, 3)) * 10, rng.normal(size=(64, 1)) * 1e3
    net = cr.Network([cr.Dense(3, 16, "relu"), cr.Dense(16, 1)], loss="mse", seed=0)

    class Keep(cr.callbacks.Callback):
        def on_batch_begin(self, batch):
            self.params = self.network.params.copy()
            opt = self.network.optimizer
            self.t, self.state = opt.t, {k: v.copy() for k, v in opt.state.items()}

    keep = Keep()
    with pytest.raises(errors.TrainingDiverged, match=r"training diverged in epoch \d+, batch \d+: the loss"):
        net.fit(Xr, Yr, epochs=200, batch_size=16, optimizer=optim.SGD(0.05, momentum=0.9), callbacks=[keep],
                verbose=0)
    np.testing.assert_array_equal(net.params, keep.params)
    assert net.optimizer.t == keep.t
    for k, v in keep.state.items():
        np.testing.assert_array_equal(net.optimizer.state[k], v)


def test_a_gradient_too_large_with_a_finite_loss_is_divergence_too():
    # sigmoid + binary cross-entropy: the loss grows like |net| (finite), the gradient like x: 1e160,
    # finite, but its square overflows float64
    net = cr.Network([cr.Dense(1, 1, "sigmoid", weight_init=1.0)], loss="binary_crossentropy")
    before = net.params.copy()
    with pytest.raises(errors.TrainingDiverged, match=r"epoch 1, batch 1: the gradient became too large: its "
                                                      r"squares overflow float64 \(\|dE/dw\| up to 1e\+160\)") as info:
        net.fit(np.array([[1e160]]), np.array([[0.0]]), epochs=3, optimizer=optim.Adam(0.1), verbose=0)
    assert "lower learning rate" in str(info.value) and "scaling the inputs" in str(info.value)
    np.testing.assert_array_equal(net.params, before)
    assert net.optimizer.t == 0


@pytest.mark.parametrize("sizes", [[1, 1], [1, 8, 1], [1, 300, 300, 1]])
def test_a_gradient_too_large_for_its_squares_is_divergence_named_as_such(kernels, sizes):
    """float32: gradients from 1.8e19 on are finite, but their squares overflow (Adam's v would
    hold them), which the check of every step counts as divergence: the message says so, not
    "NaN or infinite". The nets take the tiny loop, the compiled epoch and the NumPy loop."""
    net = cr.Network([cr.Dense(a, b, weight_init=1.0) for a, b in zip(sizes, sizes[1:])], loss="mse",
                     dtype="float32")
    X, Y = np.full((4, 1), 1e10, np.float32), np.zeros((4, 1), np.float32)
    net.gradients(X, Y)
    top = np.abs(net.grads).max()
    assert np.isfinite(net.grads).all() and top > 1e20
    before = net.params.copy()
    message = re.escape(f"the gradient became too large: its squares overflow float32 (|dE/dw| up to {top:.3g})")
    with pytest.raises(errors.TrainingDiverged, match=r"epoch 1, batch 1: " + message):
        net.fit(X, Y, epochs=2, batch_size=4, optimizer=optim.SGD(1e-30), verbose=0)
    np.testing.assert_array_equal(net.params, before)
    with pytest.raises(errors.TrainingDiverged, match=message):
        net.step(X, Y, lr=1e-30)


@pytest.mark.skipif(not _kernels.AVAILABLE, reason="needs Numba (the [fast] extra)")
@pytest.mark.parametrize("sizes", [[2, 3, 1], [2, 8, 1]])
@pytest.mark.parametrize("call", ["fit", "fit epoch by epoch", "train_steps"])
def test_the_compiled_loops_name_a_divergence_in_the_numpy_loops_words(monkeypatch, sizes, call):
    """A loss that becomes infinite: the compiled loops (the tiny one, 2-3-1; the general one, 2-8-1;
    a whole fit, an epoch, train_steps) said "the gradient became NaN or infinite", where the NumPy
    loop, the reference, says "the loss became inf": they now hand the failing step's loss on."""
    messages, states = [], []
    for compiled in (False, True):
        monkeypatch.setattr(_kernels, "ENABLED", compiled)
        net = cr.Network([cr.Dense(a, b, "linear") for a, b in zip(sizes, sizes[1:])], loss="mse", seed=0)
        X = np.array([[1e3, -2e3], [3e2, 1e2], [-1e3, 5e2]])
        with pytest.raises(errors.TrainingDiverged) as info:
            if call == "train_steps":
                net.train_steps(X, X[:, :1], 200, optimizer=optim.SGD(10.0))
            else:
                net.fit(X, X[:, :1], epochs=200, batch_size=3, optimizer=optim.SGD(10.0), verbose=0,
                        callbacks=[cr.callbacks.Callback()] if call == "fit epoch by epoch" else None)
        messages.append(str(info.value))
        states.append(net.params.copy())
    assert "the loss became inf;" in messages[0]
    assert messages[1] == messages[0]
    np.testing.assert_allclose(states[1], states[0], rtol=1e-12)


def test_callbacks_none_means_none():
    """Keras' default, callbacks=None, was a TypeError from inside fit."""
    history = net2().fit(X, Y, epochs=2, callbacks=None, verbose=0)
    assert len(history.loss) == 2


def test_an_update_that_overflows_is_reported_honestly():
    # finite gradients, but lr * gradient overflows: the weights are not those of a finite step
    class Losses(cr.callbacks.Callback):
        def on_batch_end(self, batch, logs):
            pass

    net = cr.Network([cr.Dense(1, 1, weight_init=1.0)], loss="mse")
    with pytest.raises(errors.TrainingDiverged, match="epoch 1, batch 2: .*previous update overflowed") as info:
        net.fit(np.array([[1.0], [1.0]]), np.array([[0.0], [0.0]]), batch_size=1, shuffle=False,
                optimizer=optim.SGD(1e308), callbacks=[Losses()], verbose=0)
    assert "last finite step" not in str(info.value)


def test_nan_weights_from_the_last_update_are_reported(kernels, tmp_path):
    """fit returned a finite History with NaN weights when the last update made them (Adam with
    eps=0 on an input column of zeros: 0/0); they showed only at predict or save."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 4)), rng.integers(0, 2, size=200)
    X[:, 3] = 0.0
    net = cr.Network([cr.Dense(4, 5, "tanh"), cr.Dense(5, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    with pytest.raises(errors.TrainingDiverged, match=r"training diverged in its last update \(epoch 1\): Adam's "
                                                       r"update with eps=0 divided 0 by 0 where a gradient was 0"):
        net.fit(X, y, epochs=1, batch_size=200, optimizer=optim.Adam(0.01, eps=0.0), verbose=0)   # one update
    # with checkpoints, the same words (it was the checkpoint's "cannot save"), the last one kept
    net = cr.Network([cr.Dense(4, 5, "tanh"), cr.Dense(5, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    kept = {}

    class LastUpdateOverflows(cr.callbacks.Callback):      # as an update that overflows at the end of epoch 2
        def on_epoch_end(self, epoch, logs):
            if epoch == 1:
                kept["file"] = (tmp_path / "ck" / "checkpoint.npz").read_bytes()
                self.network.params[0] = np.nan

    with pytest.raises(errors.TrainingDiverged, match=r"in its last update \(epoch 2\): the previous update "
                                                       r"overflowed, so some weights are NaN or infinite; the "
                                                       r"checkpoint of epoch 1 in .* is kept"):
        net.fit(X, y, epochs=2, batch_size=200, optimizer=optim.Adam(0.01), verbose=0,
                callbacks=[LastUpdateOverflows()], checkpoint_dir=tmp_path / "ck")
    assert (tmp_path / "ck" / "checkpoint.npz").read_bytes() == kept["file"]


def test_train_steps_reports_nan_weights_from_its_last_update_and_names_eps_zero(kernels):
    """train_steps returned a finite loss with NaN weights when its last update made them (fit raised);
    and the messages said 'the previous update overflowed' for Adam's 0/0 with eps=0, where a lower
    learning rate cannot help."""
    X, Y = np.array([[0.0, 1.0], [0.0, 2.0], [0.0, 3.0]]), np.array([[0.1], [0.2], [0.3]])
    eps_zero = "Adam's update with eps=0 divided 0 by 0 where a gradient was 0, so some weights are NaN: set eps > 0"
    net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
    with pytest.raises(errors.TrainingDiverged, match=re.escape(f"in its last update (step 1): {eps_zero}")):
        net.train_steps(X, Y, 1, optimizer=optim.Adam(0.01, eps=0.0))
    for run in (lambda n: n.train_steps(X, Y, 2, optimizer=optim.Adam(0.01, eps=0.0)),
                lambda n: n.fit(X, Y, epochs=3, batch_size=3, optimizer=optim.Adam(0.01, eps=0.0), verbose=0)):
        with pytest.raises(errors.TrainingDiverged, match=re.escape(f"the loss became nan; {eps_zero}")) as info:
            run(cr.Network([cr.Dense(2, 1)], loss="mse", seed=0))
        assert "overflowed" not in str(info.value)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_step_and_train_steps_diverge_without_changing_the_weights():
    net = cr.Network([cr.Dense(1, 1, "sigmoid", weight_init=1.0)], loss="binary_crossentropy")
    before = net.params.copy()
    with pytest.raises(errors.TrainingDiverged, match="the gradient became"):
        net.step(np.array([[1e160]]), np.array([[0.0]]), lr=0.1)
    with pytest.raises(errors.TrainingDiverged):
        net.train_steps(np.array([[1e160]]), np.array([[0.0]]), steps=5)
    np.testing.assert_array_equal(net.params, before)


def test_docs_class_table_names_each_exceptions_real_base():
    """docs/errors.md's first table: each class of chainrule.errors with its base; all are ChainruleError."""
    from pathlib import Path
    doc = (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
    table = doc.split("| class | base | raised when |", 1)[1].split("\n\n", 1)[0]
    rows = [line.split(" | ") for line in table.strip().splitlines()[1:]]
    documented = {}
    for row in rows:
        name, base = row[0].strip("| `"), row[1].strip("`")
        documented[name] = base
        cls = getattr(errors, name)
        assert issubclass(cls, errors.ChainruleError)
        assert base in [b.__name__ for b in cls.__bases__], (name, base, cls.__bases__)
    raised = {n for n, c in vars(errors).items() if isinstance(c, type) and issubclass(c, errors.ChainruleError)}
    assert set(documented) == raised - {"ChainruleError"}


HOLDER = """
import sys
from pathlib import Path
from chainrule.saving.runlock import acquire_output
acquire_output(Path(sys.argv[1]))
print("held", flush=True)
sys.stdin.read()                                  # held until the test closes this pipe
"""


def test_docs_show_the_out_lock_message_as_printed(tmp_path, capsys):
    """docs/errors.md's row "--out in use": the whole line `chainrule train` prints, with the --out file's lock held
    by another live train job (its id, host and time as the lock file names them; predict's and export's refusals,
    the same line, in tests/test_same_out.py)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from chainrule.cli import main
    out = tmp_path / "m.npz"
    csv = tmp_path / "d.csv"
    csv.write_text("a,label\n" + "".join(f"{i / 10},{i % 2}\n" for i in range(20)))
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        lock = json.loads((tmp_path / ".m.npz.lock").read_text())
        code = main(["train", str(csv), "--target", "label", "--epochs", "1", "--out", str(out)])
        err = capsys.readouterr().err
    finally:
        holder.communicate(timeout=30)
    said = err.replace(str(tmp_path), "DIR").replace(
        f"process {lock['pid']} on {lock['host']}, since {lock['since']}",
        "process 1 on vm, since 2026-12-01T10:00:00+00:00")
    doc = (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
    rows = {c[0]: c[2] for c in ([x.strip() for x in line.strip().strip("|").split(" | ")] for line in doc.splitlines())
            if len(c) == 4}
    assert (code, said) == (2, f"chainrule: error: {rows['--out in use']}\n")
    assert not out.exists()


def weights_files():
    """In the current folder: w.npz (save_weights of net2), m.npz (its save), data.npz (np.savez data), one.npz
    (the first layer's weights alone), and, written as save_weights writes but crafted, inf.npz (an infinite W)
    and text.npz (a W of text); trunc.npz, the first half of m.npz; wcut.npz, the first half of w.npz; bomb.npz, w.npz
    with a W compressed from 100 MiB of zeros; many.npz, w.npz with 3000 empty members added."""
    import json
    import zipfile
    net2().save_weights("w.npz")
    net2().save("m.npz")
    np.savez("data.npz", a=np.ones(3))
    cr.Network([cr.Dense(2, 3, "tanh")], seed=0).save_weights("one.npz")
    names = ("0.W", "0.b", "1.W", "1.b")
    header = np.array(json.dumps({"format": 1, "dtype": "float64",
                                  "arrays": [[n, list(w.shape)] for n, w in zip(names, net2().get_weights())]}))
    for name, index, value in (("inf", 2, np.inf), ("text", 0, None)):
        weights = net2().get_weights()
        if value is None:
            weights[index] = np.full(weights[index].shape, "a")
        else:
            weights[index][1, 0] = value
        np.savez(f"{name}.npz", __weights__=header, **dict(zip(names, weights)))
    with open("m.npz", "rb") as f:
        whole = f.read()
    with open("trunc.npz", "wb") as f:
        f.write(whole[:len(whole) // 2])
    with open("w.npz", "rb") as f:
        whole = f.read()
    with open("wcut.npz", "wb") as f:
        f.write(whole[:len(whole) // 2])
    with open("bomb.npz", "wb") as f:
        f.write(weights_zip_bomb(whole))
    with zipfile.ZipFile("w.npz") as src, zipfile.ZipFile("many.npz", "w") as out:
        for name in src.namelist():
            out.writestr(name, src.read(name))
        for i in range(3000):
            out.writestr(f"x{i}.npy", b"")


def nan_net():
    net = net2()
    net.layers[1].W[1, 0] = np.nan
    return net


def checkpoint(path, weights_only):
    net2().fit(X, Y, epochs=1, verbose=0, callbacks=[cr.ModelCheckpoint(path, save_weights_only=weights_only)])


#: save_weights, load_weights, ModelCheckpoint(save_weights_only=True) and load with a weights file: the calls run in
#: a folder of weights_files(), so the file names in the messages are as given
FILE_CASES = [
    ("save_weights name not .npz", lambda: net2().save_weights("w.weights.h5"), errors.ValidationError,
     "save_weights: filepath 'w.weights.h5' must end in .npz"),
    ("save_weights non-finite weights", lambda: nan_net().save_weights("new.npz"), errors.ValidationError,
     r"save_weights: cannot save: the weights contain NaN or infinity, first in W\[1, 0\] of layer 1"),
    ("save_weights overwrite text", lambda: net2().save_weights("w.npz", overwrite="no"), errors.ChainruleTypeError,
     "save_weights: overwrite must be True or False"),
    ("save_weights over a model file", lambda: net2().save_weights("m.npz"), errors.ValidationError,
     "save_weights: 'm.npz' exists and holds a chainrule model, not chainrule weights"),
    ("load_weights array missing", lambda: net2().load_weights("one.npz"), errors.ValidationError,
     r"load_weights: 'one.npz' has no W for layer 1"),
    ("load_weights arrays left over", lambda: cr.Network([cr.Dense(2, 3, "tanh")]).load_weights("w.npz"),
     errors.ValidationError, r"more than the network's 0.W \(2, 3\), 0.b \(3,\): its \['1.W', '1.b'\]"),
    ("load_weights non-finite array", lambda: net2().load_weights("inf.npz"), errors.ModelFileError,
     r"load_weights: 'inf.npz': W\[1, 0\] of layer 1 is inf"),
    ("load_weights text array", lambda: net2().load_weights("text.npz"), errors.ModelFileError,
     "load_weights: 'text.npz': W of layer 0 holds <U1 values, not numbers"),
    ("load_weights of np.savez data", lambda: net2().load_weights("data.npz"), errors.ModelFileError,
     "load_weights: 'data.npz' holds a zip archive chainrule did not write"),
    ("load_weights of a weights file cut short", lambda: net2().load_weights("wcut.npz"), errors.ModelFileError,
     "load_weights: 'wcut.npz' is cut short"),
    ("load_weights zip bomb", lambda: net2().load_weights("bomb.npz"), errors.ModelFileError,
     "load_weights: 'bomb.npz': its compressed members expand from"),
    ("load_weights archive of many members", lambda: net2().load_weights("many.npz"), errors.ModelFileError,
     "load_weights: 'many.npz': the archive lists 3005 members"),
    ("load_weights of a damaged model file", lambda: net2().load_weights("trunc.npz"), errors.ModelFileError,
     "load_weights: 'trunc.npz' is a chainrule model file cut short"),
    ("load_weights of another network's model file", lambda: net2(k=3).load_weights("m.npz"), errors.ValidationError,
     r"load_weights: layer 1 .*: W has shape \(3, 2\) in 'm.npz', the network's is \(3, 3\)"),
    ("load of a weights file", lambda: cr.load("w.npz"), errors.ModelFileError,
     "'w.npz' holds chainrule weights .*, not a whole model: read them with Network.load_weights"),
    ("load of np.savez arrays", lambda: cr.load("data.npz"), errors.ModelFileError,
     r"'data.npz' is not a chainrule model file: it is a NumPy archive of arrays \(a; np.savez\)"),
    ("ModelCheckpoint weights name not .npz", lambda: checkpoint("ck.weights.h5", True), errors.ValidationError,
     r"ModelCheckpoint: filepath 'ck.weights.h5' \(save_weights_only=True\) must end in .npz"),
    ("ModelCheckpoint weights over a model file", lambda: checkpoint("m.npz", True), errors.ValidationError,
     "ModelCheckpoint: 'm.npz' exists and holds a chainrule model, not chainrule weights"),
    ("ModelCheckpoint model over a weights file", lambda: checkpoint("w.npz", False), errors.ValidationError,
     r"ModelCheckpoint: 'w.npz' exists and holds chainrule weights \(save_weights\), not a chainrule model"),
]


@pytest.mark.parametrize("case", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_weights_files_refusals_as_docs_show_them(case, tmp_path, monkeypatch):
    """Each row of docs/errors.md for weights files is what its call raises, whole; the files are left as they were."""
    from pathlib import Path
    name, call, exc, pattern = case
    monkeypatch.chdir(tmp_path)
    weights_files()
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(exc, match=pattern) as info:
        call()
    assert _as_documented(_documented_messages()[name], str(info.value))
    assert f"| {name} | `{exc.__name__}` |" in (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


# -- a sweep's Dask errors: docs/errors.md's table "A sweep on a Dask cluster", its addresses written
# tcp://127.0.0.1:PORT; the fast cases are run here (a real server on 127.0.0.1), the lost scheduler and worker in
# tests/test_sweep_scheduler_lost.py and tests/test_sweep_workers_lost.py, against the same rows
def dask_documented(case: str, address: str = "tcp://127.0.0.1:PORT", port: str = "PORT") -> str:
    """The message docs/errors.md gives for a sweep's Dask error, with the real address and port put in."""
    from pathlib import Path
    doc = (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
    table = doc.split("## A sweep on a Dask cluster", 1)[1].split("\n## ", 1)[0]
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 4 and cells[0] == case:
            return cells[2].replace("tcp://127.0.0.1:PORT", address).replace("port PORT", f"port {port}")
    raise AssertionError(f"docs/errors.md has no row {case!r} in 'A sweep on a Dask cluster'")


def _ssh(conn):
    conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")


def _silent(conn):
    conn.settimeout(5)
    conn.recv(1024)


@pytest.mark.parametrize("case, reply", [("nothing listens at the scheduler's address", None),
                                         ("another server at the scheduler's address", _ssh),
                                         ("a silent server at the scheduler's address", _silent)])
def test_a_sweeps_dask_errors_are_documented_as_raised(case, reply, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    import contextlib
    import socket

    from servers import serving

    from chainrule.sweep import run_sweep
    monkeypatch.setattr("chainrule.sweep_tasks.CONNECT_SECONDS", 0.5)     # the docs' 10 s, the client's timeout
    (tmp_path / "d.csv").write_text("x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(8)))
    with contextlib.ExitStack() as stack:
        if reply is None:
            with socket.socket() as s:           # a port just freed: nothing listens there
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        else:
            port = stack.enter_context(serving(reply))
        address = f"tcp://127.0.0.1:{port}"
        with pytest.raises(errors.ValidationError) as info:
            run_sweep(tmp_path / "d.csv", "y", "hidden=2", scheduler=address, cv=2, epochs=1)
    assert str(info.value).replace(" 0.5 s", " 10 s") == dask_documented(case, address, str(port))


def test_a_workers_address_given_as_the_scheduler_is_documented_as_raised(tmp_path):
    distributed = pytest.importorskip("distributed")
    from chainrule.sweep import run_sweep
    (tmp_path / "d.csv").write_text("x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(8)))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        worker = next(iter(cluster.scheduler.workers))
        with pytest.raises(errors.ValidationError) as info:
            run_sweep(tmp_path / "d.csv", "y", "hidden=2", scheduler=worker, cv=2, epochs=1)
    assert str(info.value) == dask_documented("a worker's address given as the scheduler's", worker)


def test_a_scheduler_without_workers_is_documented_as_raised(tmp_path, monkeypatch):
    """A real scheduler with no worker: the sweep waits CHAINRULE_DASK_WAIT seconds (1 here, the docs' 30 unset)."""
    distributed = pytest.importorskip("distributed")
    from chainrule.sweep import run_sweep
    (tmp_path / "d.csv").write_text("x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(8)))
    monkeypatch.setenv("CHAINRULE_DASK_WAIT", "1")
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        with pytest.raises(errors.ValidationError) as info:
            run_sweep(tmp_path / "d.csv", "y", "hidden=2", scheduler=address, cv=2, epochs=1)
    assert str(info.value).replace("waited 1 s", "waited 30 s") == dask_documented("a scheduler without workers",
                                                                                   address)


@pytest.mark.parametrize("value", ["0", "-1", "nan", "soon"])
def test_a_dask_wait_that_is_not_seconds_is_refused_naming_the_variable(value, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from chainrule.sweep import run_sweep
    (tmp_path / "d.csv").write_text("x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(8)))
    monkeypatch.setenv("CHAINRULE_DASK_WAIT", value)
    with pytest.raises(errors.ValidationError, match=f"CHAINRULE_DASK_WAIT must be a number of seconds above 0 "
                                                     f"\\(or inf\\); got '{value}'"):
        run_sweep(tmp_path / "d.csv", "y", "hidden=2", scheduler="tcp://127.0.0.1:1", cv=2, epochs=1)


@pytest.mark.parametrize("value, seconds", [(" 2 ", 2.0), ("1e400", float("inf")), ("inf", float("inf")), ("", 30.0)])
def test_the_dask_wait_and_the_mpi_timeout_read_seconds_by_one_rule(value, seconds, monkeypatch):
    """CHAINRULE_DASK_WAIT is read as CHAINRULE_MPI_TIMEOUT is (float's reading, blank as unset), by the same code."""
    from chainrule.sweep_tasks import wait_s
    from chainrule.training.meeting import timeout_s
    monkeypatch.setenv("CHAINRULE_DASK_WAIT", value)
    monkeypatch.setenv("CHAINRULE_MPI_TIMEOUT", value)
    assert wait_s() == seconds and timeout_s() == (seconds if value else 600.0)


# -- options that do not go together: docs/errors.md's table under "The command line", each command run as a user
def documented_option_refusals() -> list[tuple[str, str, str]]:
    """(case, command, message) of the table "Options that do not go together" in docs/errors.md."""
    doc = (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
    table = doc.split("Options that do not go together", 1)[1].split("\n\n", 2)[1]
    rows = [[c.strip() for c in line.strip().strip("|").split(" | ")] for line in table.splitlines()[2:]]
    return [(case, command.strip("`"), message) for case, command, message in rows]


@pytest.mark.parametrize("case, command, message", documented_option_refusals(),
                         ids=[row[0] for row in documented_option_refusals()])
def test_options_that_do_not_go_together_are_documented_as_printed(case, command, message, tmp_path, monkeypatch):
    """sweep's options beside the grid's and train's --chunk-rows without --stream were refused without a row here."""
    import shlex

    from conftest import cmd
    monkeypatch.chdir(tmp_path)
    assert cmd("data", "iris.csv").returncode == 0
    r = cmd(*shlex.split(command)[1:])
    name = shlex.split(command)[1]          # said as argparse says a usage error: the command's usage first
    assert r.returncode == 2 and r.stderr.startswith(f"usage: chainrule {name} "), r.stderr
    assert r.stderr.splitlines()[-1] == f"chainrule {name}: error: {message}", r.stderr
    assert not (tmp_path / "m.npz").exists()


def test_the_option_table_has_the_rows_once_missing():
    """sweep's options beside the grid's (and its --class-weight), train's --chunk-rows without --stream."""
    cases = [row[0] for row in documented_option_refusals()]
    for case in ("--epochs beside the grid's epochs", "--batch-size beside the grid's batch",
                 "--dtype beside the grid's dtype", "--class-weight beside the grid's class_weight",
                 "--chunk-rows without --stream"):
        assert case in cases
