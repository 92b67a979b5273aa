"""Neighbours of a name holding a line break: a name holding any other character Python's repr escapes (a tab, an
escape that a terminal runs as a control sequence, a NUL, a zero-width space) was written raw in the text report, its
Markdown and a plot's labels, reading like another name ('c\\td' as 'c    d') or not at all, while the command's own
lines write it as repr does. Each is written as repr writes it, quotes and all; truth: str.isprintable, repr,
ast.literal_eval."""
from __future__ import annotations

import ast
import re

import numpy as np
import pytest

import chainrule as cr

pd = pytest.importorskip("pandas")

NAMES = ["c\td", "x\x1b[31my", "n\x00m", "a\u200bb", "plain name"]


def _net():
    return cr.Network([cr.Dense(len(NAMES), 1, activation="sigmoid")], seed=0)


def _report():
    net = _net()
    X = pd.DataFrame(np.linspace(0.1, 0.6, 2 * len(NAMES)).reshape(2, -1), columns=NAMES)
    return cr.explain(net, X, np.array([[0.2], [0.7]]))


def test_text_report_writes_unprintable_names_as_repr_does():
    line = next(x for x in str(_report()).splitlines() if x.lstrip().startswith("i1 ("))
    assert line.isprintable(), line
    for i, name in enumerate(NAMES, 1):
        label = re.search(rf"i{i} \((.*?)\) = ", line)[1]
        assert label == (name if name.isprintable() else repr(name)), (name, label)
        if not name.isprintable():
            assert ast.literal_eval(label) == name, label


def test_markdown_report_holds_no_unprintable_character():
    md = _report().markdown()
    assert all(line.isprintable() for line in md.splitlines()), [x for x in md.splitlines() if not x.isprintable()]


def test_network_diagram_of_a_report_writes_unprintable_names_as_repr_does(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from conftest import drawn_figure

    from chainrule.teach import plot
    report = _report()
    fig = drawn_figure(monkeypatch, lambda: plot.network_diagram(_net(), tmp_path / "n.png", report=report))
    texts = [t.get_text() for t in fig.axes[0].texts]
    for name in NAMES:
        assert (name if name.isprintable() else repr(name)) in texts, (name, texts)



def test_plot_network_writes_a_one_hot_column_and_its_category_each_as_named(tmp_path, monkeypatch):
    """A one-hot input is column=category: a category holding a line break was quoted with its column ('cat=a\\nb'),
    one name that no column or category has; each part is written as the command's lines write it, cat='a\\nb'."""
    pytest.importorskip("matplotlib")
    from conftest import cmd, drawn_figure
    rng = np.random.default_rng(0)
    pd.DataFrame({"x": rng.normal(size=40), "cat": ["a\nb", "c"] * 20, "y": rng.normal(size=40)}).to_csv(
        tmp_path / "d.csv", index=False)
    r = cmd("train", tmp_path / "d.csv", "--target", "y", "--hidden", "2", "--epochs", "1", "--out",
            tmp_path / "m.npz", "--quiet")
    assert r.returncode == 0, r.stderr
    fig = drawn_figure(monkeypatch, lambda: cmd("plot", "network", "--model", tmp_path / "m.npz", "--out",
                                                tmp_path / "n.png"))
    texts = [t.get_text() for t in fig.axes[0].texts]
    one_hot = [t for t in texts if t.startswith(("cat", "'cat"))]
    assert one_hot == [f"cat={'a' + chr(10) + 'b'!r}", "cat=c"], texts       # repr's spelling of the category alone
