"""The estimators against scikit-learn's own conformance suite, and in its tools."""
import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, make_multilabel_classification  # noqa
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402


# Every check runs, none expected to fail. Three are skipped by scikit-learn itself: check_array_api_input (twice:
# it runs only where SCIPY_ARRAY_API=1 was set before SciPy was imported) and the multi-label
# decision_function format check (there is none, as MLPClassifier has none).
@parametrize_with_checks([BackpropClassifier(epochs=60, random_state=0),
                          BackpropRegressor(epochs=60, random_state=0)])
@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_scikit_learn_conformance(estimator, check):
    check(estimator)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_cross_val_score_breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    clf = make_pipeline(StandardScaler(), BackpropClassifier(hidden_layer_sizes=(32,), epochs=40, random_state=0))
    assert cross_val_score(clf, X, y, cv=5).mean() >= 0.95


def test_grid_search_in_a_pipeline():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), BackpropClassifier(epochs=30, random_state=0))
    grid = GridSearchCV(pipe, {"backpropclassifier__hidden_layer_sizes": [(4,), (16,)],
                               "backpropclassifier__learning_rate": [1e-3, 1e-2]}, cv=3)
    grid.fit(X, y)
    assert grid.best_score_ > 0.9
    assert set(grid.best_params_) == {"backpropclassifier__hidden_layer_sizes", "backpropclassifier__learning_rate"}


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_string_labels_binary_and_probabilities():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    labels = np.where(y == 1, "benign", "malignant")
    clf = BackpropClassifier(hidden_layer_sizes=(16,), epochs=30, random_state=0).fit(X, labels)
    assert list(clf.classes_) == ["benign", "malignant"]
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2) and np.allclose(proba.sum(axis=1), 1)
    assert np.array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.score(X, labels) > 0.97
    assert clf.network_.layers[-1].activation.name == "sigmoid" and clf.n_features_in_ == 30


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_multilabel():
    X, Y = make_multilabel_classification(n_samples=300, n_classes=4, random_state=0)
    clf = BackpropClassifier(hidden_layer_sizes=(32,), epochs=100, random_state=0)
    clf.fit(StandardScaler().fit_transform(X), Y)
    assert clf.predict(StandardScaler().fit_transform(X)).shape == (300, 4)
    assert clf.network_.loss_function.name == "binary_crossentropy"


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_multi_output_regression():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    Y = np.column_stack([y, -2 * y]) / y.std()
    reg = BackpropRegressor(hidden_layer_sizes=(32,), epochs=100, learning_rate=1e-2, random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (len(X), 2)
    assert reg.score(X, Y) > 0.45


def test_partial_fit_continues_and_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = load_iris(return_X_y=True, as_frame=True)
    clf = BackpropClassifier(epochs=1, random_state=0)
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    assert len(clf.loss_curve_) == 3 and clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert list(clf.feature_names_in_) == list(X.columns)
    assert isinstance(X, pd.DataFrame)


def test_early_stopping_stops():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    clf = BackpropClassifier(epochs=500, early_stopping=True, n_iter_no_change=3, learning_rate=1e-2,
                             random_state=0).fit(X, y)
    assert clf.n_iter_ < 500 and len(clf.validation_scores_) == clf.n_iter_


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_same_random_state_same_model():
    X, y = load_iris(return_X_y=True)
    a = BackpropClassifier(epochs=5, random_state=3).fit(X, y)
    b = BackpropClassifier(epochs=5, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.network_.params, b.network_.params)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_momentum_goes_to_sgd_only():
    X, y = load_iris(return_X_y=True)
    assert BackpropClassifier(optimizer="sgd", momentum=0.5, epochs=1).fit(X, y).network_.optimizer.momentum == 0.5
    assert BackpropClassifier(optimizer="rmsprop", epochs=1).fit(X, y).network_.optimizer.momentum == 0.0


@pytest.mark.parametrize("Estimator", [BackpropClassifier, BackpropRegressor])
def test_partial_fit_refuses_early_stopping(Estimator):
    """It held out a new 10% of every batch and never trained on them (MLPClassifier refuses it)."""
    X, y = load_iris(return_X_y=True)
    est = Estimator(early_stopping=True, random_state=0)
    extra = {"classes": [0, 1, 2]} if Estimator is BackpropClassifier else {}
    with pytest.raises(ValueError, match=f"{Estimator.__name__}.partial_fit does not support early_stopping=True"):
        est.partial_fit(X[:50], y[:50].astype(float), **extra)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_partial_fit_refuses_other_classes_than_the_first_calls():
    X, y = load_iris(return_X_y=True)
    est = BackpropClassifier(epochs=2, random_state=0).fit(X, y)
    est.partial_fit(X, y, classes=[2, 1, 0])                              # the same labels: fine
    with pytest.raises(ValueError, match=r"classes=\[0, 1, 2, 3\] is not the same as on the first call"):
        est.partial_fit(X, y, classes=[0, 1, 2, 3])


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_predict_log_proba_is_the_log_of_predict_proba():
    X, y = load_iris(return_X_y=True)
    est = BackpropClassifier(epochs=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(est.predict_log_proba(X), np.log(est.predict_proba(X)))


def _held_out(monkeypatch, est, X, y):
    """The validation rows the estimator hands the engine (fit's validation_data)."""
    from chainrule.nn.network import Network
    seen = {}
    fit = Network.fit

    def spy(net, *args, **kwargs):
        seen["validation_data"] = kwargs.get("validation_data")
        return fit(net, *args, **kwargs)

    monkeypatch.setattr(Network, "fit", spy)
    est.fit(X, y)
    return seen["validation_data"]


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_early_stopping_holds_out_each_class_in_proportion(monkeypatch):
    """The hold-out was a plain permutation: a rare class could be missing from it (MLPClassifier
    stratifies: train_test_split(..., stratify=y))."""
    from sklearn.model_selection import train_test_split
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = np.repeat(["a", "b", "c"], [90, 24, 6])
    # scikit-learn's own stratified split of these classes: 24 rows, of which 18 a, 5 b (4.8) and 1 c (1.2)
    expected = np.unique(train_test_split(y, test_size=0.2, stratify=y, random_state=0)[1], return_counts=True)[1]
    for seed in range(6):
        est = BackpropClassifier(hidden_layer_sizes=(4,), epochs=2, early_stopping=True, validation_fraction=0.2,
                                 random_state=seed)
        X_val, Y_val = _held_out(monkeypatch, est, X, y)
        assert len(X_val) == 24
        np.testing.assert_array_equal(np.bincount(Y_val.ravel().astype(int), minlength=3), expected)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
@pytest.mark.parametrize("counts", [[20, 19, 1], [8, 8, 4], [5, 5, 2], [10, 10, 9, 1]])
def test_early_stopping_with_classes_too_rare_to_stratify_holds_out_at_random_as_mlp(monkeypatch, counts):
    """3+ classes too few to hold out in proportion (a class of one row; fewer held-out rows than classes) were
    refused; MLPClassifier (which stratifies two classes only) runs on them: so does the estimator, holding out
    as many rows as MLPClassifier's split (train_test_split's) at random, and keeping a best score."""
    from sklearn.neural_network import MLPClassifier
    X = np.random.default_rng(0).normal(size=(sum(counts), 3))
    y = np.repeat(list("abcd"[:len(counts)]), counts)
    mlp = MLPClassifier(max_iter=2, early_stopping=True, random_state=0).fit(X, y)
    est = BackpropClassifier(epochs=2, early_stopping=True, random_state=0)
    X_val, _ = _held_out(monkeypatch, est, X, y)
    assert len(X_val) == int(np.ceil(0.1 * len(y))) and len(est.validation_scores_) == 2
    assert est.predict(X).dtype == mlp.predict(X).dtype and set(est.predict(X)) <= set(y)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_early_stopping_with_a_binary_class_too_rare_to_stratify_is_a_clear_error():
    """Two classes are held out in proportion, as MLPClassifier's (whose train_test_split refuses one of one row)."""
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = np.array(["a"] * 39 + ["c"])
    with pytest.raises(ValueError, match=r"BackpropClassifier: early_stopping holds out a stratified "
                                         r"validation_fraction=0\.1 of the rows, which needs at least 2 rows of each "
                                         r"class; class 'c' has 1"):
        BackpropClassifier(epochs=2, early_stopping=True, random_state=0).fit(X, y)
    BackpropRegressor(epochs=2, early_stopping=True, random_state=0).fit(X, (y == "c").astype(float))  # not stratified


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # MLPClassifier's 2 epochs
@pytest.mark.parametrize("Estimator", [BackpropClassifier, BackpropRegressor])
def test_validation_scores_are_scores_as_in_mlp(monkeypatch, Estimator):
    """validation_scores_ held the held-out losses (lower is better) where MLPClassifier's holds accuracies and
    MLPRegressor's R2 (higher is better); early stopping now watches the score and keeps the weights of the best
    one, as scikit-learn's, and the losses are validation_loss_curve_."""
    from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    classify = Estimator is BackpropClassifier
    X, y = load_breast_cancer(return_X_y=True) if classify else load_diabetes(return_X_y=True)
    X, y = StandardScaler().fit_transform(X), y if classify else (y - y.mean()) / y.std()
    est = Estimator(hidden_layer_sizes=(16,), epochs=300, early_stopping=True, n_iter_no_change=4, learning_rate=3e-2,
                    random_state=0)
    X_val, Y_val = _held_out(monkeypatch, est, X, y)
    scores, losses = est.validation_scores_, est.validation_loss_curve_
    assert len(scores) == len(losses) == len(est.loss_curve_) == est.n_iter_ < 300
    best = int(np.argmax(scores))                   # the first epoch of the best score
    assert est.n_iter_ == best + est.n_iter_no_change + 2     # stopped as MLPClassifier: more than 4 epochs no better
    assert est.best_validation_score_ == max(scores)
    # the kept weights are the best epoch's: its score and loss, recomputed by scikit-learn on the held-out rows
    if classify:
        y_val = est.classes_[Y_val.ravel().astype(int)]
        assert est.best_validation_score_ == accuracy_score(y_val, est.predict(X_val))
        assert losses[best] == pytest.approx(log_loss(y_val, est.predict_proba(X_val)), rel=1e-9)
    else:
        y_val = Y_val.ravel()
        assert est.best_validation_score_ == pytest.approx(r2_score(y_val, est.predict(X_val)), rel=1e-12)
        # MLPRegressor's loss: half the mean squared error (as loss_curve_'s)
        assert losses[best] == pytest.approx(mean_squared_error(y_val, est.predict(X_val)) / 2, rel=1e-9)
    assert all(0 <= s <= 1 for s in scores) if classify else max(scores) > 0.3
    # without early stopping, as MLPClassifier's: neither attribute holds anything
    MLP = MLPClassifier if classify else MLPRegressor
    sk = MLP(max_iter=2).fit(X[:50], y[:50])
    ours = Estimator(epochs=2).fit(X[:50], y[:50])
    for name in ("validation_scores_", "best_validation_score_", "validation_loss_curve_"):
        assert getattr(ours, name) is None and getattr(sk, name, None) is None, name


@pytest.mark.parametrize("Estimator, MLP", [(BackpropClassifier, "MLPClassifier"), (BackpropRegressor, "MLPRegressor")])
@pytest.mark.parametrize("theirs, ours, value", [("max_iter", "epochs", 5), ("solver", "optimizer", "sgd"),
                                                 ("learning_rate_init", "learning_rate", 0.01)])
def test_mlp_parameter_names_are_errors_naming_ours(Estimator, MLP, theirs, ours, value):
    """BackpropClassifier(max_iter=5) was Python's plain TypeError (an unexpected keyword argument), and
    set_params(max_iter=5) scikit-learn's list of valid names: now both name the parameter to use."""
    from sklearn import neural_network
    assert theirs in getattr(neural_network, MLP)().get_params()             # scikit-learn's name for it
    assert theirs not in Estimator().get_params() and ours in Estimator().get_params()
    hint = rf"{Estimator.__name__} has no parameter {theirs}: {MLP}'s {theirs} is {ours} here; use {ours}={value!r}"
    with pytest.raises(TypeError, match=hint):
        Estimator(**{theirs: value})
    with pytest.raises(ValueError, match=hint):
        Estimator().set_params(**{theirs: value})
    with pytest.raises(ValueError, match=hint):                              # a grid by scikit-learn's names
        GridSearchCV(Estimator(), {theirs: [value]}, cv=2).fit(*load_iris(return_X_y=True))
    est = Estimator(**{ours: value})                                        # what the message says works
    assert est.get_params()[ours] == value and clone(est).get_params() == est.get_params()


def test_other_unknown_parameters_are_errors_listing_ours():
    with pytest.raises(TypeError, match=r"BackpropClassifier has no parameter solver: MLPClassifier's solver is "
                                        r"optimizer here; 'lbfgs' has no equivalent here \(optimizer is one of .*adam"):
        BackpropClassifier(solver="lbfgs")
    with pytest.raises(TypeError, match=r"BackpropClassifier has no parameter power_t \(MLPClassifier's power_t has "
                                        r"no equivalent here\); its parameters are: .*epochs"):
        BackpropClassifier(power_t=0.5)
    with pytest.raises(TypeError, match=r"BackpropRegressor has no parameter epoch; its parameters are: .*\. "
                                        r"Did you mean 'epochs'\?"):
        BackpropRegressor(epoch=5)
    with pytest.raises(ValueError, match=r"BackpropClassifier: learning_rate must be a number > 0 as MLPClassifier's "
                                         r"learning_rate_init \(at a constant rate 0 a fit learns nothing\) or a "
                                         r"chainrule\.optim schedule \(StepLR\(0\.01, 10\), \.\.\.\); got 'adaptive' "
                                         r"\(str\)\. MLPClassifier's learning_rate \(a schedule\) has no equivalent "
                                         r"here: learning_rate is the step size, MLPClassifier's learning_rate_init"):
        BackpropClassifier(learning_rate="adaptive").fit(*load_iris(return_X_y=True))


@pytest.mark.parametrize("theirs, ours", [("logistic", "sigmoid"), ("identity", "linear")])
@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_mlp_activation_names_are_taken(theirs, ours):
    """activation="logistic" (MLPClassifier's name of the sigmoid) was an unknown activation."""
    from sklearn.neural_network._base import ACTIVATIONS
    X, y = load_iris(return_X_y=True)
    a = BackpropClassifier(hidden_layer_sizes=(5,), activation=theirs, epochs=3, random_state=0).fit(X, y)
    b = BackpropClassifier(hidden_layer_sizes=(5,), activation=ours, epochs=3, random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.get_params()["activation"] == theirs
    # the hidden layer computes scikit-learn's function of that name
    hidden = X @ a.network_.layers[0].W + a.network_.layers[0].b
    expected = hidden.copy()
    ACTIVATIONS[theirs](expected)
    np.testing.assert_allclose(a.network_.layers[0].activation(hidden), expected, rtol=1e-15)


@pytest.mark.parametrize("Estimator, optimizer", [(BackpropClassifier, "adam"), (BackpropClassifier, "sgd"),
                                                  (BackpropRegressor, "adam")])
@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_warm_start_continues_the_network(Estimator, optimizer):
    """There was no warm_start (MLPClassifier's continues from the previous weights): two fits of 5 epochs
    with it are one fit of 10, weights, optimizer state and shuffling continued; without it, fit starts anew."""
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y = y if Estimator is BackpropClassifier else X[:, 0] - X[:, 2] * X[:, 3]
    settings = dict(hidden_layer_sizes=(8,), optimizer=optimizer, learning_rate=1e-2, batch_size=16, random_state=0)
    warm = Estimator(epochs=5, warm_start=True, **settings).fit(X, y)
    first = warm.network_.params.copy()
    warm.fit(X, y)
    once = Estimator(epochs=10, **settings).fit(X, y)
    np.testing.assert_array_equal(warm.network_.params, once.network_.params)
    assert warm.loss_curve_ == once.loss_curve_ and len(warm.loss_curve_) == 10
    cold = Estimator(epochs=5, **settings).fit(X, y)
    cold.fit(X, y)                                                        # warm_start=False: anew
    np.testing.assert_array_equal(cold.network_.params, first)
    assert len(cold.loss_curve_) == 5
    # partial_fit continues the same way: three calls are a fit of 3 epochs
    stepped = Estimator(epochs=1, **settings)
    for _ in range(3):
        stepped.partial_fit(X, y, **({"classes": [0, 1, 2]} if Estimator is BackpropClassifier else {}))
    np.testing.assert_array_equal(stepped.network_.params, Estimator(epochs=3, **settings).fit(X, y).network_.params)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_warm_start_with_other_parameters():
    """Another step size or activation goes on with the weights; another dtype is refused, as other
    hidden_layer_sizes are: a new network would quietly drop the weights and loss_curve_ trained (MLPClassifier
    never starts anew under warm_start), so the estimator stays as it was and warm_start=False builds the new one."""
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    est = BackpropClassifier(hidden_layer_sizes=(8,), epochs=20, learning_rate=1e-2, warm_start=True, random_state=0)
    est.fit(X, y)
    before = est.loss_curve_[:]
    est.set_params(learning_rate=1e-3, epochs=3).fit(X, y)                # another step size: the same weights on
    assert est.network_.optimizer.lr == 1e-3 and len(est.loss_curve_) == 23 and est.loss_curve_[:20] == before
    assert est.loss_curve_[20] < 0.5 * before[0] and abs(est.loss_curve_[20] - before[-1]) < 0.1 * before[-1]
    # another activation: the weights go on, as MLPClassifier's (tests/test_sklearn_parity_7.py)
    weights = est.network_.params.copy()
    est.set_params(activation="tanh", epochs=1).fit(X, y)
    assert len(est.loss_curve_) == 24 and est.network_.layers[0].activation.name == "tanh"
    assert np.abs(est.network_.params - weights).max() < 0.1
    # another dtype: refused, the fitted network kept (other hidden layers likewise: tests/test_sklearn_parity_5.py)
    trained, curve = est.network_.params.copy(), est.loss_curve_[:]
    with pytest.raises(ValueError, match=r"whose dtype is 'float64'; dtype is now 'float32'\. Set warm_start=False"):
        est.set_params(dtype="float32", epochs=3).fit(X, y)
    assert est.network_.dtype == np.float64 and est.loss_curve_ == curve
    np.testing.assert_array_equal(est.network_.params, trained)
    # warm_start=False: a new network, as the same estimator built fresh
    est.set_params(warm_start=False).fit(X, y)
    anew = BackpropClassifier(hidden_layer_sizes=(8,), activation="tanh", epochs=3, learning_rate=1e-3,
                              dtype="float32", random_state=0).fit(X, y)
    np.testing.assert_array_equal(est.network_.params, anew.network_.params)
    assert est.loss_curve_ == anew.loss_curve_


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_warm_start_refuses_other_data_as_mlpclassifier():
    """Other classes or other columns than the network was trained on: MLPClassifier's errors, in its words."""
    from sklearn.neural_network import MLPClassifier
    X, y = load_iris(return_X_y=True)
    for other, prefix in [((X, y % 2), "BackpropClassifier: "), ((X[:, :3], y), "")]:
        sk = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, warm_start=True, random_state=0)
        with pytest.warns(Warning):                                        # not converged in 2 epochs
            sk.fit(X, y)
        with pytest.raises(ValueError) as theirs:
            sk.fit(*other)
        ours = BackpropClassifier(hidden_layer_sizes=(4,), epochs=2, warm_start=True, random_state=0).fit(X, y)
        with pytest.raises(ValueError) as raised:
            ours.fit(*other)
        assert str(raised.value) == prefix + str(theirs.value).replace("MLPClassifier", "BackpropClassifier")
    reg = BackpropRegressor(epochs=2, warm_start=True, random_state=0).fit(X, y.astype(float))
    with pytest.raises(ValueError, match=r"BackpropRegressor: warm_start can only be used where `y` has as many "
                                         r"columns as in the previous call to fit. Previously got 1, `y` has 2"):
        reg.fit(X, np.column_stack([y, y]).astype(float))


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_warm_start_with_early_stopping_holds_out_the_same_rows(monkeypatch):
    """The second fit holds out the rows the first held out (others would have been trained on), and the
    scores go on: best_validation_score_ is the best of both fits, and its weights are kept."""
    from sklearn.metrics import accuracy_score
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    est = BackpropClassifier(hidden_layer_sizes=(8,), epochs=4, early_stopping=True, n_iter_no_change=50,
                             warm_start=True, random_state=0)
    X1, _ = _held_out(monkeypatch, est, X, y)
    X2, Y2 = _held_out(monkeypatch, est, X, y)
    np.testing.assert_array_equal(X1, X2)
    assert len(est.validation_scores_) == len(est.validation_loss_curve_) == 8
    assert est.best_validation_score_ == max(est.validation_scores_) == accuracy_score(Y2.ravel(), est.predict(X2))


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_n_iter_counts_the_last_calls_epochs_as_mlpclassifier():
    """n_iter_ was len(loss_curve_): all the epochs since the network was built. MLPClassifier's counts those
    of the last call (fit: its epochs; partial_fit: 1), and loss_curve_ holds them all."""
    from sklearn.neural_network import MLPClassifier
    X, y = load_iris(return_X_y=True)
    sk = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, warm_start=True, n_iter_no_change=100, random_state=0)
    ours = BackpropClassifier(hidden_layer_sizes=(4,), epochs=5, warm_start=True, random_state=0)
    for call in ("fit", "fit", "partial_fit", "partial_fit"):
        getattr(sk, call)(X, y)
        getattr(ours, call)(X, y)
        assert ours.n_iter_ == sk.n_iter_ and len(ours.loss_curve_) == len(sk.loss_curve_), call
    assert (ours.n_iter_, len(ours.loss_curve_)) == (1, 12)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_an_optimizer_instance_is_copied_by_each_fit():
    """An optimizer given as an instance was trained in place: fit changed the estimator's parameter, and a
    second fit went on with its state (Adam's moments and step count) instead of starting anew."""
    import chainrule as cr
    X, y = load_iris(return_X_y=True)
    opt = cr.optim.Adam(0.01)
    est = BackpropClassifier(hidden_layer_sizes=(4,), optimizer=opt, epochs=3, random_state=0)
    first = est.fit(X, y).network_.params.copy()
    assert opt.t == 0 and not opt.state and est.get_params()["optimizer"] is opt
    np.testing.assert_array_equal(est.fit(X, y).network_.params, first)
    by_name = BackpropClassifier(hidden_layer_sizes=(4,), optimizer="adam", learning_rate=0.01, epochs=3,
                                 random_state=0).fit(X, y)
    np.testing.assert_array_equal(by_name.network_.params, first)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_verbose_takes_scikit_learns_bools_and_ints(capsys):
    """MLPClassifier's verbose is a bool (default False): verbose=False was refused, after the refused fit
    had already built an untrained network that predict answered from."""
    X, y = load_iris(return_X_y=True)
    for verbose in (False, np.False_, 0):
        BackpropClassifier(epochs=2, verbose=verbose, random_state=0).fit(X, y)
    assert capsys.readouterr().out == ""
    BackpropClassifier(epochs=2, verbose=3, random_state=0).fit(X, y)              # MLP's line an epoch
    assert capsys.readouterr().out.count("Iteration ") == 2
    BackpropClassifier(epochs=2, verbose=True, random_state=0).fit(X, y)
    for bad in (-1, 1.5, "yes"):
        est = BackpropClassifier(verbose=bad)
        with pytest.raises(ValueError, match="BackpropClassifier: verbose must be an int >= 0 or a bool"):
            est.fit(X, y)
        assert not hasattr(est, "network_")


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_a_refused_fit_leaves_the_estimator_as_it_was():
    """A refused refit replaced classes_ and kept the old network (predict: IndexError); a first
    partial_fit whose y had a label outside `classes` built the network, so the corrected call was refused
    and predict answered from an untrained network."""
    from sklearn.exceptions import NotFittedError
    X, y = load_iris(return_X_y=True)
    est = BackpropClassifier(epochs=20, random_state=0).fit(X, y)
    before = est.predict(X)
    with pytest.raises(ValueError, match="sample_weight must be >= 0"):     # refused once classes_ was set
        est.fit(X[:, :2], y % 2, sample_weight=np.full(150, -1.0))
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])
    np.testing.assert_array_equal(est.predict(X), before)
    fresh = BackpropClassifier(random_state=0)
    with pytest.raises(ValueError, match=r"y contains labels \[2\] not in classes=\[0, 1\] given to partial_fit"):
        fresh.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(NotFittedError):
        fresh.predict(X)
    fresh.partial_fit(X, y, classes=[0, 1, 2])
    assert fresh.predict_proba(X).shape == (150, 3)


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
@pytest.mark.parametrize("bad", [{"activation": "bogus"}, {"dtype": "float16"}, {"optimizer": "nope"},
                                 {"random_state": "x"}, {"sample_weight": -1.0}])
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_a_fit_refused_by_any_argument_leaves_the_estimator_as_it_was(Est, bad, method):
    """An activation, dtype, optimizer, random_state or sample weights refused after scikit-learn's checks
    had set n_features_in_ (and classes_): the old network under 6 features and the labels 'a', 'b'."""
    X, y = load_iris(return_X_y=True)
    y = y if Est is BackpropClassifier else X[:, 0]
    est = Est(epochs=5, random_state=0).fit(X, y)
    kept, before = dict(est.__dict__), est.predict(X)
    X6 = np.hstack([X, X[:, :2]])
    y6 = np.array(["a", "b"] * 75) if Est is BackpropClassifier else X[:, 1]
    params = {k: v for k, v in bad.items() if k != "sample_weight"}
    weight = {"sample_weight": np.full(150, bad["sample_weight"])} if "sample_weight" in bad else {}
    est.set_params(warm_start=False, **params)
    extra = {"classes": ["a", "b"]} if method == "partial_fit" and Est is BackpropClassifier else {}
    refit = est if method == "fit" else clone(est)
    named = {"activation": "activation='bogus'", "dtype": "dtype", "optimizer": "optimizer='nope'",
             "random_state": "random_state must be None, an int", "sample_weight": "[Nn]egative"}[next(iter(bad))]
    if method == "partial_fit":               # a first partial_fit of a fresh estimator: still unfitted after
        with pytest.raises((ValueError, TypeError), match=named):
            refit.partial_fit(X6, y6, **extra, **weight)
        assert not hasattr(refit, "n_features_in_") and not hasattr(refit, "network_")
        return
    with pytest.raises((ValueError, TypeError), match=named):
        est.fit(X6, y6, **weight)
    assert est.n_features_in_ == 4 and est.network_ is kept["network_"]
    assert getattr(est, "classes_", None) is kept.get("classes_")
    np.testing.assert_array_equal(est.predict(X), before)


