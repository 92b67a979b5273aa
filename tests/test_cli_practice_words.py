"""What train, predict and evaluate print, read line by line as a practitioner reads them: a header naming a column
twice is said once per name; missing values are named in the file's column order; an empty zip, a V7 tar and a tar
piped of several files are named for what they are; an --out in a folder that takes no files says the system's
reason; values of a text column that only the validation rows hold are said to be there."""
import collections
import csv
import errno
import io
import os
import subprocess
import sys
import tarfile
import zipfile

import numpy as np
import pandas as pd
import pytest
from conftest import cmd, training_rows

from chainrule.data.csvfile import read_csv
from chainrule.errors import ValidationError

TEXT = "a,b,c,y\n" + "".join(f"{i / 10},{(i * 7) % 5},{i % 4},{'pq'[i % 2]}\n" for i in range(12))


@pytest.fixture
def model(tmp_path):
    (tmp_path / "t.csv").write_text(TEXT)
    r = cmd("train", tmp_path / "t.csv", "--target", "y", "--out", tmp_path / "m.npz", "--epochs", "1", "--quiet")
    assert r.returncode == 0, r.stderr
    return tmp_path / "m.npz"


def test_a_column_named_twice_is_listed_once_with_its_count(tmp_path, model):
    data = tmp_path / "more.csv"
    data.write_text("a,b,c,y,z,z,w,z\n" + "".join(f"{i},{i},{i},p,1,2,3,4\n" for i in range(3)))
    header = next(csv.reader(io.StringIO(data.read_text())))
    unused = collections.Counter(c for c in header if c not in ("a", "b", "c", "y"))
    for command in ("predict", "evaluate"):        # the target ('y') is no ignored column of either
        r = cmd(command, model, data)
        assert r.returncode == 0, r.stderr
        line = next(s for s in r.stderr.splitlines() if s.startswith("ignored columns"))
        shown = ", ".join([f"{c!r}" + ("" if n == 1 else " (twice)" if n == 2 else f" ({n} times)")
                           for c, n in unused.items()])
        assert line == f"ignored columns the model does not use: [{shown}]", line
        assert line.count("'z'") == 1


@pytest.mark.parametrize("text, chunk_rows", [
    ("c,b,a,y\n,1,2,p\n1,,2,q\n1,1,,p\n", "100000"),     # columns c, b, a: not the model's a, b, c
    ("a,b,c,y\n1,1,,p\n1,,2,q\n,1,2,p\n", "1")])          # the last column's gap met first, a chunk a row
def test_gaps_are_named_in_the_file_column_order(tmp_path, model, text, chunk_rows):
    data = tmp_path / "gaps.csv"
    data.write_text(text)
    table = pd.read_csv(data)
    file_order = [c for c in table.columns if table[c].isna().any()]
    for command in ("predict", "evaluate"):
        r = cmd(command, model, data, "--chunk-rows", chunk_rows)
        assert r.returncode == 2 and "missing values in 3 columns" in r.stderr, r.stderr
        said = r.stderr.split("missing values in 3 columns: ")[1].split("; the model")[0]
        assert [part.split()[0].strip("'") for part in said.split("; ")] == file_order, said


def test_an_empty_zip_is_said_to_be_one(tmp_path, model):
    path = tmp_path / "empty.zip"
    with zipfile.ZipFile(path, "w"):
        pass
    with pytest.raises(ValueError, match="Zero files"):         # pandas' own words for it
        pd.read_csv(path)
    for r in (cmd("train", path, "--target", "y", "--out", tmp_path / "o.npz"), cmd("predict", model, path)):
        assert r.returncode == 2 and "is an empty zip archive (it holds no files)" in r.stderr, r.stderr
        assert "NUL" not in r.stderr
    piped = subprocess.run([sys.executable, "-m", "chainrule.cli", "train", "/dev/stdin", "--target", "y", "--out",
                            tmp_path / "o.npz"], input=path.read_bytes(), capture_output=True, check=False)
    assert piped.returncode == 2 and b"is an empty zip archive" in piped.stderr, piped.stderr
    folders = tmp_path / "folders.zip"                           # only folders: no file either
    with zipfile.ZipFile(folders, "w") as z:
        z.writestr("d/", b"")
    with pytest.raises(ValidationError, match="holds no files"):
        read_csv(folders)


def test_a_v7_tar_of_one_file_is_read_as_pandas_reads_it(tmp_path):
    """A tar in the old V7 format has no "ustar" mark: it was said to hold NUL bytes."""
    plain, path = tmp_path / "plain.csv", tmp_path / "data.tar"
    plain.write_text(TEXT)
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as archive:
        archive.add(plain, "data.csv")
    raw = bytearray(path.read_bytes())                # the V7 header: no magic, no version, the checksum again
    raw[257:265] = bytes(8)
    raw[148:156] = b" " * 8
    raw[148:156] = b"%06o\x00 " % sum(raw[:512])
    path.write_bytes(bytes(raw))
    assert tarfile.open(path).getmembers()[0].name == "data.csv"
    assert read_csv(path).equals(pd.read_csv(path))


def test_a_piped_tar_of_several_files_says_how_to_unpack_a_pipe(tmp_path):
    path = tmp_path / "two.tar"
    with tarfile.open(path, "w") as archive:
        for name in ("a.csv", "b.csv"):
            (tmp_path / name).write_text(TEXT)
            archive.add(tmp_path / name, name)
    r = subprocess.run([sys.executable, "-m", "chainrule.cli", "train", "/dev/stdin", "--target", "y", "--out",
                        tmp_path / "o.npz"], input=path.read_bytes(), capture_output=True, check=False)
    err = r.stderr.decode()
    assert r.returncode == 2 and "is a tar archive of 2 files" in err, err
    assert "(... > data.tar; tar -xf data.tar)" in err, err
    assert "tar -xf '/dev/stdin'" not in err
    assert "(tar -xf " in cmd("train", path, "--target", "y", "--out", tmp_path / "o.npz").stderr


