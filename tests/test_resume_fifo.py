"""A named pipe (os.mkfifo) in the place of a run's checkpoint or history.jsonl: train --checkpoint-dir (a new run)
and --resume opened it to read it, and waited for ever for a process to write it; refused now before any reading,
in a checkpoint's words. A real process: the hang is what is tested."""
import os
import subprocess
import sys

import pytest
from conftest import iris_table

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX's")


@pytest.mark.parametrize("name", ["checkpoint.npz", "history.jsonl"])
@pytest.mark.parametrize("resume", [False, True])
def test_a_pipe_in_the_checkpoints_place_is_refused_at_once(tmp_path, name, resume):
    iris_table().to_csv(tmp_path / "iris.csv", index=False)
    (tmp_path / "ck").mkdir()
    pipe = tmp_path / "ck" / name
    os.mkfifo(pipe)
    r = subprocess.run([sys.executable, "-m", "chainrule.cli", "train", str(tmp_path / "iris.csv"), "--target",
                        "species", "--epochs", "2", "--hidden", "4", "--out", str(tmp_path / "m.npz"),
                        "--checkpoint-dir", str(tmp_path / "ck"), *(["--resume"] * resume)],
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 2, r.stderr
    line = r.stderr.splitlines()[-1]
    option = "--resume" if resume and name == "checkpoint.npz" else "--checkpoint-dir"
    assert line.startswith(f"chainrule: error: {option}: {str(pipe)!r} is a named pipe (FIFO), not "), line
    assert f"move {str(pipe)!r} away" in line
    assert not (tmp_path / "m.npz").exists() and pipe.exists()
