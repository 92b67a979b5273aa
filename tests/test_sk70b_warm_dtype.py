"""warm_start never quietly builds a new network: a parameter change either goes on with the trained weights (as
MLPClassifier's warm start, which never starts anew) or is refused, naming the change and the ways out."""
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

X, y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # few epochs on purpose


@pytest.mark.parametrize("cls, target", [(BackpropClassifier, y), (BackpropRegressor, y.astype(float))])
@pytest.mark.parametrize("old, new", [("float64", "float32"), ("float32", "float64")])
def test_warm_start_refuses_another_dtype_and_keeps_the_network(cls, target, old, new):
    est = cls(hidden_layer_sizes=(4,), epochs=2, dtype=old, warm_start=True, random_state=0).fit(X, target)
    weights, curve = est.network_.params.copy(), est.loss_curve_[:]
    with pytest.raises(ValueError) as raised:
        est.set_params(dtype=new).fit(X, target)
    assert str(raised.value) == (f"{cls.__name__}: warm_start=True goes on training the fitted network, whose dtype "
                                 f"is '{old}'; dtype is now '{new}'. Set warm_start=False to build a new network, "
                                 f"or dtype back to '{old}'")
    assert est.network_.dtype == np.dtype(old) and est.loss_curve_ == curve
    np.testing.assert_array_equal(est.network_.params, weights)
    # the dtype back in another spelling (NumPy's type): the same network goes on
    est.set_params(dtype=np.dtype(old).type).fit(X, target)
    assert len(est.loss_curve_) == 4 and est.loss_curve_[:2] == curve


def test_no_parameter_change_restarts_a_warm_start_quietly():
    """MLPClassifier's warm start goes on whatever changed (float32 X after float64 too: its weights stay float64);
    ours goes on as well, or refuses (hidden_layer_sizes, dtype, early_stopping): loss_curve_ never starts anew."""
    mlp = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, warm_start=True, random_state=0).fit(X, y)
    mlp.set_params(activation="tanh", alpha=0.1, batch_size=7).fit(X.astype(np.float32), y)
    assert len(mlp.loss_curve_) == 4 and mlp.coefs_[0].dtype == np.float64
    changes = [dict(activation="tanh"), dict(optimizer="sgd"), dict(learning_rate=1e-2), dict(batch_size=7),
               dict(alpha=0.1), dict(shuffle=False), dict(random_state=5), dict(class_weight="balanced"),
               dict(clip_norm=1.0), dict(hidden_layer_sizes=(5,)), dict(dtype="float32"), dict(early_stopping=True)]
    for change in changes:
        est = BackpropClassifier(hidden_layer_sizes=(4,), epochs=2, warm_start=True, random_state=0).fit(X, y)
        curve = est.loss_curve_[:]
        try:
            est.set_params(**change).fit(X, y)
        except ValueError as refused:
            assert "warm_start=True goes on training the fitted network" in str(refused), change
            assert "warm_start=False to build a new network" in str(refused), change
        else:
            assert len(est.loss_curve_) == 4 and est.loss_curve_[:2] == curve, change


def test_docs_show_the_warm_start_dtype_refusal_as_raised():
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    rows = {cells[0]: cells[2] for cells in ([c.strip() for c in line.strip().strip("|").split(" | ")]
                                             for line in doc.splitlines()) if len(cells) == 4}
    est = BackpropClassifier(hidden_layer_sizes=(4,), epochs=2, warm_start=True, random_state=0).fit(X, y)
    with pytest.raises(ValueError) as raised:
        est.set_params(dtype="float32").fit(X, y)
    assert str(raised.value) == rows["estimator warm start with another dtype"]
    with pytest.raises(ValueError) as raised:                 # its neighbour, quoted in the row's notes
        est.set_params(dtype="float64", hidden_layer_sizes=(8,)).fit(X, y)
    notes = next(line for line in doc.splitlines() if line.startswith("| estimator warm start with another dtype |"))
    assert f'"{raised.value}"' in notes
