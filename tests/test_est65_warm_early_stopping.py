"""Early stopping's attributes as MLPClassifier's and MLPRegressor's (scikit-learn 1.9): before any epoch (a fit
interrupted in its first), best_loss_ is inf without early stopping (it was None) and best_validation_score_ -inf
with it; a warm start that turns early stopping on or off is refused, naming it (it went on, leaving
validation_scores_ shorter than loss_curve_, or a best score of fits that no longer hold rows out; MLP fails in
its own code), and so is partial_fit after a fit with early stopping."""
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402
from chainrule.sklearn.stopping import MLPStopping  # noqa: E402

rng = np.random.RandomState(0)
X = rng.normal(size=(150, 4))
y = (X[:, 0] + X[:, 1] > 0).astype(int)
PAIRS = [(MLPClassifier, BackpropClassifier, y), (MLPRegressor, BackpropRegressor, X[:, 2] - X[:, 3])]


def _second_batch(batch):
    if batch == 1:
        raise KeyboardInterrupt


def _mlp_second_batch_pressed(backprop):
    calls = []

    def pressed(self, *args, **kwargs):
        calls.append(1)
        _second_batch(len(calls) - 1)
        return backprop(self, *args, **kwargs)
    return pressed


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("Mlp, Est, target", PAIRS)
def test_a_fit_interrupted_in_its_first_epoch_has_mlps_best_loss_and_best_score(monkeypatch, Mlp, Est, target,
                                                                                early_stopping):
    answers = {}
    for cls, kw in ((Mlp, {"max_iter": 5}), (Est, {"epochs": 5})):
        if cls is Est:
            monkeypatch.setattr(MLPStopping, "on_batch_end", lambda self, batch, logs=None: _second_batch(batch),
                                raising=False)
        else:
            monkeypatch.setattr(cls, "_backprop", _mlp_second_batch_pressed(cls._backprop))
        est = cls(hidden_layer_sizes=(5,), random_state=0, batch_size=50, early_stopping=early_stopping, **kw)
        with pytest.warns(UserWarning, match="Training interrupted by user"):
            est.fit(X, target)
        monkeypatch.undo()
        answers[cls] = (est.n_iter_, est.loss_curve_, est.validation_scores_, est.best_validation_score_,
                        est.best_loss_)
    assert answers[Est] == answers[Mlp]
    assert answers[Est][3:] == ((-np.inf, None) if early_stopping else (None, np.inf))


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("Mlp, Est, target", PAIRS)
def test_best_loss_and_best_validation_score_after_a_fit_are_mlps_kind(Mlp, Est, target, early_stopping):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = Mlp(max_iter=4, early_stopping=early_stopping, random_state=0).fit(X, target)
        ours = Est(epochs=4, early_stopping=early_stopping, random_state=0).fit(X, target)
    for est in (mlp, ours):
        if early_stopping:
            assert est.best_loss_ is None and isinstance(est.best_validation_score_, float)
            assert est.best_validation_score_ == max(est.validation_scores_)
            assert len(est.validation_scores_) == len(est.loss_curve_) == 4
        else:
            assert est.best_validation_score_ is None and est.validation_scores_ is None
            assert isinstance(est.best_loss_, float) and est.best_loss_ == min(est.loss_curve_)


@pytest.mark.parametrize("first", [False, True])
@pytest.mark.parametrize("Mlp, Est, target", PAIRS)
def test_a_warm_start_that_turns_early_stopping_on_or_off_is_refused_naming_it(Mlp, Est, target, first):
    mlp = Mlp(max_iter=3, warm_start=True, early_stopping=first, random_state=0)
    ours = Est(epochs=3, warm_start=True, early_stopping=first, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp.fit(X, target)
        ours.fit(X, target)
    before = ours.predict(X), list(ours.loss_curve_), ours.validation_scores_, ours.best_validation_score_
    mlp.set_params(early_stopping=not first)
    with warnings.catch_warnings(), pytest.raises((AttributeError, TypeError)):   # MLP fails in its own code
        warnings.simplefilter("ignore")
        mlp.fit(X, target)
    ours.set_params(early_stopping=not first)
    with pytest.raises(ValueError, match=rf"{Est.__name__}: warm_start=True goes on training the fitted network, "
                                         rf"fitted with early_stopping={first}; early_stopping is now {not first}.*"
                                         rf"Set early_stopping back to {first}, or warm_start=False"):
        ours.fit(X, target)
    after = ours.predict(X), ours.loss_curve_, ours.validation_scores_, ours.best_validation_score_
    assert np.array_equal(before[0], after[0]) and before[1:] == after[1:]     # left as it was
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours.set_params(early_stopping=first).fit(X, target)                   # set back, it goes on
    assert len(ours.loss_curve_) == 6
    assert (ours.validation_scores_ is None) is (not first) and len(ours.validation_scores_ or [0] * 6) == 6
    ours.set_params(early_stopping=not first, warm_start=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours.fit(X, target)                                                     # a new network
    assert len(ours.loss_curve_) == 3 and (ours.best_loss_ is None) is (not first)


@pytest.mark.parametrize("Mlp, Est, target", PAIRS)
def test_partial_fit_after_a_fit_with_early_stopping_is_refused_naming_it(Mlp, Est, target):
    """MLP's partial_fit after a fit with early stopping fails in its own code (best_loss_ None); ours went on, its
    validation_scores_ then one short of loss_curve_."""
    kwargs = {"classes": np.unique(target)} if Est is BackpropClassifier else {}
    mlp = Mlp(max_iter=3, early_stopping=True, random_state=0)
    ours = Est(epochs=3, early_stopping=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp.fit(X, target)
        ours.fit(X, target)
    mlp.set_params(early_stopping=False)
    with pytest.raises(TypeError):                                   # MLP fails in its own code
        mlp.partial_fit(X, target, **kwargs)
    ours.set_params(early_stopping=False)
    with pytest.raises(ValueError, match=rf"{Est.__name__}\.partial_fit goes on training the fitted network, which "
                                         r"fit trained with early_stopping=True.*Call fit with early_stopping=False"):
        ours.partial_fit(X, target, **kwargs)
    assert len(ours.loss_curve_) == len(ours.validation_scores_) == 3          # left as it was
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours.fit(X, target)                                          # a new network, without early stopping
    ours.partial_fit(X, target)
    assert len(ours.loss_curve_) == 4 and ours.validation_scores_ is None and ours.n_iter_ == 1
