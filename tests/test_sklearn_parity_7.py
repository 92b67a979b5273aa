"""Parity with scikit-learn's MLPClassifier/MLPRegressor, seventh pass: alpha carried by `from_sklearn`
(the engine's penalty, which SklearnSolver uses too), the parameters' errors listing every accepted value,
a multi-output regressor's steps, a warm start with another activation, a weighted loss_curve_."""
import copy

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from test_sklearn_parity_5 import _from_same_weights  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _sk_flat(est):
    return np.concatenate([np.ravel(a) for W, b in zip(est.coefs_, est.intercepts_) for a in (W, b)])


def _data(n=30, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 4)
    return X, rng


@pytest.mark.parametrize("kind", ["multiclass", "multilabel", "regression2"])
def test_from_sklearn_carries_alpha_into_chainrules_own_training(kind):
    """from_sklearn dropped alpha: net.fit with the imported SGD stepped without MLP's L2 term. Now the
    network's weight_penalty is MLP's alpha (per label for a multi-label network, whose loss is the mean over
    labels), so a plain-SGD epoch of chainrule's own optimizer is partial_fit's (momentum 0: the step is the
    gradient's; multi-label at 3 times the step, its loss the mean of MLP's sum)."""
    X, rng = _data()
    if kind == "multiclass":
        y, Y, MLP = np.digitize(X[:, 0], [-0.5, 0.5]), None, MLPClassifier
    elif kind == "multilabel":
        y = np.c_[X[:, 0] > 0, X[:, 1] > 0, X[:, 2] > 0.3].astype(int)
        Y, MLP = y.astype(float), MLPClassifier
    else:
        y = X @ rng.randn(4, 2)
        Y, MLP = y, MLPRegressor
    est = MLP(hidden_layer_sizes=(5,), solver="sgd", momentum=0.0, alpha=0.5, learning_rate_init=0.05,
              batch_size=len(X), shuffle=False, max_iter=3, random_state=0).fit(X, y)
    net = cr.from_sklearn(est)
    if kind == "multilabel":
        net.optimizer.lr *= 3
    net.fit(X, np.eye(3)[y] if Y is None else Y, epochs=1, batch_size=len(X), shuffle=False, verbose=0)
    est.partial_fit(X, y)
    np.testing.assert_allclose(net.params, _sk_flat(est), rtol=1e-12, atol=1e-13)


def test_sklearn_solver_uses_the_networks_penalty_with_sample_weights():
    """SklearnSolver's own alpha * W / n divided by the batch's rows; with sample weights MLP divides by their
    sum (as the engine's penalty does): one weighted batch now gives partial_fit's weights."""
    X, _ = _data()
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    w = np.random.RandomState(3).uniform(0.2, 3.0, len(X))
    est = MLPClassifier(hidden_layer_sizes=(4,), alpha=0.3, batch_size=len(X), shuffle=False, max_iter=3,
                        random_state=0).fit(X, y)
    net = cr.from_sklearn(est)
    solver = cr.saving.interop.SklearnSolver(net, copy.deepcopy(est))
    net.fit(X, y.reshape(-1, 1).astype(float), epochs=1, batch_size=len(X), shuffle=False, verbose=0,
            optimizer=solver, sample_weight=w, weight_reduction="mean_with_sample_weight")   # MLP's
    est.partial_fit(X, y, sample_weight=w)
    np.testing.assert_allclose(net.params, _sk_flat(est), rtol=1e-11, atol=1e-13)


def _refusal(**params):
    X, _ = _data(n=20)
    with pytest.raises(cr.errors.ValidationError) as info:
        BackpropClassifier(epochs=1, **params).fit(X, np.arange(20) % 2)
    return str(info.value)


def test_the_batch_size_error_names_every_accepted_value():
    """batch_size's error said "a positive int or 'auto'"; None, the default, is taken too (MLP's constraints
    list their every option: 'auto' and Interval(Integral, 1, ...); here None also)."""
    options = MLPClassifier._parameter_constraints["batch_size"]
    assert any("auto" in getattr(o, "options", ()) for o in options)
    message = _refusal(batch_size="big")
    assert "a positive int" in message and "'auto'" in message and "None" in message
    for ok in (None, "auto", 5):
        BackpropClassifier(epochs=1, batch_size=ok).fit(*_binary())


def _binary():
    X, _ = _data(n=20)
    return X, (X[:, 0] > 0).astype(int)


