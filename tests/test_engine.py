"""The engine: gradcheck on random networks, dtypes, stability, freezing, shapes."""
import warnings

import numpy as np
import pytest
from conftest import LOSSES, random_network

import chainrule as cr


@pytest.mark.parametrize("case", range(60))
def test_gradcheck_on_random_networks(case):
    rng = np.random.default_rng(1000 + case)
    net, X, Y = random_network(rng, max_layers=4, max_width=6, loss=LOSSES[case % len(LOSSES)])
    assert cr.gradcheck(net, X[:8], Y[:8]) < 1e-4


def test_gradcheck_detects_a_wrong_gradient(monkeypatch):
    net, X, Y, _ = cr.examples.seed_network()
    from chainrule.nn.activations import Sigmoid
    monkeypatch.setattr(Sigmoid, "derivative", lambda self, out, net: out * (1.0 - out) * 1.01)
    with pytest.warns(cr.teach.gradcheck.GradcheckWarning, match=r"layer 0 \(Dense, activation sigmoid\).*; layer 1"):
        assert cr.gradcheck(net, X, Y) > 1e-3


@pytest.mark.parametrize("loss", LOSSES)
def test_float32_stays_float32_end_to_end(loss):
    rng = np.random.default_rng(7)
    net, X, Y = random_network(rng, max_layers=3, max_width=8, loss=loss, dtype="float32")
    assert net.params.dtype == np.float32 and net.grads.dtype == np.float32
    out = net.forward(X)
    assert out.dtype == np.float32
    for layer in net.layers:
        assert layer.net.dtype == np.float32 and layer.out.dtype == np.float32
    for dW, db in net.gradients(X, Y):
        assert dW.dtype == np.float32 and db.dtype == np.float32
    for layer in net.layers:
        assert layer.delta.dtype == np.float32
    net.fit(X, Y, epochs=2, batch_size=4, verbose=0, seed=0)
    assert net.params.dtype == np.float32 and net.predict(X).dtype == np.float32
    assert isinstance(net.loss(X, Y), float)


