"""An infinite cell of a compressed CSV file (.gz, .bz2, .xz, which pandas decompresses by the name's end) is
quoted as the file writes it, read through the same decompression: never the compressed bytes read as text. The
truth: the text written into the file before it was compressed."""
import bz2
import gzip
import lzma

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cmd  # noqa: E402

PACK = {"gz": lambda b: gzip.compress(b, mtime=0), "bz2": bz2.compress, "xz": lzma.compress}


@pytest.fixture(scope="module")
def model(regression_cli_model):
    return regression_cli_model


def packed(tmp_path, kind: str, column: str) -> str:
    """3000 rows (its compressed bytes have many line ends), line 5's cell of `column` written '1e999'."""
    rng = np.random.default_rng(3)
    rows = ["a,b,y"] + [",".join(f"{v:.17g}" for v in rng.normal(size=3)) for _ in range(3000)]
    rows[4] = {"a": "1e999,0.5,1.0", "y": "0.5,0.25,1e999"}[column]
    path = tmp_path / f"new.csv.{kind}"
    path.write_bytes(PACK[kind](("\n".join(rows) + "\n").encode()))
    return str(path)


@pytest.mark.parametrize("kind", sorted(PACK))
@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_an_infinite_cell_of_a_compressed_file_is_quoted_as_written(model, tmp_path, command, kind):
    r = cmd(command, model, packed(tmp_path, kind, "a"),
            *(["--out", tmp_path / "p.csv"] if command == "predict" else []))
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1] == "chainrule: error: column 'a' has an infinite value on line 5 ('1e999')"


@pytest.mark.parametrize("stream", [[], ["--stream"]])
@pytest.mark.parametrize("column", ["a", "y"])
def test_train_quotes_a_compressed_files_infinite_cell_as_written(tmp_path, column, stream):
    r = cmd("train", packed(tmp_path, "gz", column), "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz",
            *stream)
    assert r.returncode == 2
    assert "has an infinite value on line 5 ('1e999')" in r.stderr.strip().splitlines()[-1], r.stderr
