"""`chainrule predict` / `evaluate` on a Network.save model: the `chainrule explain` call the refusal names runs
as pasted, whatever the network's size, task and number of inputs."""
import re
import shlex

import pytest
from conftest import cmd

import chainrule as cr

NETWORKS = {
    "small multiclass": lambda: cr.Network([cr.Dense(3, 4, "relu"), cr.Dense(4, 2, "softmax")],
                                           loss="categorical_crossentropy", seed=0),
    "over 120 parameters": lambda: cr.Network([cr.Dense(3, 64, "relu"), cr.Dense(64, 2, "softmax")],
                                              loss="categorical_crossentropy", seed=0),
    "one input regression": lambda: cr.Network([cr.Dense(1, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=0),
    "binary": lambda: cr.Network([cr.Dense(2, 3, "relu"), cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy",
                                 seed=0),
}


@pytest.mark.parametrize("command", ["predict", "evaluate"])
@pytest.mark.parametrize("kind", sorted(NETWORKS))
def test_the_explain_call_named_by_the_refusal_runs_as_written(tmp_path, kind, command):
    """The refusal named `chainrule explain --model PATH --inputs V1,V2,...`, which explain refuses as pasted
    ("this network needs both --inputs and --targets"; over 120 parameters, "explain prints at most 120")."""
    net = NETWORKS[kind]()
    net.save(tmp_path / "model.npz")
    (tmp_path / "rows.csv").write_text("a\n1\n")
    refused = cmd(command, "model.npz", "rows.csv", cwd=tmp_path)
    assert refused.returncode == 2
    said = " ".join(refused.stderr.split())
    assert re.search(rf"\b{net.n_inputs} raw features?\b", said), said
    call = re.search(r"`chainrule (explain [^`]+)`", said)
    assert call, said
    shown = cmd(*shlex.split(call.group(1)), cwd=tmp_path)
    assert shown.returncode == 0, f"{call.group(0)}\n{shown.stderr}"
    assert "Forward pass" in shown.stdout
