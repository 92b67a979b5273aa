"""`--features ""` (an unset variable: `--features "$COLS"`) named no column and trained on all of them."""
from pathlib import Path

import pytest
from conftest import cmd

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "chainrule" / "data" / "examples"


@pytest.mark.parametrize("command", ["train", "sweep"])
@pytest.mark.parametrize("given", ["", " , "])
def test_features_naming_no_column_is_refused(tmp_path, command, given):
    out = tmp_path / ("m.npz" if command == "train" else "sweep")
    r = cmd(command, EXAMPLES / "iris.csv", "--target", "species", "--features", given, "--out", out,
            "--epochs", "1")
    assert r.returncode == 2, r.stderr[-500:]
    assert "argument --features: expected the input columns' names" in r.stderr and repr(given) in r.stderr
    assert not out.exists()
