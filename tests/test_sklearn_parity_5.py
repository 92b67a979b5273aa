"""Parity with scikit-learn's MLPClassifier/MLPRegressor, fifth pass: alpha as MLP's L2 penalty on the
weights (not the biases, divided by the batch's rows, in the loss), the verbose lines in MLP's words,
batch_size's default told from an explicit 32, warm_start with other hidden layers, tol and its stopping rule."""
import re
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # the MLPs' one epoch


def _data(n=23, kind="binary", seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 4)
    if kind == "binary":
        y = (X[:, 0] + X[:, 1] > 0).astype(int)
    elif kind == "multiclass":
        y = np.digitize(X[:, 0], [-0.5, 0.5])
    elif kind == "multilabel":
        y = np.c_[X[:, 0] > 0, X[:, 1] > 0, X[:, 2] > 0.3].astype(int)
    else:
        y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.randn(n)
    return X, y


def _from_same_weights(mlp, ours, X, y, sample_weight=None, seed=1):
    """Both fitted once (to build them), then given the same weights and fitted one epoch more (warm start)."""
    mlp.fit(X, y)
    ours.fit(X, y)
    rng = np.random.RandomState(seed)
    for k, (W, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
        W0, b0 = rng.uniform(-0.7, 0.7, W.shape), rng.uniform(-0.2, 0.2, b.shape)
        mlp.coefs_[k], mlp.intercepts_[k] = W0.copy(), b0.copy()
        ours.coefs_[k][...], ours.intercepts_[k][...] = W0, b0
    mlp.fit(X, y, sample_weight=sample_weight)
    ours.fit(X, y, sample_weight=sample_weight)
    return mlp, ours


SGD = dict(hidden_layer_sizes=(5, 3), batch_size=7, alpha=0.3, warm_start=True, shuffle=False, random_state=0)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("weighted", [False, True])
def test_alpha_is_mlps_l2_penalty_on_the_weights(kind, weighted):
    """alpha was the optimizer's weight decay, alpha * w on every parameter (biases too) at every step;
    MLPClassifier's is 0.5 * alpha * sum(W**2) / (the batch's rows, or its sample weights' sum) added to
    the loss: one epoch of plain SGD from the same weights (23 rows in batches of 7: the last has 2) now
    gives MLP's weights, biases and loss (loss_curve_ includes the penalty). A multi-label network's loss is
    the mean over its 3 labels, MLP's their sum: its step size is 3 times MLP's for the same steps."""
    X, y = _data(kind=kind)
    w = np.random.RandomState(5).uniform(0.5, 2.0, len(X)) if weighted else None
    scale = 3.0 if kind == "multilabel" else 1.0
    mlp = MLPClassifier(solver="sgd", momentum=0.0, learning_rate_init=0.1, max_iter=1, **SGD)
    ours = BackpropClassifier(optimizer="sgd", momentum=0.0, learning_rate=0.1 * scale, epochs=1, **SGD)
    mlp, ours = _from_same_weights(mlp, ours, X, y, w)
    for a, b in zip(mlp.coefs_ + mlp.intercepts_, ours.coefs_ + ours.intercepts_):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)
    if not weighted:      # with weights, MLP's epoch loss weighs its batches by rows, ours by weight
        assert ours.loss_curve_[-1] == pytest.approx(mlp.loss_curve_[-1], rel=1e-12)     # MLP's units (`MLPLoss`)


def test_alpha_in_the_regressor_is_mlps_penalty_in_our_units():
    """The regressor's loss is the mean squared error, twice MLPRegressor's half of it: the penalty is twice
    MLP's too, so at half MLP's step size the steps are MLP's; loss_curve_ is reported in MLP's units."""
    X, y = _data(kind="regression")
    mlp = MLPRegressor(solver="sgd", momentum=0.0, learning_rate_init=0.02, max_iter=1, **SGD)
    ours = BackpropRegressor(optimizer="sgd", momentum=0.0, learning_rate=0.01, epochs=1, **SGD)
    mlp, ours = _from_same_weights(mlp, ours, X, y)
    for a, b in zip(mlp.coefs_ + mlp.intercepts_, ours.coefs_ + ours.intercepts_):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)
    assert ours.loss_curve_[-1] == pytest.approx(mlp.loss_curve_[-1], rel=1e-12)


@pytest.mark.parametrize("Est, MLP, lr", [(BackpropClassifier, MLPClassifier, 0.1),
                                          (BackpropRegressor, MLPRegressor, 0.01)])
