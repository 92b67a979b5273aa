"""A sweep of a 2-class target scored by f1 (precision, recall, jaccard, average_precision) scores one class, the
positive one: the second in sorted order, as the labels are encoded 0 and 1 (scikit-learn's pos_label=1). It scored
it silently, where scikit-learn refuses labels other than 0/1 (pos_label): run_sweep's `positive_class` and the
command's lines name it. The oracle: scikit-learn's f1_score of the fold's predictions with that pos_label."""
import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sklearn")

from conftest import cmd  # noqa: E402
from sklearn.metrics import f1_score, precision_score, recall_score  # noqa: E402

from chainrule.sweep import run_sweep  # noqa: E402


def two_classes(path, labels):
    """60 rows, about a third of them the class labels[1]: its f1 and the other's differ."""
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=60), rng.normal(size=60)
    y = np.where(x1 + 0.8 * rng.normal(size=60) > 0.6, labels[1], labels[0])
    pd.DataFrame({"x1": x1, "x2": x2, "y": y}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("labels, scoring, metric", [(("no", "yes"), "f1", f1_score),
                                                     ((0, 1), "f1", f1_score),
                                                     (("ham", "spam"), "precision", precision_score)])
def test_the_positive_class_is_named_and_is_the_one_scored(tmp_path, labels, scoring, metric):
    path = two_classes(tmp_path / "two.csv", labels)
    every = np.arange(60)               # one fold trained and scored on every row: the refit best is its model
    result = run_sweep(path, "y", "hidden=4", cv=[(every, every)], scoring=scoring, epochs=20)
    assert result.positive_class == labels[1]
    df = pd.read_csv(path)
    predicted = result.best_pipeline.predict(df)
    assert result.best_score == pytest.approx(metric(df["y"], predicted, pos_label=labels[1]))
    assert result.best_score != pytest.approx(metric(df["y"], predicted, pos_label=labels[0]))


@pytest.mark.parametrize("scoring", [None, "f1_macro", "roc_auc", "balanced_accuracy"])
def test_a_scorer_of_both_classes_names_none(tmp_path, scoring):
    path = two_classes(tmp_path / "two.csv", ("no", "yes"))
    assert run_sweep(path, "y", "hidden=4", cv=2, scoring=scoring, epochs=5).positive_class is None


def test_the_command_names_the_positive_class(tmp_path):
    path = two_classes(tmp_path / "two.csv", ("no", "yes"))
    run = cmd("sweep", path, "--target", "y", "--grid", "hidden=4", "--scoring", "recall", "--epochs", "5",
              "--cv", "2", "--out-dir", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert "recall of 'yes', the positive class, best first:" in run.stdout
    assert "(recall of 'yes' " in run.stdout
    plain = cmd("sweep", path, "--target", "y", "--grid", "hidden=4", "--scoring", "f1_macro", "--epochs", "5",
                "--cv", "2", "--out-dir", tmp_path / "out")
    assert "positive" not in plain.stdout


def test_the_model_file_names_the_class_its_score_is_of(tmp_path):
    """best_model.npz recorded cv_recall without the class: `chainrule info` names the one whose recall
    (scikit-learn's, of the refit best's predictions on the one fold of every row) is the score recorded."""
    path = two_classes(tmp_path / "two.csv", ("no", "yes"))
    every = np.arange(60)
    result = run_sweep(path, "y", "hidden=4", cv=[(every, every)], scoring="recall", epochs=20,
                       out_dir=tmp_path / "out")
    shown = cmd("info", result.model_path)
    assert shown.returncode == 0, shown.stderr
    line = [s for s in shown.stdout.splitlines() if s.startswith("sweep:")]
    assert line and " by recall of 'yes', the positive class, over 1 fold: hidden=4" in line[0], shown.stdout
    df = pd.read_csv(path)
    assert result.best_score == pytest.approx(recall_score(df["y"], result.best_pipeline.predict(df), pos_label="yes"))
    plain = run_sweep(path, "y", "hidden=4", cv=2, epochs=5, out_dir=tmp_path / "plain")
    assert "sweep: the best of its grid by accuracy over 2 folds: hidden=4" in cmd("info", plain.model_path).stdout
