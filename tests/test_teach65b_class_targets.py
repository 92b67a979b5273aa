"""Targets given as class labels: the report says the one-hot row (or the 0/1 classes) a label stands for, before
the error lines that read its 1s and 0s, in every format and at every width of the command; a 4-3-3 softmax report
on an iris row checked whole against torch autograd."""
import json

import numpy as np
import pytest
from conftest import cmd, iris_table

import chainrule as cr
from chainrule.teach.width import fit_width

ONE_HOT = "target_o1 = 1, target_o2 = 0: class 0 as a one-hot row"


def _softmax(k=2):
    return cr.Network([cr.Dense(2, k, "softmax")], loss="categorical_crossentropy", seed=0)


def test_a_class_label_says_its_one_hot_row_in_text_and_markdown():
    # Y=[0]: the error lines read -(1 * log(...)) and -(0 * log(...)) with no word of target_o1 = 1, target_o2 = 0
    report = cr.explain(_softmax(), [[0.5, -1.0]], [0])
    text = report.text().splitlines()
    at = text.index("  " + ONE_HOT)
    assert text[at - 1] == "Error (categorical_crossentropy)" and text[at + 1].startswith("  E_o1 = ")
    assert "$$target_{o1} = 1, target_{o2} = 0 \\quad \\text{class 0 as a one-hot row}$$" in report.markdown()
    assert report.to_dict()["target_classes"] == {"labels": [0], "names": None, "one_hot": True}
    same = cr.explain(_softmax(), [[0.5, -1.0]], np.array([[0]]))       # a column of labels, as nn.checks reads it
    assert ONE_HOT in same.text()


def test_several_labels_say_their_rows_sample_by_sample():
    report = cr.explain(_softmax(3), [[0.5, -1.0], [1.0, 2.0]], [2, 0])
    assert "target_o1 = [0, 1], target_o2 = [0, 0], target_o3 = [1, 0]: classes 2, 0 as one-hot rows, one per sample" \
        in report.text()


def test_targets_given_as_rows_of_numbers_add_no_line():
    net, X, Y, lr = cr.examples.seed_network()
    report = cr.explain(net, X, Y, lr=lr)
    assert ": class" not in report.text() and report.to_dict()["target_classes"] is None
    assert ": class" not in cr.explain(_softmax(), [[0.5, -1.0]], [[1.0, 0.0]]).text()     # the row given: seen


def test_a_sigmoid_output_with_a_0_1_label_and_multilabel_rows_say_their_classes():
    one = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    text = cr.explain(one, [[0.5, -1.0], [1.0, 2.0]], [1, 0]).text()
    assert "  target_o1 = [1, 0]: each sample's class, 1 or 0" in text.splitlines()
    rows = cr.Network([cr.Dense(2, 3, "sigmoid")], loss="binary_crossentropy", seed=0)
    report = cr.explain(rows, [[0.5, -1.0]], [[1, 0, 1]])
    said = "target_o1 = 1, target_o2 = 0, target_o3 = 1: each output's own class, 1 or 0"
    assert f"  {said}" in report.text().splitlines()
    assert "target_{o3} = 1 \\quad \\text{each output's own class, 1 or 0}$$" in report.markdown()
    soft = cr.explain(rows, [[0.5, -1.0]], [[0.7, 0.2, 0.1]])             # probabilities, not classes: no line
    assert soft.to_dict()["target_classes"] is None and ": each output" not in soft.text()


def test_a_4_3_3_softmax_iris_row_is_torch_autograds_whole():
    torch = pytest.importorskip("torch")
    iris = iris_table()
    X, label = iris.iloc[[0], :4].to_numpy(float), 0
    net = cr.Network([cr.Dense(4, 3, "tanh"), cr.Dense(3, 3, "softmax")], loss="categorical_crossentropy", seed=3)
    report = cr.explain(net, X, [label], lr=0.1)
    d = report.to_dict()
    W1, b1, W2, b2 = (torch.tensor(a, requires_grad=True) for a in net.get_weights())
    h = torch.tanh(torch.tensor(X) @ W1 + b1)
    net_o = h @ W2 + b2
    out = torch.softmax(net_o, dim=1)
    target = torch.nn.functional.one_hot(torch.tensor([label]), 3).double()
    terms = -(target * torch.log(out))
    E = torch.nn.functional.cross_entropy(net_o, torch.tensor([label]))
    E.backward()
    assert [t["value"][0] for t in d["targets"]] == target[0].tolist()
    assert [e["value"][0] for e in d["errors"]] == pytest.approx(terms[0].tolist(), abs=1e-12)
    assert d["E_total"] == pytest.approx(E.item(), abs=1e-12)
    assert [nr["out"][0] for nr in d["layers"][0]["neurons"]] == pytest.approx(h[0].tolist(), abs=1e-12)
    assert [nr["out"][0] for nr in d["layers"][1]["neurons"]] == pytest.approx(out[0].tolist(), abs=1e-12)
    grads = {(0, "W"): W1.grad, (0, "b"): b1.grad, (1, "W"): W2.grad, (1, "b"): b2.grad}
    assert len(d["parameters"]) == 4 * 3 + 3 + 3 * 3 + 3
    for p in d["parameters"]:
        g = grads[p["layer"], p["kind"]][tuple(p["index"])].item()
        assert p["grad"] == pytest.approx(g, abs=1e-12), p["name"]
        assert p["updated"] == pytest.approx(p["value"] - 0.1 * g, abs=1e-12), p["name"]
    assert "  target_o1 = 1, target_o2 = 0, target_o3 = 0: class 0 as a one-hot row" in report.text()


