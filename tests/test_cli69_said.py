"""What `chainrule train`, `info` and `explain --weights` say, as a person reads it: class weights written as
--class-weight takes them, lists cut with a count of what is left, a JSON file of the wrong kind named as such."""
import json
import re

import numpy as np
import pytest
from conftest import cmd

import chainrule as cr


def _binary(path, labels=("0", "1")):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    y = np.where(X[:, 0] + X[:, 1] > 0.8, labels[1], labels[0])
    with open(path, "w") as f:
        f.write("x1,x2,label\n" + "".join(f"{float(a)!r},{float(b)!r},{c}\n" for (a, b), c in zip(X, y)))
    return y


def _class_line(result):
    assert result.returncode == 0, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("class weights")]


def test_class_weights_line_is_the_option_a_person_writes_and_gives_back_the_same_fit(tmp_path):
    """Integer classes were printed as strings' reprs ("'0' 1, '1' 3") beside info's [0, 1]: the line is now
    LABEL=W, and those very pairs given back as --class-weight train the same network."""
    _binary(tmp_path / "t.csv")
    common = ["--target", "label", "--epochs", "2", "--hidden", "3"]
    first = cmd("train", tmp_path / "t.csv", *common, "--out", tmp_path / "a.npz", "--class-weight", "1=3")
    assert _class_line(first) == ["class weights: 0=1, 1=3"]
    given = _class_line(first)[0].removeprefix("class weights: ").replace(", ", ",")
    again = cmd("train", tmp_path / "t.csv", *common, "--out", tmp_path / "b.npz", "--class-weight", given)
    assert _class_line(again) == _class_line(first)
    np.testing.assert_array_equal(cr.load(tmp_path / "a.npz").params, cr.load(tmp_path / "b.npz").params)


def test_balanced_line_is_scikit_learns_weights_as_label_equals_weight(tmp_path):
    from sklearn.utils.class_weight import compute_class_weight
    y = _binary(tmp_path / "t.csv", labels=(" no", "yes"))      # a label with a space: quoted, as a CSV cell
    result = cmd("train", tmp_path / "t.csv", "--target", "label", "--epochs", "1", "--hidden", "3", "--val-split",
                 "0", "--out", tmp_path / "m.npz", "--class-weight", "balanced")
    table = compute_class_weight("balanced", classes=np.array([" no", "yes"]), y=y)
    line = _class_line(result)
    said = re.fullmatch(r"class weights \('balanced', from the training rows\): \" no\"=(\S+), yes=(\S+)", line[0])
    assert len(line) == 1 and said, line
    assert [float(w) for w in said.groups()] == pytest.approx(table, rel=1e-15)       # each exactly, not to 4 digits


def test_info_says_how_many_filled_columns_and_onnx_inputs_are_left(tmp_path):
    """The fill line stopped at 20 columns without a word, each mean in 17 digits; an exported graph's inputs
    ended in '...'. Both now say 'and N more', the fills as the model holds them to 4 digits."""
    pytest.importorskip("onnx")
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 25))
    X[rng.random(X.shape) < 0.1] = np.nan
    with open(tmp_path / "wide.csv", "w") as f:
        f.write(",".join(f"c{i}" for i in range(25)) + ",y\n")
        for row in X:
            f.write(",".join("" if np.isnan(v) else repr(float(v)) for v in row) + f",{'ab'[int(row[1] > 0)]}\n")
    assert cmd("train", tmp_path / "wide.csv", "--target", "y", "--impute", "mean", "--epochs", "1", "--hidden", "3",
               "--out", tmp_path / "m.npz").returncode == 0
    fill = cr.load(tmp_path / "m.npz", with_extra=True)[1]["tabular"]["fill"]
    assert len(fill) == 25
    line = [s for s in cmd("info", tmp_path / "m.npz").stdout.splitlines() if s.startswith("missing values filled")]
    said = re.fullmatch(r"missing values filled \(mean\): (.*), and 5 more", line[0]) if len(line) == 1 else None
    assert said, line
    shown = [item.split(": ") for item in said.group(1).split(", ")]
    assert [(name, float(v)) for name, v in shown] == [(f"'c{i}'", fill[f"c{i}"]) for i in range(20)]   # exact
    assert cmd("export", tmp_path / "m.npz", "--out", tmp_path / "m.onnx").returncode == 0
    inputs = [s for s in cmd("info", tmp_path / "m.onnx").stdout.splitlines() if s.startswith("inputs, one per")]
    assert len(inputs) == 1 and inputs[0].endswith("'c19' (number), and 5 more")