def test_n_iter_no_change_takes_np_inf_as_mlp():
    """MLPClassifier's n_iter_no_change is an int >= 1 or np.inf (never stop on the training loss); ours refused
    inf. Now both train every epoch, and the error lists inf."""
    constraints = MLPClassifier._parameter_constraints["n_iter_no_change"]
    assert any(getattr(o, "options", None) == {np.inf} for o in constraints)
    X, y = _binary()
    kw = dict(hidden_layer_sizes=(3,), tol=10.0, n_iter_no_change=np.inf, random_state=0)
    mlp = MLPClassifier(max_iter=6, **kw).fit(X, y)
    ours = BackpropClassifier(epochs=6, **kw).fit(X, y)
    assert ours.n_iter_ == mlp.n_iter_ == 6
    assert "np.inf" in _refusal(n_iter_no_change=0)


def test_the_optimizer_error_says_an_instance_is_taken():
    """An unknown optimizer's error listed the names only; an Optimizer instance is taken too."""
    assert "Optimizer instance" in _refusal(optimizer="lbfgs")


@pytest.mark.parametrize("outputs", [1, 3])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_a_multi_output_regressors_steps_are_mlpregressors(outputs, alpha):
    """MLPRegressor's gradient is out - y (half the squared error summed over the outputs), ours the mean
    squared error's, 2 / outputs times that; alpha's penalty was scaled by 2 whatever the outputs, so with 3
    outputs it weighed 3 times MLP's beside the data. Plain SGD from the same weights, at MLP's step size times
    outputs / 2, now takes MLPRegressor's steps (23 rows in batches of 7); the loss curve is MLPRegressor's
    (test_sklearn_parity_9: with alpha too)."""
    rng = np.random.RandomState(0)
    X = rng.randn(23, 4)
    y = X @ rng.randn(4, outputs) + 0.1 * rng.randn(23, outputs)
    y = y[:, 0] if outputs == 1 else y
    kw = dict(hidden_layer_sizes=(5, 3), batch_size=7, alpha=alpha, warm_start=True, shuffle=False, random_state=0)
    mlp = MLPRegressor(solver="sgd", momentum=0.0, learning_rate_init=0.02, max_iter=2, **kw)
    ours = BackpropRegressor(optimizer="sgd", momentum=0.0, learning_rate=0.02 * outputs / 2, epochs=2, **kw)
    mlp, ours = _from_same_weights(mlp, ours, X, y)
    for a, b in zip(mlp.coefs_ + mlp.intercepts_, ours.coefs_ + ours.intercepts_):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.loss_curve_[2:], mlp.loss_curve_[2:], rtol=1e-12)


@pytest.mark.parametrize("Est, MLP", [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)])
def test_a_warm_start_with_another_activation_keeps_the_weights_as_mlp(Est, MLP):
    """MLPClassifier's warm start with another activation keeps its weights and computes with the new one;
    ours built a new network (new random weights). From the same weights, one plain-SGD epoch with tanh
    instead of relu now gives MLP's weights and predictions."""
    X, rng = _data()
    y = (X[:, 0] > 0).astype(int) if Est is BackpropClassifier else X @ rng.randn(4)
    kw = dict(hidden_layer_sizes=(5,), batch_size=10, alpha=1e-3, warm_start=True, shuffle=False, random_state=0)
    lr = 0.05 if Est is BackpropClassifier else 0.025        # the regressor's loss is twice MLPRegressor's
    mlp = MLP(solver="sgd", momentum=0.0, learning_rate_init=0.05, max_iter=1, activation="relu", **kw)
    ours = Est(optimizer="sgd", momentum=0.0, learning_rate=lr, epochs=1, activation="relu", **kw)
    mlp, ours = _from_same_weights(mlp, ours, X, y)
    network = ours.network_
    mlp.set_params(activation="tanh").fit(X, y)
    ours.set_params(activation="tanh").fit(X, y)
    assert ours.network_.layers[0].activation.name == "tanh"
    assert network.layers[0].activation.name == "relu"                # the network before is not changed
    same_as_mlp(ours, mlp, X)


def test_a_refused_warm_start_with_another_activation_leaves_the_network():
    """The activation is changed in a copy: a warm fit refused for its sample weights leaves the fitted network
    (and its relu) as it was."""
    X, y = _binary()
    est = BackpropClassifier(hidden_layer_sizes=(5,), epochs=2, warm_start=True, random_state=0).fit(X, y)
    before = est.predict_proba(X)
    with pytest.raises(cr.errors.ValidationError, match="sample_weight must be >= 0"):
        est.set_params(activation="tanh").fit(X, y, sample_weight=-np.ones(len(X)))
    assert est.network_.layers[0].activation.name == "relu"
    np.testing.assert_array_equal(est.predict_proba(X), before)


