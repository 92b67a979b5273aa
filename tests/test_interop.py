"""Networks from PyTorch, scikit-learn, Keras and ONNX (and back to PyTorch), each checked against
the other library's own runtime: outputs, gradients, and scikit-learn's own training step."""
import copy
import os
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.saving.interop import (  # noqa: E402
    SklearnSolver,
    from_keras,
    from_onnx,
    from_sklearn,
    from_torch,
    load_foreign,
    to_torch,
)

pytestmark = [pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
              pytest.mark.filterwarnings("ignore:You are using the legacy TorchScript-based ONNX export"),
              pytest.mark.filterwarnings("ignore:The feature will be removed:DeprecationWarning"),
              pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy:DeprecationWarning")]
TOL = {"float64": 1e-12, "float32": 1e-6}
TORCH_DTYPE = {"float64": torch.float64, "float32": torch.float32}


def torch_loss(name, out, Y):
    """chainrule's losses written in PyTorch (the independent side of the gradient check)."""
    n = out.shape[0]
    if name == "sse":
        return 0.5 * ((Y - out) ** 2).sum() / n
    if name == "mse":
        return nn.functional.mse_loss(out, Y)
    if name == "binary_crossentropy":
        return nn.functional.binary_cross_entropy(out, Y)
    return -(Y * torch.log(out)).sum() / n


def torch_grads(module, X, Y, loss):
    module.zero_grad()
    torch_loss(loss, module(torch.from_numpy(X)), torch.from_numpy(Y)).backward()
    return [p.grad.numpy() for p in module.parameters()]


def assert_close(a, b, dtype):
    np.testing.assert_allclose(a, b, rtol=TOL[dtype], atol=TOL[dtype])


# -- PyTorch -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_from_torch_outputs_and_gradients(dtype):
    torch.manual_seed(0)
    module = nn.Sequential(nn.Linear(4, 8), nn.Sigmoid(), nn.Dropout(0.2), nn.Linear(8, 7), nn.Tanh(),
                           nn.Sequential(nn.Linear(7, 6), nn.LeakyReLU(0.2)), nn.Linear(6, 5), nn.ReLU(),
                           nn.Identity(), nn.Linear(5, 5), nn.Linear(5, 3), nn.Softmax(dim=-1)).to(TORCH_DTYPE[dtype])
    net = from_torch(module)
    assert [type(layer).__name__ for layer in net.layers] == ["Dense", "Dropout"] + ["Dense"] * 5
    assert [layer.activation.name for layer in net.dense_layers] == ["sigmoid", "tanh", "leaky_relu", "relu",
                                                                      "linear", "softmax"]
    assert net.loss_function.name == "categorical_crossentropy" and net.dtype == np.dtype(dtype)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 4)).astype(dtype)
    Y = np.eye(3, dtype=dtype)[rng.integers(0, 3, size=20)]
    module.eval()
    with torch.no_grad():
        assert_close(net.predict(X), module(torch.from_numpy(X)).numpy(), dtype)
    ours = [g for pair in net.gradients(X, Y) for g in pair]
    theirs = torch_grads(module, X, Y, "categorical_crossentropy")
    for a, b in zip(ours, theirs):
        assert_close(a, b.T if b.ndim == 2 else b, dtype)


@pytest.mark.parametrize("loss", ["sse", "mse", "binary_crossentropy", "categorical_crossentropy"])
def test_to_torch_equal_outputs_and_gradients_float64(loss):
    out_act = {"binary_crossentropy": "sigmoid", "categorical_crossentropy": "softmax"}.get(loss, "tanh")
    net = cr.Network([cr.Dense(3, 6, "relu", bias_init="normal"), cr.Dense(6, 5, {"name": "leaky_relu", "alpha": 0.3}),
                      cr.Dropout(0.5), cr.Dense(5, 4, "sigmoid"), cr.Dense(4, 4, "linear", bias_init="normal"),
                      cr.Dense(4, 3, out_act)], loss=loss, seed=1)
    module = to_torch(net).eval()
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 3))
    Y = np.eye(3)[rng.integers(0, 3, size=30)] if loss.endswith("crossentropy") else rng.normal(size=(30, 3))
    with torch.no_grad():
        np.testing.assert_allclose(module(torch.from_numpy(X)).numpy(), net.predict(X), rtol=1e-12, atol=1e-12)
    ours = [g for pair in net.gradients(X, Y) for g in pair]
    theirs = torch_grads(module, X, Y, loss)
    assert len(ours) == len(theirs) == 10
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b.T if b.ndim == 2 else b, rtol=1e-12, atol=1e-14)
    back = from_torch(module, loss=loss)        # and back again: the very same weights
    for a, b in zip(back.get_weights(), net.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_frozen_parameters_and_missing_bias_travel():
    module = nn.Sequential(nn.Linear(2, 3, bias=False), nn.Tanh(), nn.Linear(3, 1)).double()
    module[2].weight.requires_grad_(False)
    net = from_torch(module)
    assert net.layers[0].trainable_params == {"W": True, "b": False}
    assert net.layers[1].trainable_params == {"W": False, "b": True}
    np.testing.assert_array_equal(net.layers[0].b, 0.0)
    back = to_torch(net)
    assert back[0].bias is None                       # no bias in the source: none given back
    assert [p.requires_grad for p in back.parameters()] == [True, False, True]
    net32 = cr.Network([cr.Dense(2, 2, "sigmoid")], dtype="float32")
    assert to_torch(net32)[0].weight.dtype == torch.float32


def test_from_torch_refuses_naming_the_layer():
    with pytest.raises(cr.errors.ValidationError, match=r"layer 1 \(Conv1d\) has no chainrule form"):
        from_torch(nn.Sequential(nn.Linear(2, 2), nn.Conv1d(1, 1, 1)))
    with pytest.raises(cr.errors.ValidationError, match=r"layer 3\.1 \(GELU\) has no chainrule form"):
        from_torch(nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2),
                                 nn.Sequential(nn.Linear(2, 2), nn.GELU())))
    with pytest.raises(cr.errors.ValidationError, match=r"layer 0 \(ReLU\) does not follow a dense layer"):
        from_torch(nn.Sequential(nn.ReLU(), nn.Linear(2, 2)))
    with pytest.raises(cr.errors.ValidationError, match=r"layer 2 \(Tanh\) does not follow a dense layer"):
        from_torch(nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Tanh()))
    with pytest.raises(cr.errors.ValidationError, match="softmax over dim=0"):
        from_torch(nn.Sequential(nn.Linear(2, 2), nn.Softmax(dim=0)))
    with pytest.raises(cr.errors.ChainruleTypeError, match="torch.nn.Sequential"):
        from_torch(nn.Linear(2, 2))
    with pytest.raises(cr.errors.ValidationError, match=r"parameter .0.weight. is torch.float16; .* float32 or"):
        from_torch(nn.Sequential(nn.Linear(2, 2).half()))


