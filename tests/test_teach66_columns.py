"""Column names with Markdown's and LaTeX's special characters (` | * _ $ # { } < >), read back as written: the
Markdown's inputs and targets lines rendered by a CommonMark parser, the LaTeX drawn by matplotlib's mathtext."""
from __future__ import annotations

import re

import numpy as np
import pytest

import chainrule as cr

pd = pytest.importorskip("pandas")
MarkdownIt = pytest.importorskip("markdown_it").MarkdownIt

NAMES = ["a`b|c", "x_*$y", "``end`"]
TARGETS = ["t|<#{1}>_%&"]


def _report(n: int):
    net = cr.Network([cr.Dense(3, 2, activation="sigmoid"), cr.Dense(2, 1, activation="sigmoid")], seed=0)
    X = pd.DataFrame(np.array([[0.05, 0.1, 0.2], [0.3, 0.4, 0.5]])[:n], columns=NAMES)
    Y = pd.DataFrame(np.array([[0.25], [0.75]])[:n], columns=TARGETS)
    return cr.explain(net, X, Y)


def _paragraphs(markdown: str) -> list[list]:
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [t.children for t in tokens if t.type == "inline"]


def test_markdown_lines_of_named_columns_are_one_code_span_each():
    report = _report(1)
    text = [line.strip() for line in report.text().splitlines()]
    for what in ("inputs: ", "targets: "):
        plain = next(line for line in text if line.startswith(what))
        assert all(name in plain for name in (NAMES if what == "inputs: " else TARGETS)), plain
        spans = [kids for kids in _paragraphs(report.markdown())
                 if any(k.type == "code_inline" and k.content.startswith(what) for k in kids)]
        assert len(spans) == 1, spans
        assert [(k.type, k.content) for k in spans[0]] == [("code_inline", plain)]


def test_latex_lines_of_named_columns_write_each_name_as_it_is():
    """Each name as mathtext draws it; its \\text{} parts plain words (MathJax 3 prints a backslash there as typed),
    the special characters between them."""
    from matplotlib.mathtext import MathTextParser
    lines = [x.strip("$") for x in _report(2).markdown().splitlines() if x.startswith("$$") and "\\text{ (" in x]
    assert lines, "no LaTeX line names the columns"
    line = lines[0]
    for i, name in enumerate(NAMES, 1):
        label = re.search(rf"i_\{{{i}\}}(.*?)(?= = |, i_\{{)", line)
        assert label is not None, (name, line)
        words = re.findall(r"\\text\{((?:\\.|[^\\{}])*)\}", label[1])
        assert not any(re.search(r"[\\_#$%{}|<>]", w) for w in words if w != "\\&"), words
        drawn = MathTextParser("path").parse(f"${label[1]}$").glyphs
        assert "".join(chr(g[2]) for g in drawn) == f" ({name})", (label[1], name)
    MathTextParser("path").parse(f"${line}$")
