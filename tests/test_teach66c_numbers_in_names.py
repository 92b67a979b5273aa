"""A column's name that reads as a number in e-notation ('1e-3', 'dose 2e5') is the learner's word, not the report's
number, nor is a class label's ('dose 1e5'): the LaTeX writes it as it is (mathtext draws it so), while the report's
own numbers in e-notation on the same line are still written as a product with a power of ten."""
from __future__ import annotations

import re

import numpy as np
import pytest

import chainrule as cr

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")
from conftest import cmd  # noqa: E402

NAMES = ["1e-3", "dose 2e5", "x1e5", "2.5E+3_y"]


def _glyphs(tex: str) -> str:
    from matplotlib.mathtext import MathTextParser
    return "".join(chr(g[2]) for g in MathTextParser("path").parse(f"${tex}$").glyphs)


def test_names_in_e_notation_are_written_as_they_are_and_numbers_still_as_powers_of_ten():
    net = cr.Network([cr.Dense(len(NAMES), 1, activation="sigmoid")], seed=0)
    X = pd.DataFrame([[2e-7, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4]], columns=NAMES)
    line = next(x.strip("$") for x in cr.explain(net, X, np.array([[0.2], [0.7]])).markdown().splitlines()
                if x.startswith("$$") and "i_{1}" in x and "\\text{ (" in x)
    for i, name in enumerate(NAMES, 1):
        label = re.search(rf"i_\{{{i}\}}(.*?)(?= = |, i_\{{)", line)
        assert label is not None, (name, line)
        assert "\\times" not in label[1] and _glyphs(label[1]) == f" ({name})", (name, label[1])
    assert "i_{1}\\text{ (1e-3)} = [2 \\times 10^{-7}, 0.1]" in line, line
    _glyphs(line)


@pytest.mark.parametrize("row", [1, 2])          # a data row of the file, from 1
def test_a_class_label_in_e_notation_is_written_as_the_text_writes_it(tmp_path, row):
    labels = ["dose 1e5", "dose 2e-3"]
    (tmp_path / "d.csv").write_text("a,b,y\n" + "".join(f"{i % 5},{(i * 3) % 7},{labels[i % 2]}\n" for i in range(20)))
    r = cmd("train", tmp_path / "d.csv", "--target", "y", "--hidden", "2", "--epochs", "1", "--out", tmp_path / "m.npz")
    assert r.returncode == 0, r.stderr
    said = {}
    for form in ("text", "markdown"):
        r = cmd("explain", "--model", tmp_path / "m.npz", "--data", tmp_path / "d.csv", "--row", row, "--format", form)
        assert r.returncode == 0, r.stderr
        said[form] = next(x for x in r.stdout.splitlines() if "one-hot row" in x)
    plain = said["text"].split(": ", 1)[1]
    words = said["markdown"].strip("$").split("\\quad ", 1)[1]
    assert labels[row - 1] in plain and _glyphs(words) == plain, (plain, words)


@pytest.mark.parametrize("name", ["x_(1)", "a   (b)", "c$(d)"])
def test_the_inputs_line_keeps_its_note_whatever_a_column_is_named(name):
    """The batch's inputs line says what its numbers are, "(the inputs, one value per sample)", in the LaTeX as in the
    text, whatever brackets and spaces a column's name holds."""
    net = cr.Network([cr.Dense(2, 1, activation="sigmoid")], seed=0)
    report = cr.explain(net, pd.DataFrame([[0.1, 0.2]] * 2, columns=[name, "b"]), np.array([[0.2], [0.3]]))
    said = next(x for x in report.text().splitlines() if x.strip().startswith("i1 ("))
    line = next(x.strip("$") for x in report.markdown().splitlines() if x.startswith("$$i_{1}"))
    note = said.rsplit("   ", 1)[1]
    assert note == "(the inputs, one value per sample)", said
    assert line.count("\\quad") == 1 and _glyphs(line.split("\\quad ")[1]) == note, line
