"""A CSV column of yes/no and true/false words written more ways than they mean ('true' and 'yes', 'Yes'
and 'yes') is read as the booleans it holds, as pandas reads a column of 'true' and 'True': two
categories, where each spelling was one; and `chainrule predict` reads the other spellings alike."""
import numpy as np
import pandas as pd
import pytest
from conftest import cli, cmd
from sklearn.preprocessing import OneHotEncoder

from chainrule.data.stream import CsvStream
from chainrule.data.tabular import Preprocessing, read_csv

MEANS = {"true": True, "yes": True, "false": False, "no": False}


def same_rows(rows, row, msg=""):
    """Rows of the same input give the same probabilities, to the last bits a BLAS kernel may round a row
    differently by its place in the batch (OpenBLAS' AVX-512 kernels fuse multiply-adds in some rows)."""
    np.testing.assert_allclose(rows, np.broadcast_to(row, rows.shape), rtol=1e-12, atol=1e-15, err_msg=msg)


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
    assert cmd("train", tmp_path / "t.csv", "--target", "label", "--epochs", "3", "--out", tmp_path / "m.npz",
               "--quiet").returncode == 0
    assert cmd("export", tmp_path / "m.npz", tmp_path / "m.onnx").returncode == 0
    s = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    words = ["True", "true", "yes", "Yes", "YES", "False", "no", "No", "NO", "false"]
    _, proba = s.run(None, {"x": np.full((len(words), 1), 0.25), "flag": np.array(words, dtype=object)[:, None]})
    proba = np.asarray([list(p.values()) if isinstance(p, dict) else p for p in proba])
    same_rows(proba[:5], proba[0])
    same_rows(proba[5:], proba[5])
    assert not np.array_equal(proba[0], proba[5])


@pytest.mark.parametrize("other", ["Yes", "true"])
def test_the_spellings_come_from_the_training_rows_alike_in_memory_and_streamed(tmp_path, other):
    """A spelling seen only in validation rows is no category and makes no booleans: the statistics come from
    the training rows alone, as scikit-learn's encoder fits on them (before, in memory and streamed, every
    row's spellings were looked at: 'yes' and 'no' in the training rows became 'True' and 'False')."""
    flags = ["yes", "no"] * 30
    train = np.ones(60, dtype=bool)
    for i in (7, 30, 51):
        flags[i], train[i] = other, False                      # validation rows
    path = write(tmp_path / "d.csv", flags)
    df = read_csv(str(path))
    truth = sorted(pd.read_csv(path)["flag"][train].unique())  # what the training rows hold
    assert truth == ["no", "yes"]
    pre = Preprocessing.fit(df, "label", train=train)
    streamed = CsvStream(str(path), rows=7).fit("label", train=train)
    assert pre.categories["flag"] == streamed.categories["flag"] == truth
    assert pre.typed == streamed.typed == ["flag"]      # yes/no: read by meaning at predict, still as written
    alone = Preprocessing.fit(df[train].reset_index(drop=True), "label")     # the training rows as a table
    assert alone.categories == pre.categories and alone.typed == pre.typed


