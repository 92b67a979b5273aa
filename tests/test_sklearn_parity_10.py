"""A batch whose sample weights are all 0 adds nothing to the loss curve (the penalty's share of a multi-output
regressor's loss counted it), as MLP's over the other batches; and an optimizer scikit-learn's MLP refuses (Adam's
epsilon=0, whose 0/0 on a zero gradient gives NaN weights) is refused by the estimators' parameter check."""
import inspect
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

KW = dict(hidden_layer_sizes=(5,), batch_size=4, alpha=0.3, warm_start=True, shuffle=False, random_state=0)


def _same_start(mlp, ours, X, y, w):
    """Both built, given the same weights, then one epoch each: ours on every row with weights w, MLP's on the rows
    of weight 1 (w is 1 or 0, a whole batch of 0: MLP's fit divides by its weight, 0, and raises ZeroDivisionError)."""
    keep = w > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp.fit(X[keep], y[keep])
        ours.fit(X, y)
        rng = np.random.RandomState(1)
        for k, (W, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
            W0, b0 = rng.uniform(-0.7, 0.7, W.shape), rng.uniform(-0.2, 0.2, b.shape)
            mlp.coefs_[k], mlp.intercepts_[k] = W0.copy(), b0.copy()
            ours.coefs_[k][...], ours.intercepts_[k][...] = W0, b0
        mlp.fit(X[keep], y[keep])
        ours.fit(X, y, sample_weight=w)
    for a, b in zip(mlp.coefs_ + mlp.intercepts_, ours.coefs_ + ours.intercepts_):   # the same steps
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)
    return mlp, ours


