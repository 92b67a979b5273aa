"""Neighbours of a column name's -- and line break: TeX's other text ligatures (!` and ?` are ¡ and ¿ in LaTeX's own
fonts, ,, a low quote in T1's) and the other characters a line ends at (str.splitlines': \\v, \\f, \\x85, \\u2028, ...;
a terminal moves down a line at \\v and \\f). Each reads as written: no \\text{} holds such a pair, mathtext draws the
name as Python's repr writes it where it holds a line break, and the text report keeps its inputs line whole."""
from __future__ import annotations

import re

import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")
from test_learn67_names import TEXT, _glyphs  # noqa: E402
from test_learn67_names import _report as names_report  # noqa: E402

NAMES = ["a!`b", "c?`d", "e,,f", "g\vh", "i\fj", "k\x85l", "m\u2028n", "o\u2029p", "q\x1cr"]
PAIRS = ("!`", "?`", ",,")


def _report():
    return names_report(NAMES)


def _as_python_writes(name: str) -> str:
    """`name` as repr writes it where it holds a character str.splitlines breaks at (truth: str.splitlines)."""
    return repr(name) if len(f"a{name}b".splitlines()) > 1 else name


def test_latex_of_names_with_other_ligatures_and_line_breaks_reads_as_written():
    lines = [x for x in _report().markdown().split("\n\n") if x.startswith("$$i_{1}")]
    assert len(lines) == 1 and lines[0].endswith("$$") and len(lines[0].splitlines()) == 1, lines
    line = lines[0].strip("$")
    for i, name in enumerate(NAMES, 1):
        label = re.search(rf"i_\{{{i}\}}(.*?)(?= = |, i_\{{)", line)
        assert label is not None, (name, line)
        for words in TEXT.findall(label[1]):
            assert not any(pair in words for pair in PAIRS) and len(f"a{words}b".splitlines()) == 1, (name, words)
        assert _glyphs(label[1]) == f" ({_as_python_writes(name)})", (name, label[1])


def test_text_report_keeps_columns_with_any_line_break_on_their_line():
    text = str(_report())
    inputs = next(x for x in text.splitlines() if "i1 (a!`b) = " in x)
    for i, name in enumerate(NAMES, 1):
        assert f"i{i} ({_as_python_writes(name)}) = " in inputs, (name, inputs)
    assert "i4 ('g\\x0bh')" in inputs and "i7 ('m\\u2028n')" in inputs, inputs      # repr's own spelling
