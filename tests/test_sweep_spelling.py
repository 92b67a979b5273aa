"""A sweep names its candidates as their user wrote them: a dict grid's values as Python (and GridSearchCV's verbose
lines) write them, None as None (it said none); a grid read from text (the command's --grid) as the text spelled
them, none, 1e30 and TRUE (not 1e+30, True)."""
import re
import warnings

import pytest
from conftest import cmd

pd = pytest.importorskip("pandas")
from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402

from chainrule.sklearn import BackpropClassifier  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402
from chainrule.sweep_search import FailedCandidateWarning  # noqa: E402

FIT = {"epochs": 3, "batch_size": 16, "activation": "linear", "optimizer": "sgd"}      # lr=1e30 diverges


def test_a_dict_grids_none_is_named_as_gridsearchcv_names_it(sweep_data, capsys):
    """The failed candidate's warning names it as GridSearchCV's own verbose line names the same candidate."""
    grid = {"class_weight": [None], "learning_rate": [0.01, 1e30]}
    with pytest.warns(FailedCandidateWarning) as caught:
        r = run_sweep(sweep_data / "iris.csv", "species", grid, cv=2, **FIT)
    said = [str(w.message) for w in caught if w.category is FailedCandidateWarning]
    df = pd.read_csv(sweep_data / "iris.csv")
    X, y = df.drop(columns="species").to_numpy(), df.species.to_numpy()
    capsys.readouterr()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        GridSearchCV(BackpropClassifier(**FIT), grid, cv=StratifiedKFold(2), verbose=3).fit(X, y)
    lines = capsys.readouterr().out
    theirs = re.search(r"END (class_weight=None, learning_rate=1e\+30);", lines)
    assert theirs, lines
    assert said[0].startswith(f"candidate {theirs.group(1)} failed in 2 of 2 folds"), said
    assert list(r.table["class_weight"]) == ["none", "none"]


def test_a_grid_strings_values_are_named_as_it_spelled_them(sweep_data, tmp_path):
    """The command's warning, best line and printed table: none, 1e30 and TRUE as --grid wrote them; its results
    file holds numbers (and bools) as numbers, read back as such, and none as written."""
    r = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid",
            "lr=1e-2,1e30;class_weight=none;shuffle=TRUE;activation=linear;optimizer=sgd", "--epochs", "3", "--cv", "2",
            "--out-dir", tmp_path)
    assert r.returncode == 0, r.stderr
    named = "class_weight=none, shuffle=TRUE, activation=linear, optimizer=sgd"
    assert f"candidate lr=1e30, {named} failed in 2 of 2 folds" in r.stderr, r.stderr
    assert f"best: lr=1e-2, {named} (accuracy " in r.stdout, r.stdout
    written = pd.read_csv(tmp_path / "sweep_results.csv", keep_default_na=False, dtype=str)
    assert written[["class_weight", "shuffle"]].values.tolist() == [["none", "True"], ["none", "True"]]
    assert pd.read_csv(tmp_path / "sweep_results.csv")["lr"].tolist() == [1e-2, 1e30]
    rows = [line.split()[:3] for line in r.stdout.splitlines()[2:4]]
    assert rows == [["1e-2", "none", "TRUE"], ["1e30", "none", "TRUE"]], r.stdout


@pytest.mark.parametrize("grid", [{"class_weight": [None, "balanced"]}, "class_weight=None,balanced"])
def test_the_results_files_none_reads_back_as_the_grids_value_not_a_missing_one(grid, sweep_data, tmp_path):
    """The table wrote None as 'None', which pandas reads back as a missing value (NaN), as it reads an empty cell:
    each cell of the file must read back, through pandas and then the grid's own syntax, as its params' value."""
    import ast

    from chainrule.sweep import parse_grid
    run_sweep(sweep_data / "iris.csv", "species", grid, cv=2, out_dir=tmp_path, epochs=1)
    saved = pd.read_csv(tmp_path / "sweep_results.csv")
    assert not saved["class_weight"].isna().any(), saved["class_weight"].tolist()
    for cell, params in zip(saved["class_weight"], saved["params"]):
        assert parse_grid(f"class_weight={cell}")["class_weight"] == [ast.literal_eval(params)["class_weight"]]


def test_one_constructor_names_the_grid_for_the_command_and_run_sweep():
    """grid_names (the command's best line and run_sweep's model file both use it): the short names stand for the
    estimator's own arguments, and a text grid's values are named as it spelled them (the first spelling of a value
    written twice)."""
    from chainrule.sweep import parse_grid
    from chainrule.sweep_grid import grid_names
    from chainrule.sweep_table import written
    grid = parse_grid("hidden=32x16;lr=1e-2,0.01;n_iter_no_change=5")
    names = grid_names(grid, grid.spelled)
    assert set(names.values()) <= set(BackpropClassifier().get_params())
    assert names == {"hidden": "hidden_layer_sizes", "lr": "learning_rate", "n_iter_no_change": "n_iter_no_change"}
    assert [written(names, "lr", v) for v in grid["lr"]] == ["1e-2", "1e-2"]
    assert written(names, "hidden", (32, 16)) == "32x16"