# -- scikit-learn ----------------------------------------------------------------------------------------
sk_datasets = pytest.importorskip("sklearn.datasets")
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402


def sk_flat(est):
    return np.concatenate([np.ravel(a) for W, b in zip(est.coefs_, est.intercepts_) for a in (W, b)])


def sk_targets(est, y):
    """y as chainrule's targets: one-hot rows of sklearn's classes (binary: one column)."""
    if isinstance(est, MLPRegressor):
        return np.asarray(y, dtype=float).reshape(len(y), -1)
    return est._label_binarizer.transform(y).astype(float)


def check_forward(est, X):
    net = from_sklearn(est)
    out = net.predict(X)
    if isinstance(est, MLPRegressor):
        np.testing.assert_allclose(out, est.predict(X).reshape(len(X), -1), rtol=1e-12, atol=1e-12)
    else:
        proba = est.predict_proba(X)
        np.testing.assert_allclose(out, proba[:, 1:] if out.shape[1] == 1 and proba.shape[1] == 2 else proba,
                                   rtol=1e-12, atol=1e-12)
    return net


def check_steps(est, X, y, steps=1, batch_size=None):
    """`steps` epochs of chainrule (no shuffling) against as many partial_fit calls of sklearn."""
    est = copy.deepcopy(est)
    if batch_size is not None:
        est.set_params(batch_size=batch_size, shuffle=False)    # sklearn's batches, in order
    net = from_sklearn(est)
    Y = sk_targets(est, y)
    net.fit(X, Y, epochs=steps, batch_size=batch_size or len(X), shuffle=False, verbose=0,
            optimizer=SklearnSolver(net, est))
    for _ in range(steps):
        est.partial_fit(X, y)
    assert np.abs(sk_flat(est) - from_sklearn(copy.deepcopy(est)).params).max() == 0   # the same layout
    np.testing.assert_allclose(net.params, sk_flat(est), rtol=1e-12, atol=1e-13)