def test_alpha_over_full_batches_is_mlps(Est, MLP, lr):
    """Three full-batch epochs (the order of the rows, shuffled or not, changes only the last bits) of plain
    SGD with alpha=0.5 from the same weights: MLP's weights and biases (the regressor: at half MLP's step)."""
    X, y = _data(kind="binary" if Est is BackpropClassifier else "regression")
    kw = dict(hidden_layer_sizes=(6,), batch_size=len(X), alpha=0.5, warm_start=True, random_state=0)
    mlp = MLP(solver="sgd", momentum=0.0, learning_rate_init=lr * (2 if MLP is MLPRegressor else 1), max_iter=3, **kw)
    ours = Est(optimizer="sgd", momentum=0.0, learning_rate=lr, epochs=3, **kw)
    mlp, ours = _from_same_weights(mlp, ours, X, y)
    for a, b in zip(mlp.coefs_ + mlp.intercepts_, ours.coefs_ + ours.intercepts_):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)


def _shapes(text):
    """The lines with their numbers blanked out."""
    return [re.sub(r"\d+\.\d+", "#", line) for line in text.splitlines()]


def test_verbose_prints_mlps_lines(capsys):
    """verbose=True printed Keras' "Epoch 1/2" lines; MLPClassifier prints "Iteration 1, loss = 0.69314718":
    from the same weights the lines are now MLP's, to the digit."""
    X, y = _data(kind="multiclass")
    mlp = MLPClassifier(solver="sgd", momentum=0.0, learning_rate_init=0.1, max_iter=2, **SGD)
    ours = BackpropClassifier(optimizer="sgd", momentum=0.0, learning_rate=0.1, epochs=2, **SGD)
    mlp.fit(X, y)
    ours.fit(X, y)
    capsys.readouterr()
    mlp.set_params(verbose=True)
    ours.set_params(verbose=True)
    _from_same_weights(mlp, ours, X, y)
    out = capsys.readouterr().out.splitlines()     # MLP's fit, ours, then both from the same weights
    assert len(out) == 8 and out[0].startswith("Iteration 1, loss = ") and out[2].startswith("Iteration 1, loss")
    assert out[6:] == out[4:6]


def test_verbose_with_early_stopping_prints_mlps_validation_lines(capsys):
    """With early stopping MLP prints "Validation score: 0.750000" after each epoch's line, and its message
    when it stops: ours, in the same shapes, and its message in its words (tol=1e-4, MLP's, by default)."""
    X, y = _data(n=60, kind="binary")
    MLPClassifier(hidden_layer_sizes=(3,), max_iter=50, early_stopping=True, n_iter_no_change=2,
                  learning_rate_init=1e-5, random_state=0, verbose=True).fit(X, y)
    theirs = capsys.readouterr().out
    BackpropClassifier(hidden_layer_sizes=(3,), epochs=50, early_stopping=True, n_iter_no_change=2,
                       learning_rate=1e-5, random_state=0, verbose=True).fit(X, y)
    mine = capsys.readouterr().out
    assert "Epoch" not in mine
    # epoch 1 scores best, epochs 2-4 not better: stopped after more than n_iter_no_change=2 of them
    assert _shapes(mine)[:-1] == _shapes(theirs)[:-1] == ["Iteration 1, loss = #", "Validation score: #",
                                                          "Iteration 2, loss = #", "Validation score: #",
                                                          "Iteration 3, loss = #", "Validation score: #",
                                                          "Iteration 4, loss = #", "Validation score: #"]
    assert theirs.splitlines()[-1].startswith("Validation score did not improve more than tol=")
    assert mine.splitlines()[-1] == theirs.splitlines()[-1] == ("Validation score did not improve more than "
                                                                "tol=0.000100 for 2 consecutive epochs. Stopping.")


def _batch_warnings(est, X, y):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        est.fit(X, y)
    return [str(m.message) for m in w if "batch_size" in str(m.message)]


@pytest.mark.parametrize("Est, MLP", [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)])
def test_an_explicit_batch_size_of_32_beyond_the_rows_warns_as_mlps(Est, MLP):
    """An explicit batch_size=32 on 20 rows was taken for the default and clipped silently; MLP warns for
    any explicit size above the rows, and not for its default: so do we (our default is None: 32 rows)."""
    X, y = _data(n=20, kind="binary")
    assert len(_batch_warnings(MLP(max_iter=2, batch_size=32), X, y)) == 1
    assert len(_batch_warnings(Est(epochs=2, batch_size=32), X, y)) == 1
    assert _batch_warnings(MLP(max_iter=2), X, y) == [] == _batch_warnings(Est(epochs=2), X, y)
    assert _batch_warnings(Est(epochs=2, batch_size="auto"), X, y) == []


