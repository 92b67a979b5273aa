"""Small leftovers of the CSV command line, data reading, resumed runs and sweeps."""
import re

import numpy as np
import pandas as pd
import pytest

from chainrule.data.tabular import Preprocessing
from chainrule.errors import ValidationError


def _regression(y_scale=2.0, y_mean=10.0):
    df = pd.DataFrame({"a": np.arange(8.0), "y": np.arange(8.0) * y_scale + y_mean})
    return Preprocessing.fit(df, "y", task="regression")


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_decode_refuses_a_regressions_nonfinite_output(value):
    pre = _regression()
    out = np.array([[0.5], [value], [1.0]])
    with pytest.raises(ValidationError, match=r"decode: 1 row's outputs are NaN or infinite \(first: row 1\)"):
        pre.decode(out)
    assert np.allclose(pre.decode(out[[0, 2]]), out[[0, 2], 0] * pre.y_scale + pre.y_mean)   # finite ones as ever


def test_decode_refuses_a_regression_beyond_float64_once_scaled_back():
    pre = _regression()
    pre.y_scale = 1e300                         # a target near 1e300: an output of 1e10 is beyond float64 in its units
    with pytest.raises(ValidationError, match="beyond float64's range as 'y' is scaled back"):
        pre.decode(np.array([[1.0], [1e10]]))


def test_predict_and_evaluate_read_in_the_chunks_train_stream_reads(tmp_path, monkeypatch):
    """predict kept its own default (50,000 rows) beside CsvStream's (100,000): one definition, read where used."""
    from conftest import cmd

    import chainrule.data.chunks as chunks
    import chainrule.data.stream as stream
    import chainrule.nn.predict as inference

    assert not hasattr(stream, "CHUNK_ROWS")
    df = pd.DataFrame({"a": np.arange(10.0), "y": np.arange(10.0) * 3})
    df.to_csv(tmp_path / "r.csv", index=False)
    trained = cmd("train", tmp_path / "r.csv", "--target", "y", "--epochs", "1", "--out", tmp_path / "r.npz")
    assert trained.returncode == 0, trained.stderr
    monkeypatch.setattr(chunks, "CHUNK_ROWS", 4)
    sizes: list[int] = []
    real = inference.predict

    def counted(net, x, *args, **kwargs):
        sizes.append(len(x))
        return real(net, x, *args, **kwargs)
    monkeypatch.setattr(inference, "predict", counted)
    done = cmd("predict", tmp_path / "r.npz", tmp_path / "r.csv")
    assert done.returncode == 0, done.stderr
    assert sizes == [4, 4, 2]
    assert "(default: 4)" in " ".join(cmd("predict", "--help").stdout.split())


def test_a_resume_on_another_files_columns_is_refused_from_its_header(tmp_path, monkeypatch):
    """The same target, another CSV's columns: fit refused it once the file was read and encoded ('other values');
    the header tells, so the refusal names the column before any reading."""
    from conftest import cmd
    monkeypatch.chdir(tmp_path)
    assert cmd("data", "iris.csv").returncode == 0
    first = cmd("train", "iris.csv", "--target", "species", "--epochs", "1", "--checkpoint-dir", "ck", "--out", "m.npz")
    assert first.returncode == 0, first.stderr
    df = pd.read_csv("iris.csv")
    df.assign(sepal=df["sepal_length"] * 2).drop(columns="sepal_length").to_csv("other.csv", index=False)
    r = cmd("train", "other.csv", "--target", "species", "--epochs", "2", "--checkpoint-dir", "ck", "--resume",
            "--out", "m.npz")
    assert r.returncode == 2
    assert "this run's 'other.csv' has no ['sepal_length']" in r.stderr, r.stderr
    assert "training and" not in r.stderr                     # said before the file was read and split
    again = cmd("train", "iris.csv", "--target", "species", "--epochs", "2", "--checkpoint-dir", "ck", "--resume",
                "--out", "m.npz")
    assert again.returncode == 0, again.stderr                # its own file resumes


def test_a_sweep_names_numeric_classes_and_grid_values_as_written(tmp_path, monkeypatch):
    """f1 of '1' quoted a class the CSV writes 1; `info` wrote lr=0.05 where the best line wrote the grid's 5e-2 (the
    table holds numbers as numbers, as the results file)."""
    from conftest import cmd
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=60), rng.normal(size=60)
    pd.DataFrame({"a": a, "b": b, "y": (a + b > 0).astype(int)}).to_csv("bin.csv", index=False)
    r = cmd("sweep", "bin.csv", "--target", "y", "--grid", "lr=5e-2,1e-1", "--epochs", "2", "--cv", "2",
            "--scoring", "f1", "--out-dir", "sw")
    assert r.returncode == 0, r.stderr
    said = r.stdout + r.stderr
    assert "f1 of 1, the positive class" in said and "'1'" not in said
    lines = said.splitlines()
    info = [s for s in cmd("info", "sw/best_model.npz").stdout.splitlines() if s.startswith("sweep:")]
    best = next(s for s in lines if s.startswith("best: ")).split(" (")[0].removeprefix("best: ")
    assert info == [f"sweep: the best of its grid by f1 of 1, the positive class, over 2 folds: {best}"]


def test_sweep_scoring_help_names_every_positive_class_scorer_and_the_whole_list():
    from conftest import cmd
    from sklearn.metrics import get_scorer_names

    from chainrule.sweep_table import positive_matters
    text = " ".join(cmd("sweep", "--help").stdout.split())
    scoring = re.search(r"--scoring [A-Z]+ (.*?) --epochs ", text).group(1)     # its help, whatever its metavar
    assert "get_scorer_names()" in scoring
    for name in get_scorer_names():                 # scikit-learn's scorers of one class of two
        if positive_matters(name) and not name.endswith(("_macro", "_micro", "_weighted", "_samples")):
            assert name in scoring, name


def _comma_file(path, bad_line=None):
    """A ';' file with a BOM, Windows line ends and decimal commas; `bad_line`: the file line whose price is 'abc'."""
    rng = np.random.default_rng(3)
    lines = ['"price";"city";"sold"']
    for i in range(40):
        price = "abc" if i + 2 == bad_line else f"{rng.uniform(100, 900):.2f}".replace(".", ",")
        lines.append(f'{price};"{rng.choice(["Oslo", "Bergen"])}";{"yes" if i % 2 else "no"}')
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode())


@pytest.mark.parametrize("how", ["train", "train --stream", "predict", "evaluate"])
def test_a_cell_that_is_no_number_is_named_where_decimal_commas_are_read(how, tmp_path, monkeypatch):
    """With --decimal ',' (given, or the model's), one 'abc' among the prices blamed the first number, '168,52', and
    advised --decimal ',' again: the cell named is the one no mark reads."""
    from conftest import cmd
    monkeypatch.chdir(tmp_path)
    _comma_file(tmp_path / "good.csv")
    _comma_file(tmp_path / "bad.csv", bad_line=7)
    train = ["train", "--target", "sold", "--decimal", ",", "--epochs", "1", "--out"]
    assert cmd(train[0], "good.csv", *train[1:], "m.npz").returncode == 0
    if how.startswith("train"):
        r = cmd(train[0], "bad.csv", *train[1:], "m2.npz", *how.split()[1:])
    else:
        r = cmd(how, "m.npz", "bad.csv")
    assert r.returncode == 2
    last = r.stderr.splitlines()[-1]
    assert "'abc'" in last and "line 7" in last and "--decimal" not in last, last
