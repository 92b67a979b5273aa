"""The estimators beside scikit-learn's MLPClassifier and MLPRegressor (fourth round): the outputs'
dtype, a sparse multi-label y, batch_size beyond the rows, the activations' names, partial_fit's classes
for multi-label targets, and what a scikit-learn user meets in pipelines, pickles and searches."""
import pickle
import re
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
import scipy.sparse as scipy_sparse  # noqa: E402
from conftest import three_features  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # the MLPs' few epochs


def _outputs(est, X):
    """The float outputs of a fitted estimator for X: predict_proba and predict_log_proba, or predict."""
    if hasattr(est, "predict_proba"):
        return [est.predict_proba(X), est.predict_log_proba(X)]
    return [est.predict(X)]


@pytest.mark.parametrize("case", ["binary", "multiclass", "multilabel", "regression", "2-D regression"])
@pytest.mark.parametrize("fit_dtype", [np.float64, np.float32])
@pytest.mark.parametrize("predict_dtype", [np.float64, np.float32])
def test_outputs_have_mlps_dtype(case, fit_dtype, predict_dtype):
    """As MLPClassifier's and MLPRegressor's: float32 when X and the X trained on are both float32
    (before: always float64 unless dtype='float32')."""
    X, y, y3 = three_features()
    Est, MLP, target = {"binary": (BackpropClassifier, MLPClassifier, y),
                        "multiclass": (BackpropClassifier, MLPClassifier, y3),
                        "multilabel": (BackpropClassifier, MLPClassifier, np.c_[y, 1 - y, y3 == 2].astype(int)),
                        "regression": (BackpropRegressor, MLPRegressor, X[:, 1]),
                        "2-D regression": (BackpropRegressor, MLPRegressor, X[:, 1:])}[case]
    ours = Est(epochs=2, random_state=0).fit(X.astype(fit_dtype), target)
    mlp = MLP(max_iter=2, random_state=0).fit(X.astype(fit_dtype), target)
    for a, b in zip(_outputs(ours, X.astype(predict_dtype)), _outputs(mlp, X.astype(predict_dtype))):
        assert a.dtype == b.dtype and a.shape == b.shape
    assert isinstance(ours.score(X.astype(predict_dtype), target), float)


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_dtype_float32_gives_float32_outputs_and_predict_follows_predict_proba(Est):
    """dtype='float32' computes in float32, and says so in its outputs, whatever X's dtype; the
    predicted labels are those of the probabilities returned."""
    X, y, y3 = three_features(200)
    target = y3 if Est is BackpropClassifier else X[:, 1]
    est = Est(epochs=2, dtype="float32", random_state=0).fit(X, target)
    for X_ in (X, X.astype(np.float32)):
        assert all(out.dtype == np.float32 for out in _outputs(est, X_))
    clf = BackpropClassifier(epochs=2, random_state=0).fit(X.astype(np.float32), y3)
    Xp = X.astype(np.float32)
    np.testing.assert_array_equal(clf.predict(Xp), clf.classes_[np.argmax(clf.predict_proba(Xp), axis=1)])


@pytest.mark.parametrize("sparse", [scipy_sparse.csr_matrix, scipy_sparse.csr_array, scipy_sparse.coo_matrix])
def test_a_sparse_multilabel_y_is_predicted_sparse_as_by_mlp(sparse):
    X, y, y3 = three_features()
    Y = np.c_[y, 1 - y, y3 == 2].astype(int)
    mlp = MLPClassifier(max_iter=3, random_state=0).fit(X, sparse(Y))
    ours = BackpropClassifier(epochs=3, random_state=0).fit(X, sparse(Y))
    theirs, got = mlp.predict(X), ours.predict(X)
    assert type(got) is type(theirs) and got.format == theirs.format and got.dtype == theirs.dtype
    dense = BackpropClassifier(epochs=3, random_state=0).fit(X, Y)
    np.testing.assert_array_equal(got.toarray(), dense.predict(X))
    assert isinstance(dense.predict(X), np.ndarray)
    assert ours.score(X, sparse(Y)) == dense.score(X, Y)
    # partial_fit and warm starts keep the first fit's kind of answer, as MLPClassifier's LabelBinarizer
    ours.partial_fit(X, Y)
    mlp.partial_fit(X, Y)
    assert type(ours.predict(X)) is type(mlp.predict(X))
    first = BackpropClassifier(random_state=0).partial_fit(X, sparse(Y), classes=[0, 1, 2])
    assert scipy_sparse.issparse(first.predict(X))


