"""Class labels a practitioner's file writes several ways: one label in two cases or with a spreadsheet's trailing
space, one number written '1' and '1.0'. pandas (and so scikit-learn's LabelEncoder) reads each spelling as a class
of its own; train, with or without --stream, says so rather than learn several classes without a word."""
import numpy as np
import pandas as pd
import pytest
from conftest import cmd


def _file(tmp_path, labels):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=len(labels)).round(3), "y": labels})
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("stream", [[], ["--stream"]])
def test_labels_differing_in_case_or_spaces_are_said(tmp_path, stream):
    labels = ["Yes", "No"] * 30 + ["yes", "No "]
    path = _file(tmp_path, labels)
    truth = sorted(pd.read_csv(path)["y"].unique())             # pandas: four classes
    assert truth == ["No", "No ", "Yes", "yes"]
    out = cmd("train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz", "--quiet", *stream)
    assert out.returncode == 0, out.stderr
    said = " ".join(out.stderr.split())
    assert "differ only in case or in the spaces around them" in said
    assert "['No', 'No ']" in said and "['Yes', 'yes']" in said


@pytest.mark.parametrize("stream", [[], ["--stream"]])
def test_one_number_written_two_ways_is_said_with_stream_too(tmp_path, stream):
    labels = ["1", "2"] * 30 + ["1.0", "yes"]
    path = _file(tmp_path, labels)
    out = cmd("train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz", "--quiet", *stream)
    assert out.returncode == 0, out.stderr
    assert "one number written 2 ways" in " ".join(out.stderr.split())


def test_labels_written_alike_are_not_said(tmp_path):
    path = _file(tmp_path, ["Yes", "No"] * 31)
    out = cmd("train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz", "--quiet")
    assert out.returncode == 0 and "warning" not in out.stderr, out.stderr


@pytest.mark.parametrize("chunks", [[], ["--chunk-rows", "2"]])
def test_an_unseen_label_that_is_a_class_written_otherwise_is_said(tmp_path, chunks):
    path = _file(tmp_path, ["Cat", "Dog"] * 31)
    out = cmd("train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz", "--quiet")
    assert out.returncode == 0, out.stderr
    test = pd.read_csv(path).head(6)
    test.loc[3, "y"], test.loc[4, "y"] = "Cat ", "dog"            # a spreadsheet's trailing space, another case
    test.to_csv(tmp_path / "test.csv", index=False)
    assert set(pd.read_csv(tmp_path / "test.csv")["y"]) == {"Cat", "Dog", "Cat ", "dog"}     # pandas: four labels
    refused = cmd("evaluate", tmp_path / "m.npz", tmp_path / "test.csv", *chunks)
    said = " ".join(refused.stderr.split())
    assert refused.returncode == 2 and "unseen in training" in said, said
    assert "'Cat ' is the class 'Cat'" in said and "'dog' is the class 'Dog'" in said, said
