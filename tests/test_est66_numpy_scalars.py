"""Parameters given as NumPy scalars (a value read from an array, np.float32(0.2)) are taken as MLPClassifier and
MLPRegressor take them (scikit-learn 1.9): validation_fraction=np.float32(0.2) with early stopping was refused by
train_test_split's own check ("must be a float in the range (0.0, 1.0) ... Got np.float32(0.2)"), wrapped in a
message telling the user to lower it; MLP's fit skips that nested check."""
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

rng = np.random.RandomState(0)
X = rng.normal(size=(80, 3))
PAIRS = [(MLPClassifier, BackpropClassifier, (X[:, 0] > 0).astype(int)),
         (MLPRegressor, BackpropRegressor, X[:, 1] - X[:, 2])]
SCALARS = {"validation_fraction": np.float32(0.25), "tol": np.float32(1e-4), "n_iter_no_change": np.int64(3),
           "alpha": np.float32(1e-3), "momentum": np.float32(0.9), "batch_size": np.int32(16),
           "random_state": np.int64(1)}


@pytest.mark.parametrize("name", sorted(SCALARS))
@pytest.mark.parametrize("Mlp, Est, target", PAIRS)
def test_numpy_scalar_parameters_are_taken_with_early_stopping_as_mlps(Mlp, Est, target, name):
    value = SCALARS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = Mlp(hidden_layer_sizes=(4,), max_iter=4, early_stopping=True, **{name: value}).fit(X, target)
        ours = Est(hidden_layer_sizes=(4,), epochs=4, early_stopping=True, **{name: value}).fit(X, target)
        plain = Est(hidden_layer_sizes=(4,), epochs=4, early_stopping=True, **{name: value.item()}).fit(X, target)
    assert len(ours.validation_scores_) == len(ours.loss_curve_) == ours.n_iter_
    # the same rows held out as with the Python number: the same number of training samples seen (t_), as MLP's
    assert ours.t_ == plain.t_ and ours.t_ // ours.n_iter_ == mlp.t_ // mlp.n_iter_


@pytest.mark.parametrize("fraction", [np.float32(0.2), np.float32(0.1), np.float32(0.3), np.float16(0.2)])
@pytest.mark.parametrize("Mlp, Est, target", PAIRS)
def test_a_numpy_float_validation_fraction_holds_out_as_many_rows_as_mlps(Mlp, Est, target, fraction):
    # np.float32(0.2) widened to 0.20000000298... would hold out ceil(16.0000002) = 17 of 80 rows; MLP holds out 16
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = Mlp(hidden_layer_sizes=(4,), max_iter=2, early_stopping=True, validation_fraction=fraction).fit(X, target)
        ours = Est(hidden_layer_sizes=(4,), epochs=2, early_stopping=True, validation_fraction=fraction).fit(X, target)
    assert ours.t_ // ours.n_iter_ == mlp.t_ // mlp.n_iter_
