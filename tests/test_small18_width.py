"""train's, evaluate's and predict's summaries fit a terminal 40 and 60 columns wide: evaluate's confusion matrix
(44 columns for iris' names) is headed by the classes' numbers where the names do not fit, its counts scikit-learn's."""
import sys

import numpy as np
import pytest
from conftest import cli_in_process, cmd, iris_table

sk_metrics = pytest.importorskip("sklearn.metrics")


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    folder = tmp_path_factory.mktemp("iris")
    iris_table().to_csv(folder / "iris.csv", index=False)
    r = cmd("train", folder / "iris.csv", "--target", "species", "--epochs", 5, "--val-split", "0.2", "--quiet",
            "--out", folder / "m.npz")
    assert r.returncode == 0, r.stderr
    return folder


def terminal(monkeypatch, columns: int) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)


@pytest.mark.parametrize("columns", [40, 60])
def test_train_evaluate_and_predict_fit_the_terminal(iris, capsys, monkeypatch, tmp_path, columns):
    terminal(monkeypatch, columns)
    monkeypatch.chdir(iris)               # short names: a path wider than the line stays whole
    runs = [("train", "iris.csv", "--target", "species", "--epochs", 5, "--val-split", "0.2", "--quiet",
             "--out", f"m{columns}.npz"),
            ("evaluate", "m.npz", "iris.csv"),
            ("predict", "m.npz", "iris.csv", "--out", f"p{columns}.csv")]
    for args in runs:
        code, out, err = cli_in_process(capsys, *args)
        assert code == 0, err
        assert [line for line in (out + err).splitlines() if len(line) > columns] == [], (args[0], out + err)
        if args[0] == "train":
            words = out.split()
            assert words[:2] == ["validation:", "loss"] and float(words[2].rstrip(",")) > 0 and "accuracy" in out


def test_the_narrow_confusion_matrix_is_scikit_learns(iris, capsys, monkeypatch, tmp_path):
    import pandas as pd
    predicted = tmp_path / "p.csv"
    assert cmd("predict", iris / "m.npz", iris / "iris.csv", "--out", predicted).returncode == 0
    names = ["setosa", "versicolor", "virginica"]
    truth = sk_metrics.confusion_matrix(pd.read_csv(iris / "iris.csv")["species"],
                                        pd.read_csv(predicted)["prediction"], labels=names)
    terminal(monkeypatch, 40)
    monkeypatch.chdir(iris)
    code, out, err = cli_in_process(capsys, "evaluate", "m.npz", "iris.csv")
    assert code == 0, err
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.split() == ["1", "2", "3"])
    rows = [line.split() for line in lines[at + 1:at + 4]]
    assert [r[:2] for r in rows] == [[str(i), n] for i, n in enumerate(names, 1)]
    np.testing.assert_array_equal(np.array([r[2:] for r in rows], dtype=int), truth)
    piped = cmd("evaluate", iris / "m.npz", iris / "iris.csv").stdout        # a pipe: the names head the columns
    assert "setosa versicolor  virginica" in piped
