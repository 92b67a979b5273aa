"""A folder to be made whose path starts with a quoted '~' (Python expands none; a shell does, unquoted): fit's
checkpoint_dir was refused, but run_sweep's out_dir made a folder named '~' in the current one after every fit,
and the command's --checkpoint-dir / --out-dir were told os.path.expanduser, Python's remedy, not the shell's."""
import numpy as np
import pytest
from conftest import cmd

from chainrule.errors import ValidationError
from chainrule.sweep import run_sweep

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # 1 epoch: fast


def test_run_sweeps_out_dir_starting_with_tilde_is_refused_before_any_fit(sweep_data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                 # no folder named '~' here
    import chainrule.sweep_search as search
    monkeypatch.setattr(search, "run_tasks", lambda *a, **k: pytest.fail("fitted before refusing"))
    with pytest.raises(ValidationError, match=r"^out_dir '~/s' starts with '~', which Python does not expand: it "
                                              r"would create a folder named '~' in the current one; give "
                                              r"os\.path\.expanduser\('~/s'\) for your home's$"):
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir="~/s", cv=2, epochs=1)
    assert list(tmp_path.iterdir()) == []


def test_the_commands_folders_starting_with_a_quoted_tilde_are_told_the_shells_remedy(sweep_data, tmp_path,
                                                                                       monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = sweep_data / "iris.csv"
    runs = {"--out-dir": cmd("sweep", str(data), "--target", "species", "--grid", "lr=0.01", "--cv", "2",
                             "--epochs", "1", "--out-dir", "~/s"),
            "--checkpoint-dir": cmd("train", str(data), "--target", "species", "--epochs", "1",
                                    "--out", str(tmp_path / "m.npz"), "--checkpoint-dir", "~/ck")}
    for option, run in runs.items():
        assert run.returncode != 0
        assert (f"{option} '~/" in run.stderr and "starts with '~', which Python does not expand" in run.stderr
                and "write it unquoted, which the shell expands, or your home's path" in run.stderr), run.stderr
        assert "expanduser" not in run.stderr
    assert [p.name for p in tmp_path.iterdir()] == []


def test_a_folder_really_named_tilde_is_used(sweep_data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "~").mkdir()
    res = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir="~/s", cv=2, epochs=1,
                    refit=False)
    assert (tmp_path / "~" / "s" / "sweep_results.csv").is_file()
    assert np.isfinite(res.best_score_)