def test_a_weighted_loss_curve_averages_the_batches_by_rows_as_mlp():
    """What docs/tabular.md says of a weighted loss_curve_, checked against scikit-learn's log_loss batch by
    batch (the weights kept still by a vanishing step): each batch's loss is its weighted mean plus the
    penalty over its weights' sum, in both; the epoch averages the batches by their rows, in both (ours
    averaged them by their weights: Keras' loss tracker weighs them by rows too). One batch: the same number."""
    from sklearn.metrics import log_loss
    X, _ = _data(n=23)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    w = np.random.RandomState(4).uniform(0.1, 3.0, len(X))
    alpha, batches = 0.3, [slice(0, 7), slice(7, 14), slice(14, 21), slice(21, 23)]
    kw = dict(hidden_layer_sizes=(4,), batch_size=7, alpha=alpha, warm_start=True, shuffle=False, random_state=0)
    mlp = MLPClassifier(solver="sgd", momentum=0.0, learning_rate_init=1e-300, max_iter=1, **kw)
    ours = BackpropClassifier(optimizer="sgd", momentum=0.0, learning_rate=1e-300, epochs=1, **kw)
    mlp, ours = _from_same_weights(mlp, ours, X, y, sample_weight=w)
    p, squares = mlp.predict_proba(X), sum(float(np.sum(W ** 2)) for W in mlp.coefs_)
    losses = np.array([log_loss(y[b], p[b], sample_weight=w[b], labels=[0, 1]) + 0.5 * alpha * squares / w[b].sum()
                       for b in batches])
    rows, weights = np.array([7, 7, 7, 2]), np.array([w[b].sum() for b in batches])
    assert mlp.loss_curve_[-1] == pytest.approx(losses @ rows / rows.sum(), rel=1e-10)
    assert ours.loss_curve_[-1] == pytest.approx(losses @ rows / rows.sum(), rel=1e-10)
    assert ours.loss_curve_[-1] != pytest.approx(losses @ weights / weights.sum(), rel=1e-6)
    full = dict(kw, batch_size=len(X))
    mlp = MLPClassifier(solver="sgd", momentum=0.0, learning_rate_init=1e-300, max_iter=1, **full)
    ours = BackpropClassifier(optimizer="sgd", momentum=0.0, learning_rate=1e-300, epochs=1, **full)
    mlp, ours = _from_same_weights(mlp, ours, X, y, sample_weight=w)
    assert ours.loss_curve_[-1] == pytest.approx(mlp.loss_curve_[-1], rel=1e-12)


def test_a_saved_imported_network_keeps_mlps_alpha(tmp_path):
    """The model file did not hold weight_penalty: an imported MLP saved and loaded trained without its alpha.
    Now the loaded network's plain-SGD epoch is still partial_fit's; a file whose penalty is not a number >= 0
    is refused, naming it."""
    import json
    import zipfile
    X, _ = _data()
    y = np.digitize(X[:, 0], [-0.5, 0.5])
    est = MLPClassifier(hidden_layer_sizes=(5,), solver="sgd", momentum=0.0, alpha=0.5, learning_rate_init=0.05,
                        batch_size=len(X), shuffle=False, max_iter=3, random_state=0).fit(X, y)
    cr.from_sklearn(est).save(tmp_path / "m.npz")
    net = cr.load(tmp_path / "m.npz")
    assert net.weight_penalty == 0.5
    net.fit(X, np.eye(3)[y], epochs=1, batch_size=len(X), shuffle=False, verbose=0)
    est.partial_fit(X, y)
    np.testing.assert_allclose(net.params, _sk_flat(est), rtol=1e-12, atol=1e-13)
    with zipfile.ZipFile(tmp_path / "m.npz") as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    header = json.loads(str(np.load(tmp_path / "m.npz")["__format__"]))
    header["weight_penalty"] = -1.0
    members["__format__.npy"] = _npy(np.array(json.dumps(header)))
    with zipfile.ZipFile(tmp_path / "bad.npz", "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(cr.errors.ModelFileError, match=r"weight_penalty must be a finite number >= 0.*got -1.0"):
        cr.load(tmp_path / "bad.npz")


def _npy(array):
    import io
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def same_as_mlp(ours, mlp, X):
    """Our weights, biases and outputs are MLP's to 1e-12."""
    for a, b in zip(mlp.coefs_ + mlp.intercepts_, ours.coefs_ + ours.intercepts_):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)
    if isinstance(ours, BackpropClassifier):
        np.testing.assert_allclose(ours.predict_proba(X), mlp.predict_proba(X), rtol=0, atol=1e-12)
    else:
        np.testing.assert_allclose(ours.predict(X), mlp.predict(X), rtol=0, atol=1e-12)