def test_float32_gradients_agree_with_float64():
    rng = np.random.default_rng(3)
    net64, X, Y = random_network(rng, max_layers=3, max_width=8, loss="mse")
    net32 = cr.Network([cr.Dense(l.n_in, l.n_out, l.activation.name) for l in net64.layers], loss="mse",
                       dtype="float32")
    net32.params[...] = net64.params
    for (a, _), (c, _) in zip(net64.gradients(X, Y), net32.gradients(X, Y)):
        np.testing.assert_allclose(c, a, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu", "leaky_relu", "softmax", "linear"])
def test_activations_are_finite_at_extreme_inputs(act):
    from chainrule.nn.activations import get_activation
    f = get_activation(act)
    z = np.array([[-1000.0, 1000.0, 0.0], [1e6, -1e6, 3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = f(z)
        d = f.backward(np.ones_like(out), out, z)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(d))


@pytest.mark.parametrize("loss,act", [("binary_crossentropy", "sigmoid"), ("categorical_crossentropy", "softmax"),
                                      ("binary_crossentropy", "softmax"), ("categorical_crossentropy", "sigmoid")])
def test_cross_entropy_is_finite_at_extreme_inputs(loss, act):
    net = cr.Network([cr.Dense(2, 3, act)], loss=loss)
    net.layers[0].W[...] = [[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 5.0]]
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    Y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        E = net.loss(X, Y)
        grads = net.gradients(X, Y)
    assert np.isfinite(E) and E > 10       # confidently wrong: a large but finite error
    assert all(np.all(np.isfinite(g)) for pair in grads for g in pair)


def test_fused_cross_entropy_loss_matches_torch_at_extremes():
    torch = pytest.importorskip("torch")
    net = cr.Network([cr.Dense(1, 1, "sigmoid")], loss="binary_crossentropy")
    net.layers[0].W[...] = 50.0
    X, Y = np.array([[1.0], [-1.0]]), np.array([[0.0], [1.0]])
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor([[50.0], [-50.0]], dtype=torch.float64), torch.tensor(Y)).item()
    assert net.loss(X, Y) == pytest.approx(expected, rel=1e-12)


def test_frozen_parameters_report_gradients_but_do_not_move():
    net = cr.Network([cr.Dense(3, 4, "tanh", trainable=False), cr.Dense(4, 2, "linear", trainable={"b": False})],
                     seed=0)
    X, Y = np.random.default_rng(0).normal(size=(5, 3)), np.zeros((5, 2))
    before = net.get_weights()
    grads = net.gradients(X, Y)
    assert all(np.any(g != 0) for pair in grads for g in pair)
    for opt in (cr.optim.SGD(0.1, momentum=0.9, weight_decay=0.1), cr.optim.Adam(0.1, weight_decay=0.1)):
        net.fit(X, Y, epochs=3, batch_size=2, optimizer=opt, verbose=0)
    after = net.get_weights()
    np.testing.assert_array_equal(after[0], before[0])   # layer 0 W frozen
    np.testing.assert_array_equal(after[1], before[1])   # layer 0 b frozen
    assert np.any(after[2] != before[2])                 # layer 1 W learns
    np.testing.assert_array_equal(after[3], before[3])   # layer 1 b frozen


def test_layer_views_share_the_flat_buffer():
    net = cr.Network([cr.Dense(2, 3, "relu"), cr.Dense(3, 1)], seed=1)
    net.layers[1].W = np.ones((3, 1))
    assert np.all(net.params[9:12] == 1.0)
    with pytest.raises(ValueError, match=r"shape \(3, 1\)"):
        net.layers[1].W = np.ones((2, 2))


def test_same_seed_same_network():
    a = cr.Network([cr.Dense(4, 5, "relu"), cr.Dense(5, 2, "softmax")], seed=42)
    b = cr.Network([cr.Dense(4, 5, "relu"), cr.Dense(5, 2, "softmax")], seed=42)
    c = cr.Network([cr.Dense(4, 5, "relu"), cr.Dense(5, 2, "softmax")], seed=43)
    np.testing.assert_array_equal(a.params, b.params)
    assert np.any(a.params != c.params)


def test_batch_gradient_is_mean_of_sample_gradients():
    rng = np.random.default_rng(5)
    net, X, Y = random_network(rng, max_layers=3, max_width=5, loss="sse")
    X, Y = X[:6], Y[:6]
    total = [np.zeros_like(g) for pair in net.gradients(X, Y) for g in pair]
    for i in range(X.shape[0]):
        for t, g in zip(total, [g for pair in net.gradients(X[i:i + 1], Y[i:i + 1]) for g in pair]):
            t += g / X.shape[0]
    for t, g in zip(total, [g for pair in net.gradients(X, Y) for g in pair]):
        np.testing.assert_allclose(g, t, rtol=1e-10, atol=1e-14)


def test_unknown_names_suggest_the_closest():
    with pytest.raises(cr.errors.UnknownNameError, match="sigmoid"):
        cr.Dense(2, 2, activation="sigmod")
    with pytest.raises(ValueError, match="categorical_crossentropy"):
        cr.Network([cr.Dense(2, 2)], loss="categorical_crossentropi")


def test_unpickled_network_still_trains_its_layers(monkeypatch):
    import pickle

    from chainrule.backend import kernels as _kernels
    monkeypatch.setattr(_kernels, "ENABLED", False)     # the NumPy loop, with its reused training buffers
    net = cr.Network([cr.Dense(3, 16, "relu"), cr.Dense(16, 1)], seed=0)
    X, Y = np.random.default_rng(0).normal(size=(8, 3)), np.ones((8, 1))
    net.fit(X, Y, epochs=1, batch_size=4, seed=1, verbose=0)      # training buffers and caches exist
    copy = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(copy.predict(X), net.predict(X))
    copy.fit(X, Y, epochs=3, batch_size=4, seed=0, verbose=0)
    net.fit(X, Y, epochs=3, batch_size=4, seed=0, verbose=0)
    np.testing.assert_array_equal(copy.params, net.params)
    assert np.shares_memory(copy.layers[0].W, copy.params)
    np.testing.assert_array_equal(copy.predict(X), net.predict(X))


def test_repr_and_summary_show_an_activations_parameters():
    from chainrule.nn.activations import LeakyReLU
    layers = [cr.Dense(2, 3, LeakyReLU(alpha=0.2)), cr.Dense(3, 1, "leaky_relu")]
    net = cr.Network(layers, loss="mse", seed=0)
    for layer, alpha in zip(layers, (0.2, 0.01)):
        rebuilt = eval(repr(layer), {"Dense": cr.Dense})        # the repr is the layer's constructor call
        assert rebuilt.activation.alpha == alpha and repr(rebuilt) == repr(layer)
    assert repr(layers[0]) != repr(cr.Dense(2, 3, "leaky_relu"))
    assert "'alpha': 0.2}" in net.summary() and "0.2" in repr(net)         # its row may wrap: 80 columns


def test_an_activation_given_a_parameter_it_does_not_take_is_named():
    match = r"'leaky_relu' takes the parameters \['alpha'\]; got \['slope'\]"
    with pytest.raises(cr.errors.ValidationError, match=match):
        cr.Dense(2, 3, {"name": "leaky_relu", "slope": 0.3})
    with pytest.raises(cr.errors.ValidationError, match=r"'relu' takes no parameters; got \['alpha'\]"):
        cr.Dense(2, 3, {"name": "relu", "alpha": 0.3})


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_binary_cross_entropy_of_probabilities_is_torchs_bce_loss(dtype):
    # the unfused form (an output other than a sigmoid): log(1 - p) must not round a small p away
    torch = pytest.importorskip("torch")
    from chainrule.nn.losses import BinaryCrossentropy
    out = np.array([[1e-17, 1e-10, 1e-5, 0.3], [0.5, 1 - 1e-7, 0.0, 1.0]], dtype=dtype)
    Y = np.array([[0.0, 0.0, 0.0, 1.0], [0.25, 1.0, 0.0, 1.0]], dtype=dtype)
    expected = torch.nn.functional.binary_cross_entropy(torch.tensor(out), torch.tensor(Y), reduction="none").numpy()
    np.testing.assert_allclose(BinaryCrossentropy().elementwise(out, Y), expected, rtol=1e-6 if dtype == "float32"
                               else 1e-13, atol=0)



def test_dropout_in_step_and_train_steps_follows_the_networks_seed():
    # Network(seed=...) seeds the generator that fit draws dropout masks from without a seed of its own;
    # step, train_steps and backprop(training=True) must draw from it too, not from an unseeded one
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 4)), rng.integers(0, 3, 16)

    def build(seed=0):
        return cr.Network([cr.Dense(4, 8, "relu"), cr.Dropout(0.5), cr.Dense(8, 3, "softmax")],
                          loss="categorical_crossentropy", seed=seed)

    for train in (lambda net: net.step(X, y, 0.1), lambda net: net.train_steps(X, y, 3),
                  lambda net: net.backprop(X, y, training=True)):
        a, b = build(), build()
        assert train(a) == train(b)
        np.testing.assert_array_equal(a.params, b.params)
        np.testing.assert_array_equal(a.grads, b.grads)


