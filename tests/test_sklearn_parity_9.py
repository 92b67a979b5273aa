"""The parameters' messages in scikit-learn's terms (hidden_layer_sizes as an array-like, MLP's names with values
refused here too, Adam's arguments), partial_fit refusing a network the parameters no longer describe, and the
loss curve in MLP's units for every network (a multi-output regressor's with alpha, a multi-label one's)."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402
from test_sklearn_parity_5 import _from_same_weights  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Stochastic Optimizer")       # few epochs
X = np.random.RandomState(0).rand(20, 3)
Y = np.arange(20) % 2


def _refusal(**params) -> str:
    with pytest.raises(ValueError) as caught:
        BackpropClassifier(epochs=1, **params).fit(X, Y)
    return str(caught.value)


def _mlp_refusal(**params) -> str:
    with pytest.raises(ValueError) as caught:
        MLPClassifier(max_iter=1, **params).fit(X, Y)
    return str(caught.value)


@pytest.mark.parametrize("sizes", ["64", 3.0, np.array([[3]]), True])
def test_hidden_layer_sizes_of_another_kind_is_named_as_scikit_learn_names_what_it_takes(sizes):
    """The message said 'an int or a tuple of ints' though a list and an array are taken; scikit-learn's says
    'an array-like or an int in the range [1, inf)'. Now ours says that, and names the value and its type."""
    assert "must be an array-like or an int in the range [1, inf)" in _mlp_refusal(hidden_layer_sizes="64")
    msg = _refusal(hidden_layer_sizes=sizes)
    assert "hidden_layer_sizes must be an array-like of ints (a tuple, a list or a 1-D NumPy array) or an int, " \
           "each in the range [1, inf)" in msg and "an int or a tuple of ints" not in msg
    assert msg.endswith(f"got {sizes!r} ({type(sizes).__name__})")
    for taken in ([3, 2], np.array([3, 2]), (3,), 4):         # what the message says is taken, as MLP takes it
        BackpropClassifier(hidden_layer_sizes=taken, epochs=1).fit(X, Y)
        MLPClassifier(hidden_layer_sizes=taken, max_iter=1).fit(X, Y)


@pytest.mark.parametrize("sizes, bad", [([3, 0], "0 at index 1"), (np.array([3, 0]), "0 at index 1"),
                                        (0, "0 at index 0"), (("64",), "'64' at index 0"), ([[3]], "[3] at index 0")])
def test_a_bad_width_is_named_with_the_value_as_given(sizes, bad):
    """[3, 0] was shown as (3, 0), an array's widths as (np.int64(3), np.int64(0)), 0 as (0,): now as given, and
    the width refused with its place. MLP refuses these too."""
    with pytest.raises((ValueError, TypeError)):      # ('64',): NumPy's TypeError, in MLP
        MLPClassifier(hidden_layer_sizes=sizes, max_iter=1).fit(X, Y)
    assert _refusal(hidden_layer_sizes=sizes).endswith(f"got {sizes!r} ({type(sizes).__name__}): {bad} is not")


@pytest.mark.parametrize("theirs, ours, value, why", [
    ("learning_rate_init", "learning_rate", 0, "learning_rate must be a number > 0 as MLPClassifier's "
     "learning_rate_init (at a constant rate 0 a fit learns nothing) or a chainrule.optim schedule (StepLR(0.01, 10), "
     "...); got 0 (int)"),
    ("max_iter", "epochs", 0, "epochs must be a positive int; got 0 (int)")])
def test_mlps_name_with_a_value_refused_here_too_says_so(theirs, ours, value, why):
    """learning_rate_init=0 said 'use learning_rate=0', which is refused in turn; MLP refuses 0 as well."""
    with pytest.raises(InvalidParameterError, match=f"'{theirs}' parameter"):
        MLPClassifier(**{theirs: value}).fit(X, Y)
    with pytest.raises(TypeError) as caught:
        BackpropClassifier(**{theirs: value})
    assert str(caught.value).endswith(f"use {ours}={value}, but {value} is refused there too: {why}")
    with pytest.raises(ValueError, match=_re(why)):
        BackpropClassifier(**{"epochs": 1, ours: value}).fit(X, Y)


@pytest.mark.parametrize("theirs, value, given", [("beta_1", 1, "betas=(1, 0.999)"),
                                                  ("beta_2", 1.5, "betas=(0.9, 1.5)")])
def test_adams_arguments_are_named_with_the_optimizer_that_takes_them(theirs, value, given):
    """beta_1 listed our parameters only; now the message names the value, the optimizer that takes it, and why
    it refuses it (as MLP refuses it: [0, 1))."""
    with pytest.raises(InvalidParameterError, match=rf"'{theirs}' parameter of MLPClassifier must be a float in the "
                                                   r"range \[0.0, 1.0\)"):
        MLPClassifier(**{theirs: value}).fit(X, Y)
    with pytest.raises(TypeError) as caught:
        BackpropClassifier(**{theirs: value})
    msg = str(caught.value)
    assert f"MLPClassifier's {theirs} ({value}) is an argument of the Adam optimizer here: " \
           f"optimizer=chainrule.optim.Adam(lr=..., {given}); but it is refused there too: betas[" in msg
    assert f"must be in [0.0, 1.0); got {value}" in msg
    ok = BackpropClassifier(optimizer=__import__("chainrule").optim.Adam(lr=1e-3, betas=(0.8, 0.99)), epochs=1)
    ok.fit(X, Y)                                                  # what the message says to write


@pytest.mark.parametrize("Est, kw", [(BackpropClassifier, {"classes": [0, 1]}), (BackpropRegressor, {})])
@pytest.mark.parametrize("change, old, new", [({"hidden_layer_sizes": (5,)}, "(4,)", "(5,)"),
                                              ({"hidden_layer_sizes": (4, 3)}, "(4,)", "(4, 3)"),
                                              ({"dtype": "float32"}, "'float64'", "'float32'")])
def test_partial_fit_refuses_a_network_the_parameters_no_longer_describe(Est, kw, change, old, new):
    """MLPClassifier's partial_fit after set_params(hidden_layer_sizes=(5,)) goes on with its 4 units (shown here),
    and with (4, 3) fails in NumPy; ours went on with the old network, named nothing, and paired the new layers
    with the old by zip. Now a ValueError names the parameter, the network's value and the new one; the network
    is left as it was."""
    mlp = (MLPClassifier if Est is BackpropClassifier else MLPRegressor)(hidden_layer_sizes=(4,), random_state=0)
    mlp.partial_fit(X, Y, **kw).set_params(hidden_layer_sizes=(5,)).partial_fit(X, Y)
    assert [w.shape for w in mlp.coefs_] == [(3, 4), (4, 1)]        # the parameter ignored
    est = Est(hidden_layer_sizes=(4,), random_state=0).partial_fit(X, Y, **kw)
    before = [w.copy() for w in est.coefs_]
    est.set_params(**change)
    param = next(iter(change))
    with pytest.raises(ValueError, match=rf"{Est.__name__}.partial_fit goes on training the fitted network, whose "
                                         rf"{param} is {_re(old)}; {param} is now {_re(new)}\. Set {param} back"):
        est.partial_fit(X, Y)
    assert all(np.array_equal(a, b) for a, b in zip(before, est.coefs_)) and len(est.loss_curve_) == 1
    est.set_params(hidden_layer_sizes=[4], dtype="float64", activation="tanh").partial_fit(X, Y)   # [4] is (4,)
    assert est.network_.dense_layers[0].activation.name == "tanh" and len(est.loss_curve_) == 2


def test_partial_fit_refuses_another_number_of_outputs_in_fits_words():
    """A regressor's partial_fit on 2 columns after 1 said the engine's 'for one-hot rows of two classes ...'."""
    est = BackpropRegressor(hidden_layer_sizes=(4,), random_state=0).partial_fit(X, Y * 1.0)
    with pytest.raises(ValidationError, match=r"partial_fit can only be used where `y` has as many columns as in the "
                                              r"previous call to fit or partial_fit. Previously got 1, `y` has 2"):
        est.partial_fit(X, np.c_[Y, Y] * 1.0)


def _re(text: str) -> str:
    import re
    return re.escape(text)


@pytest.mark.parametrize("outputs", [1, 3])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_a_regressors_loss_curve_is_mlpregressors(outputs, alpha):
    """MLPRegressor reports half the squared error averaged over the outputs, plus 0.5 * alpha * sum(W**2) / rows,
    while its gradient is that of the squared error summed over the outputs: the loss curve was the mean squared
    error with the penalty scaled as the gradient, twice MLP's with 1 output and neither twice nor equal with 3 and
    alpha. Now it is MLPRegressor's, epoch by epoch, from the same weights (plain SGD, no shuffling, 23 rows in
    batches of 7, at MLP's step size times outputs / 2: the same steps); loss_ with it."""
    rng = np.random.RandomState(0)
    Xr = rng.randn(23, 4)
    y = Xr @ rng.randn(4, outputs) + 0.1 * rng.randn(23, outputs)
    y = y[:, 0] if outputs == 1 else y
    kw = dict(hidden_layer_sizes=(5, 3), batch_size=7, alpha=alpha, warm_start=True, shuffle=False, random_state=0,
              n_iter_no_change=100)
    mlp = MLPRegressor(solver="sgd", momentum=0.0, learning_rate_init=0.02, max_iter=4, **kw)
    ours = BackpropRegressor(optimizer="sgd", momentum=0.0, learning_rate=0.02 * outputs / 2, epochs=4, **kw)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp, ours = _from_same_weights(mlp, ours, Xr, y)
    for a, b in zip(mlp.coefs_ + mlp.intercepts_, ours.coefs_ + ours.intercepts_):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.loss_curve_[4:], mlp.loss_curve_[4:], rtol=1e-12)
    assert ours.loss_ == pytest.approx(mlp.loss_, rel=1e-12)


