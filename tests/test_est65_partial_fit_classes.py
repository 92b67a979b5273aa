"""partial_fit's `classes` given as an object array of text (a pandas column's values, say) gives MLPClassifier's
classes_ and predict dtype (text, '<U'), as fit's y of such labels does: they were object arrays."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.neural_network import MLPClassifier  # noqa: E402

from chainrule.sklearn import BackpropClassifier  # noqa: E402

X = np.random.RandomState(0).normal(size=(60, 3))
WHICH = np.digitize(X[:, 0], [-0.5, 0.5])


@pytest.mark.parametrize("y_dtype", [object, str])
@pytest.mark.parametrize("classes", [np.array(["lo", "mid", "hi"], dtype=object), ["lo", "mid", "hi"],
                                     np.array(["lo", "mid", "hi", "none"], dtype=object)])
def test_partial_fit_classes_of_text_have_mlps_dtype(classes, y_dtype):
    y = np.array(["lo", "mid", "hi"], dtype=y_dtype)[WHICH]
    answers = []
    for est in (MLPClassifier(random_state=0), BackpropClassifier(random_state=0)):
        est.partial_fit(X, y, classes=classes)
        est.partial_fit(X, y)
        assert set(est.predict(X).tolist()) <= set(np.asarray(classes).tolist())
        answers.append((est.classes_.dtype, est.classes_.tolist(), est.predict(X).dtype))
    assert answers[0] == answers[1]