@pytest.fixture(scope="module")
def iris():
    X, y = sk_datasets.load_iris(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


def test_saving_with_sklearn_solver_says_to_swap_in_its_inner_optimizer(iris, tmp_path):
    X, y = iris
    est = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(X, y)
    net = from_sklearn(est)
    net.fit(X, sk_targets(est, y), epochs=1, verbose=0, optimizer=SklearnSolver(net, est))
    with pytest.raises(cr.errors.ChainruleTypeError, match=r"set net.optimizer = net.optimizer.inner"):
        net.save(tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()
    net.optimizer = net.optimizer.inner
    net.save(tmp_path / "m.npz")
    again = cr.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(again.params, net.params)
    assert type(again.optimizer) is type(net.optimizer) and again.optimizer.t == net.optimizer.t


def test_sklearn_multiclass_adam(iris):
    X, y = iris
    est = MLPClassifier(hidden_layer_sizes=(8, 6), activation="relu", alpha=1e-2, max_iter=30, random_state=0).fit(X, y)
    net = check_forward(est, X)
    assert net.loss_function.name == "categorical_crossentropy"
    np.testing.assert_array_equal(est.classes_[net.predict(X).argmax(1)], est.predict(X))
    check_steps(est, X[:100], y[:100], steps=3)
    check_steps(est, X, y, steps=2, batch_size=40)          # sklearn's batches of 40, the last one of 30


def test_sklearn_binary_sgd_nesterov(iris):
    X, y = iris
    y2 = np.array(["a", "b"])[(y == 2).astype(int)]
    est = MLPClassifier(hidden_layer_sizes=(5,), activation="tanh", solver="sgd", momentum=0.8, nesterovs_momentum=True,
                        learning_rate_init=0.05, alpha=3e-3, max_iter=20, batch_size=50, random_state=1).fit(X, y2)
    net = check_forward(est, X)
    assert net.n_outputs == 1 and net.loss_function.name == "binary_crossentropy"
    check_steps(est, X[:50], y2[:50], steps=2)


def test_sklearn_regressor_sgd_two_outputs():
    X, y = sk_datasets.make_regression(120, 5, n_targets=2, noise=0.1, random_state=0)
    y /= y.std(0)
    est = MLPRegressor(hidden_layer_sizes=(7,), activation="logistic", solver="sgd", momentum=0.9,
                       nesterovs_momentum=False, learning_rate_init=0.01, alpha=1e-3, max_iter=15,
                       random_state=0).fit(X, y)
    net = check_forward(est, X)
    assert net.loss_function.name == "sse"
    check_steps(est, X, y, steps=2)


def test_sklearn_multilabel_and_identity(iris):
    X, y = iris
    Y = np.stack([y == 0, y == 2, X[:, 0] > 0], axis=1).astype(int)
    est = MLPClassifier(hidden_layer_sizes=(6,), activation="identity", alpha=1e-3, max_iter=20,
                        random_state=2).fit(X, Y)
    net = check_forward(est, X)
    assert net.n_outputs == 3 and net.layers[-1].activation.name == "sigmoid"
    check_steps(est, X[:60], Y[:60])


def test_sklearn_lbfgs_has_no_solver_to_continue(iris):
    X, y = iris
    est = MLPClassifier(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=50, random_state=0).fit(X, y)
    net = check_forward(est, X)
    assert net.optimizer is None                             # lbfgs has no partial_fit
    with pytest.raises(cr.errors.ValidationError, match="solver='lbfgs' has no partial_fit step"):
        SklearnSolver(net, est)


def test_sklearn_state_travels_in_chainrules_own_optimizer(iris, tmp_path):
    X, y = iris
    # SGD without L2: chainrule's own SGD, with sklearn's velocity as its momentum buffer, is sklearn's step
    est = MLPClassifier(hidden_layer_sizes=(5,), solver="sgd", alpha=0.0, learning_rate_init=0.05, max_iter=10,
                        random_state=0).fit(X, y)
    net = from_sklearn(est)
    assert type(net.optimizer) is cr.optim.SGD and net.optimizer.nesterov
    net.fit(X, sk_targets(est, y), epochs=1, batch_size=len(X), shuffle=False, verbose=0)
    est.partial_fit(X, y)
    np.testing.assert_allclose(net.params, sk_flat(est), rtol=1e-12, atol=1e-13)
    # Adam: its moments and step count are saved with the network like any chainrule optimizer's
    est = MLPClassifier(hidden_layer_sizes=(5,), max_iter=10, random_state=0).fit(X, y)
    net = from_sklearn(est)
    net.save(tmp_path / "m.npz")
    back = cr.load(tmp_path / "m.npz")
    assert type(back.optimizer) is cr.optim.Adam and back.optimizer.t == est._optimizer.t > 0
    np.testing.assert_array_equal(back.optimizer.state["exp_avg_sq"], sk_flat_of(est._optimizer.vs))


def sk_flat_of(per_param):
    n = len(per_param) // 2
    return np.concatenate([np.ravel(a) for i in range(n) for a in (per_param[i], per_param[n + i])])


def test_sklearn_float32(iris):
    X, y = iris[0].astype(np.float32), iris[1]
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=50, random_state=0).fit(X, y)
    net = from_sklearn(est)
    assert net.dtype == np.float32 and est.coefs_[0].dtype == np.float32
    np.testing.assert_allclose(net.predict(X), est.predict_proba(X), rtol=1e-6, atol=1e-6)
    net.fit(X, sk_targets(est, y).astype(np.float32), epochs=1, batch_size=len(X), shuffle=False, verbose=0,
            optimizer=SklearnSolver(net, est))
    est.partial_fit(X, y)
    np.testing.assert_allclose(net.params, sk_flat(est), rtol=1e-5, atol=1e-6)


def test_from_sklearn_refusals(iris):
    from sklearn.linear_model import LogisticRegression
    with pytest.raises(cr.errors.ChainruleTypeError, match="MLPClassifier or MLPRegressor; got LogisticRegression"):
        from_sklearn(LogisticRegression())
    with pytest.raises(cr.errors.ValidationError, match="not fitted"):
        from_sklearn(MLPClassifier())
    X, y = iris
    if "poisson" in MLPRegressor._parameter_constraints["loss"][0].options:
        est = MLPRegressor(hidden_layer_sizes=(3,), loss="poisson", max_iter=5).fit(X, y + 1.0)
        with pytest.raises(cr.errors.ValidationError, match="output activation 'exp' has no chainrule form"):
            from_sklearn(est)


# -- Keras ---------------------------------------------------------------------------------------------
os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
kl = keras.layers


def keras_mlp(dtype):
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input(shape=(4,), dtype=dtype), kl.Dense(8, "relu", dtype=dtype),
                             kl.Dropout(0.3, dtype=dtype), kl.Dense(7, "tanh", dtype=dtype),
                             kl.Dense(6, "sigmoid", dtype=dtype), kl.Dense(5, dtype=dtype),
                             kl.LeakyReLU(0.3, dtype=dtype),
                             kl.Dense(4, "leaky_relu", dtype=dtype), kl.Dense(4, use_bias=False, dtype=dtype),
                             kl.Activation("relu", dtype=dtype), kl.Dense(3, "softmax", dtype=dtype)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_from_keras_equals_predict(dtype, tmp_path):
    model = keras_mlp(dtype)
    assert keras.backend.backend() == "torch"
    net = from_keras(model)
    assert net.dtype == np.dtype(dtype)
    assert [layer.activation.name for layer in net.dense_layers] == ["relu", "tanh", "sigmoid", "leaky_relu",
                                                                      "leaky_relu", "relu", "softmax"]
    assert [layer.activation.alpha for layer in net.dense_layers[3:5]] == pytest.approx([0.3, 0.2])
    X = np.random.default_rng(0).normal(scale=2.0, size=(40, 4)).astype(dtype)
    # Keras 3 on torch multiplies float64 matrices in float32 (its result_type demotes float64 on every
    # backend but TensorFlow: keras-team/keras#23223, #23704), so its float64 outputs hold float32 digits
    np.testing.assert_allclose(net.predict(X), model.predict(X, verbose=0), rtol=1e-6, atol=1e-6)
    path = tmp_path / "m.keras"
    model.save(path)
    again = load_foreign(path)
    for a, b in zip(again.get_weights(), net.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_from_keras_refusals():
    with pytest.raises(cr.errors.ValidationError, match=r"layer 1 \(Dense 'd'\) uses the activation 'gelu'"):
        from_keras(keras.Sequential([keras.Input(shape=(2,)), kl.Dense(2), kl.Dense(2, "gelu", name="d")]))
    with pytest.raises(cr.errors.ValidationError, match=r"layer 1 \(BatchNormalization"):
        from_keras(keras.Sequential([keras.Input(shape=(2,)), kl.Dense(2), kl.BatchNormalization()]))
    with pytest.raises(cr.errors.ValidationError, match="not built"):
        from_keras(keras.Sequential([kl.Dense(2)]))
    inp = keras.Input(shape=(2,))
    with pytest.raises(cr.errors.ChainruleTypeError, match="keras.Sequential"):
        from_keras(keras.Model(inp, kl.Dense(1)(inp)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_from_keras_merges_a_lora_update_as_keras_computes_it(dtype, tmp_path):
    """A Dense layer with LoRA computes x @ (kernel + lora_alpha / lora_rank * lora_kernel_a @ lora_kernel_b);
    the base kernel alone was off by about 1.7."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(4,), dtype=dtype), kl.Dense(6, "tanh", dtype=dtype),
                              kl.Dense(5, "relu", use_bias=False, dtype=dtype), kl.Dense(3, dtype=dtype)])
    model.layers[0].enable_lora(2)                                       # lora_alpha = rank: scale 1
    model.layers[1].enable_lora(3, lora_alpha=12)                        # scale 4
    rng = np.random.default_rng(1)
    for layer in model.layers[:2]:                                       # lora_kernel_b starts at zeros
        layer.lora_kernel_b.assign(rng.normal(size=tuple(layer.lora_kernel_b.shape)).astype("float32"))
    X = rng.normal(size=(30, 4)).astype(dtype)
    net = from_keras(model)
    assert net.dtype == np.dtype(dtype)
    base = keras.Sequential([keras.Input(shape=(4,), dtype=dtype), kl.Dense(6, "tanh", dtype=dtype),
                             kl.Dense(5, "relu", use_bias=False, dtype=dtype), kl.Dense(3, dtype=dtype)])
    base.set_weights([w for layer in model.layers for w in layer.get_weights()[:2 if layer.use_bias else 1]])
    assert np.abs(base.predict(X, verbose=0) - model.predict(X, verbose=0)).max() > 0.1    # LoRA changes the outputs
    np.testing.assert_allclose(net.predict(X), model.predict(X, verbose=0), rtol=1e-5, atol=1e-5)
    model.save(tmp_path / "lora.keras")                                  # Keras saves the merged kernel
    np.testing.assert_allclose(load_foreign(tmp_path / "lora.keras").predict(X), net.predict(X), rtol=1e-5, atol=1e-5)


@pytest.mark.filterwarnings("ignore:Layer InputLayer does not have a `quantize` method")
def test_from_keras_refuses_quantized_dense_layers():
    """int8 and int4 layers hold an integer kernel and a scale (was an IndexError); float8 ones round
    the inputs and kernel to float8 on every call (was imported silently, off by 0.06)."""
    for mode in ("int8", "int4", "float8"):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input(shape=(4,)), kl.Dense(6, "tanh"), kl.Dense(3)])
        model.quantize(mode)
        assert model.layers[0].quantization_mode == mode
        with pytest.raises(cr.errors.ValidationError,
                           match=rf"layer 0 \(Dense 'dense(_\d+)?'\) is quantized \({mode}\)"):
            from_keras(model)


def test_from_keras_mixed_precision_imports_the_float32_weights():
    """mixed_float16 keeps float32 weights and computes in float16: the import is the float32 network,
    which Keras' own outputs approximate to float16 precision."""
    keras.utils.set_random_seed(0)
    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        model = keras.Sequential([keras.Input(shape=(4,)), kl.Dense(8, "relu"), kl.Dense(3, "softmax")])
    finally:
        keras.config.set_dtype_policy(before)
    assert model.layers[0].compute_dtype == "float16"
    net = from_keras(model)
    assert net.dtype == np.float32
    for ours, theirs in zip(net.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
    X = np.random.default_rng(0).normal(size=(20, 4)).astype("float32")
    np.testing.assert_allclose(net.predict(X), model.predict(X, verbose=0), rtol=0, atol=2e-3)


def _scaled_relu(x):
    return keras.ops.relu(x) * 2


class _Doubled:
    def __call__(self, x):
        return x * 2


def test_from_keras_refuses_ones_own_activations_naming_the_layer_and_the_function():
    """A function Keras cannot serialize (a NumPy ufunc, a callable object, functools.partial, a lambda)
    raised AttributeError or TypeError, or named the activation None or 'function'."""
    import functools
    registered = keras.saving.register_keras_serializable(package="mine")(_scaled_relu)
    cases = [(np.tanh, "tanh"), (_Doubled(), "_Doubled"), (lambda x: x * 2, "<lambda>"),
             (functools.partial(keras.activations.relu, negative_slope=0.1), "partial"),
             (registered, "_scaled_relu")]
    for fn, label in cases:
        for i, layer in enumerate([kl.Dense(3, activation=fn, name="d"), kl.Activation(fn, name="a")]):
            model = keras.Sequential([keras.Input(shape=(4,))] + ([kl.Dense(3)] if i else []) + [layer])
            where = r"layer 0 \(Dense 'd'\)" if i == 0 else r"layer 1 \(Activation 'a'\)"
            with pytest.raises(cr.errors.ValidationError,
                               match=rf"{where} uses its own activation function '{re.escape(label)}'"):
                from_keras(model)
    # Keras' own activations chainrule has no form for are named as Keras names them
    with pytest.raises(cr.errors.ValidationError, match=r"uses the activation 'relu6', which has no chainrule form"):
        from_keras(keras.Sequential([keras.Input(shape=(4,)), kl.Dense(3, activation="relu6")]))


# -- ONNX ----------------------------------------------------------------------------------------------
onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402


def run_onnx(model_or_path, X):
    source = model_or_path.SerializeToString() if isinstance(model_or_path, onnx.ModelProto) else str(model_or_path)
    s = ort.InferenceSession(source, providers=["CPUExecutionProvider"])
    return s.run(None, {s.get_inputs()[0].name: X})[0]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_from_onnx_round_trip_of_to_onnx(dtype, tmp_path):
    from chainrule.saving.onnx import to_onnx  # noqa: E402
    net = cr.Network([cr.Dense(3, 5, "sigmoid", bias_init="normal"), cr.Dropout(0.25), cr.Dense(5, 4, "leaky_relu"),
                      cr.Dense(4, 4, "tanh"), cr.Dense(4, 4), cr.Dense(4, 2, "softmax")], dtype=dtype, seed=3)
    to_onnx(net, tmp_path / "n.onnx")
    back = load_foreign(tmp_path / "n.onnx")
    assert back.config()["layers"] == net.config()["layers"]
    for a, b in zip(back.get_weights(), net.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_from_onnx_of_pytorch_export(dtype, tmp_path):
    torch.manual_seed(1)
    # onnxruntime has no float64 LeakyRelu kernel at the opset PyTorch writes: the float64 module has Tanh there
    middle = nn.LeakyReLU(0.05) if dtype == "float32" else nn.Tanh()
    module = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 5), middle, nn.Linear(5, 3),
                           nn.Sigmoid()).to(TORCH_DTYPE[dtype]).eval()
    path = tmp_path / "torch.onnx"
    torch.onnx.export(module, (torch.zeros(2, 4, dtype=TORCH_DTYPE[dtype]),), path, dynamo=False,
                      input_names=["x"], dynamic_axes={"x": {0: "N"}})
    assert "Gemm" in {n.op_type for n in onnx.load(path).graph.node}
    net = from_onnx(path)
    assert net.dtype == np.dtype(dtype)
    X = np.random.default_rng(2).normal(size=(25, 4)).astype(dtype)
    assert_close(net.predict(X), run_onnx(path, X), dtype)
    with torch.no_grad():
        assert_close(net.predict(X), module(torch.from_numpy(X)).numpy(), dtype)


def matmul_add_graph(extra_node=None):
    """A float32 MLP written as MatMul + Add (as converters from Keras/TensorFlow write it)."""
    rng = np.random.default_rng(3)
    W1, b1 = rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=(4,)).astype(np.float32)
    W2, b2 = rng.normal(size=(4, 2)).astype(np.float32), rng.normal(size=(1, 2)).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["h1"]), helper.make_node("Add", ["h1", "b1"], ["z1"]),
             helper.make_node("LeakyRelu", ["z1"], ["a1"], alpha=0.25),
             helper.make_node("MatMul", ["a1", "W2"], ["h2"]), helper.make_node("Add", ["b2", "h2"], ["z2"]),
             helper.make_node("Softmax", ["z2"], ["y"], axis=-1)]
    if extra_node is not None:
        nodes.insert(3, extra_node)
    inits = [numpy_helper.from_array(a, n) for a, n in ((W1, "W1"), (b1, "b1"), (W2, "W2"), (b2, "b2"))]
    graph = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def test_from_onnx_matmul_add():
    model = matmul_add_graph()
    onnx.checker.check_model(model, full_check=True)
    net = from_onnx(model)
    assert net.dtype == np.float32 and net.layers[0].activation.alpha == pytest.approx(0.25)
    X = np.random.default_rng(4).normal(size=(30, 3)).astype(np.float32)
    np.testing.assert_allclose(net.predict(X), run_onnx(model, X), rtol=1e-6, atol=1e-6)


def test_from_onnx_refuses_naming_the_operator(tmp_path):
    model = matmul_add_graph(helper.make_node("Exp", ["a1"], ["e1"]))
    with pytest.raises(cr.errors.ValidationError, match=r"node 3 '' \(Exp\) has no chainrule form"):
        from_onnx(model)
    from chainrule.saving.onnx import to_onnx
    net = cr.Network([cr.Dense(2, 2)])
    path = tmp_path / "bad.onnx"
    path.write_bytes(b"not a protobuf")
    with pytest.raises(cr.errors.ModelFileError, match="not a valid ONNX model"):
        from_onnx(path)
    with pytest.raises(cr.errors.ModelFileError, match="does not exist"):
        load_foreign(tmp_path / "missing.onnx")
    to_onnx(net, tmp_path / "ok.onnx")
    (tmp_path / "model.pt").write_bytes(b"x")
    with pytest.raises(cr.errors.ValidationError, match="pickled code, which chainrule never loads"):
        load_foreign(tmp_path / "model.pt")
    (tmp_path / "model.h5").write_bytes(b"x")
    with pytest.raises(cr.errors.ValidationError, match="unknown model file type '.h5'"):
        load_foreign(tmp_path / "model.h5")


ORT_REFUSES = (ort.capi.onnxruntime_pybind11_state.Fail, ort.capi.onnxruntime_pybind11_state.InvalidArgument,
               ort.capi.onnxruntime_pybind11_state.InvalidGraph)


def gemm_graph(nodes, inits, n_in=3, opset=17):
    """A float32 graph x (N, n_in) -> y (N, 4) of `nodes`, with W (3, 4) and b (4,) among its initializers."""
    rng = np.random.default_rng(5)
    inits = [numpy_helper.from_array(rng.normal(size=(3, 4)).astype(np.float32), "W"),
             numpy_helper.from_array(rng.normal(size=(4,)).astype(np.float32), "b"), *inits]
    graph = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", n_in])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=8)


def test_from_onnx_checks_an_in_memory_model_as_it_checks_a_file(tmp_path):
    """onnx.checker ran on files only: a malformed ModelProto failed with IndexError or ValueError, or with a
    message about the chain of layers instead of the missing initializer."""
    short = numpy_helper.from_array(np.ones((3, 4), np.float32), "W")
    short.raw_data = b"\0" * 8                                         # 2 floats for a (3, 4) tensor
    cases = [(gemm_graph([helper.make_node("Gemm", ["x", "W_missing", "b"], ["y"])], []), "'W_missing'"),
             (gemm_graph([helper.make_node("Gemm", ["x"], ["y"])], []), "input size 1 not in range"),
             (gemm_graph([helper.make_node("Gemm", ["x", "W", "b"], []),
                          helper.make_node("Identity", ["x"], ["y"])], []), "output size 0 not in range")]
    broken = gemm_graph([helper.make_node("Gemm", ["x", "W"], ["y"])], [])
    broken.graph.initializer[0].CopyFrom(short)
    cases.append((broken, "raw_data size"))
    for model, what in cases:
        with pytest.raises(ORT_REFUSES):                               # neither ONNX Runtime nor the checker takes it
            ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        with pytest.raises(cr.errors.ValidationError, match=rf"the ONNX model is not a valid ONNX model "
                                                            rf"\(onnx.checker\): ValidationError: .*{what}"):
            from_onnx(model)
        onnx.save(model, tmp_path / "m.onnx")
        with pytest.raises(cr.errors.ModelFileError, match=rf"m.onnx' is not a valid ONNX model: .*{what}"):
            from_onnx(tmp_path / "m.onnx")


def test_from_onnx_gemm_attributes_agree_with_onnxruntime():
    """Gemm computes alpha * A @ op(B) + beta * C: transB, alpha, beta and a C of shape (1, n) or one value
    import as ONNX Runtime computes them; transA (the samples as columns) is refused."""
    rng = np.random.default_rng(7)
    Bt = numpy_helper.from_array(rng.normal(size=(5, 3)).astype(np.float32), "Bt")       # (n_out, n_in): transB
    C1 = numpy_helper.from_array(rng.normal(size=(1, 5)).astype(np.float32), "C1")
    W2 = numpy_helper.from_array(rng.normal(size=(5, 4)).astype(np.float32), "W2")
    C2 = numpy_helper.from_array(np.array(0.75, np.float32), "C2")
    nodes = [helper.make_node("Gemm", ["x", "Bt", "C1"], ["h"], transB=1, alpha=0.5, beta=2.0),
             helper.make_node("Tanh", ["h"], ["t"]),
             helper.make_node("Gemm", ["t", "W2", "C2"], ["y"], alpha=-1.5, beta=0.25)]
    model = gemm_graph(nodes, [Bt, C1, W2, C2])
    X = rng.normal(size=(40, 3)).astype(np.float32)
    np.testing.assert_allclose(from_onnx(model).predict(X), run_onnx(model, X), rtol=1e-5, atol=1e-5)
    transposed = gemm_graph([helper.make_node("Gemm", ["x", "W", "b"], ["y"], transA=1)], [])
    with pytest.raises(cr.errors.ValidationError, match=r"node 0 '' \(Gemm\) has transA=1"):
        from_onnx(transposed)


def test_from_onnx_refuses_what_the_checker_passes_but_is_no_mlp(tmp_path, monkeypatch):
    """Structural problems onnx.checker does not see: a Gemm by a 1-D array (was an IndexError), an input
    wider than the first layer (imported silently; ONNX Runtime refuses it), a ModelProto whose weights are
    in an external file (they were read from the working folder, whichever model's they were)."""
    with pytest.raises(cr.errors.ValidationError, match=r"node 0 '' \(Gemm\) multiplies by an array of shape \(4,\)"):
        from_onnx(gemm_graph([helper.make_node("Gemm", ["x", "b"], ["y"])], []))
    wide = gemm_graph([helper.make_node("Gemm", ["x", "W", "b"], ["y"])], [], n_in=5)
    onnx.checker.check_model(wide)
    with pytest.raises(ORT_REFUSES, match="Dimension mismatch"):
        ort.InferenceSession(wide.SerializeToString(), providers=["CPUExecutionProvider"])
    with pytest.raises(cr.errors.ValidationError, match=r"the input 'x' has 5 features; the first layer takes 3"):
        from_onnx(wide)
    onnx.save(gemm_graph([helper.make_node("Gemm", ["x", "W", "b"], ["y"])], []), tmp_path / "m.onnx",
              save_as_external_data=True, location="weights.bin", size_threshold=0)
    external = onnx.load(tmp_path / "m.onnx", load_external_data=False)
    monkeypatch.chdir(tmp_path)                                        # where the checker finds weights.bin
    onnx.checker.check_model(external)
    with pytest.raises(cr.errors.ValidationError, match=r"the tensor 'W' keeps its data in an external file "
                                                        r"\('weights.bin'\)"):
        from_onnx(external)
    assert from_onnx(tmp_path / "m.onnx").layers[0].W.shape == (3, 4)    # its file's path reads it


def test_from_onnx_refuses_a_dropout_in_training_mode():
    """Dropout with training_mode true drops at inference too (ONNX Runtime shows it); it was imported as an
    inference Dropout. Before opset 7 Dropout's is_test defaulted to 0 (training); ONNX Runtime runs opset 7 on."""
    gemm = helper.make_node("Gemm", ["x", "W", "b"], ["h"])
    half = numpy_helper.from_array(np.array(0.5, np.float32), "ratio")
    flag = numpy_helper.from_array(np.array(True), "train")
    X = np.random.default_rng(6).normal(size=(50, 3)).astype(np.float32)
    plain = run_onnx(gemm_graph([helper.make_node("Gemm", ["x", "W", "b"], ["y"])], []), X)
    as_initializer = gemm_graph([gemm, helper.make_node("Dropout", ["h", "ratio", "train"], ["y"])], [half, flag])
    as_constant = gemm_graph([gemm, helper.make_node("Constant", [], ["train"], value=flag),
                              helper.make_node("Dropout", ["h", "", "train"], ["y"])], [])
    for model in (as_initializer, as_constant):
        dropped = run_onnx(model, X)
        assert np.mean(dropped == 0) > 0.2 and np.allclose(dropped[dropped != 0], 2 * plain[dropped != 0])
        with pytest.raises(cr.errors.ValidationError, match=r"node \d '' \(Dropout\) has training_mode true"):
            from_onnx(model)
    off = numpy_helper.from_array(np.array(False), "train")
    net = from_onnx(gemm_graph([gemm, helper.make_node("Dropout", ["h", "ratio", "train"], ["y"])], [half, off]))
    np.testing.assert_allclose(net.predict(X), plain, rtol=1e-6, atol=1e-6)
    assert onnx.defs.get_schema("Dropout", 6).attributes["is_test"].default_value.i == 0
    old = gemm_graph([gemm, helper.make_node("Dropout", ["h"], ["y"])], [], opset=6)
    with pytest.raises(cr.errors.ValidationError, match="opset 6; chainrule reads opset 7 and later"):
        from_onnx(old)


def test_network_methods_to_onnx_and_to_torch(tmp_path):
    """`net.to_onnx(path)` and `net.to_torch()` are the same exporters as the functions."""
    import onnxruntime as ort
    import torch

    net = cr.Network([cr.Dense(3, 5, "tanh"), cr.Dense(5, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    X = np.random.default_rng(1).normal(size=(7, 3))
    net.to_onnx(tmp_path / "m.onnx")
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    out = session.run(None, {session.get_inputs()[0].name: X})[0]
    np.testing.assert_allclose(out, net.predict(X), rtol=1e-12, atol=1e-15)
    module = net.to_torch()
    np.testing.assert_allclose(module(torch.tensor(X)).detach().numpy(), net.predict(X), rtol=1e-12, atol=1e-15)


def _cli(*args):
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-m", "chainrule.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def test_explain_and_info_read_onnx_and_keras_files(tmp_path):
    """`chainrule explain --model F` and `chainrule info F` on an ONNX and a Keras file print the
    derivation of the network that file holds: the numbers of cr.explain on the imported network."""
    import keras

    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 2, "sigmoid")], loss="sse", seed=4)
    net.to_onnx(tmp_path / "m.onnx")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="tanh"),
                              keras.layers.Dense(2, activation="sigmoid")])
    model.save(tmp_path / "m.keras")
    for path, source in ((tmp_path / "m.onnx", net), (tmp_path / "m.keras", cr.from_keras(model, loss="sse"))):
        r = _cli("explain", "--model", path, "--inputs", "0.05,0.1", "--targets", "0.01,0.99", "--lr", "0.5")
        assert r.returncode == 0, r.stderr
        expected = cr.explain(source, np.array([[0.05, 0.1]]), np.array([[0.01, 0.99]]), lr=0.5)
        total = expected.to_dict()["E_total"] if "E_total" in expected.to_dict() else None
        w = expected.parameter("w1")
        lines = [line.strip() for line in expected.text().splitlines()
                 if line.strip().startswith(("dE/dw1 ", "w1+ "))]          # as the report writes them
        assert len(lines) == 2 and all(line in r.stdout for line in lines), r.stdout
        for line, value in zip(lines, (w["grad"], w["updated"])):     # and they are the network's numbers
            assert float(line.rsplit("= ", 1)[1]) == pytest.approx(value, rel=1e-6)
        if total is not None:
            shown = [float(line.rsplit("= ", 1)[1]) for line in r.stdout.splitlines()
                     if line.strip().startswith("E_total")]
            assert shown == [pytest.approx(total, rel=1e-6)], r.stdout
        info = _cli("info", path)
        assert info.returncode == 0 and "Dense(2, 3, activation='tanh')" in info.stdout, info.stdout + info.stderr
    r = _cli("predict", tmp_path / "m.onnx", tmp_path / "x.csv")
    assert r.returncode == 2 and "another library" in r.stderr