def test_the_default_batch_size_is_32_rows():
    """batch_size=None, the default, trains as batch_size=32 on more rows (the same weights)."""
    X, y = _data(n=70, kind="binary")
    default = BackpropClassifier(epochs=2, random_state=0).fit(X, y)
    explicit = BackpropClassifier(epochs=2, batch_size=32, random_state=0).fit(X, y)
    assert default.get_params()["batch_size"] is None
    np.testing.assert_array_equal(default.network_.params, explicit.network_.params)


def test_warm_start_with_other_hidden_layers_is_refused():
    """MLPClassifier with warm_start and new hidden_layer_sizes goes on with the old network as if nothing
    changed ((4,) -> (5,)), or fails inside NumPy ((4,) -> (4, 3)); ours built a new network silently. Now
    a clear error names both."""
    X, y = _data(n=30, kind="binary")
    mlp = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, warm_start=True, random_state=0).fit(X, y)
    mlp.set_params(hidden_layer_sizes=(5,)).fit(X, y)
    assert mlp.coefs_[0].shape == (4, 4)                  # scikit-learn kept the 4-wide layer
    est = BackpropClassifier(hidden_layer_sizes=(4,), epochs=2, warm_start=True, random_state=0).fit(X, y)
    before = est.network_.params.copy()
    for sizes in [(5,), (4, 3)]:
        with pytest.raises(ValidationError, match=re.escape(f"hidden layers are (4,); hidden_layer_sizes is now "
                                                            f"{sizes}. Set warm_start=False")):
            est.set_params(hidden_layer_sizes=sizes).fit(X, y)
        np.testing.assert_array_equal(est.network_.params, before)
    est.set_params(warm_start=False).fit(X, y)            # the way to a new network
    assert est.coefs_[0].shape == (4, 4) and est.coefs_[1].shape == (4, 3)


@pytest.mark.parametrize("Est, MLP", [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)])
def test_a_stalled_training_loss_stops_as_mlps(Est, MLP):
    """There was no tol, and without early stopping every epoch was trained; MLP stops when the training loss
    has not fallen by tol for more than n_iter_no_change epochs. With tol=10 no epoch after the first improves
    enough: MLP and ours train 1 + 4 epochs of 50 for n_iter_no_change=3."""
    X, y = _data(n=40, kind="binary" if Est is BackpropClassifier else "regression")
    mlp = MLP(hidden_layer_sizes=(4,), max_iter=50, tol=10.0, n_iter_no_change=3, random_state=0).fit(X, y)
    ours = Est(hidden_layer_sizes=(4,), epochs=50, tol=10.0, n_iter_no_change=3, random_state=0).fit(X, y)
    assert ours.n_iter_ == mlp.n_iter_ == 5 and len(ours.loss_curve_) == 5
    assert ours.best_loss_ == min(ours.loss_curve_)
    default = Est(hidden_layer_sizes=(4,), epochs=5, random_state=0).fit(X, y)
    assert default.get_params()["tol"] == MLP().get_params()["tol"] == 1e-4


def test_the_stopping_rule_goes_on_in_a_warm_start_as_mlps(capsys):
    """A warm start goes on with the rule's count, as MLP's: a fit after one that stopped trains one epoch
    (the count is still above n_iter_no_change) unless it improves. From the same weights the lines printed are
    MLP's, to the digit."""
    X, y = _data(kind="multiclass")
    kw = dict(SGD, tol=10.0, n_iter_no_change=3, verbose=True)
    mlp = MLPClassifier(solver="sgd", momentum=0.0, learning_rate_init=0.1, max_iter=50, **kw)
    ours = BackpropClassifier(optimizer="sgd", momentum=0.0, learning_rate=0.1, epochs=50, **kw)
    _from_same_weights(mlp, ours, X, y)
    lines = capsys.readouterr().out.splitlines()    # MLP's first fit (1 + 4 epochs, the message), ours, both warm
    stop = "Training loss did not improve more than tol=10.000000 for 3 consecutive epochs. Stopping."
    assert len(lines) == 16 and lines[5] == lines[11] == lines[13] == stop
    assert lines[14:] == lines[12:14]
    assert mlp.n_iter_ == ours.n_iter_ == 1
    assert ours.loss_curve_[-1] == pytest.approx(mlp.loss_curve_[-1], rel=1e-12)


