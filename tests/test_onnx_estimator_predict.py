"""`chainrule predict` (and evaluate) of an estimator's ONNX export (to_onnx(BackpropClassifier) or a regressor) said
"a model of another library": it is chainrule's own graph, of rows of numbers with no column names. The refusal says
what it is, what it takes and what to do; the graph itself gives the estimator's predict under onnxruntime."""
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import cmd

import chainrule as cr

pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
cs = pytest.importorskip("chainrule.sklearn")

X = np.random.default_rng(0).normal(size=(20, 3))


@pytest.mark.parametrize("kind, outputs, command", [("BackpropClassifier", "'label', 'probabilities'", "predict"),
                                                    ("BackpropRegressor", "'variable'", "evaluate")])
def test_predict_of_an_estimators_export_says_what_it_is_and_what_to_do(tmp_path, kind, outputs, command):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = getattr(cs, kind)(hidden_layer_sizes=(3,), epochs=1, random_state=0).fit(X, X[:, 0] > 0)
    path = tmp_path / "est.onnx"
    cr.to_onnx(est, path)
    pd.DataFrame(X, columns=["a", "b", "c"]).assign(y=X[:, 0] > 0).to_csv(tmp_path / "rows.csv", index=False)
    args = [str(path), str(tmp_path / "rows.csv")]
    done = cmd(command, *args)
    assert done.returncode != 0
    said = done.stderr
    assert "another library" not in said, said
    assert f"the ONNX export of a chainrule {kind.removeprefix('Backprop').lower()} ({kind})" in said, said
    assert "3 numbers each (its input 'input'), not a CSV file's columns" in said and outputs in said, said
    assert "run this graph with onnxruntime" in said, said
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])    # as it says: it runs there
    np.testing.assert_allclose(session.run([outputs.split("'")[1]], {"input": X})[0], est.predict(X), rtol=1e-12)
