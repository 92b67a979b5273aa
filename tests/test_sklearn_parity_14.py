"""BackpropClassifier against MLPClassifier (scikit-learn 1.9): labels at the edges of their dtypes."""
import warnings

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier

from chainrule.errors import ValidationError
from chainrule.sklearn import BackpropClassifier

X = np.random.default_rng(0).normal(size=(30, 3))


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
@pytest.mark.parametrize("labels", [np.uint64([2**63 + 1, 0, 2**64 - 1]), np.int64([2**62 + 1, 3, -(2**62) - 3]),
                                    [1, 2.0, 3], np.float32([0, 1, 2])])
def test_partial_fit_predicts_the_classes_exactly_with_mlps_dtype(labels):
    """Big integers and mixed int/float labels come back from predict as given, in MLPClassifier's dtype."""
    y = np.asarray(labels)[np.arange(30) % 3]
    ours = BackpropClassifier(epochs=2, random_state=0).partial_fit(X, y, classes=labels)
    mlp = MLPClassifier(random_state=0).partial_fit(X, y, classes=labels)
    assert ours.classes_.dtype == mlp.classes_.dtype and ours.predict(X).dtype == mlp.predict(X).dtype
    assert ours.classes_.tolist() == mlp.classes_.tolist() == sorted(np.asarray(labels).tolist())
    assert set(ours.predict(X).tolist()) <= set(np.asarray(labels).tolist())


def test_partial_fit_refuses_int_classes_numpy_reads_as_inexact_floats():
    """[2**63 + 1, 0] is NumPy's float64 [9.223372036854776e18, 0.0]: predict gave 2**63, not the label given
    (MLPClassifier refuses such a list: "Unknown label type"). The error names the value and the fix, which works."""
    y = np.uint64([2**63 + 1, 0])[np.arange(30) % 2]
    with pytest.raises(ValidationError, match=r"classes holds 9223372036854775809, which NumPy reads as float64, not "
                                              r"exactly: predict would give 9\.223372036854776e\+18; .*np\.uint64"):
        BackpropClassifier(epochs=2).partial_fit(X, y, classes=[2**63 + 1, 0])
    fixed = BackpropClassifier(epochs=2).partial_fit(X, y, classes=np.array([2**63 + 1, 0], dtype=np.uint64))
    assert fixed.predict(X).dtype == np.uint64 and set(fixed.predict(X).tolist()) <= {2**63 + 1, 0}


@pytest.mark.parametrize("call", ["fit", "partial_fit y", "partial_fit classes"])
def test_labels_past_int64_are_named_not_called_continuous(call):
    """1e300 is a whole number, which scikit-learn (MLPClassifier too) refuses as "continuous", after NumPy's
    RuntimeWarning "invalid value encountered in cast": the error names the value and why, without that warning."""
    y = np.array([1e300, -1e300, 5e299])[np.arange(30) % 3]
    with pytest.raises(ValueError, match="Unknown label type"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)         # NumPy's cast, in scikit-learn's type_of_target
        MLPClassifier().fit(X, y)
    calls = {"fit": lambda: BackpropClassifier(epochs=2).fit(X, y),
             "partial_fit y": lambda: BackpropClassifier().partial_fit(X, y, classes=np.unique(y)),
             "partial_fit classes": lambda: BackpropClassifier().partial_fit(X, np.zeros(30), classes=[0.0, 1e300])}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValidationError, match=r"Unknown label type of (y|classes): -?[15]e\+(300|299) is past the "
                                                  r"range of int64, .*np\.unique\((y|classes), return_inverse=True\)"):
            calls[call]()


