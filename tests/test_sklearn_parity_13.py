"""The estimators beside scikit-learn 1.9's MLPClassifier and MLPRegressor: a fit the user interrupts."""
import re
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402
from chainrule.sklearn.stopping import MLPStopping  # noqa: E402

X, y = load_iris(return_X_y=True)


def interrupted_at_epoch(monkeypatch, cls, epoch):
    """Ctrl-C as the epoch `epoch` (counted from 0) begins: MLP's at its first batch, ours at its first callback."""
    if cls in (MLPClassifier, MLPRegressor):
        calls, backprop = [], cls._backprop

        def pressed(self, *args, **kwargs):
            calls.append(1)
            if len(calls) > epoch:                  # batch_size 'auto': one batch an epoch on iris
                raise KeyboardInterrupt
            return backprop(self, *args, **kwargs)
        monkeypatch.setattr(cls, "_backprop", pressed)
    else:
        def begins(self, at, logs=None):
            if at == epoch:
                raise KeyboardInterrupt
        monkeypatch.setattr(MLPStopping, "on_epoch_begin", begins, raising=False)


def fit(est, *args):
    """est.fit(*args), an interrupt it lets through a failure (not the end of the test run)."""
    try:
        return est.fit(*args)
    except KeyboardInterrupt:
        pytest.fail(f"{type(est).__name__}.fit let the KeyboardInterrupt through")


@pytest.mark.parametrize("Mlp, Est, target", [(MLPClassifier, BackpropClassifier, y),
                                              (MLPRegressor, BackpropRegressor, y * 1.0)])
def test_an_interrupted_fit_keeps_its_finished_epochs_and_warns_as_mlps(monkeypatch, Mlp, Est, target):
    """Ctrl-C in fit (a notebook's stop button): MLP warns "Training interrupted by user." and its fit returns,
    fitted with the epochs it finished (n_iter_, loss_curve_, t_ counting them; no ConvergenceWarning). Ours
    raised the KeyboardInterrupt and left a network trained two epochs under an empty loss_curve_ and t_ of 0."""
    answers = {}
    for cls, kw in ((Mlp, {"max_iter": 10}), (Est, {"epochs": 10, "batch_size": "auto"})):
        interrupted_at_epoch(monkeypatch, cls, 2)
        est = cls(hidden_layer_sizes=(5,), random_state=0, **kw)
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            fitted = fit(est, X, target)
        monkeypatch.undo()
        answers[cls] = ([(w.category, str(w.message)) for w in said],
                        est.n_iter_, len(est.loss_curve_), est.t_, est.loss_ == est.loss_curve_[-1], fitted is est,
                        est.predict(X[:3]).shape)
    assert answers[Est] == answers[Mlp]
    assert answers[Est][0] == [(UserWarning, "Training interrupted by user.")]


@pytest.mark.parametrize("Mlp, Est, target", [(MLPClassifier, BackpropClassifier, y),
                                              (MLPRegressor, BackpropRegressor, y * 1.0)])
