"""Users' names holding a line break, in the text report and in `plot network`: a column 'x\\ny' (a real line break)
and a column typed x\\ny (a backslash, then n) read alike in the text report (both 'x\\ny'); a line break in a
column or class name split the diagram's label in two lines (over its neighbour's room) and cut the heat map's tick
to its first line ('i1 sepal' for the column 'sepal\\nlength', 'o1 Iris' for the class 'Iris\\nsetosa'). A name with
a line break is written as Python's repr writes it, quotes and all, as the command's own lines (and its errors)
write names; truth: repr, ast.literal_eval."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")
from conftest import cmd, drawn_figure  # noqa: E402

BROKEN, TYPED = "sepal\nlength", "sepal\\nwidth"          # a line break; a backslash and an n, as typed
CLASS = "Iris\nsetosa"


def _report(names: list[str]):
    net = cr.Network([cr.Dense(len(names), 1, activation="sigmoid")], seed=0)
    X = pd.DataFrame(np.linspace(0.1, 0.6, 2 * len(names)).reshape(2, -1), columns=names)
    return cr.explain(net, X, np.array([[0.2], [0.7]]))


def _labels(text: str, n: int) -> list[str]:
    line = next(x for x in text.splitlines() if x.lstrip().startswith("i1 ("))
    return [re.search(rf"i{i} \((.*?)\) = ", line)[1] for i in range(1, n + 1)]


def test_text_report_tells_a_line_break_in_a_name_from_a_typed_backslash_n():
    names = [BROKEN, "sepal\\nlength", "petal length"]       # the same characters but the break
    labels = _labels(str(_report(names)), 3)
    assert len(set(labels)) == 3, labels
    assert ast.literal_eval(labels[0]) == BROKEN, labels        # Python's own spelling: read back, the name
    assert labels[1:] == names[1:], labels                     # the others as written


def test_markdown_report_tells_them_apart_too():
    md = _report([BROKEN, "sepal\\nlength"]).markdown()
    line = next(x for x in md.split("\n\n") if x.startswith("$$i_{1}"))
    assert len(line.splitlines()) == 1, line
    first, second = re.search(r"i_\{1\}(.*?) = .*?i_\{2\}(.*?) = ", line).groups()
    assert first != second, line


@pytest.fixture(scope="module")
def broken_model(tmp_path_factory):
    """A model trained on iris with a column and a class holding a line break, and a column with a typed \\n."""
    root = tmp_path_factory.mktemp("broken")
    df = pd.read_csv(Path(cr.__file__).parent / "data" / "examples" / "iris.csv")
    df = df.rename(columns={"sepal_length": BROKEN, "sepal_width": TYPED})
    df["species"] = df["species"].replace({"setosa": CLASS})
    df.to_csv(root / "iris.csv", index=False)
    r = cmd("train", root / "iris.csv", "--target", "species", "--hidden", "3", "--epochs", "2", "--out",
            root / "m.npz", "--quiet")
    assert r.returncode == 0, r.stderr
    return root / "m.npz"


def test_plot_network_writes_each_name_on_one_line_beside_its_unit(broken_model, tmp_path, monkeypatch):
    fig = drawn_figure(monkeypatch, lambda: cmd("plot", "network", "--model", broken_model, "--out",
                                                tmp_path / "n.png"))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert repr(BROKEN) in texts and repr(CLASS) in texts and TYPED in texts, texts
    assert not any("sepal\n" in t or "Iris\n" in t for t in texts), texts


def test_plot_network_heat_map_ticks_name_the_whole_column_and_class(broken_model, tmp_path, monkeypatch):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig = drawn_figure(monkeypatch, lambda: cmd("plot", "network", "--model", broken_model, "--out",
                                                tmp_path / "n.png"))
    fig.draw(FigureCanvasAgg(fig).get_renderer())
    first = next(ax for ax in fig.axes if ax.get_title().startswith("layer 0"))
    last = next(ax for ax in fig.axes if ax.get_title().startswith("layer 1"))
    rows = [t.get_text() for t in first.get_yticklabels() if t.get_text()]
    columns = [t.get_text() for t in last.get_xticklabels() if t.get_text()]
    for tick, name in [(rows[0], f"i1 {BROKEN!r}"), (rows[1], f"i2 {TYPED}"), (columns[0], f"o1 {CLASS!r}")]:
        # the name whole, or its start with '...' where the tick's room ends: never cut at its line break
        assert "\n" not in tick and (tick == name or tick.endswith("...") and name.startswith(tick[:-3])), (tick, name)
        assert len(tick) > len(name.split("\\n")[0]) + 1, (tick, name)


def test_network_diagram_of_a_report_names_its_columns_on_one_line(tmp_path, monkeypatch):
    from chainrule.teach import plot
    net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 1, "sigmoid")], seed=0)
    X = pd.DataFrame([[0.1, 0.2]], columns=[BROKEN, TYPED])
    report = cr.explain(net, X, np.array([[0.5]]))
    fig = drawn_figure(monkeypatch, lambda: plot.network_diagram(net, tmp_path / "n.png", report=report))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert repr(BROKEN) in texts and TYPED in texts, texts


def test_plot_network_of_a_regression_writes_its_target_with_a_line_break_on_one_line(tmp_path, monkeypatch):
    """A regression's output is named '<target>\\n(standardised)': the target's own line break made it three lines,
    and the heat map's tick 'o1 disease' for the target 'disease\\nprogression'."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    target = "disease\nprogression"
    df = pd.read_csv(Path(cr.__file__).parent / "data" / "examples" / "diabetes.csv").iloc[:60]
    df.columns = [*df.columns[:-1], target]
    df.to_csv(tmp_path / "d.csv", index=False)
    r = cmd("train", tmp_path / "d.csv", "--target", target, "--hidden", "3", "--epochs", "1", "--out",
            tmp_path / "d.npz", "--quiet")
    assert r.returncode == 0, r.stderr
    fig = drawn_figure(monkeypatch, lambda: cmd("plot", "network", "--model", tmp_path / "d.npz", "--out",
                                                tmp_path / "d.png"))
    output = next(t.get_text() for t in fig.axes[0].texts if t.get_text().endswith("(standardised)"))
    assert output.count("\n") == 1 and output.startswith("'disease\\n"), output     # two lines: its name, what
    fig.draw(FigureCanvasAgg(fig).get_renderer())
    last = next(ax for ax in fig.axes if ax.get_title().startswith("layer 1"))
    tick = next(t.get_text() for t in last.get_xticklabels() if t.get_text())
    assert tick.startswith("o1 'disease") and tick != "o1 'disease", tick          # not cut at the break