def test_a_network_whose_layers_another_network_took_over_refuses_to_run():
    # two networks built from the same layer objects: the layers use the second one's parameters, and the
    # first one's fit updated parameters its layers no longer read (its predictions never changed)
    layers = [cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)]
    first = cr.Network(layers, loss="mse", seed=0)
    second = cr.Network(layers, loss="mse", seed=1)
    X = np.random.default_rng(0).normal(size=(8, 2))
    y = X.sum(axis=1)
    for call in (lambda: first.fit(X, y, epochs=1, verbose=0), lambda: first.predict(X),
                 lambda: first.evaluate(X, y), lambda: first.loss(X, y), lambda: first.step(X, y, 0.1),
                 lambda: first.train_steps(X, y, 2)):
        with pytest.raises(cr.errors.ValidationError, match="layer 0 .* now belongs to another Network"):
            call()
    before = second.predict(X)
    second.fit(X, y, epochs=2, verbose=0)
    assert np.any(second.predict(X) != before)


def test_a_keras_style_initializer_of_the_shape_alone_is_called_with_the_shape():
    """weight_init=lambda shape: ... (Keras' form; a Keras initializer's second argument is a dtype) was
    called (shape, rng): Python's TypeError about positional arguments, or the generator as a dtype."""
    import os
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")

    def ours(shape, rng=None):
        return rng.normal(size=shape)
    for init, expected in [(lambda shape: np.full(shape, 0.25), np.full((2, 3), 0.25)),
                           (keras.initializers.Constant(0.5), np.full((2, 3), 0.5)),
                           (ours, cr.Network([cr.Dense(2, 3, "relu", weight_init=ours)], loss="mse",
                                             seed=4).layers[0].W)]:
        net = cr.Network([cr.Dense(2, 3, "relu", weight_init=init)], loss="mse", seed=4)
        np.testing.assert_array_equal(net.layers[0].W, expected)
    net = cr.Network([cr.Dense(2, 3, "relu", weight_init=keras.initializers.GlorotUniform(seed=1))], loss="mse")
    limit = np.sqrt(6 / 5)
    assert net.layers[0].W.shape == (2, 3) and np.abs(net.layers[0].W).max() <= limit


