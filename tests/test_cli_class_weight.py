"""`chainrule train --class-weight`: fit's class_weight with the target's labels as the file writes
them, equal to the --weight column of the same weights; its errors name the option."""
import re

import numpy as np
import pytest

import chainrule as cr
from chainrule.cli import main


def _csv(path, weights=None, labels=("common", "rare")):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    y = np.where(X[:, 0] + 0.5 * X[:, 1] > 1.2, labels[1], labels[0])
    with open(path, "w") as f:
        f.write("x1,x2,label" + (",w" if weights is not None else "") + "\n")
        for i, (row, label) in enumerate(zip(X, y)):
            weight = f",{float(weights[i])!r}" if weights is not None else ""
            f.write(f"{float(row[0])!r},{float(row[1])!r},{label}{weight}\n")
    return y


def _train(tmp_path, csv, out, *options):
    code = main(["train", str(csv), "--target", "label", "--out", str(tmp_path / out), "--epochs", "3",
                 "--hidden", "4", *options])
    assert code == 0
    return cr.load(tmp_path / out)


def _by_column(tmp_path, csv, out, *options):
    """`_train` with --weight w, its statistics (means, scales) learnt unweighted, as --class-weight learns
    them (class weights weigh the loss alone, as Keras' and scikit-learn's class_weight; a weight column
    also weighs the statistics, as StandardScaler's sample_weight): the loss's weights compared alone."""
    from chainrule.data.tabular import Preprocessing
    fit = Preprocessing.fit.__func__
    with pytest.MonkeyPatch.context() as m:
        m.setattr(Preprocessing, "fit", classmethod(lambda cls, *a, sample_weight=None, **k: fit(cls, *a, **k)))
        return _train(tmp_path, csv, out, "--weight", "w", *options)


def test_weights_by_label_are_the_weight_column_of_those_weights(tmp_path, capsys):
    y = _csv(tmp_path / "plain.csv")
    _csv(tmp_path / "weighted.csv", weights=np.where(y == "rare", 5.0, 1.0))
    by_class = _train(tmp_path, tmp_path / "plain.csv", "a.npz", "--class-weight", "rare=5")
    assert "class weights: common=1, rare=5" in capsys.readouterr().err
    by_column = _by_column(tmp_path, tmp_path / "weighted.csv", "b.npz")
    np.testing.assert_array_equal(by_class.params, by_column.params)
    plain = _train(tmp_path, tmp_path / "plain.csv", "c.npz")
    assert not np.array_equal(plain.params, by_class.params)


@pytest.mark.parametrize("stream", [False, True])
def test_balanced_is_scikit_learns_weights_of_the_training_rows(tmp_path, capsys, stream):
    from sklearn.utils.class_weight import compute_class_weight
    y = _csv(tmp_path / "plain.csv")
    table = dict(zip(["common", "rare"], compute_class_weight("balanced", classes=np.array(["common", "rare"]), y=y)))
    _csv(tmp_path / "weighted.csv", weights=np.array([table[label] for label in y]))
    more = ["--stream"] if stream else []
    balanced = _train(tmp_path, tmp_path / "plain.csv", "a.npz", "--class-weight", "balanced", "--val-split", "0",
                      *more)
    err = capsys.readouterr().err
    said = re.search(r"class weights \('balanced', from the training rows\): common=(\S+), rare=(\S+)\n", err)
    assert said and [float(w) for w in said.groups()] == pytest.approx([table["common"], table["rare"]], rel=1e-15)
    by_column = _by_column(tmp_path, tmp_path / "weighted.csv", "b.npz", "--val-split", "0")
    np.testing.assert_array_equal(balanced.params, by_column.params)


def test_numeric_labels_are_written_as_the_file_writes_them(tmp_path):
    y = _csv(tmp_path / "plain.csv", labels=("0", "1"))
    _csv(tmp_path / "weighted.csv", weights=np.where(y == "1", 2.5, 1.0), labels=("0", "1"))
    by_class = _train(tmp_path, tmp_path / "plain.csv", "a.npz", "--class-weight", "1=2.5")
    by_column = _by_column(tmp_path, tmp_path / "weighted.csv", "b.npz")
    np.testing.assert_array_equal(by_class.params, by_column.params)


@pytest.mark.parametrize("value, message", [
    ("nope=2", "chainrule: error: --class-weight: 'nope' is not a class of 'label'; its classes are "
               "['common', 'rare']"),
    ("rare=2,rare=3", "chainrule: error: --class-weight gives the class 'rare' twice"),
    ("rare", "argument --class-weight: expected 'balanced' or LABEL=WEIGHT pairs (weights >= 0) separated by commas, "
             "e.g. 'yes=3,no=1'; got 'rare'"),
    ("rare=-1", "got 'rare=-1'"),
    ("rare=nan", "got 'rare=nan'"),
    ("=2", "got '=2'"),
])
def test_bad_class_weights_are_named(tmp_path, capsys, value, message):
    _csv(tmp_path / "plain.csv")
    code = main(["train", str(tmp_path / "plain.csv"), "--target", "label", "--out", str(tmp_path / "m.npz"),
                 "--class-weight", value])
    assert code != 0
    assert message in capsys.readouterr().err
    assert not (tmp_path / "m.npz").exists()


