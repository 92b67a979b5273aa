"""README's first commands, read as a new user reads them: what each comment says of an option is what the
option does."""
import re
from pathlib import Path

from conftest import cmd

ROOT = Path(__file__).resolve().parents[1]


def explain_lines() -> list[str]:
    return [line for line in (ROOT / "README.md").read_text().splitlines()
            if line.startswith("chainrule explain ") and "--row" in line and "#" in line]


def test_the_readme_says_row_counts_from_1_where_it_says_layer_and_neuron_count_from_0():
    """README's `explain --row 51 --layer 1 --neuron 1   # 0-based: output unit o2` read as if --row were
    0-based too (row 51 the 52nd row); --row counts from 1, as explain's help and its own `sample:` line say."""
    lines = explain_lines()
    assert lines, "README.md's first commands no longer explain a row of iris.csv"
    for line in lines:
        comment = line.split("#", 1)[1]
        if re.search(r"0-based|from 0", comment):
            assert re.search(r"row \d+ counts from 1|--row counts from 1", comment), (
                f"README.md: {line!r} calls the options 0-based without saying that --row counts from 1")


def test_row_counts_from_1_as_the_readme_says(tmp_path):
    """Guards what already worked: --row 1 is the first row below the header, and explain's help says so."""
    shown = cmd("explain", "--help", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    help_text = shown.stdout
    assert "1 = the first row" in " ".join(help_text.split())
    assert cmd("data", "iris.csv", cwd=tmp_path).returncode == 0
    assert cmd("train", "iris.csv", "--target", "species", "--hidden", "2", "--epochs", "1", "--out", "iris.npz",
        "--quiet", cwd=tmp_path).returncode == 0
    out = cmd("explain", "--model", "iris.npz", "--data", "iris.csv", "--row", "51", "--layer", "1",
              "--neuron", "1", cwd=tmp_path).stdout
    assert "sample: row 51 (line 52) of iris.csv" in out
    assert "i1 = 'sepal_length' standardised: (7 - " in out     # line 52 of the file: 7.0,3.2,4.7,1.4,versicolor
    assert "class 1 ('species' = 'versicolor')" in out
