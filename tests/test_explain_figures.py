"""One number, one spelling: explain's and example's text and Markdown write every figure as the seed does, nine
decimals at most with the trailing zeros dropped (its out_o1 = 0.75136507, its net_h1 = 0.3775), so that a net input
0.55 is not 0.550000000 on the next line; the JSON keeps every digit."""
import json
import re

import numpy as np
import pytest
from conftest import cmd
from seed_rule import seed

import chainrule as cr

torch = pytest.importorskip("torch")
TRAILING_ZERO = re.compile(r"(?<![\w.])\d+\.\d*0(?![\d.e])")      # 0.550000000, 0.751365070; not 1.5e-07's


def _relu_net():
    net = cr.Network([cr.Dense(1, 1, "relu")], loss="sse", seed=0)
    net.set_weights([np.array([[0.5]]), np.array([0.3])])
    return net, np.array([[0.5]]), np.array([[1.0]])


def test_a_net_input_reads_the_same_on_the_line_that_substitutes_it():
    net, X, Y = _relu_net()
    out = float(torch.relu(torch.tensor(0.5, dtype=torch.float64) * 0.5 + 0.3))
    report = cr.explain(net, X, Y)
    text, md = report.text(), report.markdown()
    assert f"  net_o1 = w1*i1 + b_o1*1 = 0.5*0.5 + 0.3*1 = {seed(out)}\n" in text
    assert f"  out_o1 = max(0, net_o1) = max(0, {seed(out)}) = {seed(out)}\n" in text
    assert seed(out) == "0.55" and "0.550000000" not in text + md
    assert f"{seed(out)}$$" in md
    assert TRAILING_ZERO.findall(text) == [] and TRAILING_ZERO.findall(md) == []
    d = json.loads(report.to_json())                  # the JSON keeps the engine's float, every digit
    assert d["layers"][0]["neurons"][0]["out"] == [out]


def test_the_seed_example_writes_its_figures_as_the_seed_prints_them():
    run = cmd("example", "--width", "0").stdout
    worked = run.split("Every figure of the seed")[0].split("Forward pass")[1]     # its heading quotes the seed's
    for line in ("out_o1 = 1/(1+e^-net_o1) = 1/(1+e^-1.105905967) = 0.75136507",        # the seed's own lines
                 "dE/dout_o1 = -(target_o1 - out_o1) = -(0.01 - 0.75136507) = 0.74136507",
                 "dout_o1/dnet_o1 = out_o1(1 - out_o1) = 0.75136507(1 - 0.75136507) = 0.186815602",
                 "w5+ = w5 - lr * dE/dw5 = 0.4 - 0.5 * 0.082167041 = 0.35891648",
                 "net_h1 = w1*i1 + w2*i2 + b_h1*1 = 0.15*0.05 + 0.2*0.1 + 0.35*1 = 0.3775"):
        assert f"  {line}\n" in worked
    assert TRAILING_ZERO.findall(worked) == []
    explained = cmd("explain", "--lr", "0.5", "--format", "markdown").stdout
    assert "0.75136507(1 - 0.75136507) = 0.186815602" in explained and TRAILING_ZERO.findall(explained) == []


def test_zero_and_e_notation_by_the_same_rule():
    """0 as 0 (not 0.000000000, nor -0), a vanishing value in e-notation without its mantissa's zeros, as the
    explorer writes them."""
    net = cr.Network([cr.Dense(1, 1, "relu")], loss="sse", seed=0)
    net.set_weights([np.array([[-0.5]]), np.array([0.0])])
    text = cr.explain(net, [[0.4]], [[1e-7]]).text()
    assert "  out_o1 = max(0, net_o1) = max(0, -0.2) = 0\n" in text
    e = float(torch.nn.functional.mse_loss(torch.tensor([0.0], dtype=torch.float64),
                                           torch.tensor([1e-7], dtype=torch.float64), reduction="sum")) / 2
    mantissa, exponent = f"{e:.6e}".split("e")                      # 5.000000e-15: seven figures, zeros dropped
    written = f"{mantissa.rstrip('0').rstrip('.')}e{exponent}"
    assert f"  E_o1 = 1/2 (target_o1 - out_o1)^2 = 1/2 (1e-07 - 0)^2 = {written}\n" in text
    assert "  dE/dout_o1 = -(target_o1 - out_o1) = -(1e-07 - 0) = -1e-07\n" in text
    assert "0.000000000" not in text and "-0 " not in text


@pytest.mark.parametrize("alpha", [0.123456789, 1.23456789e-7])
def test_a_leaky_slope_reads_as_the_value_it_gives(alpha):
    """leaky_relu's alpha by the same rule on every line: dout/dnet's 'else alpha' is the value written after it, and
    the forward line's alpha*net gives its out, so no last-digit note for a slope cut to six figures."""
    net = cr.Network([cr.Dense(1, 1, {"name": "leaky_relu", "alpha": alpha})], loss="sse", seed=0)
    net.set_weights([np.array([[-0.5]]), np.array([0.1])])
    net_in = torch.tensor(0.4, dtype=torch.float64) * -0.5 + 0.1
    net_in.requires_grad_()
    slope = torch.autograd.grad(torch.nn.functional.leaky_relu(net_in, alpha), net_in)[0]     # dout/dnet
    text = cr.explain(net, [[0.4]], [[1.0]]).text()
    a, n = seed(alpha) if alpha > 1e-6 else f"{alpha:.6e}", seed(float(net_in))     # 1.234568e-07: 7 figures
    assert f"  dout_o1/dnet_o1 = 1 if net_o1 > 0 else {a} = 1 if {n} > 0 else {a} = {a}\n" in text
    assert float(a) == pytest.approx(float(slope), rel=1e-6)
    assert f"  out_o1 = max(net_o1, {a}*net_o1) = max({n}, {a}*({n})) = " in text
    assert "recomputed from the rounded ones" not in text