def test_class_weight_of_a_regression_or_under_mpi_is_refused(tmp_path, capsys):
    with open(tmp_path / "reg.csv", "w") as f:
        f.write("x,label\n" + "".join(f"{i / 7:.3f},{i * 1.37:.3f}\n" for i in range(40)))
    assert main(["train", str(tmp_path / "reg.csv"), "--target", "label", "--out", str(tmp_path / "m.npz"),
                 "--class-weight", "balanced"]) != 0
    assert "--class-weight is for classification; 'label' is a regression target" in capsys.readouterr().err
    _csv(tmp_path / "plain.csv")
    assert main(["train", str(tmp_path / "plain.csv"), "--target", "label", "--out", str(tmp_path / "m.npz"),
                 "--class-weight", "balanced", "--mpi"]) != 0
    assert "--class-weight and --mpi cannot be combined" in capsys.readouterr().err


def test_the_balanced_line_counts_the_training_rows_with_stream_too(tmp_path, capsys):
    """With --stream the line counted the file's first rows (not yet in the training order): a sorted
    file showed 'b' 8 where the weights trained were 'b' 2.162."""
    with open(tmp_path / "sorted.csv", "w") as f:
        f.write("x,label\n" + "".join(f"{i / 200!r},{'a' if i < 150 else 'b'}\n" for i in range(200)))
    lines = []
    for more in ([], ["--stream"]):
        _train(tmp_path, tmp_path / "sorted.csv", "m.npz", "--class-weight", "balanced", *more)
        lines.append([line for line in capsys.readouterr().err.splitlines() if line.startswith("class weights")])
    assert lines[0] == lines[1] and len(lines[0]) == 1


def test_labels_match_as_written_or_as_the_numbers_they_are(tmp_path):
    """' yes' (a label with a space) could not be named, nor the class 1 of a file that writes 01."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    cases = (([" yes", "no"], " yes=3", 0), (["00", "01"], "01=3", 1), (["1.0", "3.0"], "3.00=3", 1))
    for labels, given, index in cases:
        with open(tmp_path / "t.csv", "w") as f:
            f.write("x1,x2,label\n" + "".join(f"{float(a)!r},{float(b)!r},{labels[int(a > 0)]}\n" for a, b in X))
        net = _train(tmp_path, tmp_path / "t.csv", "a.npz", "--class-weight", given)
        weight = np.where(X[:, 0] > 0, 3.0, 1.0) if index == 1 else np.where(X[:, 0] > 0, 1.0, 3.0)
        with open(tmp_path / "w.csv", "w") as f:
            f.write("x1,x2,label,w\n" + "".join(f"{float(a)!r},{float(b)!r},{labels[int(a > 0)]},{float(w)!r}\n"
                                                for (a, b), w in zip(X, weight)))
        np.testing.assert_array_equal(net.params, _by_column(tmp_path, tmp_path / "w.csv", "b.npz").params)


def test_weights_that_leave_no_training_row_are_named_in_the_options_words(tmp_path, capsys):
    _csv(tmp_path / "plain.csv")
    assert main(["train", str(tmp_path / "plain.csv"), "--target", "label", "--out", str(tmp_path / "m.npz"),
                 "--class-weight", "common=0,rare=0"]) != 0
    assert "--class-weight gives every training row the weight 0: at least one must weigh more than 0" \
        in capsys.readouterr().err


def test_a_label_holding_a_comma_is_named_in_double_quotes(tmp_path, capsys):
    y = _csv(tmp_path / "plain.csv", labels=("common", "rare, but real"))
    with open(tmp_path / "plain.csv") as f:              # the file quotes the label, as CSV writes it
        text = f.read().replace("rare, but real", '"rare, but real"')
    (tmp_path / "plain.csv").write_text(text)
    _csv(tmp_path / "weighted.csv", weights=np.where(y == "rare, but real", 5.0, 1.0), labels=("common", "rare"))
    by_class = _train(tmp_path, tmp_path / "plain.csv", "a.npz", "--class-weight", '"rare, but real"=5,common=1')
    assert 'class weights: common=1, "rare, but real"=5' in capsys.readouterr().err
    by_column = _by_column(tmp_path, tmp_path / "weighted.csv", "b.npz")
    np.testing.assert_array_equal(by_class.params, by_column.params)


@pytest.mark.parametrize("value, message", [
    ("rare, but real=5", "got 'rare'; a label holding a comma is written in double quotes: '\"a,b\"=3'"),
    ('"rare, but real=5', "--class-weight has a double quote that is not closed"),
])
def test_a_comma_label_written_without_quotes_is_explained(tmp_path, capsys, value, message):
    _csv(tmp_path / "plain.csv", labels=("common", "rare, but real"))
    code = main(["train", str(tmp_path / "plain.csv"), "--target", "label", "--out", str(tmp_path / "m.npz"),
                 "--class-weight", value])
    assert code != 0
    assert message in capsys.readouterr().err
