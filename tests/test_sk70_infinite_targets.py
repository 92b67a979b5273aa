"""An infinite target named where it is, as X's infinity, y's NaN and sample_weight's infinity are (scikit-learn's
"Input y contains infinity" names no row); the rest of scikit-learn's words kept."""
import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from sklearn.neural_network import MLPRegressor  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

rng = np.random.default_rng(0)
X, Y = rng.normal(size=(20, 3)), rng.normal(size=(20, 2))


def _refused(est, method, y):
    extra = {"classes": [0.0, 1.0]} if method == "partial_fit" and isinstance(est, BackpropClassifier) else {}
    with pytest.raises(ValueError) as info:
        getattr(est, method)(X, y, **extra)
    assert not hasattr(est, "network_")
    return str(info.value)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_regressor_names_the_row_of_an_infinite_target(method):
    y = Y[:, 0].copy()
    y[7] = np.inf
    with pytest.raises(ValueError) as sk:             # scikit-learn's own words, which the message keeps
        MLPRegressor(max_iter=1).fit(X, y)
    said = _refused(BackpropRegressor(epochs=1), method, y)
    assert said.startswith("Input y contains infinity (first at row 7)")
    assert said.replace(" (first at row 7)", "") == str(sk.value)


def test_regressor_names_row_and_column_of_two_columns():
    y = Y.copy()
    y[11, 1] = -np.inf
    assert "Input y contains infinity (first at row 11, column 1)" in _refused(BackpropRegressor(epochs=1), "fit", y)


def test_a_series_target_is_named_by_its_index_label():
    y = pd.Series(Y[:, 0], index=np.arange(20) + 100)
    y.iloc[3] = np.inf
    assert "Input y contains infinity (first at row 103)" in _refused(BackpropRegressor(epochs=1), "fit", y)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_classifier_names_the_row_of_an_infinite_label(method):
    y = (Y[:, 0] > 0).astype(float)
    y[5] = np.inf
    assert "Input y contains infinity (first at row 5)" in _refused(BackpropClassifier(epochs=1), method, y)


def _documented(case: str) -> str:
    from pathlib import Path
    doc = (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
    row = next(line for line in doc.splitlines() if line.startswith(f"| {case} | `ValidationError` |"))
    return row.split(" | ")[2]


def test_errors_md_shows_both_messages_as_raised():
    y = Y[:, 0].copy()
    y[7] = np.inf
    assert _refused(BackpropRegressor(epochs=1), "fit", y) == _documented("estimator y infinite")
    y[7] = 1e39
    said = _refused(BackpropRegressor(epochs=1, dtype="float32"), "fit", y)
    assert said == _documented("estimator y too large for float32")
