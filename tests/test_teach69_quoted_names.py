"""A column whose name itself looks like repr's spelling (typed 'x\\ny', quotes, a backslash and an n) read the same
as a column holding a real line break (written by repr, 'x\\ny'), in the text report, its Markdown and the network
diagram: what starts with a quote is now always repr's, so ast.literal_eval reads each name back as it was.
Truth: the names themselves, ast.literal_eval."""
from __future__ import annotations

import ast
import re

import numpy as np
import pytest

import chainrule as cr

pd = pytest.importorskip("pandas")

BROKEN = "x\ny"                    # a real line break: written 'x\ny' by repr
TYPED = "'x\\ny'"                  # typed with its quotes, a backslash and an n: the same characters on the page
NAMES = [BROKEN, TYPED, "'a'", '"b"', "owner's age", "", "plain"]


def _read_back(label: str) -> str:
    """A name as the report wrote it, read back: repr's spelling where it starts with a quote, else as written."""
    return ast.literal_eval(label) if label[:1] in ("'", '"') else label


def _report(names: list[str]):
    net = cr.Network([cr.Dense(len(names), 1, activation="sigmoid")], seed=0)
    X = pd.DataFrame(np.linspace(0.1, 0.9, 2 * len(names)).reshape(2, -1), columns=names)
    return cr.explain(net, X, np.array([[0.2], [0.7]]))


def test_text_report_reads_back_every_name_including_one_that_looks_quoted():
    text = str(_report(NAMES))
    line = next(x for x in text.splitlines() if x.lstrip().startswith("i1 ("))
    labels = [re.search(rf"i{i} \((.*?)\) = \[", line)[1] for i in range(1, len(NAMES) + 1)]
    assert len(set(labels)) == len(NAMES), labels
    assert [_read_back(label) for label in labels] == NAMES, labels


def test_markdown_report_tells_the_typed_quotes_from_the_line_break():
    md = _report([BROKEN, TYPED]).markdown()
    line = next(x for x in md.split("\n\n") if x.startswith("$$i_{1}"))
    first, second = re.search(r"i_\{1\}(.*?) = .*?i_\{2\}(.*?) = ", line).groups()
    assert first != second, line


def test_network_diagram_names_read_back(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from conftest import drawn_figure

    from chainrule.teach import plot
    net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 1, "sigmoid")], seed=0)
    report = cr.explain(net, pd.DataFrame([[0.1, 0.2]], columns=[BROKEN, TYPED]), np.array([[0.5]]))
    fig = drawn_figure(monkeypatch, lambda: plot.network_diagram(net, tmp_path / "n.png", report=report))
    texts = [t.get_text() for t in fig.axes[0].texts]
    beside = [t for t in texts if t.startswith(("'", '"'))]
    assert sorted(map(_read_back, beside)) == sorted([BROKEN, TYPED]), texts
