"""A number column pandas keeps as text for one cell (' INF', 'inf ': numbers once stripped, but not as written)
is refused naming that cell, the one to fix, not the first cell of the column (a valid number). The truth: which
cells pandas.read_csv itself reads as numbers, and the text written into the file."""
import io

import pytest

pd = pytest.importorskip("pandas")
from conftest import cmd  # noqa: E402

BAD = [" INF", "inf ", " -inf", "-INF "]


def written(tmp_path, cell: str, column: str = "x") -> tuple:
    rows = [(i / 79, i / 79) for i in range(80)]
    lines = [f"{cell if (i == 5 and column == 'x') else repr(x)},{cell if (i == 5 and column == 'y') else repr(y)}"
             for i, (x, y) in enumerate(rows)]
    text = "x,y\n" + "\n".join(lines) + "\n"
    path = tmp_path / "d.csv"
    path.write_text(text)
    return path, text


@pytest.mark.parametrize("cell", BAD)
@pytest.mark.parametrize("stream", [False, True])
def test_train_names_the_cell_pandas_keeps_as_text(tmp_path, cell, stream):
    path, text = written(tmp_path, cell)
    read = pd.read_csv(io.StringIO(text))
    assert not pd.api.types.is_numeric_dtype(read["x"])     # pandas keeps the column as text for that one cell
    unread = [i for i, v in enumerate(read["x"]) if pd.isna(pd.to_numeric(v, errors="coerce"))]
    assert unread == [5]
    r = cmd("train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz", "--quiet",
            *(["--stream"] if stream else []))
    assert r.returncode != 0
    last = r.stderr.strip().splitlines()[-1]
    assert "numbers stored as text" in last
    assert f"e.g. {cell!r} on line {unread[0] + 2}" in last, last


@pytest.mark.parametrize("cell", ["1,5", "12%", "$3", " INF"])
@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_predict_and_evaluate_name_the_text_cell(tmp_path, cell, command):
    ok, _ = written(tmp_path, "0.5")
    r = cmd("train", ok, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz", "--quiet")
    assert r.returncode == 0, r.stderr
    quoted = f'"{cell}"' if "," in cell else cell
    path, text = written(tmp_path, quoted)
    r = cmd(command, tmp_path / "m.npz", path)
    assert r.returncode != 0
    last = r.stderr.strip().splitlines()[-1]
    assert f"line 7 has {cell!r}" in last, last


@pytest.mark.parametrize("cell", [" INF", "inf "])
def test_the_text_cell_is_read_with_the_files_decimal_mark(tmp_path, cell):
    """With --decimal ',' the cells '0,5' are numbers pandas reads (the truth: read_csv with decimal=','), so the
    cell named is the one it keeps as text, not the column's first number."""
    lines = ["x;y"] + [f"{i / 79:.4f};{i / 79:.4f}".replace(".", ",") for i in range(80)]
    lines[6] = f"{cell};" + lines[6].split(";")[1]
    text = "\n".join(lines) + "\n"
    (tmp_path / "d.csv").write_text(text)
    read = pd.read_csv(io.StringIO(text), sep=";", decimal=",")
    alone = [pd.read_csv(io.StringIO(f"x\n{v}\n"), sep=";", decimal=",")["x"] for v in read["x"]]
    unread = [i for i, col in enumerate(alone) if not pd.api.types.is_numeric_dtype(col)]
    assert unread == [5]
    r = cmd("train", tmp_path / "d.csv", "--target", "y", "--sep", ";", "--decimal", ",", "--epochs", "1",
            "--out", tmp_path / "m.npz", "--quiet")
    assert r.returncode != 0
    assert f"e.g. {cell!r} on line 7" in r.stderr.strip().splitlines()[-1], r.stderr