@pytest.mark.parametrize("classes", [[], np.array([], dtype=np.int64), ()])
def test_partial_fit_with_no_classes_is_named(classes):
    """classes=[] failed in NumPy's indexing ("index -1 is out of bounds"); MLPClassifier refuses it too ("y has 0
    samples"; an empty tuple: a TypeError of its own formatting)."""
    y = np.arange(30) % 2
    with pytest.raises((ValueError, TypeError)):
        MLPClassifier().partial_fit(X, y, classes=classes)
    with pytest.raises(ValidationError, match=r"classes must list all the labels \(e\.g\. classes=np\.unique\(y_all\)"
                                              r"\); got none"):
        BackpropClassifier().partial_fit(X, y, classes=classes)
    assert BackpropClassifier(epochs=2).partial_fit(X, y, classes=[0, 1]).classes_.tolist() == [0, 1]


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # 2 epochs: that warning is not the point
@pytest.mark.parametrize("fraction, advice, works", [(0.1, r"validation_fraction >= 0\.34 of 6 rows: raise it", 0.34),
                                                     (0.9, r"validation_fraction <= 0\.66 of 6 rows: lower it", 0.66)])
def test_early_stopping_of_two_classes_says_the_validation_fraction_that_stratifies(fraction, advice, works):
    """Two classes are held out in proportion, as MLPClassifier's (refused where a part cannot hold both): the error
    says which validation_fraction can, and that fraction works for both."""
    y = np.arange(6) % 2
    with pytest.raises(ValueError):
        MLPClassifier(early_stopping=True, validation_fraction=fraction).fit(X[:6], y)
    with pytest.raises(ValidationError, match=r"holds out a stratified validation_fraction=0\.\d of the 6 rows: .*; "
                                              r"2 classes need (2 rows left to train on, )?" + advice
                                              + ", give more rows or set early_stopping=False"):
        BackpropClassifier(epochs=2, early_stopping=True, validation_fraction=fraction).fit(X[:6], y)
    MLPClassifier(max_iter=2, early_stopping=True, validation_fraction=works).fit(X[:6], y)
    BackpropClassifier(epochs=2, early_stopping=True, validation_fraction=works).fit(X[:6], y)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # 2 epochs: that warning is not the point
def test_the_least_int64_as_a_float_label_is_taken_as_mlp_takes_it():
    """-2.0**63 is int64's own least value: scikit-learn reads it as a class, so the range check lets it through."""
    y = np.array([-2.0**63, 0.0])[np.arange(30) % 2]
    mlp = MLPClassifier(max_iter=2, random_state=0).fit(X, y)
    ours = BackpropClassifier(epochs=2, random_state=0).fit(X, y)
    assert ours.classes_.tolist() == mlp.classes_.tolist() == [-2.0**63, 0.0]
    assert ours.predict(X).dtype == mlp.predict(X).dtype == np.float64


@pytest.mark.parametrize("classes, fix", [([-(2**53) - 1, 2.0], "np.int64"), ([2**53 + 1, 2.0], "np.int64"),
                                          ([2**63 + 1, 0], "np.uint64"), ([2**63 + 1, -1], None)])
def test_inexact_int_classes_are_told_a_dtype_that_holds_them(classes, fix):
    """The fix the error gives works: the integer dtype it names holds every label given exactly (uint64 could
    not hold -1, nor int64 2**63 + 1); where none does, the labels are given as text or codes."""
    with pytest.raises(ValidationError, match="not exactly") as err:
        BackpropClassifier(epochs=2).partial_fit(X, np.zeros(30), classes=classes)
    message = str(err.value)
    if fix is None:
        assert "np.uint64" not in message and "np.int64" not in message
        assert "np.unique(classes, return_inverse=True)[1]" in message
        for dtype in (np.int64, np.uint64):
            with pytest.raises(OverflowError):
                np.array(classes, dtype=dtype)
        return
    assert f"np.array(classes, dtype={fix})" in message
    given = np.array(classes, dtype=getattr(np, fix[3:]))
    assert given.tolist() == classes
    y = given[np.arange(30) % 2]
    est = BackpropClassifier(epochs=2).partial_fit(X, y, classes=given)
    assert set(est.predict(X).tolist()) <= set(classes)
