"""The sweep's best estimator by the file's labels (its classes_ and class_weight, fixed or from the grid, as
GridSearchCV's best_estimator_), and the grid's values checked as the estimator checks them, before any fit."""
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cli_in_process  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402

FIT = {"epochs": 3, "batch_size": 16}
pytestmark = pytest.mark.filterwarnings("ignore:Stochastic Optimizer")       # few epochs


def _quiet(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_sweep(*args, **kw)


@pytest.mark.parametrize("how", ["fixed", "grid"])
def test_the_best_estimators_class_weight_and_classes_are_labels_as_gridsearchcvs(sweep_data, how):
    """A class_weight given for every candidate came back on best_estimator as {2: 3.0}, its classes_ [0, 1, 2] and
    its predictions class indices (the grid's too): GridSearchCV over the same estimator on the file's labels keeps
    {'virginica': 3.0}, the names as classes_, and predicts names. Now the sweep's is GridSearchCV's, and predicts as
    it does on the rows the sweep preprocessed."""
    cw = {"virginica": 3.0}
    kw = dict(class_weight=cw) if how == "fixed" else {}
    grid = {"lr": [1e-2]} if how == "fixed" else {"lr": [1e-2], "class_weight": [cw]}
    res = _quiet(sweep_data / "iris.csv", "species", grid, cv=3, seed=3, **FIT, **kw)
    df = pd.read_csv(sweep_data / "iris.csv")
    raw, y = df.drop(columns="species").to_numpy(), df["species"].to_numpy()
    est = BackpropClassifier(random_state=3, **FIT, **kw)
    truth = GridSearchCV(make_pipeline(StandardScaler(), est),
                         {"backpropclassifier__learning_rate": [1e-2]}
                         | ({} if how == "fixed" else {"backpropclassifier__class_weight": [cw]}),
                         cv=StratifiedKFold(3, shuffle=True, random_state=3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        truth.fit(raw, y)
    theirs, ours = truth.best_estimator_[-1], res.best_estimator
    assert ours.class_weight == theirs.class_weight == cw
    assert ours.classes_.tolist() == theirs.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    X = truth.best_estimator_[0].transform(raw)
    np.testing.assert_array_equal(ours.predict(X), truth.best_estimator_.predict(raw))
    np.testing.assert_allclose(ours.predict_proba(X), truth.best_estimator_.predict_proba(raw), rtol=1e-9)
    np.testing.assert_allclose(res.table["mean_test_score"], truth.cv_results_["mean_test_score"], rtol=1e-12)
    again = BackpropClassifier(**ours.get_params()).fit(X, y)        # its parameters fit the labels again
    np.testing.assert_allclose(again.predict_proba(X), ours.predict_proba(X), rtol=1e-12)


def test_the_commands_class_weight_is_by_label_on_the_best_estimator(sweep_data, capsys, tmp_path):
    """--class-weight virginica=3 (the command's, through run_sweep as a list of label, weight pairs)."""
    res = _quiet(sweep_data / "iris.csv", "species", "lr=0.01", cv=3, class_weight=[("virginica", 3.0)], **FIT)
    assert res.best_estimator.class_weight == {"virginica": 3.0}
    code, out, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid",
                                    "lr=0.01", "--class-weight", "virginica=3", "--epochs", "2",
                                    "--out-dir", tmp_path)
    assert code == 0, err


@pytest.mark.parametrize("fixed, value", [("n_iter_no_change", 0), ("n_iter_no_change", 2.5), ("tol", -1.0),
                                          ("learning_rate", 0.0), ("activation", "sigmoidd")])
def test_a_fixed_value_the_estimator_refuses_is_refused_before_any_fit_with_its_message(sweep_data, fixed, value,
                                                                                        monkeypatch):
    """n_iter_no_change=0 for every candidate was fit in every fold and failed there: 'every candidate of the sweep
    failed; the first, hidden=4: ...', naming a grid value that was not the cause. Now it is checked as the estimator
    checks it, before the file is read (the task given: its estimator's words; tests/test_sweep_task_estimator.py
    has a task read from the file), with the estimator's own message."""
    with pytest.raises(ValueError) as direct:
        BackpropClassifier(**{fixed: value}).fit(np.eye(4), [0, 1, 0, 1])
    monkeypatch.setattr("chainrule.data.tabular.read_csv", lambda *a, **k: pytest.fail("the file was read"))
    with pytest.raises(ValidationError) as caught:
        run_sweep(sweep_data / "iris.csv", "species", "hidden=4", cv=2, epochs=1, task="classification",
                  **{fixed: value})
    assert str(caught.value) == f"{fixed}={value!r}: {direct.value}"


def test_the_grids_widths_are_refused_in_the_estimators_words():
    """hidden=16x0 said '--grid: hidden widths must be positive'; now the estimator's own message, with the width."""
    from chainrule.sweep import parse_grid
    with pytest.raises(ValueError) as direct:
        BackpropClassifier(hidden_layer_sizes=(16, 0)).fit(np.eye(4), [0, 1, 0, 1])
    assert parse_grid("hidden=16x0") == {"hidden": [(16, 0)]}      # checked by the estimator of the file's task
    with pytest.raises(ValidationError) as caught:
        run_sweep("no-such.csv", "species", "hidden=16x0", task="classification")     # before the file is read
    assert str(caught.value) == f"grid: hidden=16x0: {direct.value}"        # run_sweep's grid=; the command's --grid
    from chainrule.data.advice import command_words
    with pytest.raises(ValidationError) as caught, command_words():
        run_sweep("no-such.csv", "species", "hidden=16x0", task="classification")
    assert str(caught.value) == f"--grid: hidden=16x0: {direct.value}"


def test_np_inf_as_the_estimator_names_it_is_taken_by_the_grid(sweep_data, capsys, tmp_path):
    """n_iter_no_change must be 'a positive int or np.inf', the estimator says (MLPClassifier takes np.inf); the
    command's grid read 'np.inf' as text, which failed every fit of its candidates. Now 'np.inf' (and 'inf') is
    infinity, the candidate is fit, and the table's params column, with inf in it, reads back with
    ast.literal_eval as the docs read it (Python writes inf, which it cannot read)."""
    import ast
    BackpropClassifier(n_iter_no_change=np.inf, epochs=1).fit(np.eye(4), [0, 1, 0, 1])
    code, out, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid",
                                    "n_iter_no_change=np.inf,2", "--epochs", "2", "--cv", "2", "--out-dir", tmp_path)
    assert code == 0 and "failed" not in err, err
    table = pd.read_csv(tmp_path / "sweep_results.csv", converters={"params": ast.literal_eval})
    assert sorted(p["n_iter_no_change"] for p in table["params"]) == [2, np.inf]
    res = _quiet(sweep_data / "iris.csv", "species", {"n_iter_no_change": [np.inf, 2]}, cv=2, epochs=2)
    assert not res.failed and sorted(p["n_iter_no_change"] for p in res.table["params"]) == [2, np.inf]
