"""`chainrule info` shows a model's --class-weight, as it shows its --weight and --schedule: train records it in the
model file (and its checkpoints), and the training loss and accuracy info shows are weighted by it."""
from importlib.resources import files

import pytest
from conftest import cmd

IRIS = files("chainrule.data.examples") / "iris.csv"


@pytest.mark.parametrize("given, said", [
    ("setosa=2,virginica=0.5", "setosa=2,virginica=0.5 (a class not named: 1)"),
    ("balanced", "balanced (each class's weight from its count of training rows)")])
def test_info_shows_the_class_weights_a_model_was_trained_with(tmp_path, given, said):
    out = tmp_path / "m.npz"
    r = cmd("train", IRIS, "--target", "species", "--epochs", 2, "--class-weight", given, "--quiet", "--out", out,
            "--checkpoint-dir", tmp_path / "ck")
    assert r.returncode == 0, r.stderr
    for model in (out, tmp_path / "ck" / "checkpoint.npz"):
        lines = cmd("info", model).stdout.splitlines()
        assert f"class weights: trained with --class-weight {said}: the training rows' loss and accuracy are " \
               "weighted by class, the validation rows' are not" in lines, lines


def test_info_of_a_model_trained_without_class_weights_says_none(tmp_path):
    out = tmp_path / "m.npz"
    assert cmd("train", IRIS, "--target", "species", "--epochs", 1, "--quiet", "--out", out).returncode == 0
    assert "class weights" not in cmd("info", out).stdout


def test_info_help_names_each_kind_of_model_file_it_reads():
    """--help named train's and Network.save's files, .onnx and .keras, but not a checkpoint or a sweep's best
    model, which info reads as well (a checkpoint above; it says what they are): a newcomer with only those could
    not tell."""
    words = " ".join(cmd("info", "--help").stdout.split())
    assert "checkpoint.npz" in words and "best_model.npz" in words, words


def test_info_shows_the_class_weights_of_a_sweeps_fits(tmp_path):
    """A sweep's --class-weight weighs every fit, the refit best's too, but best_model.npz did not record it: info
    said nothing of it. It now says the weights, and that the cross-validated score it shows is not weighted."""
    r = cmd("sweep", IRIS, "--target", "species", "--grid", "lr=0.01", "--cv", 2, "--epochs", 1,
            "--class-weight", "setosa=2", "--out-dir", tmp_path)
    assert r.returncode == 0, r.stderr
    lines = cmd("info", tmp_path / "best_model.npz").stdout.splitlines()
    assert "class weights: each of the sweep's fits weighted its training rows by class: setosa=2 (a class not " \
           "named: 1); the cross-validated scores are not weighted" in lines, lines


@pytest.mark.parametrize("recorded", ["balanced", [["setosa", 2]], [["setosa", "2"]], [["setosa", 2, 3]],
                                      [["setosa", True]], {"setosa": 2}, ["setosa"], 7])
def test_info_and_plot_read_a_class_weight_record_alike(recorded):
    """info and plot curves each read the record of --class-weight in a model file or checkpoint their own way:
    what info took as no record (a damaged or foreign one), plot curves raised a NumPy-less TypeError or ValueError on
    (f"{'2':g}", a dict's keys unpacked). One reading now: both say the weights, or neither does."""
    from chainrule.cli.info import class_weights
    from chainrule.cli.plot import by_class
    assert (class_weights(recorded) is None) == (by_class(recorded) == "")
    assert (class_weights(recorded) is None) == (recorded not in ("balanced", [["setosa", 2]]))
