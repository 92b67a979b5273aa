"""`chainrule explain` as a student reads it, checked against what is independent of our own output:
the terminal's columns, torch autograd's gradients, and `net.step`'s update."""
import re

import numpy as np
import pytest
from conftest import cli_in_process

import chainrule as cr

NETWORKS = [
    ["--layers", "2,2,2", "--activation", "relu,softmax", "--loss", "categorical_crossentropy",
     "--inputs", "0.5,-0.25;0.1,0.2", "--targets", "0,1;1,0"],
    ["--layers", "2,3,1", "--activation", "tanh,sigmoid", "--loss", "binary_crossentropy",
     "--inputs", "0.5,0.2;0.1,0.9", "--targets", "1;0", "--lr", "0.5"],
    ["--layers", "2,2,2", "--activation", "sigmoid,linear", "--loss", "mse", "--inputs",
     "0.5,-0.25;0.1,0.2;0.3,0.3;0.2,0.1", "--targets", "0,1;1,0;1,1;0,0", "--lr", "0.1"],
    ["--layers", "3,4,2", "--activation", "tanh,softmax", "--loss", "categorical_crossentropy",
     "--inputs", "0.64,0.27,0.04", "--targets", "1", "--layer", "1", "--neuron", "0"],
    ["--layers", "2,3,3,1", "--activation", "relu,relu,linear", "--loss", "mse", "--inputs", "0.5,-0.2",
     "--targets", "0.7", "--lr", "0.1"],
    ["--layers", "2,3,2", "--activation", "leaky_relu,sigmoid", "--loss", "binary_crossentropy",
     "--inputs", "0.5,-0.25;0.1,0.2;0.3,0.3", "--targets", "0,1;1,0;1,1", "--lr", "0.1"],
]


@pytest.mark.parametrize("width", [40, 60, 70, 80])
@pytest.mark.parametrize("args", NETWORKS, ids=[" ".join(a[1:6:2]) + f" {a[9].count(';') + 1} rows" for a in NETWORKS])
def test_explain_fits_the_width_asked_for(capsys, args, width):
    """--width 60 printed the gradient lines' notes, "   (summed over samples; fused: (out - target) / 2)",
    past column 60 (73-76 columns): the note came after the value and the breaking knew only =, + and *.
    Every line now fits, a note after the value where it fits, else on its own line after it, and the text,
    joined again, is the unbroken text."""
    code, wide, _ = cli_in_process(capsys, "explain", *args, "--width", "0")
    assert code == 0
    code, narrow, _ = cli_in_process(capsys, "explain", *args, "--width", str(width))
    assert code == 0
    assert [ln for ln in narrow.splitlines() if len(ln) > width] == []
    assert narrow.split() == wide.split()
    lines = narrow.splitlines()
    for k, line in enumerate(lines):        # a note sits after its value: on its line or the next
        if line.strip().startswith("(summed over samples"):
            assert re.search(r"= -?\d+\.\d+$", lines[k - 1]), lines[k - 1:k + 1]
