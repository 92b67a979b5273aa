"""sample_weight: each batch's loss is the weighted mean of its samples' losses.

Truths independent of the code under test: a network trained on the rows repeated w_i times
(integer weights, zero included), the per-sample losses written out by hand, central differences
of the weighted loss, and scikit-learn's own MLP taking one weighted SGD step from the same weights.
"""
import warnings

import numpy as np
import pytest
from conftest import OUTPUTS_FOR, random_targets

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ValidationError
from chainrule.nn.losses import LOSSES

#: every registered loss after every output activation it accepts (fused and chain-rule deltas)
CASES = [(loss, act) for loss in sorted(LOSSES) for act in OUTPUTS_FOR[loss]]

#: scikit-learn's normalisation (by the weights' sum), under which integer weights equal repeated rows
MEAN = {"weight_reduction": "mean_with_sample_weight"}


def make_net(loss, out_act, n_in=3, n_out=3, seed=0, dtype="float64"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # unusual pairings (cce after sigmoid) warn
        return cr.Network([cr.Dense(n_in, 5, "tanh"), cr.Dense(5, n_out, out_act)], loss=loss, dtype=dtype,
                          seed=seed)


def data(loss, n=12, n_in=3, n_out=3, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_in))
    Y = random_targets(rng, loss, n, n_out)
    w = rng.integers(0, 4, size=n)
    w[0] = 2                                     # never all zero
    return X, Y, w


def hand_terms(loss, out, Y):
    """Each sample's error, written out from the losses' definitions."""
    p = np.clip(out, 1e-300, 1 - 1e-16)
    return {"sse": lambda: 0.5 * ((Y - out) ** 2).sum(axis=1),
            "mse": lambda: ((Y - out) ** 2).mean(axis=1),
            "binary_crossentropy": lambda: -(Y * np.log(p) + (1 - Y) * np.log(1 - p)).mean(axis=1),
            "categorical_crossentropy": lambda: -(Y * np.log(p)).sum(axis=1)}[loss]()


# -- the loss value and its gradient ----------------------------------------------------------
@pytest.mark.parametrize("loss,act", CASES)
def test_weighted_loss_is_the_weighted_mean_of_the_samples_losses(loss, act):
    X, Y, w = data(loss)
    w = w * 0.75                                 # not integers
    net = make_net(loss, act)
    per_sample = hand_terms(loss, net.predict(X), Y)
    expected = np.dot(w, per_sample) / w.sum()
    assert net.loss(X, Y, sample_weight=w) == pytest.approx(expected, rel=1e-12)
    assert net.evaluate(X, Y, sample_weight=w, **MEAN)["loss"] == pytest.approx(expected, rel=1e-12)
    # each row's unweighted loss through the engine's own unweighted path
    rows = [net.loss(X[i:i + 1], Y[i:i + 1]) for i in range(len(X))]
    assert net.loss(X, Y, sample_weight=w) == pytest.approx(np.dot(w, rows) / w.sum(), rel=1e-12)


@pytest.mark.parametrize("loss,act", CASES)
def test_weighted_gradient_matches_central_differences(loss, act):
    X, Y, w = data(loss, seed=2)
    w = w * 1.5 + (np.arange(len(w)) % 3 == 0) * 0.25        # zeros, fractions, integers
    net = make_net(loss, act, seed=3)
    net.backprop(X, Y, sample_weight=w)
    analytic = net.grads.copy()
    saved, eps, numeric = net.params.copy(), 1e-6, np.zeros(net.n_params)
    for i in range(net.n_params):
        net.params[i] = saved[i] + eps
        plus = net.loss(X, Y, sample_weight=w)
        net.params[i] = saved[i] - eps
        minus = net.loss(X, Y, sample_weight=w)
        net.params[i] = saved[i]
        numeric[i] = (plus - minus) / (2 * eps)
    rel = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-5)
    assert rel.max() < 1e-6
    net.backprop(X, Y)                                        # the weights change the gradient
    assert not np.allclose(net.grads, analytic)
    dW = net.gradients(X, Y, sample_weight=w)[0][0]
    assert np.array_equal(dW.ravel(), analytic[:dW.size])


def test_all_ones_and_scaled_weights_change_nothing():
    X, Y, _ = data("categorical_crossentropy")
    net = make_net("categorical_crossentropy", "softmax")
    E = net.loss(X, Y)
    assert net.loss(X, Y, sample_weight=np.ones(len(X))) == pytest.approx(E, rel=1e-14)
    assert net.loss(X, Y, sample_weight=np.full(len(X), 7.0)) == pytest.approx(E, rel=1e-14)