def _data(seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(12, 3)
    w = np.ones(12)
    w[4:8] = 0.0                    # the second of three batches of 4
    return X, X @ rng.randn(3, 3), w


@pytest.mark.parametrize("outputs, alpha", [(3, 0.3), (1, 0.3), (3, 0.0), (1, 0.0)])
def test_a_regressors_zero_weight_batch_adds_nothing_to_the_loss(outputs, alpha):
    """The batch that weighs nothing is left out of the loss curve, as the same rows left out of MLPRegressor's fit
    (the same steps: none on that batch): its penalty (3 outputs, alpha) and its rows were counted."""
    X, y, w = _data()
    y = y[:, :outputs] if outputs > 1 else y[:, 0]
    kw = {**KW, "alpha": alpha}
    mlp = MLPRegressor(solver="sgd", momentum=0.0, learning_rate_init=0.02, max_iter=2, **kw)
    ours = BackpropRegressor(optimizer="sgd", momentum=0.0, learning_rate=0.02 * outputs / 2, epochs=2, **kw)
    mlp, ours = _same_start(mlp, ours, X, y, w)
    np.testing.assert_allclose(ours.loss_curve_[2:], mlp.loss_curve_[2:], rtol=1e-12)
    assert ours.loss_ == pytest.approx(mlp.loss_, rel=1e-12)


def test_a_multi_output_regressors_loss_over_batches_of_unequal_weight_is_mlpregressors():
    """The penalty's share was summed over the epoch's weight while the batches' losses are weighed by their rows:
    with 3 outputs, alpha and batches of unequal weight, loss_curve_ was not MLPRegressor's."""
    rng = np.random.RandomState(0)
    X, w = rng.randn(23, 3), rng.uniform(0.5, 2.0, 23)
    y = X @ rng.randn(3, 3)
    kw = {**KW, "batch_size": 7}
    mlp = MLPRegressor(solver="sgd", momentum=0.0, learning_rate_init=0.02, max_iter=2, **kw)
    ours = BackpropRegressor(optimizer="sgd", momentum=0.0, learning_rate=0.03, epochs=2, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp.fit(X, y)
        ours.fit(X, y)
    ours.coefs_[0][...], ours.coefs_[1][...] = mlp.coefs_
    ours.intercepts_[0][...], ours.intercepts_[1][...] = mlp.intercepts_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp.fit(X, y, sample_weight=w)
        ours.fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.loss_curve_[2:], mlp.loss_curve_[2:], rtol=1e-12)


def test_a_multi_label_classifiers_zero_weight_batch_adds_nothing_to_the_loss():
    X, y, w = _data(1)
    labels = (y > 0).astype(int)
    mlp = MLPClassifier(solver="sgd", momentum=0.0, learning_rate_init=0.1, max_iter=2, **KW)
    ours = BackpropClassifier(optimizer="sgd", momentum=0.0, learning_rate=0.3, epochs=2, **KW)
    mlp, ours = _same_start(mlp, ours, X, labels, w)
    np.testing.assert_allclose(ours.loss_curve_[2:], mlp.loss_curve_[2:], rtol=1e-12)


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
@pytest.mark.parametrize("kind", ["Adam", "AdamW", "RMSprop", "Adagrad"])
@pytest.mark.parametrize("eps, dtype", [(0.0, "float64"), (0, "float32"), (1e-50, "float32")])
def test_an_optimizer_whose_eps_is_0_is_refused_as_mlps_epsilon_0(Est, kind, eps, dtype):
    """MLPClassifier(epsilon=0) is refused by scikit-learn's parameter check; torch.optim takes eps=0 and its update
    divides 0 by 0 where a gradient is 0: NaN weights (1e-50 is 0 in float32). The estimators took such an
    optimizer (fit then stopped with TrainingDiverged, or gave NaN weights on its last step): now refused before
    any work, naming eps; a Network's fit with it still stops with TrainingDiverged (docs/errors.md)."""
    from sklearn.utils._param_validation import InvalidParameterError

    import chainrule as cr
    from chainrule.errors import ParameterError
    if eps == 0:                # 1e-50 is taken by MLP (0 only in float32, where torch's update below is NaN)
        with pytest.raises(InvalidParameterError, match="'epsilon' parameter"):
            MLPClassifier(epsilon=eps).fit(np.ones((4, 2)), [0, 1, 0, 1])
    torch = pytest.importorskip("torch")
    p = torch.nn.Parameter(torch.ones(2, dtype=getattr(torch, dtype)))
    step = getattr(torch.optim, kind)([p], lr=0.1, eps=eps)
    p.grad = torch.zeros_like(p)
    step.step()
    assert torch.isnan(p).all()
    X, y = np.random.RandomState(0).rand(8, 2), np.arange(8) % 2
    est = Est(optimizer=getattr(cr.optim, kind)(eps=eps), dtype=dtype, epochs=1)
    with pytest.raises(ParameterError, match=rf"{Est.__name__}: the optimizer's eps must be > 0.*got {eps!r}") as no:
        est.fit(X, y)
    assert not hasattr(est, "network_")
    # the example is this optimizer's own default (torch.optim's: Adagrad's 1e-10); MLP's epsilon is Adam's only
    default = inspect.signature(getattr(torch.optim, kind)).parameters["eps"].default
    assert f"(e.g. chainrule.optim.{kind}(eps={default!r}), the default)" in str(no.value)
    assert (f"as {Est._mlp}'s epsilon" in str(no.value)) == (kind in ("Adam", "AdamW"))


def test_mlps_epsilon_0_is_named_as_refused_here_too():
    with pytest.raises(TypeError, match=r"BackpropClassifier has no parameter epsilon: .*eps=0\); but it is refused "
                                        r"there too: the optimizer's eps must be > 0, as MLPClassifier's epsilon"):
        BackpropClassifier(epsilon=0)


def test_mlps_epsilon_0_in_float32_is_named_as_refused_here_too():
    """epsilon=1e-50 is 0 in float32: the hint's optimizer would be refused in the estimator's float32 too (its
    __init__ and set_params), not in float64, where it is not 0."""
    assert np.float32(1e-50) == 0 and np.float64(1e-50) != 0
    refused = (r"eps=1e-50\); but it is refused there too: "
               r"the optimizer's eps must be > 0 in the network's dtype float32")
    with pytest.raises(TypeError, match=refused):
        BackpropClassifier(epsilon=1e-50, dtype="float32")
    with pytest.raises(ValueError, match=refused):
        BackpropClassifier(dtype="float32").set_params(epsilon=1e-50)
    with pytest.raises(ValueError, match=refused):
        BackpropClassifier().set_params(epsilon=1e-50, dtype="float32")
    with pytest.raises(TypeError) as plain:
        BackpropClassifier(epsilon=1e-50)
    assert "refused" not in str(plain.value)


def test_docs_show_the_refusal_as_raised():
    from pathlib import Path

    import chainrule as cr
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    rows = {cells[0]: cells[2] for cells in ([c.strip() for c in line.strip().strip("|").split(" | ")]
                                             for line in doc.splitlines()) if len(cells) == 4}
    with pytest.raises(ValueError) as caught:
        BackpropClassifier(optimizer=cr.optim.Adam(eps=0)).fit(np.random.RandomState(0).rand(8, 2), np.arange(8) % 2)
    assert str(caught.value) == rows["estimator optimizer with eps=0"]


#: values of MLP's parameters that only chainrule takes, on purpose: more activations and optimizers (names in any
#: case, None: linear), batch_size=None (32, Keras' default)
EXTENSIONS = {("activation", repr(v)) for v in (None, "RELU", "softmax", "sigmoid", "linear", "leaky_relu",
                                                "Logistic")} \
    | {("batch_size", "None")} | {("solver", repr(v)) for v in ("SGD", "adamw", "rmsprop", "adagrad", "Adam")}
BOUNDARIES = [0, -1, 1, 2, 0.5, 1.0, 1.5, 2.0, 0.0, -0.0, np.inf, -np.inf, np.nan, True, False, np.bool_(True), "auto",
              None, 1e308, 2**32, 2**32 - 1, np.float64(2.0), np.int64(3), np.int64(0), np.float32(0.5), 1e-300,
              0.999999, "true", "", [], (), [1], 1 + 0j, "1"]
MORE = {"hidden_layer_sizes": [(0,), (1.0,), np.array([2.0]), (True,), (2, -1), np.array([[2]]), {2}, "10", (np.nan,)],
        "activation": ["RELU", "softmax", "sigmoid", "linear", "leaky_relu", "Logistic", "tanh", "identity"],
        "solver": ["lbfgs", "SGD", "adamw", "rmsprop", "adagrad", "Adam"], "batch_size": ["Auto", np.int64(5), 5.0],
        "n_iter_no_change": [np.float64(np.inf), 1.5, np.float32(np.inf)],
        "random_state": [np.random.default_rng(0), np.int64(5), 5.0], "verbose": [-1, 3, 2.0]}
OURS = {"max_iter": "epochs", "learning_rate_init": "learning_rate", "solver": "optimizer"}
#: MLP's optimizer's arguments, an optimizer instance's here
ARGUMENTS = {"beta_1": lambda v: {"betas": (v, 0.999)}, "beta_2": lambda v: {"betas": (0.9, v)},
             "epsilon": lambda v: {"eps": v}, "nesterovs_momentum": lambda v: {"nesterov": v, "momentum": 0.9}}


def _mlp_refuses(Mlp, **params) -> bool:
    try:
        Mlp(**params)._validate_params()
    except (ValueError, TypeError):
        return True
    return False


def _refuses(Est, name, value, **more) -> bool:
    """Whether the estimator refuses MLP's `name` at `value`, under our name or as our optimizer's argument."""
    import chainrule as cr
    from chainrule.sklearn.params import check_params
    try:
        if name in ARGUMENTS:
            kind = cr.optim.SGD if name == "nesterovs_momentum" else cr.optim.Adam
            check_params(Est(optimizer=kind(0.1, **ARGUMENTS[name](value))))
        else:
            check_params(Est(**{OURS.get(name, name): value}, **more))
    except (ValueError, TypeError):
        return True
    return False


@pytest.mark.parametrize("Mlp, Est", [(MLPClassifier, BackpropClassifier), (MLPRegressor, BackpropRegressor)])
def test_every_value_mlps_parameter_check_refuses_is_refused_here(Mlp, Est):
    """Each parameter the two share (under our name; its optimizer's arguments as our optimizer's), at boundary values:
    what scikit-learn's parameter check refuses is refused here too (Adam's epsilon=0 was the one taken: above), but
    for chainrule's own extensions."""
    # MLP's names of ours (its learning_rate, a schedule, is none of ours: our learning_rate is its learning_rate_init)
    shared = sorted(set(Mlp._parameter_constraints) & {*Est._get_param_names(), *OURS, *ARGUMENTS} - {"learning_rate"})
    assert len(shared) == 20
    taken = []
    for name in shared:
        for value in BOUNDARIES + MORE.get(name, []):
            for more in [{}, {"early_stopping": True}] if name == "validation_fraction" else [{}]:
                if _mlp_refuses(Mlp, **{name: value}, **more) and not _refuses(Est, name, value, **more):
                    taken.append((name, repr(value)))
    assert set(taken) == EXTENSIONS