def test_an_interrupted_fit_under_warnings_as_errors_stays_fitted_with_its_epochs_as_mlps(monkeypatch, Mlp, Est,
                                                                                          target):
    """python -W error: the interrupt's warning is raised. MLP's fit keeps the epochs it finished all the same; ours
    was rolled back to before the fit (a warm start's network kept the steps under the old loss_curve_ and t_)."""
    answers = {}
    for cls, kw in ((Mlp, {"max_iter": 10}), (Est, {"epochs": 10, "batch_size": "auto"})):
        est = cls(hidden_layer_sizes=(5,), random_state=0, warm_start=True, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, target)
        interrupted_at_epoch(monkeypatch, cls, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(UserWarning, match="Training interrupted by user"):
                est.fit(X, target)
        monkeypatch.undo()
        answers[cls] = est.n_iter_, len(est.loss_curve_), est.t_, est.loss_ == est.loss_curve_[-1]
    assert answers[Est] == answers[Mlp] == (2, 12, 12 * len(X), True)


def test_an_interrupted_partial_fit_under_warnings_as_errors_keeps_its_steps():
    """partial_fit interrupted in its epoch and its warning raised: the network keeps the batch it stepped on, and the
    estimator says this call finished no epoch (it was rolled back to the first call's n_iter_ under those weights)."""
    est = BackpropClassifier(hidden_layer_sizes=(5,), random_state=0, batch_size=50)
    est.partial_fit(X, y, classes=[0, 1, 2])
    before = [w.copy() for w in est.coefs_]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(MLPStopping, "on_batch_end", lambda self, batch, logs=None: _pressed(batch), raising=False)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(UserWarning, match="Training interrupted by user"):
                est.partial_fit(X, y)
    assert not np.array_equal(before[0], est.coefs_[0])          # batch 0's step taken
    assert (est.n_iter_, len(est.loss_curve_), est.t_) == (0, 1, len(X))


def _pressed(batch):
    if batch == 1:
        raise KeyboardInterrupt


def _second_batch_pressed(backprop):
    """MLP's _backprop, Ctrl-C at its second call (the second batch)."""
    calls = []

    def pressed(self, *args, **kwargs):
        calls.append(1)
        _pressed(len(calls) - 1)
        return backprop(self, *args, **kwargs)
    return pressed


@pytest.mark.parametrize("Mlp, Est, target", [(MLPClassifier, BackpropClassifier, y),
                                              (MLPRegressor, BackpropRegressor, y * 1.0)])
def test_a_fit_interrupted_in_its_first_epoch_is_fitted_with_no_epoch_as_mlps(monkeypatch, Mlp, Est, target):
    """Ctrl-C in the first epoch's second batch: MLP warns and returns with n_iter_ 0, loss_curve_ [] and t_ 0; ours
    warned and then failed on its empty history ("History has no metric 'loss'")."""
    answers = {}
    for cls, kw in ((Mlp, {"max_iter": 10}), (Est, {"epochs": 10})):
        if cls is Est:
            monkeypatch.setattr(MLPStopping, "on_batch_end", lambda self, batch, logs=None: _pressed(batch),
                                raising=False)
        else:
            monkeypatch.setattr(cls, "_backprop", _second_batch_pressed(cls._backprop))
        est = cls(hidden_layer_sizes=(5,), random_state=0, batch_size=50, **kw)
        with pytest.warns(UserWarning, match="Training interrupted by user"):
            fit(est, X, target)
        monkeypatch.undo()
        answers[cls] = est.n_iter_, est.loss_curve_, est.t_, est.predict(X[:3]).shape
    assert answers[Est] == answers[Mlp]


def test_an_interrupted_fit_warns_at_the_callers_line():
    """The warning names the line that called fit, as the estimators' other warnings do."""
    with pytest.MonkeyPatch.context() as mp:
        interrupted_at_epoch(mp, BackpropClassifier, 1)
        with pytest.warns(UserWarning, match="Training interrupted by user") as said:
            fit(BackpropClassifier(hidden_layer_sizes=(5,), epochs=5, random_state=0), X, y)
    assert said[0].filename == __file__


def test_an_interrupted_early_stopping_fit_keeps_the_best_weights_as_the_same_fit_stopped_there(monkeypatch):
    """With early stopping the interrupted fit keeps the best held-out score's weights (MLP restores them too): it is
    the fit of as many epochs, which held out the same rows and drew the same batches."""
    kw = dict(hidden_layer_sizes=(5,), early_stopping=True, random_state=3, learning_rate=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = BackpropClassifier(epochs=4, **kw).fit(X, y)
        interrupted_at_epoch(monkeypatch, BackpropClassifier, 4)
        cut = fit(BackpropClassifier(epochs=10, **kw), X, y)
    for a, b in zip(cut.coefs_ + cut.intercepts_, whole.coefs_ + whole.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert cut.validation_scores_ == whole.validation_scores_ and len(cut.validation_scores_) == 4
    assert np.argmax(whole.validation_scores_) < 3           # the best is not the last epoch's: its weights restored
    assert cut.best_validation_score_ == whole.best_validation_score_


def test_a_sweeps_fit_lets_the_interrupt_through(monkeypatch):
    """A sweep's candidate does not keep it: Ctrl-C ends the sweep, which says what it finished."""
    from chainrule.sweep_search import SweptClassifier
    interrupted_at_epoch(monkeypatch, SweptClassifier, 1)
    with pytest.raises(KeyboardInterrupt):
        SweptClassifier(hidden_layer_sizes=(5,), epochs=5, random_state=0).fit(X, y)


Y3 = np.eye(3, dtype=int)[y]
Y3[::4, (y[::4] + 1) % 3] = 1            # some rows carry two labels: no one-hot of a class


@pytest.mark.parametrize("first", ["fit", "partial_fit"])
def test_partial_fit_refuses_a_multi_label_y_after_single_labels_as_mlp(first):
    """A 0/1 matrix after single-label y: MLP refuses it ("not fitted with multilabel input"); ours trained its rows as
    the softmax's targets (rows of two 1s too), silently."""
    for est in (MLPClassifier(max_iter=2, random_state=0), BackpropClassifier(epochs=2, random_state=0)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, y) if first == "fit" else est.partial_fit(X, y, classes=[0, 1, 2])
        with pytest.raises(ValueError) as refused:
            est.partial_fit(X, Y3)
    assert "fitted on a single-label y (classes [0, 1, 2]); y is multi-label (a 0/1 matrix of 3 columns)" \
        in str(refused.value)


@pytest.mark.parametrize("columns", [1, 2, 4])
def test_partial_fit_after_a_multi_label_fit_names_the_kind_of_y_it_needs(columns):
    """After a multi-label fit, single labels or another number of label columns are refused naming y as given (MLP
    refuses another count too), not the network's encoded Y ("Y of shape (150,)", which the user never gave)."""
    given = y if columns == 1 else np.c_[Y3, Y3][:, :columns]
    ours = BackpropClassifier(epochs=2, random_state=0).partial_fit(X, Y3, classes=[0, 1, 2])
    if columns > 1:
        mlp = MLPClassifier(random_state=0).partial_fit(X, Y3, classes=[0, 1, 2])
        with pytest.raises(ValueError):
            mlp.partial_fit(X, given)
    kind = "single-label (one class per sample)" if columns == 1 else f"multi-label (a 0/1 matrix of {columns} columns)"
    said = rf"partial_fit .* fitted on a multi-label y of 3 columns; y is {re.escape(kind)}"
    with pytest.raises(ValueError, match=said):
        ours.partial_fit(X, given)


def test_docs_show_the_partial_fit_refusal_as_raised():
    """docs/errors.md's row for it: the whole message, as raised."""
    from pathlib import Path
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    rows = {cells[0]: cells[2] for cells in ([c.strip() for c in line.strip().strip("|").split(" | ")]
                                             for line in doc.splitlines()) if len(cells) == 4}
    Xs, ys = np.random.RandomState(0).rand(10, 2), np.arange(10) % 2
    est = BackpropClassifier(hidden_layer_sizes=(4,)).partial_fit(Xs, ys, classes=[0, 1])
    with pytest.raises(ValueError) as caught:
        est.partial_fit(Xs, np.eye(2, dtype=int)[ys])
    assert str(caught.value) == rows["estimator partial_fit of another kind of y"]


@pytest.mark.parametrize("first", ["single", "multi"])
def test_a_warm_start_on_y_of_another_kind_names_the_kinds_as_partial_fit(first):
    """A warm start's fit on y of the other kind (multi-label after single labels: MLP refuses it too) names both
    kinds, as partial_fit does; it said "Previously got [0 1 2], `y` has [0 1 2]", the same classes twice."""
    before, after = (y, Y3) if first == "single" else (Y3, y)
    est = BackpropClassifier(epochs=1, warm_start=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, before)
        if first == "single":
            with pytest.raises(ValueError, match="not fitted with multilabel input"):
                MLPClassifier(max_iter=1, warm_start=True).fit(X, before).fit(X, after)
        with pytest.raises(ValueError) as refused:
            est.fit(X, after)
    kinds = ("a single-label y (classes [0, 1, 2]); y is multi-label (a 0/1 matrix of 3 columns)" if first == "single"
             else "a multi-label y of 3 columns; y is single-label (one class per sample)")
    assert str(refused.value) == (f"BackpropClassifier: warm_start=True goes on training the fitted network, which was "
                                  f"fitted on {kinds}. Give y as fit had it, or set warm_start=False to build a new "
                                  "network")


def test_the_refusal_of_another_kind_of_y_counts_the_classes_it_leaves_out():
    """Of 30 classes the message lists 20: it said "classes [0, ..., 19]", as if there were 20."""
    labels = np.arange(150) % 30
    est = BackpropClassifier(epochs=1, random_state=0).partial_fit(X, labels, classes=np.arange(30))
    shown = f"(classes {list(range(20))}"[:-1] + ", ...] of 30); y is multi-label"
    with pytest.raises(ValueError, match=re.escape(shown)):
        est.partial_fit(X, np.eye(30, dtype=int)[labels] | np.eye(30, dtype=int)[(labels + 1) % 30])


@pytest.mark.parametrize("Est, target", [(BackpropClassifier, y), (BackpropRegressor, y * 1.0)])
@pytest.mark.parametrize("call", ["fit", "partial_fit"])
def test_an_interrupt_before_the_first_epoch_leaves_the_estimator_unfitted(monkeypatch, Est, target, call):
    """Ctrl-C before training began (in the checks of a large X, say) is raised, and the estimator is as it was:
    scikit-learn's check_is_fitted says so. It kept a network of random weights, which predicted as if fitted."""
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    def pressed(self, params):
        raise KeyboardInterrupt
    monkeypatch.setattr(MLPStopping, "on_train_begin", pressed)
    est = Est(hidden_layer_sizes=(5,), epochs=3, random_state=0)
    kwargs = {"classes": [0, 1, 2]} if call == "partial_fit" and Est is BackpropClassifier else {}
    with pytest.raises(KeyboardInterrupt):
        getattr(est, call)(X, target, **kwargs)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)


@pytest.mark.parametrize("Mlp, Est, target", [(MLPClassifier, BackpropClassifier, y),
                                              (MLPRegressor, BackpropRegressor, y * 1.0)])
def test_a_warm_start_with_early_stopping_interrupted_in_its_first_epoch_is_fitted_as_mlps(monkeypatch, Mlp, Est,
                                                                                           target):
    """Ctrl-C in a warm start's first epoch, with early stopping: MLP warns and keeps the first fit's curves (this call
    n_iter_ 0); ours failed on its history of no epoch ("History has no metric 'val_score'")."""
    answers = {}
    for cls, kw in ((Mlp, {"max_iter": 5}), (Est, {"epochs": 5})):
        est = cls(hidden_layer_sizes=(5,), random_state=0, batch_size=50, warm_start=True, early_stopping=True, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, target)
        if cls is Est:
            monkeypatch.setattr(MLPStopping, "on_batch_end", lambda self, batch, logs=None: _pressed(batch),
                                raising=False)
        else:
            monkeypatch.setattr(cls, "_backprop", _second_batch_pressed(cls._backprop))
        with pytest.warns(UserWarning, match="Training interrupted by user"):
            fit(est, X, target)
        monkeypatch.undo()
        answers[cls] = est.n_iter_, len(est.loss_curve_), len(est.validation_scores_), est.t_
    assert answers[Est] == answers[Mlp] == (0, 5, 5, 5 * 135)