# -- training: the rows repeated w_i times ------------------------------------------------------
@pytest.mark.parametrize("loss,act", [(loss, OUTPUTS_FOR[loss][0]) for loss in sorted(LOSSES)]
                         + [("categorical_crossentropy", "softmax"), ("binary_crossentropy", "sigmoid")])
@pytest.mark.parametrize("optimizer", [lambda: cr.optim.Adam(0.01), lambda: cr.optim.SGD(0.1, momentum=0.9)],
                         ids=["adam", "sgd-momentum"])
def test_fit_with_integer_weights_equals_fit_on_repeated_rows(loss, act, optimizer, kernels):
    X, Y, w = data(loss, n=15)
    a, b = make_net(loss, act), make_net(loss, act)
    ha = a.fit(X, Y, epochs=25, batch_size=None, sample_weight=w, **MEAN, optimizer=optimizer(), seed=0, verbose=0)
    hb = b.fit(np.repeat(X, w, axis=0), np.repeat(Y, w, axis=0), epochs=25, batch_size=None,
               optimizer=optimizer(), seed=0, verbose=0)
    np.testing.assert_allclose(a.params, b.params, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ha.loss, hb.loss, rtol=1e-10)
    if a.task != "regression":
        np.testing.assert_allclose(ha.accuracy, hb.accuracy, rtol=1e-12)
    # the weights matter: training on the rows once each gives another network
    c = make_net(loss, act)
    c.fit(X, Y, epochs=25, batch_size=None, optimizer=optimizer(), seed=0, verbose=0)
    assert not np.allclose(c.params, a.params, rtol=1e-6)


def test_float32_weighted_fit_equals_repeated_rows():
    X, Y, w = data("categorical_crossentropy", n=15)
    a, b = (make_net("categorical_crossentropy", "softmax", dtype="float32") for _ in range(2))
    a.fit(X, Y, epochs=20, batch_size=None, sample_weight=w, **MEAN, optimizer=cr.optim.Adam(0.01), seed=0, verbose=0)
    b.fit(np.repeat(X, w, 0), np.repeat(Y, w, 0), epochs=20, batch_size=None, optimizer=cr.optim.Adam(0.01),
          seed=0, verbose=0)
    assert a.params.dtype == np.float32 and a.grads.dtype == np.float32
    np.testing.assert_allclose(a.params, b.params, rtol=1e-4, atol=1e-5)


def test_mini_batches_are_weighted_means_of_their_own_rows():
    """Each batch is normalised by its own weights (as scikit-learn's MLP does): the fit loop equals
    a loop written here, with the same shuffle, over weighted backprop and plain SGD steps."""
    X, Y, w = data("mse", n=23)
    w = w + np.linspace(0, 1, 23)
    a, b = make_net("mse", "linear"), make_net("mse", "linear")
    a.fit(X, Y, epochs=3, batch_size=5, sample_weight=w, **MEAN, optimizer=cr.optim.SGD(0.05), seed=4, verbose=0)
    rng = np.random.default_rng(4)
    for _ in range(3):
        order = rng.permutation(23)
        for start in range(0, 23, 5):
            idx = order[start:start + 5]
            b.backprop(X[idx], Y[idx], training=True, sample_weight=w[idx])
            b.params -= 0.05 * b.grads
    np.testing.assert_allclose(a.params, b.params, rtol=1e-12, atol=1e-14)


def test_a_batch_whose_weights_are_all_zero_adds_nothing():
    X, Y, _ = data("mse", n=8)
    w = np.array([0, 0, 0, 0, 1, 2, 1, 3], dtype=float)
    net = make_net("mse", "linear")
    before = net.params.copy()
    net.fit(X, Y, epochs=1, batch_size=4, shuffle=False, sample_weight=w, **MEAN, optimizer=cr.optim.SGD(0.1),
            verbose=0)
    ref = make_net("mse", "linear")
    ref.backprop(X[4:], Y[4:], sample_weight=w[4:])
    np.testing.assert_allclose(net.params, before - 0.1 * ref.grads, rtol=1e-12)


