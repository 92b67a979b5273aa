"""The estimators in a practitioner's scikit-learn tools, each against scikit-learn's own answer: a pickled fitted
estimator loaded in a fresh process predicts, and goes on training, as the one pickled; GridSearchCV over two
processes scores as over one; cross_val_predict's probabilities are each fold's own fit's; CalibratedClassifierCV's
calibrated probabilities; the feature-name warnings in MLPClassifier's words through a ColumnTransformer."""
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sklearn")
from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, cross_val_predict  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

from chainrule.sklearn import BackpropClassifier  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: not the point

X, y = load_iris(return_X_y=True)
FRAME = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"]).assign(kind=np.array(["u", "v"])[np.arange(150) % 2])


def _clf(**kw):
    return BackpropClassifier(hidden_layer_sizes=(6,), epochs=8, random_state=0, **kw)


def test_a_pickled_estimator_predicts_and_trains_on_in_a_fresh_process(tmp_path):
    pipe = make_pipeline(StandardScaler(), _clf()).fit(FRAME.iloc[:, :4], y)
    path = tmp_path / "pipe.pkl"
    path.write_bytes(pickle.dumps(pipe))
    pipe[-1].partial_fit(pipe[0].transform(FRAME.iloc[:, :4]), y)
    np.save(tmp_path / "after.npy", pipe.predict_proba(FRAME.iloc[:, :4]))
    code = ("import pickle, sys, numpy as np, pandas as pd; from sklearn.datasets import load_iris\n"
            "X, y = load_iris(return_X_y=True); f = pd.DataFrame(X, columns=['sl', 'sw', 'pl', 'pw'])\n"
            f"pipe = pickle.loads(open({str(path)!r}, 'rb').read()); p = pipe.predict_proba(f)\n"
            "pipe[-1].partial_fit(pipe[0].transform(f), y)\n"
            f"print(np.abs(pipe.predict_proba(f) - np.load({str(tmp_path / 'after.npy')!r})).max(), p.sum())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    apart, total = done.stdout.split()      # to rounding: BLAS may sum in another order in another process
    assert float(apart) < 1e-10 and float(total) == pytest.approx(150.0)


def test_grid_search_over_two_processes_scores_as_over_one():
    grid = {"alpha": [0.0, 0.1]}
    one = GridSearchCV(_clf(), grid, cv=2, n_jobs=1).fit(X, y)
    two = GridSearchCV(_clf(), grid, cv=2, n_jobs=2).fit(X, y)
    assert np.array_equal(one.cv_results_["mean_test_score"], two.cv_results_["mean_test_score"])
    assert one.best_params_ == two.best_params_


@pytest.mark.parametrize("Y", [y, np.c_[y == 0, y == 1, y > 0].astype(int)], ids=["multiclass", "multilabel"])
def test_cross_val_predict_probabilities_are_each_folds_own(Y):
    folds = KFold(3, shuffle=True, random_state=0)
    got = cross_val_predict(_clf(), X, Y, cv=folds, method="predict_proba")
    mlp = cross_val_predict(MLPClassifier(max_iter=8), X, Y, cv=folds, method="predict_proba")
    assert got.shape == mlp.shape
    for train, test in folds.split(X):
        np.testing.assert_array_equal(got[test], _clf().fit(X[train], Y[train]).predict_proba(X[test]))


def test_calibrated_probabilities_sum_to_one_as_mlps():
    ours = CalibratedClassifierCV(_clf(), cv=3).fit(X, y)
    theirs = CalibratedClassifierCV(MLPClassifier(max_iter=8, random_state=0), cv=3).fit(X, y)
    p = ours.predict_proba(X)
    assert p.shape == theirs.predict_proba(X).shape and np.allclose(p.sum(axis=1), 1.0)
    for fold in ours.calibrated_classifiers_:
        assert fold.estimator.classes_.tolist() == [0, 1, 2]


def test_feature_name_warnings_through_a_column_transformer_are_mlps():
    def said(est):
        cols = ColumnTransformer([("num", StandardScaler(), ["sl", "sw", "pl", "pw"]),
                                  ("cat", OneHotEncoder(), ["kind"])])
        pipe = make_pipeline(cols, est).fit(FRAME, y)
        inner = pipe[-1]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            named = pipe[0].transform(FRAME)
            inner.predict(pd.DataFrame(named, columns=[f"c{i}" for i in range(named.shape[1])]))   # names: not fitted
            inner.predict(named)                                           # no names: as fitted
        with pytest.raises(ValueError) as other:
            est.fit(FRAME.iloc[:, :4], y).predict(FRAME.iloc[:, [1, 0, 2, 3]])
        with warnings.catch_warnings(record=True) as bare:
            warnings.simplefilter("always")
            est.predict(X)
        return [str(w.message).replace(type(est).__name__, "EST") for w in caught + bare], str(other.value)
    ours, theirs = said(_clf()), said(MLPClassifier(max_iter=8))
    assert ours == theirs and theirs[1].startswith("The feature names should match")
    assert theirs[0] == ["X has feature names, but EST was fitted without feature names",
        "X does not have valid feature names, but EST was fitted with feature names"]
