"""The table `chainrule sweep` prints is read by a person in an 80-column terminal: cv_results_' names of the score
columns (mean_test_score, std_test_score, rank_test_score) took 50 of its columns, so that a grid of a few names
printed 110-column lines; the printed rows are the results file's, best first."""
import pytest
from conftest import cmd

pd = pytest.importorskip("pandas")


def test_the_printed_table_of_a_grid_of_seven_names_fits_80_columns(sweep_data, tmp_path):
    grid = ("hidden=8,64x32x16;lr=0.01;batch=16;activation=tanh,leaky_relu;alpha=0.0001;optimizer=adam;"
            "class_weight=none,balanced")
    r = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", grid, "--epochs", "1", "--cv", "2",
            "--out-dir", tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:1] == ["hidden"])
    table = lines[header:header + 9]
    assert max(map(len, table)) <= 80, "\n".join(table)
    assert table[0].split() == ["hidden", "lr", "batch", "activation", "alpha", "optimizer", "class_weight", "mean",
                                "std", "rank"]
    written = pd.read_csv(tmp_path / "sweep_results.csv", keep_default_na=False)
    for line, (_, row) in zip(table[1:], written.iterrows(), strict=True):
        cells = line.split()
        assert cells[:7] == [str(row[k]) for k in ("hidden", "lr", "batch", "activation", "alpha", "optimizer",
                                                    "class_weight")]
        assert [float(c) for c in cells[7:9]] == pytest.approx([row.mean_test_score, row.std_test_score], abs=5e-5)
        assert int(cells[9]) == row.rank_test_score


def test_the_printed_table_spells_a_value_as_the_grid_and_the_best_line_do(sweep_data, tmp_path):
    """The table printed 0.05 beside the best line's lr=5e-2: one value, two spellings; the results file keeps the
    numbers as numbers."""
    spelled = {"lr": ["5e-2", "1E-3"], "alpha": ["1e-4"]}
    grid = ";".join(f"{k}={','.join(v)}" for k, v in spelled.items())
    r = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", grid, "--epochs", "1", "--cv", "2",
            "--out-dir", tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:1] == ["lr"])
    rows = [line.split() for line in lines[header + 1:header + 3]]
    assert sorted(row[0] for row in rows) == sorted(spelled["lr"]) and {row[1] for row in rows} == {"1e-4"}
    best = next(line for line in r.stdout.splitlines() + r.stderr.splitlines() if line.startswith("best: "))
    assert best.startswith(f"best: lr={rows[0][0]}, alpha=1e-4 "), best
    written = pd.read_csv(tmp_path / "sweep_results.csv")
    assert written.lr.dtype == float and sorted(written.lr) == sorted(float(v) for v in spelled["lr"])
    assert written.lr[0] == float(rows[0][0]) and list(written.alpha) == [1e-4, 1e-4]


def test_the_printed_table_spells_none_as_the_grid_and_the_best_line_do(sweep_data, tmp_path):
    """A grid's class_weight=None was printed none in the table beside the best line's class_weight=None."""
    r = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "class_weight=None,balanced",
            "--epochs", "1", "--cv", "2", "--out-dir", tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:1] == ["class_weight"])
    assert sorted(line.split()[0] for line in lines[header + 1:header + 3]) == ["None", "balanced"], r.stdout
    assert "class_weight=None" in r.stdout + r.stderr
    assert sorted(pd.read_csv(tmp_path / "sweep_results.csv", keep_default_na=False).class_weight) == \
        ["balanced", "none"]       # the results file's none, which pandas reads back as text
