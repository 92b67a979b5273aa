"""The estimators beside scikit-learn 1.9's conventions: class_weight='balanced' counted with sample_weight."""
import re

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.utils.class_weight import compute_class_weight  # noqa: E402
from sklearn.utils.estimator_checks import check_sample_weight_equivalence_on_dense_data  # noqa: E402

from chainrule.sklearn import BackpropClassifier  # noqa: E402


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_balanced_class_weight_counts_sample_weight_as_scikit_learn():
    """'balanced' with sample_weight: each class's weight from the sums of its rows' weights, as scikit-learn's
    compute_class_weight (and so LogisticRegression's); fit then trains as with those weights given row by row."""
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    sw = np.where(y == 0, 5.0, 1.0) * np.random.default_rng(0).uniform(0.5, 1.5, len(y))
    table = compute_class_weight("balanced", classes=np.unique(names), y=names, sample_weight=sw)
    kw = dict(hidden_layer_sizes=(5,), epochs=3, random_state=0)
    ours = BackpropClassifier(class_weight="balanced", **kw).fit(X, names, sample_weight=sw)
    truth = BackpropClassifier(**kw).fit(X, names, sample_weight=sw * table[y])
    np.testing.assert_allclose(ours.coefs_[0], truth.coefs_[0], rtol=1e-12)
    np.testing.assert_allclose(ours.loss_curve_, truth.loss_curve_, rtol=1e-12)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_balanced_class_weight_passes_scikit_learns_sample_weight_equivalence():
    """An integer sample_weight fits as the rows repeated, with class_weight='balanced' too (scikit-learn's check)."""
    est = BackpropClassifier(epochs=60, random_state=0, class_weight="balanced")
    check_sample_weight_equivalence_on_dense_data("BackpropClassifier", est)


def test_network_fits_balanced_class_weight_counted_with_sample_weight():
    """The engine's fit(class_weight='balanced', sample_weight=w), which the command line's train uses: the same
    counts as the estimator's, compute_class_weight's with sample_weight."""
    import chainrule as cr
    X, y = load_iris(return_X_y=True)
    w = np.where(y == 2, 4.0, 1.0)
    table = compute_class_weight("balanced", classes=np.arange(3), y=y, sample_weight=w)

    def fit(**weights):
        net = cr.Network([cr.Dense(4, 5, "tanh"), cr.Dense(5, 3, "softmax")], loss="categorical_crossentropy", seed=0)
        net.fit(X, y, epochs=2, batch_size=32, shuffle=False, verbose=0, **weights)
        return net.params
    np.testing.assert_allclose(fit(class_weight="balanced", sample_weight=w), fit(sample_weight=w * table[y]),
                               rtol=1e-12)


def test_train_says_balanced_weights_counted_with_the_weight_column(tmp_path, capsys):
    """chainrule train --class-weight balanced --weight COL: the class weights it prints (the engine's, which its fit
    trains with: the test above) are compute_class_weight's with that column as sample_weight (it counted the rows)."""
    from chainrule.cli import main
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 2))
    y = np.where(X[:, 0] > 0.7, "rare", "common")
    w = np.where(y == "rare", 3.0, 1.0) * rng.uniform(0.5, 1.5, 90)
    with open(tmp_path / "t.csv", "w") as f:
        rows = zip(X.tolist(), y, w.tolist())
        f.write("x1,x2,label,w\n" + "".join(f"{a!r},{b!r},{c},{d!r}\n" for (a, b), c, d in rows))
    table = compute_class_weight("balanced", classes=np.array(["common", "rare"]), y=y, sample_weight=w)
    assert main(["train", str(tmp_path / "t.csv"), "--target", "label", "--weight", "w", "--class-weight", "balanced",
                 "--val-split", "0", "--epochs", "1", "--hidden", "3", "--out", str(tmp_path / "m")]) == 0
    said = dict(re.findall(r"(common|rare)=([0-9.e+-]+)", capsys.readouterr().err.split("class weights")[1]))
    assert [float(said["common"]), float(said["rare"])] == pytest.approx(table.tolist(), rel=1e-15, abs=0)



