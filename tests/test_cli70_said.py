"""The command line's words read back: the class-weights line, info's fill values, a learning rate float64 reads as 0,
a list option given with spaces, true/false labels; and the one sum of the weights the engine and the options check."""
import csv
import math
import re

import numpy as np
import pandas as pd
import pytest
from conftest import cmd

import chainrule as cr
from chainrule.errors import ValidationError


def _table(path, labels, n=90, seed=0):
    """Two numeric columns and a target `labels[i % len(labels)]`, written by the csv module (quotes as needed)."""
    rng = np.random.default_rng(seed)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "y"])
        for i in range(n):
            a, b = rng.normal(size=2).tolist()
            w.writerow([repr(a), repr(b), labels[i % len(labels)]])


def test_the_weights_sum_is_the_engines_one_and_each_refusal_keeps_its_words():
    """The engine's `summed` is the float64 sum (math.fsum's, to rounding), inf past float64's range without a
    warning; sample_weight and --class-weight refuse that inf each in its own words."""
    from chainrule.cli.weights import summable
    from chainrule.nn.sample_weight import BLOCK, check, summed
    w = np.random.default_rng(0).uniform(0, 3, BLOCK + 5)        # over a block's edge
    assert summed(w) == pytest.approx(math.fsum(w.tolist()), rel=1e-12)
    with np.errstate(over="raise"):
        assert summed(np.array([1e308, 1e308])) == math.inf
    with pytest.raises(ValidationError, match=r"^sample_weight: the weights sum past float64's largest number "
                                              r"\(1\.8e\+308\), largest weight 1e\+308; divide them all by one"):
        check(np.array([1e308, 1e308]), 2)
    with pytest.raises(ValidationError, match=r"^--class-weight: the training rows' weights sum past the largest "
                                              r"number \(1\.8e\+308\), largest weight 1e\+308; only their ratios"):
        summable(np.array([1e308, 1e308]), "--class-weight", "training")
    summable(np.array([1e307, 1e307]), "--class-weight", "training")     # a finite sum passes


def test_a_grid_learning_rate_that_float64_reads_as_0_is_named_as_typed(tmp_path):
    """sweep --grid lr=1e-400 said "got 0.0", a value never typed; now the text, and why it is 0, as train --lr."""
    _table(tmp_path / "t.csv", ["p", "q"])
    result = cmd("sweep", tmp_path / "t.csv", "--target", "y", "--grid", "lr=1e-3,1e-400", "--out-dir", tmp_path)
    assert result.returncode == 2
    assert "--grid: lr=1e-400: expected a learning rate > 0, e.g. 0.001; got '1e-400', which float64 reads as 0 " \
           "(its smallest is 5e-324)" in result.stderr
    assert "got 0.0" not in result.stderr
    train = cmd("train", tmp_path / "t.csv", "--target", "y", "--lr", "1e-400", "--out", tmp_path / "m.npz")
    assert "got '1e-400', which float64 reads as 0 (its smallest is 5e-324)" in train.stderr


#: the items of train's class weights line: LABEL=W, a label in double quotes where it needs them (a CSV cell)
ITEM = r'(?:"(?:[^"]|"")*"|[^,"\n]+)=[^,\s]+'


def test_the_class_weights_line_given_back_trains_the_same_network(tmp_path):
    """The line cut labels past 200 characters ('xxx...') and rounded the weights to 4 digits: given back as
    --class-weight it named no class, or trained another network. A label holding a line break stays quoted."""
    long, broken = "x" * 250, "two\nlines"
    _table(tmp_path / "t.csv", [long, broken, "plain", "plain"])
    common = ["--target", "y", "--epochs", "2", "--hidden", "4", "--seed", "3"]
    first = cmd("train", tmp_path / "t.csv", *common, "--class-weight", "balanced", "--out", tmp_path / "a.npz")
    assert first.returncode == 0, first.stderr
    line = re.search(rf"class weights \('balanced', from the training rows\): ({ITEM}(?:, {ITEM})*)", first.stderr)
    assert line and long in line.group(1) and '"two\nlines"=' in line.group(1)
    again = cmd("train", tmp_path / "t.csv", *common, "--class-weight", line.group(1), "--out", tmp_path / "b.npz")
    assert again.returncode == 0, again.stderr
    a, b = cr.load(tmp_path / "a.npz"), cr.load(tmp_path / "b.npz")
    for p, q in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(p, q)


def test_info_says_fill_values_exactly(tmp_path):
    """info rounded a fill value to 4 digits (0.1729): retyped into the empty cells it is not the model's value."""
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(2, 60)).tolist()
    with open(tmp_path / "g.csv", "w") as f:
        f.write("a,b,y\n" + "".join(f"{'' if i % 7 == 0 else repr(x)},{z!r},{int(z > 0)}\n"
                                    for i, (x, z) in enumerate(zip(a, b))))
    trained = cmd("train", tmp_path / "g.csv", "--target", "y", "--impute", "mean", "--val-split", "0", "--epochs", "1",
                  "--out", tmp_path / "g.npz")
    assert trained.returncode == 0, trained.stderr
    result = cmd("info", tmp_path / "g.npz")
    said = re.search(r"missing values filled \(mean\): 'a': (\S+),", result.stdout)
    assert said, result.stdout
    assert float(said.group(1)) == pd.read_csv(tmp_path / "g.csv")["a"].mean()


@pytest.mark.parametrize("words, hint", [(["--features", "a", "b"], "--features a,b"),
                                         (["--drop=a", "b", "c"], "--drop a,b,c")])
def test_a_list_option_given_with_spaces_says_to_join_with_commas(tmp_path, words, hint):
    """`--features a b` said only 'unrecognized arguments: b'."""
    _table(tmp_path / "t.csv", ["p", "q"])
    result = cmd("train", tmp_path / "t.csv", "--target", "y", *words, "--out", tmp_path / "m.npz")
    assert result.returncode == 2
    assert f"separated by commas, not spaces: {hint}" in result.stderr


@pytest.mark.parametrize("true, false", [("true", "false"), ("True", "False"), ("TRUE", "FALSE")])
def test_true_false_labels_train_two_classes_and_come_back_as_written(tmp_path, true, false):
    """pandas read a target of true/false words as booleans: predict wrote True and False for 'true' and 'TRUE',
    and --class-weight true=2 was 'not a class'."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(100, 2))
    labels = np.where(X[:, 0] > 0, true, false)
    with open(tmp_path / "t.csv", "w") as f:
        f.write("a,b,t\n" + "".join(f"{float(x)!r},{float(z)!r},{c}\n" for (x, z), c in zip(X, labels)))
    trained = cmd("train", tmp_path / "t.csv", "--target", "t", "--epochs", "30", "--class-weight", f"{true}=2",
                  "--out", tmp_path / "m.npz")
    assert trained.returncode == 0, trained.stderr
    predicted = cmd("predict", tmp_path / "m.npz", tmp_path / "t.csv", "--out", tmp_path / "p.csv")
    assert predicted.returncode == 0, predicted.stderr
    written = pd.read_csv(tmp_path / "p.csv", dtype=str)["prediction"]
    assert set(written) <= {true, false}
    assert (written == labels).mean() > 0.8              # the labels learnt, each as written
