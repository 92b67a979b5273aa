"""Column names that TeX and KaTeX would rewrite inside one \\text{}: -- and --- (their en and em dash ligatures), ``
and '' (their double quotes); and a line break in a name, which split the report's line and the Markdown's $$...$$
in two. Each reads as written: the LaTeX's \\text{} parts hold none of those pairs, mathtext draws the name's
characters (a name with a line break as Python's repr writes it, 'x\\ny'), and the text report keeps its inputs
line whole."""
from __future__ import annotations

import re

import numpy as np
import pytest

import chainrule as cr

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

NAMES = ["a--b", "c---d", "``q''", "x\ny", "“curly”"]
TEXT = re.compile(r"\\text\{((?:\\.|[^\\{}])*)\}")
LIGATURES = ("--", "``", "''")          # what TeX and KaTeX join in text mode


def _glyphs(tex: str) -> str:
    from matplotlib.mathtext import MathTextParser
    return "".join(chr(g[2]) for g in MathTextParser("path").parse(f"${tex}$").glyphs)


def _report(names: list[str] = NAMES):
    net = cr.Network([cr.Dense(len(names), 1, activation="sigmoid")], seed=0)
    X = pd.DataFrame(np.linspace(0.1, 0.6, 2 * len(names)).reshape(2, -1), columns=names)
    return cr.explain(net, X, np.array([[0.2], [0.7]]))


def test_latex_of_names_with_dashes_quotes_and_a_line_break_reads_as_written():
    lines = [x for x in _report().markdown().split("\n\n") if x.startswith("$$i_{1}")]
    assert len(lines) == 1 and lines[0].startswith("$$") and lines[0].endswith("$$"), lines
    line = lines[0].strip("$")
    for i, name in enumerate(NAMES, 1):
        label = re.search(rf"i_\{{{i}\}}(.*?)(?= = |, i_\{{)", line)
        assert label is not None, (name, line)
        for words in TEXT.findall(label[1]):
            assert not any(pair in words for pair in LIGATURES) and "\n" not in words, (name, words)
        written = repr(name) if "\n" in name else name         # a name with a line break as repr writes it
        assert _glyphs(label[1]) == f" ({written})", (name, label[1])


def test_text_report_keeps_a_column_with_a_line_break_on_its_line():
    text = str(_report())
    inputs = next(x for x in text.splitlines() if "i1 (a--b) = " in x)
    assert "i4 ('x\\ny') = " in inputs and "i5 (“curly”) = " in inputs, inputs
