"""A compressed CSV file (data.csv.gz, .bz2, .xz, a zip of one file) is read as pandas.read_csv reads it, by every
reader: train, train --stream, predict, evaluate, explain --data, a pipe to train; one cut short is said so."""
import bz2
import gzip
import io
import lzma
import subprocess
import sys
import zipfile

import pandas as pd
import pytest
from conftest import cmd

from chainrule.data.csvfile import read_csv
from chainrule.errors import ValidationError

TEXT = "x,c,y\n" + "".join(f"{i / 10},{'ab'[i % 2]},{i % 3 == 0}\n" for i in range(30))


def _zip(data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("x.csv", data)
    return buf.getvalue()


PACKERS = {"gzip": (gzip.compress, ".csv.gz"), "bzip2": (bz2.compress, ".csv.bz2"),
           "xz": (lzma.compress, ".csv.xz"), "zip": (_zip, ".csv.zip")}


@pytest.mark.parametrize("kind", PACKERS)
def test_a_compressed_file_is_read_as_pandas_reads_it_by_every_reader(tmp_path, kind):
    pack, ext = PACKERS[kind]
    path, plain, model = tmp_path / f"data{ext}", tmp_path / "plain.csv", tmp_path / "m.npz"
    path.write_bytes(pack(TEXT.encode()))
    plain.write_text(TEXT)
    assert read_csv(path).equals(pd.read_csv(path))
    assert read_csv(io.BytesIO(path.read_bytes())).equals(pd.read_csv(plain))
    assert cmd("train", plain, "--target", "y", "--out", model, "--epochs", "1", "--quiet").returncode == 0
    for args in (("train", path, "--target", "y", "--out", tmp_path / "o.npz", "--epochs", "1"),
                 ("train", path, "--target", "y", "--out", tmp_path / "o.npz", "--epochs", "1", "--stream"),
                 ("explain", model, "--data", path, "--layer", "1", "--neuron", "0")):
        r = cmd(*args)
        assert r.returncode == 0, (args, r.stderr)
    for command in ("predict", "evaluate"):
        packed, unpacked = cmd(command, model, path), cmd(command, model, plain)
        assert packed.returncode == 0 and packed.stdout == unpacked.stdout, (command, packed.stderr)


def test_a_piped_gzip_file_is_read_by_train(tmp_path):
    r = subprocess.run([sys.executable, "-m", "chainrule.cli", "train", "/dev/stdin", "--target", "y", "--out",
                        str(tmp_path / "o.npz"), "--epochs", "1", "--quiet"], input=gzip.compress(TEXT.encode()),
                       capture_output=True, check=False, timeout=120)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("kind", PACKERS)
def test_a_compressed_file_cut_short_is_said_so(tmp_path, kind):
    pack, ext = PACKERS[kind]
    rows = "x,c,y\n" + "".join(f"{i / 7},{i * 13 % 97},{i % 2}\n" for i in range(3000))
    path = tmp_path / f"cut{ext}"
    data = pack(rows.encode())
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(Exception) as pandas_error:
        pd.read_csv(path)
    assert not isinstance(pandas_error.value, ValidationError)
    said = "cut short" if kind != "zip" else "is zip-compressed"    # a zip cut short has lost its list of files
    with pytest.raises(ValidationError, match=said):
        read_csv(path)
    for args in (("train", path, "--target", "y", "--out", tmp_path / "o.npz", "--stream"),):
        r = cmd(*args)
        assert r.returncode == 2 and said in r.stderr, r.stderr


def test_a_zip_of_two_files_is_refused_as_pandas_refuses_it(tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.csv", TEXT)
        z.writestr("b.csv", TEXT)
    with pytest.raises(ValueError, match="Multiple files"):
        pd.read_csv(path)
    with pytest.raises(ValidationError, match="is zip-compressed, not text"):
        read_csv(path)


@pytest.mark.parametrize("ext", [".tar", ".tar.gz", ".tar.bz2", ".tar.xz"])
def test_a_tar_of_one_file_is_read_as_pandas_reads_it(tmp_path, ext):
    """A .tar.gz of one CSV file, which pandas reads by its name, was said to hold NUL bytes (a tar's headers)."""
    import tarfile
    plain, path, model = tmp_path / "plain.csv", tmp_path / f"data{ext}", tmp_path / "m.npz"
    plain.write_text(TEXT)
    with tarfile.open(path, "w:" + ext[5:]) as archive:
        archive.add(plain, "data.csv")
    assert read_csv(path).equals(pd.read_csv(path))
    assert cmd("train", plain, "--target", "y", "--out", model, "--epochs", "1", "--quiet").returncode == 0
    for command in ("predict", "evaluate"):
        packed, unpacked = cmd(command, model, path), cmd(command, model, plain)
        assert packed.returncode == 0 and packed.stdout == unpacked.stdout, (command, packed.stderr)
    r = cmd("train", path, "--target", "y", "--out", tmp_path / "o.npz", "--epochs", "1", "--stream")
    assert r.returncode == 0, r.stderr


def test_a_tar_of_two_files_is_refused_as_pandas_refuses_it(tmp_path):
    import tarfile
    (tmp_path / "a.csv").write_text(TEXT)
    path = tmp_path / "two.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        archive.add(tmp_path / "a.csv", "a.csv")
        archive.add(tmp_path / "a.csv", "b.csv")
    with pytest.raises(ValueError, match="Multiple files"):
        pd.read_csv(path)
    with pytest.raises(ValidationError, match=r"is a tar archive of 2 files \['a.csv', 'b.csv'\], not one CSV file: "
                                              r"unpack it first \(tar -xf "):
        read_csv(path)
