"""An empty scheduler address (`--scheduler "$DASK_SCHEDULER"` with the variable unset) ran the whole sweep on this
machine without a word, as if no --scheduler were given: it is refused before the file is read, as every address
not of Dask's form is."""
import pytest
from conftest import cmd

pytest.importorskip("distributed")


@pytest.mark.parametrize("address", ["", "  "])
def test_an_empty_scheduler_is_refused_on_the_command_line(tmp_path, address):
    done = cmd("sweep", "missing.csv", "--target", "y", "--grid", "lr=0.01", "--epochs", "1", "--scheduler", address,
               "--out-dir", "sw", cwd=tmp_path)      # refused before the file is read: missing.csv is not said
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("chainrule: error: the Dask scheduler address is empty"), done.stderr
    assert "tcp://host:8786" in done.stderr and not (tmp_path / "sw").exists()


def test_an_empty_scheduler_is_refused_by_run_sweep(tmp_path):
    from chainrule.errors import ValidationError
    from chainrule.sweep import run_sweep
    with pytest.raises(ValidationError, match="the Dask scheduler address is empty"):
        run_sweep(tmp_path / "missing.csv", "y", "lr=0.01", scheduler="", out_dir=tmp_path / "sw", epochs=1)
    assert not (tmp_path / "sw").exists()