def _batch_warnings(est, X, y, **kw):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        est.fit(X, y, **kw)
    return [str(m.message) for m in w if "batch_size" in str(m.message)]


@pytest.mark.parametrize("Est, MLP", [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)])
def test_an_explicit_batch_size_beyond_the_rows_warns_as_mlps(Est, MLP):
    X, y, _ = three_features()
    theirs = _batch_warnings(MLP(max_iter=2, batch_size=100), X, y)
    ours = _batch_warnings(Est(epochs=2, batch_size=100), X, y)
    assert len(theirs) == len(ours) == 1
    with warnings.catch_warnings():      # a filter of MLP's words (theirs whole) catches ours
        warnings.filterwarnings("error", message=re.escape(theirs[0]))
        with pytest.raises(UserWarning, match=re.escape(theirs[0])):
            Est(epochs=2, batch_size=100).fit(X, y)
    assert "batch_size=100" in ours[0] and "40" in ours[0]
    # early stopping: clipped to the rows trained on (36 of 40), as MLPClassifier's
    assert len(_batch_warnings(MLP(max_iter=2, batch_size=38, early_stopping=True), X, y)) == 1
    assert len(_batch_warnings(Est(epochs=2, batch_size=38, early_stopping=True), X, y)) == 1
    # no warning for 'auto' (as MLP's), nor the default (32) on a small set, nor a size that fits
    for kw in ({"batch_size": "auto"}, {}, {"batch_size": 40}):
        assert _batch_warnings(Est(epochs=2, **kw), X[:20] if not kw else X, y[:20] if not kw else y) == []
    assert _batch_warnings(MLP(max_iter=2, batch_size=40), X, y) == []


def test_partial_fit_warns_for_a_batch_size_beyond_its_rows_as_mlp():
    X, y, _ = three_features()
    with pytest.warns(UserWarning, match="Got `batch_size`"):
        MLPClassifier(batch_size=100).partial_fit(X, y, classes=[0, 1])
    with pytest.warns(UserWarning, match="Got `batch_size` less than 1 or larger than sample size") as caught:
        BackpropClassifier(batch_size=100).partial_fit(X, y, classes=[0, 1])
    with pytest.warns(UserWarning, match="Got `batch_size` less than 1 or larger than sample size") as more:
        BackpropRegressor(epochs=1, batch_size=100).fit(X, X[:, 0])
    assert {w.filename for w in [*caught, *more]} == {__file__}      # the warning points at the user's call


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_an_unknown_activation_lists_every_accepted_name(Est):
    """MLPClassifier's names ('identity', 'logistic') are accepted, so the list names them too."""
    X, y, _ = three_features()
    with pytest.raises(ValueError, match="activation") as err:
        Est(epochs=2, activation="bogus").fit(X, y)
    for name in ("identity", "logistic", "relu", "tanh", "sigmoid", "linear", "None"):
        assert name in str(err.value), name
    with pytest.raises(ValueError, match="Did you mean 'logistic'"):
        Est(epochs=2, activation="logistc").fit(X, y)


def test_identity_logistic_and_none_are_the_activations_mlp_computes():
    """'identity' and None are linear hidden units, 'logistic' sigmoid ones: MLPClassifier's forward pass,
    in NumPy, on our weights gives our probabilities (names in any case, as chainrule's own)."""
    X, y, _ = three_features()
    for act, f in (("identity", lambda z: z), (None, lambda z: z), ("Logistic", lambda z: 1 / (1 + np.exp(-z))),
                   ("IDENTITY", lambda z: z)):
        est = BackpropClassifier(hidden_layer_sizes=(4,), activation=act, epochs=2, random_state=0).fit(X, y)
        h = f(X @ est.coefs_[0] + est.intercepts_[0])
        p = 1 / (1 + np.exp(-(h @ est.coefs_[1] + est.intercepts_[1])))
        np.testing.assert_allclose(est.predict_proba(X)[:, 1:], p, rtol=1e-12)
    with pytest.raises(ValueError):
        MLPClassifier(activation=None).fit(X, y)          # MLPClassifier refuses None; ours: linear, documented


