"""Lines that list classes cut alike past 20, saying how to list them all; a comma list written with spaces
before the data file answered with the joined list and the file."""
import numpy as np
import pandas as pd
import pytest
from conftest import cmd


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """A CSV file of 25 classes, and a model trained on it with --class-weight balanced."""
    folder = tmp_path_factory.mktemp("many")
    r = np.random.default_rng(0)
    labels = [f"k{i:02d}" for i in range(25)]
    pd.DataFrame({"a": r.normal(size=100), "b": r.normal(size=100), "y": labels * 4}).to_csv(folder / "d.csv",
                                                                                             index=False)
    trained = cmd("train", folder / "d.csv", "--target", "y", "--epochs", "1", "--class-weight", "balanced",
                  "--out", folder / "m.npz")
    assert trained.returncode == 0, trained.stderr
    return folder, labels, trained


def test_train_and_info_cut_the_classes_alike_and_say_how_to_see_them_all(many):
    folder, labels, trained = many
    model = folder / "m.npz"
    weights = next(line for line in trained.stderr.splitlines() if line.startswith("class weights"))
    task = next(line for line in cmd("info", model).stdout.splitlines() if line.startswith("task:"))
    hint = f"... (5 more: `chainrule info {model} --classes` lists them all)"
    for line in (weights, task):
        assert hint in line
        assert labels[19] in line and labels[20] not in line


def test_info_classes_lists_every_class_in_the_models_output_order(many):
    folder, labels, _ = many
    r = cmd("info", folder / "m.npz", "--classes")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [f"{i}\t{c}" for i, c in enumerate(sorted(labels))]


def test_info_classes_of_a_regression_model_is_refused_by_name(tmp_path):
    pd.DataFrame({"a": np.arange(20.0), "y": np.arange(20.0) * 0.37 + 0.1}).to_csv(tmp_path / "r.csv", index=False)
    trained = cmd("train", tmp_path / "r.csv", "--target", "y", "--epochs", "1", "--out", tmp_path / "r.npz")
    assert trained.returncode == 0, trained.stderr
    r = cmd("info", tmp_path / "r.npz", "--classes")
    assert r.returncode == 2
    assert "--classes lists a classifier's classes" in r.stderr and "regression model" in r.stderr


@pytest.mark.parametrize("option", ["--features", "--drop", "--text"])
def test_a_spaced_list_before_the_data_file_is_answered_with_the_joined_list(many, option):
    folder, _, _ = many
    r = cmd("train", option, "a", "b", folder / "d.csv", "--target", "y", "--out", folder / "x.npz")
    assert r.returncode == 2
    assert (f"{option} takes several in one word, separated by commas, not spaces: {option} a,b, then the data "
            f"file: {folder / 'd.csv'}") in r.stderr
    assert not (folder / "x.npz").exists()


def test_a_spaced_list_with_the_data_file_after_other_options_is_answered_with_the_joined_list(many):
    """`--features a b --target y d.csv`: b was taken for the data file, d.csv left over after --target's value."""
    folder, _, _ = many
    r = cmd("train", "--features", "a", "b", "--target", "y", folder / "d.csv", "--out", folder / "x.npz")
    assert r.returncode == 2
    assert ("--features takes several in one word, separated by commas, not spaces: --features a,b, then the data "
            f"file: {folder / 'd.csv'}") in r.stderr
    assert not (folder / "x.npz").exists()


@pytest.mark.parametrize("option", ["--features", "--drop", "--text"])
def test_a_spaced_list_with_no_data_file_is_a_usage_error_not_a_missing_file(tmp_path, option):
    """`--features a b` and no data file: argparse gives b to the data file; the answer is the joined list."""
    r = cmd("train", option, "a", "b", "--target", "y", "--out", tmp_path / "x.npz", cwd=tmp_path)
    assert r.returncode == 2
    assert f"{option} takes several in one word, separated by commas, not spaces: {option} a,b" in r.stderr
    assert "'b' was read as the data file, and no data file was given" in r.stderr
    assert "does not exist" not in r.stderr


def test_info_classes_of_a_balanced_model_says_its_weights_are_not_kept(many):
    folder, labels, trained = many
    r = cmd("info", folder / "m.npz", "--classes")
    assert r.returncode == 0, r.stderr
    assert "class weights ('balanced', from the training rows)" in trained.stderr
    assert "trained with --class-weight balanced" in r.stderr and "does not keep" in r.stderr


def test_info_of_an_exported_graph_cuts_its_classes_alike_and_lists_them_with_classes(many):
    """The graph's metadata holds the classes: its 'probabilities' line cut as the model's, --classes lists them
    in the graph's column order, which onnxruntime's probabilities follow (not the summary of the graph again)."""
    pytest.importorskip("onnx")
    folder, labels, _ = many
    graph = folder / "m.onnx"
    assert cmd("export", folder / "m.npz", graph, "--no-checks").returncode == 0
    line = next(s for s in cmd("info", graph).stdout.splitlines() if s.startswith("'prediction'"))
    assert f"... (5 more: `chainrule info {graph} --classes` lists them all)" in line
    assert labels[19] in line and labels[20] not in line
    r = cmd("info", graph, "--classes")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [f"{i}\t{c}" for i, c in enumerate(sorted(labels))]
