"""`train --resume` where the checkpoint's place holds something else (a text file, a checkpoint cut short, a model
file, an ONNX file, a CSV file, an empty file, a folder): it was refused with a model file's advice ("chainrule
predict MODEL DATA"); now in a checkpoint's words, what the file is and how to start over, the file left as it was.
A new run (no --resume) refused it after reading the CSV file, in the same model file's words: now first, as such."""
import os
import shutil
from pathlib import Path

import pytest
from conftest import cmd

KINDS = {
    "text": ("text (a CSV file of data?)", lambda ck, good: (ck / "checkpoint.npz").write_text("x\n")),
    "cut": ("a chainrule checkpoint or model file cut short or damaged (a copy incomplete, a full disk?)",
            lambda ck, good: (ck / "checkpoint.npz").write_bytes((good / "ck" / "checkpoint.npz").read_bytes()[:3000])),
    "model": ("a chainrule model file (net.save or `chainrule train --out` writes one)",
              lambda ck, good: shutil.copy(good / "m.npz", ck / "checkpoint.npz")),
    "onnx": ("an ONNX model", lambda ck, good: shutil.copy(good / "m.onnx", ck / "checkpoint.npz")),
    "csv": ("text (a CSV file of data?)", lambda ck, good: shutil.copy(good / "iris.csv", ck / "checkpoint.npz")),
    "empty": ("empty (0 bytes)", lambda ck, good: (ck / "checkpoint.npz").write_bytes(b"")),
    "folder": ("a folder", lambda ck, good: (ck / "checkpoint.npz").mkdir()),
}


def why(kind: str) -> str:
    """A checkpoint cut short is one that cannot be read, not one that is no checkpoint."""
    return "which cannot be read" if kind == "cut" else "not a training checkpoint"


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A real checkpoint folder, the model file of its run and that model's ONNX export."""
    folder = tmp_path_factory.mktemp("good")
    assert cmd("data", "iris.csv", "--out", str(folder)).returncode == 0
    r = cmd("train", "iris.csv", "--target", "species", "--epochs", "1", "--quiet", "--checkpoint-dir", "ck",
            "--out", "m.npz", cwd=folder)
    assert r.returncode == 0, r.stderr
    assert cmd("export", "m.npz", "m.onnx", cwd=folder).returncode == 0
    return folder


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_that_is_no_checkpoint_is_refused_in_a_checkpoints_words(kind, good, tmp_path):
    what, make = KINDS[kind]
    (tmp_path / "ck").mkdir()
    make(tmp_path / "ck", good)
    shutil.copy(good / "iris.csv", tmp_path / "iris.csv")
    before = sorted(p.name for p in (tmp_path / "ck").rglob("*"))
    r = cmd("train", "iris.csv", "--target", "species", "--epochs", "2", "--checkpoint-dir", "ck", "--resume",
            "--out", "r.npz", cwd=tmp_path)
    assert r.returncode == 2
    path = "ck/checkpoint.npz"
    assert r.stderr.splitlines()[-1] == (
        f"chainrule: error: --resume: '{path}' is {what}, {why(kind)}: --resume goes on from the "
        "checkpoint.npz that `chainrule train --checkpoint-dir` wrote in that folder; to start over, give another "
        f"--checkpoint-dir, or move '{path}' away and train without --resume")
    if kind == "text":         # docs/errors.md shows this one
        assert f"\n> {r.stderr.splitlines()[-1]}\n" in (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    assert "MODEL DATA" not in r.stderr and not (tmp_path / "r.npz").exists()
    assert sorted(p.name for p in (tmp_path / "ck").rglob("*")) == before


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "model"])     # a model file: fit's own words, whole
def test_a_new_run_refuses_it_in_a_checkpoints_words_before_reading(kind, good, tmp_path):
    """Without --resume, fit refused it after the CSV file was read, with a model file's words inside."""
    what, make = KINDS[kind]
    (tmp_path / "ck").mkdir()
    make(tmp_path / "ck", good)
    shutil.copy(good / "iris.csv", tmp_path / "iris.csv")
    r = cmd("train", "iris.csv", "--target", "species", "--epochs", "2", "--checkpoint-dir", "ck", "--out", "r.npz",
            cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr          # before the reading lines
    fate = "would replace it"
    if kind == "folder":           # no file replaces a folder: a new run could not write there, not replace it
        with pytest.raises(IsADirectoryError):
            (tmp_path / "new.npz").write_bytes(b"")
            os.replace(tmp_path / "new.npz", tmp_path / "ck" / "checkpoint.npz")
        fate = "could not write its checkpoint there"
    assert r.stderr == (f"chainrule: error: --checkpoint-dir: 'ck/checkpoint.npz' is {what}, {why(kind)}, "
                        f"and a new run {fate}: give another --checkpoint-dir, or move 'ck/checkpoint.npz' "
                        "away\n")
    assert not (tmp_path / "r.npz").exists()
    if kind == "empty":        # docs/errors.md shows this one
        line = r.stderr.strip().removeprefix("chainrule: error: ")
        assert f"`{line}`" in (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
