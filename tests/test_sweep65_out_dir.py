"""A sweep into an out-dir holding an earlier sweep's files replaces them, as `cr.save` and Keras' save do (and
`chainrule plot` its figure): run_sweep(overwrite=False) refuses them before any fit, as cr.save(overwrite=False),
and the command's wrote line names what it replaced, where both had replaced them silently."""
import pytest
from conftest import cli_in_process

import chainrule as cr
from chainrule.errors import ValidationError
from chainrule.sweep import run_sweep

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # 2 epochs: fast
FIT = {"cv": 2, "epochs": 2}


def test_overwrite_false_refuses_an_earlier_sweeps_files_before_any_fit(sweep_data, tmp_path, monkeypatch):
    out = tmp_path / "s"
    run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir=out, **FIT)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    import chainrule.sweep_search as search
    monkeypatch.setattr(search, "run_tasks", lambda *a, **k: pytest.fail("fitted before refusing"))
    with pytest.raises(FileExistsError, match=r"run_sweep: .*sweep_results\.csv' exists and overwrite=False"):
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.1]}, out_dir=out, overwrite=False, **FIT)
    (out / "sweep_results.csv").unlink()       # the model alone is an earlier sweep's too (refit writes one)
    with pytest.raises(FileExistsError, match=r"best_model\.npz' exists and overwrite=False"):
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.1]}, out_dir=out, overwrite=False, **FIT)
    assert (out / "best_model.npz").read_bytes() == before["best_model.npz"]
    with pytest.raises(ValidationError, match="overwrite must be True or False; got 'no'"):
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.1]}, out_dir=tmp_path / "new", overwrite="no", **FIT)
    # the same refusal as cr.save's over a model file
    with pytest.raises(FileExistsError, match=r"exists and overwrite=False"):
        cr.save(cr.load(out / "best_model.npz"), out / "best_model.npz", overwrite=False)


def test_overwrite_false_writes_into_a_folder_without_a_sweep(sweep_data, tmp_path):
    res = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir=tmp_path / "s", overwrite=False,
                    refit=False, **FIT)
    assert res.results_path.is_file() and res.model_path is None
    run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir=tmp_path / "s", overwrite=True, **FIT)


def test_the_commands_wrote_line_names_the_files_it_replaced(sweep_data, tmp_path, capsys):
    out = tmp_path / "s"
    args = ("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "lr=0.01", "--epochs", "2", "--cv",
            "2", "--out-dir", out)
    code, first, _ = cli_in_process(capsys, *args)
    assert code == 0 and "replacing" not in first
    old = (out / "sweep_results.csv").read_bytes()
    code, again, _ = cli_in_process(capsys, *args[:5], "lr=0.02", *args[6:])
    assert code == 0 and (out / "sweep_results.csv").read_bytes() != old
    line = again.strip().splitlines()[-1]
    assert line.count("(replacing an earlier sweep's)") == 2 and "best_model.npz" in line
