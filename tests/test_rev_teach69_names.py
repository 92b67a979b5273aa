"""Every place a report writes a user's name writes it as the report's lines do (teach.escape.one_line): on one
line, what starts with a quote repr's. The explorer's Markdown export of a CSV file's units (each name as code, so
that Markdown reads none of it: a * or a # stays one), and the class line of a report whose class names came
without their column. Truth: the names themselves, read back by ast.literal_eval where they start with a quote."""
from __future__ import annotations

import ast
import csv
import io
import re

import numpy as np
import pytest

import chainrule as cr

TOKEN = "test-token"
COLUMNS = ["x\ny", "'x\\ny'", "*a*", "# b", "'", "end'", " lead"]
CLASSES = ["'s'", "x\ny", "*c*"]


def _read_back(label: str) -> str:
    return ast.literal_eval(label) if label[:1] in ("'", '"') else label


def _csv() -> bytes:
    rng = np.random.default_rng(0)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([*COLUMNS, "kind"])
    for k in range(30):
        w.writerow([f"{v:.3f}" for v in rng.uniform(-1, 1, len(COLUMNS))] + [CLASSES[k % 3]])
    return out.getvalue().encode()


def test_explorer_markdown_export_writes_each_name_on_one_line_as_code():
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from chainrule.teach.explore.server import create_app
    client = TestClient(create_app(TOKEN))
    sid = client.post("/api/session", headers={"X-Token": TOKEN}, json={}).json()["session"]
    with pytest.warns(UserWarning, match="read over several lines"):      # the quoted line break: said
        r = client.post(f"/api/session/{sid}/upload?name=odd.csv&target=kind", headers={"X-Token": TOKEN},
                        content=_csv())
    assert r.status_code == 200, r.text
    names = r.json()["state"]["names"]
    md = client.get(f"/api/session/{sid}/export/derivation.md?token={TOKEN}").text
    inputs = next(line for line in md.split("\n") if line.startswith("Inputs ("))
    outputs = next(line for line in md.split("\n") if line.startswith("Outputs: "))
    span = r"(`+)(.*?)\1(?!`)"                  # a code span (no name here holds a backtick: no pad)
    written = [m[2] for m in re.finditer(rf"i\d+ = {span}", inputs)]
    assert [_read_back(w) for w in written] == names["inputs"] == COLUMNS, inputs
    classes = [m[2] for m in re.finditer(rf"o\d+ = class {span}", outputs)]
    assert [_read_back(c) for c in classes] == names["classes"], outputs
    assert sorted(names["classes"]) == sorted(CLASSES)


@pytest.mark.parametrize("name", ["x\ny", "'s'", "", "plain"])
def test_class_line_without_its_column_writes_the_name_as_the_inputs_line_does(name):
    net = cr.Network([cr.Dense(2, 3, activation="softmax")], seed=0, loss="categorical_crossentropy")
    report = cr.explain(net, np.array([[0.1, 0.2]]), np.array([1]))
    report.data["target_classes"]["names"] = [name]            # a class name given without its column
    line = next(x for x in str(report).splitlines() if "as a one-hot row" in x)
    said = re.search(r"class 1 \((.*)\) as a one-hot row$", line)
    assert said is not None, line
    assert _read_back(said[1]) == name, line


def test_diagram_labels_show_a_space_at_a_names_edge(tmp_path, monkeypatch):
    """Columns 'a', ' a' and 'a ' drawn beside the inputs: a label's edge shows no space, so the two spaced ones are
    written by repr (quotes around the space) and every label reads back as its column."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    from conftest import drawn_figure

    from chainrule.teach import plot
    columns = ["a", " a", "a "]
    net = cr.Network([cr.Dense(3, 2, "sigmoid"), cr.Dense(2, 1, "sigmoid")], seed=0)
    report = cr.explain(net, pd.DataFrame([[0.1, 0.2, 0.3]], columns=columns), np.array([[0.5]]))
    fig = drawn_figure(monkeypatch, lambda: plot.network_diagram(net, tmp_path / "n.png", report=report))
    texts = [t.get_text() for t in fig.axes[0].texts]
    beside = [t for t in texts if t.strip("'\"").strip() == "a"]
    assert len(beside) == 3 and all(t == t.strip() for t in beside), texts
    assert sorted(map(_read_back, beside)) == sorted(columns), texts