@pytest.fixture(scope="module")
def iris_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("iris")
    iris_table().to_csv(folder / "iris.csv", index=False)
    r = cmd("train", "iris.csv", "--target", "species", "--hidden", 3, "--epochs", 3, "--out", "iris.npz", "--quiet",
            cwd=folder)
    assert r.returncode == 0, r.stderr
    return folder


NAMED = "target_o1 = 1, target_o2 = 0, target_o3 = 0: class 0 ('species' = 'setosa') as a one-hot row"


def test_the_command_names_the_class_in_every_format_and_width(iris_model):
    sample = ["explain", "--model", "iris.npz", "--inputs", "5.1,3.5,1.4,0.2", "--targets", "setosa"]
    r = cmd(*sample, "--width", 0, cwd=iris_model)
    assert r.returncode == 0, r.stderr
    assert "  " + NAMED in r.stdout.splitlines(), r.stdout
    for w in range(40, 121):            # the line broken as the command breaks it, its words all kept
        lines = fit_width(r.stdout, w).splitlines()
        at = next(i for i, line in enumerate(lines) if line.lstrip().startswith("target_o1 = "))
        joined = lines[at].strip()
        for line in lines[at + 1:]:
            if not line.startswith("    "):
                break
            joined += " " + line.strip()
        assert joined == NAMED, (w, lines[at:at + 4])
        assert all(len(line) <= w for line in lines[at:at + 4]), w
    narrow = cmd(*sample, "--width", 40, cwd=iris_model)
    assert narrow.stdout == fit_width(r.stdout, 40)
    md = cmd(*sample, "--format", "markdown", cwd=iris_model)
    tex = ("$$target_{o1} = 1, target_{o2} = 0, target_{o3} = 0 \\quad "
           "\\text{class 0 ('species' = 'setosa') as a one-hot row}$$")
    assert tex in md.stdout, md.stdout
    js = json.loads(cmd(*sample, "--format", "json", cwd=iris_model).stdout)
    assert js["target_classes"] == {"labels": [0], "names": ["setosa"], "one_hot": True, "column": "species"}
    row = cmd("explain", "--model", "iris.npz", "--data", "iris.csv", "--row", 51, cwd=iris_model)   # the row's own
    assert "target_o1 = 0, target_o2 = 1, target_o3 = 0: class 1 ('species' = 'versicolor') as a one-hot row" \
        in row.stdout


def test_numeric_classes_say_their_column_not_a_bare_number(tmp_path):
    # a target column of grades 3, 5, 7: the line said "class 1 (5)" (and "class 1 (1)" for classes 0, 1, 2),
    # a bare number beside the index; it now says the value as the outputs line does: 'grade' = 5
    grades = iris_table()
    grades["grade"] = grades["species"].map({"setosa": 3, "versicolor": 5, "virginica": 7})
    grades.drop(columns="species").to_csv(tmp_path / "grades.csv", index=False)
    r = cmd("train", "grades.csv", "--target", "grade", "--task", "classification", "--hidden", 3, "--epochs", 2,
            "--out", "g.npz", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    row = cmd("explain", "--model", "g.npz", "--data", "grades.csv", "--row", 51, "--width", 0, cwd=tmp_path)
    assert "o2 = P('grade' = 5)" in row.stdout, row.stdout
    assert "  target_o1 = 0, target_o2 = 1, target_o3 = 0: class 1 ('grade' = 5) as a one-hot row" \
        in row.stdout.splitlines(), row.stdout
    js = json.loads(cmd("explain", "--model", "g.npz", "--data", "grades.csv", "--row", 51, "--format", "json",
                        cwd=tmp_path).stdout)
    assert js["target_classes"] == {"labels": [1], "names": [5], "one_hot": True, "column": "grade"}
