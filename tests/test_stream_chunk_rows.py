"""train --stream's default chunk size is one number, CsvStream's CHUNK_ROWS (data/stream.py): the reader's own
default, the checkpoint's record of the reading (cli/resume.py) and train's help read it. It lived in cli/resume.py,
the reader and the help each with a copy of its own, which a change of one left saying another."""
import argparse

from conftest import cmd

from chainrule.cli import resume
from chainrule.data import stream


def test_every_user_reads_the_one_chunk_size(tmp_path, monkeypatch):
    path = tmp_path / "t.csv"
    path.write_text("x,y\n1,a\n2,b\n")
    monkeypatch.setattr(stream, "CHUNK_ROWS", 7)
    assert stream.CsvStream(path).chunk_rows == 7
    args = argparse.Namespace(stream=True, chunk_rows=None)
    assert resume.reading(args, 3) == {"chunk_rows": 7, "rows": 3}
    assert "rows per chunk with --stream (default: 7)" in " ".join(cmd("train", "--help").stdout.split())
    assert not hasattr(resume, "CHUNK_ROWS")


def test_a_chunk_size_given_is_kept(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("x,y\n1,a\n2,b\n")
    assert stream.CsvStream(path, rows=5).chunk_rows == 5
    assert resume.reading(argparse.Namespace(stream=True, chunk_rows=5)) == {"chunk_rows": 5, "rows": None}
    assert resume.reading(argparse.Namespace(stream=False, chunk_rows=None)) is None
