"""network_diagram names its inputs and outputs by a report's DataFrame columns, as explain does (its lines say
"i1 (sepal_length)"), unless given other names."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pd = pytest.importorskip("pandas")
from conftest import drawn_figure  # noqa: E402

import chainrule as cr  # noqa: E402

X = pd.DataFrame({"sepal_length": [5.1, 6.2], "petal_width": [0.2, 1.8]})
Y = pd.DataFrame({"ripe": [0.0, 1.0], "sweet": [1.0, 0.0]})


def _texts(monkeypatch, tmp_path, **names) -> set[str]:
    from chainrule.teach import plot
    net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "sigmoid")], seed=0)
    report = cr.explain(net, X.iloc[:1], Y.iloc[:1])
    fig = drawn_figure(monkeypatch, lambda: plot.network_diagram(net, tmp_path / "n.png", report=report, **names))
    return {t.get_text() for ax in fig.axes for t in ax.texts}


def test_a_reports_columns_name_the_diagrams_inputs_and_outputs(tmp_path, monkeypatch):
    texts = _texts(monkeypatch, tmp_path)
    assert {"sepal_length", "petal_width", "ripe", "sweet"} <= texts, texts


def test_names_given_are_drawn_instead(tmp_path, monkeypatch):
    texts = _texts(monkeypatch, tmp_path, input_names=["a", "b"], output_names=["c", "d"])
    assert {"a", "b", "c", "d"} <= texts and not {"sepal_length", "ripe"} & texts, texts


def test_a_report_of_arrays_names_nothing(tmp_path, monkeypatch):
    from chainrule.teach import plot
    net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "sigmoid")], seed=0)
    report = cr.explain(net, np.asarray(X)[:1], np.asarray(Y)[:1])
    fig = drawn_figure(monkeypatch, lambda: plot.network_diagram(net, tmp_path / "n.png", report=report))
    assert not {"sepal_length", "ripe"} & {t.get_text() for ax in fig.axes for t in ax.texts}
