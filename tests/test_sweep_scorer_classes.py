"""A scorer that cannot score the target's classes at all (roc_auc or f1 of 3 classes: scikit-learn's binary
averages; f1_samples of any, a multilabel metric) is refused before any fit, in scikit-learn's words. Every fit
ran and only then failed at its score: the sweep ended with "every candidate failed", the cluster's time spent.
The oracle is scikit-learn's GridSearchCV over MLPClassifier, whose every score is NaN for them."""
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from conftest import cmd  # noqa: E402

from chainrule import sweep_search  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402


def scores_of_sklearn(path, target, scoring):
    """GridSearchCV's mean test scores of two MLPClassifier candidates on the file's numeric columns."""
    import pandas as pd
    from sklearn.model_selection import GridSearchCV
    from sklearn.neural_network import MLPClassifier
    df = pd.read_csv(path)
    X, y = df.drop(columns=[target]).to_numpy(), df[target].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(MLPClassifier(max_iter=2, random_state=0), {"hidden_layer_sizes": [(4,), (8,)]},
                              scoring=scoring, cv=2, refit=False).fit(X, y)
    return search.cv_results_["mean_test_score"]


@pytest.mark.parametrize("file, scoring", [("iris.csv", "roc_auc"), ("iris.csv", "f1"),
                                           ("binary.csv", "f1_samples")])
def test_a_scorer_of_other_classes_is_refused_before_any_fit(sweep_data, tmp_path, monkeypatch, file, scoring):
    assert np.isnan(scores_of_sklearn(sweep_data / file, "species", scoring)).all()
    fits = []
    monkeypatch.setattr(sweep_search.SweptClassifier, "fit", lambda self, *a, **k: fits.append(1))
    with pytest.raises(ValidationError, match=rf"^scoring='{scoring}' cannot score the [23] classes of 'species': "
                                              "scikit-learn says .*; choose a scorer for them"):
        run_sweep(sweep_data / file, "species", "hidden=4,8", out_dir=tmp_path, cv=2, epochs=2, scoring=scoring)
    assert fits == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("file, scoring", [("iris.csv", "roc_auc_ovr"), ("binary.csv", "roc_auc"),
                                           ("iris.csv", "f1_macro")])
def test_a_scorer_of_the_classes_scores(sweep_data, tmp_path, file, scoring):
    """Not over-refused: these score the classes, in the sweep as in GridSearchCV."""
    assert np.isfinite(scores_of_sklearn(sweep_data / file, "species", scoring)).all()
    res = run_sweep(sweep_data / file, "species", "hidden=4", out_dir=tmp_path, cv=2, epochs=2, scoring=scoring)
    assert np.isfinite(res.cv_results_["mean_test_score"]).all()


def test_the_command_says_it_with_its_option(sweep_data, tmp_path):
    r = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "hidden=4", "--epochs", "2",
            "--scoring", "roc_auc", "--out-dir", tmp_path / "out")
    assert r.returncode == 2
    assert "--scoring roc_auc cannot score the 3 classes of 'species': scikit-learn says multi_class" in r.stderr
    assert "every candidate" not in r.stderr and not (tmp_path / "out").exists()
