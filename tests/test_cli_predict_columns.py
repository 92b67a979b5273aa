"""The columns `chainrule predict` writes, read back by pandas as a user reads them: class names holding commas
and quotes, an --id beside them, and an --id whose name is one of predict's own columns (it was written twice, or
replaced by a probability without a word). The truth: pandas' reading and scikit-learn's metrics."""
import tarfile
import zipfile

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
metrics = pytest.importorskip("sklearn.metrics")
from conftest import cmd  # noqa: E402

LABELS = ["a,b", 'say "hi"', "plain", "x;y"]


def odd_labels(tmp_path):
    """A file whose classes hold a comma, quotes and a semicolon, with text ids, and a model trained on it."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 2))
    d = pd.DataFrame({"id": [f"r{i:03d}" for i in range(80)], "x1": x[:, 0], "x2": x[:, 1],
                      "y": np.array(LABELS)[(x[:, 0] > 0) * 2 + (x[:, 1] > 0)]})
    path, model = tmp_path / "odd.csv", tmp_path / "odd.npz"
    d.to_csv(path, index=False)
    run = cmd("train", path, "--target", "y", "--drop", "id", "--hidden", "8", "--epochs", "20", "--lr", "0.05",
              "--out", model, "--quiet")
    assert run.returncode == 0, run.stderr
    return d, path, model


def test_predictions_read_back_by_pandas_give_scikit_learns_metrics_as_evaluate_prints_them(tmp_path):
    d, path, model = odd_labels(tmp_path)
    out = tmp_path / "p.csv"
    run = cmd("predict", model, path, "--proba", "--id", "id", "--out", out)
    assert run.returncode == 0, run.stderr
    p = pd.read_csv(out)
    classes = sorted(LABELS)
    assert list(p.columns) == ["id", "prediction", *(f"proba_{c}" for c in classes)]
    assert list(p["id"]) == list(d["id"])
    proba = p[[f"proba_{c}" for c in classes]].to_numpy()
    assert list(p["prediction"]) == list(np.array(classes)[proba.argmax(axis=1)])
    shown = dict(line.split(": ") for line in cmd("evaluate", model, path).stdout.splitlines()[:2])
    assert float(shown["loss"]) == pytest.approx(metrics.log_loss(d["y"], proba, labels=classes), rel=1e-5)
    assert float(shown["accuracy"]) == pytest.approx(metrics.accuracy_score(d["y"], p["prediction"]), abs=1e-6)


@pytest.mark.parametrize("column, proba", [("prediction", False), ("prediction", True), ("proba_plain", True)])
def test_an_id_named_as_a_column_predict_writes_is_refused(tmp_path, column, proba):
    """--id prediction failed with pandas' 'cannot insert prediction, already exists'; --id proba_plain --proba
    wrote the probability in place of the ids, and said nothing."""
    d, path, model = odd_labels(tmp_path)
    d[column] = d["id"]
    d.to_csv(path, index=False)
    out = tmp_path / "p.csv"
    run = cmd("predict", model, path, "--id", column, "--out", out, *(["--proba"] if proba else []))
    assert run.returncode == 2 and not out.exists()
    assert f"--id: column '{column}' has the name of a column predict writes" in run.stderr, run.stderr
    assert "rename it" in run.stderr
    run = cmd("predict", model, path, "--id", column, "--out", out)       # without --proba: no proba_ column
    assert (run.returncode == 0) == (column != "prediction"), run.stderr


def test_ids_are_copied_as_written_even_where_they_read_as_missing(tmp_path):
    """--id copied 'NA' (Namibia's code), 'NaN' and 'nan' as empty cells: the file's missing markers were applied
    to a column the model does not read. A missing input of the model is still refused."""
    d, path, model = odd_labels(tmp_path)
    d["id"] = (["NA", "NaN", "nan", "", "None", "r1"] * 14)[:len(d)]
    d.to_csv(path, index=False)
    out = tmp_path / "p.csv"
    run = cmd("predict", model, path, "--id", "id", "--out", out)
    assert run.returncode == 0, run.stderr
    assert list(pd.read_csv(out, dtype=str, keep_default_na=False)["id"]) == list(d["id"])
    d.loc[5, "x1"] = np.nan
    d.to_csv(path, index=False)
    run = cmd("predict", model, path, "--id", "x1", "--out", out)
    assert run.returncode == 2 and "a missing value in 'x1' on line 7" in run.stderr, run.stderr


@pytest.mark.parametrize("width", [0, 80])
def test_the_confusion_matrix_tells_apart_classes_alike_in_their_first_20_characters(tmp_path, monkeypatch, width):
    """evaluate cut each class name to 20 characters: three classes 'Iris, measured in 1936: ...' headed three rows
    and columns 'Iris, measured in 19'; shown whole instead, at 80 columns each row ran past the edge and wrapped.
    Each row now names its class by its end (the part that tells it apart), and holds scikit-learn's counts."""
    d, path, model = odd_labels(tmp_path)
    d["y"] = "Iris, measured in 1936 by Edgar Anderson on the Gaspe peninsula: " + d["y"]
    d.to_csv(path, index=False)
    run = cmd("train", path, "--target", "y", "--drop", "id", "--hidden", "8", "--epochs", "20", "--lr", "0.05",
              "--out", model, "--quiet")
    assert run.returncode == 0, run.stderr
    out = tmp_path / "p.csv"
    assert cmd("predict", model, path, "--out", out).returncode == 0
    monkeypatch.setattr("chainrule.cli.evaluate.columns", lambda stream: width)     # 0: a pipe, 80: a terminal
    run = cmd("evaluate", model, path)
    assert run.returncode == 0, run.stderr
    classes = sorted(d["y"].unique())
    lines = run.stdout.splitlines()[-len(classes) - 1:]
    assert not width or max(len(line) for line in lines) <= width, "\n".join(lines)
    truth = metrics.confusion_matrix(d["y"], pd.read_csv(out)["prediction"], labels=classes)
    for i, (c, row, counts) in enumerate(zip(classes, lines[1:], truth), 1):
        label, *values = row.rsplit(None, len(classes))
        label = label.strip().removeprefix(f"{i} " if width else "")
        named = [k for k in classes if k == label or (label.startswith("...") and k.endswith(label[3:]))]
        assert named == [c], (c, row)
        assert [int(v) for v in values] == counts.tolist()


@pytest.mark.parametrize("name", ["p.csv.gz", "p.zip", "p.CSV.BZ2", "p.xlsx", "p.xlsm", "p.tar.gz"])
def test_an_out_named_as_compressed_or_a_workbook_is_refused(tmp_path, name):
    """predict wrote plain text to p.csv.gz, which pandas.read_csv then failed to decompress (BadGzipFile)."""
    d, path, model = odd_labels(tmp_path)
    if not name.endswith((".xlsx", ".xlsm")):     # the truth: such plain text under this name does not read back
        plain = tmp_path / f"plain-{name}"
        plain.write_text("prediction\nplain\n")
        with pytest.raises((OSError, zipfile.BadZipFile, tarfile.ReadError)):   # BadGzipFile, bz2's OSError
            pd.read_csv(plain)
    run = cmd("predict", model, path, "--out", tmp_path / name)
    assert run.returncode == 2 and not (tmp_path / name).exists()
    ending = name[name.rindex("."):].lower()
    assert f"ends in {ending}, which pandas and spreadsheets read as another format" in run.stderr, run.stderr
