"""ONNX as a deployer reads it: what a CSV model's outputs mean, told where onnxruntime shows it
(the model's custom metadata), and foreign graphs from torch.onnx.export read or refused by name."""
import json

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pd = pytest.importorskip("pandas")
from conftest import cmd, csv_feeds  # noqa: E402


def session(path):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("name", ["plain", "imputed"])
def test_a_classifiers_graph_names_its_classes_in_the_order_of_the_probabilities(csv_models, name):
    """onnxruntime shows no output's doc_string: the metadata is where a deployer learns which column
    of 'probabilities' is which class. Truth: the CSV's labels, predict's proba_<class> columns."""
    folder, models = csv_models
    model, graph = models[name]
    s = session(graph)
    meta = s.get_modelmeta().custom_metadata_map
    classes = json.loads(meta["chainrule.classes"])
    assert sorted(classes) == sorted(pd.read_csv(folder / "t.csv")["y"].unique())
    assert (meta["chainrule.target"], meta["chainrule.task"]) == ("y", "classification")
    df = pd.read_csv(folder / "t.csv").head(40)
    label, proba = s.run(None, csv_feeds(df))
    assert (label == np.array(classes, dtype=object)[proba.argmax(axis=1)]).all()
    r = cmd("predict", model, folder / "t.csv", "--proba", "--out", folder / f"{name}-p.csv")
    assert r.returncode == 0, r.stderr
    want = pd.read_csv(folder / f"{name}-p.csv").head(40)
    np.testing.assert_allclose(proba, want[[f"proba_{c}" for c in classes]].to_numpy(), rtol=2e-6, atol=1e-7)
    out = {o.name: o.doc_string for o in onnx.load(graph).graph.output}
    assert str(classes) in out["probabilities"] and "order" in out["probabilities"]
