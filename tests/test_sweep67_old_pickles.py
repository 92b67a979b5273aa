"""Best models pickled before sweep_estimators held the sweep's estimators name them as chainrule.sweep_search.X:
each such reference still loads, as the class or function that the sweep now pickles, and a regression's best
model pickled under the old path predicts as the sweep's own."""
import pickle

import numpy as np
import pytest

pytest.importorskip("sklearn")
import chainrule.sweep_estimators as estimators  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402


@pytest.mark.parametrize("name", ["TargetScaling", "FoldPreprocessing", "SweptClassifier", "SweptRegressor",
                                  "_unscaled", "_scaled"])
def test_an_old_pickles_reference_to_sweep_search_loads_the_same_object(name):
    old = f"cchainrule.sweep_search\n{name}\n.".encode()       # protocol 0's GLOBAL opcode, as an old file has it
    assert pickle.loads(old) is getattr(estimators, name)


def test_a_regression_best_model_pickled_under_the_old_path_predicts_the_same(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2))
    csv = tmp_path / "r.csv"
    np.savetxt(csv, np.c_[x, 3 * x[:, 0] + 100], delimiter=",", header="a,b,y", comments="")
    best = run_sweep(csv, "y", {"lr": [0.05]}, epochs=3, cv=2, out_dir=None).best_estimator
    monkeypatch.setattr(estimators.TargetScaling, "__module__", "chainrule.sweep_search")   # as pickled before
    data = pickle.dumps(best)
    monkeypatch.undo()
    assert b"chainrule.sweep_search" in data
    again = pickle.loads(data)
    assert type(again.transformer_) is estimators.TargetScaling
    np.testing.assert_array_equal(again.predict(x), best.predict(x))