@pytest.mark.parametrize("content, said", [
    ([1.0, 2.0, 3.0, 4.0], "got a list of 4 plain numbers, not of arrays"),
    ({"W1": [[1, 2], [3, 4]]}, "got a JSON object"),
    ([], "got an empty list"),
    (3, "got a plain number"),
])
def test_explain_weights_of_the_wrong_json_kind_are_named_as_what_they_are(tmp_path, content, said):
    """A JSON object was read as NumPy's "could not convert string to float: 'W1'"; a list of plain numbers as
    "weights[0] ... got shape ()"."""
    (tmp_path / "w.json").write_text(json.dumps(content))
    result = cmd("explain", "--layers", "2,2,1", "--weights", tmp_path / "w.json")
    assert result.returncode == 2
    assert f"--weights {str(tmp_path / 'w.json')!r}: {said} (expected a JSON list [W1, b1, W2, b2, ...] of the " \
           "--layers shapes [[2, 2], [2], [2, 1], [1]], or a .npz model)" in result.stderr


def test_weights_summing_past_float64_are_refused_in_the_options_words(tmp_path):
    """--class-weight 1=1e308 trained nothing and said 'accuracy nan, loss 0.0000', exit 0; a --weight column of
    1e308 blamed an input column ("column 'x1' has an infinite value") for the weighted mean's overflow."""
    y = _binary(tmp_path / "t.csv")
    common = ["--target", "label", "--epochs", "1", "--hidden", "3", "--out", tmp_path / "m.npz"]
    result = cmd("train", tmp_path / "t.csv", *common, "--class-weight", "1=1e308")
    assert result.returncode == 2 and "nan" not in result.stderr
    assert "error: --class-weight: the training rows' weights sum past the largest number (1.8e+308), largest " \
           "weight 1e+308; only their ratios count" in result.stderr
    with open(tmp_path / "w.csv", "w") as f:
        f.write("x1,x2,label,w\n" + "".join(f"{i / 80!r},{1 - i / 80!r},{c},1e308\n" for i, c in enumerate(y)))
    result = cmd("train", tmp_path / "w.csv", *common, "--weight", "w")
    assert result.returncode == 2 and "infinite" not in result.stderr
    assert "error: --weight column 'w': the training rows' weights sum past the largest number" in result.stderr


def test_only_the_class_weights_ratios_count_as_the_refusal_says(tmp_path):
    """The remedy the refusal gives (one common factor) trains the same network, to rounding."""
    _binary(tmp_path / "t.csv")
    nets = []
    for given in ("0=1,1=3", "0=1e300,1=3e300"):
        assert cmd("train", tmp_path / "t.csv", "--target", "label", "--epochs", "2", "--hidden", "3", "--out",
                   tmp_path / "m.npz", "--class-weight", given).returncode == 0
        nets.append(cr.load(tmp_path / "m.npz").params)
    np.testing.assert_allclose(nets[0], nets[1], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("command", [("train", "t.csv", "--target", "label", "--out", "m.npz"), ("explain",)])
def test_a_rate_that_float64_reads_as_0_is_refused_not_trained_with(tmp_path, command):
    """--lr 1e-400 was float('1e-400') == 0.0: train ran without a word at a rate of 0 (its weights never moved),
    where --clip-norm 1e-400 is refused. 0 itself, written so, is still torch.optim's rate of 0."""
    _binary(tmp_path / "t.csv")
    assert float("1e-400") == 0.0
    result = cmd(*command, "--lr", "1e-400", cwd=tmp_path)
    assert result.returncode == 2
    assert f"chainrule {command[0]}: error: argument --lr: expected a finite number >= 0, e.g. 0.001; got '1e-400', " \
           "which float64 reads as 0" in result.stderr.replace("\n", " ")
    assert cmd(*command, "--lr", "0e-400", cwd=tmp_path).returncode == 0


def test_momentum_past_float64_is_said_to_need_a_finite_number(tmp_path):
    _binary(tmp_path / "t.csv")
    result = cmd("train", "t.csv", "--target", "label", "--out", "m.npz", "--optimizer", "sgd", "--momentum", "1e400",
                 cwd=tmp_path)
    assert result.returncode == 2
    assert "argument --momentum: expected a finite number >= 0, e.g. 0.9; got '1e400'" in result.stderr