def test_a_multi_label_loss_curve_is_mlpclassifiers():
    """A multi-label network's loss is the mean over its labels, MLP's their sum: loss_curve_ was MLP's / labels.
    Now it is MLPClassifier's (the same steps at 3 times MLP's step size, from the same weights)."""
    rng = np.random.RandomState(1)
    Xc = rng.randn(23, 4)
    y = (Xc[:, :3] + 0.3 * rng.randn(23, 3) > 0).astype(int)
    kw = dict(hidden_layer_sizes=(5, 3), batch_size=7, alpha=0.3, warm_start=True, shuffle=False, random_state=0)
    mlp = MLPClassifier(solver="sgd", momentum=0.0, learning_rate_init=0.1, max_iter=1, **kw)
    ours = BackpropClassifier(optimizer="sgd", momentum=0.0, learning_rate=0.3, epochs=1, **kw)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp, ours = _from_same_weights(mlp, ours, Xc, y)
    assert ours.loss_curve_[-1] == pytest.approx(mlp.loss_curve_[-1], rel=1e-12)


def test_the_stopping_rule_and_verbose_lines_read_mlps_loss(capsys):
    """tol is compared with the loss MLP reports (it was doubled for the regressor's mean squared error, and the
    stopping line said tol=0.020000 for tol=1e-2): with 3 outputs and alpha, the verbose lines show loss_curve_,
    in MLP's units, and the stopping line names tol as MLPRegressor's does."""
    rng = np.random.RandomState(2)
    Xr = rng.randn(40, 4)
    y = Xr @ rng.randn(4, 3)
    kw = dict(hidden_layer_sizes=(5,), batch_size=10, alpha=0.5, shuffle=False, random_state=0, tol=1e-2,
              n_iter_no_change=2, verbose=True)
    mlp = MLPRegressor(solver="sgd", momentum=0.0, learning_rate_init=0.01, max_iter=300, **kw).fit(Xr, y)
    theirs = capsys.readouterr().out
    ours = BackpropRegressor(optimizer="sgd", momentum=0.0, learning_rate=0.015, epochs=300, **kw)
    ours.fit(Xr, y)          # another start: the same rule on its own curve
    out = capsys.readouterr().out
    assert "Training loss did not improve more than tol=0.010000 for 2 consecutive epochs. Stopping." in theirs
    assert "Training loss did not improve more than tol=0.010000 for 2 consecutive epochs. Stopping." in out
    lines = [float(line.split("= ")[1]) for line in out.splitlines() if line.startswith("Iteration")]
    np.testing.assert_allclose(lines, ours.loss_curve_, rtol=1e-7)
    assert mlp.n_iter_ < 300 and ours.n_iter_ < 300


