"""A practitioner's files through predict, evaluate, train and info: an infinite cell is quoted as the file writes
it ('1e999', not the 'inf' pandas made of it), and a file given where the model goes is named quoted, as every
other message of the command names a file. The truth: the text written into the file."""
import pytest

pd = pytest.importorskip("pandas")
from conftest import cmd  # noqa: E402


@pytest.fixture(scope="module")
def model(regression_cli_model):
    return regression_cli_model


CELLS = ["1e999", "-Infinity", "inf", "1E400"]


def written_with(tmp_path, column: str, cell: str, sep: str = ",", crlf: bool = False) -> str:
    rows = ["a,b,y", "0.5,1.0,2.0", '"0.25",0.5,1.0', "0.1,0.2,0.3"]
    rows[2 if column == "a" else 3] = {"a": f"{cell},0.5,1.0", "b": f"0.1,{cell},0.3", "y": f"0.1,0.2,{cell}"}[column]
    path = tmp_path / "new.csv"
    path.write_bytes(((("\r\n" if crlf else "\n").join(r.replace(",", sep) for r in rows)) + "\n").encode())
    return str(path)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_an_infinite_input_cell_is_quoted_as_written(model, tmp_path, command, cell):
    path = written_with(tmp_path, "a", cell)
    r = cmd(command, model, path, *(["--out", tmp_path / "p.csv"] if command == "predict" else []))
    assert r.returncode == 2
    last = r.stderr.strip().splitlines()[-1]
    assert last == f"chainrule: error: column 'a' has an infinite value on line 3 ('{cell}')"


def test_the_cell_is_quoted_as_written_with_semicolons_and_windows_line_ends(model, tmp_path):
    path = written_with(tmp_path, "b", "-1e309", sep=";", crlf=True)
    r = cmd("predict", model, path, "--out", tmp_path / "p.csv")
    assert r.returncode == 2
    last = r.stderr.strip().splitlines()[-1]
    assert last == "chainrule: error: column 'b' has an infinite value on line 4 ('-1e309')"


@pytest.mark.parametrize("stream", [[], ["--stream"]])
@pytest.mark.parametrize("column", ["a", "y"])
def test_train_quotes_an_infinite_cell_as_written(tmp_path, column, stream):
    path = written_with(tmp_path, column, "1e999")
    r = cmd("train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz", *stream)
    assert r.returncode == 2
    line = 3 if column == "a" else 4
    assert f"has an infinite value on line {line} ('1e999')" in r.stderr.strip().splitlines()[-1], r.stderr


def test_evaluate_quotes_an_infinite_target_as_written(model, tmp_path):
    r = cmd("evaluate", model, written_with(tmp_path, "y", "-1e999"))
    assert r.returncode == 2
    assert "target column 'y' has an infinite value on line 4 ('-1e999')" in r.stderr, r.stderr


@pytest.mark.parametrize("command", ["info", "predict", "evaluate", "export"])
def test_a_csv_file_given_as_the_model_is_named_quoted(tmp_path, command):
    data = tmp_path / "my data.csv"
    data.write_text("a,b\n1,2\n")
    extra = {"info": [], "predict": [data], "evaluate": [data], "export": ["--out", tmp_path / "m.onnx"]}[command]
    r = cmd(command, data, *extra)
    assert r.returncode == 2
    assert r.stderr.startswith(f"chainrule: error: {str(data)!r} is not a chainrule model file"), r.stderr


def test_explain_weights_names_a_file_that_is_no_model_once_and_quoted(tmp_path):
    data = tmp_path / "my w.npz"
    data.write_text("a,b\n1,2\n")
    r = cmd("explain", "--layers", "2,3,1", "--weights", data)
    assert r.returncode == 2
    assert r.stderr.strip() == (f"chainrule: error: --weights: {str(data)!r} is not a chainrule model file (not an "
                                ".npz archive): it is text (a CSV file of data?); a model file is the .npz that "
                                "net.save or `chainrule train --out` writes"), r.stderr