def test_torch_forward_hooks_are_refused():
    """A hook changes what a module computes: prune's recomputes the weight, so the stored one was stale."""
    for prune in (False, True):
        m = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2)).double()
        if prune:
            import torch.nn.utils.prune
            torch.nn.utils.prune.l1_unstructured(m[0], "weight", amount=0.5)
        else:
            m[2].register_forward_hook(lambda mod, i, o: o * 2)
        with pytest.raises(cr.errors.ValidationError, match="has forward hooks"):
            cr.from_torch(m)


def test_a_keras_activation_of_ones_own_named_like_a_builtin_is_refused():
    import keras

    def sigmoid(x):                                  # the user's own, under a built-in's name
        return keras.ops.sigmoid(x) * 3
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(5, activation=sigmoid),
                              keras.layers.Dense(2)])
    message = "uses its own activation function 'sigmoid', not Keras' 'sigmoid'"
    with pytest.raises(cr.errors.ValidationError, match=message):
        cr.from_keras(model)


def test_shared_weights_and_sequentials_with_their_own_forward_are_refused():
    """A Linear given twice (named_children() yields it once: the second layer was dropped), a tied
    parameter, and a Sequential subclass whose forward doubles its output were imported as another
    network, predicting other numbers without a word."""
    lin = nn.Linear(3, 3).double()
    with pytest.raises(cr.errors.ValidationError, match=r"layer 2 \(Linear\) shares its weights with layer 0"):
        cr.from_torch(nn.Sequential(lin, nn.Tanh(), lin))
    a, b = nn.Linear(3, 3).double(), nn.Linear(3, 3).double()
    b.weight = a.weight
    with pytest.raises(cr.errors.ValidationError, match="shares its weights"):
        cr.from_torch(nn.Sequential(a, nn.ReLU(), b))

    class Twice(nn.Sequential):
        def forward(self, x):
            return 2 * super().forward(x)

    for module, where in ((Twice(nn.Linear(3, 1)).double(), "the module"),
                          (nn.Sequential(Twice(nn.Linear(3, 2)), nn.Linear(2, 1)).double(), r"layer 0 \(Twice\)")):
        with pytest.raises(cr.errors.ValidationError, match=where + r" is a Twice, a Sequential with its own forward"):
            cr.from_torch(module)

    class Plain(nn.Sequential):                          # a subclass that computes as its layers: accepted
        pass

    m = Plain(nn.Linear(3, 2), nn.Sigmoid()).double()
    X = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_allclose(cr.from_torch(m).predict(X), m(torch.from_numpy(X)).detach().numpy(), rtol=1e-12)


