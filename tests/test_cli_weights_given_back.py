"""train's class weights line given back as --class-weight, verbatim, and --lr refusals that name what was typed."""
import argparse

import numpy as np
import pytest
from conftest import cmd

import chainrule as cr
from chainrule.cli.tabular import learning_rate


def _csv(path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    y = np.where(X[:, 0] + X[:, 1] > 0.8, "rare, but real", 'say "hi"')
    cells = ['"' + c.replace('"', '""') + '"' for c in y]          # as a CSV writer quotes them
    path.write_text("x1,x2,label\n" + "".join(f"{float(a)!r},{float(b)!r},{c}\n" for (a, b), c in zip(X, cells)))


def _line(result):
    assert result.returncode == 0, result.stderr
    return [s.removeprefix("class weights: ") for s in result.stderr.splitlines() if s.startswith("class weights")]


def test_the_class_weights_line_given_back_verbatim_trains_the_same(tmp_path):
    """The line writes a label holding a comma as '"rare, but real"=5' after ', ': given back as printed, the
    space before the quote split the label at its comma, and the refusal said to quote what was quoted."""
    _csv(tmp_path / "t.csv")
    common = ["--target", "label", "--epochs", "2", "--hidden", "3"]
    first = cmd("train", tmp_path / "t.csv", *common, "--out", tmp_path / "a.npz",
                "--class-weight", '"rare, but real"=5')
    [said] = _line(first)
    assert said == '"rare, but real"=5, "say ""hi"""=1'
    again = cmd("train", tmp_path / "t.csv", *common, "--out", tmp_path / "b.npz", "--class-weight", said)
    assert _line(again) == [said]
    np.testing.assert_array_equal(cr.load(tmp_path / "a.npz").params, cr.load(tmp_path / "b.npz").params)


@pytest.mark.parametrize("text", ["-1e-400", "-5e-999"])
def test_a_negative_rate_is_refused_as_negative_not_as_one_read_as_0(text):
    """float('-1e-400') is -0.0: the refusal said it 'reads as 0' and to 'give 0 to mean it', as of a rate."""
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        learning_rate(text)
    assert str(caught.value) == f"expected a finite number >= 0, e.g. 0.001; got {text!r}"


def test_a_rate_in_other_scripts_digits_read_as_0_is_refused():
    """float() reads any script's digits ('١' is 1): '١e-400' trained at a rate of 0 without a word."""
    assert float("١e-400") == 0.0 and float("١e-3") == 0.001
    with pytest.raises(argparse.ArgumentTypeError, match="which float64 reads as 0"):
        learning_rate("١e-400")
    assert learning_rate("1e-320") == 1e-320 > 0          # a denormal is a rate, kept


def test_info_writes_a_model_s_class_labels_as_train_s_line_does(tmp_path):
    """train's line wrote '"rare, but real"=5' and info, of the same model, '"rare, but real=5"' (the whole pair
    quoted): two ways of writing one label, each read back. Now one, as the user types it."""
    import shlex
    _csv(tmp_path / "t.csv")
    trained = cmd("train", tmp_path / "t.csv", "--target", "label", "--epochs", "1", "--hidden", "3", "--out",
                  tmp_path / "m.npz", "--class-weight", '"rare, but real"=5,"say ""hi"""=0.5')
    [said] = _line(trained)
    info = next(s for s in cmd("info", tmp_path / "m.npz").stdout.splitlines() if "--class-weight" in s)
    option = info.split("trained with ", 1)[1].split(" (a class not named", 1)[0]
    assert shlex.split(option) == ["--class-weight", said.replace("=5, ", "=5,")]
    assert said == '"rare, but real"=5, "say ""hi"""=0.5'


@pytest.mark.parametrize("content, said", [(["a", "b"], "a list of 2 values, not of arrays"),
                                           ([1, True], "a list of 2 values, not of arrays"),
                                           ([1.5, 2], "a list of 2 plain numbers, not of arrays")])
def test_explain_weights_of_a_flat_list_are_called_numbers_only_when_they_are(tmp_path, content, said):
    """A JSON list of strings was called 'a list of 2 plain numbers'."""
    import json
    (tmp_path / "w.json").write_text(json.dumps(content))
    result = cmd("explain", "--layers", "2,2,1", "--weights", tmp_path / "w.json")
    assert result.returncode == 2
    assert f"--weights {str(tmp_path / 'w.json')!r}: got {said} (expected a JSON list" in result.stderr