def test_docs_show_these_messages_as_raised():
    """docs/errors.md's rows for these refusals: the whole message, as raised."""
    from pathlib import Path
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    rows = {cells[0]: cells[2] for cells in ([c.strip() for c in line.strip().strip("|").split(" | ")]
                                             for line in doc.splitlines()) if len(cells) == 4}
    Xs, ys = np.random.RandomState(0).rand(10, 2), np.arange(10) % 2
    calls = {"estimator hidden_layer_sizes text": lambda: BackpropClassifier(hidden_layer_sizes="64").fit(Xs, ys),
             "estimator MLPClassifier's name, value refused": lambda: BackpropClassifier(learning_rate_init=0),
             "estimator partial_fit after new hidden_layer_sizes": lambda: BackpropClassifier(hidden_layer_sizes=(4,))
             .partial_fit(Xs, ys, classes=[0, 1]).set_params(hidden_layer_sizes=(8,)).partial_fit(Xs, ys)}
    for name, call in calls.items():
        with pytest.raises((ValueError, TypeError)) as caught:
            call()
        assert str(caught.value) == rows[name], name


def test_a_weighted_multi_output_loss_curve_is_mlpregressors_over_one_batch():
    """With sample_weight the penalty is over each batch's weight sum and the epoch's loss weighs batches by their
    rows, as MLP's (docs/tabular.md; several batches: test_keras_parity_8.py): the curves agree, 3 outputs and
    alpha included."""
    import warnings
    rng = np.random.RandomState(0)
    Xr, w = rng.randn(23, 4), rng.uniform(0.5, 2.0, 23)
    y = Xr @ rng.randn(4, 3)
    kw = dict(hidden_layer_sizes=(5,), batch_size=23, alpha=0.3, warm_start=True, shuffle=False, random_state=0)
    mlp = MLPRegressor(solver="sgd", momentum=0.0, learning_rate_init=0.02, max_iter=2, **kw)
    ours = BackpropRegressor(optimizer="sgd", momentum=0.0, learning_rate=0.03, epochs=2, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp, ours = _from_same_weights(mlp, ours, Xr, y, sample_weight=w)
    np.testing.assert_allclose(ours.loss_curve_[2:], mlp.loss_curve_[2:], rtol=1e-12)
