"""A model file cut short is told so in the same words whatever the cut: cut under 40 bytes (before its first
member's name, params.npy, is whole) it was "a zip archive cut short" of no known kind, and cut to its first byte
'P', "text (a CSV file of data?)", where from 40 bytes on it is "a chainrule model file cut short". The truth: the
cut files are prefixes of a real saved model (and checkpoint), read by every command that reads one."""
import shutil

import pytest
from conftest import cmd

SAID = "is a chainrule model file cut short (a copy stopped early?)"
CUTS = [1, 2, 10, 29, 30, 39, 40, 100]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cut")
    (folder / "t.csv").write_text("a,b,y\n" + "".join(f"{i % 7},{i % 3},{'xy'[i % 2]}\n" for i in range(20)))
    done = cmd("train", "t.csv", "--target", "y", "--hidden", "3", "--epochs", "1", "--out", "m.npz",
               "--checkpoint-dir", "ck", "--quiet", cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.mark.parametrize("cut", CUTS)
def test_every_reader_names_a_cut_model_alike(trained, tmp_path, cut):
    whole = (trained / "m.npz").read_bytes()
    assert len(whole) > 1000 and whole[:4] == b"PK\x03\x04"
    shutil.copy(trained / "t.csv", tmp_path / "t.csv")
    (tmp_path / "m.npz").write_bytes(whole[:cut])
    shutil.copytree(trained / "ck", tmp_path / "ck")
    (tmp_path / "ck" / "checkpoint.npz").write_bytes((trained / "ck" / "checkpoint.npz").read_bytes()[:cut])
    for words in (["predict", "m.npz", "t.csv"], ["evaluate", "m.npz", "t.csv"], ["info", "m.npz"],
                  ["explain", "--model", "m.npz"], ["export", "m.npz", "m.onnx"],
                  ["explain", "--layers", "2,3,2", "--weights", "m.npz"],
                  ["plot", "network", "--model", "m.npz", "--out", "n.png"],
                  ["explore", "--model", "m.npz", "--no-browser", "--port", "0"],
                  ["train", "t.csv", "--target", "y", "--hidden", "3", "--epochs", "2", "--checkpoint-dir", "ck",
                   "--resume", "--out", "again.npz"]):
        done = cmd(*words, cwd=tmp_path)
        said = f"'m.npz' {SAID}"          # a checkpoint in a checkpoint's words (cli/resume.py), alike for every cut
        if "--resume" in words:
            said = "'ck/checkpoint.npz' is a chainrule checkpoint or model file cut short or damaged"
        assert done.returncode == 2 and said in done.stderr, (words, done.stderr)
        assert "text" not in done.stderr and "zip archive" not in done.stderr, (words, done.stderr)
