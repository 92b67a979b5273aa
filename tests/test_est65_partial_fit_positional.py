"""BackpropClassifier.partial_fit(X, y, classes) as a user of SGDClassifier writes it: its classes is keyword-only
(MLPClassifier's third argument is sample_weight), and Python's "takes 3 positional arguments but 4 were given"
named neither; the error now says to give classes= (or sample_weight=)."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.linear_model import SGDClassifier  # noqa: E402

from chainrule.sklearn import BackpropClassifier  # noqa: E402

X = np.random.RandomState(0).normal(size=(40, 3))
y = (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("more", [([0, 1],), ([0, 1], np.ones(40))])
def test_partial_fit_with_classes_given_by_position_says_to_give_them_by_keyword(more):
    SGDClassifier().partial_fit(X, y, *more)                # scikit-learn's other partial_fit takes them so
    est = BackpropClassifier(random_state=0)
    words = (r"BackpropClassifier\.partial_fit takes classes and sample_weight by keyword \(SGDClassifier's third "
             r"argument is classes, MLPClassifier's sample_weight\): partial_fit\(X, y, classes=\.\.\.\); "
             rf"got {len(more)} more positional argument.*: \[0, 1\]")
    with pytest.raises(TypeError, match=words):
        est.partial_fit(X, y, *more)
    assert not hasattr(est, "classes_")                     # left unfitted
    est.partial_fit(X, y, classes=more[0], sample_weight=more[1] if len(more) > 1 else None)
    assert est.classes_.tolist() == [0, 1] and est.n_iter_ == 1