def test_network_after_a_penalised_fit_trains_without_the_penalty():
    """The estimator set alpha's penalty on its network and left it there: network_.fit, step and explain's
    derivation on it were penalised after the estimator was done (and a saved copy was not). One full
    batch's loss in a later network_.fit is the loss evaluate gives at the same weights."""
    X, y = _data(kind="binary")
    clf = BackpropClassifier(hidden_layer_sizes=(5,), alpha=0.5, epochs=3, random_state=0).fit(X, y)
    net = clf.network_
    assert net.weight_penalty == 0.0
    before = net.evaluate(X, np.asarray(y))["loss"]
    history = net.fit(X, np.asarray(y), epochs=1, batch_size=len(X), shuffle=False, verbose=0)
    assert history.loss[0] == pytest.approx(before, rel=1e-12)


@pytest.mark.parametrize("kind", ["regression", "multilabel"])
def test_tol_on_the_training_loss_is_in_mlps_units(kind):
    """tol was compared with our loss: the regressor's is twice MLPRegressor's (tol acted as tol / 2), a
    multi-label network's the mean over its labels where MLP sums them (tol acted as 3 tol). From the same
    weights, with the same steps, the fit stops after MLP's number of epochs for every tol."""
    X, y = _data(n=40, kind=kind)
    is_reg = kind == "regression"
    MLP, Est = (MLPRegressor, BackpropRegressor) if is_reg else (MLPClassifier, BackpropClassifier)
    lr = 0.01 if is_reg else 0.05
    stopped = []
    for tol in (3e-4, 1e-3, 3e-3, 1e-2, 3e-2):
        kw = dict(hidden_layer_sizes=(5,), batch_size=len(X), warm_start=True, shuffle=False, random_state=0,
                  tol=tol, n_iter_no_change=2)
        mlp = MLP(solver="sgd", momentum=0.0, learning_rate_init=lr * (2 if is_reg else 1), max_iter=1, **kw)
        ours = Est(optimizer="sgd", momentum=0.0, learning_rate=lr * (1 if is_reg else 3), epochs=1, **kw)
        mlp, ours = _from_same_weights(mlp, ours, X, y)
        mlp.set_params(max_iter=200).fit(X, y)
        ours.set_params(epochs=200).fit(X, y)
        assert len(ours.loss_curve_) == len(mlp.loss_curve_), tol
        stopped.append(len(mlp.loss_curve_) < 202)
    assert any(stopped)


def test_the_penalty_divides_by_the_rows_where_the_loss_does():
    """weight_penalty's m was the batch's weight sum even under Keras' reduction, where the weighted loss is
    divided by the rows: with every weight 2 the penalty was half as strong beside a loss twice as large.
    One full batch: the logged loss is evaluate's (Keras' reduction) + 0.5 * alpha * sum(W**2) / rows."""
    X, y = _data(kind="binary")
    clf = BackpropClassifier(hidden_layer_sizes=(5,), epochs=1, random_state=0).fit(X, y)
    net, Y, w = clf.network_, np.asarray(y), np.full(len(X), 2.0)
    alpha = 0.3
    data_loss = net.evaluate(X, Y, sample_weight=w)["loss"]
    squares = sum(float(np.sum(layer.W ** 2)) for layer in net.dense_layers)
    net.weight_penalty = alpha
    history = net.fit(X, Y, epochs=1, batch_size=len(X), shuffle=False, verbose=0, sample_weight=w)
    assert history.loss[0] == pytest.approx(data_loss + 0.5 * alpha * squares / len(X), rel=1e-12)


@pytest.mark.parametrize("Est, MLP", [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)])
def test_the_batch_size_warning_raised_as_an_error_leaves_no_untrained_model_behind(Est, MLP):
    """MLP warns of the clipped batch_size after building its layers: raised as an error (python -W error) it leaves
    the estimator looking fitted, n_iter_ 0, its weights the random ones it began with, whose predict answers as a
    trained model's. Ours warns before training too, and the refused fit leaves it as it was (unfitted; a fitted
    one as fitted before), as any refused fit does: a deliberate difference, so that no predict answers untrained."""
    from sklearn.exceptions import NotFittedError
    X, y = _data(n=20, kind="binary")
    theirs, ours = MLP(max_iter=2, batch_size=50, random_state=0), Est(epochs=2, batch_size=50, random_state=0)
    for model in (theirs, ours):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(UserWarning, match="Got `batch_size`"):
                model.fit(X, y)
    assert theirs.n_iter_ == 0 and theirs.predict(X).shape == (20,)       # what MLP leaves: untrained, answering
    with pytest.raises(NotFittedError):
        ours.predict(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours.set_params(warm_start=True).fit(X, y)
    before = [w.copy() for w in ours.coefs_], len(ours.loss_curve_)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="Got `batch_size`"):
            ours.fit(X, y)
    assert all(np.array_equal(a, b) for a, b in zip(before[0], ours.coefs_)) and len(ours.loss_curve_) == before[1]
