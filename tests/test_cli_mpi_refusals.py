"""A refusal comes before any output: `train --class-weight balanced --mpi` (and --weight, --stream, --resume without
--checkpoint-dir, a wrong --activation under --mpi) printed the job's line 'MPI job of 1 rank: rank 0 is pid ...'
before saying the options cannot be combined. The line now follows the options' checks."""
import pytest
from conftest import cmd

pytest.importorskip("mpi4py")


@pytest.mark.parametrize("options, said", [
    (["--class-weight", "balanced"], "--class-weight and --mpi cannot be combined"),
    (["--weight", "w"], "--weight and --mpi cannot be combined"),
    (["--stream"], "--stream and --mpi cannot be combined"),
    (["--resume"], "--resume needs --checkpoint-dir"),
    (["--activation", "nope"], "--activation 'nope' is not known"),
])
def test_options_refused_under_mpi_say_nothing_before(tmp_path, options, said):
    (tmp_path / "t.csv").write_text("a,w,y\n" + "".join(f"{i % 7},1,{'xy'[i % 2]}\n" for i in range(20)))
    done = cmd("train", "t.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--mpi", *options, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == "", done.stderr
    lines = done.stderr.splitlines()        # the options' own refusals: under the command's usage, as argparse's
    usage = lines[0].startswith("usage: chainrule train ")
    assert lines[-1].startswith("chainrule train: error: " if usage else "chainrule: error: ") and said in lines[-1]
    assert len(lines) == 1 or usage and all(line.startswith(" ") for line in lines[1:-1]), lines
    assert not (tmp_path / "m.npz").exists()


def test_the_jobs_line_still_opens_a_job_that_trains(tmp_path):
    (tmp_path / "t.csv").write_text("a,w,y\n" + "".join(f"{i % 7},1,{'xy'[i % 2]}\n" for i in range(20)))
    done = cmd("train", "t.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--mpi", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr.startswith("MPI job of 1 rank: rank 0 is pid "), done.stderr


@pytest.mark.parametrize("options, said", [
    (["--out", "missing/m.npz"], "missing' does not exist"),
    (["--out", "ck/checkpoint.npz", "--checkpoint-dir", "ck"], "is the checkpoint.npz of --checkpoint-dir 'ck'"),
])
def test_out_and_checkpoint_refusals_under_mpi_say_nothing_before(tmp_path, options, said):
    """The neighbours: an --out in a folder that does not exist, an --out that is the
    checkpoint itself were refused after the job's line; they are options' refusals too."""
    (tmp_path / "t.csv").write_text("a,y\n" + "".join(f"{i % 7},{'xy'[i % 2]}\n" for i in range(20)))
    (tmp_path / "ck").mkdir()
    done = cmd("train", "t.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--mpi", *options, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == "", done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("chainrule: error: ") and said in lines[0], lines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck", "t.csv"] and not any((tmp_path / "ck").iterdir())
