"""`chainrule explain --layers 2,2 --activation relu,softmax`: two names are hidden,output, but a network of two widths
has no hidden layer; the first name was dropped unsaid (the pass was softmax's alone). Refused, naming the option;
two names for a network with hidden layers still set hidden and output, checked against the library's network."""
import numpy as np
from conftest import cmd

import chainrule as cr


def test_two_activations_for_a_network_without_hidden_layer_are_refused(tmp_path):
    done = cmd("explain", "--layers", "2,2", "--activation", "relu,softmax", cwd=tmp_path)
    assert done.returncode != 0 and done.stdout == "", done.stdout
    line = done.stderr.strip().splitlines()[-1]
    assert "--activation needs one name" in line and "no hidden layer" in line and "'relu,softmax'" in line, line


def test_two_activations_still_set_hidden_and_output(tmp_path):
    """The truth: the layers' activations the JSON names, and E_total, the library's network of those activations."""
    import json
    done = cmd("explain", "--layers", "2,3,3,2", "--activation", "tanh,softmax", "--loss", "categorical_crossentropy",
               "--inputs", "0.5,-1", "--targets", "1,0", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    said = json.loads(done.stdout)
    assert [layer["activation"] for layer in said["layers"]] == ["tanh", "tanh", "softmax"]
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 3, "tanh"), cr.Dense(3, 2, "softmax")],
                     loss="categorical_crossentropy", seed=0)
    out = net.predict(np.array([[0.5, -1.0]]))[0]
    expected = -np.log(out[0])                         # categorical cross-entropy of target (1, 0)
    assert abs(said["E_total"] - expected) < 1e-12 and len({round(float(v), 6) for v in out}) == 2