def test_partial_fit_takes_classes_and_weights_by_keyword():
    """MLPClassifier's third argument is sample_weight, SGDClassifier's classes: partial_fit(X, y, w) read w
    as the classes (a phantom class 3, probabilities of 4 columns)."""
    X, y = load_iris(return_X_y=True)
    w = np.tile([0, 1, 2, 3], 38)[:150]
    with pytest.raises(TypeError):
        BackpropClassifier().partial_fit(X, y, w)
    est = BackpropClassifier(random_state=0).partial_fit(X, y, classes=[0, 1, 2], sample_weight=w)
    assert est.predict_proba(X).shape == (150, 3)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_validation_fraction_zero_without_early_stopping_as_mlp():
    from sklearn.neural_network import MLPClassifier
    X, y = load_iris(return_X_y=True)
    MLPClassifier(validation_fraction=0.0, max_iter=1).fit(X, y)          # theirs: accepted
    BackpropClassifier(validation_fraction=0.0, epochs=1).fit(X, y)
    with pytest.raises(ValueError, match=r"validation_fraction must be a number in \[0, 1\), above 0 with "
                                         "early_stopping"):
        BackpropClassifier(validation_fraction=0.0, early_stopping=True).fit(X, y)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_a_one_column_target_is_read_as_mlpregressor_reads_it():
    from sklearn.exceptions import DataConversionWarning
    from sklearn.neural_network import MLPRegressor
    X, y = load_diabetes(return_X_y=True)
    with pytest.warns(DataConversionWarning):
        theirs = MLPRegressor(max_iter=2).fit(X, y.reshape(-1, 1)).predict(X)
    with pytest.warns(DataConversionWarning):
        ours = BackpropRegressor(epochs=2).fit(X, y.reshape(-1, 1)).predict(X)
    assert ours.shape == theirs.shape == (442,)
    with pytest.warns(DataConversionWarning):
        assert BackpropRegressor().partial_fit(X, y.reshape(-1, 1)).predict(X).shape == (442,)
