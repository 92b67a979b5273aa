"""`train --resume` of a checkpoint whose run read its file otherwise: with another --chunk-rows, or with --stream
where the run had none (or the reverse). --stream merges the means and spreads chunk by chunk, so the inputs differ
in their last digits (checked here with CsvStream and Preprocessing.transform, the oracle): the resume is refused,
as before, but naming --stream and --chunk-rows, before the file is read, not "the inputs ... other values" that
said the CSV file had been edited. Chunks that each hold the whole file are the same reading and resume."""
import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from conftest import cmd  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.data.stream import CsvStream  # noqa: E402
from chainrule.data.tabular import Preprocessing, read_csv  # noqa: E402

ROWS = 300


@pytest.fixture(scope="module")
def csv(tmp_path_factory):
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"a": rng.normal(size=ROWS) * 7.3 + 1.1, "b": rng.normal(size=ROWS) / 3.0})
    df["y"] = np.where(df.a * df.b > 0, "hi", "lo")
    path = tmp_path_factory.mktemp("chunks") / "d.csv"
    df.to_csv(path, index=False)
    return path


def encoded(path, rows):
    with CsvStream(path, rows=rows) as stream:
        stream.fit("y")
        X, _ = stream.encode(None)
        return np.array(X)


def test_the_readings_give_other_inputs(csv):
    """The premise of the refusal: 40-row chunks, 70-row chunks and the file read whole differ in the last digits."""
    df = read_csv(csv)
    whole = np.asarray(Preprocessing.fit(df, "y").transform(df))
    forty, seventy = encoded(csv, 40), encoded(csv, 70)
    np.testing.assert_allclose(forty, whole, rtol=1e-12, atol=1e-12)
    assert not np.array_equal(forty, seventy) and not np.array_equal(seventy, whole)


BASE = ["--target", "y", "--hidden", "4", "--batch-size", "16", "--quiet"]


@pytest.mark.parametrize("first, then, said", [
    (["--stream", "--chunk-rows", "40"], ["--stream", "--chunk-rows", "70"],
     "which had --stream --chunk-rows 40 (this run: --stream --chunk-rows 70)"),
    (["--stream", "--chunk-rows", "40"], [], "which had --stream --chunk-rows 40 (this run: no --stream)"),
    ([], ["--stream"], "which had no --stream (this run: --stream --chunk-rows 100000)"),
])
def test_a_resume_read_otherwise_is_refused_naming_how(tmp_path, csv, first, then, said):
    ck = tmp_path / "ck"
    r = cmd("train", csv, *BASE, *first, "--epochs", "1", "--checkpoint-dir", ck, "--out", tmp_path / "a.npz")
    assert r.returncode == 0, r.stderr
    r = cmd("train", csv, *BASE, *then, "--epochs", "2", "--checkpoint-dir", ck, "--resume", "--out", tmp_path / "b")
    assert r.returncode == 2
    assert said in r.stderr and "differ in their last digits" in r.stderr, r.stderr
    assert "other values" not in r.stderr
    assert not (tmp_path / "b").exists()


def test_chunks_each_holding_the_whole_file_resume(tmp_path, csv):
    """--chunk-rows 1000 and the default 100000 both read the 300 rows in one chunk: the same inputs, the run goes
    on, and ends where one uninterrupted run of 2 epochs ends."""
    ck = tmp_path / "ck"
    r = cmd("train", csv, *BASE, "--stream", "--chunk-rows", "1000", "--epochs", "1", "--checkpoint-dir", ck,
            "--out", tmp_path / "a.npz")
    assert r.returncode == 0, r.stderr
    r = cmd("train", csv, *BASE, "--stream", "--epochs", "2", "--checkpoint-dir", ck, "--resume",
            "--out", tmp_path / "resumed.npz")
    assert r.returncode == 0, r.stderr
    r = cmd("train", csv, *BASE, "--stream", "--epochs", "2", "--out", tmp_path / "whole.npz")
    assert r.returncode == 0, r.stderr
    np.testing.assert_array_equal(cr.load(tmp_path / "resumed.npz").params, cr.load(tmp_path / "whole.npz").params)


def test_a_stream_of_one_chunk_resumed_without_stream_is_refused_without_claiming_other_inputs(tmp_path, csv):
    """One chunk holding the whole file encodes it exactly as the file read whole (the oracle below): the refusal
    (the checkpoint's rows are kept otherwise) said these inputs differed in their last digits."""
    df = read_csv(csv)
    np.testing.assert_array_equal(encoded(csv, 1000), np.asarray(Preprocessing.fit(df, "y").transform(df)))
    ck = tmp_path / "ck"
    r = cmd("train", csv, *BASE, "--stream", "--chunk-rows", "1000", "--epochs", "1", "--checkpoint-dir", ck,
            "--out", tmp_path / "a.npz")
    assert r.returncode == 0, r.stderr
    r = cmd("train", csv, *BASE, "--epochs", "2", "--checkpoint-dir", ck, "--resume", "--out", tmp_path / "b")
    assert r.returncode == 2
    assert "which had --stream --chunk-rows 1000 (this run: no --stream)" in r.stderr, r.stderr
    assert "chunks smaller than the file" in r.stderr and "file read whole, differ" not in r.stderr, r.stderr
