"""`chainrule train/predict/evaluate/info` end to end, in a subprocess, on CSV files made here."""
import subprocess
import sys

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cli, cmd, iris_table  # noqa: E402
from sklearn.datasets import load_diabetes, load_wine  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.data.tabular import Preprocessing  # noqa: E402


@pytest.fixture(scope="module")
def iris_csv(tmp_path_factory):
    d = iris_table()
    d["size"] = np.where(d["sepal length (cm)"] > 5.8, "large", "small")       # a text column
    d.loc[[3, 40], "petal width (cm)"] = np.nan                                   # missing values
    d.loc[7, "size"] = np.nan
    path = tmp_path_factory.mktemp("data") / "iris.csv"
    d.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def iris_model(iris_csv, tmp_path_factory):
    out = tmp_path_factory.mktemp("model") / "iris.npz"
    r = cli("train", iris_csv, "--target", "species", "--hidden", "16", "--epochs", "60", "--lr", "0.01",
            "--impute", "median", "--out", out, "--quiet")
    assert r.returncode == 0, r.stderr
    assert "validation: loss" in r.stdout and "accuracy" in r.stdout
    return out


def test_train_predict_evaluate_info_classification(iris_csv, iris_model, tmp_path):
    preds = tmp_path / "preds.csv"
    r = cmd("predict", iris_model, iris_csv, "--out", preds, "--proba")
    assert r.returncode == 0, r.stderr
    got = pd.read_csv(preds)
    assert list(got.columns) == ["prediction", "proba_setosa", "proba_versicolor", "proba_virginica"]
    # the same model through the library gives the same predictions
    net, extra = cr.load(iris_model, with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    df = pd.read_csv(iris_csv)
    out = net.predict(pre.transform(df))
    np.testing.assert_allclose(got[["proba_setosa", "proba_versicolor", "proba_virginica"]].to_numpy(), out,
                               rtol=1e-12)
    assert list(got["prediction"]) == list(pre.decode(out))
    assert (got["prediction"] == df["species"]).mean() > 0.9
    r = cmd("evaluate", iris_model, iris_csv)
    assert r.returncode == 0 and "accuracy:" in r.stdout and "confusion matrix" in r.stdout
    acc = float(next(line for line in r.stdout.splitlines() if line.startswith("accuracy")).split()[1])
    assert acc == pytest.approx((got["prediction"] == df["species"]).mean())
    r = cmd("info", iris_model)
    assert r.returncode == 0 and "text column 'size'" in r.stdout and "Dense(6, 16" in r.stdout


def test_regression_round_trip(tmp_path):
    d = load_diabetes(as_frame=True, scaled=False).frame
    path = tmp_path / "diabetes.csv"
    d.to_csv(path, index=False)
    model = tmp_path / "d.npz"
    r = cmd("train", path, "--target", "target", "--hidden", "32", "--epochs", "80", "--lr", "0.01",
            "--out", model, "--quiet")
    assert r.returncode == 0, r.stderr
    r = cmd("evaluate", model, path)
    r2 = float(next(line for line in r.stdout.splitlines() if line.startswith("r2")).split()[1])
    assert r2 > 0.4
    r = cmd("predict", model, path)
    preds = pd.read_csv(__import__("io").StringIO(r.stdout))["prediction"]
    assert abs(preds.mean() - d["target"].mean()) < 30      # in the target's own units
    net, extra = cr.load(model, with_extra=True)          # the library gives the same numbers
    pre = Preprocessing.from_json(extra["tabular"])
    np.testing.assert_allclose(preds, pre.decode(net.predict(pre.transform(pd.read_csv(path)))), rtol=1e-9)


def test_core_imports_without_pandas_or_sklearn():
    code = ("import sys, chainrule, chainrule.cli; chainrule.cli.build_parser(); "
            "print(sorted(m for m in ('pandas', 'sklearn', 'chainrule.sklearn', 'chainrule.data.tabular') "
            "if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stdout + r.stderr


def test_wine_integer_target_is_classification(tmp_path):
    d = load_wine(as_frame=True).frame
    path = tmp_path / "wine.csv"
    d.to_csv(path, index=False)
    model = tmp_path / "w.npz"
    assert cmd("train", path, "--target", "target", "--epochs", "30", "--out", model, "--quiet").returncode == 0
    assert "classification of 'target'" in cmd("info", model).stdout


def bad(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text) if isinstance(text, str) else path.write_bytes(text)
    return path


def assert_bad_input(r, pattern):
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()      # information lines (how the file was read) may come first
    errors = [line for line in lines if line.startswith("chainrule: error:")]
    assert len(errors) == 1 and lines[-1] == errors[0], r.stderr
    assert "Traceback" not in r.stderr
    assert pattern in errors[0], errors[0]


def test_missing_target_column(iris_csv, tmp_path):
    assert_bad_input(cmd("train", iris_csv, "--target", "kind", "--out", tmp_path / "m.npz"),
                     "target column 'kind' is not in the file")


def test_empty_file(tmp_path):
    assert_bad_input(cmd("train", bad(tmp_path, "e.csv", ""), "--target", "y", "--out", tmp_path / "m.npz"),
                     "is empty")


def test_header_only(tmp_path):
    assert_bad_input(cmd("train", bad(tmp_path, "h.csv", "a,b,y\n"), "--target", "y", "--out", tmp_path / "m.npz"),
                     "no data rows")


def test_non_numeric_target_for_regression(iris_csv, tmp_path):
    assert_bad_input(cmd("train", iris_csv, "--target", "species", "--task", "regression", "--impute", "mean",
                         "--out", tmp_path / "m.npz"), "is not numeric")


def test_one_class_only(tmp_path):
    path = bad(tmp_path, "one.csv", "a,b,y\n1,2,cat\n3,4,cat\n5,6,cat\n")
    assert_bad_input(cmd("train", path, "--target", "y", "--out", tmp_path / "m.npz"), "only one class")


def test_missing_values_without_impute(iris_csv, tmp_path):
    assert_bad_input(cmd("train", iris_csv, "--target", "species", "--out", tmp_path / "m.npz"),
                     "missing values in 'petal width (cm)' on lines 5 and 42")


def test_column_mismatch_at_predict(iris_csv, iris_model, tmp_path):
    df = pd.read_csv(iris_csv)
    missing = tmp_path / "missing.csv"
    df.drop(columns=["size"]).to_csv(missing, index=False)
    assert_bad_input(cmd("predict", iris_model, missing), "column 'size' is missing")
    extra = tmp_path / "extra.csv"                  # columns the model does not use are named and ignored
    df.assign(weight=1.0).to_csv(extra, index=False)
    r = cmd("predict", iris_model, extra)
    assert r.returncode == 0 and "ignored columns the model does not use: ['weight']" in r.stderr   # the target: not
    assert r.stdout == cmd("predict", iris_model, iris_csv).stdout


def test_unreadable_files(iris_model, tmp_path):
    assert_bad_input(cmd("predict", iris_model, tmp_path / "nope.csv"), "does not exist")
    assert_bad_input(cmd("predict", iris_model, bad(tmp_path, "bin.csv", b"\xff\xfe\x00\x81" * 50)),
                     "is not a text file (it holds NUL bytes)")
    assert_bad_input(cmd("predict", iris_model, tmp_path), "is a folder")
    assert_bad_input(cmd("info", bad(tmp_path, "m.npz", b"garbage")), "is not a chainrule model file")


def test_bad_usage_exits_2():
    r = cmd("train")
    assert r.returncode == 2 and "usage" in r.stderr
    for command in ("train", "predict", "evaluate", "info"):
        r = cmd(command, "--help")
        assert r.returncode == 0 and "example" in r.stdout and f"chainrule {command} " in r.stdout


def test_train_resume_from_checkpoint(iris_csv, tmp_path):
    args = ["train", iris_csv, "--target", "species", "--epochs", "6", "--impute", "mean", "--quiet",
            "--checkpoint-dir", tmp_path / "ck"]
    assert cmd(*args, "--out", tmp_path / "a.npz").returncode == 0
    assert cmd(*args, "--out", tmp_path / "b.npz", "--resume").returncode == 0    # already complete: no epochs
    np.testing.assert_array_equal(cr.load(tmp_path / "a.npz").params, cr.load(tmp_path / "b.npz").params)


def test_debug_shows_traceback(tmp_path):
    r = subprocess.run([sys.executable, "-m", "chainrule.cli", "--debug", "info", str(tmp_path / "x.npz")],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_unseen_category_is_encoded_as_zeros_with_a_warning(iris_csv, iris_model, tmp_path):
    df = pd.read_csv(iris_csv)
    df.loc[0, "size"] = "gigantic"
    path = tmp_path / "unseen.csv"
    df.to_csv(path, index=False)
    r = cmd("predict", iris_model, path)
    assert r.returncode == 0 and "unseen in training" in r.stderr and "gigantic" in r.stderr


def test_arguments_and_output_folder_checked_before_any_work(tmp_path):
    nowhere = tmp_path / "nope.csv"                 # never read: the arguments fail first
    assert_bad_input(cmd("train", nowhere, "--target", "y", "--optimizer", "bogus", "--out", tmp_path / "m.npz"),
                     "--optimizer 'bogus' is not known")
    r = cmd("train", nowhere, "--target", "y", "--epochs", "0", "--out", tmp_path / "m.npz")
    assert r.returncode == 2 and "argument --epochs: expected a positive integer; got '0'" in r.stderr
    assert_bad_input(cmd("train", nowhere, "--target", "y", "--out", tmp_path / "no" / "m.npz"),
                     "does not exist")


def test_predict_out_folder_missing(iris_csv, iris_model, tmp_path):
    assert_bad_input(cmd("predict", iris_model, iris_csv, "--out", tmp_path / "no" / "p.csv"),
                     f"the folder {str(tmp_path / 'no')!r} does not exist")


def test_empty_column_with_impute(tmp_path):
    path = bad(tmp_path, "gap.csv", "a,b,y\n1,,0\n3,,1\n5,,0\n")
    assert_bad_input(cmd("train", path, "--target", "y", "--impute", "mean", "--out", tmp_path / "m.npz"),
                     "column 'b' has no values at all")


def test_val_split_counts_rows_as_fit_and_keras_do(iris_csv, tmp_path):
    """--val-split counted round(n * split) rows, fit's validation_split now counts as Keras (n - floor(n *
    (1 - split))): on 150 rows at 0.19, 28 rows against Keras' 29. The command line counts as fit does, and
    the printed validation metrics are those of fit's held-out rows (the model file's history)."""
    import math
    for split in (0.3, 0.19, 0.1):
        out = tmp_path / f"m{split}.npz"
        r = cmd("train", iris_csv, "--target", "species", "--hidden", "4", "--epochs", "3", "--impute", "median",
                "--val-split", split, "--out", out)
        assert r.returncode == 0, r.stderr
        n_val = 150 - math.floor(150 * (1 - split))
        assert f"{150 - n_val} training and {n_val} validation rows" in r.stderr
        info = cmd("info", out)
        kept = float(info.stdout.split("val_loss ")[1].split(",")[0])       # fit's history, in the model file
        printed = float(r.stdout.split("validation: loss ")[1].split(",")[0])
        assert printed == pytest.approx(kept, abs=1.5e-4)
