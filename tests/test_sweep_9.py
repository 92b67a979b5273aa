"""The grid's values shown as written by `chainrule sweep`."""
import csv
import subprocess
import sys


def test_a_grid_of_an_integer_and_infinity_is_shown_as_written(sweep_data, tmp_path):
    """'n_iter_no_change=2,np.inf': pandas made the column float, and the table, the best: line and the results file
    said 2.0 where the grid (and the params column) say 2."""
    run = subprocess.run([sys.executable, "-m", "chainrule", "sweep", str(sweep_data / "iris.csv"), "--target",
                          "species", "--grid", "n_iter_no_change=2,np.inf", "--epochs", "3", "--cv", "2",
                          "--out-dir", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "2.0" not in run.stdout, run.stdout
    lines = run.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:1] == ["n_iter_no_change"])
    assert sorted(line.split()[0] for line in lines[header + 1:header + 3]) == ["2", "inf"]
    best = next(line for line in lines if line.startswith("best: "))
    assert best.split()[1].rstrip(",") in ("n_iter_no_change=2", "n_iter_no_change=inf")
    with open(tmp_path / "sweep_results.csv", newline="") as f:
        assert sorted(row["n_iter_no_change"] for row in csv.DictReader(f)) == ["2", "inf"]