def _system_reason(folder: str) -> str:
    """The system's own reason that no file can be made in `folder`: asked directly."""
    try:
        fd = os.open(os.path.join(folder, "probe.npz"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except OSError as exc:
        return exc.strerror.lower()
    os.close(fd)
    os.unlink(os.path.join(folder, "probe.npz"))
    pytest.skip(f"{folder} takes files here")


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="a system without /proc")
def test_an_out_in_a_folder_that_takes_no_files_names_it_and_the_reason(tmp_path, model):
    reason = _system_reason("/proc")
    data = tmp_path / "t.csv"
    runs = {"--out": cmd("train", data, "--target", "y", "--out", "/proc/m.npz", "--epochs", "1"),
            "predict": cmd("predict", model, data, "--out", "/proc/p.csv"),
            "--checkpoint-dir": cmd("train", data, "--target", "y", "--out", tmp_path / "o.npz", "--epochs", "1",
                                    "--checkpoint-dir", "/proc/runs/one")}
    for what, r in runs.items():
        assert r.returncode == 2, (what, r.stderr)
        assert "the folder '/proc' exists, but no file can be created in it" in r.stderr, (what, r.stderr)
        assert f"({reason})" in r.stderr, (what, r.stderr)
        if reason == os.strerror(errno.ENOENT).lower():      # a folder that is there said to be missing: why
            assert "a folder of the system's own files" in r.stderr


def test_values_only_the_validation_rows_hold_are_said_to_be_there(tmp_path):
    n = 40
    colours = [f"c{i}" for i in range(n)]              # each row its own value: those of validation rows unseen
    df = pd.DataFrame({"x": np.arange(n) / 10, "colour": colours, "y": ["pq"[i % 2] for i in range(n)]})
    df.to_csv(tmp_path / "d.csv", index=False)
    held_out = sorted(set(df["colour"]) - set(df["colour"].iloc[training_rows(n)]))
    for stream in ((), ("--stream",)):
        r = cmd("train", tmp_path / "d.csv", "--target", "y", "--out", tmp_path / "m.npz", "--epochs", "1", *stream)
        assert r.returncode == 0, r.stderr
        line = next(s for s in r.stderr.splitlines() if "unseen in training" in s)
        assert f"column 'colour' has {len(held_out)} values unseen in training" in line, line
        assert line.endswith(" (all in the validation rows)") and repr(held_out[0]) in line, line


def test_values_of_training_rows_of_weight_0_are_not_said_to_be_validation_rows(tmp_path):
    """A row of weight 0 gives no category (as if not in the file): its value is unseen, yet a training row's."""
    n = 40
    train = training_rows(n)
    weight, colour = np.ones(n), ["ab"[i % 2] for i in range(n)]
    weight[train[0]], colour[train[0]] = 0.0, "zzz"          # only a training row of weight 0 holds 'zzz'
    pd.DataFrame({"x": np.arange(n) / 10, "colour": colour, "w": weight,
                  "y": ["pq"[i % 2] for i in range(n)]}).to_csv(tmp_path / "d.csv", index=False)
    for stream in ((), ("--stream",)):
        r = cmd("train", tmp_path / "d.csv", "--target", "y", "--weight", "w", "--out", tmp_path / "m.npz",
                "--epochs", "1", *stream)
        assert r.returncode == 0, r.stderr
        line = next(s for s in r.stderr.splitlines() if "unseen in training" in s)
        assert "['zzz']" in line and not line.endswith("(in the validation rows)"), line
        assert "training rows of weight 0" in line, line


def test_the_probe_of_an_out_folder_leaves_nothing_behind_when_interrupted(tmp_path, monkeypatch):
    """The throwaway file that tells a folder takes files is removed even where Ctrl-C comes before its removal."""
    from chainrule.cli import tabular

    def interrupted(fd):
        real_close(fd)
        raise KeyboardInterrupt
    real_close = os.close
    monkeypatch.setattr(tabular.os, "close", interrupted)
    with pytest.raises(KeyboardInterrupt):
        tabular.takes_files(tmp_path, "'m.npz'")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("folders", [["d/"], ["d/", "e/"]])
def test_a_zip_of_folders_only_counts_them_in_words(tmp_path, folders):
    path = tmp_path / "folders.zip"
    with zipfile.ZipFile(path, "w") as z:
        for name in folders:
            z.writestr(name, b"")
    n = len(zipfile.ZipFile(path).namelist())
    with pytest.raises(ValidationError) as caught:
        read_csv(path)
    assert f"(only {n} {'folder' if n == 1 else 'folders'})" in str(caught.value), caught.value


def test_text_cut_short_by_nul_bytes_is_not_taken_for_a_v7_tar(tmp_path):
    """Text shorter than a tar header, then NUL bytes (a file cut short as it was written), whose bytes summed as
    signed numbers give 0, the checksum tarfile reads from a field of NUL bytes: said to hold NUL bytes, not read
    as an archive that holds nothing."""
    def signed_sum(data):
        return sum(b - 256 if b > 127 else b for b in data)
    text = next(t for k in range(1, 20) for m in range(20)
                if signed_sum(t := ("v,y\n" + "ñ" * k + "," + "a" * m + "\n").encode()) == -256)
    path = tmp_path / "cut.csv"
    path.write_bytes(text + bytes(1024))
    assert tarfile.TarInfo.frombuf(path.read_bytes()[:512], "utf-8", "strict").chksum == 0   # tarfile would take it
    with pytest.raises(ValidationError, match="holds NUL bytes"):
        read_csv(path)
