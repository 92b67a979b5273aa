"""--resume and --checkpoint-dir name the checkpoint's file or folder quoted, as every other message of the commands
names a file: a folder 'my run' (a space in it) is one name, not two words of the sentence."""
import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cmd  # noqa: E402


@pytest.fixture()
def table(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=40)
    pd.DataFrame({"x": x, "y": 2 * x}).to_csv(tmp_path / "d.csv", index=False)
    return tmp_path


def train(folder, *more):
    return cmd("train", "d.csv", "--target", "y", "--epochs", "1", "--hidden", "3", "--out", "m.npz",
               "--checkpoint-dir", "my run", *more, cwd=folder)


@pytest.mark.parametrize("resume", [False, True])
def test_a_file_in_the_checkpoints_place_is_named_quoted(table, resume):
    (table / "my run").mkdir()
    (table / "my run" / "checkpoint.npz").write_text("a,b\n1,2\n")
    r = train(table, *(["--resume"] * resume))
    assert r.returncode == 2
    line = r.stderr.strip().splitlines()[-1]
    option = "--resume" if resume else "--checkpoint-dir"
    assert line.startswith(f"chainrule: error: {option}: 'my run/checkpoint.npz' is "), line
    assert "move 'my run/checkpoint.npz' away" in line


def test_the_resumed_runs_notes_name_the_folder_quoted(table):
    r = train(table, "--resume")
    assert r.returncode == 0, r.stderr
    assert "no checkpoint in 'my run' yet: starting at epoch 1 of 1" in r.stderr
    r = train(table, "--resume")
    assert r.returncode == 0, r.stderr
    assert "nothing left to train: the checkpoint in 'my run' has finished epoch 1" in r.stderr
    r = cmd("train", "d.csv", "--target", "y", "--epochs", "2", "--hidden", "4", "--out", "m.npz",
            "--checkpoint-dir", "my run", "--resume", cwd=table)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1].startswith("chainrule: error: cannot resume from 'my run/checkpoint.npz'")


def test_a_new_run_names_a_model_file_or_an_unfinished_run_there_quoted(table):
    """fit's own refusals of a new run over what is in the checkpoint's place (a model file)
    name the file bare, as the library does: the command quotes it as it names every file."""
    r = cmd("train", "d.csv", "--target", "y", "--epochs", "1", "--hidden", "3", "--out", "m.npz", cwd=table)
    assert r.returncode == 0, r.stderr
    (table / "my run").mkdir()
    (table / "my run" / "checkpoint.npz").write_bytes((table / "m.npz").read_bytes())
    r = train(table, "--quiet")
    assert r.returncode == 2, r.stderr
    line = r.stderr.strip().splitlines()[-1]
    assert line.startswith("chainrule: error: 'my run/checkpoint.npz' is a model file, not a training checkpoint"), line
    assert line.endswith("move it elsewhere, or use another --checkpoint-dir"), line     # a model: never 'delete'
    assert (table / "my run" / "checkpoint.npz").exists()
