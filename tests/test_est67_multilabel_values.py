"""A 2-D y of two values other than 0 and 1 (-1 and 1, 0 and 2) is what scikit-learn calls a multi-label indicator
matrix; MLPClassifier trains its sigmoids on the values as they are (and predicts 0 and 1, never y's -1 or 2), and
BackpropClassifier said the engine's "Y must lie in [0, 1] ... or use chainrule.sklearn.BackpropClassifier", the class
in use: refused in the estimator's words, naming the values and the fix. A 2-D y of fractions is scikit-learn's
"Unknown label type: continuous-multioutput", as KNeighborsClassifier says, not "y should be a 1d array"."""
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

pytest.importorskip("sklearn")
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.utils.multiclass import type_of_target  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: not the point

X = np.random.RandomState(0).rand(30, 3)
B = (X > 0.5).astype(int)


def _row(case: str) -> str:
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    rows = {cells[0]: cells[2] for cells in ([c.strip() for c in line.strip().strip("|").split(" | ")]
                                             for line in doc.splitlines()) if len(cells) == 4}
    return rows[case]


@pytest.mark.parametrize("low, high", [(-1, 1), (0, 2), (1, 2)])
@pytest.mark.parametrize("how", ["fit", "partial_fit", "warm_start", "sparse"])
def test_a_multilabel_y_of_other_values_is_refused_naming_them(low, high, how):
    Y = np.where(B == 1, high, low)
    assert type_of_target(Y) == "multilabel-indicator"          # scikit-learn's reading
    theirs = MLPClassifier(max_iter=2).fit(X, Y)                 # trained on the values as they are,
    assert set(np.unique(theirs.predict(X)).tolist()) <= {0, 1}  # predicting 0/1, not y's values
    est = BackpropClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0, warm_start=how == "warm_start")
    if how == "warm_start":
        est.fit(X, B)
    with pytest.raises(ValidationError) as caught:
        if how == "partial_fit":
            est.partial_fit(X, B, classes=[0, 1, 2]).partial_fit(X, Y)
        else:
            est.fit(X, sp.csr_matrix(Y) if how == "sparse" else Y)
    said = str(caught.value)
    assert said.startswith("a multi-label y (scikit-learn's multilabel-indicator: a 2-D y of two values) holds 1 where "
                           f"a sample has the label and 0 where not; got the values {[low, high]}: give (y == {high})")
    assert "use chainrule.sklearn.BackpropClassifier" not in said
    if how == "fit" and (low, high) == (0, 2):
        assert said == _row("estimator multi-label y of other values")
    fixed = BackpropClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0).fit(X, (Y == high).astype(int))
    assert fixed.predict(X).shape == Y.shape


@pytest.mark.parametrize("Y", [B.astype(bool), B.astype(float), sp.csr_matrix(B)])
def test_a_zero_one_multilabel_y_still_fits(Y):
    est = BackpropClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0).fit(X, Y)
    assert est.classes_.tolist() == MLPClassifier(max_iter=2).fit(X, Y).classes_.tolist() == [0, 1, 2]


def test_fractions_in_two_columns_are_scikit_learns_unknown_label_type():
    Y = B * 0.5
    with pytest.raises(ValueError) as theirs:
        KNeighborsClassifier(3).fit(X, Y)
    for call in (lambda: BackpropClassifier(epochs=2).fit(X, Y),
                 lambda: BackpropClassifier(epochs=2).partial_fit(X, Y, classes=[0, 1, 2])):
        with pytest.raises(ValueError) as ours:
            call()
        assert str(ours.value) == str(theirs.value)
        assert str(ours.value).startswith("Unknown label type: continuous-multioutput")
