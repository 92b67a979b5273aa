"""An empty scheduler address (`--scheduler "$DASK_SCHEDULER"` with the variable unset) ran the whole sweep on this
machine without a word, as if no --scheduler were given: it is refused before the file is read, as every address
not of Dask's form is. An empty --class-weight, likewise, trained unweighted."""
import pytest
from conftest import cmd


@pytest.mark.parametrize("address", ["", "  "])
def test_an_empty_scheduler_is_refused_on_the_command_line(tmp_path, address):
    pytest.importorskip("distributed")
    done = cmd("sweep", "missing.csv", "--target", "y", "--grid", "lr=0.01", "--epochs", "1", "--scheduler", address,
               "--out-dir", "sw", cwd=tmp_path)      # refused before the file is read: missing.csv is not said
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("chainrule: error: the Dask scheduler address is empty"), done.stderr
    assert "tcp://host:8786" in done.stderr and not (tmp_path / "sw").exists()


def test_an_empty_scheduler_is_refused_by_run_sweep(tmp_path):
    pytest.importorskip("distributed")
    from chainrule.errors import ValidationError
    from chainrule.sweep import run_sweep
    with pytest.raises(ValidationError, match="the Dask scheduler address is empty"):
        run_sweep(tmp_path / "missing.csv", "y", "lr=0.01", scheduler="", out_dir=tmp_path / "sw", epochs=1)
    assert not (tmp_path / "sw").exists()


@pytest.mark.parametrize("command", ["train", "sweep"])
def test_an_empty_class_weight_is_refused(tmp_path, command):
    """The neighbour: `--class-weight ""` trained unweighted without a word, where '  ' was refused."""
    (tmp_path / "t.csv").write_text("a,y\n" + "".join(f"{i % 7},{'xy'[i % 2]}\n" for i in range(20)))
    more = ["--grid", "lr=0.01", "--out-dir", "sw"] if command == "sweep" else ["--out", "m.npz"]
    done = cmd(command, "t.csv", "--target", "y", "--epochs", "1", *more, "--class-weight", "", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "--class-weight" in done.stderr and "got ''" in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


@pytest.mark.parametrize("more", [[], ["--stream"]])
def test_an_empty_weight_column_is_refused_by_train(tmp_path, more):
    """The neighbour: train's `--weight ""` trained unweighted without a word, where sweep's says no such column."""
    (tmp_path / "t.csv").write_text("a,y\n" + "".join(f"{i % 7},{'xy'[i % 2]}\n" for i in range(20)))
    done = cmd("train", "t.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--weight", "", *more,
               cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "argument --weight: expected the name of a column of sample weights (or no --weight for none); got ''" \
        in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]
