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



def test_the_docs_name_the_one_chunk_size():
    """docs/tabular.md said predict read 50,000 rows a chunk after the default became CHUNK_ROWS."""
    import re
    from pathlib import Path
    docs = Path(__file__).parent.parent / "docs"
    default = re.compile(r"--chunk-rows`?,? (?:rows )?(?:default |\()?(\d{1,3}(?:,\d{3})+|\d{5,})"
                         r"(?: by default\)|\)|\])")         # (default 100,000), (100,000 by default), [--chunk-rows N]
    said = [(path.name, m.group(1)) for path in docs.glob("*.md") for m in default.finditer(path.read_text())]
    assert said and all(int(n.replace(",", "")) == chunks.CHUNK_ROWS for _, n in said), said