def test_keras_dense_given_twice_or_a_sequential_with_its_own_call_is_refused():
    import keras
    d = keras.layers.Dense(3, activation="tanh")
    model = keras.Sequential([keras.Input((3,)), d, d])
    with pytest.raises(cr.errors.ValidationError, match=r"layer 1 \(Dense '.*'\) is layer 0 again: its weights are "
                                                        "shared"):
        cr.from_keras(model)

    class Twice(keras.Sequential):
        def call(self, x, training=None, mask=None):
            return 2 * super().call(x, training=training, mask=mask)

    twice = Twice([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.raises(cr.errors.ValidationError, match="the model is a Twice, a Sequential with its own call"):
        cr.from_keras(twice)


def test_an_onnx_initializer_read_by_two_layers_is_refused():
    W = numpy_helper.from_array(np.eye(2), "W")
    nodes = [helper.make_node("MatMul", ["x", "W"], ["h"]), helper.make_node("Tanh", ["h"], ["t"]),
             helper.make_node("MatMul", ["t", "W"], ["y"])]
    graph = helper.make_graph(nodes, "tied", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, ["N", 2])],
                              [helper.make_tensor_value_info("y", TensorProto.DOUBLE, ["N", 2])], [W])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    with pytest.raises(cr.errors.ValidationError, match=r"node 2 .*reads the weights 'W' that node 0 .* reads too"):
        cr.from_onnx(model)


def test_a_torch_exported_batch_norm_is_named():
    """torch.onnx.export copies the BatchNorm's constants through Identity nodes: the error was about
    'Identity_0' not continuing the chain, never naming BatchNormalization."""
    import io
    m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1)).eval()
    buffer = io.BytesIO()
    torch.onnx.export(m, (torch.zeros(2, 3),), buffer, dynamo=False)
    with pytest.raises(cr.errors.ValidationError, match="BatchNormalization"):
        cr.from_onnx(onnx.load_from_string(buffer.getvalue()))


def test_to_torch_gives_a_module_in_eval_mode_as_predict():
    net = cr.Network([cr.Dense(3, 8, "relu"), cr.Dropout(0.5), cr.Dense(8, 1)], loss="mse", seed=0)
    module = cr.to_torch(net)
    assert not module.training
    X = np.random.default_rng(0).normal(size=(16, 3))
    np.testing.assert_allclose(module(torch.from_numpy(X)).detach().numpy(), net.predict(X), rtol=1e-12, atol=1e-12)
