"""pandas categorical columns in a table (`Preprocessing`) are categories as the table declares them,
one-hot encoded as scikit-learn's OneHotEncoder(handle_unknown='ignore') encodes them: the text 'nan' is a
category (it was taken for a placeholder among numbers, with --na-values as the advice), a categorical
of numbers is categories (it was refused as "numbers stored as text"), and a category unseen in training
is all zeros, said."""
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from chainrule.data.tabular import Preprocessing, UnseenCategoryWarning
from chainrule.sklearn import BackpropClassifier

X = np.linspace(-1, 1, 12)


def onehot(train, test):
    return OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(train.to_frame()).transform(test.to_frame())


def encoded(pre, table):
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        out = pre.transform(table, sparse=False)[:, 1:]
    return out, [str(w.message) for w in said if issubclass(w.category, UnseenCategoryWarning)]


@pytest.mark.parametrize("cells", [["1", "2", "nan", "3"], ["a", "nan", "b", "c"]])
def test_the_text_nan_in_a_categorical_is_a_category(cells):
    c = pd.Series(pd.Categorical(cells * 3))
    pre = Preprocessing.fit(pd.DataFrame({"x": X, "c": c, "y": [0, 1] * 6}), "y")
    assert "nan" in pre.categories["c"]
    test = pd.Series(pd.Categorical(["nan", cells[0], "zz"]))
    out, said = encoded(pre, pd.DataFrame({"x": X[:3], "c": test}))
    np.testing.assert_array_equal(out, onehot(c, test))
    assert said == ["column 'c' has 1 value unseen in training, encoded as all zeros: ['zz']"]


def test_a_categorical_of_numbers_is_categories_matched_by_value():
    c = pd.Series(pd.Categorical([1.0, 2.0, 3.5] * 4))
    pre = Preprocessing.fit(pd.DataFrame({"x": X, "c": c, "y": [0, 1] * 6}), "y")
    assert pre.text == ["c"] and len(pre.categories["c"]) == 3
    test = pd.Series(pd.Categorical([1, 2, 7, 1]))                  # integers now: 1 is the category 1.0
    out, said = encoded(pre, pd.DataFrame({"x": X[:4], "c": test}))
    np.testing.assert_array_equal(out, onehot(c, test))
    assert said == ["column 'c' has 1 value unseen in training, encoded as all zeros: ['7']"]


def test_unseen_and_unused_categories_encode_as_one_hot_encoder_ignores_them():
    c = pd.Series(pd.Categorical(list("abcabcabcabc"), categories=list("abcd")))   # 'd' declared, never seen
    pre = Preprocessing.fit(pd.DataFrame({"x": X, "c": c, "y": [0, 1] * 6}), "y")
    assert pre.categories["c"] == ["a", "b", "c"]                   # OneHotEncoder's: the values seen
    test = pd.Series(pd.Categorical(list("adec")))
    out, said = encoded(pre, pd.DataFrame({"x": X[:4], "c": test}))
    np.testing.assert_array_equal(out, onehot(c, test))
    assert said == ["column 'c' has 2 values unseen in training, encoded as all zeros: ['d', 'e']"]


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_estimators_take_categoricals_through_one_hot_encoder_as_documented():
    train = pd.DataFrame({"x": X, "c": pd.Categorical(list("abcabcabcabc"))})
    y = np.array(["p", "q"] * 6)
    test = pd.DataFrame({"x": X[:4], "c": pd.Categorical(list("azcb"))})
    pipe = make_pipeline(make_column_transformer((OneHotEncoder(handle_unknown="ignore"), ["c"]),
                                                 remainder="passthrough"),
                         BackpropClassifier(epochs=3, random_state=0)).fit(train, y)
    by_hand = BackpropClassifier(epochs=3, random_state=0).fit(
        np.column_stack([onehot(train["c"], train["c"]), X]), y)
    np.testing.assert_array_equal(pipe.predict_proba(test),
                                  by_hand.predict_proba(np.column_stack([onehot(train["c"], test["c"]), X[:4]])))
    strict = make_pipeline(make_column_transformer((OneHotEncoder(handle_unknown="error"), ["c"]),
                                                   remainder="passthrough"),
                           BackpropClassifier(epochs=1, random_state=0)).fit(train, y)
    with pytest.raises(ValueError, match="unknown categor"):
        strict.predict(test)
    with pytest.raises(ValueError, match="X column 'c' must be numeric.*OneHotEncoder"):   # not read as codes
        BackpropClassifier(epochs=1).fit(train, y)


def test_an_estimator_names_the_column_whose_category_nan_scikit_learn_reads_as_missing():
    from sklearn.utils import check_array
    table = pd.DataFrame({"x": X, "c": pd.Categorical(["1", "nan", "2"] * 4)})
    assert np.isnan(check_array(table, dtype=np.float64, ensure_all_finite=False)[1, 1])    # as scikit-learn reads it
    with pytest.raises(ValueError, match=r"^X column 'c' has 4 missing values \(NaN or NA; first in row 1\)"):
        BackpropClassifier(epochs=1).fit(table, [0, 1] * 6)
