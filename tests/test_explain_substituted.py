"""The forward pass's out lines with their numbers substituted, as the seed writes them; LaTeX that compiles
everywhere; the random sample said as the options that give it again."""
import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import cmd  # noqa: E402
from matplotlib.mathtext import MathTextParser

import chainrule as cr
from chainrule.nn.activations import LeakyReLU
from chainrule.teach import formulas

SEED = Path("/work/shared/seeds/001_56bd98b6111f8107.txt")       # the seed document, outside the repository
SEED_LINE = r"$$out_{h1} = \frac{1}{1+e^{-net_{h1}}} = \frac{1}{1+e^{-0.3775}} = 0.593269992$$"
TORCH = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda x: x}


def _by_hand(numbers: str) -> float:
    """A line's substituted numbers done as a learner does them: e^ an exponential, tanh, max and min."""
    text = re.sub(r"e\^-(\(?[-\d.e]+\)?)", r"math.exp(-\1)", numbers).replace("tanh", "math.tanh")
    return float(eval(text, {"math": math, "max": max, "min": min}))      # noqa: S307 (the report's own numbers)


def test_the_seeds_sigmoid_step_is_written_with_its_number_in_text_as_in_markdown():
    """The text wrote out_h1 = sigmoid(net_h1) = 0.593269992; the seed (and the Markdown) substitute the number."""
    if SEED.exists():
        assert SEED_LINE in SEED.read_text().splitlines()
    text = cmd("example").stdout
    assert "  out_h1 = 1/(1+e^-net_h1) = 1/(1+e^-0.3775) = 0.593269992\n" in text
    assert "  out_h2 = 1/(1+e^-net_h2) = 1/(1+e^-0.3925) = 0.596884378\n" in text
    assert SEED_LINE in cmd("example", "--format", "markdown").stdout.splitlines()


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "linear", 0.2, 1.5])
def test_every_out_line_substitutes_its_net_and_gives_torchs_value(activation):
    """Each elementwise activation's out line in the text, done by hand from its substituted number, gives
    PyTorch's value of the activation of that number; the Markdown writes the same steps."""
    act = LeakyReLU(activation) if isinstance(activation, float) else activation
    net = cr.Network([cr.Dense(2, 3, act), cr.Dense(3, 1, "sigmoid")], loss="sse", seed=4)
    report = cr.explain(net, [[0.7, -0.9]], [[0.2]])
    f = TORCH.get(activation) or (lambda x: torch.nn.functional.leaky_relu(x, activation))
    lines = [line.strip().split(" = ") for line in report.text().splitlines() if re.match(r"  (out|net)_\w+ = ", line)]
    nets = {parts[0][4:]: float(parts[-1]) for parts in lines if parts[0].startswith("net_")}
    outs = [parts for parts in lines if parts[0].startswith("out_")]
    tex = [line for line in report.markdown().splitlines() if line.startswith("$$out_")]
    assert len(outs) == len(tex) == 4
    for parts, tex_line in zip(outs, tex):
        assert len(tex_line.split(" = ")) == len(parts)
        if activation == "linear" and parts[0] != "out_o1":
            assert parts[1] == parts[0].replace("out_", "net_") and len(parts) == 3      # out = net: nothing to do
            continue
        assert len(parts) == 4, parts
        net_value = nets[parts[0][4:]]              # the unit's net line's value
        want = float(f(torch.tensor(net_value, dtype=torch.float64)) if parts[0] != "out_o1"
                     else torch.sigmoid(torch.tensor(net_value, dtype=torch.float64)))
        assert _by_hand(parts[2]) == pytest.approx(want, abs=1e-12)
        assert float(parts[3]) == pytest.approx(want, abs=2e-9)


@pytest.mark.parametrize("hidden", ["relu", LeakyReLU(0.2), "tanh", "sigmoid"])
def test_every_latex_line_parses_and_uses_no_blackboard_one(hidden):
    """relu's derivative was \\mathbb{1}[...]: amsfonts' blackboard bold has the capitals A-Z alone, so
    pdflatex writes no 1 there; every formula line also parses with matplotlib's mathtext."""
    net = cr.Network([cr.Dense(2, 2, hidden), cr.Dense(2, 1, "relu")], loss="mse", seed=1)
    lines = []
    for X, Y in (([[0.5, -0.2]], [[0.3]]), ([[0.5, -0.2], [0.1, 0.4]], [[0.3], [0.1]])):
        lines += re.findall(r"\$\$(.*?)\$\$", cr.explain(net, X, Y).markdown())
    lines += re.findall(r"\$\$(.*?)\$\$", formulas.general(net))
    parser = MathTextParser("path")
    for line in lines:
        assert re.findall(r"\\mathbb\{([^}]*)\}", line) in ([], *[[c] for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]), line
        parser.parse(f"${line}$")
    assert any(r"\mathbf{1}[net_{o1} > 0]" in line for line in lines)


@pytest.mark.parametrize("options", [("--layers", "2,3,2"),
                                     ("--layers", "2,3,3", "--activation", "relu,softmax",
                                      "--loss", "categorical_crossentropy")])
def test_the_random_sample_is_said_as_the_options_that_give_it_again(options):
    """The note said 'inputs [0.64, 0.27], target class 0 (one-hot [1, 0, 0])': lists the options refuse.
    Typed back as said, the sample gives the same report; a one-hot row as said, the class label's."""
    first = cmd("explain", *options)
    note = next(line for line in first.stderr.splitlines() if "a random sample" in line)
    given = re.search(r"(--inputs \S+) (--targets \S+)", note)
    again = cmd("explain", *options, *given[1].split(), *given[2].split())
    assert again.returncode == 0 and again.stdout == first.stdout
    if "softmax" in options:
        row = re.search(r"one-hot (\S+)\)", note)[1]
        assert row == ",".join(str(int(v)) for v in np.eye(3)[0])
        assert cmd("explain", *options, *given[1].split(), "--targets", row).stdout == first.stdout
        asked = cmd("explain", *options, *given[1].split()).stderr
        assert f"e.g. --targets {row} " in asked
