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


@pytest.mark.parametrize("word", ["nan", "NA"])
def test_predict_reads_a_csv_cell_as_the_category_a_frame_trained_model_learnt(tmp_path, word):
    """A model fit on a DataFrame whose categorical holds the text 'nan' (or 'NA') learnt it as a category;
    `chainrule predict` read that cell of a CSV file as missing (and refused it). Read as the model learnt it:
    the probabilities of the network on StandardScaler's x and OneHotEncoder's columns of the same rows."""
    import subprocess
    import sys

    from sklearn.preprocessing import StandardScaler

    import chainrule as cr
    from chainrule.saving.npz import save
    c = pd.Series(pd.Categorical(["a", word, "b"] * 4))
    train = pd.DataFrame({"x": X, "c": c, "y": [0, 1] * 6})
    pre = Preprocessing.fit(train, "y")
    net = cr.Network([cr.Dense(4, 3, "tanh"), cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=2)
    save(net, str(tmp_path / "m.npz"), extra={"tabular": pre.to_json()})
    test = pd.DataFrame({"x": [0.5, -0.25, 0.75], "c": [word, "a", "b"]})
    test.to_csv(tmp_path / "t.csv", index=False)
    r = subprocess.run([sys.executable, "-m", "chainrule.cli", "predict", str(tmp_path / "m.npz"),
                        str(tmp_path / "t.csv"), "--proba"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    got = pd.read_csv(__import__("io").StringIO(r.stdout))[["proba_0", "proba_1"]].to_numpy()
    x = StandardScaler().fit(train[["x"]]).transform(test[["x"]])
    truth = net.predict(np.column_stack([x, onehot(c, pd.Series(pd.Categorical(test["c"])))]))
    np.testing.assert_allclose(got, truth, rtol=1e-6)


def test_explain_data_reads_the_category_nan_as_predict_does(tmp_path):
    """`explain --model --data` read the cell 'nan' of a frame-trained model's category as missing, and
    refused the row; it reads it as that category, as predict: its one-hot line is OneHotEncoder's."""
    from conftest import cli

    import chainrule as cr
    from chainrule.saving.npz import save
    c = pd.Series(pd.Categorical(["a", "nan", "b"] * 4))
    pre = Preprocessing.fit(pd.DataFrame({"x": X, "c": c, "y": [0, 1] * 6}), "y")
    net = cr.Network([cr.Dense(4, 3, "tanh"), cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=2)
    save(net, str(tmp_path / "m.npz"), extra={"tabular": pre.to_json()})
    pd.DataFrame({"x": [0.5], "c": ["nan"], "y": [1]}).to_csv(tmp_path / "t.csv", index=False)
    r = cli("explain", "--model", tmp_path / "m.npz", "--data", tmp_path / "t.csv", "--row", "1")
    assert r.returncode == 0, r.stderr
    truth = onehot(c, pd.Series(pd.Categorical(["nan"])))[0].astype(int).tolist()
    assert f"'nan' -> {truth}" in r.stdout, r.stdout
