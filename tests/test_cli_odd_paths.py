"""Paths that are not what a command reads or writes: a named pipe (FIFO) given as a model file or as
--checkpoint-dir is refused at once, naming it (a model FIFO was said not to exist; a --checkpoint-dir FIFO or file
'cannot be created (File exists)'), as a FIFO, a folder or a missing folder given as --out already were. Each runs
in a real process with a timeout: a FIFO opened for reading waits for ever for a writer."""
import os
import subprocess
import sys

import pytest

DATA = "a,b,y\n" + "".join(f"{i / 10},{i % 7},{i % 2}\n" for i in range(30))


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "chainrule.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, check=False, timeout=60)


@pytest.fixture()
def place(tmp_path):
    (tmp_path / "d.csv").write_text(DATA)
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    return tmp_path


@pytest.mark.parametrize("args", [("predict", "fifo", "d.csv"), ("evaluate", "fifo", "d.csv"), ("info", "fifo"),
                                  ("export", "fifo", "--out", "x.onnx"), ("explain", "fifo")])
def test_a_fifo_as_the_model_file_is_refused_at_once(place, args):
    r = run(*args, cwd=place)
    assert r.returncode == 2 and r.stderr == ("chainrule: error: model file 'fifo' is a named pipe (FIFO), not a "
                                              "file: give the path of the chainrule model file (.npz)\n"), r.stderr


@pytest.mark.parametrize("where, what", [("fifo", "a named pipe (FIFO)"), ("d.csv", "a file")])
def test_a_checkpoint_dir_that_is_not_a_folder_is_named(place, where, what):
    r = run("train", "d.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--checkpoint-dir", where, cwd=place)
    assert r.returncode == 2 and f"--checkpoint-dir '{where}' is {what}, not a folder" in r.stderr, r.stderr
    assert not (place / "m.npz").exists()


@pytest.mark.parametrize("out, said", [("fifo", "--out 'fifo' is not a regular file (a pipe, device or socket)"),
                                       ("folder", "--out 'folder' is a folder; give a file name"),
                                       ("nowhere/out{ext}", "the folder '{place}/nowhere' does not exist")])
@pytest.mark.parametrize("command", ["train", "predict"])
def test_an_out_that_cannot_be_a_file_is_refused_at_once(tmp_path, place, out, said, command):
    args = ("train", "d.csv", "--target", "y", "--epochs", "1") if command == "train" else ("predict", "m.npz",
                                                                                            "d.csv")
    if command == "predict":
        assert run("train", "d.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", cwd=place).returncode == 0
    r = run(*args, "--out", out.format(ext=".npz" if command == "train" else ".csv"), cwd=place)
    assert r.returncode == 2 and said.format(place=place) in r.stderr, r.stderr


def test_a_checkpoint_dir_that_is_a_broken_link_is_named_so(place):
    """A link to nothing was called 'a file', which it is not (os.path.exists says no)."""
    os.symlink(place / "gone", place / "link")
    assert os.path.lexists(place / "link") and not os.path.exists(place / "link")
    r = run("train", "d.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--checkpoint-dir", "link", cwd=place)
    assert r.returncode == 2 and (f"--checkpoint-dir 'link' is a broken symbolic link (to '{place / 'gone'}', which "
                                  "does not exist), not a folder") in r.stderr, r.stderr
