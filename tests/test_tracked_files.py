"""No command's output is committed: a test that ran `chainrule sweep` without --out-dir wrote sweep/ into the
repository's root (sweep_results.csv, best_model.npz), and it was committed as if it were source."""
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: what chainrule's commands write by default (sweep's --out-dir, its results and best model)
OUTPUTS = ("sweep_results.csv", "best_model.npz")


def test_no_command_output_is_tracked():
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: nothing is tracked")
    outputs = [p for p in listed.stdout.splitlines() if Path(p).name in OUTPUTS or p.startswith("sweep/")]
    assert outputs == [], f"command outputs committed: {outputs}"
