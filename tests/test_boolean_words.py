"""A CSV column of yes/no and true/false words written more ways than they mean ('true' and 'yes', 'Yes'
and 'yes') is read as the booleans it holds, as pandas reads a column of 'true' and 'True': two
categories, where each spelling was one; and `chainrule predict` reads the other spellings alike."""
import numpy as np
import pandas as pd
import pytest
from conftest import cli
from sklearn.preprocessing import OneHotEncoder

from chainrule.data.stream import CsvStream
from chainrule.data.tabular import Preprocessing, read_csv

MEANS = {"true": True, "yes": True, "false": False, "no": False}


def write(path, flags, n=60):
    rng = np.random.default_rng(1)
    x = rng.normal(size=n)
    rows = [f"{x[i]:.4f},{flags[i % len(flags)]},{'a' if x[i] > 0 else 'b'}\n" for i in range(n)]
    path.write_text("x,flag,label\n" + "".join(rows))
    return path


@pytest.mark.parametrize("flags", [["true", "no", "yes", "false", "True"], ["yes", "NO", "Yes", "no"]])
def test_a_column_of_boolean_words_is_two_categories_of_what_they_mean(tmp_path, flags):
    path = write(tmp_path / "d.csv", flags)
    meant = pd.read_csv(path)["flag"].astype(str).str.lower().map(MEANS).to_frame()
    truth = OneHotEncoder(sparse_output=False).fit_transform(meant)       # pandas' reading of such words
    pre = Preprocessing.fit(read_csv(str(path)), "label", max_categories=1000)
    assert pre.categories["flag"] == ["False", "True"]
    np.testing.assert_array_equal(pre.transform(read_csv(str(path)), sparse=False)[:, 1:], truth)
    stream = CsvStream(str(path), rows=7)              # train --stream learns the same, chunk by chunk
    assert stream.fit("label").categories == pre.categories


def test_predict_reads_the_other_spellings_as_training_did(tmp_path):
    write(tmp_path / "t.csv", ["true", "false", "yes", "no"])
    r = cli("train", tmp_path / "t.csv", "--target", "label", "--epochs", "3", "--out", tmp_path / "m.npz")
    assert r.returncode == 0, r.stderr
    outs = []
    for name, flags in (("tf", ["true", "false"]), ("yn", ["yes", "no"]), ("caps", ["YES", "False"])):
        write(tmp_path / f"{name}.csv", flags)
        p = cli("predict", tmp_path / "m.npz", tmp_path / f"{name}.csv", "--proba", "--out", tmp_path / f"{name}.p")
        assert p.returncode == 0 and "unseen" not in p.stderr, p.stderr
        outs.append(pd.read_csv(tmp_path / f"{name}.p"))
    pd.testing.assert_frame_equal(outs[0], outs[1])    # the same rows, yes for true: the same predictions
    pd.testing.assert_frame_equal(outs[0], outs[2])


def test_yes_and_no_alone_and_text_columns_stay_as_written(tmp_path):
    path = write(tmp_path / "d.csv", ["yes", "no"])
    assert Preprocessing.fit(read_csv(str(path)), "label").categories["flag"] == ["no", "yes"]
    mixed = write(tmp_path / "m.csv", ["yes", "true", "no"])
    pre = Preprocessing.fit(read_csv(str(mixed), text_columns=["flag"]), "label", text_columns=["flag"])
    assert pre.categories["flag"] == ["no", "true", "yes"]          # --text: read as written


def test_the_exported_graph_reads_the_words_as_predict_does(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    write(tmp_path / "t.csv", ["true", "false", "yes", "no"])
    assert cli("train", tmp_path / "t.csv", "--target", "label", "--epochs", "3", "--out", tmp_path / "m.npz",
               "--quiet").returncode == 0
    assert cli("export", tmp_path / "m.npz", tmp_path / "m.onnx").returncode == 0
    s = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    words = ["True", "true", "yes", "Yes", "YES", "False", "no", "No", "NO", "false"]
    _, proba = s.run(None, {"x": np.full((len(words), 1), 0.25), "flag": np.array(words, dtype=object)[:, None]})
    proba = np.asarray([list(p.values()) if isinstance(p, dict) else p for p in proba])
    np.testing.assert_array_equal(proba[:5], np.repeat(proba[:1], 5, axis=0))
    np.testing.assert_array_equal(proba[5:], np.repeat(proba[5:6], 5, axis=0))
    assert not np.array_equal(proba[0], proba[5])