def test_summary_aligns_long_layers_and_counts_frozen_parameters():
    """A layer repr longer than 50 characters pushed its count out of the column, and the total did
    not say that the seed's biases (or a frozen layer) do not train."""
    from chainrule.nn.activations import LeakyReLU
    net = cr.Network([cr.Dense(64, 32, LeakyReLU(0.2)), cr.Dropout(0.1), cr.Dense(32, 10, "softmax", trainable=False)],
                     loss="categorical_crossentropy")
    lines = net.summary().splitlines()
    rows = [line for line in lines if line[:5].strip().rstrip(":").isdigit()]
    assert len(rows) == 3 and len({line.index("(None, ") for line in rows}) == 1
    assert len({len(line) for line in rows + lines[1:4]}) == 1           # the rules, the heading and the rows
    assert lines[-3:] == ["  Total params: 2,410", "  Trainable params: 2,080", "  Non-trainable params: 330"]
    seed = cr.examples.seed_network()[0]
    assert seed.summary().splitlines()[-2:] == ["  Trainable params: 8", "  Non-trainable params: 4"]
    assert cr.Network([cr.Dense(2, 2, "relu")], loss="mse").summary().splitlines()[-3] == "  Total params: 6"


def test_dropout_draws_from_the_networks_generator_again_after_fit():
    """After fit(seed=...) each Dropout kept the fit's generator (after an MPI fit, a generator of a
    global batch's shards: step then failed with a broadcast error), against the network's seed."""
    X, y = np.random.default_rng(0).normal(size=(20, 4)), np.arange(20) % 2

    def network():
        return cr.Network([cr.Dense(4, 8, "relu"), cr.Dropout(0.5), cr.Dense(8, 2, "softmax")],
                          loss="categorical_crossentropy", seed=2)
    a, b, fresh = network(), network(), network()
    a.fit(X, y, epochs=1, batch_size=10, seed=7, verbose=0)
    b.fit(X, y, epochs=1, batch_size=10, seed=7, verbose=0)
    assert a.layers[1].rng is a.rng
    a.step(X[:5], np.eye(2)[y[:5]], 0.1)
    b.step(X[:5], np.eye(2)[y[:5]], 0.1)
    np.testing.assert_array_equal(a.params, b.params)
    fresh.step(X[:5], np.eye(2)[y[:5]], 0.1)       # fit(seed=7) drew from its own generator: the network's
    np.testing.assert_array_equal(a.layers[1].mask, fresh.layers[1].mask)     # is where a fresh one's starts


def test_summary_shows_as_its_table_at_the_prompt_and_in_jupyter():
    """At the Python prompt and in Jupyter, `net.summary()` showed one quoted line of '\\n's (a str's
    repr): Keras users type it expecting the table."""
    from IPython.core.formatters import PlainTextFormatter
    net = cr.examples.seed_network()[0]
    text = net.summary()
    assert isinstance(text, str) and text.count("\n") >= len(net.layers) + 7   # header, rows, rule, totals
    assert repr(text) == str(text)                             # the prompt's display: sys.displayhook uses repr
    assert PlainTextFormatter()(text) == str(text)             # Jupyter's text/plain: IPython's pretty printer