def test_multilabel_partial_fit_needs_classes_as_mlps():
    X, y, y3 = three_features()
    Y = np.c_[y, 1 - y, y3 == 2].astype(int)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        MLPClassifier().partial_fit(X, Y)
    with pytest.raises(ValueError, match=r"classes must be given on the first call to partial_fit.*np\.arange\(3\)"):
        BackpropClassifier().partial_fit(X, Y)
    mlp = MLPClassifier().partial_fit(X, Y, classes=[0, 1, 2])
    ours = BackpropClassifier().partial_fit(X, Y, classes=[0, 1, 2])
    np.testing.assert_array_equal(ours.classes_, mlp.classes_)
    ours.partial_fit(X, Y)
    assert ours.predict_proba(X).shape == mlp.predict_proba(X).shape == (40, 3)
    with pytest.raises(ValueError):
        MLPClassifier().partial_fit(X, Y, classes=[0, 1])
    for wrong in ([0, 1], [0, 1, 2, 3], ["a", "b", "c"]):
        with pytest.raises(ValueError, match=r"multi-label y.*np\.arange\(3\)"):
            BackpropClassifier().partial_fit(X, Y, classes=wrong)
    with pytest.raises(ValueError, match="classes must be a 1-D list"):
        BackpropClassifier().partial_fit(X, Y, classes=3)
    assert BackpropClassifier().partial_fit(X, Y, classes=[2, 0, 1]).classes_.tolist() == [0, 1, 2]


def test_coefs_of_an_unfitted_estimator_name_coefs():
    for Est, MLP in ((BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)):
        for name in ("coefs_", "intercepts_"):
            with pytest.raises(AttributeError) as theirs:
                getattr(MLP(), name)
            with pytest.raises(AttributeError) as ours:
                getattr(Est(), name)
            assert str(ours.value) == str(theirs.value).replace(MLP.__name__, Est.__name__)


def test_float32_outputs_survive_pickling_and_pipelines():
    """The outputs' dtype is the fitted estimator's: kept through pickle, and in a Pipeline whose scaler
    keeps float32 (as MLPClassifier's)."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    X, _, y3 = three_features()
    X32 = X.astype(np.float32)
    ours = make_pipeline(StandardScaler(), BackpropClassifier(epochs=2, random_state=0)).fit(X32, y3)
    mlp = make_pipeline(StandardScaler(), MLPClassifier(max_iter=2, random_state=0)).fit(X32, y3)
    again = pickle.loads(pickle.dumps(ours))
    assert again.predict_proba(X32).dtype == mlp.predict_proba(X32).dtype == np.float32
    np.testing.assert_array_equal(again.predict_proba(X32), ours.predict_proba(X32))


def test_what_a_scikit_learn_user_does_works_as_with_mlp():
    """Guards (held before this round): a ColumnTransformer pipeline with pandas output, the feature
    names it gives, other column names at predict refused in scikit-learn's words, clone and
    get_params/set_params round trips, the same random_state giving the same network, a pickled
    pipeline predicting as before, cross_val_score with scoring strings."""
    import pandas as pd
    from sklearn.base import clone
    from sklearn.compose import make_column_transformer
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    rng = np.random.RandomState(0)
    df = pd.DataFrame({"a": rng.randn(60), "b": rng.randn(60), "c": rng.choice(["x", "y", "z"], 60)})
    y = (df["a"] > 0).astype(int)
    fitted = {}
    for name, est in (("ours", BackpropClassifier(epochs=3, random_state=0)), ("mlp", MLPClassifier(max_iter=3))):
        ct = make_column_transformer((StandardScaler(), ["a", "b"]), (OneHotEncoder(sparse_output=False), ["c"]))
        fitted[name] = make_pipeline(ct, est).set_output(transform="pandas").fit(df, y)
    ours, mlp = fitted["ours"], fitted["mlp"]
    np.testing.assert_array_equal(ours[-1].feature_names_in_, mlp[-1].feature_names_in_)
    again = pickle.loads(pickle.dumps(ours))
    np.testing.assert_array_equal(again.predict_proba(df), ours.predict_proba(df))
    X = df[["a", "b"]]
    renamed = X.rename(columns={"a": "z"})
    messages = []
    for est in (BackpropClassifier(epochs=2), MLPClassifier(max_iter=2)):
        with pytest.raises(ValueError) as err:
            est.fit(X, y).predict(renamed)
        messages.append(str(err.value))
    assert messages[0] == messages[1] and "Feature names unseen at fit time" in messages[0]
    est = BackpropClassifier(hidden_layer_sizes=(5, 3), activation="identity", batch_size="auto", random_state=0)
    params = est.get_params()
    assert clone(est).get_params() == params == BackpropClassifier().set_params(**params).get_params()
    a, b = clone(est).set_params(epochs=2).fit(X, y), clone(est).set_params(epochs=2).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    for scoring in ("roc_auc", "neg_log_loss", "f1_macro", "balanced_accuracy"):
        scores = cross_val_score(BackpropClassifier(epochs=2, random_state=0), X, y, cv=2, scoring=scoring)
        assert scores.shape == (2,) and np.isfinite(scores).all(), scoring
