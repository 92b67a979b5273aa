"""The default chunk size is one number, CHUNK_ROWS (data/chunks.py): CsvStream's own default, the checkpoint's
record of the reading (cli/resume.py), train's help and predict's and evaluate's chunks read it. It lived in
cli/resume.py, the reader and the help each with a copy of its own, which a change of one left saying another."""
import argparse

from conftest import cmd

from chainrule.cli import resume
from chainrule.data import chunks, stream


def test_every_user_reads_the_one_chunk_size(tmp_path, monkeypatch):
    path = tmp_path / "t.csv"
    path.write_text("x,y\n1,a\n2,b\n")
    monkeypatch.setattr(chunks, "CHUNK_ROWS", 7)      # the one definition: train, predict and evaluate
    assert stream.CsvStream(path).chunk_rows == 7
    args = argparse.Namespace(stream=True, chunk_rows=None)
    assert resume.reading(args, 3) == {"chunk_rows": 7, "rows": 3}
    assert "rows per chunk with --stream (default: 7)" in " ".join(cmd("train", "--help").stdout.split())
    assert "(default: 7)" in " ".join(cmd("predict", "--help").stdout.split())
    assert not hasattr(resume, "CHUNK_ROWS") and not hasattr(stream, "CHUNK_ROWS")


def test_a_chunk_size_given_is_kept(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("x,y\n1,a\n2,b\n")
    assert stream.CsvStream(path, rows=5).chunk_rows == 5
    assert resume.reading(argparse.Namespace(stream=True, chunk_rows=5)) == {"chunk_rows": 5, "rows": None}
    assert resume.reading(argparse.Namespace(stream=False, chunk_rows=None)) is None