@pytest.mark.parametrize("class_weight", [{0: 0.0}, {0: 2.0}, "balanced"])
def test_a_negative_sample_weight_is_refused_as_given_whatever_its_class_weight(class_weight):
    """sample_weight < 0 is refused naming the user's weight, before class_weight multiplies it: a class weighing 0
    hid it (0 * -1 passed), 'balanced' counted it, and the error named the product (-2, -1.02778), not -1."""
    from chainrule.errors import ValidationError
    X, y = load_iris(return_X_y=True)
    sw = np.ones(len(y))
    sw[3] = -1.0                                    # a row of class 0 (setosa)
    assert y[3] == 0
    with pytest.raises(ValidationError, match=r"sample_weight must be >= 0; weight 3 is -1 \(1 of 150"):
        BackpropClassifier(epochs=2, random_state=0, class_weight=class_weight).fit(X, y, sample_weight=sw)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_nan_or_infinity_in_x_is_named_by_its_row_and_column():
    """scikit-learn's "Input X contains NaN." names no cell; the estimators name the first one it means, as the engine
    names cells, in fit and predict, for arrays, DataFrames (their labels) and sparse matrices; the rest of its words
    as they are (check_estimator's check asks for a ValueError saying NaN or inf)."""
    import pandas as pd
    import scipy.sparse as sp

    from chainrule.sklearn import BackpropRegressor
    X, y = load_iris(return_X_y=True)
    bad = X.copy()
    bad[7, 2], bad[9, 0], bad[3, 1] = np.nan, np.nan, np.inf      # scikit-learn names the NaN: the first is (7, 2)
    said = r"^Input X contains NaN \(first at row 7, column 2\)\.\n[A-Za-z]+ does not accept missing values"
    for est in (BackpropClassifier(epochs=1, random_state=0), BackpropRegressor(epochs=1, random_state=0)):
        with pytest.raises(ValueError, match=said):
            est.fit(bad, y)
        est.fit(X, y)
        with pytest.raises(ValueError, match=said):
            est.predict(bad)
    frame = pd.DataFrame(X, columns=list("abcd"), index=[f"r{i}" for i in range(150)])
    frame.iloc[4, 1] = -np.inf
    with pytest.raises(ValueError, match=r"^Input X contains infinity \(first at row 'r4', column 'b'\)"):
        BackpropClassifier(epochs=1).fit(frame, y)
    sparse = sp.csr_matrix(X)
    sparse.data[sparse.indptr[5] + 3] = np.inf
    with pytest.raises(ValueError, match=r"^Input X contains infinity \(first at row 5, column 3\)"):
        BackpropClassifier(epochs=1).fit(sparse, y)


def test_train_says_a_class_whose_rows_all_weigh_0_has_no_balanced_weight(tmp_path, capsys):
    """--class-weight balanced --weight COL where a class's rows all weigh 0: scikit-learn's compute_class_weight gives
    it inf (no count); the line said 1, as if its rows counted once. It says so; the others are scikit-learn's."""
    from chainrule.cli import main
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    w = np.where(y == 0, 0.0, np.where(y == 2, 3.0, 1.0))
    with open(tmp_path / "t.csv", "w") as f:
        f.write("a,b,c,d,label,w\n" + "".join(f"{','.join(map(repr, x))},{c},{v!r}\n"
                                                for x, c, v in zip(X.tolist(), names, w.tolist())))
    with np.errstate(divide="ignore"):
        table = compute_class_weight("balanced", classes=np.unique(names), y=names, sample_weight=w)
    assert np.isinf(table[0])
    assert main(["train", str(tmp_path / "t.csv"), "--target", "label", "--weight", "w", "--class-weight", "balanced",
                 "--val-split", "0", "--epochs", "1", "--hidden", "3", "--out", str(tmp_path / "m")]) == 0
    line = capsys.readouterr().err.split("class weights")[1].splitlines()[0]
    assert "setosa (its rows weigh 0), versicolor=" in line
    said = dict(re.findall(r"(versicolor|virginica)=([0-9.e+-]+)", line))
    assert [float(said["versicolor"]), float(said["virginica"])] == pytest.approx(table[1:].tolist(), rel=1e-15, abs=0)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
@pytest.mark.parametrize("class_weight", [None, "balanced"])
def test_nan_or_infinity_in_sample_weight_is_named_by_its_index(class_weight):
    """scikit-learn's "Input sample_weight contains NaN." names no weight; the estimators name the first, as the
    engine's "weight 3 is nan" does, with class_weight or without, the rest of scikit-learn's words as they are."""
    from chainrule.sklearn import BackpropRegressor
    X, y = load_iris(return_X_y=True)
    w = np.ones(len(y))
    w[[12, 40]] = np.nan, np.inf
    with pytest.raises(ValueError, match=r"^Input sample_weight contains NaN \(first at sample 12\)\.$"):
        BackpropClassifier(epochs=1, class_weight=class_weight).fit(X, y, sample_weight=w)
    w[12] = 1.0
    with pytest.raises(ValueError, match=r"^Input sample_weight contains infinity \(first at sample 40\) or a value"):
        BackpropRegressor(epochs=1).fit(X, y, sample_weight=w)