def test_validation_split_splits_the_weights_and_weights_the_validation_metrics():
    X, Y, w = data("categorical_crossentropy", n=40)
    w = w + 0.5
    net = make_net("categorical_crossentropy", "softmax")
    h = net.fit(X, Y, epochs=3, batch_size=8, sample_weight=w, validation_split=0.25, seed=0, verbose=0)
    expected = net.evaluate(X[-10:], Y[-10:], sample_weight=w[-10:])
    assert h.val_loss[-1] == pytest.approx(expected["loss"], rel=1e-12)
    assert h.history["val_accuracy"][-1] == pytest.approx(expected["accuracy"], rel=1e-12)
    assert expected["loss"] != pytest.approx(net.evaluate(X[-10:], Y[-10:])["loss"], rel=1e-6)
    # the same run with the held-out rows and their weights given as validation_data
    other = make_net("categorical_crossentropy", "softmax")
    h2 = other.fit(X[:30], Y[:30], epochs=3, batch_size=8, sample_weight=w[:30], seed=0, verbose=0,
                   validation_data=(X[30:], Y[30:], w[30:]))
    assert h2.val_loss == h.val_loss and np.array_equal(other.params, net.params)


def test_evaluate_in_chunks_equals_repeated_rows():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(17000, 2))            # more rows than one chunk of evaluate
    y = (X[:, 0] > 0).astype(int)
    w = rng.integers(0, 3, size=17000)
    net = cr.Network([cr.Dense(2, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    got = net.evaluate(X, y, sample_weight=w, **MEAN)
    ref = net.evaluate(np.repeat(X, w, 0), np.repeat(y, w))
    assert got["loss"] == pytest.approx(ref["loss"], rel=1e-12)
    assert got["accuracy"] == pytest.approx(ref["accuracy"], rel=1e-12)


def test_memmap_and_sparse_inputs_train_with_weights_as_arrays(tmp_path):
    scipy_sparse = pytest.importorskip("scipy.sparse")
    X, Y, w = data("mse", n=30, seed=6)
    X[X < 0] = 0.0                               # a sparse matrix worth the name
    mm = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype=np.float64, shape=X.shape)
    mm[...] = X
    nets = {}
    for kind, inputs in (("array", X), ("memmap", mm), ("csr", scipy_sparse.csr_matrix(X))):
        net = nets[kind] = make_net("mse", "linear")
        net.fit(inputs, Y, epochs=3, batch_size=7, sample_weight=w, validation_split=0.2, seed=1, verbose=0)
    assert np.array_equal(nets["memmap"].params, nets["array"].params)
    np.testing.assert_allclose(nets["csr"].params, nets["array"].params, rtol=1e-12, atol=1e-14)
    assert nets["memmap"].history.val_loss == nets["array"].history.val_loss


# -- bad weights ------------------------------------------------------------------------------
@pytest.mark.parametrize("weights,error,message", [
    (np.ones(6), ValidationError, "sample_weight has 6 weights; expected one per sample: 5"),
    (np.ones((5, 2)), ValidationError,
     "sample_weight must be one weight per sample: shape (5,) or a column (5, 1); got shape (5, 2)"),
    ([1, 2, -1, 1, 1], ValidationError, "sample_weight must be >= 0; weight 2 is -1"),
    ([1, np.nan, 1, 1, 1], ValidationError, "sample_weight must be finite; weight 1 is nan"),
    ([1, 1, 1, np.inf, 1], ValidationError, "sample_weight must be finite; weight 3 is inf"),
    (np.zeros(5), ValidationError, "sample_weight is zero for all 5 samples: at least one weight must be > 0"),
    (["a", "b", "c", "d", "e"], ChainruleTypeError, "sample_weight must be a numeric array"),
])
def test_bad_weights_are_clear_errors(weights, error, message):
    X, Y, _ = data("mse", n=5)
    net = make_net("mse", "linear")
    before = net.params.copy()
    for call in (lambda: net.fit(X, Y, sample_weight=weights, verbose=0),
                 lambda: net.loss(X, Y, sample_weight=weights), lambda: net.evaluate(X, Y, sample_weight=weights),
                 lambda: net.backprop(X, Y, sample_weight=weights)):
        with pytest.raises(error) as exc:
            call()
        assert message in str(exc.value)
    assert np.array_equal(net.params, before)


def test_weights_that_leave_a_part_of_the_split_weightless_or_paths_that_cannot_take_them():
    X, Y, _ = data("mse", n=10)
    net = make_net("mse", "linear")
    w = np.r_[np.ones(8), 0.0, 0.0]
    with pytest.raises(ValidationError, match=r"sample_weight of the validation rows \(validation_split=0.2\) is zero "
                                              r"for all 2 samples"):
        net.fit(X, Y, sample_weight=w, validation_split=0.2, verbose=0)
    with pytest.raises(ValidationError, match="validation_data's sample weight has 3 weights; expected one per "
                                              "sample: 2"):
        net.fit(X, Y, sample_weight=np.ones(10), validation_data=(X[:2], Y[:2], np.ones(3)), verbose=0)
    with pytest.raises(ValidationError, match=r"a sequence of batches \(Y=None\)"):
        net.fit([(X, Y)], sample_weight=np.ones(10), verbose=0)
    with pytest.raises(ValidationError, match=r"^sample_weight and comm \(MPI\) cannot be combined"):
        net.fit(X, Y, sample_weight=np.ones(10), comm=object(), verbose=0)


# -- scikit-learn -----------------------------------------------------------------------------
def test_one_weighted_sgd_step_equals_scikit_learns_mlp():
    """From the same weights, one weighted full-batch SGD step of scikit-learn's MLP and of the
    engine give the same network, and the same loss before the step."""
    neural = pytest.importorskip("sklearn.neural_network")
    rng = np.random.default_rng(7)
    X = rng.normal(size=(20, 4))
    w = rng.uniform(0, 3, size=20)
    w[3] = 0.0
    targets = {"regression": X @ rng.normal(size=4), "binary": (X[:, 0] > 0).astype(int),
               "multiclass": rng.integers(0, 3, size=20)}
    for task, y in targets.items():
        cls = neural.MLPRegressor if task == "regression" else neural.MLPClassifier
        sk = cls(hidden_layer_sizes=(6,), activation="tanh", solver="sgd", learning_rate_init=0.1, momentum=0.0,
                 alpha=0.0, batch_size=20, shuffle=False, random_state=0)
        first = {} if task == "regression" else {"classes": np.unique(y)}
        sk.partial_fit(X, y, **first)                       # initialised (and one unweighted step)
        net = cr.from_sklearn(sk)
        sk.partial_fit(X, y, sample_weight=w)
        Y = y.reshape(-1, 1) if task != "multiclass" else y
        E = net.backprop(X, Y, sample_weight=w)
        net.params -= 0.1 * net.grads
        assert E == pytest.approx(sk.loss_, rel=1e-12), task
        np.testing.assert_allclose(net.params, cr.from_sklearn(sk).params, rtol=1e-12, atol=1e-14, err_msg=task)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_estimators_with_integer_weights_equal_repeated_rows(optimizer):
    pytest.importorskip("sklearn")
    from chainrule.sklearn import BackpropClassifier, BackpropRegressor
    rng = np.random.default_rng(8)
    X = rng.normal(size=(30, 4))
    w = rng.integers(0, 4, size=30)
    settings = dict(hidden_layer_sizes=(8,), optimizer=optimizer, learning_rate=0.01, batch_size=1000, epochs=30,
                    random_state=0)
    for est, y in ((BackpropClassifier, np.array(["a", "b", "c"])[rng.integers(0, 3, size=30)]),
                   (BackpropClassifier, (X[:, 1] > 0).astype(int)),
                   (BackpropRegressor, X @ rng.normal(size=(4, 2)))):
        weighted = est(**settings).fit(X, y, sample_weight=w)
        repeated = est(**settings).fit(np.repeat(X, w, 0), np.repeat(y, w, 0))
        out = "predict_proba" if est is BackpropClassifier else "predict"
        np.testing.assert_allclose(getattr(weighted, out)(X), getattr(repeated, out)(X), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-9)
        plain = est(**settings).fit(X, y)
        assert not np.allclose(getattr(plain, out)(X), getattr(weighted, out)(X), rtol=1e-6)
        # partial_fit: one epoch more with the weights, as with the rows repeated
        weighted.partial_fit(X, y, sample_weight=w)
        repeated.partial_fit(np.repeat(X, w, 0), np.repeat(y, w, 0))
        np.testing.assert_allclose(getattr(weighted, out)(X), getattr(repeated, out)(X), rtol=1e-9, atol=1e-12)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_estimator_early_stopping_weights_the_validation_loss_and_score():
    pytest.importorskip("sklearn")
    from sklearn.metrics import r2_score

    from chainrule.sklearn import BackpropRegressor
    rng = np.random.default_rng(9)
    X = rng.normal(size=(60, 3))
    y = X @ rng.normal(size=3)
    w = rng.uniform(0.1, 3, size=60)
    est = BackpropRegressor(hidden_layer_sizes=(4,), early_stopping=True, epochs=5, random_state=0)
    est.fit(X, y, sample_weight=w)
    # the split the estimator draws: train_test_split seeded by its generator's next draw after the network's seed
    from sklearn.model_selection import train_test_split
    gen = np.random.RandomState(0)
    gen.randint(2**31 - 1)
    val = train_test_split(np.arange(60), test_size=0.1, random_state=gen.randint(2**31 - 1))[1]
    # the weights kept are those of the best held-out score (weighted R2, as MLPRegressor's); that epoch's
    # held-out loss is the weighted loss of the held-out rows for them, in MLPRegressor's units (half the mean
    # squared error the network's evaluate gives)
    best = int(np.argmax(est.validation_scores_))
    assert est.best_validation_score_ == pytest.approx(r2_score(y[val], est.predict(X[val]), sample_weight=w[val]),
                                                       rel=1e-12)
    assert est.validation_loss_curve_[best] == pytest.approx(
        est.network_.evaluate(X[val], y[val].reshape(-1, 1), sample_weight=w[val],
        **MEAN)["loss"] / 2, rel=1e-10)
    with pytest.raises(ValueError, match=r"sample_weight must be >= 0; weight 0 is -"):   # named
        BackpropRegressor(epochs=1).fit(X, y, sample_weight=-w)


# -- the command line -------------------------------------------------------------------------
@pytest.fixture
def iris_weighted(tmp_path):
    pd = pytest.importorskip("pandas")
    from sklearn.datasets import load_iris
    d = load_iris(as_frame=True).frame
    d["species"] = np.array(["setosa", "versicolor", "virginica"])[d.pop("target")]
    d["w"] = np.random.default_rng(0).integers(0, 4, size=len(d))
    path = tmp_path / "iris.csv"
    d.to_csv(path, index=False)
    return pd, d, path


def train(capsys, *args):
    from chainrule.cli import main
    code = main(["train", *map(str, args)])          # its notes on stderr: not --quiet
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_weight_column_trains_a_weighted_model(iris_weighted, tmp_path, capsys):
    """Rows of weight 0 do not count: changing their labels leaves the model as it is (bit for bit),
    which it does not without --weight; --stream reads the weights as the in-memory path does."""
    pd, d, path = iris_weighted
    common = ["--target", "species", "--hidden", "8", "--epochs", "15", "--batch-size", "16"]
    code, out, err = train(capsys, path, *common, "--weight", "w", "--out", tmp_path / "a.npz")
    assert code == 0, err
    zero = int((d["w"] == 0).sum())
    assert (f"sample weights from column 'w': 0 to 3, mean {d['w'].mean():.4g}; {zero} rows of weight 0 count "
            "in no loss") in err
    assert "validation (rows weighted by 'w'): loss" in out
    changed = d.copy()
    changed.loc[changed["w"] == 0, "species"] = np.roll(changed.loc[changed["w"] == 0, "species"].to_numpy(), 1)
    changed.to_csv(tmp_path / "changed.csv", index=False)
    assert train(capsys, tmp_path / "changed.csv", *common, "--weight", "w", "--out", tmp_path / "b.npz")[0] == 0
    assert train(capsys, path, *common, "--weight", "w", "--stream", "--chunk-rows", "40",
                 "--out", tmp_path / "s.npz")[0] == 0
    assert train(capsys, path, *common, "--drop", "w", "--out", tmp_path / "c.npz")[0] == 0
    assert train(capsys, tmp_path / "changed.csv", *common, "--drop", "w", "--out", tmp_path / "d.npz")[0] == 0
    a, b, s, c, e = (cr.load(tmp_path / f"{k}.npz") for k in ("a", "b", "s", "c", "d"))
    assert np.array_equal(a.params, b.params)
    np.testing.assert_allclose(s.params, a.params, rtol=1e-9, atol=1e-12)   # means merged chunk by chunk
    assert not np.allclose(c.params, e.params)
    assert not np.allclose(a.params, c.params)


@pytest.mark.parametrize("room", [True, False])
def test_streamed_weights_are_kept_in_a_file(iris_weighted, tmp_path, monkeypatch, room):
    """`--weight --stream` reads the weight column in the preprocessing's pass (CsvStream.fit's
    keep), chunk by chunk into a temporary file (no memory a row), or, where that file cannot be
    written, into memory: the same weights either way, and not an input."""
    import tempfile

    from chainrule.cli import weights
    from chainrule.data.stream import CsvStream
    _, d, path = iris_weighted
    if not room:                                 # the disk fills up after the first chunk
        class Full:
            def __init__(self, **kw):
                self.f, self.calls = open(tmp_path / "spill", "w+b"), 0

            def write(self, data):
                self.calls += 1
                if self.calls > 1:
                    self.f.write(data[:5])       # part of a chunk, then no room
                    raise OSError(28, "No space left on device")
                return self.f.write(data)

            def __getattr__(self, name):
                return getattr(self.f, name)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.f.close()
        monkeypatch.setattr(tempfile, "TemporaryFile", Full)
    stream = CsvStream(path, rows=40)
    pre = stream.fit("species", keep=("w", lambda cells, line: weights.checked(cells, "w", line)))
    w = stream.kept
    assert isinstance(w, np.memmap) == room and w.dtype == np.float64 and "w" not in pre.numeric
    np.testing.assert_array_equal(w, d["w"].to_numpy(dtype=np.float64))
    zero = int((d["w"] == 0).sum())
    assert weights.describe(w, "w").endswith(f"; {zero} rows of weight 0 count in no loss")
    X, _ = stream.encode(None)
    assert X.shape == (150, 4)                   # the second pass leaves the kept column out


def test_kept_column_survives_a_column_read_again_as_text(tmp_path):
    """A column that turns to text in a later chunk makes the preprocessing's pass start again
    (as pandas reads it whole): the kept weights are each row's once, in order."""
    pd = pytest.importorskip("pandas")
    from chainrule.cli import weights
    from chainrule.data.stream import CsvStream
    n = 130
    a = [str(i % 3) for i in range(40)] + [("red", "blue", "green")[i % 3] for i in range(n - 40)]
    df = pd.DataFrame({"a": a, "b": np.arange(n) * 0.5, "w": np.arange(n) % 4,      # "a": numbers in the
                       "y": np.where(np.arange(n) % 3 == 0, "yes", "no")})            # first chunk, then text
    df.to_csv(tmp_path / "m.csv", index=False)
    stream = CsvStream(tmp_path / "m.csv", rows=40)
    pre = stream.fit("y", keep=("w", lambda cells, line: weights.checked(cells, "w", line)))
    assert "a" in pre.text and stream.text_read == {"a"}
    np.testing.assert_array_equal(stream.kept, df["w"].to_numpy(dtype=np.float64))


def test_cli_weighted_validation_metrics_are_scikit_learns():
    pytest.importorskip("sklearn")
    from sklearn.metrics import accuracy_score, log_loss, mean_absolute_error, mean_squared_error, r2_score

    from chainrule.cli import weights
    from chainrule.data.tabular import Preprocessing
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(10)
    df = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40)})
    df["y"] = 3 * df["a"] - df["b"] + rng.normal(size=40)
    df["c"] = np.where(df["a"] > 0, "up", "down")
    w = rng.uniform(0, 2, size=40)
    pre = Preprocessing.fit(df[["a", "b", "y"]], "y")
    X, y = pre.transform(df[["a", "b", "y"]], sparse=False), pre.encode_target(df)
    net = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)
    got = weights.metrics(net, pre, X, y, w)
    truth, pred = df["y"].to_numpy(), pre.decode(net.predict(X))
    assert got["mse"] == pytest.approx(mean_squared_error(truth, pred, sample_weight=w), rel=1e-12)
    assert got["rmse"] == pytest.approx(np.sqrt(mean_squared_error(truth, pred, sample_weight=w)), rel=1e-12)
    assert got["mae"] == pytest.approx(mean_absolute_error(truth, pred, sample_weight=w), rel=1e-12)
    assert got["r2"] == pytest.approx(r2_score(truth, pred, sample_weight=w), rel=1e-12)
    pre = Preprocessing.fit(df[["a", "b", "c"]], "c")
    X, y = pre.transform(df[["a", "b", "c"]], sparse=False), pre.encode_target(df)
    net = cr.Network([cr.Dense(2, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    got = weights.metrics(net, pre, X, y, w)
    p, labels = net.predict(X), np.asarray(y)              # class indices in the order of pre.classes
    assert got["loss"] == pytest.approx(log_loss(labels, p, sample_weight=w, labels=[0, 1]), rel=1e-12)
    assert got["accuracy"] == pytest.approx(accuracy_score(labels, p.argmax(axis=1), sample_weight=w), rel=1e-12)


@pytest.mark.parametrize("cell,message", [
    ("-1", "--weight column 'w' must hold numbers >= 0; line 6 has '-1'"),
    ("", "--weight column 'w' has no value on line 6: every row needs one (0 leaves a row out)"),
    ("heavy", "--weight column 'w' must hold numbers >= 0; line 6 has 'heavy'"),
    ("inf", "--weight column 'w' must hold finite numbers; line 6 has 'inf'"),
])
@pytest.mark.parametrize("stream", [False, True])
def test_cli_bad_weight_cells_name_the_column_and_line(iris_weighted, tmp_path, capsys, cell, message, stream):
    _, d, _ = iris_weighted
    d = d.astype({"w": object})
    d.loc[4, "w"] = cell                           # line 6: the header is line 1
    d.to_csv(tmp_path / "bad.csv", index=False)
    code, _, err = train(capsys, tmp_path / "bad.csv", "--target", "species", "--weight", "w",
                         "--out", tmp_path / "m.npz", *(["--stream"] if stream else []))
    assert code != 0 and f"chainrule: error: {message}" in err
    assert not (tmp_path / "m.npz").exists()


def test_cli_weight_column_errors(iris_weighted, tmp_path, capsys):
    _, d, path = iris_weighted
    out = ["--out", tmp_path / "m.npz"]
    cases = [(["--weight", "mass"], "--weight: column 'mass' is not in the file; columns are"),
             (["--weight", "species"], "the --weight column 'species' cannot also be the --target, in --features "
                                       "or in --drop: it is not an input"),
             (["--weight", "w", "--drop", "w"], "the --weight column 'w' cannot also be"),
             (["--weight", "w", "--features", "w,petal length (cm)"], "the --weight column 'w' cannot also be"),
             (["--weight", "w", "--mpi"], "--weight and --mpi cannot be combined")]
    for extra, message in cases:
        code, _, err = train(capsys, path, "--target", "species", *extra, *out)
        assert code != 0 and message in err, err
    d["w"] = 0
    d.loc[0, "w"] = 1                               # only one row weighs something: a part weighs nothing
    d.to_csv(tmp_path / "one.csv", index=False)
    code, _, err = train(capsys, tmp_path / "one.csv", "--target", "species", "--weight", "w", *out)
    assert code != 0 and "--weight column 'w' is 0 on every" in err and "(--val-split 0.2)" in err


# -- checkpoints ------------------------------------------------------------------------------
class Interrupt(cr.callbacks.Callback):
    def on_epoch_end(self, epoch, logs):
        if epoch == 1:
            raise KeyboardInterrupt


def test_a_weighted_run_resumes_bit_for_bit_and_refuses_other_weights(tmp_path):
    X, Y, w = data("mse", n=40, seed=11)
    args = dict(epochs=4, batch_size=8, sample_weight=w, validation_split=0.25, seed=2, verbose=0)
    ref = make_net("mse", "linear")
    ref_history = ref.fit(X, Y, **args)
    net = make_net("mse", "linear")
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, Y, checkpoint_dir=tmp_path, callbacks=[Interrupt()], **args)
    again = make_net("mse", "linear")
    history = again.fit(X, Y, checkpoint_dir=tmp_path, resume=True, **args)
    np.testing.assert_array_equal(again.params, ref.params)
    assert history.history == ref_history.history
    other = make_net("mse", "linear")
    with pytest.raises(ValidationError, match=r"the sample weights \(same shape \[\[30\], \[10\]\], other values\)"):
        other.fit(X, Y, checkpoint_dir=tmp_path, resume=True, **{**args, "sample_weight": w + 1})


def test_estimator_early_stopping_with_a_weightless_part_is_a_clear_error():
    pytest.importorskip("sklearn")
    from chainrule.sklearn import BackpropRegressor
    X = np.random.default_rng(0).normal(size=(20, 2))
    w = np.zeros(20)
    w[0] = 1.0                                   # one row weighs something: one part weighs nothing
    with pytest.raises(ValidationError, match=r"BackpropRegressor: early stopping held out 2 rows \(validation_fraction"
                                              r"=0.1\); the held-out or the other rows all have sample_weight 0"):
        BackpropRegressor(early_stopping=True, epochs=1).fit(X, X[:, 0], sample_weight=w)


def test_class_weight_is_keras_and_balanced_is_scikit_learns():
    """fit(class_weight=...) did not exist (a Keras habit for imbalanced classes): {class: weight}
    weighs each training row by its class (a class left out weighs 1), 'balanced' as scikit-learn's
    compute_class_weight; the same run as the sample weights they stand for, validation unweighted."""
    from sklearn.utils.class_weight import compute_class_weight
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, 3))
    y = np.where(X[:, 0] > 0.8, 2, np.where(X[:, 1] > 0, 1, 0))

    def net():
        return cr.Network([cr.Dense(3, 5, "tanh"), cr.Dense(5, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    balanced = compute_class_weight("balanced", classes=np.unique(y[:45]), y=y[:45])
    for class_weight, weights in (({0: 3.0, 2: 0.5}, np.select([y == 0, y == 2], [3.0, 0.5], 1.0)),
                                  ("balanced", balanced[y])):
        a, b = net(), net()
        ha = a.fit(X, y, epochs=3, batch_size=8, class_weight=class_weight, validation_split=0.25, seed=1, verbose=0)
        hb = b.fit(X[:45], y[:45], epochs=3, batch_size=8, sample_weight=weights[:45], seed=1, verbose=0,
                   validation_data=(X[45:], y[45:]))
        np.testing.assert_array_equal(a.params, b.params)
        assert ha.history == hb.history
        assert ha.val_loss[-1] == pytest.approx(a.evaluate(X[45:], y[45:])["loss"], rel=1e-12)   # unweighted
    both, alone = net(), net()                     # with sample_weight: the product
    w = rng.uniform(0.5, 2.0, size=60)
    both.fit(X, y, epochs=2, batch_size=8, sample_weight=w, class_weight={1: 2.0}, seed=1, verbose=0)
    alone.fit(X, y, epochs=2, batch_size=8, sample_weight=w * np.where(y == 1, 2.0, 1.0), seed=1, verbose=0)
    np.testing.assert_array_equal(both.params, alone.params)
    binary = cr.Network([cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    reference = cr.Network([cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    binary.fit(X, y == 1, epochs=2, batch_size=8, class_weight={1: 4.0}, seed=1, verbose=0)
    reference.fit(X, y == 1, epochs=2, batch_size=8, sample_weight=np.where(y == 1, 4.0, 1.0), seed=1, verbose=0)
    np.testing.assert_array_equal(binary.params, reference.params)


def test_class_weight_refuses_what_it_cannot_weigh():
    X, y = np.random.default_rng(0).normal(size=(10, 3)), np.arange(10) % 3
    multiclass = cr.Network([cr.Dense(3, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    for bad, kind, words in [({3: 1.0}, ValidationError, r"class indices 0..2 .*got 3"),
                             ({"a": 1.0}, ValidationError, "class indices"),
                             ({0: -1.0}, ValidationError, r"class_weight\[0\] must be a number >= 0"),
                             ({0: "2"}, ValidationError, "must be a number"),
                             ("auto", ValidationError, "or 'balanced'; got 'auto'"),
                             ([1.0, 2.0], ChainruleTypeError, "got list"),
                             ({0: 0.0, 1: 0.0, 2: 0.0}, ValidationError, "class_weight's weights")]:
        with pytest.raises(kind, match=words):
            multiclass.fit(X, y, epochs=1, class_weight=bad, verbose=0)
    regression = cr.Network([cr.Dense(3, 1, "linear")], loss="mse", seed=0)
    with pytest.raises(ValidationError, match="class_weight is for a classifier .*task is regression"):
        regression.fit(X, y * 1.0, epochs=1, class_weight={0: 2.0}, verbose=0)
    labels = cr.Network([cr.Dense(3, 3, "sigmoid")], loss="binary_crossentropy", seed=0)
    with pytest.raises(ValidationError, match="task is binary with 3 outputs"):
        labels.fit(X, np.eye(3)[y], epochs=1, class_weight="balanced", verbose=0)
    with pytest.raises(ValidationError, match="class_weight='balanced' needs arrays X, Y .*give a dict"):
        multiclass.fit([(X, y)], epochs=1, class_weight="balanced", verbose=0)     # a sequence's classes: unknown
    with pytest.raises(ValidationError, match=r"class indices 0..2 .*got 3"):
        multiclass.fit([(X, y)], epochs=1, class_weight={3: 1.0}, verbose=0)
    with pytest.raises(ValidationError, match="class_weight is for a classifier .*task is regression"):
        regression.fit([(X, y * 1.0)], epochs=1, class_weight={0: 2.0}, verbose=0)
