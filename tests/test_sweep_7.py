"""A sweep's class weights as the user gave them (labels in the table and best_params, checked before any fit), a
fold whose training rows lack a weighted class, the ran-out warning naming only the candidates whose fits ran out,
and a regression's class_weight refused in the caller's words."""
import ast
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cli_in_process, iris_table  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402

FIT = {"epochs": 3, "batch_size": 16}


def _quiet(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_sweep(*args, **kw)


def test_the_ran_out_warning_names_only_the_candidates_whose_fits_ran_out(sweep_data):
    """epochs=1 always runs out (fewer epochs than n_iter_no_change); epochs=400 with tol=0.05 stops, as a plain
    BackpropClassifier with those arguments shows on the whole file. The warning said '(in every candidate)',
    counting any ran-out fit as the best's refit."""
    X, y = iris_table().drop(columns="species").to_numpy(), iris_table()["species"].to_numpy()
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plain = BackpropClassifier(epochs=400, tol=0.05, n_iter_no_change=2, random_state=0).fit(X, y)
    assert plain.n_iter_ < 400 and not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = run_sweep(sweep_data / "iris.csv", "species", {"epochs": [1, 400]}, cv=2, tol=0.05, n_iter_no_change=2)
    said = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(said) == 1
    best_ran_out = r.best_params["epochs"] == 1
    assert said[0].startswith(f"{2 + best_ran_out} of the sweep's 5 finished fits ran every epoch")
    assert "(in 1 of the 2 candidates: epochs=1)" in said[0]


def test_class_weights_by_label_stay_labels_in_the_table_and_best_params(sweep_data, tmp_path):
    """{'virginica': 3.0} came back as {2: 3.0} (the class index the fits see): best_params could not be passed
    back. Now the table, its CSV and best_params hold the labels, and the fits weigh the class they name: the
    weighted candidate's scores are those of the same sweep with the weight given for every candidate."""
    grid = {"class_weight": [{"virginica": 3.0}, None]}
    r = _quiet(sweep_data / "iris.csv", "species", grid, cv=3, out_dir=tmp_path, **FIT)
    assert sorted(map(str, r.table["class_weight"])) == ["none", "{'virginica': 3.0}"]
    assert {str(p["class_weight"]) for p in r.table["params"]} == {"None", "{'virginica': 3.0}"}
    saved = pd.read_csv(tmp_path / "sweep_results.csv")
    assert {str(ast.literal_eval(p)["class_weight"]) for p in saved["params"]} == {"None", "{'virginica': 3.0}"}
    assert r.cv_results_["param_class_weight"].tolist() == [{"virginica": 3.0}, None]
    fixed = _quiet(sweep_data / "iris.csv", "species", {"lr": [1e-3]}, cv=3, class_weight={"virginica": 3.0}, **FIT)
    plain = _quiet(sweep_data / "iris.csv", "species", {"lr": [1e-3]}, cv=3, **FIT)
    splits = [f"split{k}_test_score" for k in range(3)]
    weighted = r.table[r.table.class_weight.map(str) != "none"]
    np.testing.assert_array_equal(weighted[splits].to_numpy()[0], fixed.table[splits].to_numpy()[0])
    np.testing.assert_array_equal(r.table[r.table.class_weight.map(str) == "none"][splits].to_numpy()[0],
                                  plain.table[splits].to_numpy()[0])
    again = _quiet(sweep_data / "iris.csv", "species", {"lr": [1e-3]}, cv=3,
                   **{**FIT, **weighted["params"].iloc[0]})          # a candidate's parameters passed back
    np.testing.assert_array_equal(again.table[splits].to_numpy()[0], fixed.table[splits].to_numpy()[0])


@pytest.mark.parametrize("given", [{"class_weight": {"setosa": -1}}, {"grid": {"class_weight": [{"setosa": -1}]}},
                                   {"class_weight": {"setosa": float("nan")}}])
def test_a_bad_class_weight_is_named_by_its_label_before_any_fit(sweep_data, given, monkeypatch):
    """{'setosa': -1} was said only after every fit failed, as 'class_weight[0]'."""
    import chainrule.sweep_search as search
    monkeypatch.setattr(search, "run_tasks", lambda *a, **k: pytest.fail("a fold was fit"))
    grid = given.pop("grid", {"lr": [1e-3]})
    with pytest.raises(ValidationError, match=r"class_weight: the weight of 'setosa' must be a number >= 0; got "):
        run_sweep(sweep_data / "iris.csv", "species", grid, cv=2, **FIT, **given)


def test_a_regression_refuses_class_weight_in_the_callers_words(sweep_data, capsys, tmp_path):
    with pytest.raises(ValidationError) as python:
        run_sweep(sweep_data / "diabetes.csv", "target", "lr=0.01", class_weight="balanced", epochs=1)
    assert "--" not in str(python.value) and "weight='COL'" in str(python.value)
    code, out, err = cli_in_process(capsys, "sweep", sweep_data / "diabetes.csv", "--target", "target", "--grid",
                                    "lr=0.01", "--class-weight", "balanced", "--out-dir", tmp_path)
    assert code != 0 and "(--weight COL weighs its rows)" in err


def test_a_fold_without_the_weighted_class_fits_as_the_unweighted_candidate(tmp_path):
    """Folds cut by the user: the first fold's training rows hold no virginica. The weighted candidate failed there
    ('class_weight names 2, which is not a class of y'); its weight weighs none of those rows, so it scores as the
    unweighted candidate there, and differs where the class is trained on."""
    d = iris_table()
    d = pd.concat([d[d.species != "virginica"], d[d.species == "virginica"].iloc[:6]]).reset_index(drop=True)
    d.to_csv(tmp_path / "rare.csv", index=False)
    n, rare = len(d), np.flatnonzero(d.species == "virginica")
    others = np.setdiff1d(np.arange(n), rare)
    tests = (np.concatenate([rare, others[::2]]), np.concatenate([rare[:3], others[1::2]]))
    folds = [(np.setdiff1d(np.arange(n), t), t) for t in tests]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = run_sweep(tmp_path / "rare.csv", "species", {"class_weight": [None, {"virginica": 20.0}]}, cv=folds,
                      learning_rate=0.05, **FIT)
    assert not [w for w in caught if "failed" in str(w.message)]
    assert not r.failed
    by = {str(cw): row for cw, row in zip(r.table.class_weight, r.table.itertuples())}
    assert by["none"].split0_test_score == by["{'virginica': 20.0}"].split0_test_score
    assert by["none"].split1_test_score != by["{'virginica': 20.0}"].split1_test_score
