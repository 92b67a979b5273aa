"""explain --model M --data FILE --row N with a file lacking the model's columns: the words of predict and evaluate
(one rule, cli/predict.model_columns), the file named, a file for another model said to be one."""
from importlib.resources import files

import pandas as pd
import pytest
from conftest import cmd

IRIS = files("chainrule.data.examples") / "iris.csv"
MODEL_COLUMNS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    out = tmp_path_factory.mktemp("explain_columns") / "m.npz"
    r = cmd("train", IRIS, "--target", "species", "--hidden", "2", "--epochs", 1, "--quiet", "--out", out)
    assert r.returncode == 0, r.stderr
    return out


def test_a_file_for_another_model_is_named_with_its_columns(model):
    """explain said "'diabetes.csv': columns [the model's four] are missing: the model was trained on columns [the
    same four]": not the file's columns, nor that it is a CSV file for another model (predict says both)."""
    data = files("chainrule.data.examples") / "diabetes.csv"
    header = list(pd.read_csv(data, nrows=1).columns)                  # the file's columns, as pandas reads them
    assert not set(MODEL_COLUMNS) & set(header)
    r = cmd("explain", "--model", model, "--data", data, "--row", 1)
    shown = ", ".join(repr(c) for c in header[:10])
    assert r.returncode == 2 and r.stderr.strip().splitlines()[-1] == (
        f"chainrule: error: CSV file {str(data)!r} has none of the model's columns: the model was trained on columns "
        f"{MODEL_COLUMNS}; its columns are [{shown}, ... (1 more)] (a file for another model?)"), r.stderr


def test_a_missing_column_is_said_as_predict_says_it(model, tmp_path):
    pd.read_csv(IRIS).drop(columns=["sepal_width", "petal_width"]).to_csv(tmp_path / "two.csv", index=False)
    said = cmd("predict", model, "two.csv", cwd=tmp_path).stderr.strip().splitlines()[-1]
    r = cmd("explain", "--model", model, "--data", "two.csv", "--row", 1, cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.strip().splitlines()[-1] == said == (
        "chainrule: error: CSV file 'two.csv': columns ['sepal_width', 'petal_width'] are missing: the model was "
        f"trained on columns {MODEL_COLUMNS}"), r.stderr


def test_a_file_without_the_target_is_named_as_evaluate_names_it(model, tmp_path):
    """explain said "give the target: --targets, or a --data file with the column 'species'" of a file it was
    given, naming neither the file nor that its column is what is missing; evaluate's words name both."""
    pd.read_csv(IRIS).drop(columns=["species"]).to_csv(tmp_path / "inputs.csv", index=False)
    said = cmd("evaluate", model, "inputs.csv", cwd=tmp_path).stderr.strip().splitlines()[-1]
    assert said.startswith("chainrule: error: CSV file 'inputs.csv': target column 'species' is not in the file: ")
    r = cmd("explain", "--model", model, "--data", "inputs.csv", "--row", 1, cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.strip().splitlines()[-1] == (
        "chainrule: error: CSV file 'inputs.csv': target column 'species' is not in the file: explain computes the "
        "error with it (or give it: --targets)"), r.stderr
    assert cmd("explain", "--model", model, "--data", "inputs.csv", "--row", 1, "--targets", "setosa", "--layer", 1,
               cwd=tmp_path).returncode == 0
