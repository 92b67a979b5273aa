"""A network saved from Python (Network.save, no CSV preprocessing) given to `chainrule predict`: the refusal
says what does read it."""
import re

import numpy as np
from conftest import cmd

import chainrule as cr


def test_predict_on_a_network_save_model_names_the_way_out_and_that_way_works(tmp_path):
    """The refusal said only that `predict` needs a `chainrule train` model, leaving a user with a model from
    the README's `net.save("model.npz")` and a CSV file nowhere to go; it now names the Python calls and
    explain's --inputs, and both give the network's own numbers."""
    net = cr.Network([cr.Dense(3, 4, "relu"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    net.save(tmp_path / "model.npz")
    (tmp_path / "rows.csv").write_text("a,b,c\n0.5,-1,2\n")
    refused = cmd("predict", "model.npz", "rows.csv", cwd=tmp_path)
    assert refused.returncode == 2
    said = " ".join(refused.stderr.split())
    assert "3 raw features" in said and "chainrule.load(path).predict(X)" in said, said
    assert "`chainrule explain --model model.npz --inputs 0.5,0.5,0.5 --targets 0`" in said, said
    x = np.array([[0.5, -1.0, 2.0]])
    assert np.allclose(cr.load(tmp_path / "model.npz").predict(x), net.predict(x))
    shown = cmd("explain", "--model", "model.npz", "--inputs", "0.5,-1,2", "--targets", "0,1", "--width", "0",
                cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    out_o2 = re.search(r"^  out_o2 = .* = ([-0-9.e]+)$", shown.stdout, re.M)
    assert out_o2 and abs(float(out_o2.group(1)) - net.predict(x)[0, 1]) < 1e-8, shown.stdout