def test_train_and_train_stream_read_the_words_of_the_weighed_rows_alike(tmp_path):
    """`chainrule train` and `train --stream`: 'Yes' only in rows of weight 0 (which shape nothing) makes no
    booleans of a yes/no column, in memory as streamed."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=60)
    rows = [f"{x[i]:.4f},{'Yes' if i % 10 == 3 else ('yes' if i % 2 else 'no')},{0 if i % 10 == 3 else 1},"
            f"{'a' if x[i] > 0 else 'b'}\n" for i in range(60)]
    path = tmp_path / "w.csv"
    path.write_text("x,flag,w,label\n" + "".join(rows))
    table = pd.read_csv(path)
    truth = sorted(table["flag"][table["w"] > 0].unique())
    assert truth == ["no", "yes"]
    said = []
    for extra in ([], ["--stream", "--chunk-rows", "7"]):
        r = cmd("train", path, "--target", "label", "--weight", "w", "--epochs", "1", "--quiet",
                "--out", tmp_path / f"m{len(extra)}.npz", *extra)
        assert r.returncode == 0, r.stderr
        said.append(cmd("info", tmp_path / f"m{len(extra)}.npz").stdout)
    for out in said:
        assert f"text column 'flag' (one-hot): {truth}" in out, out


SPELLED = ["true", "True", "TRUE", "tRuE", "yes", "Yes", "YES", "yEs", "false", "FALSE", "no", "No", "nO"]


def predicted(tmp_path, model, words, name="w"):
    """`chainrule predict --proba` of x = 0.25 and each of `words` as the flag: (probabilities, stderr)."""
    (tmp_path / f"{name}.csv").write_text("x,flag\n" + "".join(f"0.25,{w}\n" for w in words))
    r = cmd("predict", model, tmp_path / f"{name}.csv", "--proba", "--out", tmp_path / f"{name}.p")
    assert r.returncode == 0, r.stderr
    return pd.read_csv(tmp_path / f"{name}.p").filter(like="proba_").to_numpy(), r.stderr


@pytest.mark.parametrize("flags", [["true", "false", "True"], ["yes", "no"]])
def test_predict_and_the_graph_read_each_spelling_by_one_rule(tmp_path, flags):
    """predict took 'tRuE' for True, the exported graph only 'true', 'True' and 'TRUE'. One rule now, pandas'
    (which reads 'tRuE' as True): the probabilities of predict and of the graph are the same for every spelling,
    each word's the same as its meaning's in lower case; and a yes/no column reads 'true' as 'yes'."""
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    write(tmp_path / "t.csv", flags)
    assert cmd("train", tmp_path / "t.csv", "--target", "label", "--epochs", "3", "--out", tmp_path / "m.npz",
               "--quiet").returncode == 0
    proba, err = predicted(tmp_path, tmp_path / "m.npz", SPELLED)
    assert cmd("export", tmp_path / "m.npz", tmp_path / "m.onnx").returncode == 0
    s = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    _, graph = s.run(None, {"x": np.full((len(SPELLED), 1), 0.25), "flag": np.array(SPELLED, dtype=object)[:, None]})
    graph = np.asarray([list(p.values()) if isinstance(p, dict) else p for p in graph])
    np.testing.assert_allclose(proba, graph, rtol=1e-5)
    # pandas reads true/false in lower, Title and UPPER case as booleans, the rest as text (each word alone in a
    # column); yes and no alike, by their meaning
    as_true = {"yes": "true", "Yes": "True", "YES": "TRUE", "yEs": "tRuE", "no": "false", "No": "False", "nO": "fAlSe"}
    read = [pd.read_csv(__import__("io").StringIO(f"f\n{as_true.get(w, w)}\n"))["f"][0] for w in SPELLED]
    meant = [bool(v) if isinstance(v, (bool, np.bool_)) else None for v in read]
    yes_row = proba[SPELLED.index(flags[0])] if flags[0] in ("true", "yes") else None
    for word, value, row in zip(SPELLED, meant, proba):
        if value is None:                               # unseen: all zeros, said
            assert repr(word) in err, (word, err)
        else:
            same_rows(row[None], proba[SPELLED.index("true" if value else "false")], word)
    assert yes_row is not None and "unseen" not in err
    assert not np.array_equal(proba[SPELLED.index("true")], proba[SPELLED.index("false")])


@pytest.mark.parametrize("stream", [[], ["--stream", "--chunk-rows", "7"]])
def test_a_model_of_a_yes_no_column_reads_true_and_false_by_their_meaning(tmp_path, stream):
    """Trained on 'yes' and 'no' (kept as written), predict took 'true', 'YES' and 'False' for unseen values (all
    zeros): they mean yes and no, and are read so, trained in memory as streamed."""
    write(tmp_path / "t.csv", ["yes", "no"])
    r = cmd("train", tmp_path / "t.csv", "--target", "label", "--epochs", "3", "--out", tmp_path / "m.npz",
            "--quiet", *stream)
    assert r.returncode == 0, r.stderr
    assert "['no', 'yes']" in cmd("info", tmp_path / "m.npz").stdout
    words = ["yes", "true", "True", "YES", "TRUE", "no", "false", "False", "NO"]
    proba, err = predicted(tmp_path, tmp_path / "m.npz", words)
    assert "unseen" not in err, err
    same_rows(proba[:5], proba[0])
    same_rows(proba[5:], proba[5])
    assert not np.array_equal(proba[0], proba[5])
