"""A model's number column in a file to predict or evaluate, with a cell pandas does not read as a number: a whole
number of hundreds of digits (which read_csv keeps as a Python int, past float64) is named with its line, not an
internal error; full-width digits, a Unicode minus, '1_000', '0x1F' and a no-break space are named with how to
write them, in the words train gives for the same cell; a whole number past 64 bits that float64 holds is read
as that float."""
import pandas as pd
import pytest
from conftest import cmd

WIDE, MINUS, NBSP = "\uff11\uff12", "\u22123", "\u00a012"


def rows(cell, target=True):
    """Column x counts 0 to 29 (y beside it when `target`), but for `cell` on line 14."""
    head = "x,y\n" if target else "x\n"
    return head + "".join(f"{cell if i == 12 else i}" + (f",{i * 0.5 + i % 3}\n" if target else "\n")
                          for i in range(30))


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    where = tmp_path_factory.mktemp("model")
    (where / "train.csv").write_text(rows(12), encoding="utf-8")
    out = cmd("train", where / "train.csv", "--target", "y", "--epochs", "2", "--seed", "0", "--out", where / "m.npz")
    assert out.returncode == 0, out.stderr
    return where / "m.npz"


def apply(model, tmp_path, text, command="predict", *extra):
    (tmp_path / "new.csv").write_text(text, encoding="utf-8")
    return cmd(command, model, tmp_path / "new.csv", *extra)


@pytest.mark.parametrize("cell", ["9" * 400, "-" + "7" * 400])
@pytest.mark.parametrize("command", [["predict"], ["predict", "--chunk-rows", "5"], ["evaluate"]])
def test_a_whole_number_past_float64_is_named_not_an_internal_error(model, tmp_path, cell, command):
    assert abs(float(cell)) == float("inf")                                  # past float64, by Python
    read = pd.read_csv(pd.io.common.StringIO(rows(cell)))["x"]
    assert isinstance(read[12], int)                                          # the Python int to_numeric refuses
    out = apply(model, tmp_path, rows(cell, target=command == ["evaluate"]), *command)
    assert out.returncode != 0, out.stderr
    assert "internal error" not in out.stderr, out.stderr
    assert "column 'x'" in out.stderr and "line 14" in out.stderr and "float64" in out.stderr, out.stderr
    assert "leave its row out" in out.stderr, out.stderr


@pytest.mark.parametrize("cell, todo", [
    (WIDE, "0-9"),
    (MINUS, "".join(f"\\x{b:02x}" for b in "\u2212".encode())),                # the sed line's very character
    ("1_000", f"as {int('1_000')}"),
    ("0x1F", f"as {int('0x1F', 16)}"),
    (NBSP, "".join(f"\\x{b:02x}" for b in "\u00a0".encode())),
])
@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_an_odd_number_is_named_with_what_to_do_as_train_says(model, tmp_path, cell, todo, command):
    assert abs(int(cell, 16) if "x" in cell else float(cell.replace("\u2212", "-"))) > 0  # a number to Python
    out = apply(model, tmp_path, rows(cell, target=command == "evaluate"), command)
    assert out.returncode != 0, out.stderr
    assert f"line 14 has {cell!r}" in out.stderr and todo in out.stderr, out.stderr
    (tmp_path / "t.csv").write_text(rows(cell), encoding="utf-8")
    trained = cmd("train", tmp_path / "t.csv", "--target", "y", "--epochs", "1", "--out", tmp_path / "t.npz")
    said = trained.stderr.strip().split("one category per number: ")[1]      # train's words for the same cell
    assert said.split(", or give --text")[0] in out.stderr, (out.stderr, said)


def test_a_whole_number_past_64_bits_is_read_as_its_float(model, tmp_path):
    big = 2 ** 70
    assert pd.read_csv(pd.io.common.StringIO(rows(big, target=False)))["x"].dtype == object   # Python ints
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    as_int = apply(model, tmp_path / "a", rows(big, target=False))
    as_float = apply(model, tmp_path / "b", rows(repr(float(big)), target=False))
    assert as_int.returncode == 0 and as_float.returncode == 0, as_int.stderr + as_float.stderr
    assert as_int.stdout == as_float.stdout


@pytest.mark.parametrize("extra", [[], ["--chunk-rows", "5"]])
def test_a_whole_number_past_float64_is_quoted_as_the_file_writes_it(model, tmp_path, extra):
    cell = "9" * 400
    out = apply(model, tmp_path, rows(cell, target=False), "predict", *extra)
    assert out.returncode != 0
    assert f"line 14 has '{cell[:30]}" in out.stderr, out.stderr          # quoted, as train says it


def targets(cell):
    """Whole-number targets (which read_csv reads as Python ints beside a 400-digit one), `cell` on line 14."""
    return "x,y\n" + "".join(f"{i},{cell if i == 12 else i * 3}\n" for i in range(30))


@pytest.mark.parametrize("cell", ["9" * 400, "-" + "7" * 400])
@pytest.mark.parametrize("extra", [[], ["--chunk-rows", "5"]])
def test_evaluate_names_a_target_past_float64_not_an_internal_error(model, tmp_path, cell, extra):
    read = pd.read_csv(pd.io.common.StringIO(targets(cell)))["y"]
    assert isinstance(read[12], int) and abs(float(cell)) == float("inf")   # to_numeric raises on it
    out = apply(model, tmp_path, targets(cell), "evaluate", *extra)
    assert out.returncode != 0 and "internal error" not in out.stderr, out.stderr
    assert f"target column 'y' must be numeric for regression; line 14 has '{cell[:30]}" in out.stderr, out.stderr
    assert "float64" in out.stderr and "leave its row out" in out.stderr, out.stderr


@pytest.mark.parametrize("cell, todo", [("0x1F", f"as {int('0x1F', 16)}"), (WIDE, "0-9"), ("1_000", "as 1000")])
def test_evaluate_names_an_odd_target_with_what_to_do(model, tmp_path, cell, todo):
    out = apply(model, tmp_path, targets(cell), "evaluate")
    assert out.returncode != 0, out.stderr
    assert f"line 14 has {cell!r}" in out.stderr and todo in out.stderr, out.stderr
