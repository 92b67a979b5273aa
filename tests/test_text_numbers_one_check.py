"""Numbers written as text are refused by one check (columns.check_text_values) whether the file is read
whole or streamed: `train` and `train --stream` say the same words, the same example and the same line."""
import pytest
from conftest import cmd

ROWS = 40


def _file(tmp_path, cells, target=False, sep=","):
    """A file whose column 'c' (or the target 'y', `target`) holds `cells` cycled over ROWS rows."""
    lines = [sep.join(["a", "c", "y"])]
    for i in range(ROWS):
        cell = cells[i % len(cells)]
        if target:
            lines.append(sep.join([str(i % 5), "u", cell]))
        else:
            lines.append(sep.join([str(i % 5), cell, str(i % 2)]))
    path = tmp_path / "f.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


CASES = {
    "placeholder": (["1.5", "2.5", "?", "3.5", "4.5"], False, ()),
    "stored as text": (["1.5", "2.25", "3.125"], False, ("--decimal", ",", "--sep", ";")),
    "decimal comma": (['"1,5"', '"2,5"', '"3,75"'], False, ()),
    "thousands": (["17", '"1,234"', '"12,500"', '"3,000"'], False, ()),
    "time spans": (["02:00:00", "1 days 02:00:00", "03:30:00"], False, ()),
    "percentages": (["7", "12%", "13.5%"], False, ()),
    "target placeholder": ([f"{i}.5" for i in range(ROWS - 1)] + ["n/a"], True, ()),
    "target percentages": ([f"{i}%" for i in range(ROWS)], True, ()),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_column_of_numbers_as_text_is_refused_alike_read_whole_and_streamed(tmp_path, case):
    cells, target, options = CASES[case]
    sep = ";" if "--sep" in options else ","
    path = _file(tmp_path, cells, target, sep)
    said = []
    for stream in ((), ("--stream",)):
        run = cmd("train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz", *options, *stream)
        assert run.returncode == 2, run.stderr
        said.append(run.stderr.strip().splitlines()[-1])
    assert said[0] == said[1]
    assert "line " in said[0] and ("'c'" in said[0] or "'y'" in said[0])
