"""An interrupted sweep's sweep_results.partial.csv, left beside a later finished sweep's sweep_results.csv, read as
this sweep's (its rows another grid's, or a part of this one): the finished sweep removes it and says so (the
command's wrote line, run_sweep's `removed`); run_sweep(overwrite=False) refuses it before any fit, as the others."""
import pandas as pd
import pytest
from conftest import cmd

from chainrule.sweep import run_sweep

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # 2 epochs: fast
FIT = {"cv": 2, "epochs": 2}
PARTIAL = "sweep_results.partial.csv"


def _interrupted_earlier(out):
    out.mkdir()
    (out / PARTIAL).write_text("lr,mean_test_score,rank_test_score\n0.5,0.3,1\n")


@pytest.mark.parametrize("refit", [True, False])
def test_a_finished_sweep_removes_an_earlier_interrupted_ones_partial_table(sweep_data, tmp_path, refit):
    out = tmp_path / "s"
    _interrupted_earlier(out)
    res = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01, 0.05]}, out_dir=out, refit=refit, **FIT)
    assert not (out / PARTIAL).exists()
    assert res.removed == [out / PARTIAL]
    assert sorted(pd.read_csv(out / "sweep_results.csv")["lr"]) == [0.01, 0.05]
    again = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir=out, refit=refit, **FIT)
    assert again.removed == []


def test_overwrite_false_refuses_the_partial_table_before_any_fit(sweep_data, tmp_path, monkeypatch):
    out = tmp_path / "s"
    _interrupted_earlier(out)
    import chainrule.sweep_search as search
    monkeypatch.setattr(search, "run_tasks", lambda *a, **k: pytest.fail("fitted before refusing"))
    with pytest.raises(FileExistsError, match=r"run_sweep: .*sweep_results\.partial\.csv' exists and overwrite=False"):
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir=out, overwrite=False, **FIT)
    assert (out / PARTIAL).read_text().startswith("lr,")


def test_the_commands_wrote_line_says_it_removed_the_partial_table(sweep_data, tmp_path):
    _interrupted_earlier(tmp_path / "sw")
    done = cmd("sweep", str(sweep_data / "iris.csv"), "--target", "species", "--grid", "lr=0.01", "--cv", "2",
               "--epochs", "2", "--out-dir", "sw", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert ("wrote sw/sweep_results.csv and sw/best_model.npz; removed sw/sweep_results.partial.csv (an earlier "
            "interrupted sweep's candidates)") in done.stderr + done.stdout
    assert sorted(p.name for p in (tmp_path / "sw").iterdir()) == ["best_model.npz", "sweep_results.csv"]
