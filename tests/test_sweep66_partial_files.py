"""The folder's files run_sweep refuses before any fit: a read-only partial table of an interrupted sweep is only
removed when this one finishes (its folder allows that, as `rm` does), so it is not refused as a read-only table
would be; overwrite=False's refusals are docs/errors.md's rows, whole, each file left as it was."""
import stat
from pathlib import Path

import pandas as pd
import pytest

from chainrule.sweep import run_sweep

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # 2 epochs: fast
FIT = {"cv": 2, "epochs": 2}
PARTIAL = "sweep_results.partial.csv"


def _documented(case: str) -> str:
    doc = (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
    table = doc.split("## Every case, with its message", 1)[1].split("\n## ", 1)[0]
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 4 and cells[0] == case:
            assert cells[1] == "`FileExistsError`", case
            return cells[2]
    raise AssertionError(f"docs/errors.md has no row {case!r}")


def test_a_read_only_partial_table_is_removed_not_refused(sweep_data, tmp_path):
    out = tmp_path / "s"
    out.mkdir()
    (out / PARTIAL).write_text("lr,mean_test_score,rank_test_score\n0.5,0.3,1\n")
    (out / PARTIAL).chmod(stat.S_IRUSR)
    res = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir=out, **FIT)
    assert res.removed == [out / PARTIAL] and not (out / PARTIAL).exists()
    assert pd.read_csv(out / "sweep_results.csv")["lr"].tolist() == [0.01]


def test_a_read_only_table_is_still_refused_before_any_fit(sweep_data, tmp_path, monkeypatch):
    out = tmp_path / "s"
    out.mkdir()
    (out / "sweep_results.csv").write_text("lr\n0.5\n")
    (out / "sweep_results.csv").chmod(stat.S_IRUSR)
    import chainrule.sweep_search as search
    monkeypatch.setattr(search, "run_tasks", lambda *a, **k: pytest.fail("fitted before refusing"))
    with pytest.raises(PermissionError, match="Read-only file"):      # its mode said, as cp says it (root too)
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir=out, **FIT)


@pytest.mark.parametrize(("case", "files", "refit"), [
    ("run_sweep overwrite=False over a table", ["sweep_results.csv", "best_model.npz"], True),
    ("run_sweep overwrite=False over a best model", ["best_model.npz"], True),
    ("run_sweep overwrite=False over a partial table", [PARTIAL], False),
])
def test_overwrite_false_refusals_are_documented_as_raised(sweep_data, tmp_path, monkeypatch, case, files, refit):
    monkeypatch.chdir(tmp_path)
    first = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir="s", **FIT)
    assert first.model_path is not None
    for path in Path("s").iterdir():
        if path.name not in files:
            path.unlink()
    if PARTIAL in files:
        Path("s", PARTIAL).write_text("lr,mean_test_score,rank_test_score\n0.5,0.3,1\n")
    before = {p.name: p.read_bytes() for p in Path("s").iterdir()}
    import chainrule.sweep_search as search
    monkeypatch.setattr(search, "run_tasks", lambda *a, **k: pytest.fail("fitted before refusing"))
    with pytest.raises(FileExistsError) as info:
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, out_dir="s", overwrite=False, refit=refit,
                  **FIT)
    assert str(info.value) == _documented(case)
    assert {p.name: p.read_bytes() for p in Path("s").iterdir()} == before
