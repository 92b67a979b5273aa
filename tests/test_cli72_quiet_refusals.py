"""`train --quiet` with a --schedule that only the other options tell wrong (a later one --epochs never reaches, a
plateau watching val_loss under --val-split 0) ended with exit code 2 saying nothing: the refusal was printed inside
the block whose stderr --quiet drops. It is said as without --quiet."""
import pytest
from conftest import cmd

ROWS = "a,b,y\n" + "".join(f"{i % 7},{(i * 3) % 5},{'xy'[i % 2]}\n" for i in range(40))


@pytest.mark.parametrize("options, said", [
    (["--schedule", "step:step_size=2", "--schedule", "cosine@9:T_max=3"], "which --epochs 8 never reaches"),
    (["--schedule", "plateau:patience=2", "--val-split", "0"], "plateau watches 'val_loss'"),
    (["--schedule", "plateau:monitor=lss,mode=min"], "which this run does not log"),
])
def test_a_schedule_refusal_is_said_under_quiet(tmp_path, options, said):
    (tmp_path / "t.csv").write_text(ROWS)
    words = ["train", "t.csv", "--target", "y", "--epochs", "8", "--out", "m.npz", *options]
    loud, quiet = cmd(*words, cwd=tmp_path), cmd(*words, "--quiet", cwd=tmp_path)
    assert loud.returncode == quiet.returncode == 2, (loud.stderr, quiet.stderr)
    last = quiet.stderr.strip().splitlines()[-1] if quiet.stderr.strip() else ""
    assert last.startswith("chainrule train: error: argument --schedule:") and said in last, quiet.stderr
    assert loud.stderr.strip().splitlines()[-1] == last and quiet.stdout == ""
    assert not (tmp_path / "m.npz").exists()
